"""The search index, sharded by term prefix, and the facet store.

A browser fetches ``search/meta.json`` (the tree of shards, the facets of every
certificate, the figures for scoring), then for each word typed the one shard
that holds what the word may stand for, then one small fragment per result it
shows. A change to one record rewrites its fragment, the meta file and the shards
of its terms, not the index (see :func:`_split`). Scores are lunr's BM25 (k1, b,
idf and the rounding of ``lunr.Builder``), computed by the worker
(``theme/static/js/search-worker.js``) from the counts stored here; a test checks
them against lunr.py's builder.

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
import hashlib
import heapq
import json
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from itertools import repeat
from dataclasses import dataclass

from .cache import NO_MEMO, Memo
from .directory import Directory
from .records import Certificate
from .text import json_bytes

STORE_FORMAT = 2
#: lunr's BM25 constants (lunr.Builder's k1 and b): the worker scores with lunr's formula
K1, B = 1.2, 0.75
#: a shard holding more than about this many bytes of postings is split by the next character
SHARD_BYTES = 16_000
#: how many terms a typed prefix stands for at most (the worker's MAX_EXPANSIONS)
TOP_TERMS = 64
#: tree nodes are named by prefixes of at most this many characters (file names stay short)
MAX_PREFIX = 24

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
    if text.isascii():  # the common case, and nothing below changes ASCII but the case
        return text.lower()
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.category(c).startswith("M"))
    return unicodedata.normalize("NFC", stripped).lower().translate(_SPECIAL)


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


def documents(directory: Directory) -> list[Certificate]:
    """The certificates in the order of their numbers in the index: oldest first.

    A new certificate is usually the newest, so it gets the next number and the numbers, and with
    them the shards, of all others stay as they were.
    """
    return sorted(directory.certificates, key=lambda c: (c.issued, c.id))


def field_tokens(cert: Certificate, program) -> list[list[str]]:
    """The tokens of each of :data:`FIELDS` for one certificate."""
    version = program.versions[cert.ocpp_version]
    return [
        _tokens(cert.id),
        _all_tokens(cert.models),
        _tokens(cert.vendor_name),
        _tokens(cert.device_name),
        _tokens(cert.software_version),
        _all_tokens([*cert.profiles, *(version.profiles[p].title for p in cert.profiles)]),
        _all_tokens([*cert.features, *(version.feature_title(f) for f in cert.features)]),
        _all_tokens([cert.laboratory, program.laboratories[cert.laboratory].name]),
        _all_tokens([cert.vendor_country, cert.country_name]),
    ]


@dataclass(frozen=True)
class SearchFiles:
    """What the search page fetches: the meta file, term shards and one fragment per document."""

    meta: bytes
    #: the prefix of a node of the shard tree -> its file's bytes (written as search/<shard_name(prefix)>)
    shards: dict[str, bytes]
    #: the fragment of each document number: id, vendor, device, software version, issued, device URL
    fragments: list[bytes]
    #: the facets and their values, for the page's server-rendered filters
    facets: list[dict]
    #: changes whenever any file changes: the page asks for search/meta.json?v=<version>
    version: str


def shard_name(prefix: str) -> str:
    """The file of the tree node for ``prefix``: its UTF-8 bytes in hex (the worker's shardName)."""
    return f"t/x{prefix.encode('utf-8').hex()}.json"


def build(directory: Directory, hardware_words: dict[str, str], memo: Memo = NO_MEMO) -> SearchFiles:
    """The sharded index, the documents' fragments and the facet store, as deterministic bytes.

    A certificate's fragment is taken from ``memo`` when it kept it. (Its terms and facet values
    are not: kept, they cost more memory than the 0.3 s at 10,000 certificates they save.)"""
    program = directory.program
    certs = documents(directory)
    postings: dict[str, dict[int, list[int]]] = {}  # term -> field -> [doc, tf, field length, doc, ...]
    totals = [0] * len(FIELDS)
    facets = Facets(directory, hardware_words)
    per_cert = []
    for number, cert in enumerate(certs):
        for f, words in enumerate(field_tokens(cert, program)):
            length = len(words)
            totals[f] += length
            # A tuple is one value's tokens, each once (_tokens); a list joins several values' tokens.
            for word, tf in (Counter(words).items() if type(words) is list else zip(words, repeat(1))):
                postings.setdefault(word, {}).setdefault(f, []).extend((number, tf, length))
        values = facets.of(cert)
        for key, pairs in values.items():
            facets.values[key].update(pairs)
        per_cert.append(values)
    terms = sorted(postings)
    df, encoded = {}, {}
    for term in terms:
        df[term], encoded[term] = _entry(postings[term])
    internal: list[str] = []
    leaves: list[str] = []
    shards: dict[str, bytes] = {}
    _split(terms, 0, len(terms), "", _Sizes(terms, encoded), df, encoded, internal, leaves, shards)

    orders = {key: _order(key, facets.values[key], program) for key, _ in Facets.KEYS}
    facet_list = []
    for key, label in Facets.KEYS:
        position = {v: i for i, v in enumerate(orders[key])}
        column = [[position[pairs[0][0]]] if len(pairs) == 1 else sorted([position[v] for v, _ in pairs])
                  for pairs in (values[key] for values in per_cert)]
        facet_list.append({"key": key, "label": label,
                           "values": [[v, facets.values[key][v]] for v in orders[key]],
                           **_facet_column(column, len(position))})
    device_of = directory.device_of
    # A device's address depends on other records (a slug goes to the name seen first): part of the key.
    fragments = [memo(f"search-fragment {device_of[c.id].url}", c, lambda c=c: json_bytes([
        c.id, c.vendor_name, c.device_name, c.software_version, c.issued.isoformat(), device_of[c.id].url]))
        for c in certs]
    count = max(1, len(certs))
    meta = {
        "format": STORE_FORMAT,
        "documents": len(certs),
        "fields": [[name, boost] for name, boost in FIELDS],
        "average_lengths": [round(total / count, 6) for total in totals],
        "k1": K1,
        "b": B,
        "top_terms": TOP_TERMS,
        "internal": internal,
        "leaves": leaves,
        "facets": facet_list,
        # fragments are fetched as search/d/<number>.json?v=<this>
        "fragments": hashlib.sha256(b"\n".join(fragments)).hexdigest()[:12],
    }
    data = json_bytes(meta)
    version = hashlib.sha256(data + b"".join(hashlib.sha256(b).digest() for _, b in sorted(shards.items())))
    return SearchFiles(meta=data, shards=shards, fragments=fragments,
                       facets=[{k: f[k] for k in ("key", "label", "values")} for f in facet_list],
                       version=version.hexdigest()[:12])


#: 64 characters that need no escaping in JSON: a facet column's digits
DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_"


def _facet_column(column: list[list[int]], count: int) -> dict:
    """One facet's values for every document, as a string of base-64 digits.

    Each value is its position in the facet's list, in ``width`` digits. A facet of which a
    document holds at most one value ("one") stores that position plus one (0: none); otherwise
    ("many") a document's entry is how many values it holds, in one digit, then their positions."""
    one = all(len(v) <= 1 for v in column)
    width = 1
    while 64 ** width < count + 1:
        width += 1
    if not one and max(len(v) for v in column) >= 64:
        raise ValueError("a document holds 64 or more values of one facet")

    def digits(number: int) -> str:
        out = []
        for _ in range(width):
            number, digit = divmod(number, 64)
            out.append(DIGITS[digit])
        return "".join(reversed(out))

    spelled = [digits(n) for n in range(count + 1)]  # each position's digits, made once
    if one:
        text = "".join(spelled[v[0] + 1] if v else spelled[0] for v in column)
    else:
        text = "".join(DIGITS[len(v)] + "".join(spelled[p] for p in v) for v in column)
    return {"kind": "one" if one else "many", "width": width, "documents": text}


def _entry(fields: dict[int, list[int]]) -> tuple[int, bytes]:
    """A term's document count and its postings, in one list: the count, then per field holding
    the term the field, how many documents, their numbers as gaps, the term frequencies and the
    field lengths. The count is lunr's: documents per field, summed over fields (lunr.idf)."""
    out: list[int] = [0]
    for f in sorted(fields):
        flat = fields[f]
        numbers = flat[0::3]
        out[0] += len(numbers)
        out += [f, len(numbers), numbers[0], *(b - a for a, b in zip(numbers, numbers[1:])), *flat[1::3],
                *flat[2::3]]
    return out[0], ("[" + ",".join(map(str, out)) + "]").encode("ascii")


class _Sizes:
    """Prefix sums of the terms' serialized sizes: the size of any run of sorted terms at once."""

    def __init__(self, terms: list[str], encoded: dict[str, bytes]):
        self.sums = [0]
        for term in terms:
            self.sums.append(self.sums[-1] + len(encoded[term]) + len(term.encode("utf-8")) + 4)

    def of(self, lo: int, hi: int) -> int:
        return self.sums[hi] - self.sums[lo]


def _split(terms: list[str], lo: int, hi: int, prefix: str, sizes: _Sizes, df: dict[str, int],
           encoded: dict[str, bytes], internal: list[str], leaves: list[str], shards: dict[str, bytes]) -> None:
    """Shard the sorted ``terms[lo:hi]``, which all start with ``prefix``, into a tree of files.

    A small node, or one whose prefix is MAX_PREFIX long, is a leaf: one file with all its terms.
    A larger one is split by the next character into children, each named by the longest prefix
    its terms share (at most MAX_PREFIX characters). Its own file holds the term equal to its
    prefix, if there is one, and its TOP_TERMS most common terms: what a word typed this short
    stands for (the worker expands a prefix to at most that many terms). The root has no file:
    a typed word has at least one character.
    """
    leaf = sizes.of(lo, hi) <= SHARD_BYTES or hi - lo == 1 or len(prefix) >= MAX_PREFIX
    if leaf:
        leaves.append(prefix)
        chosen = terms[lo:hi]
    else:
        internal.append(prefix)
        top = heapq.nsmallest(TOP_TERMS, terms[lo:hi], key=lambda t: (-df[t], len(t), t))
        chosen = sorted(set(top) | ({prefix} if terms[lo] == prefix else set()))
    if leaf or prefix:
        shards[prefix] = b"{" + b",".join(json_bytes(t) + b":" + encoded[t] for t in chosen) + b"}"
    if leaf:
        return
    depth = len(prefix)
    start = lo + 1 if terms[lo] == prefix else lo
    while start < hi:
        char = terms[start][depth]
        end = start + 1
        while end < hi and terms[end][depth] == char:
            end += 1
        shared = os.path.commonprefix([terms[start], terms[end - 1]])[:MAX_PREFIX]
        _split(terms, start, end, shared, sizes, df, encoded, internal, leaves, shards)
        start = end
