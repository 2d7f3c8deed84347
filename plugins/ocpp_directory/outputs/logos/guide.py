"""The logo kit's usage guide: one A4 page of the statement, the three versions, drawings of the clear
space and the minimum size, and what not to do.

The page is real text (fpdf2, the shipped fonts' subsets embedded: searchable, selectable, read aloud,
the same on every machine) with the logos as vector drawings (their SVG, which is outlines).
"""

from __future__ import annotations

import datetime as dt
import io
import re

from .. import i18n
from .artwork import MM_PER_UNIT, VARIANTS, _n, logo
from .glyphs import ASSETS, Font, fonts
from .kits import MIN_WIDTH_MM, MIN_WIDTH_PX, Kit
from .render import rgb

#: a drawing's logo: the disc is 100 units tall, its clear space half that
CLEAR_UNITS = 50


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


def guide_layout(kit: Kit, lang: str = i18n.DEFAULT) -> list[tuple]:
    """The usage guide in ``lang``, an A4 page in mm: ("text", font, text, size, x, baseline y), ("rect",
    x, y, w, h, fill, stroke, stroke width) and ("logo", variant, x, y, w, h), drawn in that order.
    Korean is set in the shipped Hangul font (assets/fonts), as outlines like every other text."""
    def _(message: str) -> str:
        return i18n.gettext_in(lang, message)

    f = fonts()
    regular, bold = (f.regular, f.bold) if lang == i18n.DEFAULT else (f.hangul, f.hangul)
    items: list[tuple] = []
    y = 24
    items.append(("text", bold, _("OCPP certification logo: usage guide"), 7, 18, y))
    y += 9
    y = _paragraph(items, _("Statement: {statement}").format(statement=kit.statement), 18, y, 4, 174,
                   regular)
    colour = logo(kit.lines, "colour")
    scale = min(80 / colour.width_mm, 1.0)
    width, height = colour.width_mm * scale, colour.height_mm * scale
    y += 4
    for i, variant in enumerate(VARIANTS):
        box_y = y + i * (height + 8)
        background = "#1B2430" if variant == "white" else "#FFFFFF"
        items.append(("rect", 16, box_y - 2, width + 4, height + 4, background, "#C9D1DA", 0.3))
        items.append(("logo", variant, 18, box_y, width, height))
        items.append(("text", regular, _(VARIANTS[variant][0]), 3.2, 26 + width, box_y + height / 2))
    y += 3 * (height + 8) + 2
    y = _drawings(items, colour, y, regular, _)
    clear_mm = _n(CLEAR_UNITS * MM_PER_UNIT)
    rules = [
        (_("Clear space"), _("Keep free of other text and graphics a margin around the logo equal to half the "
                             "height of the disc (at full size {clear} mm); scale it with the logo.").format(
                                 clear=clear_mm)),
        (_("Minimum size"), _("{mm} mm wide in print, {px} px wide on screen. Use the vector files (PDF, EPS, "
                              "SVG) for print and the PNG files for screens.").format(mm=MIN_WIDTH_MM,
                                                                                    px=MIN_WIDTH_PX)),
        (_("Versions"), _("Full colour on white or light backgrounds; one colour black where only black prints; "
                          "reversed white on dark backgrounds.")),
        (_("Do not"), _("change the statement, colours or proportions; stretch, rotate, outline or add effects; "
                        "place it on busy images; combine it with other marks; use it for a device, software "
                        "version or hardware feature set that its certificate does not cover.")),
        (_("Who may use it"), _("Vendors holding an OCPP certificate with exactly these profiles, under the "
                                "OCPP Certification Logo Agreement (procedure section 8.2.2).")),
    ]
    for heading, text in rules:
        items.append(("text", bold, heading, 4.2, 18, y))
        y += 5.5
        y = _paragraph(items, text, 18, y, 3.6, 174, regular)
        y += 2.5
    return items



def _drawings(items: list, colour, y: float, font: Font, _) -> float:
    """The clear space (the logo in its free margin, dashed, x marked) and the minimum size (the logo at its
    smallest, with its width dimensioned), side by side; the y below them."""
    width = 70.0
    scale = width / colour.width_mm
    height = colour.height_mm * scale
    clear = CLEAR_UNITS * MM_PER_UNIT * scale
    x0, top = 18 + clear, y + 6 + clear
    items.append(("text", font, _("Clear space"), 3.2, 18, y + 3))
    items.append(("dashed", x0 - clear, top - clear, width + 2 * clear, height + 2 * clear))
    items.append(("drawing", "colour", x0, top, width, height))
    items.append(("line", x0 - clear, top + height / 2, x0, top + height / 2))
    items.append(("text", font, "x", 3.0, x0 - clear / 2 - 0.8, top + height / 2 - 1))
    items.append(("text", font, _("x = half the height of the disc"), 2.8, 18, top + height + clear + 5))
    small = MIN_WIDTH_MM * colour.height_mm / colour.width_mm
    left = 18 + width + 2 * clear + 18
    items.append(("text", font, _("Minimum size"), 3.2, left, y + 3))
    items.append(("drawing", "colour", left, top + 4, MIN_WIDTH_MM, small))
    items.append(("line", left, top, left + MIN_WIDTH_MM, top))
    items.append(("line", left, top - 1.5, left, top + 1.5))
    items.append(("line", left + MIN_WIDTH_MM, top - 1.5, left + MIN_WIDTH_MM, top + 1.5))
    items.append(("text", font, _("{mm} mm").format(mm=MIN_WIDTH_MM), 2.8, left + MIN_WIDTH_MM + 2, top + 1))
    return top + height + clear + 12


class GuideDrawing:
    """The guide, for :class:`~.Renderer` (which provides ``_cached`` and ``date``)."""

    def guide(self, kit: Kit, lang: str = i18n.DEFAULT) -> bytes:
        """The kit's usage guide in ``lang``, an A4 PDF from :func:`guide_layout`: real text in the shipped
        fonts (embedded subsets), the logos as vector drawings."""
        items = guide_layout(kit, lang)
        drawn = [(kind, *(i.name if isinstance(i, Font) else i for i in item)) for kind, *item in items]
        logos_svg = [logo(kit.lines, variant).svg for variant in VARIANTS]
        return self._cached(f"guide-text\0{lang}\0{drawn}\0{logos_svg}", "pdf",
                            lambda: _guide_pdf(kit, items, lang, self.date))


def _guide_pdf(kit: Kit, items: list, lang: str, date: str) -> bytes:
    from fpdf import FPDF  # here, not at import: a build that makes no kit never loads it

    day = dt.date.fromisoformat(date)
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_creation_date(dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc))
    pdf.set_title(i18n.gettext_in(lang, "OCPP certification logo: usage guide") + f" ({kit.statement})")
    pdf.set_author("Open Charge Alliance")
    pdf.set_creator("OCPP certification directory")
    pdf.set_producer("OCPP certification directory (fpdf2)")
    pdf.set_lang(lang)
    folder = ASSETS / "fonts"
    pdf.add_font("dejavu", "", str(folder / "DejaVuSans.ttf"))
    pdf.add_font("dejavu", "B", str(folder / "DejaVuSans-Bold.ttf"))
    pdf.add_font("hangul", "", str(folder / "OCPPDirectoryHangul-Regular.ttf"))
    pdf.set_auto_page_break(False)
    pdf.add_page()
    families = {fonts().regular.name: ("dejavu", ""), fonts().bold.name: ("dejavu", "B"),
                fonts().hangul.name: ("dejavu", "")}  # Korean: Hangul runs in the Hangul font, the rest DejaVu
    for kind, *item in items:
        if kind == "text":
            font, text, size, x, y = item
            pdf.set_text_color(*_rgb255("#1B2430"))
            for run, hangul in _runs(text):  # each run in the font that has its letters
                pdf.set_font(*(("hangul", "") if hangul else families[font.name]), size=size * 72 / 25.4)
                pdf.text(x, y, run)
                x += pdf.get_string_width(run)
        elif kind == "rect":
            x, y, w, h, fill, stroke, stroke_width = item
            pdf.set_fill_color(*_rgb255(fill))
            pdf.set_draw_color(*_rgb255(stroke))
            pdf.set_line_width(stroke_width)
            pdf.rect(x, y, w, h, style="DF")
        elif kind == "dashed":
            x, y, w, h = item
            pdf.set_draw_color(*_rgb255("#526070"))
            pdf.set_line_width(0.25)
            with pdf.local_context(dash_pattern={"dash": 1.2, "gap": 0.8}):
                pdf.rect(x, y, w, h)
        elif kind == "line":
            x1, y1, x2, y2 = item
            pdf.set_draw_color(*_rgb255("#526070"))
            pdf.set_line_width(0.25)
            pdf.line(x1, y1, x2, y2)
        else:  # "logo", "drawing": the logo's SVG, drawn as vectors
            variant, x, y, w, h = item
            svg = re.sub(r"<title>.*?</title>", "", logo(kit.lines, variant).svg, flags=re.S)
            pdf.image(io.BytesIO(svg.encode("utf-8")), x=x, y=y, w=w, h=h)
    return bytes(pdf.output())


_HANGUL = re.compile(r"([\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]+)")


def _runs(text: str) -> list[tuple[str, bool]]:
    """``text`` cut into runs of Hangul (the shipped Hangul font's) and of other letters (DejaVu's)."""
    return [(part, bool(i % 2)) for i, part in enumerate(_HANGUL.split(text)) if part]


def _rgb255(colour: str) -> tuple[int, int, int]:
    return tuple(round(c * 255) for c in rgb(colour))
