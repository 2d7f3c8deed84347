"""A label's PDF: what its statement's labels share, drawn once by cairo, plus its own parts.

Kept because cairo would write again, for every label, the drawing every label of a
statement shares (docs/scaling.md). Here cairo draws it once per statement into a PDF 1.4
(a classic cross-reference table), which :func:`split` cuts into its objects.
Each label's PDF is then those objects as they are, with the page's content
made an array of three streams: ``q``, cairo's stream untouched, and ``Q``
followed by the certificate's own operators (its id as glyph outlines, its QR
code as rectangles), with a new cross-reference table. ISO 32000-1 (7.8.2)
allows ``q`` and ``Q`` to be balanced across the streams of a ``Contents``
array.

If cairo's PDF is not laid out as expected (another cairo version), ``split``
returns None and the label is drawn whole by cairo instead. Tests check that the
assembled PDF renders as the one cairo draws whole, and fail the moment cairo's
layout changes (``split`` must cut this cairo's PDF).
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass


@dataclass(frozen=True)
class PdfObjects:
    """A one-page PDF cut into its objects."""

    header: bytes  # up to the first object
    objects: dict[int, bytes]  # number -> "N 0 obj ... endobj" and what follows it, in file order
    page: int
    contents: int  # the page's content stream
    info: int | None
    trailer: bytes  # the trailer dictionary, "<< ... >>"


def split(data: bytes) -> PdfObjects | None:
    """``data``'s objects, from its cross-reference table; None if it is not a PDF laid out so."""
    found = re.search(rb"startxref\s+(\d+)\s+%%EOF\s*$", data)
    if not found:
        return None
    xref = int(found.group(1))
    table = re.compile(rb"xref\s+0 (\d+)\s+").match(data, xref)
    if not table:
        return None
    count, position = int(table.group(1)), table.end()
    offsets = {}
    for n in range(count):
        entry = data[position:position + 20]
        position += 20
        if len(entry) != 20 or entry[17:18] not in b"nf":
            return None
        if entry[17:18] == b"n":
            offsets[n] = int(entry[:10])
    trailer = re.compile(rb"\s*trailer\s+(<<.*?>>)\s*startxref", re.S).match(data, position)
    if not trailer or not offsets:
        return None
    ends = sorted(offsets.values()) + [xref]
    objects = {}
    for n, start in sorted(offsets.items(), key=lambda item: item[1]):
        body = data[start:ends[ends.index(start) + 1]]
        if not body.startswith(b"%d 0 obj" % n):
            return None
        objects[n] = body
    pages = [n for n, body in objects.items() if re.search(rb"/Type\s*/Page\b(?!s)", body)]
    if len(pages) != 1:
        return None
    contents = re.search(rb"/Contents (\d+) 0 R", objects[pages[0]])
    info = re.search(rb"/Info (\d+) 0 R", trailer.group(1))
    if not contents or int(contents.group(1)) not in objects:
        return None
    return PdfObjects(data[:min(offsets.values())], objects, pages[0], int(contents.group(1)),
                 int(info.group(1)) if info else None, trailer.group(1))


def pin_date(data: bytes, date: str) -> bytes:
    """``data`` (a PDF, or its information dictionary) with cairo's creation time replaced by ``date``
    (YYYY-MM-DD) at midnight: the same length as cairo's own stamp, so cross-reference offsets stay right."""
    return re.sub(rb"/CreationDate \(D:\d{14}", b"/CreationDate (D:%s000000" % date.replace("-", "").encode(), data)


def _stream(number: int, operators: bytes) -> bytes:
    data = zlib.compress(operators, 6)
    return (b"%d 0 obj\n<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream\nendobj\n"
            % (number, len(data), data))


def assemble(parts: PdfObjects, own: bytes, creation_date: str) -> bytes:
    """The PDF with ``own`` operators drawn after its page's, in the page's default space (points, y up).
    ``creation_date`` (YYYY-MM-DD) replaces the one in its information dictionary."""
    first = max(parts.objects) + 1
    before, after = first, first + 1
    out = [parts.header]
    size = len(parts.header)
    offsets = {}
    for n, body in parts.objects.items():
        if n == parts.page:
            body = body.replace(b"/Contents %d 0 R" % parts.contents,
                                b"/Contents [ %d 0 R %d 0 R %d 0 R ]" % (before, parts.contents, after), 1)
        elif n == parts.info:
            body = pin_date(body, creation_date)
        offsets[n] = size
        out.append(body)
        size += len(body)
    for n, operators in ((before, b"q\n"), (after, b"Q\n" + own)):
        body = _stream(n, operators)
        offsets[n] = size
        out.append(body)
        size += len(body)
    total = after + 1
    out.append(b"xref\n0 %d\n0000000000 65535 f \n" % total)
    out.extend(b"%010d 00000 n \n" % offsets[n] if n in offsets else b"0000000000 65535 f \n" for n in range(1, total))
    trailer = re.sub(rb"/Size \d+", b"/Size %d" % total, parts.trailer)
    out.append(b"trailer\n%s\nstartxref\n%d\n%%%%EOF\n" % (trailer, size))
    return b"".join(out)


def number(value: float, places: int = 3) -> bytes:
    """A PDF number: at most ``places`` decimals (3 for coordinates, as cairo writes them; more for the
    scales of a ``cm``, whose error every coordinate after it multiplies), no trailing zeros."""
    text = f"{value:.{places}f}".rstrip("0").rstrip(".")
    return (text if text not in ("-0", "") else "0").encode()
