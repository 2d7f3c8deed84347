"""The certification logo: the master artwork with a statement set in outlines."""

from __future__ import annotations

import functools
import re
import textwrap
from dataclasses import dataclass
from string import Template
from xml.sax.saxutils import escape

from ...model.program import Rules
from ..i18n import N_
from . import glyphs
from .glyphs import _n, fonts


#: One SVG user unit of the logo is this many millimetres when printed.
MM_PER_UNIT = 0.2
VARIANTS = {
    # name: (title, the colour replacing the artwork's colours, or None)
    "colour": (N_("Full colour"), None),
    "black": (N_("One colour, black"), "#000000"),
    "white": (N_("Reversed, white (for dark backgrounds)"), "#FFFFFF"),
}
COLOURS = ("#0B5CAB", "#17663A", "#1B2430")


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


LINE_CHARS = 34


def statement_lines(version: Rules, profiles: tuple[str, ...]) -> list[str]:
    """The statement of the logo: the program's lines, a long list of profiles wrapped between profiles
    only ("Smart / Charging" would read as two profiles), a long single statement between words."""
    lines = []
    for line in version.logo_lines(profiles):
        names = line.split(", ")
        if len(names) > 1:
            lines.extend(_pack(names))
        else:
            lines.extend(textwrap.wrap(line, LINE_CHARS, break_on_hyphens=False) or [line])
    return lines


def _pack(names: list[str]) -> list[str]:
    """Profile names joined by ", ", as many a line as fit in LINE_CHARS (a line ending with a comma)."""
    lines, current = [], ""
    for name in names:
        joined = f"{current}, {name}" if current else name
        if current and len(joined) + 1 > LINE_CHARS:
            lines.append(current + ",")
            current = name
        else:
            current = joined
    return lines + [current]


def statement_text(lines: list[str] | tuple[str, ...]) -> str:
    """The statement as one line of text (a title, a README): a line ending with a comma goes on with a
    space, any other with " / "."""
    out = ""
    for line in lines:
        out += line if not out else (" " if out.endswith(",") else " / ") + line
    return out


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
    master = (glyphs.ASSETS / "logos" / "logo-template.svg").read_text("utf-8")
    template = Template(re.sub(r"<!--.*?-->\n?", "", master, flags=re.S))
    svg = template.substitute(
        width=_n(width), height=_n(height), width_mm=_n(width * MM_PER_UNIT), height_mm=_n(height * MM_PER_UNIT),
        frame_width=_n(width - 8), frame_height=_n(height - 8), mark_y=_n((height - 100) / 2),
        title=escape("OCPP certification logo: " + statement_text(lines)), kicker=kicker, statement="".join(statement),
    )
    colour = VARIANTS[variant][1]
    if colour:
        for original in COLOURS:
            svg = svg.replace(original, colour)
    return Logo(svg, width, height)


def _inner(svg: str) -> str:
    """An SVG document's content without its outer element, to nest it in another SVG."""
    return re.sub(r"^<svg [^>]*>", "", svg.strip()).removesuffix("</svg>")
