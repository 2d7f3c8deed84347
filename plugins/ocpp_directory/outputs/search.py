"""The search index, sharded by term prefix, and the facet store.

A browser fetches ``search/meta.json`` (the tree of shards, the facets' values,
the figures for scoring), then for each word typed the one shard that holds what
the word may stand for, then one small fragment per result it shows. Which
certificate holds which facet value is in one file per facet (``search/f/<key>.json``):
a browser fetches those once it has shown the first results, to count them per
value, or before, for the facets a filter is chosen in. They were 57.6 KB of the
60.6 KB (gzip) of the meta file at 10,000 certificates, and 70 % of what was
fetched before the first result. A change to one record rewrites its fragment,
the meta file, the facets' files and the shards of its terms, not the index (see
:func:`_split`). Scores are lunr's BM25 (k1, b,
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
from itertools import accumulate, repeat
from dataclasses import dataclass

from .stores import Kept, Parts, make_every
from ..model.directory import Directory
from ..model.records import Certificate
from ..model.text import json_bytes

_json_string = json.encoder.encode_basestring  # what json.dumps(ensure_ascii=False) uses for a str

STORE_FORMAT = 4
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
        #: per facet (in KEYS order): value -> label
        self.labels: list[dict[str, str]] = [{} for _ in self.KEYS]
        self._prefixed: dict[tuple, tuple[str, ...]] = {}

    def of(self, cert: Certificate) -> tuple[tuple[str, ...], ...]:
        """The values of each facet (in KEYS order) for one certificate; their labels are noted."""
        hw = cert.hardware
        version = cert.ocpp_version
        values = (
            (version,),
            (cert.device_type,),
            self._prefix(version, cert.profiles),
            (cert.laboratory,),
            self._prefix(version, cert.features),
            (hw.evse,) if hw else (),
            tuple(hw.connection) if hw else (),
            (hw.rfid,) if hw else (),
            tuple(hw.communication) if hw else (),
            (cert.vendor_country,),
            (str(cert.issued.year),),
        )
        for facet, held in enumerate(values):
            labels = self.labels[facet]
            for value in held:
                if value not in labels:
                    labels[value] = self._label(facet, value, cert)
        return values

    def _prefix(self, version: str, names) -> tuple[str, ...]:
        """Profile or feature names as facet values: "<version>:<name>" (made once per list)."""
        key = (version, *names)
        found = self._prefixed.get(key)
        if found is None:
            found = self._prefixed[key] = tuple(f"{version}:{name}" for name in names)
        return found

    def _label(self, facet: int, value: str, cert: Certificate) -> str:
        program = self.directory.program
        key = self.KEYS[facet][0]
        if key == "ocpp":
            return program.versions[value].title
        if key == "type":
            return program.device_types[value].title
        if key in ("profile", "feature"):
            version = program.versions[cert.ocpp_version]
            name = value.split(":", 1)[1]
            if key == "profile":
                return version.profiles[name].title
            return f"{version.feature_title(name)} ({version.title})"
        if key == "lab":
            return program.laboratories[value].name
        if key == "country":
            return cert.country_name
        if key == "year":
            return value
        return self.words[value]


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
    #: the fragment of each document number: id, vendor, device, software version, issued, device URL,
    #: profiles (their facet values)
    fragments: list[bytes]
    #: the facets and their values, for the page's server-rendered filters
    facets: list[dict]
    #: a facet's key -> its file (written as search/f/<key>.json): the values of every document
    columns: dict[str, bytes]
    #: changes whenever any file changes: the page asks for search/meta.json?v=<version>
    version: str


def shard_name(prefix: str) -> str:
    """The file of the tree node for ``prefix``: its UTF-8 bytes in hex (the worker's shardName)."""
    return f"t/x{prefix.encode('utf-8').hex()}.json"


def build(directory: Directory, hardware_words: dict[str, str], memo: Parts = make_every,
          kept: KeptIndex | None = None) -> SearchFiles:
    """The sharded index, the documents' fragments and the facet store, as deterministic bytes.

    A certificate's fragment is taken from ``memo`` when it kept it. With ``kept``, the last
    build's postings are updated for the records that changed rather than computed from every
    record (the same bytes; :class:`KeptIndex`)."""
    program = directory.program
    certs = documents(directory)
    index = kept.index(certs, directory) if kept is not None else _index(certs, program)
    terms = sorted(index.encoded)
    internal: list[str] = []
    leaves: list[str] = []
    shards: dict[str, bytes] = {}
    _split(terms, 0, len(terms), "", _Sizes(terms, index.encoded), index.df, index.encoded, internal, leaves,
           shards)

    facets = Facets(directory, hardware_words)
    per_cert = [facets.of(cert) for cert in certs]
    totals = index.totals
    facet_list = []
    columns: dict[str, bytes] = {}
    for facet, (key, label) in enumerate(Facets.KEYS):
        labels = facets.labels[facet]
        order = _order(key, labels, program)
        facet_list.append({"key": key, "label": label, "values": [[v, labels[v]] for v in order]})
        columns[key] = json_bytes(_facet_column([values[facet] for values in per_cert],
                                                {v: i for i, v in enumerate(order)}))
    device_of = directory.device_of
    profiles = [f for f, (key, _) in enumerate(Facets.KEYS) if key == "profile"][0]
    # A device's address depends on other records (a slug goes to the name seen first): part of the key.
    # The profiles are shown with each result, before the facets' files are fetched.
    fragments = [memo(f"search-fragment {device_of[c.id].url}", c, lambda c=c, held=held: json_bytes([
        c.id, c.vendor_name, c.device_name, c.software_version, c.issued.isoformat(), device_of[c.id].url,
        list(held[profiles])])) for c, held in zip(certs, per_cert)]
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
    version = hashlib.sha256(data + b"".join(hashlib.sha256(b).digest() for _, b in sorted(shards.items()))
                             + b"".join(hashlib.sha256(b).digest() for _, b in sorted(columns.items())))
    return SearchFiles(meta=data, shards=shards, fragments=fragments, facets=facet_list, columns=columns,
                       version=version.hexdigest()[:12])


#: 64 characters that need no escaping in JSON: a facet column's digits
DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_"


def _facet_column(column: list[tuple[str, ...]], position: dict[str, int]) -> dict:
    """One facet's values for every document, as a string of base-64 digits.

    Each value is its position in the facet's list, in ``width`` digits. A facet of which a
    document holds at most one value ("one") stores that position plus one (0: none); otherwise
    ("many") a document's entry is how many values it holds, in one digit, then their positions
    in order. Documents share few distinct sets of values: each set is spelled once."""
    distinct = set(column)
    one = all(len(v) <= 1 for v in distinct)
    width = 1
    while 64 ** width < len(position) + 1:
        width += 1
    if not one and max(len(v) for v in distinct) >= 64:
        raise ValueError("a document holds 64 or more values of one facet")

    def digits(number: int) -> str:
        out = []
        for _ in range(width):
            number, digit = divmod(number, 64)
            out.append(DIGITS[digit])
        return "".join(reversed(out))

    spelled: dict[tuple[str, ...], str] = {}
    for values in distinct:
        positions = sorted(position[v] for v in values)
        if one:
            spelled[values] = digits(positions[0] + 1 if positions else 0)
        else:
            spelled[values] = DIGITS[len(positions)] + "".join(digits(p) for p in positions)
    return {"kind": "one" if one else "many", "width": width, "documents": "".join(map(spelled.__getitem__, column))}


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


#: how :class:`KeptIndex` pickles an index (a new code or program file starts it afresh anyway)
INDEX_FORMAT = "index-1"
#: a document's tokens as one string (tokens never hold control characters: they are letters,
#: digits and connectors): fields joined by the first, each field's tokens by the second
_FIELDS_SEP, _WORDS_SEP = "\x1e", "\x1f"


@dataclass
class _Index:
    """The postings of every term, with what it takes to update them for a changed document."""

    #: each document number's record key (``Directory.digests``): a different key, a changed document
    keys: list[str]
    #: each document number's tokens per field, as one string (10,000 strings, not 260,000 lists)
    words: list[str]
    #: term -> its document count and encoded postings (:func:`_entry`)
    df: dict[str, int]
    encoded: dict[str, bytes]
    #: the tokens of each field, summed over documents (for the average field lengths)
    totals: list[int]


def _words(fields: list) -> str:
    return _FIELDS_SEP.join(_WORDS_SEP.join(words) for words in fields)


def _index(certs: list[Certificate], program, keys: list[str] | None = None) -> _Index:
    """The postings computed from every document."""
    postings: dict[str, dict[int, list[int]]] = {}  # term -> field -> [doc, tf, field length, doc, ...]
    totals = [0] * len(FIELDS)
    words_of = []
    for number, cert in enumerate(certs):
        fields = field_tokens(cert, program)
        words_of.append(_words(fields))
        for f, words in enumerate(fields):
            length = len(words)
            totals[f] += length
            # A tuple is one value's tokens, each once (_tokens); a list joins several values' tokens.
            for word, tf in (Counter(words).items() if type(words) is list else zip(words, repeat(1))):
                postings.setdefault(word, {}).setdefault(f, []).extend((number, tf, length))
    df, encoded = {}, {}
    for term, fields in postings.items():
        df[term], encoded[term] = _entry(fields)
    return _Index(keys or [], words_of, df, encoded, totals)


def _counts(words: str | None) -> tuple[dict[str, dict[int, tuple[int, int]]], list[int]]:
    """From a document's :func:`_words` string (None: no document): term -> field -> (term
    frequency, field length), and each field's length."""
    out: dict[str, dict[int, tuple[int, int]]] = {}
    lengths = [0] * len(FIELDS)
    for f, field in enumerate(words.split(_FIELDS_SEP) if words is not None else []):
        tokens_ = field.split(_WORDS_SEP) if field else []
        lengths[f] = len(tokens_)
        for word, tf in Counter(tokens_).items():
            out.setdefault(word, {})[f] = (tf, len(tokens_))
    return out, lengths


def _decode(entry: bytes) -> dict[int, dict[int, tuple[int, int]]]:
    """field -> document -> (term frequency, field length), from :func:`_entry`'s bytes."""
    ints = json.loads(entry)
    fields: dict[int, dict[int, tuple[int, int]]] = {}
    i = 1
    while i < len(ints):
        f, count = ints[i], ints[i + 1]
        numbers = list(accumulate(ints[i + 2:i + 2 + count]))
        tfs = ints[i + 2 + count:i + 2 + 2 * count]
        lengths = ints[i + 2 + 2 * count:i + 2 + 3 * count]
        fields[f] = dict(zip(numbers, zip(tfs, lengths)))
        i += 2 + 3 * count
    return fields


class KeptIndex:
    """The last build's postings, kept so that a change to a few records updates them.

    Computing the index from every record takes 1.2 s at 10,000 certificates. Documents are
    numbered oldest first, so an edited record keeps its number and a new one usually takes the
    next: the kept postings of the changed documents' old and new terms are decoded, the changed
    documents taken out and put back in, and the terms encoded again. A document whose number
    now holds another record (an issue date changed, a record was added in the past) counts as
    changed; when more than a quarter of them changed, the index is computed afresh. The result
    is the same bytes either way (tested). The file is a pickle this package writes into its own
    cache folder; ``salt`` holds what tokens depend on besides the records (code, program file).
    """

    def __init__(self, store: Kept):
        self.store = store
        #: documents whose postings were updated; None: the index was computed from every record
        self.updated: int | None = None

    def _load(self) -> _Index | None:
        index = self.store.load()
        return index if isinstance(index, _Index) else None

    def index(self, certs: list[Certificate], directory: Directory) -> _Index:
        """The index of ``certs`` (in document order), updated from the kept one where it can be."""
        keys = [directory.digests.get(c.id) or "" for c in certs]
        index = self._load()
        changed = [] if index is None else [
            n for n in range(max(len(keys), len(index.keys)))
            if n >= len(keys) or n >= len(index.keys) or not keys[n] or keys[n] != index.keys[n]]
        if index is None or len(changed) > max(1, len(certs) // 4):
            index, self.updated = _index(certs, directory.program, keys), None
        elif changed:
            _update(index, certs, directory.program, keys, changed)
            self.updated = len(changed)
        else:
            self.updated = 0
            return index
        self.store.save(index)
        return index


def _update(index: _Index, certs: list[Certificate], program, keys: list[str], changed: list[int]) -> None:
    """Take the ``changed`` documents' old postings out of ``index`` and put their new ones in."""
    touched: dict[str, dict[int, dict[int, tuple[int, int]]]] = {}  # term -> doc -> its new fields
    new_words: dict[int, str] = {}
    for n in changed:
        old = index.words[n] if n < len(index.words) else None
        new = new_words[n] = _words(field_tokens(certs[n], program)) if n < len(certs) else None
        if old == new:
            continue
        (before, old_lengths), (after, new_lengths) = _counts(old), _counts(new)
        index.totals = [t - o + w for t, o, w in zip(index.totals, old_lengths, new_lengths)]
        for term in before.keys() | after.keys():
            if before.get(term) != after.get(term):
                touched.setdefault(term, {})[n] = after.get(term, {})
    for term, docs in touched.items():
        fields = _decode(index.encoded[term]) if term in index.encoded else {}
        for n, new_fields in docs.items():
            for held in fields.values():
                held.pop(n, None)
            for f, counts in new_fields.items():
                fields.setdefault(f, {})[n] = counts
        flat = {f: [x for n in sorted(held) for x in (n, *held[n])] for f, held in fields.items() if held}
        if flat:
            index.df[term], index.encoded[term] = _entry(flat)
        else:
            del index.df[term], index.encoded[term]
    index.keys = keys
    del index.words[len(certs):]  # documents past the last number are gone
    for n in changed:  # ascending: a number past the kept list is the next one
        if n < len(certs):
            if n < len(index.words):
                index.words[n] = new_words[n]
            else:
                index.words.append(new_words[n])


class _Sizes:
    """Prefix sums of the terms' serialized sizes: the size of any run of sorted terms at once."""

    def __init__(self, terms: list[str], encoded: dict[str, bytes]):
        self.sums = [0]
        for term in terms:
            self.sums.append(self.sums[-1] + len(encoded[term]) + len(term.encode("utf-8")) + 4)

    def of(self, lo: int, hi: int) -> int:
        return self.sums[hi] - self.sums[lo]


def _shard(chosen: list[str], encoded: dict[str, bytes]) -> bytes:
    """A shard's file: each term's postings, in the terms' order; a term whose postings are those of
    an earlier term of the file has that term's name instead when it is shorter (a string, where
    postings are a list).

    Connectors make terms that always come together: "OCPP1.6" is indexed as "ocpp1.6", "ocpp1" and
    "ocpp16", three copies of the postings of every certificate that says it. At 10,000 records the
    "oc" file was 221 KB, 21.8 KB compressed: three 66 KB copies, too far apart for gzip's 32 KB
    window. Written once, 127 KB and 12.1 KB; the worker has less to fetch and to parse."""
    first: dict[bytes, bytes] = {}  # postings -> the name of the first term with them
    parts = []
    for term in chosen:
        # A term is letters, digits and connectors (no quote, backslash, control or bidirectional
        # character), so json's own string encoder gives json_bytes's bytes, at a tenth of the cost.
        name = _json_string(term).encode("utf-8")
        postings = encoded[term]
        same = first.setdefault(postings, name)  # ``name`` itself when no earlier term has them
        parts.append(name + b":" + (same if same is not name and len(same) < len(postings) else postings))
    return b"{" + b",".join(parts) + b"}"


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
        shards[prefix] = _shard(chosen, encoded)
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
