"""The logo kit's usage guide: one A4 page of clear space, minimum size and what not to do."""

from __future__ import annotations

from .. import i18n
from .artwork import MM_PER_UNIT, VARIANTS, _n, logo
from .glyphs import Font, fonts
from .kits import MIN_WIDTH_MM, MIN_WIDTH_PX, Kit
from .render import PX_PER_MM, _output, rgb


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
    y = _paragraph(items, _("Statement: {statement}").format(statement=" / ".join(kit.lines)), 18, y, 4, 174,
                   regular)
    colour = logo(kit.lines, "colour")
    scale = min(100 / colour.width_mm, 1.0)
    width, height = colour.width_mm * scale, colour.height_mm * scale
    y += 4
    for i, variant in enumerate(VARIANTS):
        box_y = y + i * (height + 10)
        background = "#1B2430" if variant == "white" else "#FFFFFF"
        items.append(("rect", 16, box_y - 2, width + 4, height + 4, background, "#C9D1DA", 0.3))
        items.append(("logo", variant, 18, box_y, width, height))
        items.append(("text", regular, _(VARIANTS[variant][0]), 3.2, 26 + width, box_y + height / 2))
    y += 3 * (height + 10) + 4
    clear_mm = _n(50 * MM_PER_UNIT)
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




class GuideDrawing:
    """The guide, for :class:`~.Renderer` (which provides ``paint_logo``, ``_cached`` and ``date``)."""

    def guide(self, kit: Kit, lang: str = i18n.DEFAULT) -> bytes:
        """The kit's usage guide in ``lang``, an A4 PDF drawn directly with cairo from :func:`guide_layout`:
        its text as glyph paths, its logos from their recordings (no SVG to parse)."""
        items = guide_layout(kit, lang)

        def draw(context):
            context.scale(PX_PER_MM, PX_PER_MM)
            context.rectangle(0, 0, 210, 297)
            context.set_source_rgb(1, 1, 1)
            context.fill()
            for kind, *item in items:
                if kind == "text":
                    font, text, size, x, y = item
                    context.set_source_rgb(*rgb("#1B2430"))
                    font.draw(context, text, size, x, y)
                    context.fill()
                elif kind == "rect":
                    x, y, w, h, fill, stroke, stroke_width = item
                    context.rectangle(x, y, w, h)
                    context.set_source_rgb(*rgb(fill))
                    context.fill_preserve()
                    context.set_source_rgb(*rgb(stroke))
                    context.set_line_width(stroke_width)
                    context.stroke()
                else:
                    variant, x, y, w, h = item
                    self.paint_logo(context, kit.lines, variant, x, y, w, h)

        # Keyed by what it draws: the layout (fonts by file name) and the logos' SVG.
        drawn = [(kind, *(i.name if isinstance(i, Font) else i for i in item)) for kind, *item in items]
        logos_svg = [logo(kit.lines, variant).svg for variant in VARIANTS]
        return self._cached(f"guide\0{drawn}\0{logos_svg}", "pdf",
                            lambda: _output(draw, 210 * PX_PER_MM, 297 * PX_PER_MM, "pdf", None, 96, self.date))
