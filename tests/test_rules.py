"""One test per rule of the record format: a bad record in, the exact message and line out."""

from __future__ import annotations

import datetime as dt

import pytest

from .conftest import VALID, VALID_CSMS, line_of

P = "certs/2024/OCA.0016.0115.CS.yaml"


def at(text: str, snippet: str, rest: str, path: str = P) -> str:
    return f"{path}:{line_of(text, snippet)}: {rest}"


def test_the_valid_examples_pass(check, records):
    assert check(VALID) == []
    records.add(VALID_CSMS, "OCA-201-2025-0001", "2025")
    assert records.problems() == []


# -- id ------------------------------------------------------------------------

def test_id_pattern(check):
    text = VALID.replace("id: OCA.0016.0115.CS", "id: oca-16")
    assert check(text, "oca-16") == [
        "certs/2024/oca-16.yaml:1: id: \"oca-16\" is not a certificate number; "
        "an OCA certificate number such as OCA.0016.1268.CSMS, or W01.OCA.0016.1071.CSMS for a white label"
    ]


def test_id_equals_file_name(check):
    assert check(VALID, "OCA-16-2024-0043") == [
        "certs/2024/OCA-16-2024-0043.yaml:1: id: OCA.0016.0115.CS differs from the file name "
        "OCA-16-2024-0043.yaml; the file named OCA.0016.0115.CS.yaml"
    ]


def test_id_unique_across_records(records):
    records.add(VALID, folder="2024")
    records.add(VALID, folder="archive")
    assert records.problems() == [
        "certs/archive/OCA.0016.0115.CS.yaml:1: id: OCA.0016.0115.CS is also the id of "
        "certs/2024/OCA.0016.0115.CS.yaml:1; an id used by one record only"
    ]


# -- dates ---------------------------------------------------------------------

def test_issued_is_a_date(check):
    text = VALID.replace('issued: "2024-03-18"', 'issued: "18/03/2024"')
    assert check(text) == [at(text, "issued:", 'issued: "18/03/2024" is not a date; a date as YYYY-MM-DD')]


def test_issued_is_a_real_day(check):
    text = VALID.replace('issued: "2024-03-18"', "issued: 2024-02-30")
    assert check(text) == [at(text, "issued:", "issued: 2024-02-30 is not a day of the calendar; "
                                               "a real date as YYYY-MM-DD")]


def test_issued_unquoted_is_fine(check):
    assert check(VALID.replace('issued: "2024-03-18"', "issued: 2024-03-18")) == []


def test_issued_not_after_build_date(check):
    text = VALID.replace('issued: "2024-03-18"', 'issued: "2027-01-05"')
    assert check(text) == [at(text, "issued:", "issued: 2027-01-05 is in the future; "
                                               "a date on or before the build date 2026-11-24")]


def test_test_date_not_after_issued(check):
    text = VALID.replace('date: "2024-03-04"', 'date: "2024-03-20"')
    assert check(text) == [at(text, "  date:", "test.date: 2024-03-20 is after the issue date 2024-03-18; "
                                               "the date of the tests, on or before the issue date")]


# -- ocpp_version ----------------------------------------------------------------

def test_version_unquoted_is_a_number(check):
    text = VALID.replace('ocpp_version: "1.6"', "ocpp_version: 1.6")
    assert check(text) == [at(text, "ocpp_version", 'ocpp_version: 1.6 is read as a number; '
                                                    'a string: quote it, ocpp_version: "1.6"')]


@pytest.mark.parametrize("old", ["0.7", "1.2", "1.5"])
def test_old_versions_never_eligible(check, old):
    text = VALID.replace('ocpp_version: "1.6"', f'ocpp_version: "{old}"')
    assert check(text) == [at(text, "ocpp_version", f"ocpp_version: OCPP {old} is never eligible for "
                                                    "certification (section 2); one of: 1.6, 2.0.1, 2.1")]


def test_version_not_in_program(check):
    text = VALID.replace('ocpp_version: "1.6"', 'ocpp_version: "2.2"')
    assert check(text) == [at(text, "ocpp_version", 'ocpp_version: "2.2" is not a version of the '
                                                    'certification program; one of: 1.6, 2.0.1, 2.1')]


# -- profiles --------------------------------------------------------------------

def test_profiles_not_empty(check):
    text = VALID.replace("profiles: [full, security]", "profiles: []")
    problems = check(text)
    assert at(text, "profiles:", "profiles: is an empty list; at least one item") in problems


def test_profiles_no_repeats(check):
    text = VALID.replace("profiles: [full, security]", "profiles: [full, security, full]")
    assert check(text) == [at(text, "profiles:", "profiles[2]: full is listed twice; each item once")]


def test_profile_defined_for_version(check):
    text = VALID.replace("profiles: [full, security]", "profiles: [full, smart-charging]")
    assert check(text) == [at(text, "profiles:", 'profiles[1]: "smart-charging" is not allowed; '
                                                 "one of: full, subset, security")]


def test_full_and_subset_never_together(check):
    text = VALID.replace("profiles: [full, security]", "profiles: [full, subset, security]")
    assert check(text) == [at(text, "profiles:", "profiles: full and subset are listed together; "
                                                 "at most one of: full, subset")]


def test_subset_refused_for_a_csms(check):
    text = (VALID.replace("profiles: [full, security]", "profiles: [subset]")
            .replace("type: charging-station", "type: csms").replace("OCA.0016.0115.CS", "OCA.0016.0115.CSMS")
            .replace("security_profiles: [2, 3]\n", ""))
    text = text[: text.index("  hardware:")] + text[text.index("features:"):]
    assert check(text) == [at(text, "profiles:", "profiles: subset is not a profile for a CSMS; "
                                                 "subset only for: charging-station; a CSMS is certified "
                                                 "for the whole specification (section 6.2.1)",
                              "certs/2024/OCA.0016.0115.CSMS.yaml")]


# -- vendor ------------------------------------------------------------------------

def test_vendor_name_length(check):
    text = VALID.replace("name: Voltaris Energy B.V.", "name: " + "V" * 121)
    assert check(text) == [at(text, "  name: VVV", "vendor.name: is 121 characters long; at most 120 characters")]


def test_vendor_name_not_blank(check):
    text = VALID.replace("name: Voltaris Energy B.V.", 'name: "   "')
    assert check(text) == [at(text, '  name: "   "', "vendor.name: is empty; a non-empty value")]


def test_country_iso_code(check):
    text = VALID.replace("country: NL", "country: XX")
    assert check(text) == [at(text, "country:", 'vendor.country: "XX" is not an ISO 3166-1 country code; '
                                                "two upper-case letters, such as NL, DE or KR")]


def test_country_upper_case(check):
    text = VALID.replace("country: NL", "country: nl")
    assert check(text) == [at(text, "country:", 'vendor.country: "nl" is not an ISO 3166-1 country code '
                                                "(did you mean NL?); two upper-case letters, such as NL, DE or KR")]


def test_country_no_unquoted_is_false(check):
    text = VALID.replace("country: NL", "country: NO")
    assert check(text) == [at(text, "country:", "vendor.country: NO is read as a yes/no value (YAML 1.1 reads "
                                                'it as true or false); a string: quote it, country: "NO"')]


def test_country_no_quoted_is_norway(check):
    assert check(VALID.replace("country: NL", 'country: "NO"')) == []


@pytest.mark.parametrize("url", ["http://voltaris.example", "javascript:alert(1)", "https://", "voltaris.example"])
def test_website_https(check, url):
    text = VALID.replace("website: https://voltaris.example", f'website: "{url}"')
    assert check(text) == [at(text, "website:", f'vendor.website: "{url}" is not an https:// address; '
                                                "an address starting with https://, such as https://example.com")]


# -- device ------------------------------------------------------------------------

def test_device_name_length(check):
    text = VALID.replace("name: Voltaris Duo 22", "name: " + "D" * 121)
    assert check(text) == [at(text, "  name: DDD", "device.name: is 121 characters long; at most 120 characters")]


def test_device_type(check):
    text = VALID.replace("type: charging-station", "type: charger")
    assert check(text) == [at(text, "type:", 'device.type: "charger" is not allowed; '
                                             "one of: charging-station, csms")]


def test_models_are_strings(check):
    text = VALID.replace('models: ["VD22-S", "VD22-C"]', 'models: ["VD22-S", {a: b}]')
    assert check(text) == [at(text, "models:", "device.models[1]: is a mapping; a single text value")]


def test_software_version_must_be_quoted(check):
    text = VALID.replace('software_version: "4.10.0"', "software_version: 4.10.0")
    assert check(text) == [at(text, "software_version", 'device.software_version: 4.10.0 is not quoted; '
                                                        'a quoted string, so that YAML never reads it as a '
                                                        'number: "4.10.0"')]


def test_software_version_1_10_is_a_number(check):
    text = VALID.replace('software_version: "4.10.0"', "software_version: 1.10")
    assert check(text) == [at(text, "software_version", 'device.software_version: 1.10 is read as a number; '
                                                        'a string: quote it, software_version: "1.10"')]


def test_hardware_required_for_a_station(check):
    text = VALID[: VALID.index("  hardware:")] + VALID[VALID.index("features:"):]
    assert check(text) == [at(text, "device:", "device.hardware: is missing; the hardware feature set of the "
                                               "charging station: evse, connection, rfid, communication")]


def test_hardware_absent_for_a_csms(records):
    text = VALID_CSMS.replace('  software_version: "2025.1"\n',
                              '  software_version: "2025.1"\n  hardware: {evse: single}\n')
    records.add(text, "OCA-201-2025-0001", "2025")
    assert records.problems() == [
        f"certs/2025/OCA-201-2025-0001.yaml:{line_of(text, 'hardware')}: device.hardware: is given for a CSMS; "
        "no hardware for a CSMS: the hardware feature set is a charging station's"
    ]


@pytest.mark.parametrize(
    "old,new,field,choices",
    [
        ("evse: multiple", "evse: two", "evse", "single, multiple"),
        ("rfid: per-evse", "rfid: many", "rfid", "none, single, per-evse"),
        ("connection: [socket]", "connection: [plug]", "connection[0]", "socket, fixed-cable"),
        ("communication: [ethernet, mobile]", "communication: [ethernet, lora]", "communication[1]",
         "ethernet, wifi, mobile"),
    ],
)
def test_hardware_values(check, old, new, field, choices):
    text = VALID.replace(old, new)
    value = new.split(": ")[1].strip("[]").split(", ")[-1]
    assert check(text) == [at(text, new, f'device.hardware.{field}: "{value}" is not allowed; one of: {choices}')]


def test_hardware_fields_required(check):
    text = VALID.replace("    rfid: per-evse\n", "")
    assert check(text) == [at(text, "  hardware:", "device.hardware.rfid: is missing; this field is required")]


# -- features ------------------------------------------------------------------------

def test_features_required_with_full(check):
    text = VALID[: VALID.index("features:")] + VALID[VALID.index("security_profiles"):]
    assert check(text) == [f"{P}:1: features: is missing; the optional functionalities the laboratory "
                           "confirmed; required with full"]


def test_features_unknown_for_16(check):
    text = VALID.replace("  - remote-trigger", "  - remote-trigger\n  - display-messages")
    assert check(text) == [at(text, "display-messages", 'features[6]: "display-messages" is not an OCPP 1.6 '
                                                        "functionality; one of: core, firmware-management, "
                                                        "smart-charging, reservation, local-auth-list-management, "
                                                        "remote-trigger")]


def test_full_needs_all_six(check):
    text = VALID.replace("  - reservation\n", "")
    assert check(text) == [at(text, "features:", "features: reservation missing for full; OCPP1.6 full "
                                                 "certificate needs all of: core, firmware-management, "
                                                 "smart-charging, reservation, local-auth-list-management, "
                                                 "remote-trigger")]


def test_subset_needs_core(check):
    text = VALID.replace("profiles: [full, security]", "profiles: [subset, security]").replace("  - core\n", "")
    assert check(text) == [at(text, "features:", "features: core missing for subset; "
                                                 "OCPP1.6 subset certificate always includes core")]


def test_subset_with_core_only(check):
    text = VALID.replace("profiles: [full, security]", "profiles: [subset]").replace("security_profiles: [2, 3]\n", "")
    start = text.index("  - firmware-management")
    text = text[:start] + text[text.index("test:"):]
    assert check(text) == []


# -- security_profiles ------------------------------------------------------------

def test_security_profiles_absent_without_security(check):
    text = VALID.replace("profiles: [full, security]", "profiles: [full]")
    assert check(text) == [at(text, "security_profiles", "security_profiles: is given without the security "
                                                         "profile; security profiles only on a certificate "
                                                         "with security")]


def test_security_profiles_required_with_security(check):
    text = VALID.replace("security_profiles: [2, 3]\n", "")
    assert check(text) == [f"{P}:1: security_profiles: is missing; the security profiles tested, "
                           "required with security"]


def test_security_profiles_need_2_or_3(check):
    text = VALID.replace("security_profiles: [2, 3]", "security_profiles: [1]")
    assert check(text) == [at(text, "security_profiles", "security_profiles: none of 2 or 3 is listed; "
                                                         "OCPP1.6 security certificate needs security "
                                                         "profile 2 or 3 (Appendix A)")]


def test_security_profiles_values(check):
    text = VALID.replace("security_profiles: [2, 3]", "security_profiles: [2, 4]")
    assert check(text) == [at(text, "security_profiles", "security_profiles[1]: 4 is not allowed; one of: 1, 2, 3")]


def test_security_profiles_are_integers(check):
    text = VALID.replace("security_profiles: [2, 3]", 'security_profiles: ["2", 3]')
    assert check(text) == [at(text, "security_profiles", 'security_profiles[0]: "2" is quoted; '
                                                         "a whole number written without quotes")]


# -- test -----------------------------------------------------------------------------

def test_laboratory_must_be_authorised(check):
    text = VALID.replace("laboratory: DEKRA", "laboratory: TÜV")
    assert check(text) == [at(text, "laboratory", 'test.laboratory: "TÜV" is not allowed; '
                                                  "one of: DEKRA, DNV GL, KSGA")]


def test_laboratory_authorised_on_the_test_date(check):
    text = (VALID.replace('date: "2024-03-04"', 'date: "2019-10-01"')
            .replace('issued: "2024-03-18"', 'issued: "2019-10-20"'))
    assert check(text) == [at(text, "laboratory", "test.laboratory: DEKRA was not authorised on 2019-10-01; "
                                                  "a laboratory authorised on the test date; DEKRA is "
                                                  "authorised 2019-11-04 to today")]


def test_reports_not_empty(check):
    text = VALID.replace("reports: [DEKRA-TR-2024-0117]", "reports: []")
    assert check(text) == [at(text, "reports", "test.reports: is an empty list; at least one item")]


def test_failed_must_be_zero(check):
    text = VALID.replace("failed: 0", "failed: 2")
    assert check(text) == [at(text, "failed:", "test.results.failed: 2 tests failed; "
                                               "0: every conformance test must pass (section 7.11)")]


def test_results_non_negative(check):
    text = VALID.replace("passed: 212", "passed: -1")
    assert check(text) == [at(text, "passed:", "test.results.passed: -1 is below 0; a whole number >= 0")]


def test_results_are_complete(check):
    text = VALID.replace(", not_applicable: 31", "")
    assert check(text) == [at(text, "results:", "test.results.not_applicable: is missing; this field is required")]


def test_tool_required(check):
    text = VALID.replace("  tool: OCTT 3.6.0\n", "")
    assert check(text) == [at(text, "test:", "test.tool: is missing; this field is required")]


# -- performance, statement -------------------------------------------------------------

def test_performance_snake_case(check):
    text = VALID.replace("boot_to_accepted_s: 41", "BootTime: 41")
    assert check(text) == [at(text, "BootTime", "performance.BootTime: is not a snake_case name; "
                                                "a name such as boot_to_accepted_s")]


@pytest.mark.parametrize("value", ['"41"', ".inf", "fast", "true"])
def test_performance_numbers(check, value):
    text = VALID.replace("boot_to_accepted_s: 41", f"boot_to_accepted_s: {value}")
    shown = value if value.startswith('"') else f'"{value}"'
    assert check(text) == [at(text, "boot_to", f"performance.boot_to_accepted_s: {shown} is not a plain number; "
                                               "a number such as 41 or 0.5, without quotes")]


def test_statement_is_text(check):
    text = VALID.replace("statement: >-\n  Certified for OCPP 1.6 edition 2.\n", "statement: [a, b]\n")
    assert check(text) == [at(text, "statement", "statement: is a list; a single text value")]


# -- unknown keys -----------------------------------------------------------------------

def test_unknown_key_is_an_error(check):
    text = VALID.replace("issued:", "isued:")
    problems = check(text)
    assert problems[0] == (f"{P}:1: issued: is missing; this field is required")
    assert at(text, "isued", "isued: unknown field (did you mean 'issued'?); one of: device, document, "
                             "edition, features, id, issued, ocpp_version, performance, profiles, revisions, "
                             "security_profiles, source, statement, test, vendor, white_label_of") in problems


def test_unknown_nested_key(check):
    text = VALID.replace("  website:", "  homepage:")
    assert check(text) == [at(text, "homepage", "vendor.homepage: unknown field; one of: country, name, website")]


# -- OCPP 2.0.1 ---------------------------------------------------------------------

P201 = "certs/2025/OCA-201-2025-0001.yaml"


def check_201(records, text):
    records.add(text, "OCA-201-2025-0001", "2025")
    return records.problems()


def test_201_core_required(records):
    text = VALID_CSMS.replace("profiles: [core, smart-charging]", "profiles: [smart-charging]")
    assert check_201(records, text) == [at(text, "profiles", "profiles: core is missing; "
                                                             "every OCPP 2.0.1 certificate includes core", P201)]


def test_201_iso15118_needs_no_other_profile(records):
    """Part 5: the profiles are independent; ISO 15118 support needs some Advanced Security and Smart
    Charging test cases, not those profiles (the OCA issues Core + C + I and Core + I)."""
    text = VALID_CSMS.replace("profiles: [core, smart-charging]", "profiles: [core, smart-charging, iso-15118]")
    assert check_201(records, text) == []
    text = VALID_CSMS.replace("profiles: [core, smart-charging]", "profiles: [core, iso-15118]") \
        .replace("features: [C-11, SC-4]", "features: [C-11, ISO-4]")
    assert check_201(records, text) == []


def test_201_feature_identifiers(records):
    text = VALID_CSMS.replace("features: [C-11, SC-4]", "features: [C-11, smart charging]")
    assert check_201(records, text) == [at(text, "features", 'features[1]: "smart charging" is not a Part 5 '
                                                             "feature id; an id such as C-06 or a sub-option such "
                                                             "as C-06.1, as Part 5 writes it", P201)]


def test_201_features_may_be_empty_and_security_optional(records):
    text = VALID_CSMS.replace("features: [C-11, SC-4]", "features: []")
    assert check_201(records, text) == []
    records.add(VALID_CSMS.replace("features: [C-11, SC-4]", "security_profiles: [1]"),
                "OCA-201-2025-0001", "2025")
    assert records.problems() == []


def test_201_profile_names_of_16_refused(records):
    text = VALID_CSMS.replace("profiles: [core, smart-charging]", "profiles: [core, full]")
    assert check_201(records, text) == [at(text, "profiles", 'profiles[1]: "full" is not allowed; one of: core, '
                                                             "advanced-security, local-auth-list-management, "
                                                             "smart-charging, advanced-device-management, "
                                                             "advanced-user-interface, reservation, iso-15118",
                                           P201)]


# -- white labels and vendor names (rules across records) ---------------------------

WHITE = (VALID.replace("id: OCA.0016.0115.CS", "id: OCA-16-2024-0050")
         .replace("name: Voltaris Energy B.V.", "name: Brightpath Charging Inc.")
         .replace("country: NL", "country: US")
         + "white_label_of: OCA.0016.0115.CS\n")
PW = "certs/2024/OCA-16-2024-0050.yaml"


def test_white_label_pair_links(records):
    records.add(VALID)
    records.add(WHITE, "OCA-16-2024-0050")
    directory = records.directory()
    assert [c.id for c in directory.white_labels["OCA.0016.0115.CS"]] == ["OCA-16-2024-0050"]


def test_white_label_target_must_exist(records):
    records.add(WHITE, "OCA-16-2024-0050")
    assert records.problems() == [at(WHITE, "white_label_of", "white_label_of: no certificate has the id "
                                                              "OCA.0016.0115.CS; the id of the certificate of the "
                                                              "identical product that was tested", PW)]


@pytest.mark.parametrize(
    "old,new,message",
    [
        ('software_version: "4.10.0"', 'software_version: "4.11.0"',
         "device.software_version is 4.11.0 here but 4.10.0 in OCA.0016.0115.CS; a white label has the same "
         "device.software_version as the certificate it copies"),
        ("profiles: [full, security]", "profiles: [full]",
         None),
    ],
)
def test_white_label_must_match(records, old, new, message):
    records.add(VALID)
    text = WHITE.replace(old, new)
    if message is None:  # profiles differ: also drop security_profiles to keep the record valid alone
        text = text.replace("security_profiles: [2, 3]\n", "")
        message = ("profiles is full here but full, security in OCA.0016.0115.CS; a white label has the same "
                   "profiles as the certificate it copies")
    records.add(text, "OCA-16-2024-0050")
    assert records.problems() == [at(text, "white_label_of", f"white_label_of: {message}", PW)]


def test_white_label_not_of_itself(check):
    text = VALID + "white_label_of: OCA.0016.0115.CS\n"
    assert check(text) == [at(text, "white_label_of", "white_label_of: names this certificate itself; "
                                                      "the id of the certificate of the product that was tested")]


def test_vendor_spelling_warning(records):
    records.add(VALID)
    records.add(VALID.replace("OCA.0016.0115.CS", "OCA-16-2024-0043"), "OCA-16-2024-0043")
    odd = VALID.replace("OCA.0016.0115.CS", "OCA-16-2024-0044").replace("Voltaris Energy B.V.", "voltaris energy BV")
    records.add(odd, "OCA-16-2024-0044")
    assert records.problems() == [
        "certs/2024/OCA-16-2024-0044.yaml:6: vendor.name: warning: 'voltaris energy BV' differs from "
        "'Voltaris Energy B.V.' only in case or punctuation; did you mean 'Voltaris Energy B.V.'? "
        "(2 records use it); if both are the same company, add 'voltaris energy BV' to the aliases of "
        "'Voltaris Energy B.V.' in vendors.yaml"
    ]
    # A warning does not fail the build.
    assert len(records.directory().certificates) == 3


def test_all_errors_of_all_files_in_one_run(records):
    records.add(VALID.replace('ocpp_version: "1.6"', "ocpp_version: 1.6").replace("failed: 0", "failed: 1"))
    records.add(VALID_CSMS.replace("country: GB", "country: UK"), "OCA-201-2025-0001", "2025")
    problems = records.problems()
    assert [p.split(":")[0] for p in problems] == [
        "certs/2024/OCA.0016.0115.CS.yaml", "certs/2024/OCA.0016.0115.CS.yaml", "certs/2025/OCA-201-2025-0001.yaml"
    ]


def test_yml_files_are_not_silently_skipped(records):
    records.add(VALID, "OCA.0016.0115.CS.yml")
    assert records.problems() == ["certs/2024/OCA.0016.0115.CS.yml:1: file: OCA.0016.0115.CS.yml is not read as "
                                  "a record; record files end in .yaml: rename it"]


def test_build_date_is_the_judge(records):
    records.add(VALID)
    assert records.problems(today=dt.date(2024, 3, 17)) == [
        f"{P}:2: issued: 2024-03-18 is in the future; a date on or before the build date 2024-03-17"
    ]


def test_an_empty_folder_is_an_error(records):
    from ocpp_directory.model.errors import DirectoryError

    with pytest.raises(DirectoryError, match="no certificate records"):
        records.directory()


def test_direction_control_is_a_warning(records):
    text = VALID.replace("name: Voltaris Duo 22", 'name: "Voltaris \u202eDuo"')
    records.add(text)
    assert records.problems() == [
        at(text, "Voltaris \u202e", "device.name: warning: contains the invisible direction control U+202E, "
                                   "which can make text show in a misleading order; plain text; the site shows it "
                                   "as [U+202E]")
    ]
    assert records.directory().certificates[0].device_name == "Voltaris \u202eDuo"  # a warning builds


def test_an_empty_key_is_named(check):
    text = VALID + '"": x\n'
    problems = check(text)
    assert problems[0].startswith(f'{P}:{line_of(text, chr(34) * 2 + ":")}: "": unknown field; one of: ')
