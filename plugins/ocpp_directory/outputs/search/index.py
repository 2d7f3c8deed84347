"""The postings of every term, and the index kept between builds to update them."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from itertools import accumulate, repeat

from ...model.directory import Directory
from ...model.records import Certificate
from ..stores import Kept
from .tokens import FIELDS, field_tokens


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


def vendor_names(directory: Directory) -> dict[str, tuple[str, ...]]:
    """Certificate id -> the other names of its vendor that search finds it by: the name its vendor page
    shows, and the aliases and former names ``vendors.yaml`` declares (a Korean vendor's Latin name)."""
    out = {}
    for vendor in directory.vendors:
        names = (vendor.name, *vendor.other_names)
        for cert in vendor.certificates:
            out[cert.id] = tuple(n for n in names if n != cert.vendor_name)
    return out


def _index(certs: list[Certificate], program, keys: list[str] | None = None,
           names: dict[str, tuple[str, ...]] | None = None) -> _Index:
    """The postings computed from every document."""
    postings: dict[str, dict[int, list[int]]] = {}  # term -> field -> [doc, tf, field length, doc, ...]
    totals = [0] * len(FIELDS)
    words_of = []
    for number, cert in enumerate(certs):
        fields = field_tokens(cert, program, (names or {}).get(cert.id, ()))
        words_of.append(_words(fields))
        for f, words in enumerate(fields):
            length = len(words)
            totals[f] += length
            # A tuple is one value's tokens, each once (_tokens); a list joins several values' tokens.
            for word, tf in (Counter(words).items() if type(words) is list else zip(words, repeat(1))):
                postings.setdefault(word, {}).setdefault(f, []).extend((number, tf, length))
    df, encoded = {}, {}
    for term in list(postings):  # each term's postings let go of as it is encoded: not both held at once
        df[term], encoded[term] = _entry(postings.pop(term))
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
        names = vendor_names(directory)
        if index is None or len(changed) > max(1, len(certs) // 4):
            index, self.updated = _index(certs, directory.program, keys, names), None
        elif changed:
            _update(index, certs, directory.program, keys, changed, names)
            self.updated = len(changed)
        else:
            self.updated = 0
            return index
        self.store.save(index)
        return index


def _update(index: _Index, certs: list[Certificate], program, keys: list[str], changed: list[int],
            names: dict[str, tuple[str, ...]]) -> None:
    """Take the ``changed`` documents' old postings out of ``index`` and put their new ones in."""
    touched: dict[str, dict[int, dict[int, tuple[int, int]]]] = {}  # term -> doc -> its new fields
    new_words: dict[int, str] = {}
    for n in changed:
        old = index.words[n] if n < len(index.words) else None
        new = new_words[n] = (_words(field_tokens(certs[n], program, names.get(certs[n].id, ())))
                              if n < len(certs) else None)
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
