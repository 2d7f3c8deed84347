"""The certification program (versions, profiles, laboratories) read from data.

Nothing here knows OCPP 1.6 from 2.0.1: the rules are the program file's, and
:mod:`.records` applies them to each record.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ProgramFileError
from .fields import Fields
from .loader import Mapping, load
from .numbering import SUFFIX, LEGACY_NUMBER, Numbering, read_numbering
from .part5 import Feature, HardwareFeature, Part5, read_hardware, read_part5


@dataclass(frozen=True, slots=True)
class DeviceType:
    key: str
    title: str
    plural: str
    #: the last part of an OCA certificate number for this type (CS, CSMS)
    number_suffix: str | None = None


@dataclass(frozen=True, slots=True)
class Laboratory:
    short_name: str
    name: str
    authorised_from: dt.date
    authorised_until: dt.date | None = None

    def authorised_on(self, day: dt.date) -> bool:
        return self.authorised_from <= day and (self.authorised_until is None or day <= self.authorised_until)

    def period(self) -> str:
        until = self.authorised_until.isoformat() if self.authorised_until else "today"
        return f"{self.authorised_from.isoformat()} to {until}"


@dataclass(frozen=True, slots=True)
class Profile:
    key: str
    title: str
    description: str
    device_types: tuple[str, ...]
    features_required: bool = False
    features_all_known: bool = False
    features_must_include: tuple[str, ...] = ()
    security_required: bool = False
    security_one_of: tuple[int, ...] = ()
    requires: tuple[str, ...] = ()
    logo_statement: str | None = None
    logo_name: str | None = None
    #: the OCA's short notation: "Full", "Security", "Core", "S", "C"
    short: str | None = None

    @property
    def notation(self) -> str:
        return self.short or self.title


@dataclass(frozen=True, slots=True)
class Rules:
    """The rules of one edition of the procedure for one OCPP version: a version's first edition's
    stand for the version (``Program.versions``), its other editions' are in ``editions``."""

    key: str
    title: str
    profiles: dict[str, Profile]
    known_features: dict[str, str] | None = None
    feature_pattern: re.Pattern[str] | None = None
    feature_example: str = ""
    security_values: tuple[int, ...] = ()
    security_only_with: tuple[str, ...] = ()
    exclusive: tuple[tuple[str, ...], ...] = ()
    required_profiles: tuple[str, ...] = ()
    logo_statement: str | None = None
    statement_per_profile: bool = False
    #: the version's number in OCA certificate numbers ("0016")
    number: str | None = None
    #: which edition of the procedure these rules are, and since when it applies
    edition: str = "default"
    edition_title: str = ""
    since: dt.date | None = None
    #: the order the OCA writes profiles in a certificate type (default: the program's order)
    notation_order: tuple[str, ...] = ()
    #: the OCA's Part 5 optional features (2.0.1, 2.1): ``features.tables`` of the program file
    part5: Part5 | None = None
    #: Part 5's hardware feature set (Appendix B, Table 4), by id
    hardware_features: dict[str, HardwareFeature] = field(default_factory=dict)
    #: every edition of this version, this one first, by key
    editions: dict[str, "Rules"] = field(default_factory=dict, compare=False, repr=False)

    def profile(self, name: str) -> Profile:
        """Profile ``name`` of any edition of this version (a name means one profile in a version)."""
        for edition in self.editions.values() or (self,):
            if name in edition.profiles:
                return edition.profiles[name]
        raise KeyError(name)

    def all_profiles(self) -> list[str]:
        """Every profile of every edition, in the program's order."""
        return [name for edition in (self.editions.values() or (self,)) for name in edition.profiles]

    def certificate_type(self, profiles: tuple[str, ...]) -> str:
        """The OCA's short notation of a set of profiles: "Full + Security", "Core + S + C"."""
        order = self.notation_order or tuple(self.profiles)
        return " + ".join(self.profiles[p].notation for p in order if p in profiles)

    def feature_title(self, feature: str, device_type: str | None = None) -> str:
        """A feature as people read it: its name (1.6), or Part 5's id and name ("C-42 Signed Metervalues")."""
        if self.known_features is not None:
            return self.known_features.get(feature, feature)
        found = self.feature(feature, device_type)
        return found.label if found is not None else feature

    def feature(self, feature: str, device_type: str | None = None) -> Feature | None:
        """Part 5's entry for a feature id (of ``device_type``'s table when given)."""
        return self.part5.feature(feature, device_type) if self.part5 is not None else None

    def features_by_profile(self, features: tuple[str, ...], device_type: str | None) -> list[tuple[str, list]]:
        """``[(profile or 2.1 feature area title, [Feature, ...])]``, Part 5's order; 1.6's names in one group."""
        if self.part5 is None:
            return [("", [self.feature_title(f) for f in features])] if features else []
        return self.part5.by_profile(features, device_type, {k: p.title for k, p in self.profiles.items()})

    def logo_lines(self, profiles: tuple[str, ...]) -> tuple[str, ...]:
        """The statement the certification logo carries (section 8.2.2)."""
        ordered = [p for p in self.profiles if p in profiles]
        if self.statement_per_profile:
            return tuple(self.profiles[p].logo_statement or self.profiles[p].title for p in ordered)
        names = ", ".join(self.profiles[p].logo_name or self.profiles[p].title for p in ordered)
        return (self.logo_statement or self.title, names)


@dataclass(frozen=True, slots=True)
class Program:
    ineligible_versions: tuple[str, ...]
    device_types: dict[str, DeviceType]
    laboratories: dict[str, Laboratory]
    versions: dict[str, Rules] = field(default_factory=dict)
    numbering: Numbering = field(default_factory=lambda: Numbering(None, None, (re.compile(LEGACY_NUMBER),),
                                                                    "OCA-16-2024-0042", ""))
    #: language -> the file's English words readers see -> their translation (``translations:``)
    translations: dict[str, dict[str, str]] = field(default_factory=dict)

    def rules(self, version: str, edition: str | None = None) -> Rules:
        """The rules of ``edition`` of ``version`` (its first edition when None)."""
        first = self.versions[version]
        return first if edition is None else first.editions[edition]

    def rules_of(self, cert) -> Rules:
        """The rules a certificate was checked against: its edition's, or its version's first."""
        return self.rules(cert.ocpp_version, cert.edition or None)


_KEY = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def load_program(path: str | Path) -> Program:
    """Read and check the program file; raise :class:`ProgramFileError`."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ProgramFileError(f"{path}: cannot read the program file: {exc.strerror}") from None
    root, problems = load(data, str(path))
    f = Fields(str(path), problems)
    program = _read(f, root) if root is not None else None
    if f.problems or program is None:
        raise ProgramFileError("the program file is not valid:\n" + "\n".join(map(str, sorted(f.problems))))
    return program


def _read(f: Fields, root: Mapping) -> Program | None:
    top = f.mapping(root, "", required=("ineligible_versions", "device_types", "laboratories", "versions"),
                    optional=("numbering", "translations"))
    ineligible = f.string_list(f.get(top, "ineligible_versions"), "ineligible_versions") or []

    device_types: dict[str, DeviceType] = {}
    types_node = f.mapping(f.get(top, "device_types"), "device_types", any_keys=True)
    for key, (_, node) in (types_node.entries.items() if types_node else ()):
        where = f"device_types.{key}"
        m = f.mapping(node, where, required=("title", "plural"), optional=("number_suffix",))
        title, plural = f.string(f.get(m, "title"), f"{where}.title"), f.string(f.get(m, "plural"), f"{where}.plural")
        suffix = f.string(f.get(m, "number_suffix"), f"{where}.number_suffix", pattern=SUFFIX,
                          pattern_text="upper-case letters, such as CS")
        if title and plural:
            device_types[key] = DeviceType(key, title, plural, suffix)

    laboratories: dict[str, Laboratory] = {}
    for i, node in enumerate(f.sequence(f.get(top, "laboratories"), "laboratories") or ()):
        where = f"laboratories[{i}]"
        m = f.mapping(node, where, required=("short_name", "name", "authorised_from"), optional=("authorised_until",))
        short = f.string(f.get(m, "short_name"), f"{where}.short_name")
        name = f.string(f.get(m, "name"), f"{where}.name")
        since = f.date(f.get(m, "authorised_from"), f"{where}.authorised_from")
        until = f.date(f.get(m, "authorised_until"), f"{where}.authorised_until")
        if short and name and since:
            if short in laboratories:
                f.add(node.line, f"{where}.short_name", f"{short} is listed twice", "each laboratory once")
            laboratories[short] = Laboratory(short, name, since, until)

    versions: dict[str, Rules] = {}
    versions_node = f.mapping(f.get(top, "versions"), "versions", any_keys=True)
    for key, (line, node) in (versions_node.entries.items() if versions_node else ()):
        if key in ineligible:
            f.add(line, f"versions.{key}", "is listed as ineligible", "only versions eligible for certification")
        version = _read_version(f, key, node, device_types)
        if version is not None:
            versions[key] = version
    numbers = [v.number for v in versions.values() if v.number]
    if len(set(numbers)) != len(numbers):
        f.add(versions_node.line, "versions", "two versions have the same number", "a number of its own for each")
    numbering = read_numbering(f, f.get(top, "numbering"), device_types, versions)
    if numbering is None:
        return Program(tuple(ineligible), device_types, laboratories, versions)
    return Program(tuple(ineligible), device_types, laboratories, versions, numbering,
                   _translations(f, f.get(top, "translations")))


def _translations(f: Fields, node) -> dict[str, dict[str, str]]:
    """``translations: {ko: {"Charging station": "충전기", ...}}``: the file's words in other languages."""
    found: dict[str, dict[str, str]] = {}
    languages = f.mapping(node, "translations", any_keys=True) if node is not None else None
    for lang, (line, words) in (languages.entries.items() if languages else ()):
        if not re.fullmatch(r"[a-z]{2}", lang):
            f.add(line, f"translations.{lang}", "is not a language code", "a two-letter code, such as ko")
            continue
        table = f.mapping(words, f"translations.{lang}", any_keys=True)
        found[lang] = {english: text for english, (_, value) in (table.entries.items() if table else ())
                       if (text := f.string(value, f"translations.{lang}.{english}"))}
    return found


_RULES = ("features", "profiles", "logo")
_OPTIONAL_RULES = ("security_profiles", "exclusive_profiles", "required_profiles", "notation_order", "part5",
                   "hardware_features")


def _read_version(f: Fields, key: str, node, device_types: dict[str, DeviceType]) -> Rules | None:
    """A version's first edition (its own keys), with its other editions (``editions``)."""
    where = f"versions.{key}"
    m = f.mapping(node, where, required=("title", *_RULES), optional=(*_OPTIONAL_RULES, "number", "edition", "editions"))
    if m is None:
        return None
    title = f.string(f.get(m, "title"), f"{where}.title")
    number = f.string(f.get(m, "number"), f"{where}.number", pattern=re.compile(r"^[0-9]{4}$"),
                      pattern_text="four digits, such as 0016")
    em = f.mapping(f.get(m, "edition"), f"{where}.edition", required=("key", "title"), optional=("since",))
    first_key = f.string(f.get(em, "key"), f"{where}.edition.key", pattern=_KEY,
                         pattern_text="lower case letters, digits and '-'") or "default"
    first = _read_rules(f, where, m, device_types, dict(
        key=key, title=title, number=number, edition=first_key,
        edition_title=f.string(f.get(em, "title"), f"{where}.edition.title") or "",
        since=f.date(f.get(em, "since"), f"{where}.edition.since")))
    if first is None:
        return None
    first.editions[first_key] = first
    editions = f.mapping(f.get(m, "editions"), f"{where}.editions", any_keys=True)
    for ekey, (eline, enode) in (editions.entries.items() if editions else ()):
        ewhere = f"{where}.editions.{ekey}"
        if not _KEY.match(ekey) or ekey in first.editions:
            f.add(eline, ewhere, "is not a new edition name", "lower case letters, digits and '-', once each")
            continue
        e = f.mapping(enode, ewhere, required=("title", *_RULES), optional=(*_OPTIONAL_RULES, "since"))
        if e is None:
            continue
        edition = _read_rules(f, ewhere, e, device_types, dict(
            key=key, title=title, number=number, edition=ekey,
            edition_title=f.string(f.get(e, "title"), f"{ewhere}.title") or "",
            since=f.date(f.get(e, "since"), f"{ewhere}.since"), editions=first.editions))
        if edition is None:
            continue
        shared = set(edition.profiles) & {p for other in first.editions.values() for p in other.profiles}
        if shared:
            f.add(eline, ewhere, f"defines {', '.join(sorted(shared))}, which another edition defines",
                  "profile names of its own: a profile names one thing in a version")
        first.editions[ekey] = edition
    return first


def _read_rules(f: Fields, where: str, m: Mapping, device_types: dict[str, DeviceType], names: dict) -> Rules | None:
    """The rules of one edition: features, security profiles, logo, profiles and their combinations."""
    title = names["title"]

    sec = f.mapping(f.get(m, "security_profiles"), f"{where}.security_profiles",
                    required=("values",), optional=("only_with_profiles",))
    sec_values = tuple(f.int_list(f.get(sec, "values"), f"{where}.security_profiles.values", choices=range(0, 100)) or ())
    sec_only = tuple(f.string_list(f.get(sec, "only_with_profiles"), f"{where}.security_profiles.only_with_profiles") or ())

    logo = f.mapping(f.get(m, "logo"), f"{where}.logo", optional=("statement", "statement_per_profile"))
    logo_statement = f.string(f.get(logo, "statement"), f"{where}.logo.statement")
    per_profile = f.flag(logo, "statement_per_profile", f"{where}.logo")

    profiles: dict[str, Profile] = {}
    profiles_node = f.mapping(f.get(m, "profiles"), f"{where}.profiles", any_keys=True)
    for pkey, (pline, pnode) in (profiles_node.entries.items() if profiles_node else ()):
        pwhere = f"{where}.profiles.{pkey}"
        if not _KEY.match(pkey):
            f.add(pline, pwhere, "is not a valid profile name", "lower case letters, digits and '-'")
        pm = f.mapping(
            pnode,
            pwhere,
            required=("title", "description", "device_types"),
            optional=("features", "security_profiles", "requires", "logo_statement", "logo_name", "short"),
        )
        ptitle = f.string(f.get(pm, "title"), f"{pwhere}.title")
        desc = f.string(f.get(pm, "description"), f"{pwhere}.description")
        types = f.string_list(f.get(pm, "device_types"), f"{pwhere}.device_types", choices=device_types) or []
        pf = f.mapping(f.get(pm, "features"), f"{pwhere}.features", optional=("required", "all_known", "must_include"))
        ps = f.mapping(f.get(pm, "security_profiles"), f"{pwhere}.security_profiles",
                       optional=("required", "must_include_one_of"))
        if pm is None or not ptitle or not desc:
            continue
        profiles[pkey] = Profile(
            key=pkey,
            title=ptitle,
            description=desc,
            device_types=tuple(types),
            features_required=f.flag(pf, "required", pwhere + ".features"),
            features_all_known=f.flag(pf, "all_known", pwhere + ".features"),
            features_must_include=tuple(
                f.string_list(f.get(pf, "must_include"), f"{pwhere}.features.must_include") or ()
            ),
            security_required=f.flag(ps, "required", pwhere + ".security_profiles"),
            security_one_of=tuple(
                f.int_list(f.get(ps, "must_include_one_of"), f"{pwhere}.security_profiles.must_include_one_of",
                           choices=sec_values) or ()
            ),
            requires=tuple(f.string_list(f.get(pm, "requires"), f"{pwhere}.requires") or ()),
            logo_statement=f.string(f.get(pm, "logo_statement"), f"{pwhere}.logo_statement"),
            logo_name=f.string(f.get(pm, "logo_name"), f"{pwhere}.logo_name"),
            short=f.string(f.get(pm, "short"), f"{pwhere}.short"),
        )
    feats = f.mapping(f.get(m, "features"), f"{where}.features",
                      optional=("known", "pattern", "example", "tables", "groups", "areas", "tables_of"))
    known = None
    pattern = None
    example = ""
    known_node = f.mapping(f.get(feats, "known"), f"{where}.features.known", any_keys=True)
    if known_node is not None:
        known = {}
        for fkey, (_, fnode) in known_node.entries.items():
            known[fkey] = f.string(fnode, f"{where}.features.known.{fkey}") or fkey
    pattern_text = f.string(f.get(feats, "pattern"), f"{where}.features.pattern")
    if pattern_text:
        try:
            pattern = re.compile(pattern_text)
        except re.error as exc:
            f.add(f.key_line(feats, "pattern"), f"{where}.features.pattern", f"is not a regular expression: {exc}",
                  "a Python regular expression")
        example = f.string(f.get(feats, "example"), f"{where}.features.example") or ""
    part5, tables_form = read_part5(f, where, m, feats, device_types, profiles, title or "",
                                    names.get("editions", {}))
    forms = [known is not None, pattern_text is not None, *tables_form]
    if feats is not None and sum(forms) != 1:
        f.add(feats.line, f"{where}.features", "needs exactly one of 'known', 'pattern', 'tables' and 'tables_of'",
              "a list of known feature names, a pattern for feature identifiers, Part 5's tables, or another "
              "edition's tables")
    hardware = read_hardware(f, f"{where}.hardware_features", f.get(m, "hardware_features"))

    exclusive = []
    for i, group in enumerate(f.sequence(f.get(m, "exclusive_profiles"), f"{where}.exclusive_profiles") or ()):
        exclusive.append(tuple(f.string_list(group, f"{where}.exclusive_profiles[{i}]", choices=profiles) or ()))
    required = tuple(
        f.string_list(f.get(m, "required_profiles"), f"{where}.required_profiles", choices=profiles) or ()
    )
    notation = tuple(f.string_list(f.get(m, "notation_order"), f"{where}.notation_order", choices=profiles) or ())
    if notation and set(notation) != set(profiles):
        f.add(f.key_line(m, "notation_order"), f"{where}.notation_order", "does not list every profile once",
              "every profile of the edition, in the order the OCA writes them")
    for p in profiles.values():
        for other in p.requires + sec_only:
            if other not in profiles:
                f.add(m.line, where, f"names profile '{other}', which it does not define", "defined profile names")
    if not title or not profiles:
        return None
    return Rules(
        **names,
        profiles=profiles,
        known_features=known,
        feature_pattern=pattern,
        feature_example=example,
        security_values=sec_values,
        security_only_with=sec_only,
        exclusive=tuple(exclusive),
        required_profiles=required,
        notation_order=notation,
        logo_statement=logo_statement,
        statement_per_profile=per_profile,
        part5=part5,
        hardware_features=hardware,
    )

