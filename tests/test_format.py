"""The record format is declared once (model/format.py): every place that spells it agrees with it."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

from ocpp_directory.model.format import CSV_COLUMNS, FIELDS
from ocpp_directory.outputs import exports, search
from ocpp_directory.outputs import schema as record_schema

ROOT = Path(__file__).resolve().parent.parent
PATHS = [f.path for f in FIELDS]
#: mappings whose keys are the record's own (name to number), not fields of the format
FREE_MAPPINGS = {"performance"}


def _paths(data: dict, prefix: str = "") -> set[str]:
    out = set()
    for key, value in data.items():
        path = prefix + key
        out.add(path)
        if isinstance(value, dict) and path not in FREE_MAPPINGS:
            out |= _paths(value, path + ".")
    return out


def test_the_samples_use_every_field_and_the_json_export_writes_exactly_those(samples):
    written = set().union(*(_paths(exports.record(c)) for c in samples.certificates))
    assert written == set(PATHS)


def test_the_json_schema_describes_exactly_the_fields(samples):
    schema = json.loads(record_schema.json_schema(samples, "https://x.example"))

    def described(node: dict, prefix: str = "") -> set[str]:
        out = set()
        for key, value in node.get("properties", {}).items():
            out.add(prefix + key)
            if prefix + key not in FREE_MAPPINGS:
                out |= described(value, prefix + key + ".")
        return out

    assert described(schema) == set(PATHS)
    assert schema["required"] == [f.path for f in FIELDS if "." not in f.path and f.required == "yes"]


def test_every_csv_row_has_the_columns_of_the_format(samples):
    rows = list(csv.reader(io.StringIO(exports.directory_csv(samples, "https://x.example").decode("utf-8"))))
    assert rows[0] == list(CSV_COLUMNS)
    assert {len(row) for row in rows} == {len(CSV_COLUMNS)}


def test_the_search_fields_are_fields_of_the_format():
    assert {name for name, _ in search.FIELDS} == {f.search for f in FIELDS if f.search}


def test_the_ledger_protects_the_fields_marked_protected(samples):
    cert = samples.certificates[0]
    assert list(exports.protected_fields(cert)) == [f.path for f in FIELDS if f.protected]


def test_the_docs_field_table_lists_the_fields_in_the_format_order():
    """Each field is in the table of docs/certificate-record.md, or is a mapping whose keys are (vendor),
    or is a key of a mapping whose row describes it (test.results.passed)."""
    text = (ROOT / "docs" / "certificate-record.md").read_text("utf-8")
    table = text.split("## Fields", 1)[1].split("\n## ", 1)[0]
    documented = re.findall(r"^\| `([a-z_.]+)` \|", table, flags=re.M)
    assert documented == [p for p in PATHS if p in documented], "a field is documented out of order"
    assert set(documented) <= set(PATHS), set(documented) - set(PATHS)
    undocumented = [p for p in PATHS if p not in documented and not any(d.startswith(p + ".") for d in documented)
                    and p.rpartition(".")[0] not in documented]
    assert undocumented == []
