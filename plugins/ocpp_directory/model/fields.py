"""Typed reads from the positioned tree, each failure a :class:`Problem`.

Every getter returns the value, or ``None`` after recording why it could not.
Callers then check the meaning (which profiles, which dates) and never have to
repeat how a wrong YAML type is explained.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from urllib.parse import urlsplit
from collections.abc import Iterable

from .errors import Problem
from .loader import Mapping, Node, Scalar, Sequence
from .text import BIDI_CONTROLS

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

_READ_AS = {
    "int": "a number",
    "float": "a number",
    "bool": "a yes/no value (YAML 1.1 reads it as true or false)",
    "null": "empty (null)",
    "timestamp": "a date",
    "merge": "a YAML merge key",
    "value": "a YAML value key",
    "alias": "an alias",
}


def describe(node: Node) -> str:
    if isinstance(node, Mapping):
        return "a mapping"
    if isinstance(node, Sequence):
        return "a list"
    return _READ_AS.get(node.kind, node.kind)


def quote(text: str) -> str:
    """A value as it would be written, quoted, in a record (for messages)."""
    short = text if len(text) <= 60 else text[:57] + "..."
    return '"' + short.replace("\\", "\\\\").replace('"', '\\"') + '"'


def join(parent: str, name: str) -> str:
    name = name or '""'  # an empty key must still be named in the message
    return name if parent in ("", "record") else f"{parent}.{name}"


class Fields:
    """Collects problems for one file while values are read from its tree."""

    def __init__(self, path: str, problems: list[Problem] | None = None):
        self.path = path
        self.problems: list[Problem] = [] if problems is None else problems

    # -- reporting -----------------------------------------------------------
    def add(self, line: int, field: str, wrong: str, expected: str, *, warning: bool = False) -> None:
        self.problems.append(Problem(self.path, line, field, wrong, expected, warning))

    # -- structure -----------------------------------------------------------
    def mapping(
        self,
        node: Node | None,
        field: str,
        *,
        required: Iterable[str] = (),
        optional: Iterable[str] = (),
        any_keys: bool = False,
    ) -> Mapping | None:
        """The node as a mapping with only the keys named (unless ``any_keys``)."""
        if node is None or _reported(node):
            return None
        if not isinstance(node, Mapping):
            self.add(node.line, field, f"is {describe(node)}", "a mapping of fields")
            return None
        required = tuple(required)
        allowed = set(required) | set(optional)
        for key, (line, _) in node.entries.items():
            if key not in allowed and not any_keys:
                known = ", ".join(sorted(allowed))
                hint = _did_you_mean(key, allowed)
                self.add(line, join(field, key), "unknown field" + hint, f"one of: {known}")
        for key in required:
            if key not in node.entries:
                self.add(node.line, join(field, key), "is missing", "this field is required")
        return node

    def get(self, mapping: Mapping | None, key: str) -> Node | None:
        if mapping is None or key not in mapping.entries:
            return None
        return mapping.entries[key][1]

    def key_line(self, mapping: Mapping | None, key: str, default: int = 1) -> int:
        if mapping is None:
            return default
        if key in mapping.entries:
            return mapping.entries[key][0]
        return mapping.line

    # -- scalars -------------------------------------------------------------
    def string(
        self,
        node: Node | None,
        field: str,
        *,
        max_len: int | None = None,
        pattern: re.Pattern[str] | None = None,
        pattern_text: str = "",
        must_quote: bool = False,
        multiline: bool = False,
    ) -> str | None:
        if node is None or _reported(node):
            return None
        if not isinstance(node, Scalar) or node.kind == "alias":
            self.add(node.line, field, f"is {describe(node)}", "a single text value")
            return None
        if node.kind != "str":
            self.add(
                node.line,
                field,
                f"{node.value or '(nothing)'} is read as {describe(node)}",
                f"a string: quote it, {field.rsplit('.', 1)[-1]}: {quote(node.value)}"
                if node.value
                else "a non-empty value",
            )
            return None
        if must_quote and not node.quoted:
            self.add(
                node.line,
                field,
                f"{node.value} is not quoted",
                f"a quoted string, so that YAML never reads it as a number: {quote(node.value)}",
            )
            return None
        value = node.value.strip()
        if not value:
            self.add(node.line, field, "is empty", "a non-empty value")
            return None
        if _has_control(value):
            self.add(node.line, field, "contains a control character", "plain text")
            return None
        if not multiline and any(c in value for c in "\n\u2028\u2029\x85"):
            self.add(node.line, field, "spans several lines", "a value on one line")
            return None
        control = BIDI_CONTROLS.search(value)
        if control:
            code = f"U+{ord(control.group()):04X}"
            self.add(node.line, field, f"contains the invisible direction control {code}, which can make text "
                     "show in a misleading order", f"plain text; the site shows it as [{code}]", warning=True)
        if max_len is not None and len(value) > max_len:
            self.add(node.line, field, f"is {len(value)} characters long", f"at most {max_len} characters")
            return None
        if pattern is not None and not pattern.fullmatch(value):
            self.add(node.line, field, f"{quote(value)} is not valid", pattern_text)
            return None
        return value

    def choice(self, node: Node | None, field: str, choices: Iterable[str]) -> str | None:
        choices = list(choices)
        value = self.string(node, field)
        if value is None:
            return None
        if value not in choices:
            hint = _did_you_mean(value, choices)
            self.add(node.line, field, f"{quote(value)} is not allowed{hint}", "one of: " + ", ".join(choices))
            return None
        return value

    def date(self, node: Node | None, field: str) -> dt.date | None:
        if node is None or _reported(node):
            return None
        if not isinstance(node, Scalar) or node.kind not in ("str", "timestamp"):
            self.add(node.line, field, f"is {describe(node)}", "a date as YYYY-MM-DD")
            return None
        value = node.value.strip()
        if not _DATE.match(value):
            self.add(node.line, field, f"{quote(value)} is not a date", "a date as YYYY-MM-DD")
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            self.add(node.line, field, f"{value} is not a day of the calendar", "a real date as YYYY-MM-DD")
            return None

    def integer(self, node: Node | None, field: str, *, minimum: int | None = None) -> int | None:
        if node is None or _reported(node):
            return None
        if not isinstance(node, Scalar) or node.kind != "int" or not re.fullmatch(r"[0-9]+|-[0-9]+", node.value):
            shown = node.value if isinstance(node, Scalar) else describe(node)
            why = "is quoted" if isinstance(node, Scalar) and node.quoted else f"is {describe(node)}"
            self.add(node.line, field, f"{quote(shown) if isinstance(node, Scalar) else shown} {why}",
                     "a whole number written without quotes")
            return None
        value = int(node.value)
        if minimum is not None and value < minimum:
            self.add(node.line, field, f"{value} is below {minimum}", f"a whole number >= {minimum}")
            return None
        return value

    def flag(self, m: Mapping | None, key: str, where: str) -> bool:
        """``key`` of ``m`` as true or false, written without quotes (False when absent)."""
        node = self.get(m, key)
        if node is None:
            return False
        if getattr(node, "kind", None) != "bool" or getattr(node, "quoted", True):
            self.add(node.line, f"{where}.{key}", "is not true or false", "true or false, without quotes")
            return False
        return node.value.lower() in ("true", "yes", "on")

    def number(self, node: Node | None, field: str) -> str | None:
        """A finite number; returned as written, so the site shows it unchanged."""
        if node is None or _reported(node):
            return None
        ok = (
            isinstance(node, Scalar)
            and node.kind in ("int", "float")
            and re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", node.value)
        )
        if not ok or not math.isfinite(float(node.value)):
            shown = quote(node.value) if isinstance(node, Scalar) else describe(node)
            self.add(node.line, field, f"{shown} is not a plain number",
                     "a number such as 41 or 0.5, without quotes")
            return None
        return node.value

    # -- lists ---------------------------------------------------------------
    def sequence(self, node: Node | None, field: str, *, non_empty: bool = True) -> list[Node] | None:
        if node is None or _reported(node):
            return None
        if not isinstance(node, Sequence):
            self.add(node.line, field, f"is {describe(node)}", "a list, such as [a, b]")
            return None
        if non_empty and not node.items:
            self.add(node.line, field, "is an empty list", "at least one item")
            return None
        return node.items

    def unique(self, items: list[tuple[Node, object]], field: str) -> list:
        """Drop repeats (reporting each); keep the first of each value."""
        seen: dict[object, int] = {}
        out = []
        for index, (node, value) in enumerate(items):
            if value in seen:
                self.add(node.line, f"{field}[{index}]", f"{value} is listed twice", "each item once")
                continue
            seen[value] = index
            out.append(value)
        return out

    def string_list(
        self,
        node: Node | None,
        field: str,
        *,
        choices: Iterable[str] | None = None,
        non_empty: bool = True,
        max_len: int | None = None,
    ) -> list[str] | None:
        items = self.sequence(node, field, non_empty=non_empty)
        if items is None:
            return None
        choices = list(choices) if choices is not None else None

        def read(item: Node, name: str) -> str | None:
            if choices is not None:
                return self.choice(item, name, choices)
            return self.string(item, name, max_len=max_len)

        return self._each(items, field, read)

    def int_list(self, node: Node | None, field: str, *, choices: Iterable[int]) -> list[int] | None:
        items = self.sequence(node, field)
        if items is None:
            return None
        choices = list(choices)

        def read(item: Node, name: str) -> int | None:
            value = self.integer(item, name)
            if value is not None and value not in choices:
                self.add(item.line, name, f"{value} is not allowed", "one of: " + ", ".join(map(str, choices)))
                return None
            return value

        return self._each(items, field, read)

    def _each(self, items: list[Node], field: str, read) -> list | None:
        """Read every item (``field[i]``); repeats reported and dropped; None if any item was bad."""
        values: list[tuple[Node, object]] = []
        ok = True
        for index, item in enumerate(items):
            value = read(item, f"{field}[{index}]")
            if value is None:
                ok = False
            else:
                values.append((item, value))
        result = self.unique(values, field)
        return result if ok else None


def _reported(node: Node) -> bool:
    """An alias stands in the tree as a placeholder; the loader already reported it."""
    return isinstance(node, Scalar) and node.kind == "alias"


def _has_control(value: str) -> bool:
    return any((ord(c) < 32 and c not in "\n\t") or 0x7F <= ord(c) < 0xA0 for c in value)


def _did_you_mean(value: str, candidates: Iterable[str]) -> str:
    import difflib

    close = difflib.get_close_matches(value, list(candidates), n=1, cutoff=0.75)
    return f" (did you mean '{close[0]}'?)" if close else ""


def is_https_url(value: str) -> bool:
    """An https:// address with a host name, no spaces, quotes or angle brackets."""
    if any(c.isspace() for c in value) or '"' in value or "<" in value or ">" in value:
        return False
    try:
        parts = urlsplit(value)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        return False
    return parts.scheme == "https" and bool(parts.hostname) and "." in parts.hostname and port_ok
