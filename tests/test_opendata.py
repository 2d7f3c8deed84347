"""Open data: JSON against its schema, CSV in Python's csv module, Atom, sitemap, statistics."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from ocpp_directory.outputs import exports
from ocpp_directory.model import schema as record_schema
from ocpp_directory.model import serial
from ocpp_directory.pipeline.build import build

from . import golden_tree
from .conftest import ROOT, VALID

SITEURL = "https://certification.example.org"


@pytest.fixture(scope="module")
def public(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("public") / "output"
    golden_tree.build_sample(out, siteurl=SITEURL, settings_override={"OCPP_FEED_ATOM": "feeds/certificates.atom"})
    return out


def schema(site: Path) -> dict:
    return json.loads((site / "schema" / "certificate-record.schema.json").read_bytes())


def test_every_certificate_json_validates_against_the_published_schema(public, samples):
    validator = jsonschema.Draft202012Validator(schema(public))
    for cert in samples.certificates:
        data = json.loads((public / "certificates" / cert.id / "certificate.json").read_bytes())
        assert list(validator.iter_errors(data)) == [], cert.id
        assert data["id"] == cert.id and data["device"].get("software_version") == cert.software_version


def test_directory_json(public, samples):
    data = json.loads((public / "directory.json").read_bytes())
    assert data["format"] == 1 and data["generated"] == "2026-11-24"
    ids = [c["id"] for c in data["certificates"]]
    assert ids == sorted(c.id for c in samples.certificates)
    validator = jsonschema.Draft202012Validator(schema(public))
    for item in data["certificates"]:
        assert item.pop("url") == f"{SITEURL}/certificates/{item['id']}/"
        cert = samples.by_id[item["id"]]
        assert item.pop("certificate_type") == cert.certificate_type
        vendor = samples.device_of[cert.id].vendor  # issue 35: its stable id and every name it goes by
        assert item.pop("vendor_id") == vendor.slug and f"/vendors/{vendor.slug}/" == "/" + vendor.url
        assert item.pop("vendor_names", []) == vendor.other_names
        # each feature by the name Part 5 writes (the program file's), beside the record
        assert item.pop("feature_names", {}) == {
            f: (samples.program.rules_of(cert).feature(f, cert.device_type).title
                if samples.program.rules_of(cert).part5 else samples.program.rules_of(cert).feature_title(f))
            for f in cert.features}
        if "document_sha256" in item:  # beside the record, not part of it: its document's file here
            assert item.pop("document_url") == f"{SITEURL}/certificates/{item['id']}/certificate.pdf"
            assert len(item.pop("document_sha256")) == 64
        assert list(validator.iter_errors(item)) == []
    text = (public / "directory.json").read_text("utf-8")
    assert text == json.dumps(json.loads(text), ensure_ascii=False, sort_keys=True, indent=1) + "\n"
    names = {c["id"]: c.get("feature_names") for c in json.loads(text)["certificates"]}
    assert names["OCA.0201.0026.CS"]["C-42"] == "Signed Metervalues (SampledDataSignReadings)"
    assert names["OCA.0021.0001.CS"]["BPT-1"] == "Frequency support"


@pytest.mark.parametrize("broken", [
    lambda d: d["test"]["results"].update(failed=2),
    lambda d: d.update(ocpp_version="1.5"),
    lambda d: d["device"].pop("hardware"),
    lambda d: d.update(profiles=["full", "core"]),
    lambda d: d.update(surprise=True),
    lambda d: d["vendor"].update(country="NO!"),
])
def test_the_schema_refuses_what_the_validator_refuses(public, broken):
    data = json.loads((public / "certificates" / "OCA.0016.0115.CS" / "certificate.json").read_bytes())
    broken(data)
    assert list(jsonschema.Draft202012Validator(schema(public)).iter_errors(data))


def test_schema_is_generated_from_the_validators_sources(samples):
    text = record_schema.json_schema(samples, SITEURL)
    data = json.loads(text)
    from ocpp_directory.model.format import TOP_REQUIRED
    assert data["properties"]["id"]["pattern"] == samples.program.numbering.json_pattern()
    assert data["required"] == list(TOP_REQUIRED)
    assert data["properties"]["test"]["properties"]["laboratory"]["enum"] == list(samples.program.laboratories)


def test_csv_opens_in_pythons_csv_module(public, samples):
    raw = (public / "directory.csv").read_bytes()
    assert raw.count(b"\r\n") == len(samples.certificates) + 1  # RFC 4180 line ends, header row
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"), newline="")))
    assert [r["id"] for r in rows] == sorted(c.id for c in samples.certificates)
    row = next(r for r in rows if r["id"] == "OCA.0016.0115.CS")
    assert row["profiles"] == "full; security" and row["models"] == "VD22-S; VD22-C"
    assert row["url"] == f"{SITEURL}/certificates/OCA.0016.0115.CS/"
    assert next(r for r in rows if r["id"] == "OCA.0016.0108.CS")["vendor_name"] == "한빛충전 주식회사"


def test_csv_cells_never_run_in_a_spreadsheet(tmp_path):
    text = (VALID.replace("name: Voltaris Energy B.V.", 'name: "=cmd|\' /C calc\'!A0"')
            .replace("name: Voltaris Duo 22", 'name: "+SUM(1,2)"')
            .replace('models: ["VD22-S", "VD22-C"]', 'models: ["-2+3", "@import", "ok, \\"quoted\\""]'))
    (tmp_path / "certs").mkdir()
    (tmp_path / "certs" / "OCA.0016.0115.CS.yaml").write_text(text)
    build(str(ROOT / "pelicanconf.py"), tmp_path / "out", certificates=str(tmp_path / "certs"),
          date="2026-11-24", cache=tmp_path / "cache")
    row = next(csv.DictReader(io.StringIO((tmp_path / "out" / "directory.csv").read_text("utf-8"), newline="")))
    assert row["vendor_name"] == "'=cmd|' /C calc'!A0"
    assert row["device_name"] == "'+SUM(1,2)"
    assert row["models"] == "'-2+3; @import; ok, \"quoted\""


def test_atom_feed(public, samples):
    root = ET.parse(public / "feeds" / "certificates.atom").getroot()
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = root.findall("a:entry", ns)
    assert len(entries) == len(samples.certificates)
    newest = samples.certificates[0]
    assert entries[0].find("a:link", ns).get("href") == f"{SITEURL}/certificates/{newest.id}/"
    assert root.find("a:updated", ns).text.startswith(newest.issued.isoformat())
    for entry in entries:
        assert entry.find("a:link", ns).get("href").startswith(SITEURL + "/")
    page = (public / "index.html").read_text("utf-8")
    assert 'type="application/atom+xml"' in page


def test_the_sitemap_is_what_elementtree_writes():
    """The sitemap is written as text: the bytes ElementTree gives, escapes included."""
    urls = ["https://x.example/a&b/", "https://x.example/<c>/", "https://x.example/ä/", "https://x.example/",
            "https://x.example/a&b/"]
    root = ET.Element("urlset", xmlns="http://www.sitemaps.org/schemas/sitemap/0.9")
    for url in sorted(set(urls)):
        ET.SubElement(ET.SubElement(root, "url"), "loc").text = url
    expected = b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8") + b"\n"
    assert exports.sitemap(urls) == expected


def test_sitemap_robots_and_canonical_links(public):
    root = ET.parse(public / "sitemap.xml").getroot()
    locs = {e.text for e in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")}
    pages = [p for p in public.rglob("index.html")]
    assert len(locs) == len(pages)
    for page in pages:
        relative = str(page.relative_to(public).parent)
        url = f"{SITEURL}/" if relative == "." else f"{SITEURL}/{relative}/"
        assert url in locs
        # The English page is the canonical address of both; each links the other (hreflang).
        english = url.replace(f"{SITEURL}/ko/", f"{SITEURL}/")
        text = page.read_text("utf-8")
        assert f'<link rel="canonical" href="{english}">' in text, page
        assert f'<link rel="alternate" hreflang="en" href="{english}">' in text, page
        assert f'<link rel="alternate" hreflang="ko" href="{english.replace(SITEURL, SITEURL + "/ko", 1)}">' in text
    assert (public / "robots.txt").read_text() == f"User-agent: *\nAllow: /\nSitemap: {SITEURL}/sitemap.xml\n"


def test_statistics_charts_are_static_described_and_tabled(public):
    page = (public / "statistics" / "index.html").read_text("utf-8")
    charts = sorted((public / "statistics").glob("*.svg"))
    assert len(charts) == 5
    for chart in charts:
        svg = chart.read_text("utf-8")
        ET.fromstring(svg)
        assert "<script" not in svg and "http://" not in svg.replace("http://www.w3.org", "")
        assert f'src="{chart.name}"' in page
    assert page.count('<p class="chart-description">') == 5 and page.count("<table") == 5
    assert "Certificates per year by OCPP version, 2020 to 2026: 35 certificates in all" in page


def test_ledger_holds_the_protected_fields(public):
    ledger = json.loads((public / "ledger.json").read_bytes())
    entry = ledger["certificates"]["OCA.0016.0115.CS"]
    assert set(entry["fields"]) == set(serial.PROTECTED)
    assert entry["fields"]["device.software_version"] == "4.10.0"
    assert ledger["corrections"] == []


def test_exports_escape_hostile_text(tmp_path):
    hostile = "<script>x</script> & ]]> \"q\" 'a' \u202e"
    text = VALID.replace("name: Voltaris Energy B.V.", "name: " + json.dumps(hostile))
    (tmp_path / "certs").mkdir()
    (tmp_path / "certs" / "OCA.0016.0115.CS.yaml").write_text(text)
    out = tmp_path / "out"
    build(str(ROOT / "pelicanconf.py"), out, certificates=str(tmp_path / "certs"), siteurl=SITEURL,
          date="2026-11-24", cache=tmp_path / "cache",
          settings_override={"OCPP_FEED_ATOM": "feeds/certificates.atom"})
    assert json.loads((out / "directory.json").read_bytes())["certificates"][0]["vendor"]["name"] == hostile
    feed = ET.parse(out / "feeds" / "certificates.atom").getroot()
    titles = [e.text for e in feed.iter("{http://www.w3.org/2005/Atom}title")]
    from ocpp_directory.model.text import visible_bidi

    assert any(visible_bidi(hostile) in (t or "") for t in titles)  # the override shown, not obeyed
    assert "<script>x" not in (out / "feeds" / "certificates.atom").read_text("utf-8")
    assert re.search(r"<script>x", (out / "sitemap.xml").read_text()) is None


def test_directory_files_pieced_from_kept_parts_are_those_encoded_whole(tmp_path, samples):
    """directory.json, the ledger and the CSV are joined from each certificate's part, kept between
    builds: byte for byte what encoding the whole directory at once gives, hostile text included."""
    import dataclasses
    import datetime as dt
    import hashlib

    from ocpp_directory.engine.cache import Memo, RecordCache
    from ocpp_directory.model.text import json_bytes

    hostile = "<x> & \"q\" \u202e \ue000 \\ \n end"
    certs = [dataclasses.replace(c, vendor_name=hostile) if i % 3 == 0 else c
             for i, c in enumerate(samples.certificates)]
    directory = dataclasses.replace(samples, certificates=certs)
    digests = {c.id: hashlib.sha256(f"{c.id}{c.vendor_name}".encode()).hexdigest() for c in certs}
    corrections = [{"id": certs[0].id, "reason": "typo \ue000 \u202e", "date": "2026-11-24"}]
    base, day = "https://example.org", dt.date(2026, 11, 24)
    by_id = sorted(certs, key=lambda c: c.id)
    whole_json = json_bytes({"format": exports.EXPORT_FORMAT, "generated": day.isoformat(),
                             "schema": f"{base}/schema/certificate-record.schema.json",
                             "certificates": [exports.directory_entry(directory, c, base) for c in by_id]},
                            indent=1)
    entries = {}
    for c in by_id:
        fields = serial.protected_fields(c)
        entries[c.id] = {"sha256": hashlib.sha256(json.dumps(fields, sort_keys=True, separators=(",", ":"))
                                                  .encode()).hexdigest(), "fields": fields}
        if c.revisions:
            entries[c.id]["revisions"] = [{"date": r.date.isoformat(), "change": r.change} for r in c.revisions]
    whole_ledger = json_bytes({"format": exports.EXPORT_FORMAT, "certificates": entries,
                               "corrections": corrections}, indent=1)
    for _ in range(2):  # parts made, then parts kept
        store = RecordCache(tmp_path / "parts.pickle", "salt")
        memo = Memo(store, digests)
        assert exports.directory_json(directory, day, base, memo) == whole_json
        assert exports.ledger(directory, corrections, memo) == whole_ledger
        csv_text = exports.directory_csv(directory, base, memo)
        memo.save()
    assert store.hits == 3 * len(certs)
    assert csv_text == exports.directory_csv(directory, base)
    rows = list(csv.reader(io.StringIO(csv_text.decode("utf-8"), newline="")))
    assert rows[0] == list(exports.CSV_COLUMNS) and len(rows) == len(certs) + 1
    assert hostile.replace("\u202e", "[U+202E]") in {r[exports.CSV_COLUMNS.index("vendor_name")] for r in rows}
    empty = dataclasses.replace(samples, certificates=[])
    assert json.loads(exports.directory_json(empty, day, base))["certificates"] == []
    assert json.loads(exports.ledger(empty, [], NO_PARTS := Memo(None, {})))["certificates"] == {}
    assert NO_PARTS("x", certs[0], lambda: 1) == 1


def test_a_feed_per_vendor_and_per_device(public, samples):
    """Issue 35: an Atom feed for each vendor and each device, linked from its page."""
    ns = {"a": "http://www.w3.org/2005/Atom"}
    for vendor in samples.vendors:
        root = ET.parse(public / "feeds" / vendor.url / "certificates.atom").getroot()
        links = [e.find("a:link", ns).get("href") for e in root.findall("a:entry", ns)]
        assert links == [f"{SITEURL}/certificates/{c.id}/" for c in vendor.certificates]
        page = (public / vendor.url / "index.html").read_text("utf-8")
        assert f'/feeds/{vendor.url}certificates.atom"' in page and 'type="application/atom+xml"' in page
    for device in samples.devices:
        root = ET.parse(public / "feeds" / device.url / "certificates.atom").getroot()
        assert len(root.findall("a:entry", ns)) == len(device.certificates)
        assert device.name in root.find("a:title", ns).text


def test_the_data_page_documents_every_export_in_both_languages(public):
    """Issue 35: /data/ says what each export holds, the exact-version rule, how to follow changes, the licence."""
    for lang in ("", "ko/"):
        page = (public / lang / "data" / "index.html").read_text("utf-8")
        for export in ("/directory.json", "/directory.csv", "/schema/certificate-record.schema.json",
                       "/documents.json", "/check/vendors.json", "/log/checkpoint", "vendor_id", "vendor_names",
                       "feeds/vendors/", "--since", "https://creativecommons.org/licenses/by/4.0/"):
            assert export in page, (lang, export)
        assert "4.10.0-b12" in page  # the exact-version rule, with its example
