"""Read one record file into a tree of positioned nodes, refusing YAML traps.

PyYAML's constructors are never used: they turn ``1.10`` into a float, ``NO``
into ``False`` and ``!!python/object`` into a call. We read the parser's event
stream instead and build our own small tree, in which every scalar stays the
text that was written, remembers whether it was quoted and what YAML 1.1 would
have made of it, and every node knows its line. Anchors, aliases, tags,
duplicate keys and extra documents are refused from the events, before any
tree exists, so an alias bomb costs nothing and a tag never constructs or runs
anything. The builder is iterative and depth-limited: no input can exhaust the
stack or hang it.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Union

import yaml
from yaml.resolver import Resolver

from .errors import Problem

MAX_BYTES = 256 * 1024
MAX_DEPTH = 20
#: scalars this short are interned: one string for a field name or coded value in every record (at
#: 30,000 records their 900,000 copies held 53 MB, docs/scaling.md)
INTERN_UP_TO = 40

try:  # libyaml is ~10x faster; the pure-Python parser gives the same events.
    _Parser = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - wheels always ship libyaml
    _Parser = yaml.SafeLoader

_resolver = Resolver()


@dataclass(slots=True)
class Scalar:
    value: str
    line: int
    quoted: bool
    #: what YAML 1.1 would have read a plain scalar as: str, int, float, bool,
    #: null, timestamp, merge, value... Always "str" when quoted.
    kind: str


@dataclass(slots=True)
class Sequence:
    line: int
    items: list[Node] = field(default_factory=list)


@dataclass(slots=True)
class Mapping:
    line: int
    #: key -> (line of the key, value node), in file order
    entries: dict[str, tuple[int, Node]] = field(default_factory=dict)


Node = Union[Scalar, Sequence, Mapping]


def scalar_kind(value: str, quoted: bool) -> str:
    if quoted:
        return "str"
    tag = _resolver.resolve(yaml.ScalarNode, value, (True, False))
    return tag.rsplit(":", 1)[-1]


def count_lines(text: str) -> int:
    """Lines an editor shows for ``text`` (an empty file shows one)."""
    if not text:
        return 1
    return text.count("\n") + (0 if text.endswith("\n") else 1)


class _Abort(Exception):
    """Stop reading this file: what follows cannot be trusted."""


class _Reader:
    def __init__(self, path: str, text: str):
        self.path = path
        self.text = text
        self.last_line = count_lines(text)
        self.problems: list[Problem] = []

    def line(self, mark: yaml.Mark | None) -> int:
        """A 1-based line number that exists in the file."""
        if mark is None:
            return 1
        return min(max(mark.line + 1, 1), self.last_line)

    def problem(self, line: int, where: str, wrong: str, expected: str) -> None:
        self.problems.append(Problem(self.path, line, where, wrong, expected))

    def read(self) -> Node | None:
        events = yaml.parse(self.text, Loader=_Parser)
        root: Node | None = None
        # Each open container: (node, dotted field name, pending key or None)
        stack: list[list] = []
        documents = 0
        try:
            for event in events:
                if isinstance(event, yaml.DocumentStartEvent):
                    documents += 1
                    if documents > 1:
                        self.problem(
                            self.line(event.start_mark),
                            "file",
                            "a second YAML document starts here",
                            "exactly one record per file, with no '---' after it",
                        )
                        raise _Abort
                    continue
                if isinstance(
                    event,
                    (yaml.StreamStartEvent, yaml.StreamEndEvent, yaml.DocumentEndEvent),
                ):
                    continue
                if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                    node, _, _ = stack.pop()
                    if not stack:
                        root = node
                    continue

                line = self.line(event.start_mark)
                where = self._where(stack)
                if isinstance(event, yaml.AliasEvent):
                    self.problem(
                        line,
                        where,
                        f"alias '*{event.anchor}' used",
                        "write the value out in full: anchors and aliases are not allowed",
                    )
                    node: Node = Scalar("", line, True, "alias")
                else:
                    if event.anchor is not None:
                        self.problem(
                            line,
                            where,
                            f"anchor '&{event.anchor}' used",
                            "write the value out in full: anchors and aliases are not allowed",
                        )
                    tag = getattr(event, "tag", None)
                    if tag is not None:
                        self.problem(
                            line,
                            where,
                            f"YAML tag '{tag}' used",
                            "plain values only: tags are not allowed",
                        )
                    if isinstance(event, yaml.ScalarEvent):
                        quoted = event.style not in (None, "")
                        value = event.value
                        if len(value) <= INTERN_UP_TO:  # the field names and coded values every record repeats
                            value = sys.intern(value)
                        node = Scalar(value, line, quoted, scalar_kind(value, quoted))
                    elif isinstance(event, yaml.MappingStartEvent):
                        node = Mapping(line)
                    else:
                        node = Sequence(line)

                if stack:
                    self._attach(stack, node, line)
                elif isinstance(node, Scalar):
                    root = node
                if isinstance(node, (Mapping, Sequence)):
                    if len(stack) >= MAX_DEPTH:
                        self.problem(
                            line,
                            where,
                            f"values are nested more than {MAX_DEPTH} levels deep",
                            "a flat record as in the record format",
                        )
                        raise _Abort
                    stack.append([node, where, None])
        except _Abort:
            return None
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            what = exc.problem or exc.context or "not valid YAML"
            self.problem(self.line(mark), "file", f"YAML syntax error: {what}", _SYNTAX_HINT)
            return None
        except yaml.reader.ReaderError as exc:
            line = self.text.count("\n", 0, max(exc.position, 0)) + 1
            char = chr(exc.character) if isinstance(exc.character, int) else exc.character
            self.problem(
                min(line, self.last_line),
                "file",
                f"character {char!r} is not allowed in YAML",
                "printable UTF-8 text",
            )
            return None
        except yaml.YAMLError as exc:  # libyaml reports a few errors unmarked
            self.problem(1, "file", f"YAML error: {exc}", _SYNTAX_HINT)
            return None
        return root

    @staticmethod
    def _where(stack: list[list]) -> str:
        if not stack:
            return "record"
        node, where, pending = stack[-1]
        if isinstance(node, Mapping):
            if pending is None:
                return where
            key = pending[0] or '""'
            return key if where == "record" else f"{where}.{key}"
        return f"{where}[{len(node.items)}]"

    def _attach(self, stack: list[list], node: Node, line: int) -> None:
        top = stack[-1]
        parent, where, pending = top
        if isinstance(parent, Sequence):
            parent.items.append(node)
            return
        if pending is None:  # this node is a key
            if not isinstance(node, Scalar):
                self.problem(line, where, "a key is a list or mapping", "plain field names as keys")
                top[2] = ("?", line, True)
                return
            if node.value in parent.entries:
                first = parent.entries[node.value][0]
                key = node.value or '""'
                name = key if where == "record" else f"{where}.{key}"
                self.problem(
                    line,
                    name,
                    f"key '{node.value}' appears twice (first on line {first})",
                    "each field once per mapping",
                )
                top[2] = (node.value, line, True)
                return
            top[2] = (node.value, line, False)
            return
        key, key_line, skip = pending
        if isinstance(node, (Mapping, Sequence)):
            # A block mapping starts at its first key; errors about the whole
            # value read better on the line of the key that introduces it.
            node.line = key_line
        if not skip:
            parent.entries[key] = (key_line, node)
        top[2] = None


_SYNTAX_HINT = "valid YAML as in the record format (indent with spaces, quote values with ':' or '#')"


def decode(data: bytes, path: str) -> tuple[str | None, list[Problem]]:
    """Check size and encoding; return the text, or the problems."""
    if len(data) > MAX_BYTES:
        return None, [
            Problem(path, 1, "file", f"file is {len(data)} bytes", f"at most {MAX_BYTES} bytes (256 KiB)")
        ]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return None, [
            Problem(
                path,
                line,
                "file",
                f"byte 0x{data[exc.start]:02x} at offset {exc.start} is not UTF-8",
                "save the file as UTF-8",
            )
        ]
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:  # YAML breaks lines at CR too: one rule for the parser and every line number
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, []


def load(data: bytes, path: str) -> tuple[Mapping | None, list[Problem]]:
    """Read one record file. Returns the root mapping (or None) and problems.

    The tree is returned even when problems were found, so that the rules can
    still report what else is wrong in the same run.
    """
    text, problems = decode(data, path)
    if text is None:
        return None, problems
    reader = _Reader(path, text)
    root = reader.read()
    problems = reader.problems
    if root is None and not problems:
        problems = [Problem(path, 1, "file", "the file holds no record", "a record as in the record format")]
    elif root is not None and not isinstance(root, Mapping):
        line = root.line
        if isinstance(root, Scalar) and root.kind == "null":
            problems.append(Problem(path, 1, "file", "the file holds no record", "a record as in the record format"))
        else:
            kind = "a list" if isinstance(root, Sequence) else "a single value"
            problems.append(
                Problem(path, line, "record", f"the file holds {kind}", "a mapping of fields, starting with 'id:'")
            )
        root = None
    return root, problems
