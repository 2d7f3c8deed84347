"""The one owner of the site's public addresses, relative to its base: a certificate's
(``certificates/<id>/``, which its QR code encodes for fifteen years), a vendor's (``vendors/<slug>/``)
and a device's (``devices/<vendor>/<slug>/``). Vendor and device slugs are readable, and given in
publication order, so that a published address never changes meaning. Python builds every address
from here (the model's ``url`` properties); the templates use those properties.

The site's own base address (``SITEURL``) is judged here too, by one rule (:class:`SiteAddress`): what
the codes of a build encode, whether they may be printed, whether it can be the production site's."""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import urlsplit

from unidecode import unidecode


#: What codes encode when SITEURL is not absolute: `make serve`'s address.
DEV_BASE_URL = "http://localhost:8000"
#: the domains RFC 2606 and RFC 6761 reserve for examples and tests, and the name of a host's own network
RESERVED_SUFFIXES = (".example", ".test", ".invalid", ".localhost", ".local", ".internal")
EXAMPLE_DOMAINS = ("example.com", "example.org", "example.net")


@dataclass(frozen=True)
class SiteAddress:
    """The site's base address as set (``SITEURL``, from the settings or the command line), judged once.

    Every reader of ``SITEURL`` (the build's context, ``make issue``, ``make publish``) asks this class."""

    #: as set, without a trailing "/" ("" when unset)
    given: str

    @classmethod
    def of(cls, siteurl: str | None) -> SiteAddress:
        return cls((siteurl or "").strip().rstrip("/"))

    @property
    def _host(self) -> str:
        return (urlsplit(self.given).hostname or "").lower().rstrip(".")

    @property
    def absolute(self) -> bool:
        return self.given.startswith(("http://", "https://")) and bool(self._host)

    @property
    def base(self) -> str:
        """What every public address of a build (QR codes, feeds, canonical links) starts with: the
        address set when it is absolute, else the development server's."""
        return self.given if self.absolute else DEV_BASE_URL

    @property
    def local(self) -> bool:
        """Not absolute, or a host of this machine: no one else reaches it."""
        host = self._host
        return (not self.absolute or host in ("localhost", "::1", "0.0.0.0") or host.endswith(".localhost")
                or host.startswith("127."))

    def print_problem(self) -> str | None:
        """Why codes encoding this address must not be printed on a label (a development build), or None."""
        if not self.local:
            return None
        return (f"SITEURL is {self.given or 'empty'}: the QR codes encode {self.base}/certificates/<ID>/ "
                "and must NOT be printed on a label. Build with SITEURL=https://<public site> "
                "(make publish does) for codes meant for print.")

    def production_problem(self) -> str | None:
        """Why this cannot be the public address of the production site (not https, or a reserved,
        example or local host), or None."""
        host = self._host
        if not self.given.startswith("https://") or not host:
            return (f"SITEURL is {self.given or 'empty'}: the production site's QR codes, labels and documents "
                    "need its public https address. Set SITEURL=https://<the public site> (make publish SITEURL=...)")
        if (self.local or host.endswith(RESERVED_SUFFIXES) or host in EXAMPLE_DOMAINS
                or host.endswith(tuple("." + d for d in EXAMPLE_DOMAINS))
                or host.replace(".", "").isdigit() or ":" in host):
            return (f"SITEURL is {self.given}, a placeholder or test address (a reserved or local host name): the QR "
                    "codes would encode it on hardware for years. Set SITEURL=https://<the public site>")
        return None


#: the folder of every certificate's page and files
CERTIFICATES = "certificates/"


def certificate(cert_id: str, name: str = "") -> str:
    """A certificate's page (``name`` empty) or one of its files, below the site's base."""
    return f"{CERTIFICATES}{cert_id}/{name}"


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
