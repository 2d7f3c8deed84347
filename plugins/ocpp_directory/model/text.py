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
import unicodedata

from markupsafe import Markup

#: the embeddings, overrides and isolates, and the marks that move neutral characters (LRM, RLM, ALM)
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


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


def mixed_scripts(text: str) -> list[str]:
    """The letters of ``text`` from another script than its Latin ones, as ``"о" (U+043E CYRILLIC SMALL
    LETTER O)``: a name that mixes Latin with Cyrillic or Greek is how a look-alike passes for another."""
    import unicodedata

    scripts = {}
    for c in text:
        if c.isalpha():
            name = unicodedata.name(c, "")
            script = name.split(" ", 1)[0]
            if script in ("LATIN", "CYRILLIC", "GREEK"):
                scripts.setdefault(script, []).append(c)
    if "LATIN" not in scripts or len(scripts) == 1:
        return []
    others = dict.fromkeys(c for script, letters in scripts.items() if script != "LATIN" for c in letters)
    return [f'"{c}" (U+{ord(c):04X} {unicodedata.name(c)})' for c in others]


_SPECIAL = str.maketrans({"ł": "l", "đ": "d", "ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "ı": "i",
                          "þ": "th", "ð": "d", "ħ": "h", "ŧ": "t"})


def fold(text: str) -> str:
    """Text as search and the fleet check compare it: NFD, combining marks dropped, NFC, lower case, and the
    few Latin letters NFD does not split (ł, ø, ß...). The browser folds the same way (search-worker.js,
    check.js)."""
    if text.isascii():  # the common case, and nothing below changes ASCII but the case
        return text.lower()
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.category(c).startswith("M"))
    return unicodedata.normalize("NFC", stripped).lower().translate(_SPECIAL)
