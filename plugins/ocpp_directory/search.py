"""The search index (lunr, built here, loaded by lunr.js) and the facet store.

Tokens are made here, not by lunr: lunr.py takes a list of strings as tokens
as they are, and the index has an empty pipeline, so no stemmer ever sees a
model number or a version. The browser makes query tokens with the same rules
(``theme/static/js/search-worker.js``, function ``fold`` and ``tokens``); the
two are tested against each other.

- fold: NFD, drop combining marks, NFC, lower case, and the few Latin letters
  that NFD does not split (ł, ø, ß...). "Énergie" and "energie" meet; Hangul
  syllables survive (NFC recomposes them).
- a token is a run of letters and digits, joined by - . _ / + inside it:
  "VD22-S", "4.10.0", "OCA-16-2024-0042" stay whole; their parts ("vd22", "10")
  and their compact form ("vd22s") are indexed too.
- Hangul tokens also index their suffixes, so a word inside a Korean compound
  ("충전" in "한빛충전") is found by a prefix search.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable

from lunr.builder import Builder

from .directory import Directory
from .records import Certificate
from .text import json_bytes

#: must equal the version of theme/static/vendor/lunr/lunr.min.js
LUNR_JS_VERSION = "2.3.9"
STORE_FORMAT = 1

_SPECIAL = str.maketrans({"ł": "l", "đ": "d", "ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "ı": "i",
                          "þ": "th", "ð": "d", "ħ": "h", "ŧ": "t"})
_TOKEN = re.compile(r"[^\W_]+(?:[-._/+][^\W_]+)*")
_CONNECTOR = re.compile(r"[-._/+]")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")

#: (field, boost): an exact id or model number outranks a vendor name that contains it
FIELDS = (
    ("id", 12),
    ("models", 8),
    ("vendor", 5),
    ("device", 5),
    ("software_version", 4),
    ("profiles", 1),
    ("features", 1),
    ("laboratory", 1),
    ("country", 1),
)


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.category(c).startswith("M"))
    return unicodedata.normalize("NFC", stripped).lower().translate(_SPECIAL)


def tokens(text: str) -> list[str]:
    """Index tokens for ``text``: whole tokens, their parts, compact forms, Hangul suffixes."""
    out: list[str] = []
    for token in _TOKEN.findall(fold(text)):
        out.append(token)
        if _CONNECTOR.search(token):
            out.extend(_CONNECTOR.split(token))
            out.append(_CONNECTOR.sub("", token))
        if _HANGUL.search(token):
            out.extend(token[i:] for i in range(1, len(token) - 1))
    seen: set[str] = set()
    return [t for t in out if not (t in seen or seen.add(t))]


def _all_tokens(values: Iterable[str]) -> list[str]:
    result: list[str] = []
    for value in values:
        result.extend(tokens(value))
    return result


class Facets:
    """Facet values for each certificate, dictionary-encoded for a small store."""

    #: key, label, shown in the URL as ?key=value
    KEYS = (
        ("ocpp", "OCPP version"),
        ("type", "Device type"),
        ("profile", "Certification profile"),
        ("lab", "Test laboratory"),
        ("feature", "Optional features"),
        ("evse", "EVSE"),
        ("connection", "Connection"),
        ("rfid", "RFID readers"),
        ("comm", "Communication"),
        ("country", "Vendor country"),
        ("year", "Year issued"),
    )

    def __init__(self, directory: Directory, hardware_words: dict[str, str]):
        self.directory = directory
        self.words = hardware_words
        self.values: dict[str, dict[str, str]] = {key: {} for key, _ in self.KEYS}

    def of(self, cert: Certificate) -> dict[str, list[tuple[str, str]]]:
        """(value, label) pairs of each facet for one certificate."""
        program = self.directory.program
        version = program.versions[cert.ocpp_version]
        hw = cert.hardware
        return {
            "ocpp": [(cert.ocpp_version, version.title)],
            "type": [(cert.device_type, program.device_types[cert.device_type].title)],
            "profile": [(f"{cert.ocpp_version}:{p}", version.profiles[p].title) for p in cert.profiles],
            "lab": [(cert.laboratory, program.laboratories[cert.laboratory].name)],
            "feature": [(f"{cert.ocpp_version}:{f}", f"{version.feature_title(f)} ({version.title})")
                        for f in cert.features],
            "evse": [(hw.evse, self.words[hw.evse])] if hw else [],
            "connection": [(c, self.words[c]) for c in hw.connection] if hw else [],
            "rfid": [(hw.rfid, self.words[hw.rfid])] if hw else [],
            "comm": [(c, self.words[c]) for c in hw.communication] if hw else [],
            "country": [(cert.vendor_country, cert.country_name)],
            "year": [(str(cert.issued.year), str(cert.issued.year))],
        }


def _order(key: str, values: dict[str, str], program) -> list[str]:
    """The order a facet lists its values in: the program's order, else by label."""
    if key == "year":
        return sorted(values, reverse=True)
    if key in ("ocpp",):
        return [v for v in program.versions if v in values]
    if key in ("profile", "feature"):
        order = []
        for version in program.versions.values():
            names = version.profiles if key == "profile" else (version.known_features or {})
            order += [f"{version.key}:{n}" for n in names if f"{version.key}:{n}" in values]
            order += sorted(v for v in values if v.startswith(version.key + ":") and v not in order)
        return order
    return sorted(values, key=lambda v: (values[v].casefold(), v))


def build(directory: Directory, hardware_words: dict[str, str]) -> tuple[bytes, bytes]:
    """The serialized lunr index and the facet/result store, as deterministic JSON bytes."""
    program = directory.program
    builder = Builder()  # empty pipelines: tokens are made by ``tokens`` above
    builder.ref("ref")
    for name, boost in FIELDS:
        builder.field(name, boost=boost)
    facets = Facets(directory, hardware_words)
    per_cert = []
    for cert in sorted(directory.certificates, key=lambda c: c.id):
        version = program.versions[cert.ocpp_version]
        builder.add({
            "ref": cert.id,
            "id": tokens(cert.id),
            "models": _all_tokens(cert.models),
            "vendor": tokens(cert.vendor_name),
            "device": tokens(cert.device_name),
            "software_version": tokens(cert.software_version),
            "profiles": _all_tokens([*cert.profiles, *(version.profiles[p].title for p in cert.profiles)]),
            "features": _all_tokens([*cert.features, *(version.feature_title(f) for f in cert.features)]),
            "laboratory": _all_tokens([cert.laboratory, program.laboratories[cert.laboratory].name]),
            "country": _all_tokens([cert.vendor_country, cert.country_name]),
        })
        values = facets.of(cert)
        for key, pairs in values.items():
            facets.values[key].update(pairs)
        per_cert.append((cert, values))
    index = builder.build().serialize()

    orders = {key: _order(key, facets.values[key], program) for key, _ in Facets.KEYS}
    position = {key: {v: i for i, v in enumerate(order)} for key, order in orders.items()}
    device_of = directory.device_of
    store = {
        "format": STORE_FORMAT,
        "facets": [
            {"key": key, "label": label, "values": [[v, facets.values[key][v]] for v in orders[key]]}
            for key, label in Facets.KEYS
        ],
        # Newest first: the order of results when no text is typed.
        "docs": [
            [
                cert.id,
                cert.vendor_name,
                cert.device_name,
                cert.software_version,
                cert.issued.isoformat(),
                device_of[cert.id].url,
                [sorted(position[key][v] for v, _ in values[key]) for key, _ in Facets.KEYS],
            ]
            for cert, values in sorted(per_cert, key=lambda cv: (-cv[0].issued.toordinal(), cv[0].id))
        ],
    }
    return json_bytes(index), json_bytes(store)


def facet_values(store: bytes) -> list[dict]:
    """The facets of a store, for the search page's server-rendered filters."""
    return json.loads(store)["facets"]
