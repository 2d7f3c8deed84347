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
:func:`.tree._split`). Scores are lunr's BM25 (k1, b,
idf and the rounding of ``lunr.Builder``), computed by the worker
(``theme/static/js/search-worker.js``) from the counts stored here; a test checks
them against lunr.py's builder.

Tokens are made by :mod:`.tokens`, with the rules the browser's worker uses;
facets by :mod:`.facets`, postings by :mod:`.index`, the shard tree by :mod:`.tree`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from ...model.directory import Directory
from ...model.text import json_bytes
from ..stores import Parts, make_every
from . import tree
from .facets import Facets, _facet_column, _order
from .index import INDEX_FORMAT, KeptIndex, _index, vendor_names
from .tokens import FIELDS, documents, field_tokens, fold, tokens
from .tree import TOP_TERMS, _Sizes, _split

__all__ = ["FIELDS", "INDEX_FORMAT", "KeptIndex", "SearchFiles", "build", "documents", "field_tokens", "fold",
           "shard_name", "tokens", "tree", "vendor_names", "_index"]

STORE_FORMAT = 5
#: lunr's BM25 constants (lunr.Builder's k1 and b): the worker scores with lunr's formula
K1, B = 1.2, 0.75


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
    index = kept.index(certs, directory) if kept is not None else _index(certs, program, None, vendor_names(directory))
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
        list(held[profiles]), c.certificate_type])) for c, held in zip(certs, per_cert)]
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
