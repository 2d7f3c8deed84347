"""A certificate as the directory holds it: the checked values of one record."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field

import pycountry

from . import addresses


@dataclass(frozen=True, slots=True)
class Hardware:
    evse: str
    connection: tuple[str, ...]
    rfid: str
    communication: tuple[str, ...]
    #: Part 5's yes/no hardware features it has (HFS-3: AC support...), where the record states them
    hfs: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Results:
    passed: int
    failed: int
    not_applicable: int


@dataclass(frozen=True, slots=True)
class Document:
    """A certificate document: a PDF file beside the record, the address of the OCA's copy, or both."""

    file: str | None
    url: str | None


@dataclass(frozen=True, slots=True)
class Revision:
    """The certificate re-issued: when, what changed, and the document issued then."""

    date: dt.date
    change: str
    document: Document | None


@dataclass(frozen=True, slots=True)
class Certificate:
    id: str
    issued: dt.date
    ocpp_version: str
    profiles: tuple[str, ...]
    vendor_name: str
    vendor_country: str
    vendor_website: str | None
    device_name: str
    device_type: str
    models: tuple[str, ...]
    #: None only for a certificate from the OCA's listing that publishes none
    software_version: str | None
    hardware: Hardware | None
    features: tuple[str, ...]
    security_profiles: tuple[int, ...]
    #: the test's details; None for a certificate from the OCA's listing (they are in its document)
    laboratory: str | None
    test_date: dt.date | None
    test_tool: str | None
    reports: tuple[str, ...]
    results: Results | None
    performance: tuple[tuple[str, str], ...]
    statement: str | None
    white_label_of: str | None
    #: the edition of the procedure the record names ("": the version's first; Program.rules_of)
    edition: str = ""
    #: the OCA's short notation of its profiles: "Core + S + C"
    certificate_type: str = ""
    #: "directory" (a full record) or "oca-listing" (only what the OCA's listing publishes)
    source: str = "directory"
    document: Document | None = None
    revisions: tuple[Revision, ...] = ()
    #: where the record came from, for cross-record messages
    path: str = field(default="", compare=False)
    lines: dict[str, int] = field(compare=False, hash=False, default_factory=dict)

    @property
    def url(self) -> str:
        """Its page's address below the site's base, ``certificates/<id>/``: printed in its QR code, forever."""
        return addresses.certificate(self.id)

    @property
    def from_listing(self) -> bool:
        return self.source == "oca-listing"

    @property
    def country_name(self) -> str:
        return english_country_name(self.vendor_country)


@functools.lru_cache(maxsize=None)
def english_country_name(code: str) -> str:
    """The English name of an ISO 3166-1 country code (its common name where it has one)."""
    country = pycountry.countries.get(alpha_2=code)
    return getattr(country, "common_name", None) or country.name
