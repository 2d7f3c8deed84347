"""The record format is declared once (model/format.py): every place that spells it agrees with it."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

from ocpp_directory.model.format import CSV_COLUMNS, FIELDS
from ocpp_directory.outputs import exports, search
from ocpp_directory.model import schema as record_schema
from ocpp_directory.model import serial

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
    written = set().union(*(_paths(serial.record(c)) for c in samples.certificates))
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
    assert list(serial.protected_fields(cert)) == [f.path for f in FIELDS if f.protected]


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


def test_every_csv_cell_holds_its_columns_value(samples):
    """Issue 36: the row is built by position; checked by its header's names, each cell against the
    certificate itself (not against the row's builder), for every sample."""
    base = "https://x.example"
    rows = list(csv.DictReader(io.StringIO(exports.directory_csv(samples, base).decode("utf-8"))))
    join = "; ".join
    for row in rows:
        c = samples.by_id[row["id"]]
        hw, r, vendor = c.hardware, c.results, samples.device_of[c.id].vendor
        names = exports.feature_names(samples.program.rules_of(c), c)
        expected = {
            "id": c.id, "issued": c.issued.isoformat(), "ocpp_version": c.ocpp_version, "edition": c.edition or "",
            "profiles": join(c.profiles), "certificate_type": c.certificate_type, "source": c.source,
            "vendor_name": c.vendor_name, "vendor_country": c.vendor_country, "vendor_website": c.vendor_website or "",
            "device_name": c.device_name, "device_type": c.device_type, "models": join(c.models),
            "software_version": c.software_version or "", "hardware_evse": hw.evse if hw else "",
            "hardware_connection": join(hw.connection) if hw else "", "hardware_rfid": hw.rfid if hw else "",
            "hardware_communication": join(hw.communication) if hw else "", "features": join(c.features),
            "security_profiles": join(map(str, c.security_profiles)), "laboratory": c.laboratory or "",
            "test_date": c.test_date.isoformat() if c.test_date else "", "test_tool": c.test_tool or "",
            "reports": join(c.reports), "passed": str(r.passed) if r else "", "failed": str(r.failed) if r else "",
            "not_applicable": str(r.not_applicable) if r else "", "white_label_of": c.white_label_of or "",
            "document_url": exports.document_url(samples, c, base) or "",
            "revisions": join(f"{v.date}: {v.change}" for v in c.revisions), "url": f"{base}/certificates/{c.id}/",
            "hardware_hfs": join(hw.hfs) if hw else "", "feature_names": join(names.values()),
            "vendor_id": vendor.slug, "vendor_names": join(vendor.other_names),
        }
        assert set(expected) == set(CSV_COLUMNS)
        plain = {k: v.removeprefix("'") for k, v in row.items()}  # a neutralised cell's apostrophe aside
        assert plain == expected, c.id
