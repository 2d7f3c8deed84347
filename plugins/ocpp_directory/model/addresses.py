"""The one owner of the site's public addresses, relative to its base: a certificate's
(``certificates/<id>/``, which its QR code encodes for fifteen years), a vendor's (``vendors/<slug>/``)
and a device's (``devices/<vendor>/<slug>/``). Vendor and device slugs are readable, and given in
publication order, so that a published address never changes meaning. Python builds every address
from here (the model's ``url`` properties); the templates use those properties."""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict

from unidecode import unidecode


def certificate(cert_id: str, name: str = "") -> str:
    """A certificate's page (``name`` empty) or one of its files, below the site's base."""
    return f"certificates/{cert_id}/{name}"


def vendor(slug: str) -> str:
    return f"vendors/{slug}/"


def device(vendor_slug: str, slug: str) -> str:
    return f"devices/{vendor_slug}/{slug}/"


def slugify(text: str, taken: set[str] | None = None) -> str:
    """An ASCII URL segment for ``text``: lower case letters, digits and '-'.

    Korean, accented and other names are transliterated (unidecode), so the
    segment is readable; a name with no letters or digits at all gets a short
    hash. ``taken`` disambiguates with -2, -3, ... in the caller's order.
    """
    slug = re.sub(r"[^a-z0-9]+", "-", unidecode(text).lower()).strip("-")[:80].strip("-")
    if not slug:
        slug = "x-" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]
    if taken is not None:
        base, n = slug, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        taken.add(slug)
    return slug


def publication_order(certificates, published: dict[str, int] | None):
    """The certificates in the order their addresses are given: those the live log holds in the order
    it first lists them, then the others by issue date and id (the order the log will list them in)."""
    published = published or {}
    return sorted(certificates, key=lambda c: (0, published[c.id], "") if c.id in published
                  else (1, c.issued.toordinal(), c.id))


def assign_addresses(names) -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    """Vendor and device slugs for ``(vendor name, device name)`` pairs, in publication order: a slug goes
    to the name that had it first, so a later, colliding name (a look-alike vendor, a backdated record)
    gets another one and never takes over a published vendor or device address. Publishing checks the
    live log's addresses against the new build's with this same function (publishing/addresses.py)."""
    vendors: dict[str, str] = {}
    devices: dict[tuple[str, str], str] = {}
    vendor_slugs: set[str] = set()
    device_slugs: dict[str, set[str]] = defaultdict(set)
    for vendor, device in names:
        if vendor not in vendors:
            vendors[vendor] = slugify(vendor, vendor_slugs)
        if (vendor, device) not in devices:
            devices[(vendor, device)] = slugify(device, device_slugs[vendors[vendor]])
    return vendors, devices
