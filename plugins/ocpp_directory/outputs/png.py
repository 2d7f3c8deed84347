"""PNG files written with zlib: QR codes, labels and the logo kits' images.

Kept because it is faster than libpng and Pillow on these flat-colour images: every
row has filter 0, which deflate compresses well, so no time goes into choosing a row
filter (docs/scaling.md, "Why the hand-written pieces").

Output is deterministic (no dates, no text chunks); any PNG reader opens it.
"""

from __future__ import annotations

import io
import struct
import sys
import zlib
from collections.abc import Iterable

#: zlib level: logos (a kit's four colour PNGs: 151 KB in 44 ms; libpng 177 KB in 71 ms), QR codes
#: (1.6 KB in 0.9 ms; Pillow 2.0 KB in 2.5 ms) and the indexed labels (11 KB; as RGBA at level 3 they
#: were 41 KB in 1.8 ms).
LEVEL = 6
GREY, PALETTE, RGBA = 0, 3, 6  # PNG colour types


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def encode(width: int, height: int, colour_type: int, bit_depth: int, rows: Iterable[bytes],
           level: int = LEVEL, palette: bytes = b"", alpha: bytes = b"") -> bytes:
    """A PNG of ``rows`` (each the packed samples of one row, top first), unfiltered; an indexed one
    has its ``palette`` (RGB triples) and the palette's ``alpha`` values (where not all opaque)."""
    header = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    compressor = zlib.compressobj(level)
    data = [compressor.compress(b"\0" + row) for row in rows]
    data.append(compressor.flush())
    colours = (_chunk(b"PLTE", palette) if palette else b"") + (_chunk(b"tRNS", alpha) if alpha else b"")
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + colours + _chunk(b"IDAT", b"".join(data))
            + _chunk(b"IEND", b""))


def from_cairo(surface, level: int = LEVEL) -> bytes:
    """A cairo ARGB32 image surface (premultiplied, native byte order) as an RGBA PNG."""
    if sys.byteorder != "little":  # Pillow's raw mode below is cairo's little-endian layout
        buffer = io.BytesIO()
        surface.write_to_png(buffer)
        return buffer.getvalue()
    surface.flush()
    width, height, stride = surface.get_width(), surface.get_height(), surface.get_stride()
    data = memoryview(surface.get_data())
    return encode(width, height, RGBA, 8, _rgba_rows(data, width, height, stride), level)


def indexed_from_cairo(surface, colours: int = 32, level: int = LEVEL) -> bytes:
    """A cairo ARGB32 image surface as an indexed PNG of at most ``colours`` colours (with their
    alpha), chosen by Pillow's fast octree without dithering: a label's few flat colours and their
    antialiasing, in a quarter of the bytes of RGBA (docs/scaling.md). Deterministic."""
    from PIL import Image

    surface.flush()
    width, height, stride = surface.get_width(), surface.get_height(), surface.get_stride()
    if sys.byteorder != "little":  # pragma: no cover - cairo's layout is native; Pillow's raw mode is little-endian
        image = Image.open(io.BytesIO(from_cairo(surface, 1))).convert("RGBA")
    else:
        image = Image.frombuffer("RGBA", (width, height), bytes(surface.get_data()), "raw", "BGRa", stride, 1)
    indexed = image.quantize(colours, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    rgba = indexed.getpalette("RGBA")
    used = indexed.getextrema()[1] + 1 if width and height else 1
    palette = b"".join(bytes(rgba[i * 4:i * 4 + 3]) for i in range(used))
    alpha = bytes(rgba[i * 4 + 3] for i in range(used)).rstrip(b"\xff")
    raw = indexed.tobytes()
    return encode(width, height, PALETTE, 8, (raw[y * width:(y + 1) * width] for y in range(height)), level,
                  palette, alpha)


def _rgba_rows(data: memoryview, width: int, height: int, stride: int, band: int = 128):
    """Unpremultiplied RGBA rows, converted a band of rows at a time (a 2,400 px logo is 9 MB)."""
    from PIL import Image

    row = width * 4
    for top in range(0, height, band):
        rows = min(band, height - top)
        image = Image.frombuffer("RGBA", (width, rows), data[top * stride:(top + rows) * stride], "raw", "BGRa",
                                 stride, 1)
        raw = memoryview(image.tobytes())
        yield from (raw[i:i + row] for i in range(0, len(raw), row))
