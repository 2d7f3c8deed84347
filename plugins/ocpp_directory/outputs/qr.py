"""QR verification codes: the certificate's URL, for the label on the device.

Labels live on hardware for fifteen years, get scratched, and are printed
small. Hence:

- **Error correction Q** (25 % of codewords recoverable). H (30 %) survives a
  little more damage, but for our ~75-character URLs it needs version 8 (49
  modules) instead of 7 (45): at a 15 mm label that makes modules 0.26 mm, about
  3 printer dots at 300 dpi, which phone cameras start to miss. Q keeps modules
  larger at the sizes vendors actually print, and still reads through a
  scratch across a quarter of the symbol.
- **Quiet zone of 4 modules**, the minimum of ISO/IEC 18004: labels put other
  print close to the code, and a narrower margin is the first thing to fail.
- **The mask pattern is chosen by the standard's penalty rules**, never fixed
  for speed: that is what makes it read well. qrcode evaluates them module by
  module (3.5 of the 4.3 ms a code took); :func:`best_mask` computes the same
  four penalties with a few operations on one integer holding every row and
  column (:func:`_packed_penalty`: 7 us a mask, against 165 us with a
  regular expression per rule on the lines as text) and picks the same mask;
  a test checks every mask's points and the choice against qrcode's own. The
  chosen mask's symbol is then finished from the rows already scored, not laid
  out again (a test compares every module with qrcode's own). Codes are also
  cached by their content, so a rebuild only renders codes whose URL changed.

The SVG is one path of horizontal runs with ``shape-rendering="crispEdges"``
(no hairlines between modules), a white background, a ``<title>`` that names
it for screen readers, no ids and no XML declaration, so the same bytes can be inlined in HTML any number of times. The
PNG is at least 1000 px wide, one bit a pixel, black on white, scaled by a whole
number of pixels per module, and written by :mod:`.png` (a quarter of Pillow's time).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from xml.sax.saxutils import escape

import qrcode
import qrcode.util
from qrcode.constants import ERROR_CORRECT_Q

from . import png as pngfile
from .stores import Renderings

ERROR_CORRECTION = ERROR_CORRECT_Q
QUIET_ZONE = 4
PNG_MIN_PX = 1000
#: Part of every cache key: bump it when the bytes written for a URL change.
FORMAT = "qr-4"


def matrix(text: str) -> list[list[bool]]:
    """Dark (True) and light modules, quiet zone included."""
    code = _Code(error_correction=ERROR_CORRECTION, border=QUIET_ZONE)
    code.add_data(text.encode("utf-8"))
    code.make(fit=True)
    return code.get_matrix()


class _Code(qrcode.QRCode):
    def make(self, fit: bool = True) -> None:
        """qrcode's ``make``, without laying the data out a second time: the symbol with the chosen
        mask is already among those :func:`best_mask` scored, and differs from the final one only in
        the format and version information, which are set as qrcode sets them (a test compares
        the result with qrcode's own, module by module)."""
        if fit or self.version is None:
            self.best_fit(start=self.version)
        mask, rows = _best(self)
        n = self.modules_count
        self.modules = [[(row >> (n - 1 - column)) & 1 == 1 for column in range(n)] for row in rows]
        self.setup_type_info(False, mask)
        if self.version >= 7:
            self.setup_type_number(False)


def best_mask(code: qrcode.QRCode) -> int:
    """The mask qrcode's ``best_mask_pattern`` chooses, found about ten times faster (the symbol is
    laid out once, not once per mask).

    Like qrcode, each mask is judged on the symbol in "test" mode (format and version
    information light); the first mask with the fewest penalty points wins.
    """
    return _best(code)[0]


def _best(code: qrcode.QRCode) -> tuple[int, list[int]]:
    """The best mask, and the test-mode symbol's rows with it (as bits, column 0 first)."""
    code.makeImpl(True, 0)
    n = code.modules_count
    rows0 = [int("".join("1" if module else "0" for module in row), 2) for row in code.modules]
    flips, packed = _mask_flips(code.version), _packed_flips(code.version)
    unmasked = _pack(rows0, n) ^ packed[0]
    points = [_packed_penalty(unmasked ^ packed[mask], _packing(n)) for mask in range(8)]
    best = points.index(min(points))  # the first of the lowest, as qrcode
    return best, [row ^ a ^ b for row, a, b in zip(rows0, flips[0], flips[best])]


@dataclass(frozen=True)
class _Packing:
    """Where a symbol's lines lie in one integer (:func:`_pack`), and where each rule's windows start."""

    n: int
    equal: int  # bits 0 to n-2 of every line: a module and the next one in its line
    finder: int  # bits 0 to n-11 of every line: an 11-module window inside its line
    rows: int  # the rows' bits
    blocks: int  # bits 0 to n-2 of rows 0 to n-2: a 2 x 2 block's corner


@functools.lru_cache(maxsize=64)
def _packing(n: int) -> _Packing:
    def lines(count: int, bits: int) -> int:
        return sum(((1 << bits) - 1) << (k * n) for k in range(count))

    return _Packing(n, lines(2 * n, n - 1), lines(2 * n, n - 10), lines(n, n), lines(n - 1, n - 1))


def _pack(rows: list[int], n: int) -> int:
    """Rows (bits, column 0 first) as one integer: row k at bits k*n to k*n+n-1, then column k at
    (n+k)*n (row 0 first)."""
    text = [format(row, f"0{n}b") for row in rows]
    lines = rows + [int("".join(column), 2) for column in zip(*text)]
    return int("".join(format(line, f"0{n}b") for line in reversed(lines)), 2)


#: rule 3's finder-like patterns, dark (1) and light (0); as both are looked for, each is read
#: from the low bit of a window, which reverses it
_FINDER_PATTERNS = tuple(tuple(c == "1" for c in pattern) for pattern in ("10111010000", "00001011101"))


def _packed_penalty(symbol: int, p: _Packing) -> int:
    """ISO/IEC 18004's four penalty rules, as qrcode's ``util.lost_point`` counts them, on a packed
    symbol: each rule is a few operations on the one integer, not a loop over lines."""
    n = p.n
    # Rule 1: a run of L >= 5 modules of one colour in a line scores L - 2: its L - 4 windows of five
    # equal modules, plus 2 for the first of them.
    equal = ~(symbol ^ (symbol >> 1)) & p.equal
    five = equal & (equal >> 1) & (equal >> 2) & (equal >> 3)
    points = five.bit_count() + 2 * (five & ~(five << 1)).bit_count()
    # Rule 3: 40 points for each finder-like pattern in a line, overlaps counted.
    for pattern in _FINDER_PATTERNS:
        found = p.finder
        for shift, dark in enumerate(pattern):
            found &= symbol >> shift if dark else ~symbol >> shift
        points += 40 * found.bit_count()
    # Rule 2: 3 points for every 2 x 2 block of one colour.
    rows = symbol & p.rows
    below = rows >> n
    dark, light = rows & below, ~(rows | below)
    points += 3 * (((dark & (dark >> 1)) | (light & (light >> 1))) & p.blocks).bit_count()
    # Rule 4: 10 points for every 5 % the share of dark modules is away from half.
    percent = float(rows.bit_count()) / (n ** 2)
    return points + int(abs(percent * 100 - 50) / 5) * 10


def _penalty(rows: list[int], n: int) -> int:
    """The penalty of a symbol given as rows (bits, column 0 first)."""
    return _packed_penalty(_pack(rows, n), _packing(n))


@functools.lru_cache(maxsize=64)
def _packed_flips(version: int) -> list[int]:
    """:func:`_mask_flips`, packed."""
    n = version * 4 + 17
    return [_pack(rows, n) for rows in _mask_flips(version)]


@functools.lru_cache(maxsize=64)
def _mask_flips(version: int) -> list[list[int]]:
    """For each mask, per row, the data modules it turns over (as bits, column 0 first)."""
    n = version * 4 + 17
    probe = qrcode.QRCode(version=version, error_correction=ERROR_CORRECTION)
    probe.modules_count = n
    probe.modules = [[None] * n for _ in range(n)]
    for row, col in ((0, 0), (n - 7, 0), (0, n - 7)):
        probe.setup_position_probe_pattern(row, col)
    probe.setup_position_adjust_pattern()
    probe.setup_timing_pattern()
    probe.setup_type_info(True, 0)
    if version >= 7:
        probe.setup_type_number(True)
    flips = []
    for mask in range(8):
        turns = qrcode.util.mask_func(mask)
        flips.append([int("".join("1" if probe.modules[r][c] is None and turns(r, c) else "0" for c in range(n)), 2)
                      for r in range(n)])
    return flips


def runs(modules: list[list[bool]]) -> list[tuple[int, int, int]]:
    """The dark modules as horizontal runs (x, y, width), row by row."""
    out = []
    size = len(modules)
    for y, row in enumerate(modules):
        x = 0
        while x < size:
            if row[x]:
                start = x
                while x < size and row[x]:
                    x += 1
                out.append((start, y, x - start))
            else:
                x += 1
    return out


def svg_body(modules: list[list[bool]], text: str) -> tuple[int, str]:
    """The symbol's size in modules and the content of its SVG (a title, the white square, the
    dark modules), to stand in an ``<svg viewBox="0 0 size size">`` of the caller's."""
    size = len(modules)
    path = "".join(f"M{x} {y}h{w}v1h-{w}z" for x, y, w in runs(modules))
    return size, (f"<title>{escape(f'QR code: {text}')}</title>"
                  f'<rect width="{size}" height="{size}" fill="#fff"/>'
                  f'<path fill="#000" d="{path}"/>')


def svg(modules: list[list[bool]], text: str) -> bytes:
    """The code as an SVG file, 8 px a module."""
    size, body = svg_body(modules, text)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" width="{size * 8}" '
            f'height="{size * 8}" shape-rendering="crispEdges">{body}</svg>\n').encode("utf-8")


def packed(modules: list[list[bool]]) -> bytes:
    """The matrix as text, a row a line of 0 and 1: what the cache keeps, and a key for labels."""
    return "\n".join("".join("1" if dark else "0" for dark in row) for row in modules).encode("ascii")


def unpacked(data: bytes) -> list[list[bool]]:
    return [[c == "1" for c in row] for row in data.decode("ascii").split("\n")]


def png(modules: list[list[bool]]) -> bytes:
    """One bit a pixel, black on white, each module ``scale`` pixels square (see :mod:`.png`)."""
    size = len(modules)
    scale = math.ceil(PNG_MIN_PX / size)
    pixels = size * scale
    padding = -pixels % 8
    rows = []
    for row in modules:
        bits = "".join("0" * scale if dark else "1" * scale for dark in row) + "1" * padding
        rows += [int(bits, 2).to_bytes((pixels + padding) // 8, "big")] * scale
    return pngfile.encode(pixels, pixels, pngfile.GREY, 1, rows)


class QRCodes:
    """Renders codes, reusing the bytes of any code rendered before for the same URL."""

    def __init__(self, store: Renderings):
        self.cache = store

    @property
    def generated(self) -> int:
        return self.cache.rendered

    @property
    def reused(self) -> int:
        return self.cache.reused

    def files(self, text: str) -> tuple[bytes, bytes, list[list[bool]]]:
        """The SVG and PNG bytes that encode ``text``, and the matrix they draw."""

        def make() -> tuple[bytes, bytes, bytes]:
            modules = matrix(text)
            return svg(modules, text), png(modules), packed(modules)

        svg_bytes, png_bytes, bits = self.cache.files(f"{FORMAT}\0{text}", (".svg", ".png", ".bits"), make)
        return svg_bytes, png_bytes, unpacked(bits)
