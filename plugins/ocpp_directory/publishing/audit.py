"""An auditor anyone can run: ``python -m ocpp_directory audit SITE``.

It checks a published site (a folder or its URL) against its certificate log: the checkpoint's
signature (with the OCA's verifier key), the tree recomputed from the entry bundles, every tile,
every certificate of ``directory.json`` and every certificate page having its entry (``log.json``,
whose inclusion proof the tiles give), and, with a checkpoint kept from an earlier visit, that the
log extends it.
"""

from __future__ import annotations

import base64
import gzip
import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from ..model import addresses
from ..outputs import tlog
from ..outputs.exports import BESIDE_RECORD
from ..outputs.certlog import open_checkpoint, read_entries

@dataclass
class Audit:
    findings: list[str] = field(default_factory=list)
    size: int = 0
    checked: int = 0
    signed: bool = False
    checkpoint: str = ""


class _Site:
    def __init__(self, site: str):
        self.site = site.rstrip("/")
        self.remote = site.startswith(("http://", "https://"))

    def read(self, path: str) -> bytes | None:
        """The file at ``path`` as a browser gets it: asking for gzip, as browsers do, and decoding what
        comes gzip-encoded (object storage keeps pages compressed: publishing/s3.py)."""
        try:
            if self.remote:
                request = urllib.request.Request(f"{self.site}/{path}", headers={"Accept-Encoding": "gzip"})
                with urllib.request.urlopen(request, timeout=20) as response:
                    data = response.read()
                    encoding = (response.headers.get("Content-Encoding") or "").lower()
                return gzip.decompress(data) if encoding == "gzip" else data
            return (Path(self.site) / path).read_bytes()
        except (OSError, urllib.error.URLError, EOFError, gzip.BadGzipFile):
            return None

    def page(self, folder: str) -> bytes | None:
        """A folder's page: its address as a web server answers it, or, from a store that maps no
        folder to its index.html (an S3 API endpoint), that file."""
        return (self.read(folder) if self.remote else None) or self.read(f"{folder}index.html")


def audit(site: str, verifier: tlog.Verifier | None, since: str | None = None) -> Audit:
    """Every finding about ``site``'s log; none means it passed. ``since`` is a checkpoint kept earlier."""
    out = Audit()
    s = _Site(site)
    note = s.read("log/checkpoint")
    if note is None:
        out.findings.append("log/checkpoint: missing")
        return out
    out.checkpoint = note.decode("utf-8", "replace")
    try:
        checkpoint = open_checkpoint(out.checkpoint, verifier)
        out.signed = verifier is not None
    except tlog.LogError as exc:
        out.findings.append(f"log/checkpoint: {exc}")
        return out
    out.size = checkpoint.size
    try:
        entries = read_entries(lambda path: s.read(f"log/{path}"), checkpoint)
    except tlog.LogError as exc:
        out.findings.append(f"log: {exc}")
        return out
    leaves = [tlog.leaf_hash(e) for e in entries]
    for path, data in tlog.tiles(leaves).items():
        if s.read(f"log/{path}") != data:
            out.findings.append(f"log/{path}: not the tile the entries make")
    records = {}
    for index, entry in enumerate(entries):
        try:
            item = json.loads(entry)
        except ValueError:
            out.findings.append(f"log entry {index}: not JSON")
            continue
        if item.get("type") == "certificate":
            records.setdefault(item["id"], {})[json.dumps(item["record"], sort_keys=True)] = index
    listed = s.read("directory.json")
    if listed is None:
        out.findings.append("directory.json: missing")
        return out
    certificates = json.loads(listed)["certificates"]
    for cert in certificates:
        out.checked += 1
        record = {k: v for k, v in cert.items() if k not in BESIDE_RECORD}
        index = records.get(cert["id"], {}).get(json.dumps(record, sort_keys=True))
        if index is None:
            out.findings.append(f"{cert['id']}: directory.json holds a record the log has no entry for")
            continue
        page = s.page(addresses.certificate(cert["id"]))
        if page is None or cert["id"].encode() not in page:
            out.findings.append(f"{cert['id']}: its page is missing")
        # Its entry as the page shows it: the tiles, checked above against the entries and the
        # checkpoint's root, give every inclusion proof.
        held = s.read(addresses.certificate(cert["id"], "log.json"))
        try:
            found = json.loads(held) if held else None
            ok = found is not None and found["index"] == index and base64.b64decode(found["entry"]) == entries[index]
        except (ValueError, KeyError, TypeError):
            ok = False
        if not ok:
            out.findings.append(f"{cert['id']}: log.json is missing or is not its entry in the log (entry {index})")
    for cert_id in sorted(set(records) - {c["id"] for c in certificates}):
        out.findings.append(f"{cert_id}: in the log, but not in directory.json (a certificate cannot be retracted)")
    if since is not None:
        try:
            old = open_checkpoint(since, verifier)
        except tlog.LogError as exc:
            out.findings.append(f"the kept checkpoint: {exc}")
            return out
        if old.size > checkpoint.size or (old.size and not tlog.verify_consistency(
                old.size, checkpoint.size, tlog.consistency_proof(leaves, old.size) if old.size else [], old.root,
                checkpoint.root)):
            out.findings.append(f"log: not an extension of the kept checkpoint (size {old.size}): entries were "
                                "removed or changed")
    return out
