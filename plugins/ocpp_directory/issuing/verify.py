"""Checking a certificate document, for anyone: ``python -m ocpp_directory verify-document``.

A document is what the OCA issued when its signature is intact, covers the
whole file and leads to the OCA's certificate authority, and when the site's
``/documents.json`` lists its SHA-256 as the current document of a certificate.
"""

from __future__ import annotations

import hashlib
import json
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from ..model.errors import DirectoryError
from ..outputs.certificate_pdf import ATTACHMENT
from .signing import attachment, check


@dataclass(frozen=True)
class Verdict:
    ok: bool
    message: str
    id: str | None = None
    revision: int | None = None


def documents(site: str) -> dict:
    """The site's documents.json (a folder or a URL); raises :class:`DirectoryError`."""
    try:
        if site.startswith(("http://", "https://")):
            with urllib.request.urlopen(site.rstrip("/") + "/documents.json", timeout=20) as response:
                data = response.read()
        else:
            data = (Path(site) / "documents.json").read_bytes()
        return json.loads(data)["documents"]
    except (OSError, ValueError, KeyError) as exc:
        raise DirectoryError(f"{site}: no documents.json can be read there ({exc})") from None


def verify(pdf: bytes, site: str, trust: list[Path]) -> Verdict:
    """Which certificate and revision ``pdf`` is, or exactly what is wrong with it. With no ``trust``
    (no certificate authority named), it says what it can tell and that who signed cannot be told."""
    found = check(pdf, trust)
    if not found.signed:
        return Verdict(False, "not signed: this file carries no signature, so nothing shows who issued it")
    if not found.intact:
        return Verdict(False, "changed after signing: the signature does not cover this file as it is")
    if not trust:
        listed = documents(site).get(hashlib.sha256(pdf).hexdigest())
        where = (f"{site} lists it as the {'current' if listed['current'] else 'superseded'} document of "
                 f"{listed['id']}" if listed else f"{site} does not list it")
        return Verdict(False, f"NOT VERIFIED: the signature is intact and covers the whole file, by "
                       f"{found.signer or 'an unknown signer'}, and {where}; but whether that signer is the OCA "
                       "cannot be told without the OCA's certificate authority. Give it: --trust <OCA CA.pem> "
                       "or OCPP_DOCUMENT_CA=<OCA CA.pem>", listed["id"] if listed else None)
    if not found.trusted:
        return Verdict(False, f"signed by another key ({found.signer or 'unknown signer'}), not the OCA's")
    held = attachment(pdf, ATTACHMENT)
    record = json.loads(held) if held else {}
    number = record.get("id")
    listed = documents(site).get(hashlib.sha256(pdf).hexdigest())
    if listed is None:
        return Verdict(False, f"not in the directory: {site} lists no such document"
                       + (f" (it says it is {number})" if number else ""), number)
    if not listed["current"]:
        return Verdict(False, f"superseded: this is revision {listed['revision']} of {listed['id']}; the current "
                       f"document is at {listed['id']}'s page", listed["id"], listed["revision"])
    return Verdict(True, f"the document the OCA issued for {listed['id']}"
                   + (f", revision {listed['revision']}" if listed["revision"] else "")
                   + f", signed by {found.signer}", listed["id"], listed["revision"])
