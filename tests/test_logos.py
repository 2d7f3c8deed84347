"""Logo kits and labels: every file of every kit opened and checked."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile

import pytest
import zxingcpp
from PIL import Image, ImageChops
from pypdf import PdfReader

from ocpp_directory.engine.cache import ContentCache
from ocpp_directory.outputs import logos

from . import golden_tree
from .conftest import ROOT

SITEURL = "https://certification.example.org"
MM = 72 / 25.4  # PDF points per millimetre


@pytest.fixture(scope="module")
def kit_site(tmp_path_factory):
    out = tmp_path_factory.mktemp("kits") / "output"
    report = golden_tree.build_sample(out, siteurl=SITEURL)
    return out, report


@pytest.fixture(scope="module")
def all_kits(samples):
    return logos.kits(samples.program, samples.certificates)


def test_one_kit_per_profile_combination(all_kits, samples):
    """All five of the first 1.6 edition; for the other editions, core alone (2.0.1) and what is certified."""
    v16 = [k.profiles for k in all_kits if k.version.key == "1.6" and k.version.edition == "first"]
    assert v16 == [("full",), ("subset",), ("security",), ("full", "security"), ("subset", "security")]

    def used(version: str, first: bool) -> set:
        return {tuple(p for p in samples.program.rules_of(c).profiles if p in c.profiles)
                for c in samples.certificates if c.ocpp_version == version and (c.edition == "") == first}

    assert {k.profiles for k in all_kits if k.version.key == "1.6" and k.version.edition != "first"} == used("1.6", False)
    assert {k.profiles for k in all_kits if k.version.key == "2.0.1"} == used("2.0.1", True) | used("2.0.1", False) | {("core",)}
    for cert in samples.certificates:
        assert logos.kit_of(all_kits, cert) is not None


def test_statements_come_from_the_program_file(all_kits, samples):
    by_slug = {k.slug: k for k in all_kits}
    assert by_slug["ocpp-16-full-security"].lines == ["OCPP1.6 full certificate", "OCPP1.6 security certificate"]
    assert by_slug["ocpp-16-subset"].lines == ["OCPP1.6 subset certificate"]
    assert by_slug["ocpp-201-core"].lines == ["OCPP 2.0.1 certified", "Core"]
    for kit in all_kits:
        expected = " ".join(kit.version.logo_lines(kit.profiles))
        assert " ".join(kit.lines) == expected


def test_every_file_of_every_kit(kit_site, all_kits):
    out, _ = kit_site
    for kit in all_kits:
        archive = zipfile.ZipFile(out / "logos" / f"{kit.slug}.zip")
        names = sorted(n.split("/", 1)[1] for n in archive.namelist())
        readme = archive.read(f"{kit.slug}/README.txt").decode()
        promised = sorted(line.strip() for line in readme.split("Files:\n")[1].split("\n\n")[0].splitlines())
        assert names == promised
        expected = {"README.txt", "usage-guide.pdf", "README.ko.txt", "usage-guide.ko.pdf"}
        for variant in logos.VARIANTS:
            base = f"{kit.slug}-{variant}"
            expected |= {f"{base}.svg", f"{base}.pdf", f"{base}.eps"}
            expected |= {f"{base}-{w}px.png" for w in logos.PNG_WIDTHS}
        assert set(names) == expected
        for info in archive.infolist():
            assert info.date_time == (1980, 1, 1, 0, 0, 0)
        mark = logos.logo(kit.lines)
        for variant in logos.VARIANTS:
            base = f"{kit.slug}-{variant}"
            svg = archive.read(f"{kit.slug}/{base}.svg")
            root = ET.fromstring(svg)
            assert root.find("{http://www.w3.org/2000/svg}title").text.endswith(kit.statement)
            assert not list(root.iter("{http://www.w3.org/2000/svg}text")), "text must be outlines"
            assert b"font-family" not in svg
            for width in logos.PNG_WIDTHS:
                image = Image.open(io.BytesIO(archive.read(f"{kit.slug}/{base}-{width}px.png")))
                assert image.mode == "RGBA" and image.width == width
                assert abs(image.height - width * mark.height / mark.width) <= 1
                alpha = image.getchannel("A")
                assert alpha.getpixel((0, 0)) == 0 and alpha.getextrema() == (0, 255)  # transparent, not empty
            pdf = PdfReader(io.BytesIO(archive.read(f"{kit.slug}/{base}.pdf")))
            assert len(pdf.pages) == 1
            box = pdf.pages[0].mediabox
            assert abs(float(box.width) - mark.width_mm * MM) < 0.5
            assert abs(float(box.height) - mark.height_mm * MM) < 0.5
            eps = archive.read(f"{kit.slug}/{base}.eps")
            assert eps.startswith(b"%!PS-Adobe-3.0 EPSF-3.0") and b"%%BoundingBox:" in eps
        for name in ("usage-guide.pdf", "usage-guide.ko.pdf"):
            guide = PdfReader(io.BytesIO(archive.read(f"{kit.slug}/{name}")))
            assert len(guide.pages) == 1
            assert abs(float(guide.pages[0].mediabox.width) - 210 * MM) < 0.5
            assert abs(float(guide.pages[0].mediabox.height) - 297 * MM) < 0.5
        # The Korean README says the same in Korean, and names the Korean guide.
        korean = archive.read(f"{kit.slug}/README.ko.txt").decode()
        assert korean.startswith(f"OCPP 인증 로고 키트: {kit.title}") and "usage-guide.ko.pdf" in korean
        assert sorted(line.strip() for line in korean.split("파일:\n")[1].split("\n\n")[0].splitlines()) == names


def test_colour_versions(all_kits):
    kit = all_kits[0]
    colour, black, white = (logos.logo(kit.lines, v).svg for v in ("colour", "black", "white"))
    assert "#0B5CAB" in colour and "#0B5CAB" not in black
    assert set(re.findall(r"#[0-9A-F]{6}", black)) == {"#000000"}
    assert set(re.findall(r"#[0-9A-F]{6}", white)) == {"#FFFFFF"}


def test_pdf_dates_are_pinned_and_files_deterministic(all_kits, tmp_path):
    kit = all_kits[3]
    first = logos.kit_files(kit, logos.Renderer(ContentCache(None), "2026-11-24"))
    second = logos.kit_files(kit, logos.Renderer(ContentCache(tmp_path / "cache"), "2026-11-24"))
    assert first == second
    assert b"/CreationDate (D:20261124000000" in first[f"{kit.slug}-colour.pdf"]
    assert logos.zip_bytes(first, kit.slug) == logos.zip_bytes(dict(reversed(list(first.items()))), kit.slug)


def test_the_same_logo_on_a_machine_without_fonts(all_kits, tmp_path):
    """No font is looked up: with fontconfig given no fonts at all, the PNG is identical."""
    kit = all_kits[3]
    here = logos.Renderer(ContentCache(None), "2026-11-24").render(logos.logo(kit.lines).svg, "png", 600)
    conf = tmp_path / "fonts.conf"
    conf.write_text('<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
                    f"<cachedir>{tmp_path}/fc-cache</cachedir></fontconfig>")
    script = ("import sys; from ocpp_directory.outputs import logos; "
              "from ocpp_directory.engine.cache import ContentCache; kit = [k for k in logos.kits("
              "__import__('ocpp_directory.model.program', fromlist=['x']).load_program(sys.argv[1]), []) "
              "if k.slug == sys.argv[2]][0]; sys.stdout.buffer.write(logos.Renderer(ContentCache(None), '2026-11-24')"
              ".render(logos.logo(kit.lines).svg, 'png', 600))")
    env = {**os.environ, "FONTCONFIG_FILE": str(conf), "PYTHONPATH": str(ROOT / "plugins")}
    there = subprocess.run([sys.executable, "-c", script, str(ROOT / "program.yaml"), kit.slug],
                           capture_output=True, env=env, check=True).stdout
    assert there == here


def test_rendering_is_cached(tmp_path):
    cache = tmp_path / "cache"
    first = golden_tree.build_sample(tmp_path / "a", siteurl=SITEURL, cache=cache)
    again = golden_tree.build_sample(tmp_path / "b", siteurl=SITEURL, cache=cache)
    assert first["logos_rendered"] > 0 and again["logos_rendered"] == 0
    assert golden_tree.differences(tmp_path / "b", tmp_path / "a") == []


def test_certificate_label(kit_site, samples):
    out, _ = kit_site
    for cert in samples.certificates[:5]:
        folder = out / "certificates" / cert.id
        pdf = PdfReader(folder / "label.pdf")
        assert len(pdf.pages) == 1
        assert abs(float(pdf.pages[0].mediabox.width) - 70 * MM) < 0.5
        assert abs(float(pdf.pages[0].mediabox.height) - 30 * MM) < 0.5
        png = Image.open(folder / "label.png")
        assert png.width == round(70 / 25.4 * 300)
        assert png.mode == "P" and len(png.getpalette()) // 3 <= 32  # indexed: a quarter of RGBA's bytes
        assert [r.text for r in zxingcpp.read_barcodes(png.convert("RGBA"))] == [f"{SITEURL}/certificates/{cert.id}/"]
        ET.fromstring((folder / "label.svg").read_bytes())
        page = (folder / "index.html").read_text("utf-8")
        assert 'href="label.pdf"' in page and "/logos/" in page


def test_logos_page_lists_every_kit(kit_site, all_kits):
    out, _ = kit_site
    page = (out / "logos" / "index.html").read_text("utf-8")
    for kit in all_kits:
        assert f"logos/{kit.slug}.zip" in page and f"{kit.slug}-colour-600px.png" in page
        kit_page = (out / "logos" / kit.slug / "index.html").read_text("utf-8")
        for cert in kit.certificates:
            assert f"certificates/{cert.id}/" in kit_page


def test_png_writer_gives_the_pixels_cairo_writes():
    """png.from_cairo (unfiltered rows, converted in bands) against cairo's own PNG writer: the same
    alpha everywhere and the same colour where opaque, across the band boundaries. Where a pixel is
    partly transparent its colour may be one level lower: Pillow truncates when it divides by alpha,
    libpng's path rounds."""
    import cairocffi as cairo

    from ocpp_directory.outputs import png

    surface = cairo.ImageSurface(cairo.FORMAT_ARGB32, 301, 517)  # odd sizes, five bands of 128 rows
    context = cairo.Context(surface)
    context.set_source_rgb(0.2, 0.6, 0.3)
    context.rectangle(0, 300, 301, 217)  # opaque
    context.fill()
    context.set_source_rgba(0.1, 0.5, 0.9, 0.37)  # partly transparent, over nothing and over the green
    context.arc(150, 250, 140, 0, 6.3)
    context.fill()
    context.set_source_rgb(0.8, 0.2, 0.1)  # antialiased edges
    logos.fonts().bold.draw(context, "OCPP ÉÅ 2.0.1", 40, 10, 130)
    context.fill()
    expected = io.BytesIO()
    surface.write_to_png(expected)
    cairos = Image.open(expected).convert("RGBA")
    opaque = cairos.getchannel("A").point(lambda a: 255 if a == 255 else 0)
    assert 0 < opaque.histogram()[255] < 301 * 517
    for level in (3, png.LEVEL):
        ours = Image.open(io.BytesIO(png.from_cairo(surface, level)))
        assert (ours.mode, ours.size) == ("RGBA", (301, 517))
        difference = ImageChops.difference(ours, cairos)
        assert [high for _, high in difference.getextrema()] in ([0, 0, 0, 0], [1, 1, 1, 0]), level
        assert ImageChops.multiply(difference.convert("RGB"), opaque.convert("RGB")).getbbox() is None


def test_a_label_png_started_from_shared_pixels_is_the_label_drawn_whole(samples, monkeypatch):
    """A PNG label is drawn over the pixels every label of the site shares and its statement's logo,
    drawn once (a tile); its id and QR code do not overlap them, so the result (indexed the same way) is what drawing the
    whole label at once gives. Every statement of the samples, tiles kept for two at most."""
    from ocpp_directory.outputs import png
    from ocpp_directory.outputs import qr
    from ocpp_directory.outputs.logos import labels

    monkeypatch.setattr(labels, "LABEL_LOGO_TILES", 2)
    renderer = logos.Renderer(ContentCache(None), "2026-11-24")
    statements = [kit.lines for kit in logos.kits(samples.program, samples.certificates)]
    assert len(statements) > 3
    cases = [(cert_id, statements[0]) for cert_id in ("OCA-201-2026-00001", "WWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWW")]
    cases += [("OCA-16-2026-00002", lines) for lines in statements[1:]]
    for cert_id, lines in cases:  # a long id: set smaller
        url = f"https://certification.example.org/certificates/{cert_id}/"
        code = qr.matrix(url)
        made = Image.open(io.BytesIO(renderer.label(cert_id, lines, code, "certification.example.org/verify/", "png")))
        whole = logos._raster(lambda context: renderer.draw_label(context, cert_id, lines, code,
                                                                   "certification.example.org/verify/"),
                              *logos.LABEL_PX, None, logos.LABEL_DPI)
        assert made.tobytes() == Image.open(io.BytesIO(png.indexed_from_cairo(whole))).tobytes(), (cert_id, lines)
        assert tuple(lines) in renderer._logo_tiles and len(renderer._logo_tiles) <= 2
    a, b, c = (tuple(lines) for lines in statements[:3])
    for lines in (a, b, a, c):
        renderer._label_logo_tile(lines)
    assert set(renderer._logo_tiles) == {a, c}  # the one least recently used went


def test_a_label_pdf_assembled_from_the_shared_pdf_is_the_label_cairo_draws_whole(tmp_path):
    """A label's PDF is its statement's shared PDF (drawn by cairo once) with the certificate's id and
    QR code added as PDF operators (see ocpp_directory.pdf). Rendered by poppler, it is the label cairo
    draws whole, but for antialiased edges; poppler reports no error; the code reads; the date is
    the certificate's."""
    import functools

    from ocpp_directory.outputs import qr

    renderer = logos.Renderer(ContentCache(None), "2026-11-24")
    lines = ["OCPP 2.0.1 Core", "Advanced Security"]
    host = "certification.example.org/verify/"
    assert renderer._label_pdf_base(tuple(lines), host) is not None  # cairo's PDF was cut: the fast path
    for cert_id in ("OCA-201-2026-00042", "WWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWW"):
        url = f"https://certification.example.org/certificates/{cert_id}/"
        code = qr.matrix(url)
        assembled = renderer.label(cert_id, lines, code, host, "pdf", "2025-03-04")
        whole = logos._output(functools.partial(renderer.draw_label, cert_id=cert_id, lines=lines, modules=code,
                                                verify_host=host), *logos.LABEL_PX, "pdf", None, 96,
                              "2025-03-04")
        images = []
        for name, data in (("assembled", assembled), ("whole", whole)):
            (tmp_path / f"{name}.pdf").write_bytes(data)
            info = subprocess.run(["pdfinfo", tmp_path / f"{name}.pdf"], capture_output=True, text=True)
            assert info.returncode == 0 and info.stderr == "", info.stderr
            assert "CreationDate:    Tue Mar  4 00:00:00 2025" in info.stdout
            subprocess.run(["pdftoppm", "-r", "300", "-png", "-singlefile", tmp_path / f"{name}.pdf",
                            tmp_path / name], check=True)
            images.append(Image.open(tmp_path / f"{name}.png").convert("L"))
        assert images[0].size == images[1].size
        histogram = ImageChops.difference(*images).histogram()
        assert sum(histogram[64:]) < 0.002 * images[0].width * images[0].height, cert_id
        assert [r.text for r in zxingcpp.read_barcodes(images[0])] == [url]
        reader = PdfReader(io.BytesIO(assembled))
        assert len(reader.pages) == 1 and abs(float(reader.pages[0].mediabox.width) - 70 * MM) < 0.5


def test_a_pdf_cairo_laid_out_otherwise_is_not_cut_and_the_label_is_drawn_whole(monkeypatch):
    from ocpp_directory.outputs import pdf
    from ocpp_directory.outputs import qr

    good = logos._output(lambda context: None, 100, 50, "pdf", None, 96, "2026-11-24")
    assert pdf.split(good) is not None
    for bad in (b"", b"%PDF-1.5\nnot a pdf", good.replace(b"xref", b"xfer"), good[:-40],
                re.sub(rb"(\d{10}) 00000 n", lambda m: b"%010d 00000 n" % (int(m.group(1)) + 1), good)):
        assert pdf.split(bad) is None
    monkeypatch.setattr(pdf, "split", lambda data: None)
    url = "https://certification.example.org/certificates/OCA-1/"
    made = logos.Renderer(ContentCache(None), "2026-11-24").label("OCA-1", ["OCPP 1.6 Core"], qr.matrix(url),
                                                    "certification.example.org/verify/", "pdf", "2025-03-04")
    reader = PdfReader(io.BytesIO(made))
    assert len(reader.pages) == 1 and reader.metadata["/CreationDate"].startswith("D:20250304")


def test_the_usage_guide_states_the_statement_and_every_rule(all_kits, tmp_path):
    """The guide is drawn from guide_layout: its words are the statement and the rules, and its
    three logos; poppler opens the PDF with no complaint."""
    for kit in all_kits[:3]:
        items = logos.guide_layout(kit)
        words = " ".join(item[2] for item in items if item[0] == "text")
        assert f"Statement: {kit.statement}" in words
        for heading in ("Clear space", f"Minimum size {logos.MIN_WIDTH_MM} mm wide in print", "Versions",
                        "Do not", "Who may use it", "section 8.2.2"):
            assert heading in words, heading
        assert [item[1] for item in items if item[0] == "logo"] == list(logos.VARIANTS)
        (tmp_path / "guide.pdf").write_bytes(logos.Renderer(ContentCache(None), "2026-11-24").guide(kit))
        info = subprocess.run(["pdfinfo", tmp_path / "guide.pdf"], capture_output=True, text=True)
        assert info.returncode == 0 and info.stderr == "" and re.search(r"Page size: +595\.28? x 841\.89 pts", info.stdout)
        # Issue 33: real text, read by poppler as a reader's tools read it, and the two drawings.
        text = " ".join(subprocess.run(["pdftotext", tmp_path / "guide.pdf", "-"], capture_output=True,
                                       text=True).stdout.split())
        assert f"Statement: {kit.statement}" in text and "Who may use it" in text
        assert "x = half the height of the disc" in text and f"{logos.MIN_WIDTH_MM} mm" in text
        assert [item[1] for item in items if item[0] == "drawing"] == ["colour", "colour"]


def test_a_line_outlined_glyph_by_glyph_is_the_line_drawn_by_one_pen():
    """Font._outline_of joins each glyph's outline, cached where it stands; the bytes are those of one
    SVG pen drawing the whole line, for ids, tracked text and characters the font lacks."""
    import random

    from fontTools.pens.svgPathPen import SVGPathPen
    from fontTools.pens.transformPen import TransformPen

    def whole(font, text, size, tracking):
        scale, advance = size / font.units, 0.0
        pen = SVGPathPen(font.glyphs, ntos=lambda n: f"{n:.3f}".rstrip("0").rstrip("."))
        for char in text:
            name = font._glyph(char)
            font.glyphs[name].draw(TransformPen(pen, (scale, 0, 0, -scale, advance, 0)))
            advance += font.hmtx[name][0] * scale + tracking * size
        return pen.getCommands()

    rng = random.Random(3)
    texts = [f"OCA-{rng.choice(['16', '201'])}-{rng.randint(2019, 2030)}-{rng.randint(0, 99999):05d}"
             for _ in range(200)] + ["CERTIFIED", "Verify at x.example/verify/", "Ünïcødé Å ☃ 認証", ""]
    for font in (logos.fonts().bold, logos.fonts().regular):
        for text in texts:
            for size, tracking in ((3.4, 0), (min(3.4, 38 / max(font.width(text, 1), 1)), 0), (20, 0.18)):
                assert font._outline_of(text, size, tracking) == whole(font, text, size, tracking), text
