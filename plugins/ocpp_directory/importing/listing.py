"""Importing the OCA's public listing (CSV) as records: ``python -m ocpp_directory import-listing``.

Each row of the listing becomes a record with ``source: oca-listing`` in
``<into>/<year>/<number>.yaml``; spellings of a company that share an OCA
participant page become one vendor of ``<into>/vendors.yaml``. A row that cannot
be imported is a :class:`~..model.errors.Problem` at its line and is not written;
a suspicious row that can be is written and warned about.

The records an import writes end in a line holding the hash of what it wrote. A
later import on a newer listing writes only records that are new or that nobody
edited since (the hash still matches), and reports the others' differences, so
running it again on the same file changes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pycountry

from ..model.directory import load_directory
from ..model.errors import Problem, ValidationFailed
from ..model.fields import is_https_url
from ..model.program import Program, Rules
from ..model.records import read_record
from ..model.vendors import VENDORS_FILE
from .records import edited, record_text, vendors_text

COLUMNS = ("certificate_no", "company", "company_link", "country", "product_designation", "certificate_type",
           "software_version", "protocol_version", "date_of_registration", "certificate_url", "product_type")
#: the listing's product types, and the device types they stand for
PRODUCT_TYPES = {"Charging Station Management System": "csms", "Charging Station": "charging-station"}
#: country names as the listing writes them that ISO 3166 (pycountry) does not know by that name
COUNTRY_NAMES = {"Republic of Korea": "KR", "Korea": "KR", "The Netherlands": "NL", "UK": "GB",
                 "Turkey": "TR", "Russia": "RU"}
#: "OCA.0016.1137.CSMS - update-2025-12-12": the certificate re-issued that day
UPDATE = re.compile(r"^(?P<number>\S+)\s+-\s+update-(?P<date>\d{4}-\d{2}-\d{2})$")
#: a number in a document's file name, dots or none: Certificate_OCA00160039CS_Daeyoung-Chaevi.pdf
NUMBER_IN_NAME = re.compile(r"(W\d{2}\.?)?OCA\.?(\d{4})\.?(\d{4})\.?(CSMS|CS)(?![A-Za-z])")
#: "E-wave Co., Ltd. (Formerly CS Technology)"
FORMERLY = re.compile(r"^(?P<name>.*?)\s*\((?:formerly|previously)\s+(?P<former>[^)]+)\)$", re.I)


@dataclass
class Row:
    line: int
    number: str
    version: str
    edition: str | None
    profiles: tuple[str, ...]
    vendor: str
    former: str | None
    participant: str | None
    country: str
    device: str
    device_type: str
    software: str | None
    issued: str
    document: str | None
    update: str | None = None


@dataclass
class Summary:
    read: int = 0
    written: int = 0
    updated: int = 0
    unchanged: int = 0
    kept: int = 0
    #: rows not imported, and rows of a certificate's re-issues, which its record holds as revisions
    refused: int = 0
    merged: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.warning]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if not p.warning]


def import_listing(listing: Path, into: Path, program: Program, today: dt.date) -> Summary:
    """Write the records of ``listing`` into ``into``; what was read, written, kept and refused."""
    shown = str(listing)
    summary = Summary()
    try:
        data = listing.read_bytes()
    except OSError as exc:
        summary.problems.append(Problem(shown, 1, "file", f"cannot be read: {exc.strerror}", "a UTF-8 CSV file"))
        return summary
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        summary.problems.append(Problem(shown, line, "file", f"byte 0x{data[exc.start]:02x} on this line is not "
                                        "UTF-8 (the file is in another encoding, such as Latin-1)",
                                        "the listing saved as UTF-8, as the OCA publishes it"))
        return summary
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = reader.fieldnames or []
    except csv.Error as exc:
        summary.problems.append(Problem(shown, 1, "header", f"cannot be read as CSV: {exc}", "the listing's header"))
        return summary
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        first = text.split("\n", 1)[0]
        other = next((d for d in (";", "\t", "|") if d in first and all(c in first.split(d) for c in COLUMNS[:3])),
                     None)
        summary.problems.append(Problem(
            shown, 1, "header", f"has no column {', '.join(missing)}" + (
                f"; its cells are separated by {other!r}, not by commas" if other else ""),
            ("the listing's columns separated by commas, as the OCA publishes it: export or save it as CSV with "
             "',' as the separator" if other else "the columns of the OCA's listing: " + ", ".join(COLUMNS))))
        return summary
    rows: list[Row] = []
    line = 2
    while True:
        try:
            raw = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            summary.problems.append(Problem(shown, line, "file", f"cannot be read as CSV: {exc}",
                                            f"cells of at most {csv.field_size_limit()} characters, each quote "
                                            "closed; the rows after this one are not read"))
            summary.read += 1
            summary.refused += 1
            break
        summary.read += 1
        row = None
        if raw.get(None):
            summary.problems.append(Problem(shown, line, "row", f"has {len(raw[None])} cells more than the header",
                                            f"the {len(COLUMNS)} cells of the header's columns"))
        else:
            row = _row(raw, line, shown, program, summary.problems)
        if row is None:
            summary.refused += 1
        else:
            rows.append(row)
        line = reader.line_num + 1
    if summary.read == 0:
        summary.problems.append(Problem(shown, 1, "file", "has a header and no rows", "the listing's rows"))
        return summary
    records = _records(rows, shown, summary)
    if records:
        _write(records, into, shown, program, today, summary)
    return summary


def _row(raw: dict, line: int, shown: str, program: Program, problems: list[Problem]) -> Row | None:
    """One row read and mapped; None (with its problems) when it cannot be imported."""
    def bad(column: str, wrong: str, expected: str) -> None:
        problems.append(Problem(shown, line, column, wrong, expected))

    def warn(column: str, wrong: str, expected: str) -> None:
        problems.append(Problem(shown, line, column, wrong, expected, warning=True))

    value = {k: (raw.get(k) or "").strip() for k in COLUMNS}
    ok = True
    number, update = value["certificate_no"], None
    found = UPDATE.match(number)
    if found:
        number, update = found.group("number"), found.group("date")
    if not program.numbering.accepts(number) or not number.startswith(("OCA.", "W")):
        name = NUMBER_IN_NAME.search(value["certificate_url"].rsplit("/", 1)[-1])
        if name is None:
            bad("certificate_no", f"{json.dumps(number, ensure_ascii=False)} is not an OCA certificate number",
                f"a number such as {program.numbering.example}, or a document whose file name holds one")
            return None
        prefix = (name.group(1) or "").rstrip(".")
        number = (prefix + "." if prefix else "") + f"OCA.{name.group(2)}.{name.group(3)}.{name.group(4)}"
        warn("certificate_no", f"{json.dumps(value['certificate_no'], ensure_ascii=False)} is not a certificate "
             f"number; {number} is taken from the document's file name", "the certificate's number")
    parts = (program.numbering.white_label or program.numbering.oca).fullmatch(number) \
        or program.numbering.oca.fullmatch(number)
    version = next((v for v in program.versions.values() if value["protocol_version"] == f"OCPP {v.key}"), None)
    if version is None:
        bad("protocol_version", f"{json.dumps(value['protocol_version'])} is not a version of the program",
            "one of: " + ", ".join(f"OCPP {v}" for v in program.versions))
        ok = False
    elif parts is not None and parts.group("version") != version.number:
        bad("protocol_version", f"{value['protocol_version']} but {number} is numbered for another version",
            f"a {value['protocol_version']} certificate is numbered OCA.{version.number}...")
        ok = False
    device_type = next((t.key for t in program.device_types.values()
                        if parts is not None and t.number_suffix == parts.group("type")), None)
    listed = PRODUCT_TYPES.get(value["product_type"])
    if listed is None:
        bad("product_type", f"{json.dumps(value['product_type'])} is not a product type of the listing",
            "one of: " + ", ".join(PRODUCT_TYPES))
        ok = False
    elif device_type is not None and listed != device_type:
        warn("product_type", f"{number} is a {program.device_types[device_type].title} number but is listed "
             f"under {value['product_type']}", f"written as a {program.device_types[device_type].title}, as its "
             "number says")
    edition, profiles = _type(value["certificate_type"], version) if version else (None, None)
    if version is not None and profiles is None:
        shorts = sorted({p.notation for e in version.editions.values() for p in e.profiles.values()})
        bad("certificate_type", f"{json.dumps(value['certificate_type'])} is not a certificate type of "
            f"{version.title}", "its profiles in the OCA's notation joined by ' + ', of: " + ", ".join(shorts))
        ok = False
    country = _country(value["country"])
    if country is None:
        bad("country", f"{json.dumps(value['country'], ensure_ascii=False)} is not a country name",
            "an English country name, such as Republic of Korea or Bulgaria")
        ok = False
    company = value["company"]
    former = None
    named = FORMERLY.match(company)
    if named:
        company, former = named.group("name").strip(), named.group("former").strip()
    for column, text in (("company", company), ("product_designation", value["product_designation"])):
        if not text:
            bad(column, "is empty", "the company's name" if column == "company" else "the product's name")
            ok = False
    try:
        issued = dt.date.fromisoformat(value["date_of_registration"]).isoformat()
    except ValueError:
        bad("date_of_registration", f"{json.dumps(value['date_of_registration'])} is not a date",
            "a date such as 2025-06-02")
        ok = False
    software = value["software_version"] or None
    if software is None:
        warn("software_version", "is empty", "written without a software version (the document states it)")
    document = value["certificate_url"] or None
    if document is not None and not is_https_url(document):
        warn("certificate_url", f"{json.dumps(document)} is not an https:// address", "written without a document")
        document = None
    participant = value["company_link"] or None
    if participant is not None and not is_https_url(participant):
        warn("company_link", f"{json.dumps(participant)} is not an https:// address", "the vendor has no page")
        participant = None
    if not ok or parts is None:
        return None
    return Row(line, number, version.key, edition, profiles, company, former, participant, country,
               value["product_designation"], device_type, software, issued, document, update)


def _type(text: str, version: Rules) -> tuple[str | None, tuple[str, ...] | None]:
    """"Core + S + C" -> the edition that defines those notations (None: the version's first), the profiles."""
    words = [w.strip().casefold() for w in text.split("+")]
    for key, edition in version.editions.items():
        by_notation = {p.notation.casefold(): name for name, p in edition.profiles.items()}
        if words and all(w in by_notation for w in words):
            profiles = tuple(by_notation[w] for w in words)
            return (None if edition is version else key), profiles
    return None, None


def _country(name: str) -> str | None:
    if name in COUNTRY_NAMES:
        return COUNTRY_NAMES[name]
    try:
        return pycountry.countries.lookup(name.removeprefix("The ")).alpha_2
    except LookupError:
        return None


def _records(rows: list[Row], shown: str, summary: Summary) -> dict[str, list[Row]]:
    """The rows of each certificate: its first row, then its updates (re-issues), by date."""
    by_number: dict[str, list[Row]] = {}
    for row in rows:
        held = by_number.setdefault(row.number, [])
        if any(r.update is None for r in held) and row.update is None:
            first = next(r for r in held if r.update is None)
            summary.problems.append(Problem(shown, row.line, "certificate_no", f"{row.number} is also on line "
                                            f"{first.line}", "each certificate once (a re-issue as '... - update-"
                                            "<date>')"))
            summary.refused += 1
            continue
        held.append(row)
    for held in by_number.values():
        held.sort(key=lambda r: (r.update is not None, r.update or ""))
    return by_number


def _write(records: dict[str, list[Row]], into: Path, shown: str, program: Program, today: dt.date,
           summary: Summary) -> None:
    """Write each record that is valid on its own and new or unedited, then check the folder as a build
    would, taking back the records it rejects (a white label without its original, say) until it passes.
    Only what this import wrote is taken back: a record that was there before is never deleted or left
    changed; a problem with one is reported and the folder left as it was."""
    into.mkdir(parents=True, exist_ok=True)
    outcome: dict[str, str] = {}
    where: dict[Path, str] = {}
    before: dict[str, tuple[Path, str | None]] = {}
    placed = _placed(into)
    for number, rows in sorted(records.items()):
        path = into / rows[0].issued[:4] / f"{number}.yaml"
        if number in placed and placed[number] != path:
            summary.problems.append(Problem(shown, rows[0].line, "certificate_no", f"{number} is at "
                                            f"{placed[number]}, not where the import puts it ({path})",
                                            "the record kept where it is (moved by hand), and updated there",
                                            warning=True))
            path = placed[number]
        text = record_text(rows)
        _, found = read_record(str(path), text.encode("utf-8"), program, today)
        if any(not p.warning for p in found):
            for problem in (p for p in found if not p.warning):
                summary.problems.append(Problem(shown, rows[0].line, _COLUMN.get(problem.field.split("[")[0],
                                                                                 problem.field),
                                                problem.wrong, problem.expected))
            outcome[number] = "refused"
            continue
        where[path.resolve()] = number
        try:
            before[number] = (path, path.read_text("utf-8"))
        except (FileNotFoundError, UnicodeDecodeError):
            before[number] = (path, None)
        outcome[number] = _put(path, text, rows[0].line, shown, summary)
    written = [r for number, rows in records.items() if outcome[number] != "refused" for r in rows]
    vendors = vendors_text(written)
    if vendors is not None:
        _put(into / VENDORS_FILE, vendors, 1, shown, summary)
    while any(result != "refused" for result in outcome.values()):
        try:
            load_directory(into, program, today)
            break
        except ValidationFailed as exc:
            found = [(p, where.get(Path(p.path).resolve())) for p in exc.problems]
            if any(number is None or outcome[number] in ("kept", "unchanged") for _, number in found):
                summary.problems.extend(p for p, _ in found)  # not the import's to undo: said, left as it is
                break
            for problem, number in found:
                first = records[number][0]
                summary.problems.append(Problem(shown, first.line, _COLUMN.get(problem.field.split("[")[0],
                                                                                problem.field),
                                                problem.wrong, problem.expected))
                path, old = before[number]
                if old is None:
                    path.unlink(missing_ok=True)
                else:
                    path.write_text(old, "utf-8")  # an update taken back: the record as it was
                outcome[number] = "refused"
    for number, result in outcome.items():
        if result == "refused":
            summary.refused += len(records[number])
        else:
            setattr(summary, result, getattr(summary, result) + 1)
            summary.merged += len(records[number]) - 1


def _placed(into: Path) -> dict[str, Path]:
    """Where each record below ``into`` is, by its number (its file's name)."""
    return {path.name.removesuffix(".yaml"): path for path in sorted(into.rglob("*.yaml"))
            if path.name != VENDORS_FILE}


#: a record's fields, and the listing's columns they come from
_COLUMN = {"id": "certificate_no", "white_label_of": "certificate_no", "profiles": "certificate_type",
           "edition": "certificate_type", "vendor.name": "company", "vendor.country": "country",
           "device.name": "product_designation", "device.type": "product_type",
           "device.software_version": "software_version", "issued": "date_of_registration",
           "document": "certificate_url", "document.url": "certificate_url"}


def _put(path: Path, text: str, line: int, shown: str, summary: Summary) -> str:
    """Write ``text`` at ``path`` unless it is there already, or the file there was edited by hand;
    "written", "updated", "unchanged" or "kept"."""
    try:
        before = path.read_text("utf-8")
    except FileNotFoundError:
        before = None
    if before == text:
        return "unchanged"
    if before is not None and edited(before):
        summary.problems.append(Problem(shown, line, "certificate_no" if path.name != VENDORS_FILE else "company_link",
                                        f"{path} was edited since it was imported, and the listing now differs",
                                        "the file left as it is; compare it with the listing by hand",
                                        warning=True))
        return "kept"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    return "written" if before is None else "updated"
