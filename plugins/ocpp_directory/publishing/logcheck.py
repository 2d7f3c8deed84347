"""What a publish checks against the certificate log before anything goes live.

The live log is read from the target; the last checkpoint this repository published is read from
its file (``OCPP_LOG_PUBLISHED``, committed after each publish). A target whose log is missing,
emptied or older than that checkpoint, or does not extend it, is refused: it lost entries (a
restored backup, a wiped folder), and publishing over it would hide that. The live log's
certificates are never retracted, whatever the live ledger says.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from ..model import serial
from ..outputs import tlog
from ..outputs.certlog import open_checkpoint, read_entries
from .targets import PublishError, Target

LIVE = "current/log"


class LogRefusal(PublishError):
    """The target's log does not extend what was published; nothing was published."""


def read_live(target: Target, into: Path, verifier: tlog.Verifier | None, where: str = LIVE) -> list[bytes] | None:
    """The live log's entries (or those of the log at ``where``), its files copied into ``into`` (for the
    build to extend); None if the target has no log. Raises :class:`LogRefusal` when the log is damaged."""
    note = target.read(f"{where}/checkpoint")
    if note is None:
        return None
    try:
        checkpoint = open_checkpoint(note.decode("utf-8"), verifier)
    except (tlog.LogError, UnicodeDecodeError) as exc:
        raise LogRefusal(f"the target's log checkpoint cannot be trusted: {exc}; nothing was published") from None
    into.mkdir(parents=True, exist_ok=True)
    (into / "checkpoint").write_bytes(note)

    def copied(path: str) -> bytes | None:  # each bundle read from the target, and kept for the build
        data = target.read(f"{where}/{path}")
        if data is not None:
            (into / path).parent.mkdir(parents=True, exist_ok=True)
            (into / path).write_bytes(data)
        return data

    try:
        return read_entries(copied, checkpoint)
    except tlog.LogError as exc:
        raise LogRefusal(f"the target's log cannot be used: {exc}; restore the target from a kept release or a "
                         "copy; nothing was published") from None


def check_published(live: list[bytes] | None, published: str | None, verifier: tlog.Verifier | None,
                    where: Path) -> None:
    """The live log must extend the checkpoint this repository last published (``published``, the
    text of the file at ``where``); raises :class:`LogRefusal` saying what was found."""
    if not published:
        return
    try:
        kept = open_checkpoint(published, verifier)
    except tlog.LogError as exc:
        raise LogRefusal(f"{where}: {exc}") from None
    restore = ("The target was wiped, restored from an old backup or rolled back. Restore it from a kept release "
               "(releases/ at the target) or a copy of the site, then publish again; nothing was published.")
    if live is None or not live:
        raise LogRefusal(f"the target has no certificate log, but {where} says {kept.size} entries were published. "
                         + restore)
    leaves = [tlog.leaf_hash(e) for e in live]
    if len(live) < kept.size or not tlog.verify_consistency(
            kept.size, len(live), tlog.consistency_proof(leaves, kept.size), kept.root, tlog.root(leaves)):
        raise LogRefusal(f"the target's log ({len(live)} entries) does not extend the checkpoint of {kept.size} "
                         f"entries in {where}. " + restore)


def extends(live: list[bytes] | None, new: list[bytes]) -> bool:
    """Whether the new log is a consistent extension of the live one (RFC 6962 consistency proof)."""
    if not live:
        return True
    old, leaves = [tlog.leaf_hash(e) for e in live], [tlog.leaf_hash(e) for e in new]
    return len(new) >= len(live) and tlog.verify_consistency(
        len(live), len(new), tlog.consistency_proof(leaves, len(live)), tlog.root(old), tlog.root(leaves))


def view(entries: list[bytes]) -> dict:
    """The ledger the log states, which nothing done to a file at the target can change: each
    certificate's protected fields and revisions as its latest entry has them, and every correction,
    in log order. A publish compares its build with this, not with the target's ``ledger.json``."""
    certificates, corrections = {}, []
    for raw in entries:
        item = json.loads(raw)
        if item.get("type") == "certificate":
            certificates[item["id"]] = serial.ledger_entry_of(item["record"])
        elif item.get("type") == "correction":
            corrections.append({k: v for k, v in item.items() if k != "type"})
    return {"certificates": certificates, "corrections": corrections}


def size_at(target: Target, where: str) -> int | None:
    """The size the checkpoint at ``where`` states (read as it is); None without a readable one."""
    note = target.read(f"{where}/checkpoint")
    try:
        return open_checkpoint(note.decode("utf-8"), None).size if note else None
    except (tlog.LogError, UnicodeDecodeError):
        return None


def longest(target: Target, into: Path) -> list[bytes] | None:
    """The longest log at the target, the live release's or a kept release's: the log only grows, so a
    live log that was deleted or replaced by an older one does not make a rollback forget entries."""
    places = [LIVE] + [f"releases/{name}/log" for name in target.releases()]
    sizes = {where: size_at(target, where) or 0 for where in places}
    best = max(places, key=lambda where: (sizes[where], where == LIVE))
    return read_live(target, into / "log", None, best) if sizes[best] else None


def read_published(path: Path | None) -> dict:
    """The file of published checkpoints (target -> checkpoint); a damaged one is a clear error."""
    if path is None or not path.exists():
        return {}
    try:
        kept = json.loads(path.read_text("utf-8"))
        if not isinstance(kept, dict) or not all(isinstance(v, str) for v in kept.values()):
            raise ValueError("it is not an object of target -> checkpoint text")
    except (OSError, ValueError) as exc:
        raise PublishError(f"{path} cannot be read ({exc}): it is the record of the checkpoints this repository "
                           "published; restore it from version control (git checkout -- "
                           f"{path.name}); nothing was published") from None
    return kept


def write_published(path: Path, kept: dict) -> None:
    """Write the file of published checkpoints whole or not at all: a temporary file beside it, flushed, then
    renamed over it."""
    text = json.dumps(kept, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
