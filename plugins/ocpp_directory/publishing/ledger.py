"""What a publish may never take back: comparing ledgers (the live log's view, :func:`.logcheck.view`,
with a new build's), and the correction entries that explain a change."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from .targets import PublishError


class LedgerRefusal(PublishError):
    def __init__(self, changes: list[Change]):
        self.changes = changes
        lines = listing(changes)
        super().__init__(
            f"publishing would retract or alter {len(changes)} published certificate"
            f"{'s' if len(changes) != 1 else ''}:\n{lines}\n"
            "An OCPP certificate cannot be retracted (section 8.2.1). Restore the records, or, if this "
            'corrects an error, publish again with CORRECTION="<reason>": the reason and these '
            "certificates are then listed publicly at /corrections/."
        )


@dataclass(frozen=True)
class Change:
    id: str
    what: str

    def as_dict(self) -> dict:
        return {"id": self.id, "what": self.what}


def listing(changes: list[Change]) -> str:
    """One indented line per change, for the operator."""
    return "\n".join(f"  {c.id}: {c.what}" for c in changes)


def compare(live: dict | None, new: dict) -> list[Change]:
    """What the new ledger takes back from the live one."""
    if not live:
        return []
    changes = []
    new_certs = new["certificates"]
    for cid, entry in sorted(live["certificates"].items()):
        if cid not in new_certs:
            changes.append(Change(cid, "would disappear: no record has this id any more"))
            continue
        if entry["sha256"] == new_certs[cid]["sha256"]:
            continue
        old_fields, new_fields = entry["fields"], new_certs[cid]["fields"]
        for name in sorted(set(old_fields) | set(new_fields)):
            before, after = old_fields.get(name), new_fields.get(name)
            if before != after:
                changes.append(Change(cid, f"{name} would change from {_show(before)} to {_show(after)}"))
    return changes


def _show(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True) if not isinstance(value, str) else value


def revision_corrections(live: dict | None, new: dict, changes: list[Change]) -> tuple[list[dict], list[Change]]:
    """The changes a new revision of the record explains, as correction entries (the revision's date and
    what it says changed), and the changes left, which need a CORRECTION reason. A revision is the
    record's side of a correction: one event, one entry in the public corrections log."""
    if not live:
        return [], changes
    entries, left = [], []
    by_id: dict[str, list[Change]] = {}
    for change in changes:
        by_id.setdefault(change.id, []).append(change)
    for cid, found in by_id.items():
        before = live["certificates"].get(cid, {}).get("revisions", [])
        after = new["certificates"].get(cid, {}).get("revisions", [])
        if cid in new["certificates"] and len(after) > len(before) and after[:len(before)] == before:
            latest = after[-1]
            entries.append({"date": latest["date"], "reason": f"Revision of {cid}: {latest['change']}",
                            "changes": [c.as_dict() for c in found]})
        else:
            left.extend(found)
    return entries, left


def correction_entry(reason: str, changes: list[Change], day: dt.date) -> dict:
    return {"date": day.isoformat(), "reason": reason, "changes": [c.as_dict() for c in changes]}
