"""Version 2 of the record format: numbers, editions, listing-only records, documents, revisions, vendors.
One bad input a test, checked for its message and its line."""

from __future__ import annotations

from .conftest import VALID, line_of

P = "certs/2024/OCA.0016.0115.CS.yaml"
LISTING = """\
id: OCA.0016.0200.CSMS
source: oca-listing
issued: "2025-11-20"
ocpp_version: "1.6"
edition: modular
profiles: [core, advanced-security, smart-charging]
vendor:
  name: Hanbit Co.
  country: KR
device:
  name: Hanbit Cloud
  type: csms
"""


def at(text: str, snippet: str, rest: str, path: str = P) -> str:
    return f"{path}:{line_of(text, snippet)}: {rest}"


def test_a_listing_record_may_hold_only_what_the_listing_publishes(check):
    assert check(LISTING) == []


def test_a_white_label_number_names_its_original(check, records):
    text = VALID.replace("id: OCA.0016.0115.CS", "id: W01.OCA.0016.0999.CS")
    assert at(text, "id:", "id: W01.OCA.0016.0999.CS is a white label's number, of OCA.0016.0999.CS; "
                           "white_label_of: OCA.0016.0999.CS", "certs/2024/W01.OCA.0016.0999.CS.yaml") in check(text)


def test_the_number_says_the_version(check):
    text = VALID.replace("id: OCA.0016.0115.CS", "id: OCA.0201.0115.CS")
    assert check(text) == [at(text, "id:", "id: OCA.0201.0115.CS is numbered as an OCPP 2.0.1 certificate (0201); "
                                           "ocpp_version 1.6 numbers 0016", "certs/2024/OCA.0201.0115.CS.yaml")]


def test_the_number_says_the_device_type(check):
    text = LISTING.replace("id: OCA.0016.0200.CSMS", "id: OCA.0016.0200.CS")
    assert check(text) == [at(text, "id:", "id: OCA.0016.0200.CS ends in .CS, the number of another device type; "
                                           "a CSMS is numbered ....CSMS", "certs/2024/OCA.0016.0200.CS.yaml")]


def test_an_unknown_edition_is_refused(check):
    text = LISTING.replace("edition: modular", "edition: second")
    assert check(text) == [at(text, "edition:", 'edition: "second" is not an edition of the procedure for OCPP 1.6; '
                                                "one of: first, modular, family", "certs/2024/OCA.0016.0200.CSMS.yaml")]


def test_an_edition_applies_from_its_date(check):
    text = LISTING.replace('issued: "2025-11-20"', 'issued: "2025-06-01"')
    assert check(text) == [at(text, "edition:", "edition: modular applies since 2025-10-01, after the issue date "
                                                "2025-06-01; an edition that applied on 2025-06-01",
                              "certs/2024/OCA.0016.0200.CSMS.yaml")]


def test_a_full_record_has_its_tests_and_software_version(check):
    text = VALID[:VALID.index("test:")] + VALID[VALID.index("performance:"):]
    assert at(text, "id:", "test: is missing; the tests' laboratory, date, tool, reports and results; a certificate "
                           "known only from the OCA's listing says source: oca-listing") in check(text)
    text = VALID.replace('  software_version: "4.10.0"\n', "")
    assert at(text, "device:", 'device.software_version: is missing; the OCPP software version certified, quoted, '
                               'such as "4.10.0"') in check(text)


def test_a_document_names_a_file_or_an_address(check):
    text = VALID + "document: {}\n"
    assert at(text, "document:", "document: names no document; file: (a PDF beside the record) or url: (the OCA's "
                                 "copy)") in check(text)
    text = VALID + "document:\n  url: http://oca.example/c.pdf\n"
    assert check(text) == [at(text, "url:", 'document.url: "http://oca.example/c.pdf" is not an https:// address; '
                                            "the address of the OCA's copy of the document, starting with https://")]


def test_a_document_file_is_a_pdf_beside_the_record(check, records):
    text = VALID + "document:\n  file: OCA.0016.0115.CS-doc.pdf\n"
    assert check(text) == [at(text, "document:", "document.file: OCA.0016.0115.CS-doc.pdf is not beside the record; "
                                                 "a PDF file in certs/2024")]
    (records.base / "certs" / "2024" / "OCA.0016.0115.CS-doc.pdf").write_bytes(b"not a pdf")
    assert records.problems() == [at(text, "document:", "document.file: OCA.0016.0115.CS-doc.pdf is not a PDF; "
                                                        "the certificate document, a PDF file")]
    with open(records.base / "certs" / "2024" / "OCA.0016.0115.CS-doc.pdf", "wb") as big:
        big.write(b"%PDF-1.7\n")
        big.truncate(21 * 1024 * 1024)
    assert records.problems() == [at(text, "document:", "document.file: OCA.0016.0115.CS-doc.pdf is 22020096 bytes; "
                                                        "the certificate document, a PDF file of at most 20 MB")]


def test_revisions_come_after_the_issue_oldest_first_and_not_in_the_future(check):
    base = VALID + "revisions:\n"
    text = base + '  - date: "2024-01-01"\n    change: Earlier\n'
    assert check(text) == [at(text, '"2024-01-01"', "revisions[0].date: 2024-01-01 is before the issue date "
                                                    "2024-03-18; the date the certificate was re-issued, after it was "
                                                    "first issued")]
    text = base + '  - date: "2025-02-01"\n    change: One\n  - date: "2025-01-01"\n    change: Two\n'
    assert check(text) == [at(text, '"2025-01-01"', "revisions[1].date: 2025-01-01 is not after the revision before it "
                                                    "(2025-02-01); revisions oldest first, one a day at most")]
    text = base + '  - date: "2027-01-01"\n    change: Later\n'
    assert check(text) == [at(text, '"2027-01-01"', "revisions[0].date: 2027-01-01 is in the future; a date on or "
                                                    "before 2026-11-24")]


def test_a_spelling_belongs_to_one_vendor(check, records):
    (records.base / "certs" / "vendors.yaml").write_text(
        "vendors:\n  - name: Voltaris Energy B.V.\n    aliases: [Voltaris]\n  - name: Voltaris Two\n"
        "    aliases: [Voltaris]\n", "utf-8")
    assert "certs/vendors.yaml:4: vendors[1]: \"Voltaris\" is already a spelling of \"Voltaris Energy B.V.\"; each " \
           "spelling under one vendor" in check(VALID)
