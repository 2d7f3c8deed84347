"""Text as outlines: glyph paths from the fonts the project ships (``assets/fonts``).

Text never depends on the machine's fonts: it is laid out here, left to right
with no kerning, and written as SVG paths, cairo paths or PDF operators.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

from fontTools.pens.basePen import BasePen
from fontTools.pens.svgPathPen import SVGPathPen
from fontTools.pens.transformPen import TransformPen
from fontTools.ttLib import TTFont

from .. import pdf
from .lazy import cairo

#: the artwork and fonts every logo, label and guide is made from
ASSETS = Path(__file__).resolve().parents[4] / "assets"


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

    def uses(self, text: str, size: float, x: float, y: float, defs: dict[tuple, tuple[str, str]]) -> str:
        """``text`` as ``<use>`` elements of its glyphs' outlines, baseline at (x, y): each glyph of
        this font and size is defined once in ``defs`` ((font, glyph, size) -> (id, its ``<path>``)),
        however often a label shows it (the OCA's verify line: 15.7 KB as one path, 7.2 KB so)."""
        scale = size / self.units
        advance = 0.0
        out = []
        for char in text:
            name = self._glyph(char)
            key = (self.name, name, size)
            if key not in defs:
                outline, ident = self._placed(name, scale, 0.0), f"g{len(defs)}"
                defs[key] = (ident, f'<path id="{ident}" d="{outline}"/>' if outline else "")
            ident, element = defs[key]
            if element:  # a space has no outline
                out.append(f'<use xlink:href="#{ident}" x="{_n(x + advance)}" y="{_n(y)}"/>')
            advance += self.hmtx[name][0] * scale
        return "".join(out)

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
        is kept per line: a certificate's id is drawn once."""
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
        form, so their glyphs recur at the same size and place (docs/scaling.md)."""
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
    #: Nanum Gothic's Hangul, Latin and punctuation (OFL; OCPPDirectoryHangul-LICENSE.txt): Korean texts
    hangul: Font = field(default_factory=lambda: Font(ASSETS / "fonts" / "OCPPDirectoryHangul-Regular.ttf"))


_FONTS: Fonts | None = None


def fonts() -> Fonts:
    global _FONTS
    if _FONTS is None:
        _FONTS = Fonts()
    return _FONTS


def _n(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")
