"""The OCA certificate log: every certificate revision and every correction, appended, never removed.

An entry is canonical JSON (sorted keys, no spaces, ASCII): ``{"type": "certificate", "id", "revision",
"record"}`` for a certificate as its record stands, ``{"type": "correction", ...}`` for an entry
of the corrections log. A log is the entries of the log it extends (``base``: the live log, which
publishing reads from the target) followed by the entries it does not hold yet, in a fixed order
(certificates by issue date and number, then corrections). A build with no base starts a log
afresh: the development log. The files are those of C2SP tlog-tiles under ``log/``, with a
checkpoint signed by the log's Ed25519 key when one is given (:mod:`.tlog`).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..model.directory import Directory
from ..model import serial
from . import tlog
from .stores import Parts, make_every


def canonical(data: dict) -> bytes:
    """Canonical JSON: sorted keys, no spaces, ASCII (every other character escaped, bidi controls too)."""
    return json.dumps(data, ensure_ascii=True, sort_keys=True, separators=(",", ":")).encode("ascii")


def wanted(directory: Directory, corrections: list[dict], memo: Parts = make_every) -> list[tuple[str | None, bytes]]:
    """The entries this directory's log holds: (certificate id or None, entry bytes), in log order
    (each certificate's made once with ``memo``: :mod:`.stores`)."""
    def certificate_entry(c) -> bytes:
        return canonical({"type": "certificate", "id": c.id, "revision": len(c.revisions), "record": serial.record(c)})

    out = [(c.id, memo("log-entry", c, lambda c=c: certificate_entry(c)))
           for c in sorted(directory.certificates, key=lambda c: (c.issued, c.id))]
    out += [(None, canonical({"type": "correction", **entry})) for entry in corrections]
    return out


@dataclass
class Log:
    entries: list[bytes]
    leaves: list[bytes]
    #: certificate id -> the index of the entry of its record as it stands
    index_of: dict[str, int] = field(default_factory=dict)
    #: how many entries came from the log it extends
    base_size: int = 0

    @property
    def size(self) -> int:
        return len(self.entries)

    @property
    def root(self) -> bytes:
        return tlog.root(self.leaves)


def build(directory: Directory, corrections: list[dict], base: list[bytes] | None = None,
          memo: Parts = make_every) -> Log:
    """``base`` followed by the entries it lacks: a certificate's entry is appended unless it is the
    latest entry of that certificate (a record changed back gets its entry again, so that the latest
    entry of each certificate is always its record as it stands), a correction's unless it is there."""
    entries = list(base or [])
    have = {e: i for i, e in enumerate(entries)}
    latest: dict[str, int] = {}
    for i, entry in enumerate(entries):
        cert_id = entry_id(entry)
        if cert_id is not None:
            latest[cert_id] = i
    index_of: dict[str, int] = {}
    for cert_id, entry in wanted(directory, corrections, memo):
        known = latest.get(cert_id) if cert_id is not None else have.get(entry)
        if known is None or entries[known] != entry:
            if len(entry) > tlog.ENTRY_MAX:
                raise tlog.LogError(f"the entry of {cert_id or 'a correction'} is {len(entry)} bytes; an entry "
                                    f"bundle holds at most {tlog.ENTRY_MAX}")
            known = have[entry] = len(entries)
            entries.append(entry)
        if cert_id is not None:
            index_of[cert_id] = known
    return Log(entries, [tlog.leaf_hash(e) for e in entries], index_of, len(base or []))


def first_seen(entries: list[bytes]) -> dict[str, int]:
    """Certificate id -> the index of its first entry: the order certificates were published in."""
    out: dict[str, int] = {}
    for i, entry in enumerate(entries):
        cert_id = entry_id(entry)
        if cert_id is not None:
            out.setdefault(cert_id, i)
    return out


def entry_id(entry: bytes) -> str | None:
    """The certificate id of a certificate entry; None for a correction."""
    item = json.loads(entry)
    return item["id"] if item.get("type") == "certificate" else None


def read_base(folder: Path) -> list[bytes]:
    """The entries of a log's files in ``folder`` (its checkpoint and entry bundles); raises LogError."""
    checkpoint = open_checkpoint((folder / "checkpoint").read_text("utf-8"), None)
    return read_entries(lambda path: (folder / path).read_bytes() if (folder / path).is_file() else None, checkpoint)


def read_entries(read: Callable[[str], bytes | None], checkpoint: tlog.Checkpoint) -> list[bytes]:
    """The entries of the log ``checkpoint`` describes, from the entry bundles ``read(path)`` gives (paths
    below ``log/``, such as ``tile/entries/000``); raises LogError naming a missing or damaged bundle, or
    entries that do not hash to the checkpoint's root."""
    entries: list[bytes] = []
    for n in range((checkpoint.size + tlog.TILE_WIDTH - 1) // tlog.TILE_WIDTH):
        path = tlog.bundle_path(n, min(tlog.TILE_WIDTH, checkpoint.size - n * tlog.TILE_WIDTH))
        data = read(path)
        if data is None:
            raise tlog.LogError(f"{path} is missing")
        try:
            entries += tlog.read_bundle(data)
        except tlog.LogError as exc:
            raise tlog.LogError(f"{path}: {exc}") from None
    if len(entries) != checkpoint.size or tlog.root([tlog.leaf_hash(e) for e in entries]) != checkpoint.root:
        raise tlog.LogError(f"the {len(entries)} entries do not hash to the checkpoint's root "
                            f"(size {checkpoint.size})")
    return entries


def open_checkpoint(note: str, verifier: tlog.Verifier | None) -> tlog.Checkpoint:
    """A checkpoint file's checkpoint: its signature checked by ``verifier``, or, with none, read as it is
    (the whole file when unsigned, else the note's text); raises LogError."""
    if verifier is not None:
        return tlog.parse_checkpoint(tlog.open_note(note, verifier))
    text, sep, _ = note.rpartition("\n\n")
    return tlog.parse_checkpoint(text + "\n" if sep else note)


def files(log: Log, origin: str, key=None) -> dict[str, bytes]:
    """The log's files below ``log/``: tiles, entry bundles, and the checkpoint (signed with ``key``)."""
    out = {f"log/{path}": data for path, data in tlog.tiles(log.leaves).items()}
    out.update({f"log/{path}": data for path, data in tlog.bundles(log.entries).items()})
    text = tlog.Checkpoint(origin, log.size, log.root).text()
    out["log/checkpoint"] = (tlog.sign_note(text, origin, key) if key is not None else text).encode("utf-8")
    return out


def entry_file(log: Log, cert_id: str) -> bytes:
    """``log.json`` of a certificate: its entry as it stands, and the entry's index in the log.

    It changes only when the certificate's own entry does: the inclusion proof, which changes with
    every entry the log gains, is computed by the reader from the log's tiles (as C2SP tlog clients
    do; ``theme/static/js/tlog-tiles.js`` on the certificate page)."""
    index = log.index_of[cert_id]
    return entry_json(index, log.entries[index])


def entry_json(index: int, entry: bytes) -> bytes:
    """``log.json`` of the certificate whose entry is ``entry``, at ``index`` (:func:`entry_file`)."""
    return serial.dumps({"index": index, "entry": base64.b64encode(entry).decode()})


def load_key(path: str | Path):
    """The log's Ed25519 private key from a PEM file; raises LogError without showing the key."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    try:
        key = load_pem_private_key(Path(path).read_bytes(), password=None)
    except (OSError, ValueError, TypeError):
        raise tlog.LogError(f"{path} is not a readable, unencrypted PEM private key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise tlog.LogError(f"{path} is not an Ed25519 key")
    return key


def verifier(key, origin: str) -> tlog.Verifier:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return tlog.Verifier(origin, key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))
