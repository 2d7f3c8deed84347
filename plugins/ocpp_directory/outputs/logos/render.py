"""Drawing with cairo, deterministically: SVG replayed from a recording, rasters, PDF and EPS.

cairo's creation dates in PDF and EPS are pinned, so the same drawing gives the
same bytes; rendered files are kept by content in a :class:`~...stores.Renderings`.
"""

from __future__ import annotations

import functools
import io
import re

from cachetools import LRUCache

from .. import pdf, png
from ..stores import Renderings
from .artwork import logo
from .lazy import cairo



#: Part of every cache key: bump it when the bytes written for the same input change.
FORMAT = "logo-7"
#: The creation date written into the kits' PDF and EPS files: the date of this version of the
#: artwork, so that the same kit has the same bytes whatever day it is built (labels carry
#: their certificate's issue date instead).
ARTWORK_DATE = "2026-11-24"


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




def rgb(colour: str) -> tuple[float, float, float]:
    """``#RRGGBB`` as cairo's floats."""
    return tuple(int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))


def recent(cache: LRUCache, key, make):
    """The value ``cache`` holds for ``key``, or ``make()``'s, held from now on (None too)."""
    try:
        return cache[key]
    except KeyError:
        value = cache[key] = make()
        return value


class Renderer:
    """Renders SVG (parsed once, replayed per format) with pinned dates, keeping files in ``store``.

    ``date`` (YYYY-MM-DD) is written as the creation date of PDFs and EPS files."""

    def __init__(self, store: Renderings, date: str):
        self.cache = store
        self.date = date
        self._recordings = LRUCache(64)  # SVG -> its recording

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

        return recent(self._recordings, svg, make)

    def render(self, svg: str, kind: str, width: int | None = None, dpi: int = 96) -> bytes:
        """``svg`` as a ``kind`` file (png, pdf, eps), ``width`` pixels wide or at ``dpi``."""
        def make() -> bytes:
            surface, w, h = self.recording(svg)

            def draw(context):
                context.set_source_surface(surface, 0, 0)
                context.paint()

            return _output(draw, w, h, kind, width, dpi, self.date)

        return self._cached(f"{kind}\0{width}\0{dpi}\0{svg}", kind, make)

    def paint_logo(self, context, lines: tuple[str, ...] | list[str], variant: str, x: float, y: float,
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
