"""QR verification codes: decoded as a phone would, at label size too; cached; never silently local."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import cairosvg
import pytest
import zxingcpp
from PIL import Image, ImageDraw

from ocpp_directory.engine.cache import ContentCache
from ocpp_directory.outputs import qr
from ocpp_directory.model.errors import DirectoryError

from . import golden_tree
from .conftest import ROOT

SITEURL = "https://certification.example.org"
LABEL_PX = round(15 / 25.4 * 300)  # a 15 mm label printed at 300 dpi


def decode(image: Image.Image) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(image)]


def svg_pixels(data: bytes, px: int) -> Image.Image:
    return Image.open(io.BytesIO(cairosvg.svg2png(bytestring=data, output_width=px, output_height=px)))


@pytest.fixture(scope="module")
def public_site(tmp_path_factory):
    out = tmp_path_factory.mktemp("public") / "output"
    report = golden_tree.build_sample(out, siteurl=SITEURL)
    return out, report


def test_every_code_decodes_to_its_certificate_url(public_site, samples):
    out, report = public_site
    assert report["qr_warning"] is None
    for cert in samples.certificates:
        folder = out / "certificates" / cert.id
        url = f"{SITEURL}/certificates/{cert.id}/"
        png = Image.open(folder / "qr.png")
        assert decode(png) == [url], cert.id
        svg = (folder / "qr.svg").read_bytes()
        assert decode(svg_pixels(svg, 600)) == [url], cert.id
        assert decode(svg_pixels(svg, LABEL_PX)) == [url], f"{cert.id} at 15 mm, 300 dpi"


def test_png_is_large_black_and_white(public_site):
    out, _ = public_site
    image = Image.open(out / "certificates" / "OCA.0016.0115.CS" / "qr.png")
    assert image.format == "PNG" and image.mode == "1"
    assert image.width == image.height >= 1000
    modules = len(qr.matrix(f"{SITEURL}/certificates/OCA.0016.0115.CS/"))
    assert image.width % modules == 0  # whole pixels per module: no blurred edges
    assert set(image.get_flattened_data()) == {0, 255}
    assert image.getpixel((0, 0)) == 255  # the quiet zone is white


def test_a_scratched_label_still_reads():
    url = f"{SITEURL}/certificates/OCA.0016.0115.CS/"
    image = Image.open(io.BytesIO(qr.png(qr.matrix(url)))).convert("L")
    draw = ImageDraw.Draw(image)
    w = image.width
    draw.line([(w * 0.2, w * 0.45), (w * 0.8, w * 0.62)], fill=255, width=int(w * 0.045))
    draw.line([(w * 0.3, w * 0.75), (w * 0.75, w * 0.35)], fill=0, width=int(w * 0.03))
    assert decode(image) == [url]


def test_svg_is_safe_to_inline_many_times(public_site):
    out, _ = public_site
    data = (out / "certificates" / "OCA.0016.0115.CS" / "qr.svg").read_bytes()
    assert not data.startswith(b"<?xml")
    root = ET.fromstring(data)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("shape-rendering") == "crispEdges"
    assert all("id" not in element.attrib for element in root.iter())
    assert len(root.findall("{http://www.w3.org/2000/svg}path")) == 1

    other = (out / "certificates" / "OCA.0016.0103.CS" / "qr.svg").read_bytes()
    page = f"<!DOCTYPE html><html><body>{data.decode()}{other.decode()}</body></html>"

    class Ids(HTMLParser):
        ids: list[str] = []

        def handle_starttag(self, tag, attrs):
            self.ids += [v for k, v in attrs if k == "id"]

    parser = Ids()
    parser.feed(page)
    assert parser.ids == []


def test_svg_escapes_the_url():
    data = qr.svg(qr.matrix("x"), 'https://a.example/?q="<&>"')
    ET.fromstring(data)  # well-formed
    assert b'<&>' not in data


def test_certificate_page_shows_code_and_id(public_site):
    out, _ = public_site
    html = (out / "certificates" / "OCA.0016.0115.CS" / "index.html").read_text("utf-8")
    assert '<img src="qr.svg"' in html and 'href="qr.png"' in html
    assert f"<code>{SITEURL}/certificates/OCA.0016.0115.CS/</code>" in html
    assert "How to check this device" in html and "must be exactly <strong>4.10.0</strong>" in html
    assert "do not print this code" not in html


def test_rebuild_regenerates_no_code(tmp_path):
    cache = tmp_path / "cache"
    first = golden_tree.build_sample(tmp_path / "a", siteurl=SITEURL, cache=cache)
    assert (first["qr_generated"], first["qr_reused"]) == (35, 0)
    again = golden_tree.build_sample(tmp_path / "b", siteurl=SITEURL, cache=cache)
    assert (again["qr_generated"], again["qr_reused"]) == (0, 35)
    assert golden_tree.differences(tmp_path / "b", tmp_path / "a") == []
    moved = golden_tree.build_sample(tmp_path / "c", siteurl="https://directory.example.net", cache=cache)
    assert moved["qr_generated"] == 35


def test_a_truncated_cache_entry_is_rendered_again(tmp_path):
    cache = tmp_path / "cache"
    codes = qr.QRCodes(ContentCache(cache))
    codes.files("https://a.example/certificates/X1/")
    next(cache.rglob("*.png")).unlink()
    again = qr.QRCodes(ContentCache(cache))
    svg, png, modules = again.files("https://a.example/certificates/X1/")
    assert again.generated == 1 and png.startswith(b"\x89PNG") and modules == qr.matrix("https://a.example/certificates/X1/")


@pytest.mark.parametrize("siteurl", ["", "/", "http://localhost:8000", "http://127.0.0.1:8000"])
def test_a_non_public_siteurl_is_said_loudly(tmp_path, siteurl):
    report = golden_tree.build_sample(tmp_path / "out", siteurl=siteurl)
    assert "must NOT be printed" in report["qr_warning"]
    html = (tmp_path / "out" / "certificates" / "OCA.0016.0115.CS" / "index.html").read_text("utf-8")
    assert "This is a development build: do not print this code." in html


def test_a_public_build_refuses_a_non_public_siteurl(tmp_path):
    with pytest.raises(DirectoryError, match="must NOT be printed"):
        golden_tree.build_sample(tmp_path / "out", siteurl="http://localhost:8000",
                                 settings_override={"OCPP_REQUIRE_PRINTABLE_QR": True})
    assert not (tmp_path / "out").exists()


def test_the_command_line_warns_on_stderr(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "ocpp_directory", "build", "--output", str(tmp_path / "out"), "--date", "2026-11-24"],
        cwd=ROOT, capture_output=True, text=True, env={"PYTHONPATH": str(ROOT / "plugins"), "PATH": "/usr/bin:/bin",
                                                       "OCPP_CACHE_PATH": os.environ["OCPP_CACHE_PATH"]},
    )
    assert result.returncode == 0, result.stderr
    assert re.search(r"\*\*\* WARNING: SITEURL is empty: the QR codes encode "
                     r"http://localhost:8000/certificates/<ID>/ and must NOT be printed", result.stderr)
    assert re.search(r"QR codes: \d+ rendered, \d+ unchanged", result.stdout)


def test_mask_choice_is_qrcodes_own():
    """best_mask scores each mask as qrcode's lost_point does, and so picks the same mask."""
    import random

    import qrcode.util

    rng = random.Random(7)
    texts = [f"https://{rng.choice(['certified.example.org', 'localhost:8000', 'x.io'])}/certificates/"
             f"OCA-{rng.randint(10, 99)}-{rng.randint(2019, 2030)}-{rng.randint(0, 99999):05d}/" for _ in range(150)]
    texts += ["a" * k for k in range(1, 400, 13)]  # versions 1 to 15, so version information is included
    for text in texts:
        code = qrcode.QRCode(error_correction=qr.ERROR_CORRECTION)
        code.add_data(text.encode())
        code.best_fit()
        flips = qr._mask_flips(code.version)
        code.makeImpl(True, 0)
        rows0 = [int("".join("1" if m else "0" for m in row), 2) for row in code.modules]
        for mask in range(8):
            code.makeImpl(True, mask)
            rows = [int("".join("1" if m else "0" for m in row), 2) for row in code.modules]
            assert rows == [r ^ a ^ b for r, a, b in zip(rows0, flips[0], flips[mask])]
            assert qr._penalty(rows, code.modules_count) == qrcode.util.lost_point(code.modules), (text, mask)
        assert qr.best_mask(code) == code.best_mask_pattern(), text


def test_the_matrix_is_qrcodes_own():
    """qr.matrix lays the data out once (the chosen mask's symbol is one best_mask scored); every module,
    format and version information included, is what qrcode's own make gives."""
    import random

    import qrcode

    rng = random.Random(11)
    texts = [f"https://certified.example.org/certificates/OCA-{rng.randint(10, 99)}-{rng.randint(2019, 2030)}-"
             f"{rng.randint(0, 99999):05d}/" for _ in range(60)]
    texts += ["a" * k for k in range(1, 400, 13)] + ["https://xn--l-ofa.example/é/" * 5]
    for text in texts:
        code = qrcode.QRCode(error_correction=qr.ERROR_CORRECTION, border=qr.QUIET_ZONE)
        code.add_data(text.encode("utf-8"))
        code.make(fit=True)
        assert qr.matrix(text) == code.get_matrix(), text
