"""The program file is the rules: new versions are data, and a bad file says where."""

from __future__ import annotations

import pytest

from ocpp_directory.model.directory import load_directory
from ocpp_directory.model.errors import ProgramFileError, ValidationFailed
from ocpp_directory.model.program import load_program

from .conftest import ROOT, TODAY, VALID_CSMS

OCPP_22 = '''
  "2.2":
    title: OCPP 2.2
    features:
      pattern: "^[A-Z]{1,4}-[0-9]{1,3}$"
      example: C-01
    required_profiles: [core]
    logo:
      statement: OCPP 2.2 certified
    profiles:
      core:
        title: OCPP 2.2 Core
        description: The core profile.
        device_types: [charging-station, csms]
      bidirectional:
        title: OCPP 2.2 Bidirectional Power Transfer
        description: V2X.
        device_types: [charging-station]
'''


def program_with(tmp_path, extra: str = "", replace: tuple[str, str] | None = None):
    text = (ROOT / "program.yaml").read_text("utf-8")
    if replace:
        assert replace[0] in text
        text = text.replace(*replace)
    path = tmp_path / "program.yaml"
    path.write_text(text + extra, "utf-8")
    return path


def test_a_new_version_is_data_not_code(tmp_path):
    program = load_program(program_with(tmp_path, OCPP_22))
    folder = tmp_path / "certs"
    folder.mkdir()
    record = VALID_CSMS.replace('ocpp_version: "2.0.1"', 'ocpp_version: "2.2"').replace("[core, smart-charging]", "[core]")
    (folder / "OCA-201-2025-0001.yaml").write_text(record)
    assert load_directory(folder, program, TODAY).certificates[0].ocpp_version == "2.2"
    (folder / "OCA-201-2025-0001.yaml").write_text(record.replace("[core]", "[core, bidirectional]"))
    with pytest.raises(ValidationFailed) as failed:
        load_directory(folder, program, TODAY)
    assert "bidirectional is not a profile for a CSMS" in str(failed.value)


def test_a_new_laboratory_is_data(tmp_path):
    lab = ('  - short_name: KSGA\n', '  - short_name: NEWLAB\n    name: New Lab\n    authorised_from: "2026-01-01"\n'
                                     '  - short_name: KSGA\n')
    program = load_program(program_with(tmp_path, replace=lab))
    assert program.laboratories["NEWLAB"].authorised_on(TODAY)
    assert not program.laboratories["NEWLAB"].authorised_on(TODAY.replace(year=2025))


def test_logo_statements_come_from_the_program(program):
    v16, v201, v21 = program.versions["1.6"], program.versions["2.0.1"], program.versions["2.1"]
    assert v16.logo_lines(("security", "full")) == ("OCPP1.6 full certificate", "OCPP1.6 security certificate")
    assert v201.logo_lines(("core", "smart-charging")) == ("OCPP 2.0.1 certified", "Core, Smart Charging")
    assert v21.logo_lines(("core", "smart-charging", "bidirectional-power-transfer")) == (
        "OCPP 2.1 certified", "Core, Smart Charging, Bidirectional Power Transfer")


def test_a_bad_program_file_says_where(tmp_path):
    path = program_with(tmp_path, replace=('authorised_from: "2019-11-04"\n  - short_name: DNV GL',
                                           'authorised_from: "2019-13-04"\n  - short_name: DNV GL'))
    with pytest.raises(ProgramFileError) as failed:
        load_program(path)
    line = path.read_text().splitlines().index('    authorised_from: "2019-13-04"') + 1
    assert f"{path}:{line}: laboratories[0].authorised_from: 2019-13-04 is not a day of the calendar" in str(failed.value)


def test_program_names_an_undefined_profile(tmp_path):
    path = program_with(tmp_path, replace=("requires: [smart-charging]", "requires: [smart-charge]"))
    with pytest.raises(ProgramFileError) as failed:
        load_program(path)
    assert "names profile 'smart-charge', which it does not define" in str(failed.value)


def _error(path) -> str:
    with pytest.raises(ProgramFileError) as failed:
        load_program(path)
    return str(failed.value)


def _line(path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text("utf-8").splitlines(), 1) if text in line)


def test_a_notation_order_lists_every_profile_once(tmp_path):
    path = program_with(tmp_path, replace=("    notation_order: [core, advanced-security, local-auth-list-management, "
                                           "smart-charging,\n", "    notation_order: [core, advanced-security,\n"))
    assert (f"{path}:{_line(path, 'notation_order:')}: versions.2.0.1.notation_order: does not list every profile "
            "once; every profile of the edition, in the order the OCA writes them") in _error(path)


def test_an_edition_may_not_redefine_a_profile_of_another(tmp_path):
    path = program_with(tmp_path, replace=("          family:\n            title: OCPP 2.0.1 product family certificate",
                                           "          core:\n            title: OCPP 2.0.1 product family certificate"))
    assert ("versions.2.0.1.editions.family: defines core, which another edition defines; profile names of its own: "
            "a profile names one thing in a version") in _error(path)


def test_the_numbering_examples_must_be_numbers_of_its_formats(tmp_path):
    path = program_with(tmp_path, replace=("  example: OCA.0016.1268.CSMS", "  example: OCA-16.1268"))
    assert (f"{path}:{_line(path, 'example: OCA-16.1268')}: numbering.example: OCA-16.1268 is not a number of these "
            "formats; an example the formats accept") in _error(path)


def test_the_program_file_translates_its_own_words(tmp_path, program):
    assert program.translations["ko"]["Charging station"] == "충전기"
    path = program_with(tmp_path, replace=("translations:\n  ko:\n", "translations:\n  korean:\n"))
    assert (f"{path}:{_line(path, 'korean:')}: translations.korean: is not a language code; a two-letter code, "
            "such as ko") in _error(path)
    path = program_with(tmp_path, replace=("    Product family: 제품군\n", "    Product family: [제품군]\n"))
    assert (f"{path}:{_line(path, 'Product family: [')}: translations.ko.Product family: is a list; a single text "
            "value") in _error(path)
