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
- **The mask pattern is chosen by the standard's penalty rules** (qrcode's
  default), never fixed for speed: that is what makes it read well. It is the
  slow part (about 7 ms a code), so codes are cached by their content and a
  rebuild only renders codes whose URL changed.

The SVG is one path of horizontal runs with ``shape-rendering="crispEdges"``
(no hairlines between modules), a white background, a ``<title>`` that names
it for screen readers, no ids and no XML declaration, so the same bytes can be inlined in HTML any number of times. The
PNG is at least 1000 px wide, black on white, scaled by a whole number of
pixels per module.
"""

from __future__ import annotations

import io
import math
from pathlib import Path
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

import qrcode
from PIL import Image
from qrcode.constants import ERROR_CORRECT_Q

from .cache import ContentCache

ERROR_CORRECTION = ERROR_CORRECT_Q
QUIET_ZONE = 4
PNG_MIN_PX = 1000
#: Part of every cache key: bump it when the bytes written for a URL change.
FORMAT = "qr-2"


def matrix(text: str) -> list[list[bool]]:
    """Dark (True) and light modules, quiet zone included."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECTION, border=QUIET_ZONE)
    code.add_data(text.encode("utf-8"))
    code.make(fit=True)
    return code.get_matrix()


def svg(modules: list[list[bool]], text: str) -> bytes:
    size = len(modules)
    runs = []
    for y, row in enumerate(modules):
        x = 0
        while x < size:
            if row[x]:
                start = x
                while x < size and row[x]:
                    x += 1
                runs.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
            else:
                x += 1
    label = f"QR code: {text}"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" width="{size * 8}" '
        f'height="{size * 8}" shape-rendering="crispEdges">'
        f"<title>{escape(label)}</title>"
        f'<rect width="{size}" height="{size}" fill="#fff"/>'
        f'<path fill="#000" d="{"".join(runs)}"/></svg>\n'
    ).encode("utf-8")


def png(modules: list[list[bool]]) -> bytes:
    size = len(modules)
    image = Image.new("1", (size, size), 1)
    image.putdata([0 if dark else 1 for row in modules for dark in row])
    scale = math.ceil(PNG_MIN_PX / size)
    image = image.resize((size * scale, size * scale), Image.Resampling.NEAREST)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()


def is_printable_base(siteurl: str) -> bool:
    """An absolute, public base URL: what codes printed on hardware must encode."""
    parts = urlsplit(siteurl)
    host = (parts.hostname or "").lower()
    local = host in ("localhost", "::1", "0.0.0.0") or host.endswith(".localhost") or host.startswith("127.")
    return parts.scheme in ("http", "https") and bool(host) and not local


class QRCodes:
    """Renders codes, reusing the bytes of any code rendered before for the same URL."""

    def __init__(self, cache: Path | None):
        self.cache = ContentCache(cache)

    @property
    def generated(self) -> int:
        return self.cache.rendered

    @property
    def reused(self) -> int:
        return self.cache.reused

    def files(self, text: str) -> tuple[bytes, bytes]:
        """The SVG and PNG bytes that encode ``text``."""

        def make() -> tuple[bytes, bytes]:
            modules = matrix(text)
            return svg(modules, text), png(modules)

        return self.cache.files(f"{FORMAT}\0{text}", (".svg", ".png"), make)
