"""The sample site in headless Chromium (Debian's package, driven by Playwright)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

def test_directory_to_certificate(page, base_url):
    page.goto(base_url + "/")
    rows = page.locator("table.certificates tbody tr")
    assert rows.count() == 35
    page.get_by_role("link", name="OCA.0016.0115.CS").click()
    page.wait_for_url(base_url + "/certificates/OCA.0016.0115.CS/")
    assert page.get_by_role("heading", level=1).inner_text() == "OCA.0016.0115.CS"
    details = page.locator("dl.fields").inner_text()
    for text in ("Voltaris Energy B.V.", "Voltaris Duo 22", "4.10.0", "OCPP1.6 full certificate",
                 "OCPP1.6 security certificate", "DEKRA", "OCTT 3.6.0", "DEKRA-TR-2024-0117",
                 "212 passed, 0 failed, 31 not applicable", "Smart Charging", "Security profile 3"):
        assert text in details
    assert "covers exactly OCPP software version 4.10.0" in page.locator(".scope").inner_text()


def test_certificate_to_device_and_vendor(page, base_url):
    page.goto(base_url + "/certificates/OCA.0016.0115.CS/")
    page.locator("dl.fields").get_by_role("link", name="Voltaris Duo 22").click()
    page.wait_for_url(base_url + "/devices/voltaris-energy-b-v/voltaris-duo-22/")
    versions = page.locator("table.certificates tbody tr td:nth-child(3)").all_inner_texts()
    assert versions == ["5.0.1", "4.10.0", "4.8.2"]
    page.get_by_role("link", name="Voltaris Energy B.V.").first.click()
    page.wait_for_url(base_url + "/vendors/voltaris-energy-b-v/")
    assert page.get_by_role("link", name="Voltaris Home 7").count() >= 1


def test_columns_sort_with_javascript(page, base_url):
    page.goto(base_url + "/")
    page.get_by_role("button", name="Vendor").click()
    header = page.locator("th", has=page.get_by_role("button", name="Vendor"))
    assert header.get_attribute("aria-sort") == "ascending"
    first = page.locator("table.certificates tbody tr").first.locator("td").nth(1).inner_text()
    assert first == "Ampère & Fils SA"
    page.get_by_role("button", name="Issued").click()
    page.get_by_role("button", name="Issued").click()
    dates = page.locator("table.certificates tbody td:last-child").all_inner_texts()
    assert dates == sorted(dates, reverse=True)


def test_directory_to_a_year_of_certificates(page, base_url):
    """The home page links each year of issue; a year's table sorts like the home page's."""
    page.goto(base_url + "/")
    page.locator("#by-year + ul").get_by_role("link", name="2022").click()
    page.wait_for_url(base_url + "/issued/2022/")
    assert page.get_by_role("heading", level=1).inner_text() == "Certificates issued in 2022"
    dates = page.locator("table.certificates tbody td:last-child").all_inner_texts()
    assert len(dates) == 5 and all(d.startswith("2022-") for d in dates) and dates == sorted(dates, reverse=True)
    page.get_by_role("button", name="Vendor").click()
    vendors = page.locator("table.certificates tbody tr td:nth-child(2)").all_inner_texts()
    assert vendors[:4] == ["Brightpath Charging Inc.", "Nordlicht Ladetechnik GmbH", "Rivertown Power Co.",
                           "Voltaris Energy B.V."]  # then the Korean name
    page.get_by_role("link", name="Issued in 2021").click()
    page.wait_for_url(base_url + "/issued/2021/")


def test_directory_works_without_javascript(browser, base_url):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(base_url + "/")
    assert page.locator("table.certificates tbody tr").count() == 35
    assert page.locator("th button").count() == 0
    page.get_by_role("link", name="OCA.0016.0108.CS").click()
    page.wait_for_url(base_url + "/certificates/OCA.0016.0108.CS/")
    assert "한빛충전 주식회사" in page.locator("dl.fields").inner_text()
    context.close()


def test_certificate_page_fits_a_phone(browser, base_url):
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True)
    page = context.new_page()
    for path in ("/certificates/OCA.0201.0021.CSMS/", "/certificates/OCA.0016.0120.CS/", "/vendors/"):
        page.goto(base_url + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path} scrolls sideways on a phone"
    context.close()


def test_escaped_vendor_text_shows_as_text(page, base_url):
    page.goto(base_url + "/certificates/OCA.0016.0120.CS/")
    assert "Borne <Compacte> 11" in page.get_by_role("heading", level=1).locator("xpath=..").inner_text()
    assert page.locator("compacte").count() == 0


def test_verify_a_known_id(page, base_url):
    page.goto(base_url + "/verify/")
    page.get_by_label("Certificate id or address").fill("oca.0016.0115.cs ")
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(base_url + "/certificates/OCA.0016.0115.CS/")
    assert "4.10.0" in page.locator(".check").inner_text()


def test_verify_a_scanned_address(page, base_url):
    page.goto(base_url + "/verify/")
    # the address its label's code encodes: the build's public address (make serve's, for this build)
    page.get_by_label("Certificate id or address").fill("http://localhost:8000/certificates/OCA.0201.0021.CSMS/")
    page.keyboard.press("Enter")
    page.wait_for_url(base_url + "/certificates/OCA.0201.0021.CSMS/")


def test_verify_an_unknown_id(browser, base_url):
    context = browser.new_context()
    page = context.new_page()
    page.goto(base_url + "/verify/")
    page.get_by_label("Certificate id or address").fill("OCA-16-2019-9999")
    page.get_by_role("button", name="Verify").click()
    status = page.get_by_role("status")
    status.get_by_text("No OCPP certificate has the id OCA-16-2019-9999.").wait_for()
    assert status.get_by_role("link", name="Search the directory").get_attribute("href") == \
        base_url + "/search/?q=OCA-16-2019-9999"
    assert page.url == base_url + "/verify/"
    page.get_by_label("Certificate id or address").fill("not an id!")
    page.get_by_role("button", name="Verify").click()
    status.get_by_text("is not a certificate id").wait_for()
    context.close()


def test_verify_from_a_link_with_the_id(page, base_url):
    page.goto(base_url + "/verify/?id=W01.OCA.0016.0109.CS")
    page.wait_for_url(base_url + "/certificates/W01.OCA.0016.0109.CS/")


def test_verify_without_javascript_points_to_the_address(browser, base_url):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(base_url + "/verify/")
    assert "open the certificate's address directly" in page.locator("main").inner_text()
    page.goto(base_url + "/certificates/OCA.0016.0115.CS/")
    assert page.get_by_role("heading", level=1).inner_text() == "OCA.0016.0115.CS"
    context.close()
