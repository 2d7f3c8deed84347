"""Problems found in records, as values a person at the OCA can act on.

Library code never prints: it collects :class:`Problem` values and raises
:class:`ValidationFailed` (or returns the list) so the command line decides how
to show them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, order=True)
class Problem:
    """One thing wrong with one record: where it is, and what to do about it.

    ``str(problem)`` is the one line the OCA staff see:
    ``path:line: field: what is wrong; what is expected``.
    """

    path: str
    line: int
    field: str
    wrong: str
    expected: str
    warning: bool = False

    def __str__(self) -> str:
        kind = "warning: " if self.warning else ""
        return f"{self.path}:{self.line}: {self.field}: {kind}{self.wrong}; {self.expected}"


#: how many problems of one kind a file reports before the rest are counted in one line
REPEATS = 10


def cap_repeats(problems: list[Problem], keep: int = REPEATS) -> list[Problem]:
    """One file's problems, each kind (the same field, indexes aside, and the same expectation) reported
    ``keep`` times at most, then once more as a count: 40,000 aliases give 11 lines, not 40,000."""
    import re

    kinds: dict[tuple, list[Problem]] = {}
    for p in problems:
        kinds.setdefault((p.path, re.sub(r"\[\d+\]", "[]", p.field), p.expected, p.warning), []).append(p)
    if all(len(group) <= keep + 1 for group in kinds.values()):
        return problems
    out: list[Problem] = []
    for (path, field, expected, warning), group in kinds.items():
        out.extend(group[:keep])
        if len(group) > keep + 1:
            rest = group[keep:]
            out.append(Problem(path, rest[0].line, field, f"{len(rest)} more like the ones above, from this line on "
                               f"(the last on line {rest[-1].line})", expected, warning))
        elif len(group) == keep + 1:
            out.append(group[-1])
    return sorted(out)


class DirectoryError(Exception):
    """Base class of every error this package raises on purpose."""


class ValidationFailed(DirectoryError):
    """Records (or the program file) broke the rules; nothing was written."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(p for p in problems if not p.warning)
        self.warnings = sorted(p for p in problems if p.warning)
        count = len(self.problems)
        super().__init__(
            f"{count} error{'s' if count != 1 else ''} in the certificate records:\n"
            + "\n".join(str(p) for p in self.problems)
        )


class ProgramFileError(DirectoryError):
    """The program file itself is malformed: the build cannot judge records."""
