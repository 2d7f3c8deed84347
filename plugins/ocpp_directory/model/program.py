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


@dataclass(frozen=True, slots=True)
class DeviceType:
    key: str
    title: str
    plural: str


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


@dataclass(frozen=True, slots=True)
class Version:
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

    def feature_title(self, feature: str) -> str:
        if self.known_features is not None:
            return self.known_features.get(feature, feature)
        return feature

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
    versions: dict[str, Version] = field(default_factory=dict)


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
    top = f.mapping(root, "", required=("ineligible_versions", "device_types", "laboratories", "versions"))
    ineligible = f.string_list(f.get(top, "ineligible_versions"), "ineligible_versions") or []

    device_types: dict[str, DeviceType] = {}
    types_node = f.mapping(f.get(top, "device_types"), "device_types", any_keys=True)
    for key, (_, node) in (types_node.entries.items() if types_node else ()):
        where = f"device_types.{key}"
        m = f.mapping(node, where, required=("title", "plural"))
        title, plural = f.string(f.get(m, "title"), f"{where}.title"), f.string(f.get(m, "plural"), f"{where}.plural")
        if title and plural:
            device_types[key] = DeviceType(key, title, plural)

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

    versions: dict[str, Version] = {}
    versions_node = f.mapping(f.get(top, "versions"), "versions", any_keys=True)
    for key, (line, node) in (versions_node.entries.items() if versions_node else ()):
        if key in ineligible:
            f.add(line, f"versions.{key}", "is listed as ineligible", "only versions eligible for certification")
        version = _read_version(f, key, node, device_types)
        if version is not None:
            versions[key] = version
    return Program(tuple(ineligible), device_types, laboratories, versions)


def _read_version(f: Fields, key: str, node, device_types: dict[str, DeviceType]) -> Version | None:
    where = f"versions.{key}"
    m = f.mapping(
        node,
        where,
        required=("title", "features", "profiles", "logo"),
        optional=("security_profiles", "exclusive_profiles", "required_profiles"),
    )
    if m is None:
        return None
    title = f.string(f.get(m, "title"), f"{where}.title")

    feats = f.mapping(f.get(m, "features"), f"{where}.features", optional=("known", "pattern", "example"))
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
    if feats is not None and (known is None) == (pattern_text is None):
        f.add(feats.line, f"{where}.features", "needs exactly one of 'known' and 'pattern'",
              "a list of known feature names, or a pattern for feature identifiers")

    sec = f.mapping(f.get(m, "security_profiles"), f"{where}.security_profiles",
                    required=("values",), optional=("only_with_profiles",))
    sec_values = tuple(f.int_list(f.get(sec, "values"), f"{where}.security_profiles.values", choices=range(0, 100)) or ())
    sec_only = tuple(f.string_list(f.get(sec, "only_with_profiles"), f"{where}.security_profiles.only_with_profiles") or ())

    logo = f.mapping(f.get(m, "logo"), f"{where}.logo", optional=("statement", "statement_per_profile"))
    logo_statement = f.string(f.get(logo, "statement"), f"{where}.logo.statement")
    per_profile = _flag(f, logo, "statement_per_profile", f"{where}.logo")

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
            optional=("features", "security_profiles", "requires", "logo_statement", "logo_name"),
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
            features_required=_flag(f, pf, "required", pwhere + ".features"),
            features_all_known=_flag(f, pf, "all_known", pwhere + ".features"),
            features_must_include=tuple(
                f.string_list(f.get(pf, "must_include"), f"{pwhere}.features.must_include") or ()
            ),
            security_required=_flag(f, ps, "required", pwhere + ".security_profiles"),
            security_one_of=tuple(
                f.int_list(f.get(ps, "must_include_one_of"), f"{pwhere}.security_profiles.must_include_one_of",
                           choices=sec_values) or ()
            ),
            requires=tuple(f.string_list(f.get(pm, "requires"), f"{pwhere}.requires") or ()),
            logo_statement=f.string(f.get(pm, "logo_statement"), f"{pwhere}.logo_statement"),
            logo_name=f.string(f.get(pm, "logo_name"), f"{pwhere}.logo_name"),
        )
    exclusive = []
    for i, group in enumerate(f.sequence(f.get(m, "exclusive_profiles"), f"{where}.exclusive_profiles") or ()):
        exclusive.append(tuple(f.string_list(group, f"{where}.exclusive_profiles[{i}]", choices=profiles) or ()))
    required = tuple(
        f.string_list(f.get(m, "required_profiles"), f"{where}.required_profiles", choices=profiles) or ()
    )
    for p in profiles.values():
        for other in p.requires + sec_only:
            if other not in profiles:
                f.add(m.line, where, f"names profile '{other}', which it does not define", "defined profile names")
    if not title or not profiles:
        return None
    return Version(
        key=key,
        title=title,
        profiles=profiles,
        known_features=known,
        feature_pattern=pattern,
        feature_example=example,
        security_values=sec_values,
        security_only_with=sec_only,
        exclusive=tuple(exclusive),
        required_profiles=required,
        logo_statement=logo_statement,
        statement_per_profile=per_profile,
    )


def _flag(f: Fields, m: Mapping | None, key: str, where: str) -> bool:
    node = f.get(m, key)
    if node is None:
        return False
    if getattr(node, "kind", None) != "bool" or getattr(node, "quoted", True):
        f.add(node.line, f"{where}.{key}", "is not true or false", "true or false, without quotes")
        return False
    return node.value.lower() in ("true", "yes", "on")
