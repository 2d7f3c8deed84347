"""The files an import writes: a record of the OCA's listing and ``vendors.yaml``, each ending in a hash of
its contents, so that an edit by hand is seen (:func:`edited`) and never overwritten."""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .listing import Row

#: the last line of a file the import wrote
STAMP = "# imported; sha256 of the lines above: "


def record_text(rows: list[Row]) -> str:
    """The YAML record of one certificate, deterministic, every string quoted."""
    first, updates = rows[0], [r for r in rows if r.update]
    q = lambda text: json.dumps(text, ensure_ascii=False)  # noqa: E731 - a JSON string is a YAML scalar
    lines = [f"# From the OCA's listing, line {first.line}.", f"id: {q(first.number)}", "source: oca-listing",
             f"issued: {q(first.issued)}", f"ocpp_version: {q(first.version)}"]
    if first.edition:
        lines.append(f"edition: {q(first.edition)}")
    lines += [f"profiles: [{', '.join(q(p) for p in first.profiles)}]", "vendor:", f"  name: {q(first.vendor)}",
              f"  country: {q(first.country)}", "device:", f"  name: {q(first.device)}", f"  type: {q(first.device_type)}"]
    if first.software:
        lines.append(f"  software_version: {q(first.software)}")
    if first.number.startswith("W"):
        lines.append(f"white_label_of: {q(first.number.split('.', 1)[1])}")
    latest = (updates[-1].document if updates else None) or first.document
    if latest:
        lines += ["document:", f"  url: {q(latest)}"]
    if updates:
        lines.append("revisions:")
        for r in updates:
            lines += [f"  - date: {q(r.update)}", f"    change: {q('Re-issued (the listing shows update-' + r.update + ')')}"]
            if r.document:
                lines += ["    document:", f"      url: {q(r.document)}"]
    body = "\n".join(lines) + "\n"
    return body + STAMP + hashlib.sha256(body.encode("utf-8")).hexdigest() + "\n"


def edited(text: str) -> bool:
    """Whether an imported file was changed since the import wrote it (its last line no longer matches)."""
    body, _, stamp = text.rpartition(STAMP)
    return not stamp or stamp.strip() != hashlib.sha256(body.encode("utf-8")).hexdigest()


def vendors_text(rows: list[Row]) -> str | None:
    """vendors.yaml: the spellings that share an OCA participant page, and former names; None if none."""
    pages: dict[str, dict[str, int]] = {}
    former: dict[str, set[str]] = {}
    for row in rows:
        if row.participant:
            pages.setdefault(row.participant, {}).setdefault(row.vendor, 0)
            pages[row.participant][row.vendor] += 1
        if row.former:
            former.setdefault(row.vendor, set()).add(row.former)
    q = lambda text: json.dumps(text, ensure_ascii=False)  # noqa: E731
    entries = []
    named: set[str] = set()
    for page, spellings in sorted(pages.items()):
        ranked = sorted(spellings, key=lambda s: (-spellings[s], -len(s), s))  # most used, then the fullest
        name, aliases = ranked[0], [s for s in ranked[1:] if s not in named]
        if name in named:
            continue
        named.update([name, *aliases])
        entry = [f"  - name: {q(name)}", f"    participant_page: {q(page)}"]
        if aliases:
            entry.append(f"    aliases: [{', '.join(q(a) for a in aliases)}]")
        if former.get(name):
            entry.append(f"    former_names: [{', '.join(q(f) for f in sorted(former[name]))}]")
        entries.append("\n".join(entry))
    for name in sorted(set(former) - named):
        entries.append(f"  - name: {q(name)}\n    former_names: [{', '.join(q(f) for f in sorted(former[name]))}]")
    if not entries:
        return None
    body = "# The vendors of the OCA's listing: spellings that share a participant page are one vendor.\nvendors:\n"
    body += "\n".join(entries) + "\n"
    return body + STAMP + hashlib.sha256(body.encode("utf-8")).hexdigest() + "\n"
