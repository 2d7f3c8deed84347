"""Logo kits per certification profile, and print-ready labels per certificate.

One module a job: :mod:`.glyphs` (text as outlines from the shipped fonts),
:mod:`.artwork` (the logo), :mod:`.render` (cairo, deterministic), :mod:`.labels`,
:mod:`.kits` and :mod:`.guide` (the kit's usage guide). :class:`Renderer` draws
all of them, keeping rendered files in the store it is handed.
"""

from __future__ import annotations

from .artwork import VARIANTS, Logo, _logo, logo, statement_lines
from .glyphs import Font, fonts
from .guide import GuideDrawing, guide_layout
from .kits import (MIN_WIDTH_MM, MIN_WIDTH_PX, PNG_WIDTHS, Kit, guide_name, kit_files, kit_of, kits, readme,
                   readme_name, zip_bytes)
from .labels import LABEL_DPI, LABEL_MM, LABEL_PX, NOT_FOR_PRINT, LabelDrawing, label_svg
from .render import ARTWORK_DATE, FORMAT, _output, _raster
from .render import Renderer as _Renderer

__all__ = [
    "ARTWORK_DATE", "FORMAT", "LABEL_DPI", "LABEL_MM", "LABEL_PX", "MIN_WIDTH_MM", "MIN_WIDTH_PX",
    "PNG_WIDTHS", "VARIANTS", "Font", "Kit", "Logo", "Renderer", "fonts", "guide_layout", "guide_name", "kit_files",
    "kit_of", "readme_name",
    "kits", "label_svg", "NOT_FOR_PRINT", "logo", "readme", "statement_lines", "zip_bytes", "_logo", "_output", "_raster",
]


class Renderer(LabelDrawing, GuideDrawing, _Renderer):
    """Logos in every format, labels and usage guides, with pinned dates, kept in a store."""
