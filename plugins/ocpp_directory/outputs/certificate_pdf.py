"""The OCPP Certificate (section 8.2.1) as an A4 PDF, before it is signed.

Laid out as a certificate to frame: the OCA as issuer, the number, the company
and device, the certificate type and its profiles, every field of section 8.2.1,
the logo, the QR code to the certificate's page with its address, the issue date
and how to verify the document. Text is real text (fpdf2, fonts embedded as
subsets: DejaVu Sans, and a Hangul subset of NanumGothic for Korean), the QR code
is vector, and the record (as in ``certificate.json``) is attached as
``certificate.json``, so the document carries its machine-readable data.

Signing is :mod:`..issuing`'s job; this module only lays out.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..model.certificate import Certificate
from ..model.program import Program
from ..model.text import visible_bidi
from . import qr
from .logos.artwork import statement_text
from .logos.glyphs import ASSETS
from .words import HARDWARE_WORDS, SECURITY_PROFILE_TITLES

if TYPE_CHECKING:
    from fpdf import FPDF

#: the name of the attached record, in every document
ATTACHMENT = "certificate.json"
INK, MUTED, ACCENT, LINE = (27, 36, 48), (82, 96, 112), (11, 92, 171), (201, 209, 218)


@dataclass(frozen=True)
class Issue:
    """What a document is made from besides the record."""

    #: the certificate's public page, which the QR code encodes
    url: str
    #: where anyone checks a document (the site's /verify/)
    verify_url: str
    #: the QR code's modules (outputs/qr.py)
    modules: list[list[bool]]
    #: the logo, as a PNG, and the statement it carries
    logo_png: bytes
    logo_lines: tuple[str, ...]
    #: the certificate.json bytes to attach
    record_json: bytes
    #: 0 for the first document, n for the document of revision n
    revision: int = 0
    #: the date the document is issued (the certificate's, or its revision's)
    issued: dt.date | None = None


def render(cert: Certificate, program: Program, issue: Issue) -> bytes:
    """The unsigned PDF of ``cert``'s certificate document."""
    version = program.rules_of(cert)
    day = issue.issued or cert.issued
    pdf = _visible_pdf()(format="A4", unit="mm")
    pdf.set_creation_date(dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc))
    pdf.set_title(f"OCPP Certificate {cert.id}")
    pdf.set_author("Open Charge Alliance")
    pdf.set_subject(f"{cert.vendor_name} {cert.device_name}: {version.title}, {cert.certificate_type}")
    pdf.set_creator("OCPP certification directory")
    pdf.set_producer("OCPP certification directory (fpdf2)")
    pdf.set_lang("en")
    fonts = ASSETS / "fonts"
    pdf.add_font("dejavu", "", str(fonts / "DejaVuSans.ttf"))
    pdf.add_font("dejavu", "B", str(fonts / "DejaVuSans-Bold.ttf"))
    pdf.add_font("hangul", "", str(fonts / "OCPPDirectoryHangul-Regular.ttf"))
    pdf.set_fallback_fonts(["hangul"], exact_match=False)
    pdf.set_auto_page_break(False)
    pdf.set_margins(22, 20, 22)
    pdf.add_page()
    _frame(pdf)
    y = _header(pdf, cert, issue)
    y = _subject(pdf, cert, version, y)
    annex = _annex_needed(pdf, cert, version)
    y = _fields(pdf, cert, program, version, y + 4, annex)
    _footer(pdf, cert, issue, day)
    if annex:
        _annex(pdf, cert, version)
    pdf.embed_file(bytes=issue.record_json, basename=ATTACHMENT, desc=f"The record of certificate {cert.id}",
                   creation_date=pdf.creation_date, modification_date=pdf.creation_date, compress=True)
    out = io.BytesIO()
    pdf.output(out)
    return out.getvalue()


def _visible_pdf():
    """FPDF whose every text (cells and the document's subject) shows a bidirectional control as a visible
    ``[U+202E]``, as the web pages do: a vendor's text never reorders what the certificate says."""
    from fpdf import FPDF  # here, not at import: a build that issues nothing never loads it (0.5 s)

    class VisiblePDF(FPDF):
        def cell(self, w=None, h=None, text="", *args, **kwargs):
            return super().cell(w, h, visible_bidi(text), *args, **kwargs)

        def multi_cell(self, w, h=None, text="", *args, **kwargs):
            return super().multi_cell(w, h, visible_bidi(text), *args, **kwargs)

        def set_subject(self, subject):
            return super().set_subject(visible_bidi(subject))

    return VisiblePDF


def _frame(pdf: FPDF) -> None:
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, 190, 277)
    pdf.set_line_width(0.3)
    pdf.rect(13, 13, 184, 271)


def _header(pdf: FPDF, cert: Certificate, issue: Issue) -> float:
    pdf.set_text_color(*ACCENT)
    pdf.set_font("dejavu", "B", 10)
    pdf.set_xy(22, 22)
    pdf.cell(166, 5, "OPEN CHARGE ALLIANCE", align="C")
    pdf.set_text_color(*INK)
    pdf.set_font("dejavu", "B", 26)
    pdf.set_xy(22, 31)
    pdf.cell(166, 12, "OCPP Certificate", align="C")
    pdf.set_font("dejavu", "", 14)
    pdf.set_xy(22, 45)
    pdf.cell(166, 8, cert.id + (f"  (revision {issue.revision})" if issue.revision else ""), align="C")
    pdf.set_draw_color(*LINE)
    pdf.line(60, 57, 150, 57)
    return 60


def _subject(pdf: FPDF, cert: Certificate, version, y: float) -> float:
    pdf.set_text_color(*MUTED)
    pdf.set_font("dejavu", "", 10)
    pdf.set_xy(22, y)
    pdf.cell(166, 6, "The Open Charge Alliance certifies that", align="C")
    pdf.set_text_color(*INK)
    pdf.set_font("dejavu", "B", 17)
    pdf.set_xy(22, y + 7)
    pdf.multi_cell(166, 8, cert.device_name, align="C")
    pdf.set_font("dejavu", "", 12)
    pdf.set_x(22)
    pdf.multi_cell(166, 6, f"by {cert.vendor_name}, {cert.country_name}", align="C")
    pdf.set_text_color(*MUTED)
    pdf.set_font("dejavu", "", 10)
    pdf.set_x(22)
    software = (f"OCPP software version {cert.software_version}" if cert.software_version is not None
                else "the OCPP software version stated in the OCA's listing")
    pdf.multi_cell(166, 5.5, f"with {software}, passed the OCPP certification tests for", align="C")
    pdf.set_text_color(*ACCENT)
    pdf.set_font("dejavu", "B", 16)
    pdf.set_x(22)
    pdf.multi_cell(166, 8, f"{version.title}: {cert.certificate_type}", align="C")
    pdf.set_text_color(*INK)
    pdf.set_font("dejavu", "", 9.5)
    pdf.set_x(22)
    titles = "; ".join(version.profiles[p].title for p in version.profiles if p in cert.profiles)
    pdf.multi_cell(166, 5, titles, align="C")
    if cert.statement:
        pdf.set_font("dejavu", "", 9)
        pdf.set_text_color(*MUTED)
        pdf.set_x(30)
        pdf.multi_cell(150, 4.6, cert.statement, align="C")
    return pdf.get_y()


#: the most lines the optional features take in the table; more go to a second page
FEATURE_LINES = 3


def _feature_text(cert: Certificate, version) -> str:
    return "; ".join(version.feature_title(f, cert.device_type) for f in cert.features) or "None stated"


def _annex_needed(pdf: FPDF, cert: Certificate, version) -> bool:
    """Whether the features (with their names) or Part 5's hardware features need a page of their own."""
    if cert.hardware is not None and cert.hardware.hfs:
        return True
    pdf.set_font("dejavu", "", 8.5)
    return len(pdf.multi_cell(120, 4.8, _feature_text(cert, version), dry_run=True, output="LINES")) > FEATURE_LINES


def _annex(pdf: FPDF, cert: Certificate, version) -> None:
    """Page 2: every optional feature by Part 5's id and name, grouped by profile, and Part 5's hardware
    features of the charging station."""
    pdf.add_page()
    _frame(pdf)
    pdf.set_text_color(*ACCENT)
    pdf.set_font("dejavu", "B", 10)
    pdf.set_xy(22, 22)
    pdf.cell(166, 5, f"OCPP Certificate {cert.id}", align="C")
    pdf.set_text_color(*INK)
    pdf.set_font("dejavu", "B", 13)
    pdf.set_xy(22, 30)
    pdf.cell(166, 7, "Optional features", align="C")
    y = 40.0
    source = version.part5.source if version.part5 is not None else version.title
    pdf.set_font("dejavu", "", 8.5)
    pdf.set_text_color(*MUTED)
    pdf.set_xy(22, y)
    pdf.multi_cell(166, 4.5, f"As the laboratory confirmed them, by their ids and names in {source}.", align="C")
    y = pdf.get_y() + 3
    groups = version.features_by_profile(cert.features, cert.device_type) or [("", ["None stated"])]
    for title, items in groups:
        if title:
            pdf.set_font("dejavu", "B", 9)
            pdf.set_text_color(*INK)
            pdf.set_xy(22, y)
            pdf.cell(166, 5, title)
            y += 5.5
        pdf.set_font("dejavu", "", 8.5)
        for item in items:
            pdf.set_xy(26, y)
            pdf.set_text_color(*INK)
            pdf.multi_cell(162, 4.4, item.label if hasattr(item, "label") else str(item), align="L")
            y = pdf.get_y() + 0.6
        y += 2
    if cert.hardware is not None and cert.hardware.hfs:
        pdf.set_font("dejavu", "B", 9)
        pdf.set_xy(22, y)
        pdf.cell(166, 5, "Hardware features (Part 5, Table 4)")
        y += 5.5
        pdf.set_font("dejavu", "", 8.5)
        for hid in cert.hardware.hfs:
            pdf.set_xy(26, y)
            pdf.multi_cell(162, 4.4, f"{hid} {version.hardware_features[hid].name}", align="L")
            y = pdf.get_y() + 0.6


def _fields(pdf: FPDF, cert: Certificate, program: Program, version, y: float, annex: bool = False) -> float:
    """Every field of section 8.2.1, as a two-column table (the optional features on page 2 when long)."""
    hw = cert.hardware
    features = _feature_text(cert, version)
    if annex and cert.features:
        features = (", ".join(cert.features) if len(", ".join(cert.features)) <= 200 else
                    f"{len(cert.features)} features") + " (named on page 2)"
    rows = [
        ("Company name", f"{cert.vendor_name} ({cert.country_name})"),
        ("Device name", cert.device_name + (f" (models {', '.join(cert.models)})" if cert.models else "")),
        ("Hardware feature set", (f"EVSE: {HARDWARE_WORDS[hw.evse]}; connection: "
                                  f"{', '.join(HARDWARE_WORDS[c] for c in hw.connection)}; RFID: "
                                  f"{HARDWARE_WORDS[hw.rfid]}; communication: "
                                  f"{', '.join(HARDWARE_WORDS[c] for c in hw.communication)}"
                                  + (f"; Part 5: {', '.join(hw.hfs)} (page 2)" if hw.hfs else "")) if hw else
         ("Not applicable (a CSMS)" if cert.device_type == "csms" else "Not stated")),
        ("OCPP software version", cert.software_version or "Not stated"),
        ("OCPP version", version.title + (f", {version.edition_title}" if len(version.editions) > 1 else "")),
        ("Test tool", cert.test_tool or "Not stated"),
        ("Test laboratory", program.laboratories[cert.laboratory].name if cert.laboratory else "Not stated"),
        ("Test date", cert.test_date.isoformat() if cert.test_date else "Not stated"),
        ("Test results", f"{cert.results.passed} passed, {cert.results.failed} failed, "
                         f"{cert.results.not_applicable} not applicable" if cert.results else "Not stated"),
        ("Optional features", features),
        ("Security profiles", "; ".join(f"{n}: {SECURITY_PROFILE_TITLES[n]}" for n in cert.security_profiles)
         or "None certified"),
        ("Test report references", ", ".join(cert.reports) or "Not stated"),
        ("Issued", cert.issued.isoformat()),
    ]
    pdf.set_draw_color(*LINE)
    pdf.set_line_width(0.2)
    pdf.line(22, y, 188, y)
    y += 2
    for label, value in rows:
        pdf.set_xy(22, y)
        pdf.set_font("dejavu", "B", 8.5)
        pdf.set_text_color(*MUTED)
        pdf.cell(46, 4.8, label)
        pdf.set_xy(68, y)
        pdf.set_font("dejavu", "", 8.5)
        pdf.set_text_color(*INK)
        pdf.multi_cell(120, 4.8, value, align="L")
        y = max(pdf.get_y(), y + 4.8) + 1.2
    pdf.line(22, y, 188, y)
    return y


def _footer(pdf: FPDF, cert: Certificate, issue: Issue, day: dt.date) -> None:
    """The logo and its statement, the QR code with its address, the issue date and how to verify."""
    top = 214
    pdf.image(io.BytesIO(issue.logo_png), x=22, y=top, w=52)
    pdf.set_font("dejavu", "", 7.5)
    pdf.set_text_color(*MUTED)
    pdf.set_xy(22, top + 26)
    pdf.multi_cell(60, 3.6, statement_text(issue.logo_lines), align="L")
    size = 34
    x0, y0 = 154, top - 2
    modules = issue.modules
    cell = size / len(modules)
    pdf.set_fill_color(255, 255, 255)
    pdf.rect(x0, y0, size, size, style="F")
    pdf.set_fill_color(0, 0, 0)
    for x, y, width in qr.runs(modules):
        pdf.rect(x0 + x * cell, y0 + y * cell, width * cell, cell, style="F")
    pdf.set_font("dejavu", "", 6.5)
    pdf.set_text_color(*INK)
    pdf.set_xy(112, y0 + size + 1)
    pdf.cell(76, 3.5, issue.url, align="R")
    pdf.set_font("dejavu", "B", 9)
    pdf.set_xy(86, top + 6)
    pdf.multi_cell(64, 4.5, f"Issued {day.isoformat()}\nby the Open Charge Alliance", align="C")
    pdf.set_font("dejavu", "", 7.5)
    pdf.set_text_color(*MUTED)
    pdf.set_xy(26, 258)
    pdf.multi_cell(158, 3.6, (
        f"How to verify: scan the QR code or open {issue.url}, which shows this certificate as the OCA "
        f"publishes it. This document is signed by the Open Charge Alliance; any PDF reader shows the signature, "
        f"and {issue.verify_url} tells whether this file is the document the OCA issued. A certificate covers "
        f"exactly the software version and hardware feature set above (section 9 of the procedure)."), align="C")
