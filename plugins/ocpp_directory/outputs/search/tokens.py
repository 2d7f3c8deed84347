"""Search tokens, made the same way here and in the browser (``search-worker.js``).

Tokens are made here, with no stemmer: the browser makes query tokens with the
same rules (``search-worker.js``, functions ``fold`` and ``tokens``); the two are
tested against each other.

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

import functools
import re
from collections.abc import Iterable

from ...model.directory import Directory
from ...model.text import fold
from ...model.records import Certificate

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


def tokens(text: str) -> list[str]:
    """Index tokens for ``text``: whole tokens, their parts, compact forms, Hangul suffixes."""
    return list(_tokens(text))


@functools.lru_cache(maxsize=65536)
def _tokens(text: str) -> tuple[str, ...]:
    # Vendor, device, profile and laboratory names repeat across certificates: made once each.
    out: list[str] = []
    for token in _TOKEN.findall(fold(text)):
        out.append(token)
        if _CONNECTOR.search(token):
            out.extend(_CONNECTOR.split(token))
            out.append(_CONNECTOR.sub("", token))
        if _HANGUL.search(token):
            out.extend(token[i:] for i in range(1, len(token) - 1))
    return tuple(dict.fromkeys(out))


def _all_tokens(values: Iterable[str]) -> list[str]:
    result: list[str] = []
    for value in values:
        result.extend(_tokens(value))
    return result



def documents(directory: Directory) -> list[Certificate]:
    """The certificates in the order of their numbers in the index: oldest first.

    A new certificate is usually the newest, so it gets the next number and the numbers, and with
    them the shards, of all others stay as they were.
    """
    return sorted(directory.certificates, key=lambda c: (c.issued, c.id))


#: the words the site calls each device type by (English; the program file's translations add the others)
DEVICE_WORDS = {"charging-station": ("Charging station", "Charging stations"),
                "csms": ("CSMS", "Charging station management systems (CSMS)")}


def field_tokens(cert: Certificate, program, vendor_names: tuple[str, ...] = ()) -> list[list[str]]:
    """The tokens of each of :data:`FIELDS` for one certificate; ``vendor_names`` are the other names
    of its vendor (``vendors.yaml``: the canonical name, aliases, former names, Latin names)."""
    version = program.rules_of(cert)
    titles = [version.profiles[p].title for p in cert.profiles]
    return [
        _tokens(cert.id),
        _all_tokens(cert.models),
        _tokens(cert.vendor_name) if not vendor_names else _all_tokens([cert.vendor_name, *vendor_names]),
        _tokens(cert.device_name),
        _tokens(cert.software_version or ""),
        # the OCA's short notation too: "Core + S + C" as its words, and written together ("core+s+c"); the
        # titles and the device type in every language of the site ("스마트 충전", "충전소 관리 시스템")
        _all_tokens([*cert.profiles, *titles, *_notation(cert, version),
                     *_translated([*titles, *DEVICE_WORDS.get(cert.device_type, ())], program)]),
        _all_tokens(_feature_words(cert, version)),
        _all_tokens([cert.laboratory, program.laboratories[cert.laboratory].name] if cert.laboratory else []),
        _all_tokens([cert.vendor_country, cert.country_name]),
    ]


def _translated(words: list[str], program) -> list[str]:
    """``words`` and their translations in the program file (``translations:``), every language."""
    out = list(words)
    for table in program.translations.values():
        out.extend(table[w] for w in words if w in table)
    return out


def _feature_words(cert: Certificate, version) -> list[str]:
    """Each feature's id, its name as the program writes it (Part 5's, with its configuration variable)
    and the other words it is searched by ("signed meter values" for "Signed Metervalues")."""
    words = list(cert.features)
    for fid in cert.features:
        feature = version.feature(fid, cert.device_type)
        if feature is None:
            words.append(version.feature_title(fid))
        else:
            words.extend((feature.title, *feature.terms))
    return words


def _notation(cert: Certificate, version) -> list[str]:
    """The certificate type in the OCA's notation, as words and written together, unless it adds
    nothing to the profiles' titles (a first-edition 1.6 certificate's "Full" is in "full")."""
    shorts = [version.profiles[p].short for p in version.profiles if p in cert.profiles and version.profiles[p].short]
    if not shorts or all(short.lower() in cert.profiles for short in shorts):
        return []
    return [*shorts, "+".join(shorts)]
