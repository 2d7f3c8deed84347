"""Importing the OCA's listing: real rows, every refused and warned form, re-runs, and the built site."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest

from ocpp_directory.importing.listing import COLUMNS, import_listing
from ocpp_directory.model.directory import load_directory

from .conftest import ROOT, TODAY

SAMPLE = ROOT / "tests" / "data" / "listing" / "oca-listing-sample.csv"
HEADER = ",".join(COLUMNS)
CSMS = "Charging Station Management System"
UPLOADS = "https://openchargealliance.org/wp-content/uploads"


def row(number, company="Ampeco LTD", *, link="", country="Bulgaria", product="AMPECO Platform", kind="Full",
        software="v.2.103.2", version="OCPP 1.6", date="2023-10-18", url=None, product_type=CSMS) -> str:
    url = f"{UPLOADS}/2023/12/Certificate_{number}.pdf" if url is None else url
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow([number, company, link, country, product, kind, software, version,
                                                    date, url, product_type])
    return out.getvalue()


def listing(tmp_path: Path, *rows: str, name: str = "listing.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + "\n" + "".join(rows), "utf-8")
    return path


def run(path: Path, into: Path, program):
    summary = import_listing(path, into, program, TODAY)
    adds_up = summary.written + summary.updated + summary.unchanged + summary.kept + summary.merged + summary.refused
    assert adds_up == summary.read, "a row was lost"
    return summary, [str(p) for p in summary.problems]


def test_the_six_real_rows_import_and_build(tmp_path, program):
    summary, problems = run(SAMPLE, tmp_path / "certs", program)
    assert (summary.read, summary.written, summary.refused) == (6, 6, 0)
    shown = str(SAMPLE)
    assert problems == [
        f"{shown}:6: software_version: warning: is empty; written without a software version (the document states it)",
        f"{shown}:7: product_type: warning: OCA.0016.0039.CS is a Charging station number but is listed under "
        f"{CSMS}; written as a Charging station, as its number says",
    ]
    directory = load_directory(tmp_path / "certs", program, TODAY)
    by_id = directory.by_id
    assert by_id["OCA.0016.1268.CSMS"].certificate_type == "Core + S + C"
    assert by_id["OCA.0016.1268.CSMS"].vendor_country == "KR"
    assert by_id["OCA.0201.0102.CSMS"].certificate_type == "Core + S + L + C + D + R + U + I"
    assert by_id["OCA.0016.0509.CSMS"].profiles == ("full",) and by_id["OCA.0016.0510.CSMS"].profiles == ("security",)
    alon = by_id["OCA.0016.1137.CSMS"]
    assert alon.software_version is None and [str(r.date) for r in alon.revisions] == ["2025-12-12"]
    assert by_id["OCA.0016.0039.CS"].device_type == "charging-station"
    assert all(c.from_listing and c.document.url.startswith(UPLOADS) for c in directory.certificates)


def test_each_refused_form_is_reported_on_its_line(tmp_path, program):
    path = listing(
        tmp_path,
        row("OCA.0016.0509.CSMS"),                                            # 2: fine
        row("Ampeco LTD", url=f"{UPLOADS}/x/Certificate.pdf"),                # 3: no number anywhere
        row("OCA.0016.0511.CSMS", kind="Full + Turbo"),                       # 4: unknown type
        row("OCA.0016.0512.CSMS", country="Atlantis"),                        # 5: unknown country
        row("OCA.0016.0513.CSMS", date="18/10/2023"),                         # 6: not a date
        row("OCA.0016.0509.CSMS"),                                            # 7: twice
        row("OCA.0201.0514.CSMS"),                                            # 8: 2.0.1 number, OCPP 1.6
        row("OCA.0016.0515.CSMS", product_type="Charger"),                    # 9: unknown product type
        row("OCA.0016.0516.CSMS", kind="Subset"),                             # 10: subset for a CSMS
        row("W01.OCA.0016.0999.CSMS", company="Other Co."),                   # 11: white label, no original
        row("OCA.0016.0517.CSMS", version="OCPP 2.2"),                        # 12: no such version
    )
    summary, problems = run(path, tmp_path / "certs", program)
    p = str(path)
    assert problems == [
        f'{p}:3: certificate_no: "Ampeco LTD" is not an OCA certificate number; a number such as '
        "OCA.0016.1268.CSMS, or a document whose file name holds one",
        f'{p}:4: certificate_type: "Full + Turbo" is not a certificate type of OCPP 1.6; its profiles in the OCA\'s '
        "notation joined by ' + ', of: C, Core, D, Family, Full, I, L, R, S, Security, Subset, U",
        f'{p}:5: country: "Atlantis" is not a country name; an English country name, such as Republic of Korea or '
        "Bulgaria",
        f'{p}:6: date_of_registration: "18/10/2023" is not a date; a date such as 2025-06-02',
        f"{p}:8: protocol_version: OCPP 1.6 but OCA.0201.0514.CSMS is numbered for another version; a OCPP 1.6 "
        "certificate is numbered OCA.0016...",
        f'{p}:9: product_type: "Charger" is not a product type of the listing; one of: {CSMS}, Charging Station',
        f'{p}:12: protocol_version: "OCPP 2.2" is not a version of the program; one of: OCPP 1.6, OCPP 2.0.1, OCPP 2.1',
        f"{p}:7: certificate_no: OCA.0016.0509.CSMS is also on line 2; each certificate once (a re-issue as "
        "'... - update-<date>')",
        f"{p}:10: certificate_type: subset is not a profile for a CSMS; subset only for: charging-station; a CSMS is "
        "certified for the whole specification (section 6.2.1)",
        f"{p}:11: certificate_no: no certificate has the id OCA.0016.0999.CSMS; the id of the certificate of the "
        "identical product that was tested",
    ]
    assert (summary.read, summary.written, summary.refused) == (11, 1, 10)
    assert sorted(p.name for p in (tmp_path / "certs").rglob("*.yaml")) == ["OCA.0016.0509.CSMS.yaml"]


def test_each_warned_form_is_written_and_reported(tmp_path, program):
    link = "https://openchargealliance.org/participants/ampup/"
    path = listing(
        tmp_path,
        row("AmpUp Inc.", company="AmpUp Inc.", link=link, url=f"{UPLOADS}/2024/01/Certificate_OCA.0016.0601.CSMS_AmpUp.pdf"),
        row("OCA.0016.0602.CSMS", company="AmpUp", link=link),
        row("OCA.0016.0603.CSMS", company="E-wave Co., Ltd. (Formerly CS Technology)", country="Republic of Korea"),
        row("OCA.0016.0604.CSMS", url="http://example.org/cert.pdf", software=""),
        row("OCA.0016.0605.CS", product="Wallbox 7"),
        row("W01.OCA.0016.0602.CSMS", company="Resold Ltd", link=link + "x"),
        row("OCA.0201.0606.CS", version="OCPP 2.0.1", kind="Family", product="Canopy series",
            product_type="Charging Station"),
    )
    summary, problems = run(path, tmp_path / "certs", program)
    p = str(path)
    assert problems == [
        f'{p}:2: certificate_no: warning: "AmpUp Inc." is not a certificate number; OCA.0016.0601.CSMS is taken from '
        "the document's file name; the certificate's number",
        f"{p}:5: software_version: warning: is empty; written without a software version (the document states it)",
        f'{p}:5: certificate_url: warning: "http://example.org/cert.pdf" is not an https:// address; written without '
        "a document",
        f"{p}:6: product_type: warning: OCA.0016.0605.CS is a Charging station number but is listed under {CSMS}; "
        "written as a Charging station, as its number says",
    ]
    assert (summary.written, summary.refused) == (7, 0)
    directory = load_directory(tmp_path / "certs", program, TODAY)
    ampup = next(v for v in directory.vendors if v.name == "AmpUp Inc.")
    assert ampup.spellings == ["AmpUp"] and ampup.entry.participant_page == link
    assert next(v for v in directory.vendors if v.name == "E-wave Co., Ltd.").entry.former_names == ("CS Technology",)
    assert directory.by_id["W01.OCA.0016.0602.CSMS"].white_label_of == "OCA.0016.0602.CSMS"
    assert directory.by_id["OCA.0201.0606.CS"].certificate_type == "Family"


def test_running_again_changes_nothing_and_a_newer_listing_adds_and_never_overwrites_an_edit(tmp_path, program):
    into = tmp_path / "certs"
    first = listing(tmp_path, row("OCA.0016.0509.CSMS"), row("OCA.0016.0510.CSMS", kind="Security"))
    run(first, into, program)
    files = {p: p.read_bytes() for p in into.rglob("*") if p.is_file()}
    again, _ = run(first, into, program)
    assert (again.written, again.updated, again.unchanged) == (0, 0, 2)
    assert {p: p.read_bytes() for p in into.rglob("*") if p.is_file()} == files

    edited = into / "2023" / "OCA.0016.0510.CSMS.yaml"
    edited.write_text(edited.read_text("utf-8").replace('"AMPECO Platform"', '"AMPECO Platform X"'), "utf-8")
    newer = listing(tmp_path, row("OCA.0016.0509.CSMS"), row("OCA.0016.0510.CSMS", kind="Security", software="v.3"),
                    row("OCA.0016.0509.CSMS - update-2024-05-02", url=f"{UPLOADS}/2024/05/Certificate_0509_new.pdf"),
                    row("OCA.0016.0700.CSMS", date="2024-06-01"), name="newer.csv")
    summary, problems = run(newer, into, program)
    assert (summary.written, summary.updated, summary.kept, summary.merged) == (1, 1, 1, 1)
    assert problems == [f"{newer}:3: certificate_no: warning: {edited} was edited since it was imported, and the "
                        "listing now differs; the file left as it is; compare it with the listing by hand"]
    assert "AMPECO Platform X" in edited.read_text("utf-8")
    revised = load_directory(into, program, TODAY).by_id["OCA.0016.0509.CSMS"]
    assert [(str(r.date), r.document.url) for r in revised.revisions] == [
        ("2024-05-02", f"{UPLOADS}/2024/05/Certificate_0509_new.pdf")]


def test_a_listing_without_the_columns_is_refused_whole(tmp_path, program):
    path = tmp_path / "other.csv"
    path.write_text("number,company\nOCA.0016.0001.CS,X\n", "utf-8")
    summary = import_listing(path, tmp_path / "certs", program, TODAY)
    assert [str(p) for p in summary.problems] == [
        f"{path}:1: header: has no column certificate_no, company_link, country, product_designation, "
        "certificate_type, software_version, protocol_version, date_of_registration, certificate_url, product_type; "
        "the columns of the OCA's listing: " + ", ".join(COLUMNS)]
    assert not (tmp_path / "certs").exists() or not list((tmp_path / "certs").rglob("*.yaml"))


@pytest.fixture(scope="module")
def imported_site(tmp_path_factory):
    """The six real rows imported with make import, and built with make html, as an operator would."""
    from .conftest import make

    base = tmp_path_factory.mktemp("imported")
    into, out = base / "certs", base / "output"
    result = make("import", f"LISTING={SAMPLE}", f"INTO={into}")
    assert result.returncode == 0, result.stderr
    assert "6 rows read" in result.stdout and "6 records written" in result.stdout
    built = make("html", f"CERTIFICATES={into}", f"OUTPUTDIR={out}", "SITEURL=https://certs.example.org")
    assert built.returncode == 0, built.stderr
    assert "build: 6 certificates" in built.stdout and "error" not in built.stderr.lower()
    return out


def test_the_imported_site_has_every_certificate_with_its_type_and_document(imported_site):
    data = json.loads((imported_site / "directory.json").read_bytes())
    by_id = {c["id"]: c for c in data["certificates"]}
    assert set(by_id) == {"OCA.0016.0509.CSMS", "OCA.0016.0510.CSMS", "OCA.0016.1268.CSMS", "OCA.0201.0102.CSMS",
                          "OCA.0016.1137.CSMS", "OCA.0016.0039.CS"}
    assert all(c["source"] == "oca-listing" for c in by_id.values())
    rows = list(csv.DictReader(io.StringIO((imported_site / "directory.csv").read_text("utf-8"))))
    assert {r["id"]: r["certificate_type"] for r in rows}["OCA.0016.1268.CSMS"] == "Core + S + C"
    page = (imported_site / "certificates" / "OCA.0016.1268.CSMS" / "index.html").read_text("utf-8")
    assert "Issued before this directory" in page and "Core + S + C" in page and "A-Pro Co. LTD." in page
    assert f'href="{UPLOADS}/2026/07/Certificate_OCA.0016.1268.CSMS_A-Pro.pdf"' in page
    ledger = json.loads((imported_site / "ledger.json").read_bytes())
    assert set(ledger["certificates"]) == set(by_id)


def test_the_imported_site_in_chromium(imported_site, browser):
    """The certificate page of OCA.0016.1268.CSMS, its QR code decoded, and search by type and vendor."""
    import zxingcpp
    from PIL import Image

    from .conftest import serve
    from .test_search import type_query

    with serve(imported_site) as url:
        page = browser.new_page()
        page.goto(url + "/certificates/OCA.0016.1268.CSMS/")
        assert page.get_by_role("heading", level=1).inner_text() == "OCA.0016.1268.CSMS"
        assert "Core + S + C" in page.locator("dl.fields").inner_text()
        image = Image.open(imported_site / "certificates" / "OCA.0016.1268.CSMS" / "qr.png")
        assert [r.text for r in zxingcpp.read_barcodes(image)] == [
            "https://certs.example.org/certificates/OCA.0016.1268.CSMS/"]
        core_s_c = {"OCA.0016.1268.CSMS", "OCA.0016.1137.CSMS"}
        # The type as the site writes it, with spaces or written together, means the type (issue 33: its single
        # letters used to match as words, and 2.0.1's Core + S + L + C + ... came back too).
        assert set(type_query(page, url, "Core + S + C")) == core_s_c
        assert set(type_query(page, url, "core+s+c")) == core_s_c
        assert set(type_query(page, url, "Ampeco")) == {"OCA.0016.0509.CSMS", "OCA.0016.0510.CSMS"}
        assert set(type_query(page, url, "ISO 15118")) == {"OCA.0201.0102.CSMS"}
        # One letter of the OCA's notation stands for its profile.
        assert set(type_query(page, url, "S")) == core_s_c | {"OCA.0201.0102.CSMS"}
        assert "Software version not in the listing" in page.locator("#search-results").inner_text()  # 1137
        assert "null" not in page.locator("#search-results").inner_text()
        page.close()


def test_the_oca_issues_iso_15118_without_advanced_security(tmp_path, program):
    """OCA.0201.0037.CSMS (Core + C + D + I) and OCA.0201.0135.CSMS (Core + C + I) are real: Part 5's
    profiles are independent, ISO 15118 support needs only some of the others' test cases."""
    from ocpp_directory.pipeline.build import build

    from .golden_tree import BUILD_DATE

    listing_file = ROOT / "tests" / "data" / "listing" / "oca-listing-iso15118.csv"
    summary, problems = run(listing_file, tmp_path / "certs", program)
    assert (summary.read, summary.written, summary.refused) == (2, 2, 0)
    assert not [p for p in problems if "warning" not in p]
    directory = load_directory(tmp_path / "certs", program, TODAY)
    assert {c.id: c.certificate_type for c in directory.certificates} == {
        "OCA.0201.0037.CSMS": "Core + C + D + I", "OCA.0201.0135.CSMS": "Core + C + I"}
    build(str(ROOT / "pelicanconf.py"), tmp_path / "out", certificates=str(tmp_path / "certs"), date=BUILD_DATE,
          cache=tmp_path / "cache")
    page = (tmp_path / "out" / "certificates" / "OCA.0201.0037.CSMS" / "index.html").read_text("utf-8")
    assert "Core + C + D + I" in page and "OCPP 2.0.1 ISO 15118 Support" in page


def test_an_ocpp_21_row_imports(tmp_path, program):
    path = listing(tmp_path, row("OCA.0021.0003.CSMS", kind="Core + C + Bidirectional Power Transfer",
                                 version="OCPP 2.1", date="2026-06-01"),
                   row("OCA.0021.0004.CSMS", kind="Core + Bidirectional Power Transfer", version="OCPP 2.1",
                       date="2026-06-01"))
    summary, problems = run(path, tmp_path / "certs", program)
    assert (summary.written, summary.refused) == (1, 1)
    assert f"{path}:3: certificate_type: bidirectional-power-transfer is listed without smart-charging; " \
           "bidirectional-power-transfer requires smart-charging" in problems
    directory = load_directory(tmp_path / "certs", program, TODAY)
    assert directory.by_id["OCA.0021.0003.CSMS"].certificate_type == "Core + C + Bidirectional Power Transfer"
