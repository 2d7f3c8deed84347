"""The YAML traps of the record format, and the public YAML test suite."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from ocpp_directory.model.loader import MAX_BYTES, count_lines, load

from .conftest import VALID, line_of

P = "certs/2024/OCA.0016.0115.CS.yaml"
CORPUS = Path(__file__).parent / "data" / "yaml-test-suite" / "cases"


def test_duplicate_key(check):
    text = VALID.replace("  tool: OCTT 3.6.0\n", "  tool: OCTT 3.6.0\n  tool: OCTT 3.7.0\n")
    assert check(text) == [f"{P}:{line_of(text, 'tool: OCTT 3.7.0')}: test.tool: key 'tool' appears twice "
                           f"(first on line {line_of(text, 'tool: OCTT 3.6.0')}); each field once per mapping"]


def test_duplicate_top_level_key(check):
    text = VALID + 'issued: "2024-03-19"\n'
    second = line_of(text, 'issued: "2024-03-19"')
    assert check(text) == [f"{P}:{second}: issued: key 'issued' appears twice "
                           "(first on line 2); each field once per mapping"]


def test_anchor_and_alias(check):
    text = VALID.replace("  name: Voltaris Duo 22", "  name: &dev Voltaris Duo 22").replace(
        "tool: OCTT 3.6.0", "tool: *dev")
    assert check(text) == [
        f"{P}:{line_of(text, '&dev')}: device.name: anchor '&dev' used; write the value out in full: "
        "anchors and aliases are not allowed",
        f"{P}:{line_of(text, '*dev')}: test.tool: alias '*dev' used; write the value out in full: "
        "anchors and aliases are not allowed",
    ]


@pytest.mark.parametrize("tag", ["!!python/object/apply:os.system", "!!str", "!custom"])
def test_tags_never_construct(check, tag):
    text = VALID.replace("tool: OCTT 3.6.0", f"tool: {tag} OCTT 3.6.0")
    problems = check(text)
    assert problems[0].startswith(f"{P}:{line_of(text, 'tool:')}: test.tool: YAML tag '")
    assert problems[0].endswith("used; plain values only: tags are not allowed")


def test_python_object_tag_runs_nothing(check, tmp_path):
    marker = tmp_path / "ran"
    text = VALID.replace("tool: OCTT 3.6.0", f'tool: !!python/object/apply:os.system ["touch {marker}"]')
    assert check(text)
    assert not marker.exists()


def test_several_documents(check):
    text = VALID + "---\n" + VALID
    assert check(text) == [f"{P}:{line_of(text, '---')}: file: a second YAML document starts here; "
                           "exactly one record per file, with no '---' after it"]


def test_one_explicit_document_is_fine(check):
    assert check("---\n" + VALID + "...\n") == []


def test_not_utf8(check):
    text = VALID.replace("Voltaris Energy B.V.", "Voltaris Énergie").encode("latin-1")
    offset = text.index(b"\xc9")
    assert check(text) == [f"{P}:6: file: byte 0xc9 at offset {offset} is not UTF-8; "
                           "save the file as UTF-8"]


def test_utf8_bom_accepted(check):
    assert check("\ufeff" + VALID) == []


def test_empty_file(check):
    assert check("") == [f"{P}:1: file: the file holds no record; a record as in the record format"]


def test_comment_only_file(check):
    assert check("# nothing yet\n") == [f"{P}:1: file: the file holds no record; a record as in the record format"]


def test_not_a_mapping(check):
    assert check("- a\n- b\n") == [f"{P}:1: record: the file holds a list; a mapping of fields, starting with 'id:'"]


def test_over_size(check):
    text = VALID + "# " + "x" * MAX_BYTES + "\n"
    assert check(text) == [f"{P}:1: file: file is {len(text.encode())} bytes; at most 262144 bytes (256 KiB)"]


def test_syntax_error_line(check):
    text = VALID.replace("  tool: OCTT 3.6.0", "  tool: [OCTT 3.6.0")
    problems = check(text)
    assert len(problems) == 1 and problems[0].startswith(f"{P}:")
    line = int(problems[0].split(":")[1])
    assert line_of(text, "[OCTT") <= line <= count_lines(text)
    assert ": file: YAML syntax error: " in problems[0]


def test_control_character(check):
    text = VALID.replace("Voltaris Duo 22", "Voltaris\x07Duo")
    line = line_of(text, "Voltaris\x07")
    assert check(text) == [f"{P}:{line}: file: character '\\x07' is not allowed in YAML; "
                           "printable UTF-8 text"]


def test_alias_bomb_is_instant():
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 12):
        prev = chr(ord("a") + i - 1)
        name = chr(ord("a") + i)
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    text = "\n".join(lines) + "\n"
    start = time.perf_counter()
    root, problems = load(text.encode(), "bomb.yaml")
    assert time.perf_counter() - start < 2  # a generous bound: expanded, this is 9**12 strings
    assert problems and all(1 <= p.line <= count_lines(text) for p in problems)


def test_deep_nesting_is_refused_not_crashed():
    text = "a: " + "[" * 100_000 + "]" * 100_000 + "\n"
    root, problems = load(text.encode(), "deep.yaml")
    assert root is None
    assert "nested more than" in problems[0].wrong


CASES = sorted(CORPUS.glob("*.yaml"))


def test_corpus_is_complete():
    assert len(CASES) == 402


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_yaml_test_suite_case_is_refused_with_a_line(records, case):
    """Every case of the YAML test suite, taken as a record file, is refused by
    our own error naming the file and a line that exists in it."""
    data = case.read_bytes()
    path = records.add(data, case.stem.upper().replace("_", "-").ljust(3, "0"))
    problems = records.problems()
    assert problems, "a YAML test case is not a valid certificate record"
    lines = count_lines(data.decode("utf-8", "replace"))
    for problem in problems:
        file, line = problem.split(":")[:2]
        assert file == path
        assert 1 <= int(line) <= lines, problem


def test_field_names_and_short_values_are_one_string_in_every_record():
    """Each record holds its field names and coded values as its own strings unless they are interned: at
    30,000 records 900,000 such copies were 53 MB of the build's memory (tracemalloc). Long text is not
    interned (no saving, and a table entry each)."""
    text = b'id: "OCA.0016.0101.CSMS"\nvendor:\n  country: KR\nnotes: "' + b"x" * 200 + b'"\n'
    first, _ = load(text, "a.yaml")
    second, _ = load(bytes(text), "b.yaml")
    key_a = next(k for k in first.entries if k == "vendor")
    key_b = next(k for k in second.entries if k == "vendor")
    assert key_a is key_b
    assert first.entries["vendor"][1].entries["country"][1].value is second.entries["vendor"][1].entries["country"][1].value
    assert first.entries["notes"][1].value is not second.entries["notes"][1].value
