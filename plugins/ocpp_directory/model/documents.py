"""A record's certificate document and its revisions (re-issues under the same number)."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from .certificate import Certificate, Document, Revision
from .errors import Problem
from .fields import Fields, is_https_url, quote
from .readfile import NotReadable, read_regular

DOCUMENT_FILE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,150}\.pdf$")
#: a revision's description is at most this long
CHANGE_MAX = 4000


def read_document(f: Fields, node, where: str) -> Document | None:
    """A document: a PDF file beside the record, the address of the OCA's copy, or both."""
    m = f.mapping(node, where, optional=("file", "url"))
    if m is None:
        return None
    name = f.string(f.get(m, "file"), f"{where}.file", pattern=DOCUMENT_FILE,
                    pattern_text="the name of a PDF file beside the record, such as OCA.0016.1268.CSMS.pdf")
    url_node = f.get(m, "url")
    url = f.string(url_node, f"{where}.url", max_len=500)
    if url is not None and not is_https_url(url):
        f.add(url_node.line, f"{where}.url", f"{quote(url)} is not an https:// address",
              "the address of the OCA's copy of the document, starting with https://")
        url = None
    if f.get(m, "file") is None and url_node is None:
        f.add(m.line, where, "names no document", "file: (a PDF beside the record) or url: (the OCA's copy)")
    return Document(name, url) if name or url else None

def read_revisions(f: Fields, node, issued, today) -> tuple[Revision, ...]:
    """The certificate's re-issues, oldest first, each after the one before and not in the future."""
    items = f.sequence(node, "revisions")
    out: list[Revision] = []
    for i, item in enumerate(items or ()):
        where = f"revisions[{i}]"
        m = f.mapping(item, where, required=("date", "change"), optional=("document",))
        day = f.date(f.get(m, "date"), f"{where}.date")
        change = f.string(f.get(m, "change"), f"{where}.change", max_len=CHANGE_MAX)
        document = read_document(f, f.get(m, "document"), f"{where}.document")
        if day is not None:
            line = f.get(m, "date").line
            if issued is not None and day < issued:
                f.add(line, f"{where}.date", f"{day} is before the issue date {issued}",
                      "the date the certificate was re-issued, after it was first issued")
            elif day > today:
                f.add(line, f"{where}.date", f"{day} is in the future", f"a date on or before {today}")
            elif out and day <= out[-1].date:
                f.add(line, f"{where}.date", f"{day} is not after the revision before it ({out[-1].date})",
                      "revisions oldest first, one a day at most")
        if day is not None and change is not None:
            out.append(Revision(day, change, document))
    return tuple(out)


#: a certificate document is at most this large
DOCUMENT_MAX = 20 * 1024 * 1024


def files_named(certificates: list[Certificate], files_of: dict[str, Path],
               problems: list[Problem]) -> dict[str, dict[str, tuple[Path, str]]]:
    """The document files the records name, each beside its record and a PDF; their SHA-256."""
    out: dict[str, dict[str, tuple[Path, str]]] = {}
    for cert in certificates:
        named = [("document", cert.document)] + [(f"revisions[{i}].document", r.document)
                                                 for i, r in enumerate(cert.revisions)]
        for where, document in named:
            if document is None or document.file is None:
                continue
            path = files_of[cert.path].parent / document.file
            line = cert.lines.get(where.partition("[")[0], 1)
            try:
                data = read_regular(path, DOCUMENT_MAX)
            except NotReadable as exc:
                problems.append(Problem(cert.path, line, f"{where}.file", f"{document.file} {exc.reason}",
                                        f"the certificate document, a PDF file of at most {DOCUMENT_MAX // 2**20} MB"))
                continue
            except OSError:
                problems.append(Problem(cert.path, line, f"{where}.file", f"{document.file} is not beside the record",
                                        f"a PDF file in {Path(cert.path).parent}"))
                continue
            if not data.startswith(b"%PDF-"):
                problems.append(Problem(cert.path, line, f"{where}.file", f"{document.file} is not a PDF",
                                        "the certificate document, a PDF file"))
                continue
            out.setdefault(cert.id, {})[document.file] = (path, hashlib.sha256(data).hexdigest())
    return out


def issued_name(cert_id: str, revision: int) -> str:
    """The file ``make issue`` writes beside a record: ``<id>.pdf``, and ``<id>.r<n>.pdf`` for revision n."""
    return f"{cert_id}.pdf" if revision == 0 else f"{cert_id}.r{revision}.pdf"


def issued_files(certificates: list[Certificate], files_of: dict[str, Path],
                 problems: list[Problem]) -> dict[str, list[tuple[int, str, Path, str]]]:
    """The documents issued for full records, found beside them by name, oldest first. One that is not a
    regular file, is over :data:`DOCUMENT_MAX` or is not a PDF is a problem on the record's id line, in
    ``validate`` and the build alike."""
    out: dict[str, list[tuple[int, str, Path, str]]] = {}
    listed: dict[str, set[str]] = {}  # each records folder's PDF files, listed once (not one open a record)
    for cert in certificates:
        if cert.from_listing:
            continue
        folder = os.path.dirname(files_of[cert.path])
        if folder not in listed:
            try:
                listed[folder] = {name for name in os.listdir(folder) if name.endswith(".pdf")}
            except OSError:
                listed[folder] = set()
        for revision in range(len(cert.revisions) + 1):
            name = issued_name(cert.id, revision)
            if name not in listed[folder]:
                continue
            path = Path(folder, name)
            line = cert.lines.get("id", 1)
            try:
                data = read_regular(path, DOCUMENT_MAX)
            except NotReadable as exc:
                problems.append(Problem(cert.path, line, "document", f"{name} beside the record {exc.reason}",
                                        f"the document make issue wrote, a PDF of at most {DOCUMENT_MAX // 2**20} MB"))
                continue
            except OSError:
                continue
            if not data.startswith(b"%PDF-"):
                problems.append(Problem(cert.path, line, "document", f"{name} beside the record is not a PDF",
                                        "the document make issue wrote, or no file of that name"))
                continue
            out.setdefault(cert.id, []).append((revision, name, path, hashlib.sha256(data).hexdigest()))
    return out
