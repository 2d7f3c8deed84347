"""People on the street (issue 33): a technician's phone, a Korean buyer, a vendor, in Chromium with the
Hangul font a phone has. Each test is a finding of the issue, reproduced first."""

from __future__ import annotations

import re

import pytest

from .test_phone import test_the_browser_has_the_hangul_font_a_phone_has as _hangul_font_installed
from .test_search import answered, facet, results, type_query

PHONE = {"width": 390, "height": 844}


def test_a_version_typed_is_matched_exactly_or_said_to_differ(page, base_url):
    """'VD22-S 4.1' matched the 4.10.0 certificate as if it were certified; now it says it differs."""
    assert type_query(page, base_url, "VD22-S 4.10.0") == ["OCA.0016.0115.CS"]
    assert page.get_by_role("status").inner_text() == "1 certificate matches"
    assert type_query(page, base_url, "VD22-S 4.1") == ["OCA.0016.0115.CS"]
    assert "No certificate has software version 4.1 exactly" in page.get_by_role("status").inner_text()


def test_a_version_not_certified_lists_the_devices_certified_versions(page, base_url):
    assert type_query(page, base_url, "VD22-S 4.9") == []
    versions = page.locator("#search-versions")
    versions.wait_for()
    text = versions.inner_text()
    assert "Voltaris Duo 22 by Voltaris Energy B.V. is certified for these software versions only:" in text
    assert "4.10.0" in text and "5.0.1" in text
    link = versions.locator("a").first.get_attribute("href")
    assert link.endswith("/devices/voltaris-energy-b-v/voltaris-duo-22/")


@pytest.mark.parametrize("typed", ["Core + S + C + I", "core+s+c+i", "CORE +S+ C +I"])
def test_the_type_notation_means_the_type_with_or_without_spaces(page, base_url, typed):
    """The OCA's notation typed as the site writes it: before, its single letters matched any word, and
    a 1.6 certificate without ISO 15118 came back."""
    assert type_query(page, base_url, typed) == ["OCA.0201.0026.CS"]
    meta = page.locator("#search-results .meta").first.inner_text()
    assert "Core + S + C + I" in meta  # results show the notation, not the profiles' long names


@pytest.mark.parametrize("typed, vendor", [
    ("Seoul Mobility", "서울모빌리티 주식회사"),
    ("hanbit", "한빛충전 주식회사"),
    ("Nordlicht Elektro", "Nordlicht Ladetechnik GmbH"),  # a former name
])
def test_vendors_are_found_by_their_declared_names(page, base_url, samples, typed, vendor):
    """Korean vendors by their Latin names, any vendor by its aliases and former names (vendors.yaml):
    every certificate its vendor page lists."""
    expected = {c.id for c in samples.certificates if samples.device_of[c.id].vendor.name == vendor}
    assert expected and set(type_query(page, base_url, typed)) == expected


def test_the_korean_words_the_site_uses_are_searchable(page, base_url, samples):
    csms = {c.id for c in samples.certificates if c.device_type == "csms"}
    assert set(type_query(page, base_url, "충전소 관리 시스템")) == csms
    smart = {c.id for c in samples.certificates if "smart-charging" in c.profiles and c.ocpp_version != "1.6"}
    assert smart <= set(type_query(page, base_url, "스마트 충전"))


def test_active_filters_are_chips_on_every_width(page, base_url):
    for viewport in ({"width": 1280, "height": 900}, PHONE):
        page.set_viewport_size(viewport)
        page.goto(base_url + "/search/?q=&ocpp=2.0.1&type=csms")
        answered(page, "match")
        chips = page.locator("#search-chips .chip")
        assert chips.all_inner_texts() == ["OCPP 2.0.1 ×", "CSMS ×"]
        box = chips.first.bounding_box()
        assert box["y"] + box["height"] <= viewport["height"] and box["x"] + box["width"] <= viewport["width"]
        chips.nth(1).click()
        page.wait_for_function("() => document.querySelectorAll('#search-chips .chip').length === 1")
        assert "type=csms" not in page.url and not facet(page, "type", "csms").is_checked()


def test_the_korean_country_facet_is_in_korean_order(page, base_url):
    page.goto(base_url + "/ko/search/")
    names = [label.strip() for label in page.locator("input[name='country']").evaluate_all(
        "boxes => boxes.map(b => b.dataset.label)")]
    assert names == sorted(names) and "대한민국" in names and names != sorted(names, key=str.casefold)[::-1]
    assert any(re.match(r"[\uac00-\ud7a3]", n) for n in names[:3])  # Hangul names, in 가나다 order


@pytest.mark.parametrize("lang", ["", "ko/"])
def test_the_first_phone_screen_says_what_the_certificate_is(browser, base_url, samples, lang):
    """At 390 x 844 with the Hangul font, every certificate page's first screen shows that the OCA issued
    it, its software version (exactly) and its type; the header is compact."""
    _hangul_font_installed()
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    for cert in samples.certificates:
        page.goto(f"{base_url}/{lang}certificates/{cert.id}/")
        verdict = page.locator(".verdict")
        box = verdict.bounding_box()
        assert box["y"] + box["height"] <= PHONE["height"], (cert.id, box)
        text = verdict.inner_text()
        assert "Open Charge Alliance" in text and cert.certificate_type in text
        if cert.software_version is not None:
            assert cert.software_version in text and ("exactly this version" in text or "이 버전에만 해당" in text)
        else:
            assert "certificate document" in text or "인증서 문서" in text
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.locator(".site-header").bounding_box()["height"] <= 130
    context.close()


def test_every_page_names_its_publisher_and_the_data_licence(page, base_url):
    for path in ("", "ko/", "search/", "certificates/OCA.0016.0115.CS/", "ko/vendors/"):
        page.goto(f"{base_url}/{path}")
        assert page.locator(".brand-org").inner_text() == "Open Charge Alliance"
        footer = page.locator(".site-footer")
        assert footer.locator("a[rel~=license]").get_attribute("href") == "https://creativecommons.org/licenses/by/4.0/"
        assert footer.locator("a[href$='/about/#publisher']").count() == 1
    page.goto(f"{base_url}/about/")
    assert page.locator("#publisher").count() == 1 and "CC BY 4.0" in page.locator("main").inner_text()


def test_logo_statements_break_only_between_profiles(samples):
    """'Smart / Charging' read as two profiles: every line of every logo statement of every combination
    of profiles the program allows is whole profile names (and the one-line text says them in order)."""
    from ocpp_directory.outputs.logos.artwork import statement_lines, statement_text
    from ocpp_directory.outputs.logos.kits import valid_combinations

    for version in samples.program.versions.values():
        for combination in valid_combinations(version):
            logical = version.logo_lines(combination)
            names = {n for line in logical for n in line.split(", ")}
            lines = statement_lines(version, combination)
            for line in lines:
                parts = line.rstrip(",").split(", ")
                fragment = any(line != name and line in name for name in names)  # a piece of a name
                assert (all(p in names for p in parts) or line in logical) and not fragment, line
            assert statement_text(lines).replace(" / ", ", ") == ", ".join(logical)


def test_the_readme_leads_with_the_two_commands_then_the_staff_path():
    from .conftest import ROOT

    text = (ROOT / "README.md").read_text("utf-8")
    first = text.index("```sh\n")
    assert text[first:text.index("```", first + 5)].count("\nmake ") == 2
    headings = re.findall(r"^## (.+)$", text, re.M)
    assert headings[0].startswith("For OCA staff")


@pytest.mark.parametrize("ocpp, device, suffix", [("2.0.1", "charging-station", "CS"), ("1.6", "csms", "CSMS"),
                                                  ("2.1", "charging-station", "CS")])
def test_the_next_number_is_the_versions_highest_sequence_plus_one(samples, ocpp, device, suffix):
    import subprocess
    import sys

    from .conftest import ROOT

    code = samples.program.versions[ocpp].number
    used = [int(m.group(1)) for c in samples.certificates if (m := re.fullmatch(rf"OCA\.{code}\.(\d{{4}})\.\w+", c.id))]
    found = subprocess.run([sys.executable, "-m", "ocpp_directory", "next-number", "--ocpp", ocpp, "--type", device],
                           cwd=ROOT, capture_output=True, text=True, env={"PYTHONPATH": str(ROOT / "plugins"),
                                                                           "PATH": "/usr/bin:/bin"})
    assert found.returncode == 0, found.stderr
    assert found.stdout.strip() == f"OCA.{code}.{max(used) + 1:04d}.{suffix}"
    assert found.stdout.strip() not in {c.id for c in samples.certificates}


def test_verify_reads_a_number_typed_with_spaces(page, base_url):
    page.goto(base_url + "/verify/?id=OCA%200201%200026%20CS")
    page.wait_for_url("**/certificates/OCA.0201.0026.CS/")


def test_verify_suggests_the_missing_device_type_and_says_no_as_a_no(browser, base_url):
    page = browser.new_page()  # the browser logs the answer to the HEAD of a missing page as an error
    page.goto(base_url + "/verify/?id=OCA.0201.0026")
    refused = page.locator("#verify-result .notice.refused")
    refused.wait_for()
    assert "No OCPP certificate has the id OCA.0201.0026." in refused.inner_text()
    page.get_by_text("Did you mean OCA.0201.0026.CS?").wait_for()
    colour = refused.evaluate("p => getComputedStyle(p).borderLeftColor")
    assert colour == "rgb(176, 0, 32)"  # a refusal, not a neutral notice
    page.close()


def test_verify_warns_when_a_scanned_code_points_elsewhere(page, base_url):
    fake = "https://certification.openchargealliance.example.net/certificates/OCA.0016.0115.CS/"
    page.goto(base_url + "/verify/?id=" + fake)
    warning = page.locator("#verify-result .notice.refused")
    warning.wait_for()
    assert "points to certification.openchargealliance.example.net" in warning.inner_text()
    assert "/verify/" in page.url  # not taken to the certificate page as if the label were genuine
    assert page.locator("#verify-result a", has_text="OCA.0016.0115.CS").count() == 1
