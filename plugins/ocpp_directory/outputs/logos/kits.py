"""Logo kits: one per certification profile combination, as a zip of logo files and a guide."""

from __future__ import annotations

import io
import itertools
import textwrap
import zipfile
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ...model.program import Program, Rules
from .. import i18n
from .artwork import VARIANTS, logo, statement_lines, statement_text

if TYPE_CHECKING:
    from . import Renderer

PNG_WIDTHS = (300, 600, 1200, 2400)
#: The usage rules the guide states, and the tests check.
MIN_WIDTH_MM = 30
MIN_WIDTH_PX = 180


@dataclass
class Kit:
    slug: str
    version: Rules
    profiles: tuple[str, ...]
    lines: list[str]
    certificates: list = field(default_factory=list)

    @property
    def title(self) -> str:
        return " + ".join(self.version.profiles[p].title for p in self.profiles)

    @property
    def statement(self) -> str:
        """The logo's statement as one line of text (its lines break between profiles only)."""
        return statement_text(self.lines)


def valid_combinations(version: Rules) -> list[tuple[str, ...]]:
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
    """One kit per profile combination: all of a version's first edition (1.6), or those certified (2.0.1,
    and every later edition), with core alone."""
    result = []
    groups: dict[tuple[str, frozenset], list] = {}  # (version, profiles) -> its certificates, in order
    for c in certificates:
        groups.setdefault((c.ocpp_version, frozenset(c.profiles)), []).append(c)
    editions = [edition for version in program.versions.values() for edition in version.editions.values()]
    for version in editions:  # profile names are a version's, whichever edition defines them
        combos = valid_combinations(version)
        used = {tuple(p for p in version.profiles if p in profiles)
                for key, profiles in groups if key == version.key and profiles <= set(version.profiles)}
        first = version.editions.get(version.edition, version) is next(iter(version.editions.values()), version)
        if not first:  # a later edition of the procedure: kits for what is certified under it
            combos = [c for c in combos if c in used]
        elif len(combos) > ALL_COMBINATIONS_UP_TO:
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
    for lang in i18n.LANGUAGES:
        files[guide_name(lang)] = renderer.guide(kit, lang)
    names = sorted([*files, *(readme_name(lang) for lang in i18n.LANGUAGES)])
    for lang in i18n.LANGUAGES:
        files[readme_name(lang)] = readme(kit, names, lang).encode("utf-8")
    return files


def guide_name(lang: str) -> str:
    return "usage-guide.pdf" if lang == i18n.DEFAULT else f"usage-guide.{lang}.pdf"


def readme_name(lang: str) -> str:
    return "README.txt" if lang == i18n.DEFAULT else f"README.{lang}.txt"


def readme(kit: Kit, names: list[str], lang: str = i18n.DEFAULT) -> str:
    def _(message: str) -> str:
        return i18n.gettext_in(lang, message)

    lines = [
        _("OCPP certification logo kit: {title}").format(title=kit.title),
        "",
        _("Statement: {statement}").format(statement=kit.statement),
        "",
        *textwrap.wrap(_(
            "May be used only on devices, packaging, websites and displays for a device that holds an OCPP "
            "certificate with exactly these profiles, and only for the software version and hardware feature "
            "set that certificate covers. Use the logo unaltered. The usage guide ({guide}) gives clear space "
            "and minimum size ({mm} mm wide in print, {px} px on screen).").format(
                guide=guide_name(lang), mm=MIN_WIDTH_MM, px=MIN_WIDTH_PX), 98),
        "",
        _("Files:"),
        *(f"  {name}" for name in names),
        "",
        _("colour: full colour; black: one colour, black; white: reversed, for dark backgrounds."),
        _("PNG files have a transparent background; PDF and EPS are vector, for print."),
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


