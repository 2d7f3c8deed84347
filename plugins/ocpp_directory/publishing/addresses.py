"""Published addresses keep their meaning: the vendor and device addresses the live log gives, checked
against the new build's.

A vendor's or device's address is printed and linked for years. The build gives addresses in
publication order (:func:`..model.addresses.assign_addresses` over the certificates as the live log
first lists them), so a new record, even a backdated look-alike, never takes a live address. What can
still move one is a changed name (a vendor or device name changed in the record that holds the
address): a publish that would give a live address to another vendor or device is refused, naming the
records on both sides. (A renamed device's old address then names nothing, and its certificates' pages
keep theirs. Aliases are read from today's ``vendors.yaml`` on both sides.)
"""

from __future__ import annotations

import json
from pathlib import Path

from ..model import addresses as paths
from ..model.addresses import assign_addresses
from ..model.vendors import VENDORS_FILE, Vendors, load_vendors
from .targets import PublishError


class AddressRefusal(PublishError):
    """A live vendor or device address would change meaning; nothing was published."""


def addresses(entries: list[bytes], declared: Vendors) -> dict[str, tuple[str, str]]:
    """Address -> (what it names, the first certificate holding it) for the log ``entries``: each
    certificate in the order the log first lists it, with its names as its latest entry has them."""
    order: list[str] = []
    names: dict[str, tuple[str, str]] = {}
    for raw in entries:
        item = json.loads(raw)
        if item.get("type") != "certificate":
            continue
        record = item["record"]
        if item["id"] not in names:
            order.append(item["id"])
        names[item["id"]] = (declared.name_of(record["vendor"]["name"]), record["device"]["name"])
    vendor_slug, device_slug = assign_addresses(names[cid] for cid in order)
    out: dict[str, tuple[str, str]] = {}
    for cid in order:
        vendor, device = names[cid]
        out.setdefault("/" + paths.vendor(vendor_slug[vendor]), (f"the vendor {vendor!r}", cid))
        out.setdefault("/" + paths.device(vendor_slug[vendor], device_slug[(vendor, device)]),
                       (f"{vendor!r}'s device {device!r}", cid))
    return out


def declared_vendors(certificates: Path) -> Vendors:
    declared, _ = load_vendors(certificates / VENDORS_FILE, str(certificates / VENDORS_FILE))
    return declared


def check(live: list[bytes] | None, new: list[bytes], declared: Vendors) -> None:
    """Raise :class:`AddressRefusal` when an address the live log gives names another vendor or device after
    this publish (one that names nothing afterwards, a renamed device's, is let through)."""
    if not live:
        return
    before, after = addresses(live, declared), addresses(new, declared)
    moved = []
    for address, (what, cid) in sorted(before.items()):
        now = after.get(address)
        if now is not None and now[0] != what:
            moved.append(f"{address} names {what} ({cid}); after this publish it would name {now[0]} ({now[1]})")
    if moved:
        lines = "\n".join(f"  {m}" for m in moved)
        raise AddressRefusal(f"publishing would change the meaning of {len(moved)} live address"
                             f"{'es' if len(moved) != 1 else ''}:\n{lines}\nA published address is printed and "
                             "linked for years: it may never name another vendor or device. Keep the names of the "
                             "records that hold these addresses; nothing was published")
