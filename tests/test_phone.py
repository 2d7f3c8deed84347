"""Phones: at 360 x 740 and 390 x 844 no page type scrolls sideways, tables are cards, the filters a panel."""

from __future__ import annotations

import subprocess

import pytest

from .conftest import serve

#: one page of every type
PAGES = [
    "/", "/certificates/OCA.0016.0115.CS/", "/certificates/OCA.0201.0028.CSMS/", "/certificates/OCA.0016.0123.CSMS/",
    "/devices/voltaris-energy-b-v/voltaris-duo-22/", "/vendors/voltaris-energy-b-v/", "/vendors/", "/issued/2024/",
    "/search/?q=voltaris", "/verify/", "/check/", "/data/", "/logos/", "/logos/ocpp-16-full-security/", "/statistics/", "/corrections/",
    "/about/", "/how-to-verify/", "/logo-usage/", "/log/",
]
PAGES += ["/certificates/OCA.0201.0026.CS/", "/certificates/OCA.0021.0001.CS/",
          "/certificates/W01.OCA.0016.0109.CS/"]
PAGES += ["/ko" + path for path in PAGES]  # and in Korean
SIZES = [(360, 740), (390, 844)]


def test_the_browser_has_the_hangul_font_a_phone_has():
    """Korean pages are measured with Korean text, not boxes: without a Hangul font a page that a phone shows
    sideways-scrolling passed (issue 33). make test installs Debian's fonts-noto-cjk."""
    found = subprocess.run(["fc-list", ":lang=ko", "family"], capture_output=True, text=True).stdout
    assert "Noto Sans CJK" in found, "install fonts-noto-cjk (make test does, as root)"


@pytest.fixture(scope="module")
def served(site):
    with serve(site) as url:
        yield url


@pytest.mark.parametrize("width, height", SIZES)
def test_no_page_scrolls_sideways(browser, served, width, height):
    context = browser.new_context(viewport={"width": width, "height": height}, is_mobile=True, has_touch=True)
    page = context.new_page()
    wide = []
    for path in PAGES:
        page.goto(served + path)
        if "/search/" in path:
            page.wait_for_function("() => document.querySelectorAll('#search-results li').length > 0")
        # against the phone's width, not innerWidth: a mobile browser widens its layout viewport to a page
        # too wide for it (innerWidth was 485 at 390), which is the sideways scroll a phone user sees
        over = page.evaluate("() => document.documentElement.scrollWidth")
        if over > width:
            wide.append((path, over))
        # nor any part of it: a table in a box that scrolls sideways is no better on a phone
        inner = page.evaluate("() => Array.from(document.querySelectorAll('.table-scroll, pre, table'))"
                              ".filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.className || e.tagName)")
        if inner:
            wide.append((path, inner))
    context.close()
    assert wide == []


def test_a_listing_is_cards_with_labels_on_a_phone(browser, served):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(served + "/issued/2024/")
    row = page.locator("table.certificates tbody tr").first
    box = row.bounding_box()
    assert box["width"] <= 390 and box["height"] > 100  # one card, its values one under another
    label = page.evaluate("() => getComputedStyle(document.querySelector('table.certificates tbody td:nth-child(2)'),"
                          " '::before').content")
    assert label == '"Vendor: "'
    link = row.locator("a").first.bounding_box()
    assert link["height"] >= 24  # WCAG 2.2, 2.5.8
    context.close()


def test_the_filters_fold_into_a_panel_that_keyboard_and_touch_open(browser, served):
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(served + "/search/")
    toggle = page.locator("#filters-toggle")
    assert toggle.is_visible() and not page.locator("#facets").is_visible()
    assert toggle.get_attribute("aria-expanded") == "false"
    toggle.tap()
    assert page.locator("#facets").is_visible() and toggle.get_attribute("aria-expanded") == "true"
    box = page.locator("#facets input[type=checkbox]").first
    assert box.bounding_box()["height"] >= 24
    box.tap()
    page.wait_for_function("() => document.getElementById('filters-toggle').textContent === 'Filters (1 set)'")
    toggle.focus()
    page.keyboard.press("Enter")  # closed again from the keyboard
    assert not page.locator("#facets").is_visible() and toggle.get_attribute("aria-expanded") == "false"
    page.keyboard.press("Space")
    assert page.locator("#facets").is_visible()
    context.close()
