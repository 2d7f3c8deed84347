"""A record's ``features`` and ``device.hardware.hfs`` against the program: the 1.6 functionalities by
name, and the OCA's Part 5 tables (:mod:`.part5`) for 2.0.1 and 2.1.

Errors, each on the feature's own line: an id not in the version's tables, a sub-option that does not
exist, a feature of the other device type, a feature of a profile (or a 2.1 feature area) the certificate
does not hold, a feature whose condition Part 5 states (``needs_one_of``) is not met. Warnings, on full
records only: a group rule of Part 5 the listed features do not meet (``docs/program-file.md`` says why).
"""

from __future__ import annotations

from .fields import Fields, quote
from .part5 import FEATURE_ID, Feature, HardwareFeature, Part5

def check_features(f: Fields, part5: Part5, version_title: str, items: list[str], lines: list[int],
                   node_line: int, device_type: str | None, profiles: tuple[str, ...], full: bool) -> bool:
    """Apply Part 5 to a record's ``features``; False when one of them cannot be a feature of this record.

    Errors, each on the feature's own line: an id not in the version's tables, a sub-option that does not
    exist, a feature of the other device type, a feature of a profile (or a 2.1 feature area) the
    certificate does not hold, a feature whose condition (``needs_one_of``) is not met. Warnings, on full
    records only: a group rule of Part 5 that the listed features do not meet."""
    ok = True
    listed = set(items)
    table = part5.tables.get(device_type or "", {})

    def kind(key: str | None) -> str:
        title = part5.device_titles.get(key or "", key or "device")
        return title if title.isupper() else title.lower()

    other = {t: tab for t, tab in part5.tables.items() if t != device_type}
    for index, fid in enumerate(items):
        name, line = f"features[{index}]", lines[index]
        feature = table.get(fid)
        if feature is None:
            ok = False
            elsewhere = next((tab[fid] for tab in other.values() if fid in tab), None)
            parent = fid.rpartition(".")[0]
            if elsewhere is not None:
                f.add(line, name, f"{fid} ({elsewhere.title}) is a feature of a {kind(elsewhere.device_type)}, "
                      f"not of a {kind(device_type)}",
                      f"the features of {part5.source} for a {kind(device_type)}")
            elif parent and parent in table:
                subs = [k for k in table if k.startswith(parent + ".")]
                f.add(line, name, f"{fid} is not a sub-option of {parent} ({table[parent].title}) in {part5.source}",
                      ("one of its sub-options: " + ", ".join(subs)) if subs else f"{parent}: it has no sub-options")
            elif not FEATURE_ID.match(fid):
                f.add(line, name, f"{quote(fid)} is not a Part 5 feature id",
                      "an id such as C-06 or a sub-option such as C-06.1, as Part 5 writes it")
            else:
                f.add(line, name, f"{fid} is not an optional feature of {version_title} in {part5.source}",
                      f"an id of its table for a {kind(device_type)}, such as {next(iter(table), 'C-01')}")
            continue
        if part5.check_profiles and feature.profile not in profiles:
            ok = False
            f.add(line, name, f"{fid} ({feature.title}) is a feature of {part5.profile_titles.get(feature.profile, feature.profile)}, "
                  "which this certificate does not hold",
                  f"the profile {feature.profile} in profiles, or no {fid}")
            continue
        area = part5.areas.get(feature.area or "")
        if area is not None and area.feature and area.feature != fid and area.feature not in listed:
            ok = False
            needed = table.get(area.feature)
            f.add(line, name, f"{fid} ({feature.title}) is a feature of {area.title}, which needs "
                  f"{area.feature}" + (f" ({needed.title})" if needed else ""),
                  f"{area.feature} listed too, or no {fid}")
            continue
        if feature.needs_one_of and not any(_holds(alt, listed, profiles) for alt in feature.needs_one_of):
            ok = False
            f.add(line, name, f"{fid} ({feature.title}) is listed without what Part 5 makes it depend on",
                  "at least one of: " + "; ".join(_says(alt, table, part5) for alt in feature.needs_one_of))
    if ok and full:
        for index, fid in enumerate(items):
            feature = table[fid]
            if feature.suboptions == "at-least-one" and not any(k.startswith(fid + ".") for k in listed):
                subs = [k for k in table if k.startswith(fid + ".")]
                f.add(lines[index], f"features[{index}]",
                      f"{fid} ({feature.title}) is listed without any of its sub-options",
                      f"at least one of {', '.join(subs)} (Part 5: at least one is required)", warning=True)
        for group in part5.groups.get(device_type or "", ()):
            if group.rule == "at-least-one" and items and not listed & set(group.features) \
                    and all(table[g].profile in profiles for g in group.features):
                f.add(node_line, "features", f"none of the {group.title.lower()} ({', '.join(group.features)}) "
                      "is listed", "at least one of them (Part 5: mandatory to support at least one)",
                      warning=True)
    return ok


def _holds(alternative, listed: set[str], profiles: tuple[str, ...]) -> bool:
    for term in alternative:
        if isinstance(term, tuple):
            if not listed & set(term):
                return False
        elif term not in listed and term not in profiles:
            return False
    return True


def _says(alternative, table: dict[str, Feature], part5: Part5) -> str:
    words = []
    for term in alternative:
        if isinstance(term, tuple):
            words.append("one of " + " or ".join(term))
        elif term in table:
            words.append(term)
        else:
            words.append(f"the profile {part5.profile_titles.get(term, term)}")
    return " and ".join(words)


def check_hardware(f: Fields, hardware: dict[str, HardwareFeature], node, items: list[str], lines: list[int],
                   values: dict[str, tuple[str, ...] | str | None], version_title: str) -> tuple[str, ...] | None:
    """``device.hardware.hfs``: the yes/no hardware features (Part 5 Table 4) a charging station has.

    An id must be a yes/no feature of the version's Table 4 (the others are the fields evse,
    communication and rfid, or stated in the certificate document); one told by a field (HFS-1: a
    socket, HFS-2: a fixed cable) must agree with that field both ways."""
    ok = True
    for index, hid in enumerate(items):
        name, line = f"device.hardware.hfs[{index}]", lines[index]
        feature = hardware.get(hid)
        if feature is None:
            f.add(line, name, f"{quote(hid)} is not a hardware feature of {version_title}'s Part 5 (Table 4)",
                  "one of: " + ", ".join(k for k, v in hardware.items() if v.kind == "yes-no"))
            ok = False
        elif feature.kind == "field":
            f.add(line, name, f"{hid} ({feature.name}) is stated by device.hardware.{feature.field}",
                  f"device.hardware.{feature.field}, not {hid} in hfs")
            ok = False
        elif feature.kind == "document":
            f.add(line, name, f"{hid} ({feature.name}) is a value, not a yes/no feature",
                  "the yes/no features of Table 4; this one is stated in the certificate document")
            ok = False
    if not ok:
        return None
    for feature in hardware.values():
        if feature.kind != "yes-no" or feature.field is None:
            continue
        has = feature.value in (values.get(feature.field) or ())
        if has != (feature.id in items):
            f.add(node.line, "device.hardware.hfs",
                  f"{feature.id} ({feature.name}) is {'not ' if has else ''}listed, but device.hardware."
                  f"{feature.field} {'includes' if has else 'does not include'} {feature.value}",
                  f"{feature.id} in hfs exactly when {feature.field} includes {feature.value}")
            ok = False
    return tuple(items) if ok else None


def read_features(f: Fields, top, version, profiles: tuple[str, ...], device_type: str | None,
                  listing: bool) -> tuple[str, ...]:
    """A record's ``features``: checked against the version's Part 5 tables, or its known functionalities
    (1.6) or identifier pattern; () when they cannot be read."""
    node = f.get(top, "features")
    needed_by = [p for p in profiles if version.profiles[p].features_required and not listing]
    if node is None:
        if needed_by:
            f.add(top.line, "features", "is missing",
                  f"the optional functionalities the laboratory confirmed; required with {needed_by[0]}")
        return ()
    items = f.string_list(node, "features", non_empty=bool(needed_by), max_len=60)
    if items is None:
        return ()
    if version.part5 is not None:
        # a required profile left out is reported on the profiles line, not again on each of its features
        held = tuple(dict.fromkeys((*profiles, *version.required_profiles)))
        ok = check_features(f, version.part5, version.title, items, _item_lines(node, items), node.line,
                            device_type, held, full=not listing)
        return tuple(items) if ok else ()
    ok = True
    for index, item in enumerate(items):
        name = f"features[{index}]"
        item_line = node.items[index].line if index < len(node.items) else node.line
        if version.known_features is not None and item not in version.known_features:
            f.add(item_line, name, f"{quote(item)} is not an {version.title} functionality",
                  "one of: " + ", ".join(version.known_features))
            ok = False
        elif version.feature_pattern is not None and not version.feature_pattern.fullmatch(item):
            f.add(item_line, name, f"{quote(item)} is not a PICS feature identifier",
                  f"an identifier such as {version.feature_example}")
            ok = False
    if not ok:
        return ()
    for key in profiles:
        profile = version.profiles[key]
        if profile.features_all_known and version.known_features is not None:
            missing = [k for k in version.known_features if k not in items]
            if missing:
                f.add(node.line, "features", f"{', '.join(missing)} missing for {key}",
                      f"{profile.title} needs all of: {', '.join(version.known_features)}")
        for must in profile.features_must_include:
            if must not in items:
                f.add(node.line, "features", f"{must} missing for {key}", f"{profile.title} always includes {must}")
    return tuple(items)


def read_hfs(f: Fields, hardware, version, values: dict) -> tuple[str, ...] | None:
    """``device.hardware.hfs``: Part 5's yes/no hardware features, for a version whose Part 5 has them;
    () when absent, None when wrong."""
    node = f.get(hardware, "hfs")
    if node is None:
        return ()
    if version is None:
        return None
    if not version.hardware_features:
        f.add(node.line, "device.hardware.hfs", f"is given for {version.title}",
              "no hfs: Part 5's hardware feature ids are those of OCPP versions whose Part 5 has them")
        return None
    items = f.string_list(node, "device.hardware.hfs", max_len=20)
    if items is None:
        return None
    return check_hardware(f, version.hardware_features, node, items, _item_lines(node, items), values,
                          version.title)


def _item_lines(node, items: list[str]) -> list[int]:
    """The line of each item read from a list (repeats were dropped, so items are matched by value)."""
    by_value: dict[str, int] = {}
    for item in node.items:
        value = getattr(item, "value", None)
        if value is not None and value not in by_value:
            by_value[value] = item.line
    return [by_value.get(item, node.line) for item in items]
