"""Fuzzing the loader: mutated records only ever give our own problems, with a line in the file."""

from __future__ import annotations

import datetime as dt
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ocpp_directory.model.errors import Problem
from ocpp_directory.model.loader import count_lines
from ocpp_directory.model.records import read_record

from .conftest import VALID, VALID_CSMS

YAML_BITS = ["&a ", "*a", "!!python/object/apply:os.system ", "!tag ", "---\n", "...\n", "[", "]", "{", "}",
             ": ", "- ", "? ", "|\n", ">-\n", "#", "%YAML 1.1\n", "<<: ", "'", '"', "\t", "\\", "@", "`",
             "\ufeff", "\x00", "\x85", "\u2028", "1.10", "NO", "~", "null", ".inf", "0x1F", "2024-02-30"]


@st.composite
def mutated(draw) -> bytes:
    lines = draw(st.sampled_from([VALID, VALID_CSMS])).splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["delete", "duplicate", "retype", "insert", "indent", "swap"]))
        if action == "delete":
            del lines[i]
        elif action == "duplicate":
            lines.insert(i, lines[i])
        elif action == "retype":  # keep the key, give it another kind of value
            key = lines[i].split(":")[0]
            value = draw(st.sampled_from(["[]", "{}", "1.10", "NO", "~", "-1", "[a, [b, {c: d}]]", '"x"', "|\n  a",
                                          "2024-13-01", "é" * 200]))
            lines[i] = f"{key}: {value}\n"
        elif action == "insert":
            position = draw(st.integers(0, len(lines[i])))
            bit = draw(st.sampled_from(YAML_BITS))
            lines[i] = lines[i][:position] + bit + lines[i][position:]
        elif action == "indent":
            lines[i] = " " * draw(st.integers(1, 5)) + lines[i]
        else:
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
    data = "".join(lines).encode("utf-8")
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]
    if draw(st.integers(0, 4)) == 0:
        position = draw(st.integers(0, len(data)))
        data = data[:position] + draw(st.binary(min_size=1, max_size=8)) + data[position:]
    return data


def check(data: bytes) -> list[Problem]:
    start = time.perf_counter()
    cert, problems = read_record("certs/OCA.0016.0115.CS.yaml", data, PROGRAM, dt.date(2026, 11, 24))
    assert time.perf_counter() - start < 2
    lines = count_lines(data.decode("utf-8", "replace"))
    for problem in problems:
        assert isinstance(problem, Problem)
        assert problem.path == "certs/OCA.0016.0115.CS.yaml"
        assert 1 <= problem.line <= lines, problem
        assert problem.field and problem.wrong and problem.expected
    assert cert is not None or problems
    return problems


PROGRAM = None


def setup_module(module):
    from ocpp_directory.model.program import load_program

    from .conftest import ROOT

    module.PROGRAM = load_program(ROOT / "program.yaml")


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True, database=None)
@given(mutated())
def test_mutated_records_give_only_our_problems(data):
    check(data)


@settings(max_examples=150, deadline=None, derandomize=True, database=None)
@given(st.binary(max_size=2000))
def test_random_bytes(data):
    check(data)


@settings(max_examples=100, deadline=None, derandomize=True, database=None)
@given(st.text(alphabet=st.sampled_from(list("ab: -[]{}&*!|>'\"#\n\t?,%@`~") + ["\u2028", "é"]), max_size=400))
def test_yaml_soup(text):
    check(text.encode("utf-8"))


def test_huge_inputs_are_refused_quickly():
    for data in (b"a: " + b"x" * 300_000, b"- " * 200_000, b"[" * 250_000, b"{a: " * 60_000):
        problems = check(data)
        assert problems


def test_alias_bomb_in_a_record_is_refused_quickly():
    bomb = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for n in range(1, 20):
        bomb.append(f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}" if n > 1 else "*a"] * 9) + "]")
    problems = check(("\n".join(bomb) + "\n").encode())
    assert any("alias" in p.wrong for p in problems)
