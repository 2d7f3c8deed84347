"""Vendors as data: ``vendors.yaml`` at the top of the records folder.

One entry per company: its canonical name, the other spellings records use
(aliases), its former names, its OCA participant page and its website. A
record keeps the vendor's name as the certificate states it; the directory
groups every spelling under the canonical name, on one vendor page.

::

    vendors:
      - name: AmpUp Inc.
        aliases: [AmpUp]
        former_names: []
        participant_page: https://openchargealliance.org/participants/ampup/

The file is optional; without it every name is its own vendor.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import Problem
from .fields import Fields, is_https_url, quote
from .loader import load

#: the file's name, at the top of the records folder (it is not a record)
VENDORS_FILE = "vendors.yaml"


@dataclass(frozen=True, slots=True)
class VendorEntry:
    name: str
    aliases: tuple[str, ...] = ()
    former_names: tuple[str, ...] = ()
    participant_page: str | None = None
    website: str | None = None


@dataclass(frozen=True, slots=True)
class Vendors:
    """The declared vendors, and the canonical name of every spelling they declare."""

    entries: dict[str, VendorEntry]
    canonical: dict[str, str]

    def name_of(self, spelling: str) -> str:
        """The canonical name of a vendor name as a record spells it (itself when undeclared)."""
        return self.canonical.get(spelling, spelling)


NO_VENDORS = Vendors({}, {})


def load_vendors(path: Path, shown: str) -> tuple[Vendors, list[Problem]]:
    """Read ``vendors.yaml`` (shown as ``shown`` in problems); every problem, as values."""
    from .records import NAME_MAX

    if not path.exists():
        return NO_VENDORS, []
    root, problems = load(path.read_bytes(), shown)
    if root is None:
        return NO_VENDORS, problems
    f = Fields(shown, problems)
    entries: dict[str, VendorEntry] = {}
    canonical: dict[str, str] = {}
    top = f.mapping(root, "vendors file", required=("vendors",))
    for i, node in enumerate(f.sequence(f.get(top, "vendors"), "vendors") or ()):
        where = f"vendors[{i}]"
        m = f.mapping(node, where, required=("name",),
                      optional=("aliases", "former_names", "participant_page", "website"))
        name = f.string(f.get(m, "name"), f"{where}.name", max_len=NAME_MAX)
        aliases = f.string_list(f.get(m, "aliases"), f"{where}.aliases", max_len=NAME_MAX) or []
        former = f.string_list(f.get(m, "former_names"), f"{where}.former_names", max_len=NAME_MAX) or []
        links = {}
        for key in ("participant_page", "website"):
            link_node = f.get(m, key)
            link = f.string(link_node, f"{where}.{key}", max_len=500)
            if link is not None and not is_https_url(link):
                f.add(link_node.line, f"{where}.{key}", f"{quote(link)} is not an https:// address",
                      "an address starting with https://")
                link = None
            links[key] = link
        if name is None:
            continue
        for spelling in [name, *aliases]:
            if spelling in canonical:
                f.add(node.line, where, f"{quote(spelling)} is already a spelling of {quote(canonical[spelling])}",
                      "each spelling under one vendor")
                continue
            canonical[spelling] = name
        entries[name] = VendorEntry(name, tuple(aliases), tuple(former), links["participant_page"], links["website"])
    return Vendors(entries, canonical), f.problems
