"""Issuing certificate documents (``make issue``) and checking them against their records.

A document is issued once and kept: ``<number>.pdf`` beside the record, and
``<number>.r<n>.pdf`` when the record's revision n re-issues it (the older ones
stay, superseded). A build copies them to the site and never makes them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from ..model.directory import Directory
from ..model.documents import issued_name
from ..model.errors import Problem, ValidationFailed
from ..model import serial
from ..outputs import qr
from ..outputs.certificate_pdf import ATTACHMENT, Issue, render
from ..outputs.logos import Renderer, kit_of, kits, logo
from ..outputs.logos.render import ARTWORK_DATE
from ..outputs.stores import Kept, Renderings
from .signing import Keys, attachment, sign


@dataclass
class Issued:
    written: list[Path] = field(default_factory=list)
    #: certificates whose documents are all there already
    kept: int = 0
    #: certificates from the OCA's listing: their documents are the OCA's own
    listing: int = 0


def issue(directory: Directory, folders: dict[str, Path], keys: Keys, public_base: str, store: Renderings,
          progress=None) -> Issued:
    """Write, signed, the document each full record lacks: its first, or its latest revision's.

    ``folders`` gives each certificate's record folder. Raises ``SigningError`` before writing
    anything when the keys cannot be used."""
    result = Issued()
    renderer = Renderer(store, ARTWORK_DATE)
    all_kits = kits(directory.program, directory.certificates)
    todo = []
    for cert in directory.certificates:
        if cert.from_listing:
            result.listing += 1
            continue
        revision = len(cert.revisions)
        if any(r == revision for r, *_ in directory.issued.get(cert.id, [])):
            result.kept += 1
            continue
        todo.append((cert, revision))
    for done, (cert, revision) in enumerate(todo, 1):
        kit = kit_of(all_kits, cert)
        url = f"{public_base}/{cert.url}"
        day = cert.revisions[-1].date if revision else cert.issued
        made = render(cert, directory.program, Issue(
            url=url, verify_url=f"{public_base}/verify/", modules=qr.matrix(url),
            logo_png=renderer.render(logo(kit.lines).svg, "png", 900), logo_lines=tuple(kit.lines),
            record_json=serial.certificate_json(cert), revision=revision, issued=day))
        signed = sign(made, keys, f"OCPP certificate {cert.id}" + (f", revision {revision}" if revision else ""))
        path = folders[cert.id] / issued_name(cert.id, revision)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_bytes(signed)
        tmp.replace(path)
        result.written.append(path)
        if progress is not None:
            progress("documents issued", done, len(todo))
    return result


def problems(directory: Directory, store: Kept | None = None) -> list[Problem]:
    """Each issued document's record against the record beside it: a protected field that differs is an
    error naming both values, unless the record has a revision the document does not have yet (then
    ``make issue`` re-issues it, and this is a warning). ``store`` keeps what each document (by its
    SHA-256) holds between builds: reading a PDF's attachment costs milliseconds, its hash is known."""
    out: list[Problem] = []
    known = (store.load() if store is not None else None) or {}
    kept = set(known)
    seen: dict[str, dict | None] = {}
    for cert in directory.certificates:
        issued = directory.issued.get(cert.id)
        if not issued:
            continue
        revision, name, path, sha = issued[-1]
        if sha not in known:
            held = attachment(path.read_bytes(), ATTACHMENT)
            try:
                known[sha] = serial.protected_of(json.loads(held)) if held else None
            except (ValueError, AttributeError):
                known[sha] = None
        inside = seen[sha] = known[sha]
        if inside is None:
            out.append(Problem(cert.path, cert.lines.get("id", 1), "document",
                               f"{name} holds no {ATTACHMENT}", "a document issued by make issue"))
            continue
        here = serial.protected_fields(cert)
        differs = [key for key in sorted(set(here) | set(inside)) if here.get(key) != inside.get(key)]
        if not differs:
            continue
        pending = len(cert.revisions) > revision
        for key in differs:
            out.append(Problem(
                cert.path, cert.lines.get(key, cert.lines.get(key.split(".")[0], 1)), key,
                f"{_show(here.get(key))} here but {_show(inside.get(key))} in the issued document {name}",
                (f"make issue re-issues it as revision {len(cert.revisions)}" if pending else
                 "the document's value, or a new entry in revisions (a correction), then make issue"),
                warning=pending))
    if store is not None and seen.keys() != kept:
        store.save(seen)  # what this build's documents hold, no more
    return out


def check_issued(directory: Directory, store: Kept | None = None) -> None:
    """:func:`problems`, as ``validate`` and the build judge them: raise :class:`ValidationFailed` (with the
    directory's warnings) on an error, else add the warnings to the directory's."""
    found = problems(directory, store)
    if any(not p.warning for p in found):
        raise ValidationFailed(found + directory.warnings)
    directory.warnings.extend(found)


def _show(value) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
