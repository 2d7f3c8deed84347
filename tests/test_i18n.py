"""The directory in Korean and English: complete catalogs, every page type in both languages, linked
both ways, nothing left in English on a Korean page but what vendors wrote, and the Korean search."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from ocpp_directory.outputs import i18n

from .conftest import ROOT, serve

LOCALE = ROOT / "plugins" / "ocpp_directory" / "locale"
PLACEHOLDER = re.compile(r"%\(\w+\)s|\{\w+\}")


def catalog(lang: str):
    with (LOCALE / lang / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po, locale=lang)


def test_the_template_catalog_holds_every_message(tmp_path):
    """A message added to a template or the code without `make messages` fails here."""
    fresh = tmp_path / "messages.pot"
    subprocess.run([str(Path(sys.executable).parent / "pybabel"), "extract", "-F", "babel.cfg", "-k", "N_",
                    "--no-location", "--sort-output", "--omit-header", "-o", str(fresh), "."],
                   cwd=ROOT, check=True, capture_output=True)
    with fresh.open("rb") as new, (LOCALE / "messages.pot").open("rb") as kept:
        assert {m.id for m in read_po(new) if m.id} == {m.id for m in read_po(kept) if m.id}


def test_the_korean_catalog_is_complete_and_keeps_every_placeholder():
    with (LOCALE / "messages.pot").open("rb") as pot:
        wanted = [m for m in read_po(pot) if m.id]
    korean = catalog("ko")
    problems = []
    for message in wanted:
        found = korean.get(message.id)
        if found is None or not found.string or (isinstance(found.string, tuple) and not all(found.string)):
            problems.append(f"untranslated: {message.id!r}")
            continue
        if found.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        source = message.id if isinstance(message.id, str) else message.id[1]
        text = found.string if isinstance(found.string, str) else found.string[0]
        if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(text)) and \
                set(PLACEHOLDER.findall(source)) - {"%(num)s"} != set(PLACEHOLDER.findall(text)) - {"%(num)s"}:
            problems.append(f"placeholders differ: {message.id!r} -> {text!r}")
    assert problems == []


def test_the_catalog_uses_the_oca_terms_consistently():
    """One Korean word for each of the OCA's terms, wherever the English says it."""
    terms = {r"\bcertificates?\b": "인증서", r"\bvendors?\b": "제조사", r"\bcharging stations?\b": "충전기",
             r"\blaborator(y|ies)\b": "시험기관", r"\bcorrections?\b": "정정"}
    wrong = []
    for message in catalog("ko"):
        if not message.id:
            continue
        source = message.id if isinstance(message.id, str) else message.id[1]
        text = message.string if isinstance(message.string, str) else message.string[0]
        words = PLACEHOLDER.sub(" ", re.sub(r"<[^>]+>", " ", source))
        for pattern, word in terms.items():
            if re.search(pattern, words, re.I) and word not in text:
                wrong.append((source, word, text))
    assert wrong == []


@pytest.fixture(scope="module")
def pages(site) -> dict[str, Path]:
    return {str(p.relative_to(site)): p for p in site.rglob("*.html")}


def test_every_page_has_its_korean_page_and_they_link_each_other(site, pages):
    english = sorted(p for p in pages if not p.startswith("ko/"))
    assert sorted(p[3:] for p in pages if p.startswith("ko/")) == english
    for name in english:
        here = name.removesuffix("index.html")
        en, ko = pages[name].read_text("utf-8"), pages["ko/" + name].read_text("utf-8")
        assert '<html lang="en">' in en and '<html lang="ko">' in ko, name
        for text in (en, ko):
            assert re.search(rf'<link rel="alternate" hreflang="en" href="[^"]*/{re.escape(here)}">', text), name
            assert re.search(rf'<link rel="alternate" hreflang="ko" href="[^"]*/ko/{re.escape(here)}">', text), name
        assert re.search(rf'<a class="language" href="[^"]*/ko/{re.escape(here)}" hreflang="ko" lang="ko">한국어</a>',
                         en), name
        assert re.search(rf'<a class="language" href="[^"]*/{re.escape(here)}" hreflang="en" lang="en">English</a>',
                         ko), name
        assert "정식 주소" in ko  # the Korean page says the English one is the canonical address


def _fragments() -> set[str]:
    """The English texts of the catalog a reader would notice left untranslated: the runs of three
    words or more between its placeholders and markup."""
    found = set()
    for message in catalog("ko"):
        if not message.id or message.string == message.id:  # the same in Korean ("PNG (300 dpi)")
            continue
        for source in ([message.id] if isinstance(message.id, str) else message.id):
            for part in re.split(r"%\(\w+\)s|\{\w+\}|<[^>]+>|&[a-z]+;", source):
                part = part.strip(" .,:;()“”")
                if len(part.split()) >= 3:
                    found.add(part)
    return found


def _visible(html: str) -> str:
    html = re.sub(r"(?s)<script\b.*?</script>|<style\b.*?</style>", " ", html)
    html = re.sub(r"(?s)<[^>]+>", " ", html)
    return re.sub(r"\s+", " ", html.replace("&amp;", "&").replace("&#39;", "'").replace("&quot;", '"'))


def test_no_korean_page_shows_an_untranslated_text(site, pages):
    fragments = _fragments()
    left = {}
    for name, path in pages.items():
        if not name.startswith("ko/"):
            continue
        text = _visible(path.read_text("utf-8"))
        found = [f for f in fragments if f in text]
        if found:
            left[name] = found[:3]
    assert left == {}


def test_dates_and_numbers_are_written_the_korean_way(site):
    page = (site / "ko" / "certificates" / "OCA.0016.0115.CS" / "index.html").read_text("utf-8")
    assert re.search(r'<time datetime="\d{4}-\d{2}-\d{2}">\d{4}년 \d{1,2}월 \d{1,2}일</time>', page)
    english = (site / "certificates" / "OCA.0016.0115.CS" / "index.html").read_text("utf-8")
    assert re.search(r'<time datetime="(\d{4}-\d{2}-\d{2})">\1</time>', english)


def test_vendor_text_is_shown_as_written_in_both_languages(site):
    for folder in ("", "ko/"):
        page = (site / folder / "vendors" / "voltaris-energy-b-v" / "index.html").read_text("utf-8")
        assert "<h1>Voltaris Energy B.V.</h1>" in page


def test_each_kit_has_its_korean_readme_and_guide_in_real_text(site, tmp_path):
    """Issue 33: the guide's text was outlines (not searchable, selectable or read aloud); it is real text in
    the shipped fonts, embedded, so it reads the same on any machine."""
    archive = zipfile.ZipFile(site / "logos" / "ocpp-16-full.zip")
    readme = archive.read("ocpp-16-full/README.ko.txt").decode("utf-8")
    assert "로고는 변경하지 말고 그대로 사용하십시오" in readme
    assert (site / "logos" / "ocpp-16-full" / "usage-guide.ko.pdf").read_bytes() == \
        archive.read("ocpp-16-full/usage-guide.ko.pdf")
    pdf = site / "logos" / "ocpp-16-full" / "usage-guide.ko.pdf"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "OCPP 인증 로고 사용 안내서" in text and "최소 크기" in text
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout.splitlines()[2:]
    assert fonts and all(" yes yes yes " in line for line in fonts)  # embedded, subset, with a Unicode map


def test_the_korean_guide_reads_korean(site, tmp_path):
    """Rendered by poppler, the Korean guide has ink where its Korean title is (outlines drawn)."""
    pdf = site / "logos" / "ocpp-16-full" / "usage-guide.ko.pdf"
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-singlefile", str(pdf), str(tmp_path / "guide")], check=True)
    from PIL import Image

    image = Image.open(tmp_path / "guide.png").convert("L")
    title = image.crop((int(image.width * 0.08), int(image.height * 0.06), int(image.width * 0.6),
                        int(image.height * 0.09)))
    assert title.getextrema()[0] < 128  # dark pixels: the title is drawn


def test_the_program_file_translates_its_own_words(site):
    page = (site / "ko" / "devices" / "voltaris-energy-b-v" / "voltaris-duo-22" / "index.html").read_text("utf-8")
    assert "충전기" in page
    assert i18n.gettext_in("ko", "Certificates") == "인증서"


@pytest.fixture(scope="module")
def served(site):
    with serve(site) as url:
        yield url


@pytest.mark.parametrize("query", ["한빛충전", "충전"])
def test_the_korean_search_finds_a_korean_vendor(browser, served, query):
    page = browser.new_page()
    page.goto(f"{served}/ko/search/?q={query}")
    page.wait_for_function("() => document.querySelectorAll('#search-results li').length > 0")
    results = page.locator("#search-results").inner_text()
    assert "한빛충전" in results
    status = page.locator("#search-status").inner_text()
    assert re.fullmatch(r"일치하는 인증서 \d+건", status), status
    link = page.locator("#search-results a.result-title").first.get_attribute("href")
    assert "/ko/certificates/" in link  # a result opens the Korean page
    page.close()


def test_the_korean_filters_panel_says_how_many_are_set(browser, served):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{served}/ko/search/")
    toggle = page.locator("#filters-toggle")
    assert toggle.inner_text() == "필터"
    toggle.tap()
    page.locator("#facets input[type=checkbox]").first.check()
    assert toggle.inner_text() == "필터 (1개 선택)"
    context.close()


def test_the_korean_certificate_page_checks_its_log_entry(browser, served):
    page = browser.new_page()
    page.goto(f"{served}/ko/certificates/OCA.0016.0115.CS/")
    page.wait_for_function("() => document.getElementById('log-status').className !== ''")
    status = page.locator("#log-status")
    assert status.get_attribute("class") == "log-ok", status.inner_text()
    assert "OCA 인증서 로그의" in status.inner_text()
    page.close()


#: a particle written both ways, "은(는)", "을(를)": what a translator writes when the word before it is a value
PLACEHOLDER_PARTICLE = re.compile(r"[이은을과와으]?\((?:가|는|를|과|와|로|은|이|을|으로)\)")


def test_no_korean_sentence_carries_a_placeholder_particle():
    """Issue 33: a Korean reader sees "은(는)" as a form left unfilled. A sentence around a value is phrased
    so that no particle follows the value (or one that fits every value), and no word is said twice
    ("OCPP 2.0.1 OCPP 인증 시험")."""
    found = [m.string for m in catalog("ko") if isinstance(m.string, str) and
             (PLACEHOLDER_PARTICLE.search(m.string) or "%(ocpp)s OCPP" in m.string)]
    assert found == []
