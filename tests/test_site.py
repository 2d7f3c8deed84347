"""The built site: every field on every page, escaping, determinism, atomic builds, the CLI."""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from ocpp_directory.pipeline.build import build
from ocpp_directory.model.errors import ValidationFailed

from . import golden_tree
from .conftest import ROOT, VALID, digest, make



class _Text(HTMLParser):
    """Visible text of a page (scripts and styles left out), and its links."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.links: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        if tag == "a":
            self.links.extend(v for k, v in attrs if k == "href")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def page(path: Path) -> _Text:
    parser = _Text()
    parser.feed(path.read_text("utf-8"))
    parser.text = re.sub(r"\s+", " ", " ".join(parser.parts))
    return parser


def test_samples_cover_what_the_issue_asks(samples):
    certs = samples.certificates
    assert 25 <= len(certs) <= 40
    combos = {(c.ocpp_version, c.profiles) for c in certs}
    assert ("1.6", ("full",)) in combos and ("1.6", ("subset",)) in combos and ("1.6", ("security",)) in combos
    assert ("1.6", ("full", "security")) in combos and ("1.6", ("subset", "security")) in combos
    assert {c.device_type for c in certs} == {"charging-station", "csms"}
    assert any(len(c.profiles) >= 4 for c in certs if c.ocpp_version == "2.0.1")
    assert any(len({c.software_version for c in d.certificates}) >= 3 for d in samples.devices)
    assert samples.white_labels
    assert any(re.search("[\uac00-\ud7a3]", v.name) for v in samples.vendors)
    assert any(re.search("[À-ž]", v.name) for v in samples.vendors)


def test_every_certificate_page_shows_every_field(site, samples):
    program = samples.program
    for cert in samples.certificates:
        text = page(site / "certificates" / cert.id / "index.html").text
        version = program.rules_of(cert)
        expected = [
            cert.id, cert.issued.isoformat(), version.title, cert.vendor_name, cert.country_name,
            cert.device_name, cert.certificate_type, "This certificate covers exactly",
            *cert.models, *cert.reports,
            *(version.profiles[p].title for p in cert.profiles),
            *(_shown(version, f, cert.device_type) for f in cert.features),
            *(f"Security profile {n}" for n in cert.security_profiles),
            *(value for _, value in cert.performance),
        ]
        if cert.software_version is not None:
            expected += [cert.software_version, "This certificate covers exactly OCPP software version"]
        else:  # a listing-only record: the version its document states, never "version not in the listing"
            expected.append("the OCPP software version and the hardware feature set its certificate document states")
        if cert.results is not None:
            expected += [program.laboratories[cert.laboratory].name, cert.test_date.isoformat(), cert.test_tool,
                         f"{cert.results.passed} passed, {cert.results.failed} failed, "
                         f"{cert.results.not_applicable} not applicable"]
        else:
            expected += ["Issued before this directory", "in the certificate document"]
        if cert.vendor_website:
            expected.append(cert.vendor_website)
        if cert.statement:
            expected.append(re.sub(r"\s+", " ", cert.statement))
        if cert.hardware:
            expected += ["Hardware feature set", "EVSE", "RFID readers", "Communication"]
        missing = [e for e in expected if e not in text]
        assert not missing, f"{cert.id} page lacks {missing}"


def _shown(version, feature: str, device_type: str) -> str:
    """A feature as its page shows it: Part 5's name (after its id, in its own element), or 1.6's name."""
    found = version.feature(feature, device_type)
    return found.shown if found is not None else version.feature_title(feature)


def test_profiles_in_words(site):
    text = page(site / "certificates" / "OCA.0016.0115.CS" / "index.html").text
    assert "OCPP1.6 full certificate" in text and "OCPP1.6 security certificate" in text


def test_white_label_links_both_ways(site):
    tested = page(site / "certificates" / "OCA.0016.0109.CS" / "index.html")
    label = page(site / "certificates" / "W01.OCA.0016.0109.CS" / "index.html")
    assert "../../certificates/W01.OCA.0016.0109.CS/" in tested.links
    assert "../../certificates/OCA.0016.0109.CS/" in label.links
    assert "white-label edition of" in label.text


def test_device_page_lists_versions_newest_first(site, samples):
    device = next(d for d in samples.devices if d.name == "Voltaris Duo 22")
    p = page(site / device.url / "index.html")
    ids = [link.split("/")[-2] for link in p.links if "/certificates/" in link]
    assert ids == ["OCA.0201.0023.CS", "OCA.0016.0115.CS", "OCA.0016.0103.CS"]
    for version in ("5.0.1", "4.10.0", "4.8.2"):
        assert version in p.text


def test_vendor_pages_link_devices_and_certificates(site, samples):
    for vendor in samples.vendors:
        p = page(site / vendor.url / "index.html")
        for device in vendor.devices:
            assert f"../../{device.url}" in p.links
        for cert in vendor.certificates:
            assert f"../../certificates/{cert.id}/" in p.links
    index = page(site / "vendors" / "index.html")
    assert {link for link in index.links if link.startswith("../vendors/") and link != "../vendors/"} == \
        {f"../{v.url}" for v in samples.vendors}


def test_directory_lists_every_certificate(site, samples):
    """The home page lists the newest certificates (all 35 samples: it holds 100), and links the
    pages by year of issue, which together list every certificate once, newest first."""
    html_text = (site / "index.html").read_text("utf-8")
    assert html_text.count('<table class="certificates" data-sortable>') == 1  # markup, not escaped text
    assert "&lt;table" not in html_text
    p = page(site / "index.html")
    linked = {link for link in p.links if "certificates/" in link}
    assert linked == {f"./certificates/{c.id}/" for c in samples.certificates}
    assert "All certificates, newest first" in p.text
    years = sorted({c.issued.year for c in samples.certificates}, reverse=True)
    assert [link for link in p.links if link.startswith("./issued/")] == [f"./issued/{y}/" for y in years]
    listed = []
    for at, year in enumerate(years):
        y = page(site / "issued" / str(year) / "index.html")
        ids = [link.split("/")[-2] for link in y.links if link.startswith("../../certificates/")]
        assert ids == [c.id for c in samples.certificates if c.issued.year == year]  # newest first
        assert f"Certificates issued in {year}" in y.text
        neighbours = {link for link in y.links if link.startswith("../../issued/")}
        assert neighbours == {f"../../issued/{years[i]}/" for i in (at - 1, at + 1) if 0 <= i < len(years)}
        assert f"../../search/?year={year}" in y.links
        listed += ids
    assert sorted(listed) == sorted(c.id for c in samples.certificates)


def test_content_pages(site):
    for slug in ("about", "how-to-verify", "logo-usage"):
        assert (site / slug / "index.html").exists()


def test_golden_tree(site):
    """The sample site equals tests/golden/. After an intended change: make golden."""
    assert golden_tree.differences(site) == []


def test_two_builds_are_byte_identical(site, tmp_path):
    again = tmp_path / "again"
    golden_tree.build_sample(again)
    assert golden_tree.tree(site) == golden_tree.tree(again)
    assert golden_tree.differences(again, site) == []


# -- escaping ------------------------------------------------------------------------

HOSTILE = "<script>alert(1)</script> & \"Co\" 'x'"


def hostile_records(folder: Path) -> None:
    text = (VALID.replace("name: Voltaris Energy B.V.", "name: " + _yaml_quote(HOSTILE + " Energy"))
            .replace("name: Voltaris Duo 22", "name: " + _yaml_quote("Duo <b>22</b> & co"))
            .replace('models: ["VD22-S", "VD22-C"]', 'models: ["<img src=x onerror=alert(2)>"]')
            .replace("tool: OCTT 3.6.0", "tool: " + _yaml_quote("OCTT </dd><script>alert(3)</script>"))
            .replace("  Certified for OCPP 1.6 edition 2.", "  <script>alert(4)</script> & {{ 7*7 }}"))
    (folder / "2024").mkdir(parents=True)
    (folder / "2024" / "OCA.0016.0115.CS.yaml").write_text(text, "utf-8")


def _yaml_quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def test_vendor_text_is_escaped_everywhere(tmp_path):
    hostile_records(tmp_path / "certs")
    out = tmp_path / "out"
    build(str(ROOT / "pelicanconf.py"), out, certificates=str(tmp_path / "certs"), date="2026-11-24")
    pages = {p: p.read_text("utf-8") for p in out.rglob("*.html")}
    for path, body in pages.items():
        for raw in ("<script>alert", "<b>22</b>", "<img src=x", "</dd><script>"):
            assert raw not in body, f"{raw!r} unescaped in {path}"
        assert "49" not in re.findall(r"alert\(4\)</script> &amp; (\S+)", body)  # no template evaluation
    cert = page(out / "certificates" / "OCA.0016.0115.CS" / "index.html")
    assert HOSTILE + " Energy" in html.unescape(cert.text)
    assert "<script>alert(4)</script> & {{ 7*7 }}" in cert.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;Co&#34; &#39;x&#39;" in \
        (out / "certificates" / "OCA.0016.0115.CS" / "index.html").read_text("utf-8")


def test_slugs_stay_inside_the_output(tmp_path):
    text = (VALID.replace("name: Voltaris Energy B.V.", 'name: "../../../etc"')
            .replace("name: Voltaris Duo 22", 'name: "..\\\\..\\\\x"'))
    (tmp_path / "certs" / "2024").mkdir(parents=True)
    (tmp_path / "certs" / "2024" / "OCA.0016.0115.CS.yaml").write_text(text, "utf-8")
    out = tmp_path / "deep" / "out"
    build(str(ROOT / "pelicanconf.py"), out, certificates=str(tmp_path / "certs"), date="2026-11-24")
    assert (out / "vendors" / "etc" / "index.html").exists()
    assert (out / "devices" / "etc" / "x" / "index.html").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["certs", "deep"]


def test_autoescape_is_on_in_the_settings():
    from pelican.settings import read_settings

    assert read_settings(str(ROOT / "pelicanconf.py"))["JINJA_ENVIRONMENT"]["autoescape"] is True


# -- failed builds lose nothing -------------------------------------------------------



def test_failed_build_leaves_the_previous_site(tmp_path):
    out = tmp_path / "output"
    golden_tree.build_sample(out)
    before = digest(out)
    bad = tmp_path / "bad"
    (bad / "2024").mkdir(parents=True)
    (bad / "2024" / "OCA.0016.0115.CS.yaml").write_text(VALID.replace("failed: 0", "failed: 3"), "utf-8")
    with pytest.raises(ValidationFailed):
        build(str(ROOT / "pelicanconf.py"), out, certificates=str(bad), date="2026-11-24")
    assert digest(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad", "output"]  # no staging folder left


def test_template_error_leaves_the_previous_site(tmp_path):
    out = tmp_path / "output"
    golden_tree.build_sample(out)
    before = digest(out)
    conf = tmp_path / "brokenconf.py"
    theme = tmp_path / "theme"
    import shutil

    shutil.copytree(ROOT / "theme", theme)
    (theme / "templates" / "vendor.html").write_text("{% extends 'base.html' %}{% block content %}"
                                                    "{{ vendor.no_such.attribute.here }}{% endblock %}")
    conf.write_text(f"from pelicanconf import *\nTHEME = {str(theme)!r}\n")
    sys.path.insert(0, str(ROOT))
    try:
        with pytest.raises(Exception):
            build(str(conf), out, date="2026-11-24")
    finally:
        sys.path.remove(str(ROOT))
    assert digest(out) == before


# -- the command line and the Makefile -------------------------------------------------



def test_make_validate_passes_on_the_samples():
    result = make("validate")
    assert result.returncode == 0, result.stderr
    assert re.match(r"validate: 35 certificates valid, 0 warnings", result.stdout)


def test_make_validate_reports_each_bad_record(tmp_path):
    bad = tmp_path / "bad"
    (bad / "2024").mkdir(parents=True)
    (bad / "2024" / "OCA.0016.0115.CS.yaml").write_text(VALID.replace('ocpp_version: "1.6"', "ocpp_version: 1.6"))
    (bad / "2025").mkdir()
    (bad / "2025" / "OCA-16-2025-0001.yaml").write_text("id: OCA-16-2025-0001\nid: again\n")
    result = make("validate", f"CERTIFICATES={bad}")
    assert result.returncode != 0  # make itself always reports a failed recipe as 2
    direct = subprocess.run([sys.executable, "-m", "ocpp_directory", "validate", "--certificates", str(bad)],
                            cwd=ROOT, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT / "plugins")})
    assert direct.returncode == 1 and direct.stderr == result.stderr.split("make: ***")[0]
    lines = [line for line in result.stderr.splitlines() if not line.startswith("make: ***")]
    assert f"{bad}/2024/OCA.0016.0115.CS.yaml:3: ocpp_version: 1.6 is read as a number; " \
           'a string: quote it, ocpp_version: "1.6"' in lines
    assert f"{bad}/2025/OCA-16-2025-0001.yaml:2: id: key 'id' appears twice (first on line 1); " \
           "each field once per mapping" in lines
    assert lines[-1].startswith("validate: ") and "errors" in lines[-1]
    assert "Traceback" not in result.stderr


def test_make_html_builds_with_variables(tmp_path):
    out = tmp_path / "site"
    result = make("html", f"OUTPUTDIR={out}", "SITEURL=https://certs.example.org")
    assert result.returncode == 0, result.stderr
    assert re.search(r"build: 35 certificates, 16 vendors, 26 devices; \d+ pages", result.stdout)
    assert (out / "certificates" / "OCA.0016.0115.CS" / "index.html").exists()
    again = make("html", f"OUTPUTDIR={out}", "SITEURL=https://certs.example.org")
    assert again.returncode == 0, again.stderr
    assert f"build: {out} is up to date (35 certificates, " in again.stdout
    other = make("html", f"OUTPUTDIR={out}", "SITEURL=https://other.example.org")  # a setting changed
    assert "is up to date" not in other.stdout and "https://other.example.org/" in (out / "index.html").read_text()


def test_make_html_fails_cleanly_on_bad_records(tmp_path):
    bad = tmp_path / "bad"
    (bad / "x").mkdir(parents=True)
    (bad / "x" / "OCA.0016.0115.CS.yaml").write_text(VALID.replace("country: NL", "country: NO"))
    out = tmp_path / "site"
    result = make("html", f"CERTIFICATES={bad}", f"OUTPUTDIR={out}")
    assert result.returncode != 0
    assert f"{bad}/x/OCA.0016.0115.CS.yaml:7: vendor.country: NO is read as a yes/no value" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()


def test_every_page_says_whose_directory_it_is(site):
    """Issue 33: every page names the Open Charge Alliance, links to it and gives the certification contact
    (both from the certification procedure), in both languages."""
    pages = [p for p in site.rglob("*.html")]
    assert len(pages) > 100
    for path in pages:
        text = path.read_text("utf-8")
        assert 'href="mailto:certification@openchargealliance.org"' in text, path
        assert 'href="https://www.openchargealliance.org/"' in text, path
