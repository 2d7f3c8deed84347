"""The shard tree: terms split by prefix into files of about :data:`SHARD_BYTES`."""

from __future__ import annotations

import heapq
import json
import os

#: a shard holding more than about this many bytes of postings is split by the next character
SHARD_BYTES = 16_000
#: how many terms a typed prefix stands for at most (the worker's MAX_EXPANSIONS)
TOP_TERMS = 64
#: tree nodes are named by prefixes of at most this many characters (file names stay short)
MAX_PREFIX = 24

_json_string = json.encoder.encode_basestring  # what json.dumps(ensure_ascii=False) uses for a str


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

    Connectors make terms that always come together ("ocpp1.6", "ocpp1", "ocpp16"), whose postings
    would otherwise be written several times, too far apart for gzip to notice (docs/scaling.md)."""
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
