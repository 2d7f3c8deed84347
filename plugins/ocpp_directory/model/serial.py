"""The record's own serialization: a :class:`~.records.Certificate` as data in the record format (the
same fields as its YAML file, ``certificate.json``), as deterministic JSON, and the fields a publish may
never change with their ledger entry. The model owns it: the exports, the log, the ledger and the signed
document all read a record through here (its JSON Schema is :mod:`.schema`)."""

from __future__ import annotations

import hashlib
import json

from .format import PROTECTED
from .records import Certificate
from .text import json_bytes


def _number(text: str) -> int | float:
    return float(text) if "." in text else int(text)


def record(cert: Certificate) -> dict:
    """The certificate in the record format (the same fields as its YAML file)."""
    data: dict = {
        "id": cert.id,
        "issued": cert.issued.isoformat(),
        "ocpp_version": cert.ocpp_version,
        "profiles": list(cert.profiles),
        "vendor": {"name": cert.vendor_name, "country": cert.vendor_country},
        "device": {"name": cert.device_name, "type": cert.device_type},
    }
    if cert.software_version is not None:
        data["device"]["software_version"] = cert.software_version
    if cert.results is not None:
        data["test"] = {
            "laboratory": cert.laboratory,
            "date": cert.test_date.isoformat(),
            "tool": cert.test_tool,
            "reports": list(cert.reports),
            "results": {"passed": cert.results.passed, "failed": cert.results.failed,
                        "not_applicable": cert.results.not_applicable},
        }
    if cert.edition:
        data["edition"] = cert.edition
    if cert.source != "directory":
        data["source"] = cert.source
    if cert.vendor_website:
        data["vendor"]["website"] = cert.vendor_website
    if cert.models:
        data["device"]["models"] = list(cert.models)
    if cert.hardware:
        hw = cert.hardware
        data["device"]["hardware"] = {"evse": hw.evse, "connection": list(hw.connection), "rfid": hw.rfid,
                                      "communication": list(hw.communication)}
        if hw.hfs:
            data["device"]["hardware"]["hfs"] = list(hw.hfs)
    if cert.features:
        data["features"] = list(cert.features)
    if cert.security_profiles:
        data["security_profiles"] = list(cert.security_profiles)
    if cert.performance:
        data["performance"] = {name: _number(value) for name, value in cert.performance}
    if cert.statement:
        data["statement"] = cert.statement
    if cert.white_label_of:
        data["white_label_of"] = cert.white_label_of
    if cert.document:
        data["document"] = _document(cert.document)
    if cert.revisions:
        data["revisions"] = [{"date": r.date.isoformat(), "change": r.change,
                              **({"document": _document(r.document)} if r.document else {})} for r in cert.revisions]
    return data


def _document(document) -> dict:
    return {key: value for key, value in (("file", document.file), ("url", document.url)) if value}


def dumps(data) -> bytes:
    """Deterministic JSON: sorted keys, fixed separators, UTF-8, bidi controls escaped."""
    return json_bytes(data, indent=1)


def certificate_json(cert: Certificate) -> bytes:
    """``certificate.json``: the record, as its signed document and the site hold it."""
    return dumps(record(cert))


def protected_fields(cert: Certificate) -> dict:
    """The values of the fields a publish may never change (:data:`PROTECTED`), by their path."""
    return protected_of(record(cert))


def protected_of(data: dict) -> dict:
    """:func:`protected_fields` of a record as ``certificate.json`` holds it."""
    fields = {}
    for path in PROTECTED:
        value = data
        for key in path.split("."):
            value = value.get(key) if isinstance(value, dict) else None
        if value is not None:  # a certificate from the OCA's listing may have no test or software version
            fields[path] = sorted(value) if path == "profiles" else value  # the order of profiles means nothing
    return fields


def ledger_entry_of(data: dict) -> dict:
    """A certificate's ledger entry from its record as ``certificate.json`` and the log hold it: the hash
    of its protected fields, the fields, and its revisions (a revision explains a change of them,
    publishing/flow.py)."""
    fields = protected_of(data)
    entry = {
        "sha256": hashlib.sha256(json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()).hexdigest(),
        "fields": fields,
    }
    if data.get("revisions"):
        entry["revisions"] = [{"date": r["date"], "change": r["change"]} for r in data["revisions"]]
    return entry
