"""The record format, declared once: every field, its type, when it is required, and where it goes.

The reader takes each mapping's required and optional keys from :data:`FIELDS`;
the CSV columns and the ledger's protected fields are made from it; tests
check the JSON export, the JSON Schema, the search fields and the field table
of ``docs/certificate-record.md`` against it. The rules themselves (patterns,
choices, what the program requires) are in :mod:`.records` and the program file.

To add an optional field: one entry here, its rule in :mod:`.records` and its
value in ``Certificate``, its export in ``model/serial.record``, and a test
that feeds it bad input. The tests above say what else is missing.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Field:
    #: where it is in a record: keys joined by "."
    path: str
    #: its YAML type, in the words of the docs' table
    kind: str
    #: "yes", "no", or the condition under which it is required (a key the reader accepts as optional)
    required: str = "yes"
    #: the CSV columns it is exported as (none: not in the CSV)
    csv: tuple[str, ...] = ()
    #: the search field (``outputs/search/tokens.FIELDS``) it is indexed in, if any
    search: str | None = None
    #: part of what a publish may never change (section 8.2.1), as the ledger keeps it
    protected: bool = False
    #: a field added after the CSV's first columns were published: its columns come after ``url``, so a
    #: reader that counts columns still finds the first ones where they were
    csv_late: bool = False

    @property
    def parent(self) -> str:
        return self.path.rpartition(".")[0]

    @property
    def key(self) -> str:
        return self.path.rpartition(".")[2]


FIELDS: tuple[Field, ...] = (
    Field("id", "string", csv=("id",), search="id", protected=True),
    Field("issued", "date", csv=("issued",), protected=True),
    Field("ocpp_version", "string", csv=("ocpp_version",), protected=True),
    Field("edition", "string", "no", csv=("edition",)),
    Field("profiles", "list of strings", csv=("profiles", "certificate_type"), search="profiles", protected=True),
    Field("source", "string", "no", csv=("source",)),
    Field("vendor", "mapping"),
    Field("vendor.name", "string", csv=("vendor_name",), search="vendor", protected=True),
    Field("vendor.country", "string", csv=("vendor_country",), search="country"),
    Field("vendor.website", "string", "no", csv=("vendor_website",)),
    Field("device", "mapping"),
    Field("device.name", "string", csv=("device_name",), search="device"),
    Field("device.type", "string", csv=("device_type",)),
    Field("device.models", "list of strings", "no", csv=("models",), search="models"),
    Field("device.software_version", "string", "unless source: oca-listing", csv=("software_version",),
          search="software_version", protected=True),
    Field("device.hardware", "mapping", "charging stations"),
    Field("device.hardware.evse", "string", csv=("hardware_evse",)),
    Field("device.hardware.connection", "list", csv=("hardware_connection",)),
    Field("device.hardware.rfid", "string", csv=("hardware_rfid",)),
    Field("device.hardware.communication", "list", csv=("hardware_communication",)),
    Field("device.hardware.hfs", "list of strings", "no", csv=("hardware_hfs",), csv_late=True),
    Field("features", "list of strings", "with full or subset", csv=("features",), search="features"),
    Field("security_profiles", "list of integers", "with security", csv=("security_profiles",)),
    Field("test", "mapping", "unless source: oca-listing", protected=True),
    Field("test.laboratory", "string", csv=("laboratory",), search="laboratory"),
    Field("test.date", "date", csv=("test_date",)),
    Field("test.tool", "string", csv=("test_tool",)),
    Field("test.reports", "list of strings", csv=("reports",)),
    Field("test.results", "mapping", csv=("passed", "failed", "not_applicable")),
    Field("test.results.passed", "integer"),
    Field("test.results.failed", "integer"),
    Field("test.results.not_applicable", "integer"),
    Field("performance", "mapping", "no"),
    Field("statement", "string", "no"),
    Field("white_label_of", "string", "no", csv=("white_label_of",)),
    Field("document", "mapping", "no", csv=("document_url",)),
    Field("document.file", "string", "no"),
    Field("document.url", "string", "no"),
    Field("revisions", "list of mappings", "no", csv=("revisions",)),
)

BY_PATH = {f.path: f for f in FIELDS}


def keys(parent: str, required: bool) -> tuple[str, ...]:
    """The keys of mapping ``parent`` ("" for the record) that must be there, or that may."""
    return tuple(f.key for f in FIELDS if f.parent == parent and (f.required == "yes") == required)


#: the record's own keys
TOP_REQUIRED = keys("", True)
TOP_OPTIONAL = keys("", False)
#: the fields a publish may never change, in the format's order
PROTECTED = tuple(f.path for f in FIELDS if f.protected)
#: the CSV's columns: the fields' in the format's order, the certificate's page, then the columns added
#: later (in the order they were added): the late fields', the names of the optional features, and the
#: vendor's stable id and other names (vendors.yaml)
CSV_COLUMNS = (tuple(column for f in FIELDS if not f.csv_late for column in f.csv) + ("url",)
               + tuple(column for f in FIELDS if f.csv_late for column in f.csv) + ("feature_names", "vendor_id",
                                                                                     "vendor_names"))
