"""Search: the sharded index built here, read by the worker in the browser, driven as a person would."""

from __future__ import annotations

import json
import re

import pytest

from ocpp_directory.engine.cache import KeptFile
from ocpp_directory.outputs import search
from ocpp_directory.outputs.words import HARDWARE_WORDS


TEXTS = ["VD22-S", "4.10.0", "Énergie Borne SAS", "한빛충전 주식회사", "KK Słup 2x22", "OCA.0016.0115.CS",
         "Ampère & Fils SA", "Straße Ø Æble", "HC150-4 / v2_1", "충전관제 플랫폼 SM-Cloud", "  ", "İstanbul"]


def test_accents_fold_and_versions_stay_whole():
    assert search.tokens("Énergie") == ["energie"]
    assert search.tokens("KK Słup") == ["kk", "slup"]
    assert search.tokens("4.10.0")[0] == "4.10.0"
    assert search.tokens("VD22-S") == ["vd22-s", "vd22", "s", "vd22s"]


def test_hangul_words_and_their_inner_words():
    assert search.tokens("한빛충전 주식회사") == ["한빛충전", "빛충전", "충전", "주식회사", "식회사", "회사"]


def _terms(directory) -> dict[str, int]:
    """Every indexed term and its document count as lunr counts it (per field, summed), from the
    tokens themselves: what the shards must hold between them."""
    counts: dict[str, int] = {}
    names = search.vendor_names(directory)
    for cert in search.documents(directory):
        for words in search.field_tokens(cert, directory.program, names.get(cert.id, ())):
            for word in set(words):
                counts[word] = counts.get(word, 0) + 1
    return counts


def _shard_terms(files: search.SearchFiles) -> dict[str, dict[str, list[int]]]:
    """Each shard's terms and postings, as the worker reads them (a term's postings may be written
    as the name of an earlier term of the file that has the same)."""
    meta = json.loads(files.meta)
    shards = {prefix: json.loads(files.shards[prefix])
              for prefix in meta["leaves"] + meta["internal"] if prefix in files.shards}
    for terms in shards.values():
        for term, entry in terms.items():
            if isinstance(entry, str):
                terms[term] = terms[entry]
    return shards


def test_postings_a_shard_holds_twice_are_written_once(samples):
    """Connectors make terms that always come together ("vd22-s", "vd22", "vd22s"): a term whose
    postings an earlier term of its file has is written as that term's name, when that is shorter."""
    files = search.build(samples, HARDWARE_WORDS)
    index = search._index(search.documents(samples), samples.program, None, search.vendor_names(samples))
    named = 0
    for prefix, data in files.shards.items():
        raw = json.loads(data)
        terms = list(raw)
        for position, (term, entry) in enumerate(raw.items()):
            if isinstance(entry, str):
                named += 1
                assert entry in terms[:position] and isinstance(raw[entry], list)
                assert index.encoded[entry] == index.encoded[term]
                assert len(json.dumps(entry)) < len(index.encoded[term])
            else:
                assert json.dumps(entry, separators=(",", ":")).encode() == index.encoded[term]
                assert all(index.encoded[term] != index.encoded[t] or len(json.dumps(t)) >= len(index.encoded[t])
                           for t in terms[:position])
    assert named > 10


def test_index_is_deterministic_and_has_no_stemmer(samples):
    files = search.build(samples, HARDWARE_WORDS)
    assert files == search.build(samples, HARDWARE_WORDS)
    held = {term for terms in _shard_terms(files).values() for term in terms}
    assert {"vd22-s", "4.10.0", "energie", "한빛충전", "충전"} <= held
    assert "energi" not in held and "voltari" not in held  # no stemmer, no n-grams


def test_the_index_from_kept_parts_is_the_index_made_afresh(samples, tmp_path):
    """Each certificate's result fragment is kept between builds; the files are the same."""
    from ocpp_directory.engine.cache import Memo, RecordCache

    afresh = search.build(samples, HARDWARE_WORDS)
    digests = {c.id: c.id + "-key" for c in samples.certificates}
    for _ in range(2):  # parts made, then parts kept
        store = RecordCache(tmp_path / "parts.pickle", "salt")
        memo = Memo(store, digests)
        assert search.build(samples, HARDWARE_WORDS, memo) == afresh
        memo.save()
    assert store.hits == len(samples.certificates)


@pytest.mark.parametrize("shard_bytes", [search.tree.SHARD_BYTES, 600, 1])
def test_every_term_is_in_exactly_one_leaf_under_its_prefix(samples, monkeypatch, shard_bytes):
    monkeypatch.setattr(search.tree, "SHARD_BYTES", shard_bytes)
    files = search.build(samples, HARDWARE_WORDS)
    meta = json.loads(files.meta)
    leaves = _shard_terms(files)
    expected = _terms(samples)
    found: dict[str, str] = {}
    for prefix in meta["leaves"]:
        for term, entry in leaves[prefix].items():
            assert term.startswith(prefix) and term not in found
            assert entry[0] == expected[term]
            found[term] = prefix
    internal = set(meta["internal"])
    exact = {p for p in internal if p in expected}
    assert set(found) | exact == set(expected) and not set(found) & exact
    assert len(internal) > (0 if shard_bytes == search.tree.SHARD_BYTES else 10)
    # Siblings start with different characters, so a typed word goes down one path only.
    for parent in internal:
        kids = [p for p in meta["leaves"] + meta["internal"] if p != parent and p.startswith(parent)
                and not any(parent < q < p and p.startswith(q) and q.startswith(parent) for q in internal)]
        firsts = [k[len(parent)] for k in kids]
        assert len(firsts) == len(set(firsts))


def test_a_change_to_one_record_changes_only_the_shards_of_its_terms(samples, monkeypatch):
    import dataclasses

    monkeypatch.setattr(search.tree, "SHARD_BYTES", 600)
    before = search.build(samples, HARDWARE_WORDS)
    newest = search.documents(samples)[-1]
    edited = dataclasses.replace(newest, software_version="9.9.9-zeta")
    samples2 = dataclasses.replace(samples, certificates=[edited if c is newest else c for c in samples.certificates])
    after = search.build(samples2, HARDWARE_WORDS)
    changed = {name for name in set(before.shards) | set(after.shards) if before.shards.get(name) != after.shards.get(name)}
    # The shards of the old and new version's terms, and the nodes above them whose top terms hold
    # them: a handful out of many.
    assert 0 < len(changed) < len(after.shards) / 4
    assert before.fragments[:-1] == after.fragments[:-1] and before.fragments[-1] != after.fragments[-1]


def _directory(samples, certificates):
    """``samples`` modelled again with other certificates; each record's key follows its contents."""
    import hashlib

    from ocpp_directory.model.directory import _model

    directory = _model(samples.program, certificates, [])
    directory.digests = {c.id: hashlib.sha256(repr(c).encode()).hexdigest() for c in certificates}
    return directory


def _changes(samples):
    """A run of directories, each one change from the one before, and how many documents the change
    renumbers or alters: (name, directory, changed documents or None for "computed afresh")."""
    import dataclasses
    import datetime as dt

    docs = search.documents(samples)
    middle, newest = docs[len(docs) // 2], docs[-1]
    certs = list(samples.certificates)
    renamed = [dataclasses.replace(c, device_name="Ladesäule Ünïque 9", software_version="9.9.9-zeta")
               if c is middle else c for c in certs]
    added = renamed + [dataclasses.replace(newest, id="OCA-16-2099-0001", issued=dt.date(2099, 1, 1),
                                           models=["ZZ-TOP 1"])]
    untouched_terms = [dataclasses.replace(c, test_tool="OCTT 9.9 (re-run)") if c.id == middle.id else c for c in added]
    removed = [c for c in untouched_terms if c.id != "OCA-16-2099-0001"]
    past = untouched_terms + [dataclasses.replace(docs[0], id="OCA-16-1999-0001", issued=dt.date(1999, 1, 1))]
    return [
        ("terms of one record changed", _directory(samples, renamed), 1),
        ("a newest record added", _directory(samples, added), 1),
        ("an indexed field unchanged", _directory(samples, untouched_terms), 1),
        ("the newest record removed", _directory(samples, removed), 1),
        ("a newest record added again", _directory(samples, untouched_terms), 1),
        ("a record of the past added: every number shifts", _directory(samples, past), None),
        ("back to the samples", _directory(samples, certs), None),
    ]


def test_the_index_updated_from_the_kept_one_is_the_index_made_afresh(samples, tmp_path, monkeypatch):
    """The kept postings, updated for the changed documents, give the bytes computed from every
    record: through edits, additions, removals and renumbering, one after the other."""
    monkeypatch.setattr(search.tree, "SHARD_BYTES", 600)  # a deep tree, so that changes move shards
    path = tmp_path / "search.pickle"
    first = _directory(samples, list(samples.certificates))
    kept = search.KeptIndex(KeptFile(path, search.INDEX_FORMAT, "salt"))
    assert search.build(first, HARDWARE_WORDS, kept=kept) == search.build(first, HARDWARE_WORDS)
    assert kept.updated is None and path.exists()
    for name, directory, changed in _changes(samples):
        kept = search.KeptIndex(KeptFile(path, search.INDEX_FORMAT, "salt"))
        assert search.build(directory, HARDWARE_WORDS, kept=kept) == search.build(directory, HARDWARE_WORDS), name
        assert kept.updated == changed, name


def test_a_kept_index_of_other_code_or_a_damaged_file_is_not_used(samples, tmp_path):
    directory = _directory(samples, list(samples.certificates))
    path = tmp_path / "search.pickle"
    afresh = search.build(directory, HARDWARE_WORDS)
    search.build(directory, HARDWARE_WORDS, kept=search.KeptIndex(KeptFile(path, search.INDEX_FORMAT, "salt")))
    kept = search.KeptIndex(KeptFile(path, search.INDEX_FORMAT, "salt"))
    assert search.build(directory, HARDWARE_WORDS, kept=kept) == afresh and kept.updated == 0
    kept = search.KeptIndex(KeptFile(path, search.INDEX_FORMAT, "other code"))
    assert search.build(directory, HARDWARE_WORDS, kept=kept) == afresh and kept.updated is None
    path.write_bytes(path.read_bytes()[:100])
    kept = search.KeptIndex(KeptFile(path, search.INDEX_FORMAT, "other code"))
    assert search.build(directory, HARDWARE_WORDS, kept=kept) == afresh and kept.updated is None


def test_scores_are_lunrs(samples, page, base_url):
    """The worker's BM25 weights are those lunr.py's builder gives each field of each document."""
    from lunr.builder import Builder

    builder = Builder()
    builder.ref("ref")
    for name, boost in search.FIELDS:
        builder.field(name, boost=boost)
    docs = search.documents(samples)
    names = search.vendor_names(samples)
    for cert in docs:
        fields = search.field_tokens(cert, samples.program, names.get(cert.id, ()))
        builder.add({"ref": cert.id, **{name: list(words) for (name, _), words in zip(search.FIELDS, fields)}})
    index = builder.build()
    terms = ["voltaris", "oca", "core", "vd22-s", "충전", "dekra", "security", "2024", "firmware"]
    expected = {}
    for term in terms:
        position = index.inverted_index[term]["_index"]
        expected[term] = {}
        for field_ref, vector in index.field_vectors.items():
            field, ref = field_ref.split("/", 1)
            weights = dict(zip(vector.elements[0::2], vector.elements[1::2]))
            if position in weights:
                expected[term].setdefault(field, {})[ref] = weights[position]
    page.goto(base_url + "/search/")
    got = page.evaluate("""terms => Promise.all(terms.map(term => new Promise(resolve => {
        const worker = new Worker('../theme/js/search-worker.js');
        worker.onmessage = e => resolve(e.data.weights);
        const base = new URL('.', location.href).href;
        const version = document.getElementById('search-form').dataset.version;
        worker.postMessage({type: 'weights', id: 1, term, urls: {
            meta: base + 'meta.json?v=' + version, base, version}});
    })))""", terms)
    for term, weights in zip(terms, got):
        by_id = {field: {docs[int(n)].id: w for n, w in scores.items()} for field, scores in weights.items()}
        assert by_id.keys() == expected[term].keys(), term
        for field, scores in expected[term].items():
            assert by_id[field].keys() == scores.keys()
            for ref, weight in scores.items():
                assert abs(by_id[field][ref] - weight) <= 0.0011, (term, field, ref)


def test_the_worker_makes_the_same_tokens_as_python(page, base_url):
    page.goto(base_url + "/search/")
    got = page.evaluate("""texts => new Promise(resolve => {
        const worker = new Worker('../theme/js/search-worker.js');
        worker.onmessage = e => resolve(e.data.tokens);
        worker.postMessage({type: 'tokens', id: 1, texts});
    })""", TEXTS)
    assert got == [search.tokens(text) for text in TEXTS]


def _expected_expansion(counts: dict[str, int], prefix: str, limit: int) -> list[str]:
    found = [t for t in counts if t.startswith(prefix)]
    if len(found) > limit:
        found = sorted(found, key=lambda t: (-counts[t], len(t), t))[:limit] + ([prefix] if prefix in counts else [])
        found = list(dict.fromkeys(found))
    return sorted(found)


def test_a_prefix_stands_for_its_most_common_terms(page, base_url, samples):
    """A typed prefix is expanded in the worker, to at most a limit of terms: the ones most
    certificates contain. (Without a limit, "oc" at 10,000 certificates took over a minute.)"""
    page.goto(base_url + "/search/")
    terms = _expand(page, [["oca", 3]], "")[0]
    counts = _terms(samples)
    assert len([t for t in counts if t.startswith("oca")]) > 3
    assert terms == _expected_expansion(counts, "oca", 3)
    assert "oca" in terms  # every certificate id starts with it


def _expand(page, queries: list, search_path: str) -> list[list[str]]:
    """What the worker expands each [prefix, limit] to, reading the index below ``search_path``."""
    return page.evaluate("""([queries, path]) => new Promise(resolve => {
        const worker = new Worker(new URL('/theme/js/search-worker.js', location.href).href);
        const base = new URL(path + '/search/', location.origin).href;
        const answers = [];
        worker.onmessage = e => { answers[e.data.id] = e.data.terms;
                                  if (answers.filter(Boolean).length === queries.length) resolve(answers); };
        queries.forEach(([prefix, limit], id) => worker.postMessage({type: 'expand', id, prefix, limit,
            urls: {meta: base + 'meta.json', base, version: 'test'}}));
    })""", [queries, search_path])


@pytest.mark.parametrize("shard_bytes", [600, 1])
def test_the_worker_finds_every_prefix_in_a_deep_tree(browser, site, samples, tmp_path, monkeypatch, shard_bytes):
    """Shards forced small, so the tree has many levels: every prefix of every term (and some
    that start no term) expands in the browser exactly as the index's rules say."""
    monkeypatch.setattr(search.tree, "SHARD_BYTES", shard_bytes)
    files = search.build(samples, HARDWARE_WORDS)
    root = tmp_path / "deep"
    (root / "search" / "d").mkdir(parents=True)
    (root / "search" / "meta.json").write_bytes(files.meta)
    for prefix, data in files.shards.items():
        path = root / "search" / search.shard_name(prefix)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    (root / "theme" / "js").mkdir(parents=True)
    (root / "theme" / "js" / "search-worker.js").write_bytes((site / "theme" / "js" / "search-worker.js").read_bytes())
    (root / "index.html").write_text("<!DOCTYPE html><title>deep</title>", "utf-8")
    counts = _terms(samples)
    prefixes = sorted({t[:k] for t in counts for k in range(1, len(t) + 1)} | {"zzq", "oca-16-2099", "충전x"})
    queries = [[p, 64] for p in prefixes] + [[p, 2] for p in prefixes if len(p) <= 2]
    from .conftest import serve

    with serve(root) as url:
        page = browser.new_page()
        page.goto(url + "/index.html")
        got = _expand(page, queries, "")
        page.close()
    for (prefix, limit), terms in zip(queries, got):
        assert terms == _expected_expansion(counts, prefix, limit), (prefix, limit)


# -- in the browser ----------------------------------------------------------------

def facet(page, key: str, value: str):
    """The checkbox of one facet value (opening its group first if it is folded)."""
    box = page.locator(f"input[name='{key}'][value='{value}']")
    details = page.locator("details.facet", has=box)
    if not details.get_attribute("open") == "":
        details.locator("summary").click()
    return box


def results(page) -> list[str]:
    return page.locator("#search-results .cert-id").all_inner_texts()


def answered(page, says: str = "match|No certificate") -> None:
    """Wait until the status says ``says`` (a regular expression) and the answer is whole: the best
    result shows first, the rest after it, and the list is busy (aria-busy) until then."""
    page.wait_for_function("says => new RegExp(says).test(document.getElementById('search-status').textContent)"
                           " && document.getElementById('search-results').getAttribute('aria-busy') === 'false'",
                           arg=says)


def type_query(page, base_url, text: str) -> list[str]:
    page.goto(base_url + "/search/")
    box = page.get_by_label("Vendor, device, model, software version or certificate id")
    box.fill(text)
    answered(page)
    return results(page)


def test_vendor_name(page, base_url):
    ids = type_query(page, base_url, "voltaris")
    assert set(ids) == {"OCA.0201.0023.CS", "OCA.0016.0115.CS", "OCA.0016.0107.CS", "OCA.0016.0103.CS"}
    assert page.get_by_role("status").inner_text() == "4 certificates match"


def test_exact_id_comes_first(page, base_url):
    assert type_query(page, base_url, "OCA.0016.0115.CS")[0] == "OCA.0016.0115.CS"
    assert type_query(page, base_url, "oca.0016.0115.cs") == ["OCA.0016.0115.CS"]


def test_model_number(page, base_url):
    assert type_query(page, base_url, "HB-7W") == ["OCA.0016.0117.CS"]
    assert set(type_query(page, base_url, "VD22-C")) == {"OCA.0201.0023.CS", "OCA.0016.0115.CS", "OCA.0016.0103.CS"}


def test_software_version(page, base_url):
    assert type_query(page, base_url, "4.10.0") == ["OCA.0016.0115.CS"]
    assert "OCA.0016.0115.CS" in type_query(page, base_url, "4.10")


def test_accent_free_spelling_of_an_accented_name(page, base_url):
    assert set(type_query(page, base_url, "energie borne")) == {"OCA.0016.0104.CS", "OCA.0016.0113.CS"}
    assert type_query(page, base_url, "krakow slup") == ["OCA.0016.0121.CS", "OCA.0016.0116.CS"] or \
        set(type_query(page, base_url, "krakow slup")) == {"OCA.0016.0121.CS", "OCA.0016.0116.CS"}


def test_korean_name(page, base_url):
    assert set(type_query(page, base_url, "한빛충전")) == {"OCA.0016.0108.CS", "OCA.0016.0117.CS", "OCA.0201.0026.CS", "OCA.0016.0122.CS"}
    assert set(type_query(page, base_url, "충전관제")) == {"OCA.0201.0028.CSMS"}
    assert "OCA.0201.0028.CSMS" in type_query(page, base_url, "플랫폼")


def test_results_come_in_steps_and_none_twice(page, base_url):
    """The best result shows as soon as its fragment is here, the next ones are appended; the list is
    busy (aria-busy) until the last of them is."""
    ids = type_query(page, base_url, "oca")
    assert page.locator("#search-results").get_attribute("aria-busy") == "false"
    assert len(ids) == len(set(ids)) == 35
    assert page.locator("#search-status").inner_text() == "35 certificates match"
    assert page.locator("#search-more").is_hidden()


#: A search worker of the page's site, and the URLs a search message carries (in page.evaluate).
WORKER = """const worker = new Worker('../theme/js/search-worker.js');
        const base = new URL('.', location.href).href;
        const version = document.getElementById('search-form').dataset.version;
        const urls = {meta: base + 'meta.json?v=' + version, base, version};"""


def test_the_worker_answers_with_the_best_result_then_six_then_all(page, base_url):
    """A long list is answered three times, each answer the head of the next: the best result alone
    (one fragment, not six, to wait for), the first six, then the whole page of results. The counts
    per facet value are made once the best result is sent, and come with the answers after it. (Once
    the facets' files are here: the first search's answers are below.)"""
    page.goto(base_url + "/search/")
    got = page.evaluate("""() => new Promise(resolve => {
        """ + WORKER + """
        const answers = {1: [], 2: [], 3: []};
        worker.onmessage = e => {
            if (e.data.type !== 'results') return;
            if (e.data.id === 0) {
                if (e.data.complete) [['oca', 30], ['oca', 4], ['zzzz-no-such', 30]].forEach(([q, limit], i) =>
                    worker.postMessage({type: 'search', id: i + 1, q, filters: {}, limit, urls}));
                return;
            }
            answers[e.data.id].push([e.data.complete, e.data.results.map(r => r.id), e.data.total,
                                     e.data.counts !== null]);
            if (Object.values(answers).every(a => a.length && a[a.length - 1][0])) resolve(answers);
        };
        worker.postMessage({type: 'search', id: 0, q: 'core', filters: {}, limit: 1, urls});
    })""")
    (one, six, whole), short, nothing = got["1"], got["2"], got["3"]
    assert [one[0], six[0], whole[0]] == [False, False, True]
    assert len(one[1]) == 1 and len(six[1]) == 6 and len(whole[1]) == 30 == len(set(whole[1]))
    assert whole[1][:6] == six[1] and six[1][:1] == one[1]
    assert [complete for complete, _, _, _ in short] == [False, True] and len(short[-1][1]) == 4
    assert short[-1][1] == whole[1][:4]
    assert nothing == [[True, [], 0, True]]
    assert [counted for _, _, _, counted in (one, six, whole)] == [False, True, True]
    assert [counted for _, _, _, counted in short] == [False, True]


def test_the_first_results_come_before_the_facets_files(page, base_url):
    """Which certificate holds which facet value is in one file per facet, not in the meta file: a
    first search shows its results without them, and its last answer brings the counts per value,
    once the worker has fetched every facet's file (each once). A filter's facet is fetched first."""
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(base_url + "/search/")
    meta = json.loads(page.request.get(base_url + "/search/meta.json").body())
    assert meta["facets"] and not any("documents" in facet for facet in meta["facets"])
    got = page.evaluate("""() => new Promise(resolve => {
        """ + WORKER + """
        const answers = {1: [], 2: [], 3: []};
        worker.onmessage = e => {
            if (e.data.type !== 'results') return;
            answers[e.data.id].push([e.data.complete, e.data.results.length, e.data.counts,
                                     e.data.results.map(r => r.profiles)]);
            if (e.data.id === 1 && e.data.complete)
                worker.postMessage({type: 'search', id: 2, q: 'oca', filters: {}, limit: 30, urls});
            if (e.data.id === 2 && e.data.complete)
                worker.postMessage({type: 'search', id: 3, q: 'oca', filters, limit: 30, urls});
            if (e.data.id === 3 && e.data.complete) {
                answers.warm = e.data.results.map(r => r.id);
                // A worker that has no facet yet fetches the filter's before it looks for hits.
                const cold = new Worker('../theme/js/search-worker.js');
                cold.onmessage = e => {
                    if (e.data.type !== 'results') return;
                    (answers.cold = answers.cold || []).push(e.data.results.map(r => r.id));
                    if (e.data.complete) resolve(answers);
                };
                cold.postMessage({type: 'search', id: 1, q: 'oca', filters, limit: 30, urls});
            }
        };
        const filters = {type: ['csms'], ocpp: ['1.6']};
        worker.postMessage({type: 'search', id: 1, q: 'oca', filters: {}, limit: 30, urls});
    })""")
    first, again = got["1"], got["2"]
    assert [(complete, n) for complete, n, _, _ in first] == [(False, 1), (False, 6), (False, 30), (True, 30)]
    assert [counts is None for _, _, counts, _ in first] == [True, True, True, False]
    assert [counts is None for _, _, counts, _ in again] == [True, False, False]
    assert 0 < len(got["warm"]) < 30 and got["cold"][0] == got["warm"][:1] and got["cold"][-1] == got["warm"]
    assert first[-1][2] == again[-1][2] and {c["key"] for c in first[-1][2]} == {f["key"] for f in meta["facets"]}
    titles = {value: title for facet in meta["facets"] if facet["key"] == "profile" for value, title in facet["values"]}
    assert first[-1][3] and all(p and set(p) <= set(titles.values()) for p in first[-1][3])
    fetched = sorted(url.split("/search/f/")[1].split("?")[0] for url in requests if "/search/f/" in url)
    assert fetched == sorted(2 * [f"{facet['key']}.json" for facet in meta["facets"]])  # once a worker


def test_a_short_list_is_the_head_of_the_whole_ranking(page, base_url):
    """The worker keeps only a page of the best hits as it finds them (a limit under 400) and sorts
    all of them above: both give one ranking, ties newest first."""
    page.goto(base_url + "/search/")
    got = page.evaluate("""queries => new Promise(resolve => {
        """ + WORKER + """
        const asks = [];
        queries.forEach(q => [1, 5, 7, 29, 1000].forEach(limit => asks.push([q, limit])));
        const answers = [];
        worker.onmessage = e => {
            if (e.data.complete === false) return;
            answers[e.data.id] = e.data.results.map(r => r.id);
            if (Object.keys(answers).length === asks.length) resolve(asks.map((a, i) => [a, answers[i]]));
        };
        asks.forEach(([q, limit], id) => worker.postMessage({type: 'search', id, q, filters: {}, limit, urls}));
    })""", ["oca", "core", "2024", "voltaris charger", ""])
    whole = {q: ids for (q, limit), ids in got if limit == 1000}
    assert len(whole["oca"]) > 29 and len(whole[""]) > 29
    for (q, limit), ids in got:
        assert ids == whole[q][:limit], (q, limit)


def test_a_newer_search_supersedes_the_ones_still_waiting(page, base_url):
    """As a word is typed, each key sends a search; one sent with `supersedes` stops the older
    ones that are still waiting for their shards, so the newest is not kept waiting behind them.
    Searches sent without it are all answered (above)."""
    page.goto(base_url + "/search/")
    got = page.evaluate("""() => new Promise(resolve => {
        """ + WORKER + """
        const answered = [];
        worker.onmessage = e => {
            if (e.data.type !== 'results' || e.data.complete === false) return;
            answered.push(e.data.id);
            if (e.data.id === 4) setTimeout(() => resolve(answered), 300);  // time for a late answer
        };
        ['oc', 'oca', 'oca-', 'oca-16'].forEach((q, i) =>
            worker.postMessage({type: 'search', id: i + 1, supersedes: true, q, filters: {}, limit: 5, urls}));
    })""")
    assert got == [4]


def test_nothing_found_says_so(page, base_url):
    assert type_query(page, base_url, "zzzz-no-such") == []
    assert page.get_by_role("status").inner_text() == "No certificate matches “zzzz-no-such”."


def test_facet_combination_and_counts(page, base_url):
    page.goto(base_url + "/search/?q=")
    page.get_by_label("Vendor, device, model, software version or certificate id").focus()
    facet(page, "ocpp", "1.6").check()
    facet(page, "profile", "1.6:security").check()
    facet(page, "type", "csms").check()
    answered(page, "match")
    assert set(results(page)) == {"OCA.0016.0111.CSMS", "OCA.0016.0105.CSMS"}
    assert "ocpp=1.6" in page.url and "profile=1.6%3Asecurity" in page.url and "type=csms" in page.url
    station = page.locator("label.facet-value", has=facet(page, "type", "charging-station"))
    assert re.search(r"\((\d+)\)", station.inner_text()).group(1) == "10"  # 1.6 security stations


def test_shared_url_reloads_the_same_results(page, base_url):
    page.goto(base_url + "/search/?q=gridwise&ocpp=2.0.1")
    answered(page, "match")
    assert results(page) == ["OCA.0201.0021.CSMS"]
    assert page.get_by_label("Vendor, device, model, software version or certificate id").input_value() == "gridwise"
    assert facet(page, "ocpp", "2.0.1").is_checked()


def test_back_and_forward(page, base_url):
    page.goto(base_url + "/search/?q=gridwise")
    answered(page, "match")
    assert len(results(page)) == 3
    facet(page, "ocpp", "2.0.1").check()
    page.wait_for_function("() => document.querySelectorAll('#search-results li').length === 1")
    page.go_back()
    page.wait_for_function("() => document.querySelectorAll('#search-results li').length === 3")
    assert not facet(page, "ocpp", "2.0.1").is_checked()
    page.go_forward()
    page.wait_for_function("() => document.querySelectorAll('#search-results li').length === 1")


def test_empty_result_offers_to_clear_filters(page, base_url):
    page.goto(base_url + "/search/?q=gridwise&type=charging-station")
    page.wait_for_function("() => document.getElementById('search-status').textContent.includes('No certificate')")
    assert "Try clearing the filters" in page.get_by_role("status").inner_text()
    page.get_by_role("button", name="Clear all filters").click()
    page.wait_for_function("() => document.querySelectorAll('#search-results li').length === 3")
    assert page.url.endswith("/search/?q=gridwise")


def test_index_loads_only_when_the_box_is_focused(page, base_url):
    page.goto(base_url + "/search/")
    page.wait_for_timeout(300)
    assert not any("meta.json" in url for url in page.requests)
    box = page.get_by_label("Vendor, device, model, software version or certificate id")
    box.focus()
    page.wait_for_timeout(500)
    assert any("search/meta.json" in url for url in page.requests)
    assert not any("/search/t/" in url or "/search/d/" in url for url in page.requests)
    # A word fetches one shard of the index; each result shown, its fragment.
    box.fill("voltaris")
    page.wait_for_function("() => document.querySelectorAll('#search-results li').length === 4")
    assert len([url for url in page.requests if "/search/t/" in url]) == 1
    assert len([url for url in page.requests if "/search/d/" in url]) == 4


def test_header_search_works_from_any_page(page, base_url):
    page.goto(base_url + "/vendors/")
    page.get_by_label("Search certificates").fill("takumi")
    page.get_by_label("Search certificates").press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q=takumi$"))
    answered(page, "match")
    assert set(results(page)) == {"OCA.0201.0025.CS", "OCA.0016.0106.CS"}


def test_keyboard_only(page, base_url):
    page.goto(base_url + "/search/")
    page.keyboard.press("Tab")  # skip link
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "q":
            break
    page.keyboard.type("helios")
    answered(page, "match")
    page.keyboard.press("Tab")  # the search button
    page.keyboard.press("Tab")  # first facet's summary
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # check the first value
    page.wait_for_function("() => location.search.includes('ocpp=')")


def test_one_character_asks_for_a_second(page, base_url):
    page.goto(base_url + "/search/")
    box = page.get_by_label("Vendor, device, model, software version or certificate id")
    box.fill("v")
    page.wait_for_function("() => document.getElementById('search-status').textContent.includes('second')")
    assert results(page) == []
    box.fill("vo")
    answered(page, "match")
    assert len(results(page)) == 4


def test_optional_features_by_id_name_and_the_words_people_use(page, base_url):
    """Part 5's features are found by their id, by Part 5's name and by the program's other words."""
    assert type_query(page, base_url, "C-42") == ["OCA.0201.0026.CS"]
    assert type_query(page, base_url, "signed meter values") == ["OCA.0201.0026.CS"]
    assert type_query(page, base_url, "Signed Metervalues") == ["OCA.0201.0026.CS"]
    assert type_query(page, base_url, "ISO 15118-20") == ["OCA.0021.0001.CS"]
    assert type_query(page, base_url, "payment terminal") == ["OCA.0021.0001.CS"]
