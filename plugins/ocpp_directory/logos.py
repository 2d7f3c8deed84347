"""Logo kits per certification profile, and print-ready labels per certificate.

Text never depends on the machine's fonts: it is laid out here with the font
files the project ships (``assets/fonts``) and written as outlines, so cairo
never looks a font up. Output is deterministic: cairo's creation dates in PDF
and EPS are pinned to the build date, zip entries have fixed times and order,
and rendered files are cached by content, so an unchanged kit is not rendered
again.
"""

from __future__ import annotations

import collections
import functools
import hashlib
import importlib.util
import io
import itertools
import math
import re
import sys
import textwrap
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from string import Template
from xml.sax.saxutils import escape

from fontTools.pens.basePen import BasePen
from fontTools.pens.svgPathPen import SVGPathPen
from fontTools.pens.transformPen import TransformPen
from fontTools.ttLib import TTFont

from . import pdf, png
from .program import Program, Version
from .cache import ContentCache


def _lazy(name: str):
    """The module ``name``, run when first used (importlib's LazyLoader recipe). cairo takes 0.1 s
    to import, and a build that draws no kit or label (a changed page only) never needs it."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


cairo = _lazy("cairocffi")

ASSETS = Path(__file__).resolve().parents[2] / "assets"
#: Part of every cache key: bump it when the bytes written for the same input change.
FORMAT = "logo-5"
#: The creation date written into the kits' PDF and EPS files: the date of this version of the
#: artwork, so that the same kit has the same bytes whatever day it is built (labels carry
#: their certificate's issue date instead).
ARTWORK_DATE = "2026-11-24"
#: One SVG user unit of the logo is this many millimetres when printed.
MM_PER_UNIT = 0.2
PNG_WIDTHS = (300, 600, 1200, 2400)
VARIANTS = {
    # name: (title, colours replacing mark, kicker, text)
    "colour": ("Full colour", None),
    "black": ("One colour, black", "#000000"),
    "white": ("Reversed, white (for dark backgrounds)", "#FFFFFF"),
}
COLOURS = ("#0B5CAB", "#17663A", "#1B2430")
#: The usage rules the guide states, and the tests check.
MIN_WIDTH_MM = 30
MIN_WIDTH_PX = 180


class Font:
    """Glyph outlines of one font file, laid out left to right (no kerning)."""

    def __init__(self, path: Path):
        self.name = path.name
        self.font = TTFont(str(path))
        self.glyphs = self.font.getGlyphSet()
        self.cmap = self.font.getBestCmap()
        self.units = self.font["head"].unitsPerEm
        self.hmtx = self.font["hmtx"]

    def _glyph(self, char: str) -> str:
        return self.cmap.get(ord(char)) or ".notdef"

    def width(self, text: str, size: float, tracking: float = 0) -> float:
        units = sum(self.hmtx[self._glyph(c)][0] for c in text)
        return units * size / self.units + tracking * size * max(len(text) - 1, 0)

    def path(self, text: str, size: float, x: float, y: float, tracking: float = 0) -> str:
        """An SVG path element with ``text`` as outlines, its baseline starting at (x, y)."""
        commands = self._outline_of(text, size, tracking)
        if not commands:
            return ""
        return f'<path transform="translate({_n(x)} {_n(y)})" d="{commands}"/>'

    def draw(self, context, text: str, size: float, x: float, y: float, tracking: float = 0) -> None:
        """Add ``text``'s outlines to the cairo path, baseline at (x, y) (fill it afterwards)."""
        scale = size / self.units
        advance = 0.0
        pointer = context._pointer
        for char in text:
            name = self._glyph(char)
            context.save()
            context.translate(x + advance, y)
            context.scale(scale, -scale)
            cairo.cairo.cairo_append_path(pointer, self._cairo_path(name)[0])
            context.restore()
            advance += self.hmtx[name][0] * scale + tracking * size

    @functools.lru_cache(maxsize=1024)
    def _glyph_path(self, name: str) -> tuple:
        """A glyph's outline in font units, as cairo path data ``(kind, points)``."""
        pen = _PathPen(self.glyphs)
        self.glyphs[name].draw(pen)
        return tuple(pen.path)

    @functools.lru_cache(maxsize=1024)
    def _cairo_path(self, name: str) -> tuple:
        """A glyph's outline in font units as a C ``cairo_path_t`` (and the data it points to, kept
        alive with it): encoded once, appended to every label. cairocffi's ``append_path`` encodes
        its argument point by point in Python on every call: most of a label's drawing time."""
        items = self._glyph_path(name)
        data = cairo.ffi.new("cairo_path_data_t[]", sum(1 + len(points) // 2 for _, points in items))
        position = 0
        for kind, points in items:
            data[position].header.type = kind
            data[position].header.length = 1 + len(points) // 2
            position += 1
            for i in range(0, len(points), 2):
                data[position].point.x, data[position].point.y = points[i], points[i + 1]
                position += 1
        path = cairo.ffi.new("cairo_path_t *", {"status": cairo.STATUS_SUCCESS, "data": data, "num_data": position})
        return path, data

    def pdf_operators(self, text: str, size: float, x: float, y: float) -> bytes:
        """PDF operators filling ``text``'s outlines, baseline at (x, y), in a y-down space (see ``draw``)."""
        scale = pdf.number(size / self.units, 9)
        advance = 0.0
        out = []
        for char in text:
            name = self._glyph(char)
            out.append(b"q %s 0 0 -%s %s %s cm\n%sQ\n" % (scale, scale, pdf.number(x + advance), pdf.number(y),
                                                        self._pdf_glyph(name)))
            advance += self.hmtx[name][0] * size / self.units
        return b"".join(out)

    @functools.lru_cache(maxsize=1024)
    def _pdf_glyph(self, name: str) -> bytes:
        """A glyph's outline in font units as PDF path operators, filled (non-zero winding, as cairo)."""
        operators = {cairo.PATH_MOVE_TO: b"m", cairo.PATH_LINE_TO: b"l", cairo.PATH_CURVE_TO: b"c",
                     cairo.PATH_CLOSE_PATH: b"h"}
        out = [b" ".join([*map(pdf.number, points), operators[kind]]) for kind, points in self._glyph_path(name)]
        return b"\n".join(out) + b"\nf\n" if out else b""

    def _outline_of(self, text: str, size: float, tracking: float) -> str:
        """The outlines of a line set at the origin: its glyphs' outlines, each where it stands,
        one after the other (the same bytes as one pen drawing the whole line, tested). Nothing
        is kept per line: a certificate's id is drawn once, and whole lines kept in a cache once
        filled it (5,000 labels' ids and verify lines, about 25 MB a worker)."""
        scale = size / self.units
        advance = 0.0
        out = []
        for char in text:
            name = self._glyph(char)
            out.append(self._placed(name, scale, advance))
            advance += self.hmtx[name][0] * scale + tracking * size
        return "".join(out)

    @functools.lru_cache(maxsize=8192)
    def _placed(self, name: str, scale: float, advance: float) -> str:
        """One glyph's outline at ``scale``, moved right by ``advance``. Certificate ids share their
        form, so their glyphs recur at the same size and place: a label's id took 0.8 ms to outline,
        now a few lookups (about 170 of these for 2,000 ids)."""
        pen = SVGPathPen(self.glyphs, ntos=lambda n: f"{n:.3f}".rstrip("0").rstrip("."))
        self.glyphs[name].draw(TransformPen(pen, (scale, 0, 0, -scale, advance, 0)))
        return pen.getCommands()


class _PathPen(BasePen):
    """Collects an outline as cairo path data (quadratic curves made cubic, as CairoPen does)."""

    def __init__(self, glyph_set):
        super().__init__(glyph_set)
        self.path: list = []

    def _moveTo(self, p):
        self.path.append((cairo.PATH_MOVE_TO, p))

    def _lineTo(self, p):
        self.path.append((cairo.PATH_LINE_TO, p))

    def _curveToOne(self, p1, p2, p3):
        self.path.append((cairo.PATH_CURVE_TO, (*p1, *p2, *p3)))

    def _closePath(self):
        self.path.append((cairo.PATH_CLOSE_PATH, ()))


@dataclass
class Fonts:
    bold: Font = field(default_factory=lambda: Font(ASSETS / "fonts" / "DejaVuSans-Bold.ttf"))
    regular: Font = field(default_factory=lambda: Font(ASSETS / "fonts" / "DejaVuSans.ttf"))


_FONTS: Fonts | None = None


def fonts() -> Fonts:
    global _FONTS
    if _FONTS is None:
        _FONTS = Fonts()
    return _FONTS


# -- the logo ------------------------------------------------------------------------

@dataclass(frozen=True)
class Logo:
    svg: str
    width: float  # SVG units
    height: float

    @property
    def width_mm(self) -> float:
        return self.width * MM_PER_UNIT

    @property
    def height_mm(self) -> float:
        return self.height * MM_PER_UNIT


def statement_lines(version: Version, profiles: tuple[str, ...]) -> list[str]:
    """The statement of the logo: the program's lines, long lists wrapped."""
    lines = []
    for line in version.logo_lines(profiles):
        lines.extend(textwrap.wrap(line, 34, break_on_hyphens=False) or [line])
    return lines


def logo(lines: list[str] | tuple[str, ...], variant: str = "colour") -> Logo:
    return _logo(tuple(lines), variant)


@functools.lru_cache(maxsize=256)
def _logo(lines: tuple[str, ...], variant: str) -> Logo:
    f = fonts().bold
    kicker_size, line_size, gap = 20, 34, 12
    text_x = 150
    text_width = max([f.width(line, line_size) for line in lines] + [f.width("CERTIFIED", kicker_size, 0.18)])
    height = max(136, 44 + kicker_size + gap + len(lines) * (line_size + 10) + 18)
    width = text_x + text_width + 34
    y = (height - (kicker_size + gap + len(lines) * (line_size + 10) - 10)) / 2 + kicker_size
    kicker = f.path("CERTIFIED", kicker_size, text_x, y, tracking=0.18)
    statement = []
    for line in lines:
        y += gap + line_size if not statement else line_size + 10
        statement.append(f.path(line, line_size, text_x, y))
    master = (ASSETS / "logos" / "logo-template.svg").read_text("utf-8")
    template = Template(re.sub(r"<!--.*?-->\n?", "", master, flags=re.S))
    svg = template.substitute(
        width=_n(width), height=_n(height), width_mm=_n(width * MM_PER_UNIT), height_mm=_n(height * MM_PER_UNIT),
        frame_width=_n(width - 8), frame_height=_n(height - 8), mark_y=_n((height - 100) / 2),
        title=escape("OCPP certification logo: " + " / ".join(lines)), kicker=kicker, statement="".join(statement),
    )
    colour = VARIANTS[variant][1]
    if colour:
        for original in COLOURS:
            svg = svg.replace(original, colour)
    return Logo(svg, width, height)


def _inner(svg: str) -> str:
    """An SVG document's content without its outer element, to nest it in another SVG."""
    return re.sub(r"^<svg [^>]*>", "", svg.strip()).removesuffix("</svg>")


def _n(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


# -- rendering, deterministic and cached -------------------------------------------------

@functools.cache
def _recorder():
    """cairosvg's Surface, drawing into a cairo recording: an SVG is parsed once, then replayed
    into PNG, PDF and EPS at any size (cairo keeps it vector in PDF and EPS). Made on first use,
    with cairosvg imported then (see :func:`_lazy`)."""
    from cairosvg.surface import Surface

    class Recorder(Surface):
        device_units_per_user_units = 1

        def _create_surface(self, width, height):
            return cairo.RecordingSurface(cairo.CONTENT_COLOR_ALPHA, (0, 0, width, height)), width, height

    return Recorder


PX_PER_MM = 96 / 25.4
PT_PER_PX = 0.75


def _pixel_size(width_px: float, height_px: float, out_width: int | None, dpi: int) -> tuple[int, int]:
    pixels_w = out_width or round(width_px * dpi / 96)
    return pixels_w, round(height_px * pixels_w / width_px)


def _raster(draw, width_px: float, height_px: float, out_width: int | None, dpi: int, base=None,
            tiles: tuple = ()):
    """Run ``draw(context)`` (CSS px user space) on a fresh ARGB32 surface; ``base``, an image surface of
    the same size, is its starting pixels, and each of ``tiles`` (an image surface and where it goes,
    in pixels) is painted over them before ``draw``."""
    pixels_w, pixels_h = _pixel_size(width_px, height_px, out_width, dpi)
    surface = cairo.ImageSurface(cairo.FORMAT_ARGB32, pixels_w, pixels_h)
    context = cairo.Context(surface)
    for source, x, y in ((base, 0, 0), *tiles) if base is not None else tiles:
        context.set_source_surface(source, x, y)
        context.paint()
    context.scale(pixels_w / width_px, pixels_h / height_px)
    draw(context)
    return surface


def _output(draw, width_px: float, height_px: float, kind: str, out_width: int | None, dpi: int, date: str,
            pdf_1_4: bool = False) -> bytes:
    """Run ``draw(context)`` (CSS px user space) on a fresh surface of ``kind``; the file's bytes.
    ``pdf_1_4``: a PDF 1.4, with a cross-reference table, not a stream (what :func:`pdf.split` reads)."""
    if kind == "png":
        return png.from_cairo(_raster(draw, width_px, height_px, out_width, dpi))
    buffer = io.BytesIO()
    if kind == "pdf":
        surface = cairo.PDFSurface(buffer, width_px * PT_PER_PX, height_px * PT_PER_PX)
        if pdf_1_4:
            surface.restrict_to_version(cairo.PDF_VERSION_1_4)
    elif kind == "eps":
        surface = cairo.PSSurface(buffer, width_px * PT_PER_PX, height_px * PT_PER_PX)
        surface.set_eps(True)
    else:
        raise ValueError(kind)
    context = cairo.Context(surface)
    context.scale(PT_PER_PX, PT_PER_PX)
    draw(context)
    surface.finish()
    data = buffer.getvalue()
    if kind == "pdf":
        return pdf.pin_date(data, date)
    return re.sub(rb"%%CreationDate: [^\n]*", f"%%CreationDate: {date}".encode(), data)


class _Recent:
    """Values made from their keys, kept for the ``limit`` keys last asked for (the renderer's
    recordings, label bases and logo tiles: large, and reused by the next labels)."""

    def __init__(self, limit: int):
        self.limit = limit
        self.values: collections.OrderedDict = collections.OrderedDict()

    def get(self, key, make):
        """The value kept for ``key``, or ``make()``'s, kept from now on (a None value too)."""
        if key in self.values:
            self.values.move_to_end(key)
            return self.values[key]
        value = self.values[key] = make()
        if len(self.values) > self.limit:
            self.values.popitem(last=False)
        return value


class Renderer:
    """Renders SVG (parsed once, replayed per format) and labels, with pinned dates and a cache."""

    def __init__(self, cache: Path | None, date: str):
        self.cache = ContentCache(cache)
        self.date = date  # YYYY-MM-DD, written as the creation date of PDFs and EPS files
        self._recordings = _Recent(64)  # SVG -> its recording
        self._bases = _Recent(4)  # site -> label base pixels (1.2 MB each)
        self._logo_tiles = _Recent(LABEL_LOGO_TILES)  # statement -> label logo pixels (about 300 KB each)
        self._pdf_bases = _Recent(64)  # (statement, site) -> label base PDF, cut (20 KB each)

    @property
    def rendered(self) -> int:
        return self.cache.rendered

    @property
    def reused(self) -> int:
        return self.cache.reused

    def _cached(self, key_text: str, kind: str, make) -> bytes:
        return self.cache.files(f"{FORMAT}\0{self.date}\0{key_text}", (f".{kind}",), lambda: (make(),))[0]

    def recording(self, svg: str):
        """The SVG drawn once into a cairo recording: (surface, width px, height px)."""
        def make() -> tuple:
            from cairosvg.parser import Tree

            recorder = _recorder()(Tree(bytestring=svg.encode("utf-8")), None, 96)
            return recorder.cairo, recorder.width, recorder.height

        return self._recordings.get(svg, make)

    def render(self, svg: str, kind: str, width: int | None = None, dpi: int = 96) -> bytes:
        def make() -> bytes:
            surface, w, h = self.recording(svg)

            def draw(context):
                context.set_source_surface(surface, 0, 0)
                context.paint()

            return _output(draw, w, h, kind, width, dpi, self.date)

        return self._cached(f"{kind}\0{width}\0{dpi}\0{svg}", kind, make)

    def guide(self, kit: Kit) -> bytes:
        """The kit's usage guide, an A4 PDF drawn directly with cairo from :func:`guide_layout`:
        its text appended as cached glyph paths (cairosvg took 0.13 s a guide to parse the outlines
        of an SVG one), its logos from their recordings."""
        items = guide_layout(kit)

        def draw(context):
            context.scale(PX_PER_MM, PX_PER_MM)
            context.rectangle(0, 0, 210, 297)
            context.set_source_rgb(1, 1, 1)
            context.fill()
            for kind, *item in items:
                if kind == "text":
                    font, text, size, x, y = item
                    context.set_source_rgb(*_rgb("#1B2430"))
                    font.draw(context, text, size, x, y)
                    context.fill()
                elif kind == "rect":
                    x, y, w, h, fill, stroke, stroke_width = item
                    context.rectangle(x, y, w, h)
                    context.set_source_rgb(*_rgb(fill))
                    context.fill_preserve()
                    context.set_source_rgb(*_rgb(stroke))
                    context.set_line_width(stroke_width)
                    context.stroke()
                else:
                    variant, x, y, w, h = item
                    self._paint_logo(context, kit.lines, variant, x, y, w, h)

        # Keyed by what it draws: the layout (fonts by file name) and the logos' SVG.
        drawn = [(kind, *(i.name if isinstance(i, Font) else i for i in item)) for kind, *item in items]
        logos_svg = [logo(kit.lines, variant).svg for variant in VARIANTS]
        return self._cached(f"guide\0{drawn}\0{logos_svg}", "pdf",
                            lambda: _output(draw, 210 * PX_PER_MM, 297 * PX_PER_MM, "pdf", None, 96, self.date))

    def label(self, cert_id: str, lines: list[str], qr_svg: bytes, verify_host: str, kind: str,
              date: str | None = None) -> bytes:
        """The label drawn directly with cairo (no SVG to parse): the same layout as ``label_svg``.

        What every label of a site shares (frame, caption, verify line) or of a statement (its logo
        too) is drawn once. A PNG starts from the site's pixels, paints its logo's tile over them and
        draws its id and QR code (the parts do not overlap, so the pixels are those of drawing everything at once); a PDF is
        the statement's PDF with the id and code added as PDF operators (:mod:`.pdf`)."""
        def make() -> bytes:
            if kind == "png":
                own = functools.partial(_label_own, cert_id=cert_id, lines=lines, qr_svg=qr_svg,
                                        verify_host=verify_host)
                base, logo_tile = self._label_base(verify_host), self._label_logo_tile(tuple(lines))
                return png.from_cairo(_raster(own, *LABEL_PX, None, LABEL_DPI, base, (logo_tile,)), png.FAST)
            if kind == "pdf":
                parts = self._label_pdf_base(tuple(lines), verify_host)
                if parts is not None:
                    return pdf.assemble(parts, _label_own_pdf(cert_id, lines, qr_svg, verify_host), date or self.date)
            return _output(functools.partial(self.draw_label, cert_id=cert_id, lines=lines, qr_svg=qr_svg,
                                             verify_host=verify_host), *LABEL_PX, kind, None, 96, date or self.date)

        key = hashlib.sha256(qr_svg).hexdigest()
        return self._cached(f"label\0{kind}\0{cert_id}\0{lines}\0{verify_host}\0{key}\0{date}", kind, make)

    def draw_label(self, context, cert_id: str, lines: list[str], qr_svg: bytes, verify_host: str) -> None:
        """Draw the whole label (in CSS px user space): what it shares, then its own parts."""
        context.save()
        self._label_shared(context, tuple(lines), verify_host)
        context.restore()
        _label_own(context, cert_id, lines, qr_svg, verify_host)

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
        self._paint_logo(context, lines, "colour", *_label_layout("", list(lines), "")["logo"])
        context.restore()

    def _paint_logo(self, context, lines: tuple[str, ...] | list[str], variant: str, x: float, y: float,
                    w: float, h: float) -> None:
        """Paint the logo of ``lines`` in the box (x, y, w, h) of the context's user space: its recording
        replayed (the box has the logo's proportions)."""
        surface, logo_w, logo_h = self.recording(logo(lines, variant).svg)
        context.save()
        context.translate(x, y)
        context.scale(w / logo_w, h / logo_h)
        context.set_source_surface(surface, 0, 0)
        context.paint()
        context.restore()

    def _label_pdf_base(self, lines: tuple[str, ...], verify_host: str) -> pdf.Parts | None:
        """The PDF every label of this statement and site starts from, cut into its objects (see
        :mod:`.pdf`); None if cairo's PDF cannot be cut so."""
        draw = functools.partial(self._label_shared, lines=lines, verify_host=verify_host)
        return self._pdf_bases.get((lines, verify_host), lambda: pdf.split(
            _output(draw, *LABEL_PX, "pdf", None, 96, self.date, pdf_1_4=True)))

    def _label_base(self, verify_host: str):
        """The pixels every PNG label of this site starts from: frame, caption and verify line
        (0.6 ms to draw, 1.2 MB to keep). A label paints its logo's tile, then draws its id and code."""
        return self._bases.get(verify_host, lambda: _raster(lambda context: _label_frame(context, verify_host),
                                                            *LABEL_PX, None, LABEL_DPI))

    def _label_logo_tile(self, lines: tuple[str, ...]) -> tuple:
        """The pixels of a statement's logo as PNG labels have it, drawn on nothing: (surface, x, y),
        the tile and where it goes. Drawing the logo costs 0.5 ms, painting its tile over the base
        pixels 0.03 ms; a test checks the result is the label drawn whole. Kept for the
        :data:`LABEL_LOGO_TILES` statements last used (about 300 KB each): the bench's 10,000
        records have 78 statements, and their 16 most common cover 83 % of the certificates."""
        return self._logo_tiles.get(lines, lambda: self._draw_logo_tile(lines))

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


def _label_frame(context, verify_host: str) -> None:
    """Draw what every label of a site has: its frame, caption and verify line (CSS px user space)."""
    layout = _label_layout("", [], verify_host)
    context.scale(PX_PER_MM, PX_PER_MM)
    _rounded(context, 0.25, 0.25, LABEL_MM[0] - 0.5, LABEL_MM[1] - 0.5, 2)
    context.set_source_rgb(1, 1, 1)
    context.fill_preserve()
    context.set_source_rgb(*_rgb("#1B2430"))
    context.set_line_width(0.5)
    context.stroke()
    f = fonts()
    context.set_source_rgb(*_rgb("#1B2430"))
    f.regular.draw(context, "Certificate", *layout["caption"])
    context.fill()
    context.set_source_rgb(*_rgb("#526070"))
    f.regular.draw(context, layout["verify"][0], *layout["verify"][1:])
    context.fill()


def _label_own(context, cert_id: str, lines: list[str], qr_svg: bytes, verify_host: str) -> None:
    """Draw what only this certificate's label has: its id and its QR code (CSS px user space)."""
    layout = _label_layout(cert_id, lines, verify_host)
    modules, runs = _qr_runs(qr_svg)
    context.scale(PX_PER_MM, PX_PER_MM)
    context.set_source_rgb(*_rgb("#1B2430"))
    fonts().bold.draw(context, cert_id, *layout["id"])
    context.fill()
    x, y, size = layout["qr"]
    context.translate(x, y)
    context.scale(size / modules, size / modules)
    context.set_source_rgb(1, 1, 1)
    context.rectangle(0, 0, modules, modules)
    context.fill()
    context.set_antialias(cairo.ANTIALIAS_NONE)  # crisp module edges, no hairlines
    context.set_source_rgb(0, 0, 0)
    for rx, ry, rw in runs:
        context.rectangle(rx, ry, rw, 1)
    context.fill()


def _label_own_pdf(cert_id: str, lines: list[str], qr_svg: bytes, verify_host: str) -> bytes:
    """PDF operators for what ``_label_own`` draws, from the page's default space (points, y up)."""
    layout = _label_layout(cert_id, lines, verify_host)
    modules, runs = _qr_runs(qr_svg)
    mm = pdf.number(72 / 25.4, 9)
    out = [b"q 1 0 0 -1 0 %s cm %s 0 0 %s 0 0 cm\n" % (pdf.number(LABEL_MM[1] * 72 / 25.4), mm, mm)]  # mm, y down
    out.append(b"%s %s %s rg\n" % tuple(pdf.number(c) for c in _rgb("#1B2430")))
    out.append(fonts().bold.pdf_operators(cert_id, *layout["id"]))
    x, y, size = layout["qr"]
    module = pdf.number(size / modules, 9)
    out.append(b"q %s 0 0 %s %s %s cm\n1 1 1 rg 0 0 %d %d re f\n0 0 0 rg\n" % (
        module, module, pdf.number(x), pdf.number(y), modules, modules))
    out.extend(b"%d %d %d 1 re\n" % run for run in runs)
    out.append(b"f\nQ\nQ\n")
    return b"".join(out)


def _rgb(colour: str) -> tuple[float, float, float]:
    return tuple(int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))


def _rounded(context, x: float, y: float, w: float, h: float, r: float) -> None:
    context.new_sub_path()
    context.arc(x + w - r, y + r, r, -math.pi / 2, 0)
    context.arc(x + w - r, y + h - r, r, 0, math.pi / 2)
    context.arc(x + r, y + h - r, r, math.pi / 2, math.pi)
    context.arc(x + r, y + r, r, math.pi, 3 * math.pi / 2)
    context.close_path()


def _qr_runs(qr_svg: bytes) -> tuple[int, list[tuple[int, int, int]]]:
    """The modules of one of our QR SVGs (qr.py writes runs as M<x> <y>h<w>v1h-<w>z)."""
    text = qr_svg.decode("utf-8")
    size = int(re.search(r'viewBox="0 0 (\d+) \d+"', text).group(1))
    return size, [(int(x), int(y), int(w)) for x, y, w in re.findall(r"M(\d+) (\d+)h(\d+)v1", text)]


# -- kits --------------------------------------------------------------------------------

@dataclass
class Kit:
    slug: str
    version: Version
    profiles: tuple[str, ...]
    lines: list[str]
    certificates: list = field(default_factory=list)

    @property
    def title(self) -> str:
        return " + ".join(self.version.profiles[p].title for p in self.profiles)


def valid_combinations(version: Version) -> list[tuple[str, ...]]:
    """Every set of profiles a record of this version may hold, in program order."""
    names = list(version.profiles)
    out = []
    for size in range(1, len(names) + 1):
        for combo in itertools.combinations(names, size):
            if any(sum(p in combo for p in group) > 1 for group in version.exclusive):
                continue
            if any(p not in combo for p in version.required_profiles):
                continue
            if any(r not in combo for p in combo for r in version.profiles[p].requires):
                continue
            out.append(combo)
    return out


#: A version with more valid combinations than this gets kits only for those in use.
ALL_COMBINATIONS_UP_TO = 12


def kits(program: Program, certificates: list) -> list[Kit]:
    """One kit per profile combination: all of a version's (1.6), or those certified (2.0.1)."""
    result = []
    groups: dict[tuple[str, frozenset], list] = {}  # (version, profiles) -> its certificates, in order
    for c in certificates:
        groups.setdefault((c.ocpp_version, frozenset(c.profiles)), []).append(c)
    for version in program.versions.values():
        combos = valid_combinations(version)
        used = {tuple(p for p in version.profiles if p in profiles)
                for key, profiles in groups if key == version.key}
        if len(combos) > ALL_COMBINATIONS_UP_TO:
            combos = [c for c in combos if c in used or c == tuple(version.required_profiles)]
        for combo in combos:
            slug = "ocpp-" + version.key.replace(".", "") + "-" + "-".join(_short(p, len(combo)) for p in combo)
            kit = Kit(slug, version, combo, statement_lines(version, combo))
            kit.certificates = list(groups.get((version.key, frozenset(combo)), []))
            result.append(kit)
    return result


def _short(profile: str, count: int) -> str:
    """Profile names in kit slugs: whole for one or two, initials of long names beyond."""
    parts = profile.split("-")
    if count <= 2 or len(parts) == 1:
        return profile
    return "".join(part if part.isdigit() else part[0] for part in parts)


def kit_of(kits_: list[Kit], cert) -> Kit | None:
    for kit in kits_:
        if kit.version.key == cert.ocpp_version and set(kit.profiles) == set(cert.profiles):
            return kit
    return None


def kit_files(kit: Kit, renderer: Renderer) -> dict[str, bytes]:
    """Every file of a kit, by name, the zip's contents."""
    files: dict[str, bytes] = {}
    for variant in VARIANTS:
        mark = logo(kit.lines, variant)
        base = f"{kit.slug}-{variant}"
        files[f"{base}.svg"] = mark.svg.encode("utf-8")
        files[f"{base}.pdf"] = renderer.render(mark.svg, "pdf")
        files[f"{base}.eps"] = renderer.render(mark.svg, "eps")
        for width in PNG_WIDTHS:
            files[f"{base}-{width}px.png"] = renderer.render(mark.svg, "png", width)
    files["usage-guide.pdf"] = renderer.guide(kit)
    files["README.txt"] = readme(kit, sorted(files) + ["README.txt"]).encode("utf-8")
    return files


def readme(kit: Kit, names: list[str]) -> str:
    lines = [
        f"OCPP certification logo kit: {kit.title}",
        "",
        "Statement: " + " / ".join(kit.lines),
        "",
        "May be used only on devices, packaging, websites and displays for a device that holds an OCPP",
        "certificate with exactly these profiles, and only for the software version and hardware feature",
        "set that certificate covers. Use the logo unaltered. The usage guide (usage-guide.pdf) gives",
        f"clear space and minimum size ({MIN_WIDTH_MM} mm wide in print, {MIN_WIDTH_PX} px on screen).",
        "",
        "Files:",
        *(f"  {name}" for name in names),
        "",
        "colour: full colour; black: one colour, black; white: reversed, for dark backgrounds.",
        "PNG files have a transparent background; PDF and EPS are vector, for print.",
    ]
    return "\n".join(lines) + "\n"


def zip_bytes(files: dict[str, bytes], folder: str) -> bytes:
    """A zip whose bytes depend on the files only: fixed times, order and permissions."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(f"{folder}/{name}", date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, files[name], compresslevel=9)
    return out.getvalue()


# -- the usage guide (one A4 page) ----------------------------------------------------------

def _paragraph(items: list, text: str, x: float, y: float, size: float, width: float, font: Font,
               leading: float = 1.45) -> float:
    """Wrapped lines of ``text`` added to ``items`` (see :func:`guide_layout`); the y after the last line."""
    line = ""
    for word in text.split():
        trial = f"{line} {word}".strip()
        if font.width(trial, size) > width and line:
            items.append(("text", font, line, size, x, y))
            y += size * leading
            line = word
        else:
            line = trial
    if line:
        items.append(("text", font, line, size, x, y))
        y += size * leading
    return y


def guide_layout(kit: Kit) -> list[tuple]:
    """The usage guide, an A4 page in mm: ("text", font, text, size, x, baseline y), ("rect", x, y, w,
    h, fill, stroke, stroke width) and ("logo", variant, x, y, w, h), drawn in that order."""
    f = fonts()
    items: list[tuple] = []
    y = 24
    items.append(("text", f.bold, "OCPP certification logo: usage guide", 7, 18, y))
    y += 9
    y = _paragraph(items, f"Statement: {' / '.join(kit.lines)}", 18, y, 4, 174, f.regular)
    colour = logo(kit.lines, "colour")
    scale = min(100 / colour.width_mm, 1.0)
    width, height = colour.width_mm * scale, colour.height_mm * scale
    y += 4
    for i, variant in enumerate(VARIANTS):
        box_y = y + i * (height + 10)
        background = "#1B2430" if variant == "white" else "#FFFFFF"
        items.append(("rect", 16, box_y - 2, width + 4, height + 4, background, "#C9D1DA", 0.3))
        items.append(("logo", variant, 18, box_y, width, height))
        items.append(("text", f.regular, VARIANTS[variant][0], 3.2, 26 + width, box_y + height / 2))
    y += 3 * (height + 10) + 4
    clear_mm = _n(50 * MM_PER_UNIT)
    rules = [
        ("Clear space", f"Keep free of other text and graphics a margin around the logo equal to half the "
                        f"height of the disc (at full size {clear_mm} mm); scale it with the logo."),
        ("Minimum size", f"{MIN_WIDTH_MM} mm wide in print, {MIN_WIDTH_PX} px wide on screen. Use the vector "
                         "files (PDF, EPS, SVG) for print and the PNG files for screens."),
        ("Versions", "Full colour on white or light backgrounds; one colour black where only black prints; "
                     "reversed white on dark backgrounds."),
        ("Do not", "change the statement, colours or proportions; stretch, rotate, outline or add effects; "
                   "place it on busy images; combine it with other marks; use it for a device, software "
                   "version or hardware feature set that its certificate does not cover."),
        ("Who may use it", "Vendors holding an OCPP certificate with exactly these profiles, under the "
                           "OCPP Certification Logo Agreement (procedure section 8.2.2)."),
    ]
    for heading, text in rules:
        items.append(("text", f.bold, heading, 4.2, 18, y))
        y += 5.5
        y = _paragraph(items, text, 18, y, 3.6, 174, f.regular)
        y += 2.5
    return items


# -- per-certificate label ----------------------------------------------------------------

LABEL_MM = (70, 30)
#: The same in CSS px, the user space labels are drawn in.
LABEL_PX = (LABEL_MM[0] * PX_PER_MM, LABEL_MM[1] * PX_PER_MM)
#: The PNG label's resolution: 827 x 354 pixels.
LABEL_DPI = 300
#: How many statements' logo tiles a renderer keeps (Renderer._label_logo_tile)
LABEL_LOGO_TILES = 16


def _label_layout(cert_id: str, lines: list[str], verify_host: str) -> dict:
    """Where each part of a label goes, in mm: shared by the SVG and the cairo rendering."""
    f = fonts()
    mark = logo(lines, "colour")
    width = 39.0
    height = width * mark.height / mark.width
    if height > 16:
        height, width = 16.0, 16.0 * mark.width / mark.height
    id_size = min(3.4, 38 / max(f.bold.width(cert_id, 1), 1))
    verify = "Verify at " + verify_host
    verify_size = min(1.7, 25 / max(f.regular.width(verify, 1), 1))
    return {
        "logo": (2.5, 2.5, width, height),
        "caption": (2.4, 2.8, 23.0),
        "id": (id_size, 2.8, 26.6),
        "verify": (verify, verify_size, 56 - f.regular.width(verify, verify_size) / 2, 27.6),
        "qr": (44.0, 1.5, 24.0),
    }


def label_svg(cert_id: str, lines: list[str], qr_svg: bytes, verify_host: str) -> str:
    """A 70 x 30 mm label: the logo, the certificate id, and its QR code."""
    f = fonts()
    layout = _label_layout(cert_id, lines, verify_host)
    mark = logo(lines, "colour")
    inner = _inner(mark.svg)
    qr = qr_svg.decode("utf-8")
    view_box = re.search(r'viewBox="([^"]+)"', qr).group(1)
    qr_inner = _inner(qr)
    x, y, w, h = layout["logo"]
    qx, qy, qsize = layout["qr"]
    verify, verify_size, vx, vy = layout["verify"]
    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" width="70mm" height="30mm" viewBox="0 0 70 30">',
        f"<title>{escape('OCPP certificate label ' + cert_id)}</title>",
        '<rect x="0.25" y="0.25" width="69.5" height="29.5" rx="2" fill="#FFFFFF" stroke="#1B2430" '
        'stroke-width="0.5"/>',
        f'<svg x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}" '
        f'viewBox="0 0 {_n(mark.width)} {_n(mark.height)}">{inner}</svg>',
        '<g fill="#1B2430">',
        f.regular.path("Certificate", *layout["caption"]),
        f.bold.path(cert_id, *layout["id"]),
        "</g>",
        f'<svg x="{_n(qx)}" y="{_n(qy)}" width="{_n(qsize)}" height="{_n(qsize)}" viewBox="{view_box}" '
        f'shape-rendering="crispEdges">{qr_inner}</svg>',
        f'<g fill="#526070">{f.regular.path(verify, verify_size, vx, vy)}</g>',
        "</svg>",
    ]
    return "".join(parts)
