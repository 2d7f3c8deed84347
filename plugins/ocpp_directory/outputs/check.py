"""The fleet check's lookup data (``/check/``): a small index of every vendor's names, and one file a vendor.

``check/vendors.json``: ``names`` (:func:`..model.fleet.name_key` of every name a vendor goes by -> its
id), ``loose`` (:func:`..model.fleet.loose_key` -> its id, or null where two vendors share the key) and
``vendors`` (id -> name). ``check/v/<id>.json``: the vendor's devices, each with its model keys and its
certificates (id, OCPP version, software version, type). A vendor's id is its address's slug, which a
publish never gives to another vendor (publishing/addresses.py). The check fetches the index and the
files of the vendors its fleet names, never the whole directory.
"""

from __future__ import annotations

from ..model.directory import Directory
from ..model.fleet import LEGAL_FORMS, loose_key, name_key
from ..model.text import json_bytes

FORMAT = 1


def files(directory: Directory) -> dict[str, bytes]:
    """``check/vendors.json`` and ``check/v/<id>.json`` of every vendor."""
    names: dict[str, str] = {}
    loose: dict[str, str | None] = {}
    out: dict[str, bytes] = {}
    for vendor in directory.vendors:
        for name in (vendor.name, *vendor.other_names):
            names.setdefault(name_key(name), vendor.slug)
            key = loose_key(name)
            loose[key] = vendor.slug if loose.get(key, vendor.slug) == vendor.slug else None  # ambiguous: none
        out[f"check/v/{vendor.slug}.json"] = json_bytes({
            "format": FORMAT, "id": vendor.slug, "name": vendor.name, "url": vendor.url,
            "devices": [{
                "name": d.name, "url": d.url, "models": list(_models(d)),
                "keys": sorted({k for k in (name_key(m) for m in (d.name, *_models(d))) if k}),
                "certificates": [{"id": c.id, "ocpp": c.ocpp_version, "version": c.software_version,
                                  "type": c.certificate_type} for c in d.certificates],
            } for d in vendor.devices],
        })
    out["check/vendors.json"] = json_bytes({
        "format": FORMAT, "vendors": {v.slug: v.name for v in directory.vendors}, "legal_forms": sorted(LEGAL_FORMS),
        "names": dict(sorted(names.items())), "loose": dict(sorted(loose.items())),
    })
    return out


def _models(device) -> list[str]:
    return list(dict.fromkeys(m for c in device.certificates for m in c.models))
