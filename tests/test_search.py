"""Search: the index built here, loaded by lunr.js in a worker, driven as a person would."""

from __future__ import annotations

import json
import re

import lunr

from ocpp_directory import search

from .conftest import ROOT
from .test_browser import base_url, browser, page  # noqa: F401  (shared browser fixtures)

LUNR_JS = ROOT / "theme" / "static" / "vendor" / "lunr" / "lunr.min.js"

TEXTS = ["VD22-S", "4.10.0", "Énergie Borne SAS", "한빛충전 주식회사", "KK Słup 2x22", "OCA-16-2024-0042",
         "Ampère & Fils SA", "Straße Ø Æble", "HC150-4 / v2_1", "충전관제 플랫폼 SM-Cloud", "  ", "İstanbul"]


def test_vendored_lunr_js_is_the_version_lunr_py_targets():
    header = LUNR_JS.read_text("utf-8")[:200]
    assert re.search(r"- (\d+\.\d+\.\d+)\n", header).group(1) == lunr.__TARGET_JS_VERSION__ == search.LUNR_JS_VERSION
    assert (LUNR_JS.parent / "LICENSE").read_text().startswith("Copyright (C) 2013 by Oliver Nightingale")


def test_accents_fold_and_versions_stay_whole():
    assert search.tokens("Énergie") == ["energie"]
    assert search.tokens("KK Słup") == ["kk", "slup"]
    assert search.tokens("4.10.0")[0] == "4.10.0"
    assert search.tokens("VD22-S") == ["vd22-s", "vd22", "s", "vd22s"]


def test_hangul_words_and_their_inner_words():
    assert search.tokens("한빛충전 주식회사") == ["한빛충전", "빛충전", "충전", "주식회사", "식회사", "회사"]


def test_index_is_deterministic_and_has_no_stemmer(samples):
    from ocpp_directory.pages import HARDWARE_WORDS

    index, store = search.build(samples, HARDWARE_WORDS)
    assert (index, store) == search.build(samples, HARDWARE_WORDS)
    data = json.loads(index)
    assert data["version"] == "2.3.9" and data["pipeline"] == []
    terms = {term for term, _ in data["invertedIndex"]}
    assert {"vd22-s", "4.10.0", "energie", "한빛충전", "충전"} <= terms
    from lunr.index import Index

    loaded = Index.load(data)
    assert [r["ref"] for r in loaded.search("vd22-s")][:1] in (["OCA-16-2021-0007"], ["OCA-16-2024-0042"],
                                                               ["OCA-201-2025-0019"])


def test_the_worker_makes_the_same_tokens_as_python(page, base_url):
    page.goto(base_url + "/search/")
    got = page.evaluate("""texts => new Promise(resolve => {
        const worker = new Worker('../theme/js/search-worker.js');
        worker.onmessage = e => resolve(e.data.tokens);
        worker.postMessage({type: 'tokens', id: 1, texts});
    })""", TEXTS)
    assert got == [search.tokens(text) for text in TEXTS]


def test_a_prefix_stands_for_its_most_common_terms(page, base_url, site):
    """A typed prefix is expanded in the worker, to at most a limit of terms: the ones most
    certificates contain. (Without a limit, "oc" at 10,000 certificates took over a minute.)"""
    page.goto(base_url + "/search/")
    terms = page.evaluate("""([prefix, limit]) => new Promise(resolve => {
        const worker = new Worker('../theme/js/search-worker.js');
        worker.onmessage = e => resolve(e.data.terms);
        const base = new URL('..', location.href).href;
        worker.postMessage({type: 'expand', id: 1, prefix, limit, urls: {
            lunr: base + 'theme/vendor/lunr/lunr.min.js', index: base + 'search/index.json',
            docs: base + 'search/docs.json'}});
    })""", ["oca", 3])
    index = json.loads((site / "search" / "index.json").read_bytes())
    starting = {term: max(len(p) for f, p in postings.items() if f != "_index")
                for term, postings in index["invertedIndex"] if term.startswith("oca")}
    assert len(starting) > 3
    expected = sorted(starting, key=lambda t: (-starting[t], len(t), t))[:3]
    assert terms == sorted(expected)
    assert "oca" in terms  # every certificate id starts with it


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


def type_query(page, base_url, text: str) -> list[str]:
    page.goto(base_url + "/search/")
    box = page.get_by_label("Vendor, device, model, software version or certificate id")
    box.fill(text)
    page.wait_for_function("() => document.getElementById('search-status').textContent.match(/match|No certificate/)")
    return results(page)


def test_vendor_name(page, base_url):
    ids = type_query(page, base_url, "voltaris")
    assert set(ids) == {"OCA-201-2025-0019", "OCA-16-2024-0042", "OCA-16-2022-0015", "OCA-16-2021-0007"}
    assert page.get_by_role("status").inner_text() == "4 certificates match"


def test_exact_id_comes_first(page, base_url):
    assert type_query(page, base_url, "OCA-16-2024-0042")[0] == "OCA-16-2024-0042"
    assert type_query(page, base_url, "oca-16-2024-0042") == ["OCA-16-2024-0042"]


def test_model_number(page, base_url):
    assert type_query(page, base_url, "HB-7W") == ["OCA-16-2024-0066"]
    assert set(type_query(page, base_url, "VD22-C")) == {"OCA-201-2025-0019", "OCA-16-2024-0042", "OCA-16-2021-0007"}


def test_software_version(page, base_url):
    assert type_query(page, base_url, "4.10.0") == ["OCA-16-2024-0042"]
    assert "OCA-16-2024-0042" in type_query(page, base_url, "4.10")


def test_accent_free_spelling_of_an_accented_name(page, base_url):
    assert set(type_query(page, base_url, "energie borne")) == {"OCA-16-2021-0011", "OCA-16-2023-0031"}
    assert type_query(page, base_url, "krakow slup") == ["OCA-16-2026-0004", "OCA-16-2024-0058"] or \
        set(type_query(page, base_url, "krakow slup")) == {"OCA-16-2026-0004", "OCA-16-2024-0058"}


def test_korean_name(page, base_url):
    assert set(type_query(page, base_url, "한빛충전")) == {"OCA-16-2022-0024", "OCA-16-2024-0066", "OCA-201-2026-0008"}
    assert set(type_query(page, base_url, "충전관제")) == {"OCA-201-2026-0020"}
    assert "OCA-201-2026-0020" in type_query(page, base_url, "플랫폼")


def test_nothing_found_says_so(page, base_url):
    assert type_query(page, base_url, "zzzz-no-such") == []
    assert page.get_by_role("status").inner_text() == "No certificate matches “zzzz-no-such”."


def test_facet_combination_and_counts(page, base_url):
    page.goto(base_url + "/search/?q=")
    page.get_by_label("Vendor, device, model, software version or certificate id").focus()
    facet(page, "ocpp", "1.6").check()
    facet(page, "profile", "1.6:security").check()
    facet(page, "type", "csms").check()
    page.wait_for_function("() => document.getElementById('search-status').textContent.includes('match')")
    assert set(results(page)) == {"OCA-16-2023-0009", "OCA-16-2021-0020"}
    assert "ocpp=1.6" in page.url and "profile=1.6%3Asecurity" in page.url and "type=csms" in page.url
    station = page.locator("label.facet-value", has=facet(page, "type", "charging-station"))
    assert re.search(r"\((\d+)\)", station.inner_text()).group(1) == "10"  # 1.6 security stations


def test_shared_url_reloads_the_same_results(page, base_url):
    page.goto(base_url + "/search/?q=gridwise&ocpp=2.0.1")
    page.wait_for_function("() => document.getElementById('search-status').textContent.includes('match')")
    assert results(page) == ["OCA-201-2024-0005"]
    assert page.get_by_label("Vendor, device, model, software version or certificate id").input_value() == "gridwise"
    assert facet(page, "ocpp", "2.0.1").is_checked()


def test_back_and_forward(page, base_url):
    page.goto(base_url + "/search/?q=gridwise")
    page.wait_for_function("() => document.getElementById('search-status').textContent.includes('match')")
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
    assert not any("index.json" in url for url in page.requests)
    page.get_by_label("Vendor, device, model, software version or certificate id").focus()
    page.wait_for_timeout(500)
    assert any("search/index.json" in url for url in page.requests)
    assert any("search/docs.json" in url for url in page.requests)


def test_header_search_works_from_any_page(page, base_url):
    page.goto(base_url + "/vendors/")
    page.get_by_label("Search certificates").fill("takumi")
    page.get_by_label("Search certificates").press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q=takumi$"))
    page.wait_for_function("() => document.getElementById('search-status').textContent.includes('match')")
    assert set(results(page)) == {"OCA-201-2025-0041", "OCA-16-2021-0026"}


def test_keyboard_only(page, base_url):
    page.goto(base_url + "/search/")
    page.keyboard.press("Tab")  # skip link
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "q":
            break
    page.keyboard.type("helios")
    page.wait_for_function("() => document.getElementById('search-status').textContent.includes('match')")
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
    page.wait_for_function("() => document.getElementById('search-status').textContent.includes('match')")
    assert len(results(page)) == 4
