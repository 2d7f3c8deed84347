"""Charts of the directory as static SVG (pygal), each with a description and its data.

pygal gives every chart a random id and a dated comment, and by default loads
its tooltip script from the web and inlines its config; we drop the scripts
and replace the id by one derived from the chart's name, so the same records
give the same bytes and the charts run nothing.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import pygal
from pygal.style import Style

from ..model.directory import Directory
from .i18n import N_, gettext_in

STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1b2430",
    foreground_strong="#1b2430",
    foreground_subtle="#526070",
    font_family="system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', sans-serif",
    colors=("#0b5cab", "#17663a", "#b35c00", "#7a3e9d", "#8a1c1c", "#3d6b73", "#6b6b00", "#526070"),
    title_font_size=18,
    label_font_size=13,
    major_label_font_size=13,
    legend_font_size=14,
    value_font_size=12,
)


@dataclass(frozen=True)
class Chart:
    slug: str
    title: str
    svg: bytes
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    width: int = 800
    height: int = 420
    #: what the description says: ("per-year", first, last, total, most, ((label, count), ...)) or
    #: ("ranking", what, most, ((name, count), ...))
    facts: tuple = ()

    def describe(self, lang: str, words=None) -> str:
        """The chart said in words, in ``lang``: ``words(lang, message)`` translates the names of groups
        (from the program file); names from the records stay as written."""
        def _(message: str) -> str:
            return words(lang, message) if words else gettext_in(lang, message)

        title = _(self.title)
        if self.facts[0] == "per-year":
            _kind, first, last, total, most, groups = self.facts
            text = _("{title}, {first} to {last}: {total} certificates in all; the most in {most}.").format(
                title=title, first=first, last=last, total=total, most=_most_text(most, lang))
            return " ".join([text] + [_("{label}: {count}.").format(label=_(label), count=count)
                                      for label, count in groups])
        _kind, what, most, items = self.facts
        text = _("{title}: {count} {what}. The most: {most}.").format(title=title, count=len(items), what=_(what),
                                                                      most=_most_text(most, lang))
        return text + " " + "; ".join(f"{name}: {count}" for name, count in items) + "."


NONE = N_("none")


def _most_text(most: tuple | None, lang: str) -> str:
    return f"{most[0]} ({most[1]})" if most else gettext_in(lang, NONE)


def _render(chart, slug: str) -> bytes:
    svg = chart.render(is_unicode=True)
    # pygal's inline config script only serves its tooltips (whose script we do not load).
    svg = re.sub(r"<script\b.*?</script>", "", svg, flags=re.S)
    svg = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", slug, svg)
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.S)
    return svg.encode("utf-8")


def _options(**extra) -> dict:
    return dict(js=[], disable_xml_declaration=True, style=STYLE, width=800, height=420, print_values=False,
                legend_at_bottom=True, truncate_legend=-1, truncate_label=-1) | extra


def _most(counter: Counter) -> tuple | None:
    if not counter:
        return None
    return max(counter.items(), key=lambda kv: (kv[1], kv[0]))


def build(directory: Directory) -> list[Chart]:
    program = directory.program
    certs = directory.certificates
    if not certs:
        return []
    years = [str(y) for y in range(min(c.issued.year for c in certs), max(c.issued.year for c in certs) + 1)]
    charts = []

    def per_year(slug: str, title: str, groups: dict[str, str], key) -> Chart:
        counts = {g: Counter() for g in groups}
        for c in certs:
            counts[key(c)][str(c.issued.year)] += 1
        chart = pygal.StackedBar(title=title, x_title="Year issued", y_title="Certificates", **_options())
        chart.x_labels = years
        for group, label in groups.items():
            chart.add(label, [counts[group][y] for y in years])
        totals = Counter(str(c.issued.year) for c in certs)
        facts = ("per-year", years[0], years[-1], len(certs), _most(totals),
                 tuple((label, sum(counts[g].values())) for g, label in groups.items()))
        rows = tuple((y, *(str(counts[g][y]) for g in groups), str(totals[y])) for y in years)
        return Chart(slug, title, _render(chart, slug), (N_("Year"), *groups.values(), N_("Total")), rows,
                     facts=facts)

    charts.append(per_year("per-year-by-version", N_("Certificates per year by OCPP version"),
                           {v: program.versions[v].title for v in program.versions}, lambda c: c.ocpp_version))
    charts.append(per_year("per-year-by-type", N_("Charging stations and CSMS certified per year"),
                           {t: program.device_types[t].plural for t in program.device_types},
                           lambda c: c.device_type))

    def ranking(slug: str, title: str, counter: Counter, what: str, column: str) -> Chart:
        ordered = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
        height = max(260, 60 + 34 * len(ordered))
        chart = pygal.HorizontalBar(title=title, show_legend=False, x_title="Certificates", **_options(height=height))
        chart.x_labels = [name for name, _ in reversed(ordered)]
        chart.add("Certificates", [count for _, count in reversed(ordered)])
        return Chart(slug, title, _render(chart, slug), (column, N_("Certificates")),
                     tuple((name, str(count)) for name, count in ordered), height=height,
                     facts=("ranking", what, _most(counter), tuple(ordered)))

    profiles = Counter()
    for c in certs:
        version = program.rules_of(c)
        profiles.update(version.profiles[p].title for p in c.profiles)
    charts.append(ranking("by-profile", N_("Certificates by certification profile"), profiles, N_("profiles"),
                          N_("Profile")))
    charts.append(ranking("by-laboratory", N_("Certificates by test laboratory"),
                          Counter(program.laboratories[c.laboratory].name for c in certs if c.laboratory),
                          N_("laboratories"), N_("Laboratory")))
    charts.append(ranking("by-country", N_("Certificates by vendor country"),
                          Counter(c.country_name for c in certs), N_("countries"), N_("Country")))
    return charts
