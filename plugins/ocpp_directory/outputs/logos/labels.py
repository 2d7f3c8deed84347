"""Print-ready labels, 70 x 30 mm: the certificate's logo, its number and its QR code.

A label is drawn from the QR code's matrix (:mod:`..qr`), never from another
file's text. The SVG is written here; PNG and PDF are drawn with cairo in the
same layout. What every label of a site shares (frame, caption, verify line)
or of a statement (its logo too) is drawn once: a PNG starts from those pixels
and draws its own parts over them (the parts do not overlap, so the pixels are
those of drawing everything at once); a PDF is the statement's PDF with the id
and code added as PDF operators (:mod:`..pdf`).
"""

from __future__ import annotations

import functools
import hashlib
import math
from xml.sax.saxutils import escape

from cachetools import LRUCache

from .. import pdf, png, qr
from .artwork import _inner, _n, logo
from .glyphs import fonts
from .render import PX_PER_MM, _output, _pixel_size, _raster, cairo, recent, rgb

LABEL_MM = (70, 30)
#: The same in CSS px, the user space labels are drawn in.
LABEL_PX = (LABEL_MM[0] * PX_PER_MM, LABEL_MM[1] * PX_PER_MM)
#: The PNG label's resolution: 827 x 354 pixels.
LABEL_DPI = 300
#: How many statements' logo tiles a renderer keeps (LabelDrawing._label_logo_tile)
LABEL_LOGO_TILES = 16

Modules = list[list[bool]]
#: what a label's verify line says instead of the site's address when its code must not be printed
NOT_FOR_PRINT = "NOT FOR PRINT: "


def _label_layout(cert_id: str, lines: list[str], verify_host: str) -> dict:
    """Where each part of a label goes, in mm: shared by the SVG and the cairo rendering."""
    f = fonts()
    mark = logo(lines, "colour")
    width = 39.0
    height = width * mark.height / mark.width
    if height > 16:
        height, width = 16.0, 16.0 * mark.width / mark.height
    id_size = min(3.4, 38 / max(f.bold.width(cert_id, 1), 1))
    verify = verify_host if verify_host.startswith(NOT_FOR_PRINT) else "Verify at " + verify_host
    verify_size = min(1.7, 25 / max(f.regular.width(verify, 1), 1))
    return {
        "logo": (2.5, 2.5, width, height),
        "caption": (2.4, 2.8, 23.0),
        "id": (id_size, 2.8, 26.6),
        "verify": (verify, verify_size, 56 - f.regular.width(verify, verify_size) / 2, 27.6),
        "qr": (44.0, 1.5, 24.0),
    }


def _verify_colour(verify_host: str) -> str:
    """The verify line's colour: grey, or red when it says the label is not for print."""
    return "#B00020" if verify_host.startswith(NOT_FOR_PRINT) else "#526070"


def label_svg(cert_id: str, lines: list[str], modules: Modules, url: str, verify_host: str) -> str:
    """A 70 x 30 mm label: the logo, the certificate id, and the QR code ``modules`` (encoding ``url``)."""
    f = fonts()
    layout = _label_layout(cert_id, lines, verify_host)
    mark = logo(lines, "colour")
    inner = _inner(mark.svg)
    size, qr_inner = qr.svg_body(modules, url)
    x, y, w, h = layout["logo"]
    qx, qy, qsize = layout["qr"]
    verify, verify_size, vx, vy = layout["verify"]
    defs: dict[tuple, tuple[str, str]] = {}  # the label's text glyphs, each outline once (Font.uses)
    caption = f.regular.uses("Certificate", *layout["caption"], defs) + f.bold.uses(cert_id, *layout["id"], defs)
    verify_line = f.regular.uses(verify, verify_size, vx, vy, defs)
    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="70mm" '
        'height="30mm" viewBox="0 0 70 30">',
        f"<title>{escape('OCPP certificate label ' + cert_id)}</title>",
        f"<defs>{''.join(element for _, element in defs.values())}</defs>",
        '<rect x="0.25" y="0.25" width="69.5" height="29.5" rx="2" fill="#FFFFFF" stroke="#1B2430" '
        'stroke-width="0.5"/>',
        f'<svg x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}" '
        f'viewBox="0 0 {_n(mark.width)} {_n(mark.height)}">{inner}</svg>',
        f'<g fill="#1B2430">{caption}</g>',
        f'<svg x="{_n(qx)}" y="{_n(qy)}" width="{_n(qsize)}" height="{_n(qsize)}" viewBox="0 0 {size} {size}" '
        f'shape-rendering="crispEdges">{qr_inner}</svg>',
        f'<g fill="{_verify_colour(verify_host)}">{verify_line}</g>',
        "</svg>",
    ]
    return "".join(parts)


def _label_frame(context, verify_host: str) -> None:
    """Draw what every label of a site has: its frame, caption and verify line (CSS px user space)."""
    layout = _label_layout("", [], verify_host)
    context.scale(PX_PER_MM, PX_PER_MM)
    _rounded(context, 0.25, 0.25, LABEL_MM[0] - 0.5, LABEL_MM[1] - 0.5, 2)
    context.set_source_rgb(1, 1, 1)
    context.fill_preserve()
    context.set_source_rgb(*rgb("#1B2430"))
    context.set_line_width(0.5)
    context.stroke()
    f = fonts()
    context.set_source_rgb(*rgb("#1B2430"))
    f.regular.draw(context, "Certificate", *layout["caption"])
    context.fill()
    context.set_source_rgb(*rgb(_verify_colour(verify_host)))
    f.regular.draw(context, layout["verify"][0], *layout["verify"][1:])
    context.fill()


def _label_own(context, cert_id: str, lines: list[str], modules: Modules, verify_host: str) -> None:
    """Draw what only this certificate's label has: its id and its QR code (CSS px user space)."""
    layout = _label_layout(cert_id, lines, verify_host)
    size = len(modules)
    context.scale(PX_PER_MM, PX_PER_MM)
    context.set_source_rgb(*rgb("#1B2430"))
    fonts().bold.draw(context, cert_id, *layout["id"])
    context.fill()
    x, y, width = layout["qr"]
    context.translate(x, y)
    context.scale(width / size, width / size)
    context.set_source_rgb(1, 1, 1)
    context.rectangle(0, 0, size, size)
    context.fill()
    context.set_antialias(cairo.ANTIALIAS_NONE)  # crisp module edges, no hairlines
    context.set_source_rgb(0, 0, 0)
    for rx, ry, rw in qr.runs(modules):
        context.rectangle(rx, ry, rw, 1)
    context.fill()


def _label_own_pdf(cert_id: str, lines: list[str], modules: Modules, verify_host: str) -> bytes:
    """PDF operators for what ``_label_own`` draws, from the page's default space (points, y up)."""
    layout = _label_layout(cert_id, lines, verify_host)
    size = len(modules)
    mm = pdf.number(72 / 25.4, 9)
    out = [b"q 1 0 0 -1 0 %s cm %s 0 0 %s 0 0 cm\n" % (pdf.number(LABEL_MM[1] * 72 / 25.4), mm, mm)]  # mm, y down
    out.append(b"%s %s %s rg\n" % tuple(pdf.number(c) for c in rgb("#1B2430")))
    out.append(fonts().bold.pdf_operators(cert_id, *layout["id"]))
    x, y, width = layout["qr"]
    module = pdf.number(width / size, 9)
    out.append(b"q %s 0 0 %s %s %s cm\n1 1 1 rg 0 0 %d %d re f\n0 0 0 rg\n" % (
        module, module, pdf.number(x), pdf.number(y), size, size))
    out.extend(b"%d %d %d 1 re\n" % run for run in qr.runs(modules))
    out.append(b"f\nQ\nQ\n")
    return b"".join(out)


def _rounded(context, x: float, y: float, w: float, h: float, r: float) -> None:
    context.new_sub_path()
    context.arc(x + w - r, y + r, r, -math.pi / 2, 0)
    context.arc(x + w - r, y + h - r, r, 0, math.pi / 2)
    context.arc(x + r, y + h - r, r, math.pi / 2, math.pi)
    context.arc(x + r, y + r, r, math.pi, 3 * math.pi / 2)
    context.close_path()


class LabelDrawing:
    """Labels, for :class:`~.Renderer` (which provides ``paint_logo``, ``_cached`` and ``date``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._bases = LRUCache(4)  # site -> label base pixels (1.2 MB each)
        self._logo_tiles = LRUCache(LABEL_LOGO_TILES)  # statement -> label logo pixels (about 300 KB each)
        self._pdf_bases = LRUCache(64)  # (statement, site) -> label base PDF, cut (20 KB each)

    def label(self, cert_id: str, lines: list[str], modules: Modules, verify_host: str, kind: str,
              date: str | None = None) -> bytes:
        """The label as a ``kind`` file (png or pdf; another kind is drawn whole), in the layout of
        :func:`label_svg`; ``date`` is a PDF's creation date (default: the renderer's)."""
        def make() -> bytes:
            if kind == "png":
                own = functools.partial(_label_own, cert_id=cert_id, lines=lines, modules=modules,
                                        verify_host=verify_host)
                base, logo_tile = self._label_base(verify_host), self._label_logo_tile(tuple(lines))
                return png.indexed_from_cairo(_raster(own, *LABEL_PX, None, LABEL_DPI, base, (logo_tile,)))
            if kind == "pdf":
                parts = self._label_pdf_base(tuple(lines), verify_host)
                if parts is not None:
                    return pdf.assemble(parts, _label_own_pdf(cert_id, lines, modules, verify_host),
                                        date or self.date)
            return _output(functools.partial(self.draw_label, cert_id=cert_id, lines=lines, modules=modules,
                                             verify_host=verify_host), *LABEL_PX, kind, None, 96, date or self.date)

        key = hashlib.sha256(qr.packed(modules)).hexdigest()
        return self._cached(f"label\0{kind}\0{cert_id}\0{lines}\0{verify_host}\0{key}\0{date}", kind, make)

    def draw_label(self, context, cert_id: str, lines: list[str], modules: Modules, verify_host: str) -> None:
        """Draw the whole label (in CSS px user space): what it shares, then its own parts."""
        context.save()
        self._label_shared(context, tuple(lines), verify_host)
        context.restore()
        _label_own(context, cert_id, lines, modules, verify_host)

    def _label_shared(self, context, lines: tuple[str, ...], verify_host: str) -> None:
        """Draw what every label of this statement and site has (in CSS px user space)."""
        context.save()
        _label_frame(context, verify_host)
        context.restore()
        self._label_logo(context, lines)

    def _label_logo(self, context, lines: tuple[str, ...] | list[str]) -> None:
        """Draw the statement's logo where labels have it (CSS px user space)."""
        context.save()
        context.scale(PX_PER_MM, PX_PER_MM)
        self.paint_logo(context, lines, "colour", *_label_layout("", list(lines), "")["logo"])
        context.restore()

    def _label_pdf_base(self, lines: tuple[str, ...], verify_host: str) -> pdf.PdfObjects | None:
        """The PDF every label of this statement and site starts from, cut into its objects (see
        :mod:`..pdf`); None if cairo's PDF cannot be cut so."""
        draw = functools.partial(self._label_shared, lines=lines, verify_host=verify_host)
        return recent(self._pdf_bases, (lines, verify_host), lambda: pdf.split(
            _output(draw, *LABEL_PX, "pdf", None, 96, self.date, pdf_1_4=True)))

    def _label_base(self, verify_host: str):
        """The pixels every PNG label of this site starts from: frame, caption and verify line."""
        return recent(self._bases, verify_host, lambda: _raster(lambda context: _label_frame(context, verify_host),
                                                                *LABEL_PX, None, LABEL_DPI))

    def _label_logo_tile(self, lines: tuple[str, ...]) -> tuple:
        """The pixels of a statement's logo as PNG labels have it, drawn on nothing: (surface, x, y),
        the tile and where it goes (a test checks that painting it gives the label drawn whole).
        Kept for the :data:`LABEL_LOGO_TILES` statements last used; docs/scaling.md has the figures."""
        return recent(self._logo_tiles, lines, lambda: self._draw_logo_tile(lines))

    def _draw_logo_tile(self, lines: tuple[str, ...]) -> tuple:
        pixels_w, pixels_h = _pixel_size(*LABEL_PX, None, LABEL_DPI)
        scale = (pixels_w / LABEL_PX[0], pixels_h / LABEL_PX[1])
        recording = cairo.RecordingSurface(cairo.CONTENT_COLOR_ALPHA, None)
        context = cairo.Context(recording)
        context.scale(*scale)
        self._label_logo(context, lines)
        x, y, w, h = recording.ink_extents()
        left, top = math.floor(x) - 1, math.floor(y) - 1
        tile = cairo.ImageSurface(cairo.FORMAT_ARGB32, math.ceil(x + w) + 1 - left, math.ceil(y + h) + 1 - top)
        context = cairo.Context(tile)
        context.translate(-left, -top)
        context.scale(*scale)
        self._label_logo(context, lines)
        return tile, left, top
