"""Is this charger certified? The fleet check's rules, the same on the command line (``check``) and in the
browser (``theme/static/js/check.js``, tested against these).

A charger tells its CSMS who it is in the OCPP BootNotification: vendor, model, firmware version. A row of
a fleet file is one charger; its verdict:

- **certified**: its vendor and model are a certified device's, and a certificate of that device covers
  exactly its firmware version (section 9: a certificate covers one software version; "4.10.0-b12" and
  "v4.10.0" are not "4.10.0", and are reported as near misses);
- **not-certified**: the device is known, but no certificate covers that version (the device's certified
  versions are listed, nearest first);
- **unknown-device**: no certified device has that vendor and model (the closest known name is given).

Matching. A vendor is found by any name it goes by (the records' spellings, and ``vendors.yaml``'s
canonical name, aliases and former names) compared without case, accents, spaces and punctuation
(:func:`name_key`); failing that, without the legal form too ("GmbH", "Co., Ltd.", "주식회사":
:func:`loose_key`), but only when exactly one vendor has that key. A model is found among the device's
``models`` and its name, compared the same way. The firmware is compared exactly, spaces around it aside.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from dataclasses import dataclass, field

from .text import fold

#: the words of a company's legal form, dropped by :func:`loose_key` (after folding)
LEGAL_FORMS = frozenset("""
ab ag as asa aps bv b v co company corp corporation gmbh inc incorporated kg kk k k limited llc ltd nv n v oy oyj
plc pte pty sa sarl sas sl s l spa srl sp z o o zoo 주식회사 유한회사 주 株式会社 有限会社
""".split())
_WORD = re.compile(r"[^\W_]+")

#: the header names a fleet file's columns may have: ours, and OCPP's BootNotification fields (1.6 and 2.x)
COLUMNS = {
    "vendor": ("vendor", "chargepointvendor", "vendorname", "chargingstation.vendorname"),
    "model": ("model", "chargepointmodel", "chargingstation.model"),
    "firmware": ("firmware", "firmwareversion", "chargingstation.firmwareversion", "software_version"),
    "ocpp_version": ("ocpp_version", "ocppversion", "ocpp"),
}
MAX_ROWS = 50_000
MAX_BYTES = 20 * 1024 * 1024
VERDICTS = ("certified", "not-certified", "unknown-device")


def name_key(text: str) -> str:
    """A name without case, accents, spaces and punctuation: "Voltaris Energy B.V." -> "voltarisenergybv"."""
    return "".join(_WORD.findall(fold(text or "")))


def loose_key(text: str) -> str:
    """:func:`name_key` without the words of a legal form: "Hanbit Charging Co., Ltd." -> "hanbitcharging"."""
    words = _WORD.findall(fold(text or ""))
    kept = [w for w in words if w not in LEGAL_FORMS]
    return "".join(kept or words)


class FleetError(ValueError):
    """A fleet file that cannot be read: the message names the line."""


@dataclass
class Fleet:
    header: list[str]
    rows: list[list[str]]
    #: our column name -> its index in the file
    columns: dict[str, int] = field(default_factory=dict)

    def value(self, row: list[str], name: str) -> str:
        at = self.columns.get(name)
        return row[at].strip() if at is not None and at < len(row) else ""


def read_fleet(data: bytes, shown: str = "fleet file") -> Fleet:
    """A fleet CSV (UTF-8; comma, semicolon or tab; a header row naming at least vendor, model and firmware)."""
    if len(data) > MAX_BYTES:
        raise FleetError(f"{shown}: {len(data):,} bytes; a fleet file is at most {MAX_BYTES // 1024 // 1024} MB "
                         f"({MAX_ROWS:,} chargers): split it")
    if b"\0" in data[:8192]:
        raise FleetError(f"{shown}: line 1: this is not a text file (it holds NUL bytes): save the fleet as CSV")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise FleetError(f"{shown}: line {line}: not UTF-8 text; save the fleet as CSV in UTF-8") from None
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise FleetError(f"{shown}: line 1: empty; the first line names the columns: vendor,model,firmware")
    first = lines[0]
    delimiter = max(",;\t", key=first.count) if any(d in first for d in ",;\t") else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    header = [h.strip() for h in rows[0]]
    found = {}
    for name, names in COLUMNS.items():
        for i, h in enumerate(header):
            if h.lower().replace(" ", "").replace("_", "") in {n.replace("_", "") for n in names}:
                found.setdefault(name, i)
    missing = [n for n in ("vendor", "model", "firmware") if n not in found]
    if missing:
        raise FleetError(f"{shown}: line 1: no {', '.join(missing)} column; the first line names the columns "
                         f"(vendor,model,firmware, or OCPP's chargePointVendor,chargePointModel,firmwareVersion), "
                         f"separated by commas, semicolons or tabs; it reads {first[:80]!r}")
    body = [r for r in rows[1:] if any(c.strip() for c in r)]
    if len(body) > MAX_ROWS:
        raise FleetError(f"{shown}: line {MAX_ROWS + 2}: more than {MAX_ROWS:,} chargers; split the file")
    return Fleet(header, body, found)


@dataclass
class Verdict:
    verdict: str
    certificate: str = ""
    certified_versions: str = ""
    note: str = ""


def check_row(vendor: str, model: str, firmware: str, ocpp: str, lookup: dict, shard) -> Verdict:
    """The verdict of one charger. ``lookup`` is ``check/vendors.json``; ``shard(vendor_id)`` gives the vendor's
    entry of its file, ``check/v/<n>.json`` (outputs/check.py)."""
    vid = lookup["names"].get(name_key(vendor)) or lookup["loose"].get(loose_key(vendor))
    if not vid:
        near = _closest(lookup, loose_key(vendor))
        return Verdict("unknown-device", note=f"no certified vendor is called {vendor!r}" + (
            f"; the closest is {lookup['vendors'][lookup['loose'][near[0]]]!r}" if near and lookup["loose"][near[0]]
            else ""))
    data = shard(vid)
    key = name_key(model)
    devices = [d for d in data["devices"] if key and key in d["keys"]]
    if not devices:
        keys = {k: d for d in data["devices"] for k in d["keys"]}
        near = difflib.get_close_matches(key, list(keys), n=1, cutoff=0.6)
        return Verdict("unknown-device", note=f"{data['name']} has no certified device with the model {model!r}" + (
            f"; the closest is {keys[near[0]]['name']!r}" if near else ""))
    wanted, fw = _ocpp(ocpp), firmware.strip()
    certs = [c for d in devices for c in d["certificates"] if not wanted or c["ocpp"] == wanted]
    exact = [c["id"] for c in certs if c["version"] is not None and c["version"] == fw]
    if exact:
        return Verdict("certified", " ".join(sorted(exact)))
    versions = _nearest(fw, {c["version"] for c in certs if c["version"] is not None})  # the misses only
    note = ""
    if not fw:
        note = "no firmware version given"
    elif (near := _near_miss(fw, versions)) is not None:
        note = f"{fw!r} is not {near!r}: a certificate covers exactly its version"
    elif not certs:
        note = f"no certificate of OCPP {wanted}" if wanted else "no certificate"
    elif not versions:
        note = "its certificates come from the OCA's listing, which states no software version: see their documents"
    return Verdict("not-certified", certified_versions=" ".join(versions), note=note)


def _closest(lookup: dict, key: str) -> list[str]:
    """The known vendor key nearest ``key``, if any (difflib), once a key: a fleet names its unknown vendors
    on many rows."""
    memo = lookup.setdefault("_closest", {})
    if key not in memo:
        memo[key] = difflib.get_close_matches(key, list(lookup["loose"]), n=1, cutoff=0.75)
    return memo[key]


def _ocpp(text: str) -> str:
    """An OCPP version as records write it, from "1.6", "OCPP1.6J", "ocpp2.0.1" or ""."""
    m = re.search(r"(\d+(?:\.\d+)+)", text or "")
    return m.group(1) if m else ""


def _bare(firmware: str) -> str:
    """A firmware version without a "v" before it or a build after it: "v4.10.0-b12" -> "4.10.0"."""
    bare = re.sub(r"^(?:v|ver|version)[ .]?", "", firmware.strip().lower())
    return re.split(r"[-+_ ]", bare, maxsplit=1)[0]


def _near_miss(firmware: str, versions: list[str]) -> str | None:
    """The certified version ``firmware`` nearly is ("v4.10.0", "4.10.0-b12", "4.10.0 build 7"), or None."""
    bare = _bare(firmware)
    return next((v for v in versions if v.lower() == bare), None)


def _nearest(firmware: str, versions: set[str]) -> list[str]:
    """Certified versions, the nearest to ``firmware`` first: the longest shared start, then the newest-looking."""
    def numbers(v: str) -> tuple:
        return tuple(int(n) for n in re.findall(r"\d+", v))

    bare = _bare(firmware)

    def shared(v: str) -> int:
        n = 0
        for a, b in zip(v.lower(), bare):
            if a != b:
                break
            n += 1
        return n

    return sorted(versions, key=lambda v: (-shared(v), tuple(-n for n in numbers(v)), v))
