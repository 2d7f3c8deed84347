"""The OCA's Part 5 of an OCPP version as data: optional features and hardware features, and their rules.

Part 5 (*Certification Profiles*) of OCPP 2.0.1 and 2.1 lists, per device type, the optional features a
certificate may state (Tables 2 and 3): an id (``C-06``, a sub-option ``C-06.1``), a name, often a
configuration variable, the profile (in 2.1 also the feature area of Core) it belongs to, and how it is
supported. The program file holds those tables (``features.tables``); this module reads them and applies
them to a record's ``features``, knowing no id by name. ``docs/program-file.md`` says why each rule is an
error or a warning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from .fields import Fields, quote
from .loader import Mapping, Node, Sequence

FEATURE_ID = re.compile(r"^[A-Z]{1,4}-[0-9]{1,3}(\.[0-9]{1,2})?$")
HFS_ID = re.compile(r"^HFS-[0-9]{1,2}$")
SUPPORT = ("optional", "required", "conditional", "list")
SUBOPTIONS = ("at-least-one", "select-all", "fill-in")
HARDWARE_KINDS = ("yes-no", "field", "document")
#: the record's hardware fields a Part 5 hardware feature may be told by, and their values
HARDWARE_FIELDS = {
    "evse": ("single", "multiple"),
    "connection": ("socket", "fixed-cable"),
    "rfid": ("none", "single", "per-evse"),
    "communication": ("ethernet", "wifi", "mobile"),
}


@dataclass(frozen=True, slots=True)
class Feature:
    id: str
    name: str
    device_type: str
    profile: str
    variable: str | None = None
    #: 2.1: the feature area of Core (or of Smart Charging) it stands in, a key of ``Part5.areas``
    area: str | None = None
    support: str = "optional"
    #: for a feature with sub-options: how many of them a device supports
    suboptions: str | None = None
    #: alternatives, each a tuple of terms that must all hold: a feature id, a profile key, or a
    #: tuple of feature ids of which one must be listed
    needs_one_of: tuple[tuple[str | tuple[str, ...], ...], ...] = ()
    #: other words people search it by ("signed meter values" for "Signed Metervalues")
    terms: tuple[str, ...] = ()
    #: what to show before the name where it says little alone: a sub-option's parent's name ("A" of
    #: "Supported charging rate units"), or the sub-heading Part 5 sets it under (``context`` in the file)
    context: str | None = None

    @property
    def parent(self) -> str | None:
        return self.id.rpartition(".")[0] or None

    @property
    def label(self) -> str:
        """The id and the name as people read it: ``SC-2.1 Supported charging rate units: A``."""
        return f"{self.id} {self.shown}"

    @property
    def title(self) -> str:
        """The name as Part 5 writes it, with the configuration variable."""
        return f"{self.name} ({self.variable})" if self.variable else self.name

    @property
    def shown(self) -> str:
        return f"{self.context}: {self.title}" if self.context else self.title


@dataclass(frozen=True, slots=True)
class Area:
    key: str
    title: str
    profile: str
    #: the feature that says the area is supported (R-0), which every other feature of the area needs
    feature: str | None = None


@dataclass(frozen=True, slots=True)
class Group:
    title: str
    rule: str
    features: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class HardwareFeature:
    id: str
    name: str
    kind: str
    #: the record's ``device.hardware`` field it corresponds to
    field: str | None = None
    #: for a yes/no feature told by a field: the value of that field that means yes
    value: str | None = None


@dataclass(frozen=True, slots=True)
class Part5:
    """One version's Part 5 tables (or another edition's, ``check_profiles`` False)."""

    source: str
    #: device type -> feature id -> feature, in the table's order
    tables: dict[str, dict[str, Feature]]
    groups: dict[str, tuple[Group, ...]] = field(default_factory=dict)
    areas: dict[str, Area] = field(default_factory=dict)
    #: whether a feature's profile must be one the certificate holds (a product family's are in its document)
    check_profiles: bool = True
    #: the words of messages: device type and profile titles by key
    device_titles: dict[str, str] = field(default_factory=dict)
    profile_titles: dict[str, str] = field(default_factory=dict)

    def feature(self, fid: str, device_type: str | None = None) -> Feature | None:
        if device_type is not None:
            return self.tables.get(device_type, {}).get(fid)
        return next((t[fid] for t in self.tables.values() if fid in t), None)

    def area_title(self, feature: Feature) -> str | None:
        return self.areas[feature.area].title if feature.area in self.areas else None

    def by_profile(self, features: tuple[str, ...], device_type: str | None,
                   titles: dict[str, str]) -> list[tuple[str, list]]:
        """``features`` grouped under "<profile title>" or "<profile title>: <area>", in the table's order;
        ids the table does not know last, alone."""
        table = self.tables.get(device_type or "", {})
        listed = set(features)
        groups: dict[str, list] = {}
        for fid, feature in table.items():
            if fid in listed:
                area = self.area_title(feature)
                profile = titles.get(feature.profile, feature.profile)
                groups.setdefault(f"{profile}: {area}" if area else profile, []).append(feature)
        unknown = [f for f in features if f not in table]
        return list(groups.items()) + ([("", unknown)] if unknown else [])


def read_part5(f: Fields, where: str, m: Mapping, feats: Mapping | None, device_types, profiles: dict,
               title: str, editions: dict) -> tuple[Part5 | None, tuple[bool, bool]]:
    """A version's (or edition's) Part 5: its own ``features.tables``, or another edition's
    (``features.tables_of``, without the profile rule); and which of the two forms it used."""
    part5 = None
    source = f.string(f.get(m, "part5"), f"{where}.part5")
    if f.get(feats, "tables") is not None:
        part5 = read_tables(f, f"{where}.features", feats, device_types, profiles, source or title)
    of = f.string(f.get(feats, "tables_of"), f"{where}.features.tables_of")
    if of is not None:
        other = editions.get(of)
        if other is None or other.part5 is None:
            f.add(f.key_line(feats, "tables_of"), f"{where}.features.tables_of", f"{quote(of)} is not an edition "
                  "with Part 5 tables", "the key of an edition read before this one, with features.tables")
        else:
            part5 = replace(other.part5, check_profiles=False)
    return part5, (f.get(feats, "tables") is not None, of is not None)


def read_tables(f: Fields, where: str, node: Mapping, device_types, profiles: dict, source: str) -> Part5 | None:
    """``features: {tables: {<device type>: {<id>: {...}}}, groups: ..., areas: ...}`` of a version."""
    areas: dict[str, Area] = {}
    am = f.mapping(f.get(node, "areas"), f"{where}.areas", any_keys=True)
    for key, (line, anode) in (am.entries.items() if am else ()):
        awhere = f"{where}.areas.{key}"
        m = f.mapping(anode, awhere, required=("title", "profile"), optional=("feature",))
        title = f.string(f.get(m, "title"), f"{awhere}.title")
        profile = f.choice(f.get(m, "profile"), f"{awhere}.profile", profiles)
        feature = f.string(f.get(m, "feature"), f"{awhere}.feature", pattern=FEATURE_ID,
                           pattern_text="a Part 5 feature id, such as R-0")
        if title and profile:
            areas[key] = Area(key, title, profile, feature)

    tables: dict[str, dict[str, Feature]] = {}
    tm = f.mapping(f.get(node, "tables"), f"{where}.tables", any_keys=True)
    for dtype, (line, tnode) in (tm.entries.items() if tm else ()):
        twhere = f"{where}.tables.{dtype}"
        if dtype not in device_types:
            f.add(line, twhere, "is not a device type", "one of: " + ", ".join(device_types))
            continue
        table: dict[str, Feature] = {}
        rows = f.mapping(tnode, twhere, any_keys=True)
        for fid, (fline, fnode) in (rows.entries.items() if rows else ()):
            feature = _feature(f, f"{twhere}.{fid}", fid, fline, fnode, dtype, profiles, areas)
            if feature is not None:
                table[fid] = feature
        for fid, feature in list(table.items()):
            parent = table.get(feature.parent or "")
            if parent is not None and len(feature.name.split()) <= 2 and feature.context is None:
                table[fid] = replace(feature, context=parent.name)
        for feature in table.values():
            if feature.parent and feature.parent not in table:
                f.add(rows.entries[feature.id][0], f"{twhere}.{feature.id}", f"has no parent {feature.parent}",
                      "a sub-option listed after the feature it belongs to")
            for alternative in feature.needs_one_of:
                for term in alternative:
                    for name in (term if isinstance(term, tuple) else (term,)):
                        if name not in table and name not in profiles:
                            f.add(rows.entries[feature.id][0], f"{twhere}.{feature.id}.needs_one_of",
                                  f"names {name}, which is neither a feature of this table nor a profile",
                                  "feature ids of this table and profile keys")
        tables[dtype] = table

    groups: dict[str, tuple[Group, ...]] = {}
    gm = f.mapping(f.get(node, "groups"), f"{where}.groups", any_keys=True)
    for dtype, (line, gnode) in (gm.entries.items() if gm else ()):
        found = []
        for i, item in enumerate(f.sequence(gnode, f"{where}.groups.{dtype}") or ()):
            gwhere = f"{where}.groups.{dtype}[{i}]"
            m = f.mapping(item, gwhere, required=("title", "rule", "features"))
            title = f.string(f.get(m, "title"), f"{gwhere}.title")
            rule = f.choice(f.get(m, "rule"), f"{gwhere}.rule", ("at-least-one",))
            members = f.string_list(f.get(m, "features"), f"{gwhere}.features", choices=tables.get(dtype, {}))
            if title and rule and members:
                found.append(Group(title, rule, tuple(members)))
        groups[dtype] = tuple(found)
    return Part5(source, tables, groups, areas, True,
                 {k: t.title for k, t in device_types.items()}, {k: p.title for k, p in profiles.items()})


def _feature(f: Fields, where: str, fid: str, line: int, node: Node, dtype: str, profiles: dict,
             areas: dict[str, Area]) -> Feature | None:
    if not FEATURE_ID.match(fid):
        f.add(line, where, "is not a Part 5 feature id", "an id such as C-06 or a sub-option such as C-06.1")
        return None
    m = f.mapping(node, where, required=("name", "profile"),
                  optional=("variable", "area", "support", "suboptions", "needs_one_of", "terms", "context"))
    name = f.string(f.get(m, "name"), f"{where}.name")
    profile = f.choice(f.get(m, "profile"), f"{where}.profile", profiles)
    variable = f.string(f.get(m, "variable"), f"{where}.variable")
    area = f.choice(f.get(m, "area"), f"{where}.area", areas) if f.get(m, "area") is not None else None
    support = f.choice(f.get(m, "support"), f"{where}.support", SUPPORT) if f.get(m, "support") else "optional"
    subs = f.choice(f.get(m, "suboptions"), f"{where}.suboptions", SUBOPTIONS) if f.get(m, "suboptions") else None
    terms = tuple(f.string_list(f.get(m, "terms"), f"{where}.terms") or ())
    context = f.string(f.get(m, "context"), f"{where}.context")
    needs = []
    for i, alt in enumerate(f.sequence(f.get(m, "needs_one_of"), f"{where}.needs_one_of") or ()):
        terms_of = []
        for j, term in enumerate(f.sequence(alt, f"{where}.needs_one_of[{i}]") or ()):
            if isinstance(term, Sequence):
                terms_of.append(tuple(f.string_list(term, f"{where}.needs_one_of[{i}][{j}]") or ()))
            else:
                text = f.string(term, f"{where}.needs_one_of[{i}][{j}]")
                if text:
                    terms_of.append(text)
        needs.append(tuple(terms_of))
    if area is not None and profile is not None and areas[area].profile != profile:
        f.add(f.key_line(m, "area"), f"{where}.area", f"{area} is an area of {areas[area].profile}",
              f"an area of {profile}")
    if m is None or not name or not profile or support is None:
        return None
    return Feature(fid, name, dtype, profile, variable, area, support, subs, tuple(needs), terms, context)


def read_hardware(f: Fields, where: str, node: Node | None, fields_of: dict = HARDWARE_FIELDS) -> dict[str, HardwareFeature]:
    """``hardware_features: {HFS-1: {name, kind, field?, value?}}`` (Part 5, Appendix B)."""
    out: dict[str, HardwareFeature] = {}
    m = f.mapping(node, where, any_keys=True) if node is not None else None
    for hid, (line, hnode) in (m.entries.items() if m else ()):
        hwhere = f"{where}.{hid}"
        if not HFS_ID.match(hid):
            f.add(line, hwhere, "is not a hardware feature id", "an id such as HFS-3")
            continue
        hm = f.mapping(hnode, hwhere, required=("name", "kind"), optional=("field", "value"))
        name = f.string(f.get(hm, "name"), f"{hwhere}.name")
        kind = f.choice(f.get(hm, "kind"), f"{hwhere}.kind", HARDWARE_KINDS)
        fname = f.choice(f.get(hm, "field"), f"{hwhere}.field", fields_of) if f.get(hm, "field") else None
        value = f.string(f.get(hm, "value"), f"{hwhere}.value")
        if value is not None and fname is not None and value not in fields_of[fname]:
            f.add(f.key_line(hm, "value"), f"{hwhere}.value", f"{quote(value)} is not a value of {fname}",
                  "one of: " + ", ".join(fields_of[fname]))
        if name and kind:
            out[hid] = HardwareFeature(hid, name, kind, fname, value)
    return out
