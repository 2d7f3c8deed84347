"""Vendor text made safe for people and for data formats, beyond escaping.

Escaping stops markup; it does not stop Unicode's bidirectional controls (such
as U+202E RIGHT-TO-LEFT OVERRIDE), which a browser, feed reader or spreadsheet
obeys even when escaped, and which can make "Voltaris" display as something it
is not. Wherever people read vendor text, those controls are shown as visible
``[U+202E]`` markers; JSON keeps the exact text, with the controls escaped.
"""

from __future__ import annotations

import json
import re

from markupsafe import Markup

BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def visible_bidi(text: str) -> str:
    return BIDI_CONTROLS.sub(lambda m: f"[U+{ord(m.group()):04X}]", text)


def finalize(value):
    """Jinja's ``finalize``: applied to every value a template prints, before escaping.

    Markup (a macro's output) passes unchanged: the vendor text inside it went
    through here when the macro printed it, and re-processing would turn the
    markup into a plain string that autoescape would then escape.
    """
    if isinstance(value, str) and not isinstance(value, Markup):
        return visible_bidi(value)
    return value


def json_text(data, *, indent: int | None = None) -> str:
    """Deterministic JSON (sorted keys), with bidirectional controls as \\u escapes."""
    separators = None if indent is not None else (",", ":")
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, indent=indent, separators=separators)
    return BIDI_CONTROLS.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def json_bytes(data, *, indent: int | None = None) -> bytes:
    """:func:`json_text` in UTF-8; an indented text ends with a newline."""
    return (json_text(data, indent=indent) + ("\n" if indent is not None else "")).encode("utf-8")
