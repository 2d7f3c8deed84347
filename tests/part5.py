"""The OCA's Part 5 tables read from the OCA's own documents, for the tests that tie the program file to them.

Two sources, each read as it is published, never through our copy of it:

- OCPP 2.0.1 Part 5 Edition 3: the OCA's PDF (``data/part5/``), read with poppler's ``pdftotext -layout``;
  each page's table header ("Id  Feature  Charging Station") gives the column where the support column starts;
- OCPP 2.1 Part 5 Edition 2: the text of the OCA's PDF as it is published in public repositories (an
  unmodified excerpt in ``data/part5/``: Tables 2, 3 and 4), one cell after another.

Each table becomes a list of :class:`Row`: its id, its name as Part 5 writes it (a wrapped cell joined with
single spaces), the heading it stands under and its support cell.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).parent / "data" / "part5"
PDF_201 = HERE / "OCPP-2.0.1_edition3_part5_certification_profiles.pdf"
TEXT_21 = HERE / "OCPP-2.1_edition2_part5_tables.txt"

ID = re.compile(r"^(?P<id>(?:C|AS|SC|R|DM|ISO|LA|UI|P|BPT)-[0-9]+(?:\.[0-9]+)?)(?: \(2\.1\))?(?:\s+|$)")
HFS = re.compile(r"^(HFS-[0-9]+)\s+(.*\S)\s*$")
#: how a support cell starts (the words after a feature's name)
SUPPORT = re.compile(r"\s(Optional|Required|Conditional\.|\(At least one of the suboptions|\(Select all supported|"
                     r"Select all supported suboptions|\{ list|\(Please fill in)(.*)$")


#: the headings of Tables 2 and 3 that name a certification profile (2.0.1) or a feature area (2.1); the
#: others ("Time related settings", "Authorization options for local start") group features within one
SECTIONS = {"Core", "Advanced Security", "Smart Charging", "Reservation", "Advanced Device Management",
            "ISO 15118 support", "Local Authorization List Management", "Advanced User Interface", "Payment",
            "EMS Control", "Bidirectional Power Transfer", "DER control"}


@dataclass(frozen=True)
class Row:
    id: str
    name: str
    #: the section of the table it stands in: a profile's (2.0.1) or a profile's or feature area's (2.1)
    section: str
    support: str


def _space(text: str) -> str:
    return re.sub(r"\s+", " ", text).replace("( ", "(").replace(" )", ")").strip()


def pdf_text(pdf: Path = PDF_201) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout


def tables_201(text: str | None = None) -> dict[str, list[Row]]:
    """Tables 2 (charging stations) and 3 (CSMS) of the 2.0.1 PDF, by device type."""
    text = text if text is not None else pdf_text()
    out: dict[str, list[Row]] = {}
    for key, title, column, end in (("charging-station", "Table 2. Optional features for charging stations",
                                     "Charging Station", "3.2. Optional feature list for CSMS"),
                                    ("csms", "Table 3. Optional features for CSMS", "CSMS", "4. List of test cases")):
        block = text[text.index(title):text.index(end, text.index(title))]
        rows: list[list[str]] = []
        heading, section, cut = "", "", None
        for line in block.splitlines()[1:]:
            if not line.strip() or line.startswith(("OCPP 2.0.1 Edition", "Edition 3 FINAL")):
                continue
            if line.startswith("Id ") and column in line:
                cut = line.index(column)
                continue
            name, support = line[:cut].rstrip(), line[cut:].strip()
            if cut is not None and len(line) > cut and line[cut - 1] != " " and (late := SUPPORT.search(line)):
                name, support = line[:late.start()].rstrip(), (late.group(1) + late.group(2)).strip()
            found = ID.match(name)
            if found:
                rows.append([found.group("id"), name[found.end():].strip(), section, support])
            elif not line.startswith(" ") and name.strip():
                heading = name.strip()
                section = heading if heading in SECTIONS else section
            elif rows and name.strip() and not name.strip().startswith("No optional features"):
                rows[-1][1] += " " + name.strip()
                rows[-1][3] += (" " + support) if support else ""
            elif rows and support:
                rows[-1][3] += " " + support
        out[key] = [Row(i, _space(n), h, _space(s)) for i, n, h, s in rows]
    return out


def hardware_201(text: str | None = None) -> list[tuple[str, str]]:
    """Table 4 of the 2.0.1 PDF: (id, hardware feature)."""
    text = text if text is not None else pdf_text()
    start = text.index("Table 4. Hardware features")
    block = text[start:text.index("8. Appendix C", start)]
    return [(m.group(1), _space(m.group(2))) for line in block.splitlines() if (m := HFS.match(line))]


def _cells(lines: list[str]) -> list[Row]:
    """The rows of one table of the 2.1 text, where a name and its support cell share lines."""
    rows: list[list[str]] = []
    section = ""
    for line in lines:
        line = line.rstrip()
        found = ID.match(line)
        if found and line[found.end():found.end() + 1].isupper():  # not "C-31 or C-32" inside a cell
            rows.append([found.group("id"), line[found.end():], section])
            continue
        if line.strip() in _HEADINGS:
            heading = re.sub(r" \((2\.0\.1 / )?2\.1\)$", "", line.strip())
            section = heading if heading in SECTIONS else section
            continue
        if rows:
            rows[-1][1] += "\n" + line
    out = []
    for fid, cell, where in rows:
        joined = " ".join(part.strip() for part in cell.split("\n"))
        found = SUPPORT.search(" " + joined)
        name, support = (joined[:found.start()], found.group(1) + found.group(2)) if found else (joined, "")
        out.append(Row(fid, _space(name), where, _space(support)))
    return out


_HEADINGS = {"Core", "Time related settings", "Authorization options for local start",
             "Authorization options for remote start (mandatory to support at least one)",
             "Authorization options for local stop", "Reservation", "Advanced Device Management",
             "Local Authorization List Management", "Advanced User Interface", "Payment (2.1)",
             "Advanced Security", "Smart Charging (2.0.1 / 2.1)", "EMS Control (2.1)",
             "ISO 15118 support (2.0.1 / 2.1)", "Bidirectional Power Transfer (2.1)", "DER control (2.1)"}


def tables_21(text: str | None = None) -> dict[str, list[Row]]:
    """Tables 2 and 3 of the 2.1 text, by device type."""
    text = text if text is not None else TEXT_21.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines()
             if line.strip() and not line.startswith(("Edition 2, 2025", "OCPP 2.1 Edition 2 -", "Id Feature"))
             and not line.startswith("No optional features")]
    start2 = lines.index("Table 2. Optional features for charging stations")
    start3 = lines.index("Table 3. Optional features for CSMS")
    end2 = next(i for i, line in enumerate(lines) if line.startswith("3.2. Optional feature list for CSMS"))
    end3 = lines.index("Table 4. Hardware features")
    return {"charging-station": _cells(lines[start2 + 1:end2]), "csms": _cells(lines[start3 + 1:end3])}


def hardware_21(text: str | None = None) -> list[tuple[str, str]]:
    text = text if text is not None else TEXT_21.read_text(encoding="utf-8")
    block = text[text.index("Table 4. Hardware features"):]
    return [(m.group(1), _space(m.group(2))) for line in block.splitlines() if (m := HFS.match(line))]


def profiles_201(text: str | None = None) -> list[str]:
    """The certification profiles of Table 1 of the 2.0.1 PDF, in its order."""
    text = text if text is not None else pdf_text()
    start = text.index("Table 1. Certification profiles")
    block = text[start:text.index("3. Features", start)]
    out = []
    for line in block.splitlines()[1:]:
        if line and not line.startswith((" ", "OCPP 2.0.1 Edition", "Edition 3", "Certification Profile")):
            out.append(re.split(r"\s{2,}", line.strip())[0])
    return out


def sections_21(text: str | None = None) -> list[str]:
    """The headings of Tables 2 and 3 of the 2.1 text that name a profile or a feature area."""
    text = text if text is not None else TEXT_21.read_text(encoding="utf-8")
    found = []
    for line in text.splitlines():
        heading = re.sub(r" \((2\.0\.1 / )?2\.1\)$", "", line.strip())
        if line.strip() in _HEADINGS and heading in SECTIONS and heading not in found:
            found.append(heading)
    return found
