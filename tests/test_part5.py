"""The OCA's Part 5 in the program file, tied to the OCA's own documents, and its rules on records.

The tables are read from the documents (``tests/part5.py``: the 2.0.1 PDF through pdftotext, the 2.1 text
as published), never from our copy: the program file must hold exactly their ids, names, device types
and sections. Then each rule gets a record that breaks it, checked for its message and its line, and
the combinations Part 5 allows get records that pass.
"""

from __future__ import annotations

import re
import shutil

import pytest

from . import part5
from .conftest import VALID, line_of

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler's pdftotext")


def _space(text: str) -> str:
    return re.sub(r"\s+", " ", text).replace(" )", ")").strip()


def _held(version, device_type: str) -> dict[str, tuple[str, str]]:
    """What the program file holds for one table: id -> (the name as Part 5 writes it, its section)."""
    table = version.part5.tables[device_type]
    prefix = version.title + " "
    out = {}
    for fid, feature in table.items():
        area = version.part5.area_title(feature)
        section = area or version.profiles[feature.profile].title.removeprefix(prefix)
        out[fid] = (_space(feature.title), section.casefold())
    return out


def _documented(rows) -> dict[str, tuple[str, str]]:
    return {row.id: (_space(row.name), row.section.casefold()) for row in rows}


@pytest.fixture(scope="module")
def pdf_201():
    return part5.pdf_text()


@pytest.mark.parametrize("device_type", ["charging-station", "csms"])
def test_the_201_tables_are_the_pdfs_tables_2_and_3(program, pdf_201, device_type):
    documented = _documented(part5.tables_201(pdf_201)[device_type])
    assert len(documented) > 30
    held = _held(program.versions["2.0.1"], device_type)
    assert list(held) == list(documented)  # the same ids, in Part 5's order
    assert held == documented


@pytest.mark.parametrize("device_type", ["charging-station", "csms"])
def test_the_21_tables_are_the_texts_tables_2_and_3(program, device_type):
    documented = _documented(part5.tables_21()[device_type])
    assert len(documented) > 40
    held = _held(program.versions["2.1"], device_type)
    assert list(held) == list(documented)
    assert held == documented


@pytest.mark.parametrize("version,reader", [("2.0.1", "tables_201"), ("2.1", "tables_21")])
def test_how_each_feature_is_supported_is_part5s(program, version, reader):
    tables = getattr(part5, reader)()
    for device_type, rows in tables.items():
        table = program.versions[version].part5.tables[device_type]
        for row in rows:
            feature = table[row.id]
            assert (feature.support == "required") == row.support.startswith("Required"), row
            assert (feature.suboptions == "at-least-one") == ("At least one of the suboptions" in row.support), row
            assert (feature.suboptions == "select-all") == ("Select all supported" in row.support), row
            assert (feature.support == "conditional") == row.support.startswith(("Conditional", "Optional.")), row


@pytest.mark.parametrize("version,table", [("2.0.1", "hardware_201"), ("2.1", "hardware_21")])
def test_the_hardware_features_are_table_4(program, pdf_201, version, table):
    documented = getattr(part5, table)(pdf_201 if version == "2.0.1" else None)
    held = [(h.id, h.name) for h in program.versions[version].hardware_features.values()]
    assert held == documented


def test_the_201_profiles_are_table_1_and_independent(program, pdf_201):
    version = program.versions["2.0.1"]
    assert [p.title.removeprefix("OCPP 2.0.1 ").casefold() for p in version.profiles.values()] == \
        [name.casefold() for name in part5.profiles_201(pdf_201)]
    sentence = _space(pdf_201)
    assert 'These profiles are independent of each other, the only exception being the "ISO 15118 support" ' \
           'profile, which requires a number of "Advanced security" and "Smart charging" test cases' in sentence
    assert all(not p.requires for p in version.profiles.values())


def test_the_21_profiles_and_areas_are_the_tables_sections_and_only_bpt_needs_a_profile(program):
    version = program.versions["2.1"]
    text = _space(part5.TEXT_21.read_text(encoding="utf-8"))
    names = {p.title.removeprefix("OCPP 2.1 ").casefold() for p in version.profiles.values()}
    areas = {a.title.casefold() for a in version.part5.areas.values()}
    assert names | areas == {s.casefold() for s in part5.sections_21()}
    assert "Prerequisite for this certification profile is supporting the Certification profile Smart Charging" in text
    assert {k: p.requires for k, p in version.profiles.items() if p.requires} == \
        {"bidirectional-power-transfer": ("smart-charging",)}


# -- records ---------------------------------------------------------------------------------------

CS = """\
id: OCA.0201.0950.CS
issued: "2025-09-02"
ocpp_version: "2.0.1"
profiles: [PROFILES]
vendor:
  name: "Voltaris Energy B.V."
  country: "NL"
device:
  name: "Voltaris Duo 22"
  type: charging-station
  software_version: "5.0.1"
  hardware:
    evse: multiple
    connection: [socket]
    rfid: per-evse
    communication: [ethernet]
features:
FEATURES
test:
  laboratory: DEKRA
  date: "2025-08-14"
  tool: OCTT 4.2.1
  reports: [DEKRA-TR-2025-0288]
  results: {passed: 341, failed: 0, not_applicable: 57}
"""


def record(profiles: str, features: list[str], *, csms: bool = False, version: str = "2.0.1") -> str:
    text = CS.replace("PROFILES", profiles).replace("FEATURES", "".join(f"  - {f}\n" for f in features).rstrip("\n"))
    if version == "2.1":
        text = text.replace('ocpp_version: "2.0.1"', 'ocpp_version: "2.1"').replace("OCA.0201.", "OCA.0021.") \
            .replace('issued: "2025-09-02"', 'issued: "2026-02-02"').replace('date: "2025-08-14"', 'date: "2026-01-14"')
    if csms:
        text = re.sub(r"  hardware:\n(    .*\n)+", "", text).replace("charging-station", "csms").replace(".CS\n", ".CSMS\n")
    return text


@pytest.fixture
def check(records):
    """check(text) -> the problems of a folder holding only this record."""

    def run(text: str) -> list[str]:
        shutil.rmtree(records.base / "certs")
        (records.base / "certs").mkdir()
        records.add(text, name_of(text))
        return records.problems()

    return run


def name_of(text: str) -> str:
    return re.search(r"^id: (\S+)$", text, re.M).group(1)


def at(text: str, snippet: str, rest: str) -> str:
    return f"certs/2024/{name_of(text)}.yaml:{line_of(text, snippet)}: {rest}"


VALID_CASES = [
    # the OCA issues Core + C + I and Core + C + D + I (OCA.0201.0135.CSMS, OCA.0201.0037.CSMS)
    ("core, smart-charging, iso-15118", ["C-11", "SC-4", "ISO-4"], True, "2.0.1"),
    ("core, smart-charging, advanced-device-management, iso-15118", ["C-50.1", "C-50.2", "ISO-3"], True, "2.0.1"),
    ("core, iso-15118", ["ISO-5"], False, "2.0.1"),
    # sub-options as Part 5 numbers them
    ("core, smart-charging, advanced-user-interface",
     ["C-06.1", "C-09.2", "C-10.4", "C-29.1", "C-36", "C-40.3", "SC-2.1", "UI-1.2", "UI-2.4"], False, "2.0.1"),
    ("core, local-auth-list-management", ["C-01", "C-36", "LA-1", "LA-3"], False, "2.0.1"),
    ("core, reservation", ["C-02", "C-01", "C-36", "R-2", "R-3"], False, "2.0.1"),
    ("core, local-auth-list-management, reservation", ["C-30", "C-31", "C-35", "C-36", "C-37", "LA-2", "R-1"], True,
     "2.0.1"),
    # 2.1: feature areas of Core, Bidirectional Power Transfer with Smart Charging
    ("core, smart-charging, bidirectional-power-transfer",
     ["C-06.2", "C-36", "SC-2.2", "SC-5.1", "SC-10", "BPT-1", "BPT-2", "R-0", "R-1", "P-0", "P-2.2"], False, "2.1"),
    ("core, iso-15118", ["C-35", "C-01", "C-39", "ISO-1.1", "ISO-1.2", "ISO-6"], False, "2.1"),
    ("core, der-control", ["C-76", "P-0", "DM-0", "UI-0", "LA-0", "LA-2"], True, "2.1"),
]


@pytest.mark.parametrize("profiles,features,csms,version", VALID_CASES)
def test_combinations_part5_allows_are_valid(check, profiles, features, csms, version):
    text = record(profiles, features, csms=csms, version=version)
    assert [p for p in check(text) if "warning" not in p] == []


def test_a_feature_id_part5_does_not_have_is_refused_on_its_line(check):
    text = record("core", ["C-36", "C-05"])
    assert check(text) == [at(text, "- C-05", "features[1]: C-05 is not an optional feature of OCPP 2.0.1 in "
                                               "OCPP 2.0.1 Part 5, Edition 3 (2024-05-06); an id of its table for a "
                                               "charging station, such as C-01")]


def test_a_feature_of_a_profile_the_certificate_does_not_hold_is_refused(check):
    text = record("core, smart-charging", ["C-36", "LA-1"])
    assert check(text) == [at(text, "- LA-1", "features[1]: LA-1 (Authorization list support (LocalAuthListEnabled)) "
                                               "is a feature of OCPP 2.0.1 Local Authorization List Management, "
                                               "which this certificate does not hold; the profile "
                                               "local-auth-list-management in profiles, or no LA-1")]


def test_a_feature_of_the_other_device_type_is_refused(check):
    text = record("core", ["C-36", "C-11"])
    assert check(text) == [at(text, "- C-11", "features[1]: C-11 (Support for unlocking connector for charging "
                                               "station with detachable cable (UnlockConnector message).) is a feature "
                                               "of a CSMS, not of a charging station; the features of OCPP 2.0.1 "
                                               "Part 5, Edition 3 (2024-05-06) for a charging station")]
    text = record("core, smart-charging", ["SC-2.1"], csms=True)
    assert "is a feature of a charging station, not of a CSMS" in check(text)[0]
    assert check(text)[0].startswith(at(text, "- SC-2.1", "features[0]: SC-2.1"))


def test_a_sub_option_that_does_not_exist_is_refused(check):
    text = record("core", ["C-36", "C-06.3"])
    assert check(text) == [at(text, "- C-06.3", "features[1]: C-06.3 is not a sub-option of C-06 (Authorization "
                                                "status after cable disconnected on EV side (StopTxOnEVSideDisconnect)) "
                                                "in OCPP 2.0.1 Part 5, Edition 3 (2024-05-06); one of its sub-options: "
                                                "C-06.1, C-06.2")]
    text = record("core", ["C-36", "C-13.1"])
    assert check(text) == [at(text, "- C-13.1", "features[1]: C-13.1 is not a sub-option of C-13 (Support for Reset "
                                                "per EVSE (AllowReset)) in OCPP 2.0.1 Part 5, Edition 3 (2024-05-06); "
                                                "C-13: it has no sub-options")]


def test_a_sub_option_of_21_is_not_one_of_201(check):
    text = record("core", ["C-36", "C-29.7"])
    assert "features[1]: C-29.7 is not a sub-option of C-29" in check(text)[0]
    assert [p for p in check(record("core", ["C-36", "C-29.7"], version="2.1")) if "warning" not in p] == []


def test_offline_authorization_needs_what_part5_makes_it_depend_on(check):
    text = record("core", ["C-36", "C-01"])
    assert check(text) == [at(text, "- C-01", "features[1]: C-01 (Support for offline authorization of transactions) "
                                              "is listed without what Part 5 makes it depend on; at least one of: the "
                                              "profile OCPP 2.0.1 Local Authorization List Management; C-02; C-49")]
    text = record("core", ["C-36", "C-01"], version="2.1")
    assert "C-01 (Support for offline authorization of transactions) is listed without" in check(text)[0]
    assert [p for p in check(record("core", ["C-36", "C-01", "LA-0", "C-31"], version="2.1"))
            if "warning" not in p] == []


def test_21_areas_need_their_support_feature(check):
    text = record("core", ["C-36", "R-2"], version="2.1")
    assert check(text) == [at(text, "- R-2", "features[1]: R-2 (Support for reservation of unspecified EVSE "
                                             "(ReservationNonEvseSpecific)) is a feature of Reservation, which needs "
                                             "R-0 (Support for Reservation); R-0 listed too, or no R-2")]


def test_iso_15118_20_needs_15118_2_in_21(check):
    text = record("core, iso-15118", ["C-36", "ISO-1.2"], version="2.1")
    assert check(text) == [at(text, "- ISO-1.2", "features[1]: ISO-1.2 (ISO 15118-20) is listed without what Part 5 "
                                                 "makes it depend on; at least one of: ISO-1.1")]


def test_bidirectional_power_transfer_needs_smart_charging(check):
    text = record("core, bidirectional-power-transfer", ["C-36", "BPT-1"], version="2.1")
    assert at(text, "profiles:", "profiles: bidirectional-power-transfer is listed without smart-charging; "
                                 "bidirectional-power-transfer requires smart-charging") in check(text)


def test_a_201_profile_is_not_one_of_21(check):
    text = record("core, local-auth-list-management", ["C-36"], version="2.1")
    assert "profiles[1]" in check(text)[0] and "local-auth-list-management" in check(text)[0]


def test_group_rules_are_warnings_on_their_line(check):
    text = record("core", ["C-09", "C-30"])
    assert check(text) == [
        at(text, "features:", "features: warning: none of the authorization options for remote start (C-36, C-37, "
                              "C-38, C-39) is listed; at least one of them (Part 5: mandatory to support at least one)"),
        at(text, "- C-09", "features[0]: warning: C-09 (Supported Transaction Start points (TxStartPoint)) is listed "
                           "without any of its sub-options; at least one of C-09.1, C-09.2, C-09.3, C-09.4, C-09.5, "
                           "C-09.6 (Part 5: at least one is required)")]


def test_a_listing_record_may_state_features_without_the_group_rules(check):
    text = record("core", ["C-09"]).replace("test:\n", "source: oca-listing\ntest:\n")
    text = re.sub(r"test:\n(  .*\n)+", "", text)
    assert check(text) == []


HARDWARE = "    communication: [ethernet]\n"


def test_the_hardware_feature_set_may_name_part5s_ids(check):
    text = record("core", ["C-36"]).replace(HARDWARE, HARDWARE + "    hfs: [HFS-1, HFS-3, HFS-7]\n")
    assert check(text) == []
    text = record("core", ["C-36"]).replace(HARDWARE, HARDWARE + "    hfs: [HFS-2, HFS-4]\n")
    assert check(text) == [
        at(text, "    hfs:", "device.hardware.hfs: HFS-1 (Charging Station has a detachable cable) is not listed, but "
                             "device.hardware.connection includes socket; HFS-1 in hfs exactly when connection includes "
                             "socket"),
        at(text, "    hfs:", "device.hardware.hfs: HFS-2 (Charging Station has a fixed cable) is listed, but "
                             "device.hardware.connection does not include fixed-cable; HFS-2 in hfs exactly when "
                             "connection includes fixed-cable")]


def test_hardware_ids_that_are_fields_values_or_unknown_are_refused(check):
    text = record("core", ["C-36"]).replace(HARDWARE, HARDWARE + "    hfs:\n      - HFS-1\n      - HFS-8\n      - HFS-13\n")
    assert check(text) == [
        at(text, "- HFS-8", "device.hardware.hfs[1]: HFS-8 (No. EVSEs of Charging Station) is stated by "
                            "device.hardware.evse; device.hardware.evse, not HFS-8 in hfs"),
        at(text, "- HFS-13", 'device.hardware.hfs[2]: "HFS-13" is not a hardware feature of OCPP 2.0.1\'s Part 5 '
                             "(Table 4); one of: HFS-1, HFS-2, HFS-3, HFS-4, HFS-5, HFS-6, HFS-7")]
    text = record("core", ["C-36"], version="2.1").replace(HARDWARE, HARDWARE + "    hfs: [HFS-1, HFS-13]\n")
    assert check(text) == []


def test_a_16_record_has_no_part5_hardware_ids(check):
    text = VALID.replace("    communication: [ethernet, mobile]\n", "    communication: [ethernet, mobile]\n    hfs: [HFS-1]\n")
    assert "hfs" in text
    assert "device.hardware.hfs: is given for OCPP 1.6" in "\n".join(check(text))


def test_a_family_certificate_checks_ids_but_not_profiles(check):
    text = record("family", ["C-36", "SC-2.1"]).replace('ocpp_version: "2.0.1"', 'ocpp_version: "2.0.1"\nedition: family')
    assert check(text) == []
    text = record("family", ["C-36", "C-05"]).replace('ocpp_version: "2.0.1"', 'ocpp_version: "2.0.1"\nedition: family')
    assert "features[1]: C-05 is not an optional feature" in check(text)[0]
