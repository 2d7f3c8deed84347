"""A certificate as the directory holds it: the checked values of one record."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field

import pycountry


@dataclass(frozen=True, slots=True)
class Hardware:
    evse: str
    connection: tuple[str, ...]
    rfid: str
    communication: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Results:
    passed: int
    failed: int
    not_applicable: int


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
    software_version: str
    hardware: Hardware | None
    features: tuple[str, ...]
    security_profiles: tuple[int, ...]
    laboratory: str
    test_date: dt.date
    test_tool: str
    reports: tuple[str, ...]
    results: Results
    performance: tuple[tuple[str, str], ...]
    statement: str | None
    white_label_of: str | None
    #: where the record came from, for cross-record messages
    path: str = field(compare=False)
    lines: dict[str, int] = field(compare=False, hash=False, default_factory=dict)

    @property
    def country_name(self) -> str:
        return _country_name(self.vendor_country)


@functools.lru_cache(maxsize=None)
def _country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    return getattr(country, "common_name", None) or country.name
