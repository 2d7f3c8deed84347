"""The fleet check's lookup data (``/check/``): a small index of every vendor's names, and the vendors'
devices in files of a few vendors each.

``check/vendors.json``: ``names`` (:func:`..model.fleet.name_key` of every name a vendor goes by -> its
id), ``loose`` (:func:`..model.fleet.loose_key` -> its id, or null where two vendors share the key),
``vendors`` (id -> name) and ``bucket`` (id -> the number of its file). ``check/v/<n>.json``: id -> the
vendor's devices, each with its model keys and its certificates (id, OCPP version, software version,
type). A vendor's id is its address's slug, which a publish never gives to another vendor
(publishing/addresses.py); its file is fixed by a hash of it and the number of files, a power of two
about a quarter of the vendors (a new vendor moves no other vendor until that number doubles). The
check fetches the index and the files of the vendors its fleet names, never the whole directory: a
fleet of 10,000 chargers of 400 vendors fetched 400 files, 3.6 s of a 4.7 s check at 4x CPU throttling.
"""

from __future__ import annotations

import hashlib

from ..model.directory import Directory
from ..model.fleet import LEGAL_FORMS, loose_key, name_key
from ..model.text import json_bytes

FORMAT = 1


def files(directory: Directory) -> dict[str, bytes]:
    """``check/vendors.json`` and the vendor files ``check/v/<n>.json``."""
    names: dict[str, str] = {}
    loose: dict[str, str | None] = {}
    count = buckets(len(directory.vendors))
    bucket = {v.slug: int(hashlib.sha256(v.slug.encode()).hexdigest()[:8], 16) % count for v in directory.vendors}
    files_of: dict[int, dict] = {}
    for vendor in directory.vendors:
        for name in (vendor.name, *vendor.other_names):
            names.setdefault(name_key(name), vendor.slug)
            key = loose_key(name)
            loose[key] = vendor.slug if loose.get(key, vendor.slug) == vendor.slug else None  # ambiguous: none
        files_of.setdefault(bucket[vendor.slug], {})[vendor.slug] = {
            "id": vendor.slug, "name": vendor.name, "url": vendor.url, "devices": [_device(d) for d in vendor.devices],
        }
    out = {f"check/v/{n}.json": json_bytes({"format": FORMAT, "vendors": group}) for n, group in files_of.items()}
    out["check/vendors.json"] = json_bytes({
        "format": FORMAT, "vendors": {v.slug: v.name for v in directory.vendors}, "legal_forms": sorted(LEGAL_FORMS),
        "bucket": bucket,
        "names": dict(sorted(names.items())), "loose": dict(sorted(loose.items())),
    })
    return out


def buckets(vendors: int) -> int:
    """How many vendor files: a power of two, about a quarter of the vendors."""
    count = 1
    while count * 4 < vendors:
        count *= 2
    return count


def _device(device) -> dict:
    """A device in its vendor's file: its models (its certificates'), the keys they and its name match by,
    and its certificates."""
    models = list(dict.fromkeys(m for c in device.certificates for m in c.models))
    return {"name": device.name, "url": device.url, "models": models,
            "keys": sorted({k for k in (name_key(m) for m in (device.name, *models)) if k}),
            "certificates": [{"id": c.id, "ocpp": c.ocpp_version, "version": c.software_version,
                              "type": c.certificate_type} for c in device.certificates]}
