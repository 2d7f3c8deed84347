"""Certificate numbers: the formats of the program file (``numbering``), as regular expressions.

``OCA.{version}.{sequence}.{type}``: ``{version}`` is a version's ``number``
(0016), ``{type}`` a device type's ``number_suffix`` (CS, CSMS); a white label is
``W{label}.{original}``. :mod:`.records` checks a record's number against its
ocpp_version, device.type and white_label_of.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .fields import Fields

@dataclass(frozen=True, slots=True)
class Numbering:
    """The certificate number formats (program file, ``numbering``), as regular expressions."""

    #: an OCA number: version number, sequence, device-type suffix
    oca: re.Pattern[str] | None
    #: a white label's number: its label number, and the original's number
    white_label: re.Pattern[str] | None
    #: other accepted numbers (version 1 of the record format), with no parts to check
    other: tuple[re.Pattern[str], ...]
    example: str
    white_label_example: str
    #: the format's text (``OCA.{version}.{sequence}.{type}``) and the sequence's digits
    template: str = ""
    digits: int = 4

    def number(self, version: str, sequence: int, suffix: str) -> str:
        """The OCA number of these parts, as the program's format writes it."""
        return self.template.format(version=version, sequence=str(sequence).zfill(self.digits), type=suffix)

    def accepts(self, number: str) -> bool:
        return any(p is not None and p.fullmatch(number) for p in (self.oca, self.white_label, *self.other))

    def json_pattern(self) -> str:
        """One pattern accepting every format (for the JSON Schema: no named groups)."""
        parts = [p.pattern.removeprefix("^").removesuffix("$") for p in (self.oca, self.white_label, *self.other)
                 if p is not None]
        return "^(?:" + "|".join(re.sub(r"\?P<\w+>", "", part) for part in parts) + ")$"


LEGACY_NUMBER = r"^[A-Z0-9][A-Z0-9-]{2,39}$"



SUFFIX = re.compile(r"^[A-Z]{1,8}$")
_PLACE = re.compile(r"\{(\w+)\}")


def _template(f: Fields, node, where: str, parts: dict[str, str]) -> re.Pattern[str] | None:
    """A number template such as ``OCA.{version}.{sequence}.{type}`` as an anchored regular expression;
    each ``{name}`` stands for ``parts[name]`` (a named group), the rest for itself."""
    text = f.string(node, where)
    if text is None:
        return None
    out, at = [], 0
    for m in _PLACE.finditer(text):
        out.append(re.escape(text[at:m.start()]))
        if m.group(1) not in parts:
            f.add(node.line, where, f"{{{m.group(1)}}} is not a part of a number", "{" + "}, {".join(parts) + "}")
            return None
        out.append(f"(?P<{m.group(1)}>{parts[m.group(1)]})")
        at = m.end()
    out.append(re.escape(text[at:]))
    return re.compile("^" + "".join(out) + "$")


def read_numbering(f: Fields, node, device_types: dict, versions: dict) -> Numbering | None:
    """The program file's ``numbering``: the formats as expressions over the versions' numbers and the
    device types' suffixes."""
    if node is None:
        return None
    where = "numbering"
    m = f.mapping(node, where, required=("format", "sequence_digits", "example"),
                  optional=("white_label", "label_digits", "white_label_example", "also"))
    if m is None:
        return None
    digits = f.integer(f.get(m, "sequence_digits"), f"{where}.sequence_digits", minimum=1) or 4
    label_digits = f.integer(f.get(m, "label_digits"), f"{where}.label_digits", minimum=1) or 2
    suffixes = sorted((t.number_suffix for t in device_types.values() if t.number_suffix), key=lambda x: (-len(x), x))
    numbers = sorted({v.number for v in versions.values() if v.number})
    parts = {"version": "|".join(map(re.escape, numbers)) or "[0-9]{4}", "sequence": f"[0-9]{{{digits}}}",
             "type": "|".join(suffixes) or "[A-Z]+"}
    oca = _template(f, f.get(m, "format"), f"{where}.format", parts)
    white = None
    if oca is not None and f.get(m, "white_label") is not None:
        original = oca.pattern.removeprefix("^").removesuffix("$")
        white = _template(f, f.get(m, "white_label"), f"{where}.white_label",
                          {"label": f"[0-9]{{{label_digits}}}", "original": original})
    other = []
    for i, text in enumerate(f.string_list(f.get(m, "also"), f"{where}.also") or ()):
        try:
            other.append(re.compile(text))
        except re.error as exc:
            f.add(f.key_line(m, "also"), f"{where}.also[{i}]", f"is not a regular expression: {exc}",
                  "a Python regular expression")
    example = f.string(f.get(m, "example"), f"{where}.example") or ""
    white_example = f.string(f.get(m, "white_label_example"), f"{where}.white_label_example") or ""
    numbering = Numbering(oca, white, tuple(other), example, white_example, f.string(f.get(m, "format"), where) or "",
                          digits)
    for key, text in (("example", example), ("white_label_example", white_example)):
        if text and not numbering.accepts(text):
            f.add(f.key_line(m, key), f"{where}.{key}", f"{text} is not a number of these formats",
                  "an example the formats accept")
    return numbering


def number_text(n: Numbering) -> str:
    """What a certificate number looks like, for messages."""
    return ("an OCA certificate number such as " + n.example
            + (f", or {n.white_label_example} for a white label" if n.white_label_example else ""))


def check_number(f: Fields, program, line: int, cid: str | None, version, device_type: str | None,
                 white_label_of: str | None) -> None:
    """An OCA number's parts against the record: its version, its device type, its original."""
    n = program.numbering
    if cid is None:
        return
    white = n.white_label.fullmatch(cid) if n.white_label is not None else None
    parts = white or (n.oca.fullmatch(cid) if n.oca is not None else None)
    if parts is None:
        return
    if white is not None and white_label_of != white.group("original"):
        f.add(line, "id", f"{cid} is a white label's number, of {white.group('original')}",
              f"white_label_of: {white.group('original')}" + (
                  f" (it says {white_label_of})" if white_label_of else ""))
    if version is not None and version.number and parts.group("version") != version.number:
        other = [v.key for v in program.versions.values() if v.number == parts.group("version")]
        f.add(line, "id", f"{cid} is numbered as an OCPP {other[0] if other else '?'} certificate "
                          f"({parts.group('version')})", f"ocpp_version {version.key} numbers {version.number}")
    suffix = program.device_types[device_type].number_suffix if device_type else None
    if suffix and parts.group("type") != suffix:
        title = program.device_types[device_type].title
        f.add(line, "id", f"{cid} ends in .{parts.group('type')}, the number of another device type",
              f"a {title} is numbered ...{'.' + suffix}")
