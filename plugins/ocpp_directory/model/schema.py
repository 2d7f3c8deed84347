"""The JSON Schema of a certificate record (``/schema/certificate-record.schema.json``), made from the
validator's own constants and the program file, so that it says what the validator checks."""

from __future__ import annotations

from .directory import Directory
from .documents import DOCUMENT_FILE
from .format import TOP_REQUIRED
from .records import COUNTRY_CODES, HARDWARE_CHOICES, NAME_MAX, PERFORMANCE_NAME, SOURCES, STATEMENT_MAX
from .serial import dumps


def json_schema(directory: Directory, base: str) -> bytes:
    program = directory.program
    text = {"type": "string", "minLength": 1}
    date = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
    all_profiles = sorted({p for v in program.versions.values() for p in v.all_profiles()})
    security_values = sorted({s for v in program.versions.values() for s in v.security_values})
    version_rules = []
    for version in program.versions.values():
        for key, edition in version.editions.items():
            if edition.known_features is not None:
                feature = {"enum": list(edition.known_features)}
            elif edition.part5 is not None:
                feature = {"enum": sorted({fid for table in edition.part5.tables.values() for fid in table})}
            else:
                feature = {"type": "string", "pattern": edition.feature_pattern.pattern}
            # a record of the version's first edition need not name it
            named = {"required": ["edition"], "properties": {"edition": {"const": key}}}
            which = {"anyOf": [named, {"not": {"required": ["edition"]}}]} if edition is version else named
            version_rules.append({
                "if": {"properties": {"ocpp_version": {"const": version.key}}, **which},
                "then": {"properties": {
                    "profiles": {"items": {"enum": list(edition.profiles)}},
                    "features": {"items": feature},
                }},
            })
            for device_type, table in (edition.part5.tables.items() if edition.part5 is not None else ()):
                # Part 5: each device type has its own table of optional features
                version_rules.append({
                    "if": {"properties": {"ocpp_version": {"const": version.key},
                                          "device": {"properties": {"type": {"const": device_type}}}}, **which},
                    "then": {"properties": {"features": {"items": {"enum": list(table)}}}},
                })
    document = {"type": "object", "minProperties": 1, "additionalProperties": False,
                "properties": {"file": {"type": "string", "pattern": DOCUMENT_FILE.pattern},
                               "url": {"type": "string", "pattern": "^https://"}}}
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{base}/schema/certificate-record.schema.json",
        "title": "OCPP certificate record",
        "description": "One certificate of the OCPP certification directory, as in its YAML record. "
                       "Rules that need other records or dates (unique ids, white labels, laboratory "
                       "authorisation periods, issue dates) are checked by the directory's validator only.",
        "type": "object",
        "required": list(TOP_REQUIRED),
        "additionalProperties": False,
        "properties": {
            "id": {"type": "string", "pattern": program.numbering.json_pattern()},
            "edition": {"enum": sorted({e for v in program.versions.values() for e in v.editions})},
            "source": {"enum": list(SOURCES)},
            "issued": date,
            "ocpp_version": {"enum": list(program.versions)},
            "profiles": {"type": "array", "minItems": 1, "uniqueItems": True, "items": {"enum": all_profiles}},
            "vendor": {
                "type": "object", "required": ["name", "country"], "additionalProperties": False,
                "properties": {
                    "name": text | {"maxLength": NAME_MAX},
                    "country": {"enum": sorted(COUNTRY_CODES)},
                    "website": {"type": "string", "pattern": "^https://"},
                },
            },
            "device": {
                "type": "object", "required": ["name", "type"], "additionalProperties": False,
                "properties": {
                    "name": text | {"maxLength": NAME_MAX},
                    "type": {"enum": list(program.device_types)},
                    "models": {"type": "array", "minItems": 1, "uniqueItems": True, "items": text},
                    "software_version": text | {"maxLength": NAME_MAX},
                    "hardware": {
                        "type": "object", "required": list(HARDWARE_CHOICES), "additionalProperties": False,
                        "properties": {
                            "evse": {"enum": list(HARDWARE_CHOICES["evse"])},
                            "rfid": {"enum": list(HARDWARE_CHOICES["rfid"])},
                            "connection": {"type": "array", "minItems": 1, "uniqueItems": True,
                                           "items": {"enum": list(HARDWARE_CHOICES["connection"])}},
                            "communication": {"type": "array", "minItems": 1, "uniqueItems": True,
                                              "items": {"enum": list(HARDWARE_CHOICES["communication"])}},
                            "hfs": {"type": "array", "minItems": 1, "uniqueItems": True,
                                    "items": {"enum": sorted({h for v in program.versions.values()
                                                              for e in v.editions.values()
                                                              for h, hf in e.hardware_features.items()
                                                              if hf.kind == "yes-no"})}},
                        },
                    },
                },
            },
            "features": {"type": "array", "uniqueItems": True, "items": {"type": "string"}},
            "security_profiles": {"type": "array", "minItems": 1, "uniqueItems": True,
                                  "items": {"enum": security_values}},
            "test": {
                "type": "object", "required": ["laboratory", "date", "tool", "reports", "results"],
                "additionalProperties": False,
                "properties": {
                    "laboratory": {"enum": list(program.laboratories)},
                    "date": date,
                    "tool": text,
                    "reports": {"type": "array", "minItems": 1, "uniqueItems": True, "items": text},
                    "results": {
                        "type": "object", "required": ["passed", "failed", "not_applicable"],
                        "additionalProperties": False,
                        "properties": {
                            "passed": {"type": "integer", "minimum": 0},
                            "failed": {"const": 0},
                            "not_applicable": {"type": "integer", "minimum": 0},
                        },
                    },
                },
            },
            "performance": {"type": "object", "propertyNames": {"pattern": PERFORMANCE_NAME.pattern},
                            "additionalProperties": {"type": "number"}},
            "statement": text | {"maxLength": STATEMENT_MAX},
            "white_label_of": {"type": "string", "pattern": program.numbering.json_pattern()},
            "document": document,
            "revisions": {"type": "array", "minItems": 1, "items": {
                "type": "object", "required": ["date", "change"], "additionalProperties": False,
                "properties": {"date": date, "change": text | {"maxLength": STATEMENT_MAX}, "document": document}}},
        },
        "allOf": [
            *version_rules,
            # a full record has its tests and software version; one from the OCA's listing may not
            {"if": {"not": {"required": ["source"], "properties": {"source": {"const": "oca-listing"}}}},
             "then": {"required": ["test"], "properties": {"device": {"required": ["software_version"]}}}},
            {"if": {"properties": {"device": {"properties": {"type": {"const": "charging-station"}}}},
                    "not": {"required": ["source"], "properties": {"source": {"const": "oca-listing"}}}},
             "then": {"properties": {"device": {"required": ["hardware"]}}}},
            {"if": {"properties": {"device": {"properties": {"type": {"const": "csms"}}}}},
             "then": {"properties": {"device": {"not": {"required": ["hardware"]}}}}},
        ],
        # directory.json's entries: a record and, beside it, these (outputs/exports.BESIDE_RECORD)
        "$defs": {"beside_record": {
            "description": "What each certificate of directory.json holds beside its record.",
            "type": "object",
            "properties": {
                "url": {"type": "string", "description": "The certificate's permanent page."},
                "certificate_type": text | {"description": "The certificate's type in the OCA's notation."},
                "feature_names": {"type": "object", "additionalProperties": text,
                                  "description": "Each optional feature's name, as Part 5 writes it."},
                "document_sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                "document_url": {"type": "string"},
                "vendor_id": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]*$",
                              "description": "The vendor's stable id: the slug of its page, /vendors/<id>/, which "
                                             "never names another vendor."},
                "vendor_names": {"type": "array", "items": text,
                                 "description": "The other names the vendor goes by: its certificates' spellings, "
                                                "and the aliases and former names the OCA records."},
            },
        }},
    }
    return dumps(schema)
