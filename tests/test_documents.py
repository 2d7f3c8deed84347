"""The OCPP Certificate document: issued once, signed (PAdES), the record inside, checked by anyone."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT, serve
from .signing_keys import make_keys

SITEURL = "https://certification.openchargealliance.org"  # make issue refuses a placeholder address
#: a 1.6 charging station, a 2.0.1 CSMS of a Korean vendor, an accented vendor's 2.0.1 station
RECORDS = ("2024/OCA.0016.0115.CS.yaml", "2026/OCA.0201.0028.CSMS.yaml", "2024/OCA.0201.0022.CS.yaml")


def cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ocpp_directory", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT / "plugins"), **(env or {})}, timeout=300)


def signing_env(keys: dict) -> dict:
    return {"OCPP_SIGNING_KEY": str(keys["key"]), "OCPP_SIGNING_CERT": str(keys["chain"])}


@pytest.fixture(scope="module")
def issued(tmp_path_factory):
    """Three records, their documents issued with keys made for this test, and the site built from them."""
    base = tmp_path_factory.mktemp("documents")
    certs = base / "certs"
    for name in RECORDS:
        (certs / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / "certificates" / name, certs / name)
    keys = make_keys(base / "keys")
    result = cli("issue", "--certificates", str(certs), "--siteurl", SITEURL, "--date", "2026-11-24",
                 env=signing_env(keys))
    assert result.returncode == 0, result.stderr
    assert "3 documents issued and signed" in result.stdout
    site = base / "site"
    built = cli("build", "--certificates", str(certs), "--output", str(site), "--siteurl", SITEURL,
                "--date", "2026-11-24", "--cache", str(base / "cache"), "--quiet")
    assert built.returncode == 0, built.stderr
    data = bytearray(pdf_of(certs, "OCA.0016.0115.CS").read_bytes())
    data[data.index(b"Voltaris Duo 22") if b"Voltaris Duo 22" in data else len(data) // 3] ^= 0x01
    (base / "altered.pdf").write_bytes(bytes(data))  # one changed byte
    return base, certs, keys, site


def pdf_of(certs: Path, cert_id: str) -> Path:
    return next(certs.rglob(f"{cert_id}.pdf"))


def test_poppler_and_pyhanko_find_a_valid_signature_and_one_changed_byte_breaks_it(issued):
    from ocpp_directory.issuing.signing import check

    base, certs, keys, _ = issued
    path = pdf_of(certs, "OCA.0016.0115.CS")
    report = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout
    assert "Signature is Valid." in report and "Total document signed" in report
    assert "ETSI.CAdES.detached" in report  # PAdES
    found = check(path.read_bytes(), [keys["ca"]])
    assert found.signed and found.intact and found.trusted
    altered = base / "altered.pdf"
    assert "Signature is Valid." not in subprocess.run(["pdfsig", str(altered)], capture_output=True, text=True).stdout
    assert not check(altered.read_bytes(), [keys["ca"]]).intact


def test_the_text_holds_every_field_of_section_8_2_1(issued):
    _, certs, _, _ = issued
    text = subprocess.run(["pdftotext", str(pdf_of(certs, "OCA.0016.0115.CS")), "-"], capture_output=True,
                          text=True).stdout
    for expected in ("OPEN CHARGE ALLIANCE", "OCPP Certificate", "OCA.0016.0115.CS", "Voltaris Energy B.V.",
                     "Voltaris Duo 22", "VD22-S", "EVSE: Multiple", "4.10.0", "OCPP 1.6: Full + Security",
                     "OCPP1.6 full certificate", "Certified for OCPP 1.6 edition 2", "OCTT 3.6.0", "DEKRA",
                     "2024-03-04", "212 passed, 0 failed, 31 not applicable", "Firmware Management", "Remote Trigger",
                     "TLS with client-side certificates", "DEKRA-TR-2024-0117", "Issued 2024-03-18",
                     f"{SITEURL}/certificates/OCA.0016.0115.CS/", "How to verify"):
        assert expected in text, expected
    korean = subprocess.run(["pdftotext", str(pdf_of(certs, "OCA.0201.0028.CSMS")), "-"], capture_output=True,
                            text=True).stdout
    assert "서울모빌리티 주식회사" in korean and "충전관제 플랫폼 SM-Cloud" in korean  # real text, copyable
    fonts = subprocess.run(["pdffonts", str(pdf_of(certs, "OCA.0201.0028.CSMS"))], capture_output=True,
                           text=True).stdout
    assert "OCPPDirectoryHangul" in fonts and "DejaVuSans" in fonts and " no " not in fonts.split("---\n", 1)[1][:0]
    assert all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:] if line.strip())  # every font embedded


def test_the_qr_code_in_the_pdf_decodes_to_the_page(issued, tmp_path):
    import zxingcpp
    from PIL import Image

    _, certs, _, _ = issued
    subprocess.run(["pdftoppm", "-r", "200", "-png", str(pdf_of(certs, "OCA.0016.0115.CS")), str(tmp_path / "page")],
                   check=True)
    image = Image.open(next(tmp_path.glob("page*.png")))
    assert [r.text for r in zxingcpp.read_barcodes(image)] == [f"{SITEURL}/certificates/OCA.0016.0115.CS/"]


def test_the_attached_record_is_certificate_json_and_the_site_links_the_document(issued):
    from ocpp_directory.issuing.signing import attachment

    _, certs, _, site = issued
    for cert_id in ("OCA.0016.0115.CS", "OCA.0201.0028.CSMS"):
        held = attachment(pdf_of(certs, cert_id).read_bytes(), "certificate.json")
        assert held == (site / "certificates" / cert_id / "certificate.json").read_bytes()
        assert (site / "certificates" / cert_id / "certificate.pdf").read_bytes() == pdf_of(certs, cert_id).read_bytes()
        assert 'href="certificate.pdf"' in (site / "certificates" / cert_id / "index.html").read_text("utf-8")
    documents = json.loads((site / "documents.json").read_bytes())["documents"]
    assert {d["id"] for d in documents.values()} == {"OCA.0016.0115.CS", "OCA.0201.0028.CSMS", "OCA.0201.0022.CS"}


def test_a_second_issue_writes_nothing_and_no_keys_is_refused(issued):
    _, certs, keys, _ = issued
    before = {p: p.read_bytes() for p in certs.rglob("*.pdf")}
    again = cli("issue", "--certificates", str(certs), "--siteurl", SITEURL, "--date", "2026-11-24",
                env=signing_env(keys))
    assert again.returncode == 0 and "0 documents issued and signed, 3 certificates already have theirs" in again.stdout
    assert {p: p.read_bytes() for p in certs.rglob("*.pdf")} == before
    bare = {k: v for k, v in os.environ.items() if not k.startswith("OCPP_SIGNING")}
    refused = subprocess.run([sys.executable, "-m", "ocpp_directory", "issue", "--certificates", str(certs),
                              "--siteurl", SITEURL], cwd=ROOT, capture_output=True, text=True,
                             env={**bare, "PYTHONPATH": str(ROOT / "plugins")})
    assert refused.returncode == 1
    assert "set OCPP_SIGNING_KEY to the OCA's private key (PEM) and OCPP_SIGNING_CERT" in refused.stderr
    assert str(keys["key"]) not in refused.stderr + refused.stdout


def test_verify_document_says_what_each_file_is(issued, tmp_path):
    base, certs, keys, site = issued
    good = pdf_of(certs, "OCA.0016.0115.CS")
    trust = ["--trust", str(keys["ca"]), "--site", str(site)]
    ok = cli("verify-document", str(good), *trust)
    assert ok.returncode == 0 and "the document the OCA issued for OCA.0016.0115.CS" in ok.stdout
    altered = base / "altered.pdf"
    assert cli("verify-document", str(altered), *trust).returncode == 1
    assert "changed after signing" in cli("verify-document", str(altered), *trust).stderr
    label = site / "certificates" / "OCA.0016.0115.CS" / "label.pdf"
    assert "not signed" in cli("verify-document", str(label), *trust).stderr
    other = make_keys(tmp_path / "other", "other", "Someone Else")
    stranger = cli("verify-document", str(good), "--trust", str(other["ca"]), "--site", str(site))
    assert stranger.returncode == 1 and "signed by another key" in stranger.stderr


def test_a_changed_record_is_an_error_until_a_revision_reissues_it(issued, tmp_path):
    _, certs, keys, _ = issued
    folder = tmp_path / "certs"
    shutil.copytree(certs, folder)
    record = folder / "2024" / "OCA.0016.0115.CS.yaml"
    record.write_text(record.read_text("utf-8").replace('software_version: "4.10.0"', 'software_version: "4.10.1"'),
                      "utf-8")
    refused = cli("validate", "--certificates", str(folder), "--date", "2026-11-24")
    site = tmp_path / "site"
    build = cli("build", "--certificates", str(folder), "--output", str(site), "--siteurl", SITEURL,
                "--date", "2026-11-24", "--quiet")
    assert build.returncode == 1
    assert ("certs/2024/OCA.0016.0115.CS.yaml:13: device.software_version: 4.10.1 here but 4.10.0 in the issued "
            "document OCA.0016.0115.CS.pdf; the document's value, or a new entry in revisions (a correction), then make "
            "issue") in build.stderr.replace(str(tmp_path) + "/", "")
    # validate judges as the build does (issue 34): the record against its issued document
    assert refused.returncode == 1 and "4.10.1 here but 4.10.0 in the issued document" in refused.stderr
    record.write_text(record.read_text("utf-8") + 'revisions:\n  - date: "2026-11-20"\n'
                      "    change: Software version corrected to 4.10.1\n", "utf-8")
    issued_again = cli("issue", "--certificates", str(folder), "--siteurl", SITEURL, "--date", "2026-11-24",
                       env=signing_env(keys))
    assert issued_again.returncode == 0 and "OCA.0016.0115.CS.r1.pdf" in issued_again.stdout
    assert (folder / "2024" / "OCA.0016.0115.CS.pdf").exists()  # the first document is kept
    build = cli("build", "--certificates", str(folder), "--output", str(site), "--siteurl", SITEURL,
                "--date", "2026-11-24", "--quiet")
    assert build.returncode == 0, build.stderr
    documents = json.loads((site / "documents.json").read_bytes())["documents"]
    revisions = sorted((d["revision"], d["current"]) for d in documents.values() if d["id"] == "OCA.0016.0115.CS")
    assert revisions == [(0, False), (1, True)]
    page = (site / "certificates" / "OCA.0016.0115.CS" / "index.html").read_text("utf-8")
    assert 'href="certificate.r0.pdf">first document</a>' in page
    superseded = cli("verify-document", str(folder / "2024" / "OCA.0016.0115.CS.pdf"), "--trust", str(keys["ca"]),
                     "--site", str(site))
    assert superseded.returncode == 1 and "superseded: this is revision 0 of OCA.0016.0115.CS" in superseded.stderr


def test_publish_refuses_documents_signed_by_the_test_key(tmp_path, logkey):
    from ocpp_directory.publishing.flow import publish_site
    from ocpp_directory.publishing.targets import LocalTarget, PublishError

    certs = tmp_path / "certs" / "2024"
    certs.mkdir(parents=True)
    for suffix in (".yaml", ".pdf"):  # a sample and the document the TEST-ONLY key signed for it
        shutil.copy(ROOT / "certificates" / "2024" / f"OCA.0016.0115.CS{suffix}", certs)
    with pytest.raises(PublishError, match="a signature of the repository's TEST-ONLY key"):
        publish_site(str(ROOT / "publishconf.py"), tmp_path / "out", LocalTarget(tmp_path / "target"),
                     certificates=str(tmp_path / "certs"), siteurl=SITEURL, date="2026-11-24")
    assert not (tmp_path / "target" / "current").exists()


@pytest.fixture(scope="module")
def revised(issued, tmp_path_factory):
    """The issued records with OCA.0016.0115.CS corrected by a revision, re-issued, and the site built."""
    base, certs, keys, _ = issued
    folder = tmp_path_factory.mktemp("revised") / "certs"
    shutil.copytree(certs, folder)
    record = folder / "2024" / "OCA.0016.0115.CS.yaml"
    record.write_text(record.read_text("utf-8").replace('software_version: "4.10.0"', 'software_version: "4.10.1"')
                      + 'revisions:\n  - date: "2026-11-20"\n    change: Software version corrected\n', "utf-8")
    assert cli("issue", "--certificates", str(folder), "--siteurl", SITEURL, "--date", "2026-11-24",
               env=signing_env(keys)).returncode == 0
    site = folder.parent / "site"
    built = cli("build", "--certificates", str(folder), "--output", str(site), "--siteurl", SITEURL,
                "--date", "2026-11-24", "--quiet")
    assert built.returncode == 0, built.stderr
    return folder, site


def test_the_verify_page_checks_a_dropped_document_offline(issued, revised, browser):
    base, _, _, _ = issued
    folder, site = revised
    from .test_hardening import AXE

    unrelated = site / "certificates" / "OCA.0016.0115.CS" / "label.pdf"
    cases = [(folder / "2024" / "OCA.0016.0115.CS.r1.pdf",
              "This is the document the OCA issued for OCA.0016.0115.CS (revision 1)."),
             (folder / "2024" / "OCA.0016.0115.CS.pdf", "This is an earlier revision of OCA.0016.0115.CS (revision 0)"),
             (pdf_of(folder, "OCA.0201.0028.CSMS"), "This is the document the OCA issued for OCA.0201.0028.CSMS."),
             (base / "altered.pdf", "This file is not a document the OCA issued"),
             (unrelated, "This file is not a document the OCA issued")]
    with serve(site) as url:
        context = browser.new_context(bypass_csp=True)  # lets the test inject axe; the site stays unchanged
        page = context.new_page()
        requests = []
        page.on("request", lambda request: requests.append(request.url))
        page.goto(url + "/verify/")
        for path, expected in cases:
            page.locator("#verify-file").set_input_files(str(path))
            page.wait_for_function("text => document.getElementById('verify-document-result').textContent"
                                   ".includes(text)", arg=expected)
        assert all(r.startswith(url) for r in requests), "a request left the site"
        assert not [r for r in requests if r.endswith(".pdf")], "the file was sent somewhere"
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']}))
            .violations.map(v => v.id)""")
        assert violations == []
        context.close()
