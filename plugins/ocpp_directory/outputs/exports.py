"""Open data: JSON, CSV, Atom, sitemap, the publication ledger. A record's own serialization (its fields
as data, its protected fields, its JSON Schema) is the model's: :mod:`..model.serial`, :mod:`..model.schema`.

Every export escapes for its own format through the format's own writer
(json, feedgenerator, ElementTree; CSV quoting is RFC 4180 applied to every common dialect's separators); nothing here builds markup by hand.
"""

from __future__ import annotations

import datetime as dt
import re
import io
import json
from collections.abc import Iterable, Iterator
from xml.sax.saxutils import escape

from feedgenerator import Atom1Feed

from .stores import Parts, make_every
from ..model import addresses
from ..model.directory import Directory
from ..model.text import json_text, visible_bidi
from ..model.format import CSV_COLUMNS
from ..model.records import Certificate
from ..model.serial import dumps, ledger_entry_of, record

EXPORT_FORMAT = 1
CSV_LIST_SEPARATOR = "; "


def feature_names(version, cert: Certificate) -> dict[str, str]:
    """Each of a certificate's features by its name as the program writes it (Part 5's, with the
    configuration variable; for 1.6 the functionality's name): ``{"C-42": "Signed Metervalues
    (SampledDataSignReadings)"}``."""
    out = {}
    for fid in cert.features:
        found = version.feature(fid, cert.device_type)
        out[fid] = found.title if found is not None else version.feature_title(fid)
    return out


def document_url(directory: Directory, cert: Certificate, base: str) -> str | None:
    """Where the certificate's document is read: the site's copy (a file beside the record, or the one this
    directory issued), else the OCA's copy; None when there is none."""
    if directory.site_document(cert) is not None:
        return f"{base}/{addresses.certificate(cert.id, 'certificate.pdf')}"
    return cert.document.url if cert.document else None


def _nested(data, depth: int) -> str:
    """``data`` as :func:`dumps` writes it ``depth`` levels down, without the first line's indent."""
    return json_text(data, indent=1).replace("\n", "\n" + " " * depth)


def _filled(skeleton: dict, key: str, parts: Iterable[str]) -> Iterator[bytes]:
    """:func:`dumps` of ``skeleton`` with ``parts`` (texts made by :func:`_nested` at depth 2) as
    the items of its list or object ``key``, in pieces: the same bytes as dumping the whole, without
    encoding 10,000 certificates in Python's pure-Python encoder (which ``indent`` forces) on every
    build, nor holding every part, their text and its encoding at once (38 MB each at 30,000)."""
    as_list = isinstance(skeleton[key], list)
    hole = "\ue000"  # stands for the parts: a private-use character the skeleton does not hold
    while True:
        text = dumps(skeleton | {key: [hole] if as_list else {hole: 0}}).decode("utf-8")
        quoted = json.dumps(hole, ensure_ascii=False) + ("" if as_list else ": 0")
        if text.count(quoted) == 1:
            break
        hole += "\ue000"
    before, after = text.split(quoted)
    parts = iter(parts)
    first = next(parts, None)
    if first is None:
        yield dumps(skeleton)
        return
    yield (before + first).encode("utf-8")
    for part in parts:
        yield (",\n  " + part).encode("utf-8")
    yield after.encode("utf-8")


def directory_json(directory: Directory, generated: dt.date, base: str, memo: Parts = make_every) -> bytes:
    return b"".join(directory_json_pieces(directory, generated, base, memo))


def directory_json_pieces(directory: Directory, generated: dt.date, base: str,
                          memo: Parts = make_every) -> Iterator[bytes]:
    """directory.json in pieces, a certificate at a time (:func:`_filled`)."""
    parts = (memo(f"directory.json\0{vendor_part(directory, c)}", c,
                  lambda c=c: _nested(directory_entry(directory, c, base), 2))
             for c in sorted(directory.certificates, key=lambda c: c.id))
    return _filled({
        "format": EXPORT_FORMAT,
        "generated": generated.isoformat(),
        "schema": f"{base}/schema/certificate-record.schema.json",
        "certificates": [],
    }, "certificates", parts)


#: what a certificate's entry in directory.json holds beside its record
BESIDE_RECORD = ("url", "certificate_type", "feature_names", "document_sha256", "document_url", "vendor_id",
                 "vendor_names")


def vendor_part(directory: Directory, cert: Certificate) -> str:
    """What a certificate's exports say of its vendor besides its record: part of their memo keys."""
    vendor = directory.device_of[cert.id].vendor
    return f"{vendor.slug}\0{json_text(vendor.other_names)}"


def directory_entry(directory: Directory, cert: Certificate, base: str) -> dict:
    """A certificate in directory.json: its record, its page, its type in the OCA's notation and, where
    its document file is here, the document's address on the site and its SHA-256."""
    vendor = directory.device_of[cert.id].vendor
    # the vendor's stable id (its address's slug, which a publish never gives to another vendor) and the
    # other names it goes by (vendors.yaml), beside the record: the fleet check's names
    entry = record(cert) | {"url": f"{base}/{cert.url}", "certificate_type": cert.certificate_type,
                            "vendor_id": vendor.slug}
    if vendor.other_names:
        entry["vendor_names"] = vendor.other_names
    names = feature_names(directory.program.rules_of(cert), cert)
    if names:
        entry["feature_names"] = names
    held = directory.site_document(cert)
    if held is not None:
        entry["document_sha256"] = held[1]
        entry["document_url"] = document_url(directory, cert, base)
    return entry


def documents_json(directory: Directory, base: str) -> bytes:
    """``/documents.json``: the SHA-256 of every certificate document the site holds (issued by this
    directory, or the OCA's earlier documents the records keep), to the certificate and revision it
    is, and whether it is the current one: what /verify/ looks a dropped PDF up in."""
    found: dict[str, dict] = {}
    for cert in sorted(directory.certificates, key=lambda c: c.id):
        issued = directory.issued.get(cert.id, [])
        for i, (revision, _, _, sha) in enumerate(issued):
            found[sha] = {"id": cert.id, "revision": revision, "current": i == len(issued) - 1,
                          "url": f"{base}/{cert.url}" + (
                              "certificate.pdf" if i == len(issued) - 1 else f"certificate.r{revision}.pdf")}
        for name, (_, sha) in directory.documents.get(cert.id, {}).items():
            current = cert.document is not None and cert.document.file == name
            revision = next((i + 1 for i, r in enumerate(cert.revisions) if r.document and r.document.file == name), 0)
            found.setdefault(sha, {"id": cert.id, "revision": revision, "current": current,
                                   "url": f"{base}/{addresses.certificate(cert.id, 'certificate.pdf')}" if current else None})
    return dumps({"format": EXPORT_FORMAT, "documents": found})


#: the characters spreadsheets split a CSV line at, in the dialects in common use (comma; semicolon where
#: the comma is the decimal sign, as in much of Europe; tab; pipe)
SEPARATORS = ",;\t|"
#: what makes a spreadsheet evaluate a cell (OWASP CSV injection)
FORMULA = "=+-@\t\r"
_SPLIT_FORMULA = re.compile(f"([{re.escape(SEPARATORS)}])([{re.escape(FORMULA)}])")


def _cell(value: str) -> str:
    """Text a spreadsheet shows but never evaluates, bidi controls visible: a leading formula character is
    neutralised with an apostrophe, in the cell and in every cell a spreadsheet of another dialect would
    split it into (``Foo;=1+1`` is ``Foo;'=1+1``)."""
    value = visible_bidi(value)
    if value and value[0] in FORMULA:
        value = "'" + value
    return _SPLIT_FORMULA.sub(r"\1'\2", value)


def _quoted(value: str) -> str:
    """RFC 4180's quoting, applied to a cell that holds a separator of any common dialect, not only the
    comma (the csv module's minimal quoting knows only its own delimiter): a spreadsheet that splits on
    ``;`` still sees one cell."""
    return '"' + value.replace('"', '""') + '"' if any(c in value for c in SEPARATORS + '"\r\n') else value


def _csv_lines(rows: list[list[str]]) -> str:
    return "".join(",".join(_quoted(cell) for cell in row) + "\r\n" for row in rows)


def csv_text(rows: list[list[str]]) -> str:
    """Rows as this directory writes every CSV: each cell neutralised (:func:`_cell`) and quoted for every
    common dialect (:func:`_quoted`)."""
    return _csv_lines([[_cell(str(cell)) for cell in row] for row in rows])


def _csv_row(directory: Directory, c: Certificate, base: str) -> str:
    join = CSV_LIST_SEPARATOR.join
    hw, r = c.hardware, c.results
    row = [
        c.id, c.issued.isoformat(), c.ocpp_version, c.edition, join(c.profiles), c.certificate_type, c.source,
        c.vendor_name, c.vendor_country, c.vendor_website or "", c.device_name, c.device_type, join(c.models),
        c.software_version or "", hw.evse if hw else "", join(hw.connection) if hw else "", hw.rfid if hw else "",
        join(hw.communication) if hw else "", join(c.features), join(map(str, c.security_profiles)),
        c.laboratory or "", c.test_date.isoformat() if c.test_date else "", c.test_tool or "", join(c.reports),
        str(r.passed) if r else "", str(r.failed) if r else "", str(r.not_applicable) if r else "",
        c.white_label_of or "", document_url(directory, c, base) or "", join(f"{v.date}: {v.change}" for v in c.revisions),
        f"{base}/{c.url}",
        join(hw.hfs) if hw else "", join(feature_names(directory.program.rules_of(c), c).values()),
        directory.device_of[c.id].vendor.slug, join(directory.device_of[c.id].vendor.other_names),
    ]
    return _csv_lines([[_cell(v) for v in row]])


def directory_csv(directory: Directory, base: str, memo: Parts = make_every) -> bytes:
    """RFC 4180: CRLF line ends, quotes where needed, a header row, UTF-8."""
    return b"".join(directory_csv_pieces(directory, base, memo))


def directory_csv_pieces(directory: Directory, base: str, memo: Parts = make_every) -> Iterator[bytes]:
    """directory.csv in pieces: its header, then a row a certificate."""
    yield _csv_lines([list(CSV_COLUMNS)]).encode("utf-8")
    for c in sorted(directory.certificates, key=lambda c: c.id):
        row = memo(f"directory.csv\0{vendor_part(directory, c)}", c, lambda c=c: _csv_row(directory, c, base))
        yield row.encode("utf-8")


def atom_feed(directory: Directory, base: str, sitename: str, feed_path: str, count: int = 50,
              certificates: list[Certificate] | None = None, about: str | None = None, page: str = "") -> bytes:
    """The newest ``count`` certificates (of ``certificates``, newest first; default: the directory's) as an
    Atom feed; ``about`` names a vendor or device whose feed it is, ``page`` its page."""
    newest = (directory.certificates if certificates is None else certificates)[:count]
    title = f"{sitename}: new certificates" + (f" of {visible_bidi(about)}" if about else "")
    feed = Atom1Feed(title=title, link=f"{base}/{page}", description="",
                     feed_url=f"{base}/{feed_path}", feed_guid=f"{base}/{feed_path}", language="en")
    program = directory.program
    for c in newest:
        version = program.rules_of(c)
        profiles = "; ".join(version.profiles[p].title for p in version.profiles if p in c.profiles)
        feed.add_item(
            title=visible_bidi(f"{c.id}: {c.vendor_name} {c.device_name} {c.software_version or ''}".rstrip()),
            link=f"{base}/{c.url}",
            unique_id=f"{base}/{c.url}",
            description=visible_bidi(f"{c.vendor_name} {c.device_name}"
                                     + (f", OCPP software version {c.software_version}" if c.software_version else "")
                                     + f": {c.certificate_type} ({profiles})."),
            pubdate=_midnight(c.issued),
            updateddate=_midnight(c.issued),
        )
    out = io.StringIO()
    feed.write(out, "utf-8")  # the feed's <updated> is its newest entry's: deterministic
    return out.getvalue().encode("utf-8")


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc)


def sitemap(urls: list[str]) -> bytes:
    """The sitemap of ``urls``: the bytes ElementTree wrote (tested), as text, which is faster (docs/scaling.md)."""
    ns = "http://www.sitemaps.org/schemas/sitemap/0.9"
    locs = "".join(f"<url><loc>{escape(url)}</loc></url>" for url in sorted(set(urls)))
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{ns}">{locs}</urlset>\n'.encode("utf-8")


def robots(base: str) -> bytes:
    return f"User-agent: *\nAllow: /\nSitemap: {base}/sitemap.xml\n".encode()


# -- the ledger: what a publish may never take back ---------------------------------

def _ledger_entry(cert: Certificate) -> str:
    return json_text(cert.id) + ": " + _nested(ledger_entry_of(record(cert)), 2)


def ledger(directory: Directory, corrections: list[dict], memo: Parts = make_every) -> bytes:
    """The manifest the site publishes: a hash of the protected fields of each certificate."""
    return b"".join(ledger_pieces(directory, corrections, memo))


def ledger_pieces(directory: Directory, corrections: list[dict], memo: Parts = make_every) -> Iterator[bytes]:
    """ledger.json in pieces, a certificate at a time (:func:`_filled`)."""
    parts = (memo("ledger", c, lambda c=c: _ledger_entry(c))
             for c in sorted(directory.certificates, key=lambda c: c.id))
    return _filled({"format": EXPORT_FORMAT, "certificates": {}, "corrections": corrections}, "certificates", parts)
