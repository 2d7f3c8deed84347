"""The facets: which values each certificate holds, and each facet's file of them."""

from __future__ import annotations

from ...model.directory import Directory
from ...model.records import Certificate
from ..i18n import N_


class Facets:
    """Facet values for each certificate, dictionary-encoded for a small store."""

    #: key, label, shown in the URL as ?key=value
    KEYS = (
        ("ocpp", N_("OCPP version")),
        ("type", N_("Device type")),
        ("profile", N_("Certification profile")),
        ("lab", N_("Test laboratory")),
        ("feature", N_("Optional features")),
        ("evse", N_("EVSE")),
        ("connection", N_("Connection")),
        ("rfid", N_("RFID readers")),
        ("comm", N_("Communication")),
        ("country", N_("Vendor country")),
        ("year", N_("Year issued")),
    )

    def __init__(self, directory: Directory, hardware_words: dict[str, str]):
        self.directory = directory
        self.words = hardware_words
        #: per facet (in KEYS order): value -> label
        self.labels: list[dict[str, str]] = [{} for _ in self.KEYS]
        self._prefixed: dict[tuple, tuple[str, ...]] = {}

    def of(self, cert: Certificate) -> tuple[tuple[str, ...], ...]:
        """The values of each facet (in KEYS order) for one certificate; their labels are noted."""
        hw = cert.hardware
        version = cert.ocpp_version
        values = (
            (version,),
            (cert.device_type,),
            self._prefix(version, cert.profiles),
            (cert.laboratory,) if cert.laboratory else (),
            self._prefix(version, cert.features),
            (hw.evse,) if hw else (),
            tuple(hw.connection) if hw else (),
            (hw.rfid,) if hw else (),
            tuple(hw.communication) if hw else (),
            (cert.vendor_country,),
            (str(cert.issued.year),),
        )
        for facet, held in enumerate(values):
            labels = self.labels[facet]
            for value in held:
                if value not in labels:
                    labels[value] = self._label(facet, value, cert)
        return values

    def _prefix(self, version: str, names) -> tuple[str, ...]:
        """Profile or feature names as facet values: "<version>:<name>" (made once per list)."""
        key = (version, *names)
        found = self._prefixed.get(key)
        if found is None:
            found = self._prefixed[key] = tuple(f"{version}:{name}" for name in names)
        return found

    def _label(self, facet: int, value: str, cert: Certificate) -> str:
        program = self.directory.program
        key = self.KEYS[facet][0]
        if key == "ocpp":
            return program.versions[value].title
        if key == "type":
            return program.device_types[value].title
        if key in ("profile", "feature"):
            version = program.rules_of(cert)
            name = value.split(":", 1)[1]
            if key == "profile":
                profile = version.profile(name)
                return f"{profile.title} ({profile.short})" if profile.short and len(profile.short) <= 2 else profile.title
            found = version.feature(name)  # Part 5's id and name, without the context a page adds
            return f"{found.id} {found.title} ({version.title})" if found else f"{version.feature_title(name)} ({version.title})"
        if key == "lab":
            return program.laboratories[value].name
        if key == "country":
            return cert.country_name
        if key == "year":
            return value
        return self.words[value]


def _order(key: str, values: dict[str, str], program) -> list[str]:
    """The order a facet lists its values in: the program's order, else by label."""
    if key == "year":
        return sorted(values, reverse=True)
    if key in ("ocpp",):
        return [v for v in program.versions if v in values]
    if key in ("profile", "feature"):
        order = []
        for version in program.versions.values():
            names = version.all_profiles() if key == "profile" else (
                version.known_features or dict.fromkeys(fid for table in (version.part5.tables.values()
                                                                          if version.part5 else ())
                                                        for fid in table))
            order += [f"{version.key}:{n}" for n in names if f"{version.key}:{n}" in values]
            order += sorted(v for v in values if v.startswith(version.key + ":") and v not in order)
        return order
    return sorted(values, key=lambda v: (values[v].casefold(), v))



#: 64 characters that need no escaping in JSON: a facet column's digits
DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_"


def _facet_column(column: list[tuple[str, ...]], position: dict[str, int]) -> dict:
    """One facet's values for every document, as a string of base-64 digits.

    Each value is its position in the facet's list, in ``width`` digits. A facet of which a
    document holds at most one value ("one") stores that position plus one (0: none); otherwise
    ("many") a document's entry is how many values it holds, in one digit, then their positions
    in order. Documents share few distinct sets of values: each set is spelled once."""
    distinct = set(column)
    one = all(len(v) <= 1 for v in distinct)
    width = 1
    while 64 ** width < len(position) + 1:
        width += 1
    if not one and max(len(v) for v in distinct) >= 64:
        raise ValueError("a document holds 64 or more values of one facet")

    def digits(number: int) -> str:
        out = []
        for _ in range(width):
            number, digit = divmod(number, 64)
            out.append(DIGITS[digit])
        return "".join(reversed(out))

    spelled: dict[tuple[str, ...], str] = {}
    for values in distinct:
        positions = sorted(position[v] for v in values)
        if one:
            spelled[values] = digits(positions[0] + 1 if positions else 0)
        else:
            spelled[values] = DIGITS[len(positions)] + "".join(digits(p) for p in positions)
    return {"kind": "one" if one else "many", "width": width, "documents": "".join(map(spelled.__getitem__, column))}
