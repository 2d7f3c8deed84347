"""Production is not a test run (issue 32): what a production publish refuses, what `make issue` and
`verify-document` refuse to pretend, and the staging recipe of the README, run as a new user would."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ocpp_directory.publishing.production import ProductionRefusal

from .conftest import ROOT
from .signing_keys import make_keys
from .test_publish import _production  # noqa: F401  (every publish here is a production one)
from .test_publish import SITEURL, A, cert, fetch, free_port, publish_to, records, wait_for_port

#: a sample record with a document the repository's TEST-ONLY key signed
SAMPLE = "2024/OCA.0016.0115.CS"


def cli(*args: str, env: dict | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ocpp_directory", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT / "plugins"), **(env or {})}, timeout=600)


@pytest.mark.parametrize("siteurl, why", [
    (None, "certification.openchargealliance.example, a placeholder"),
    ("http://certification.openchargealliance.org", "public https address"),
    ("https://certification.example.org", "a placeholder or test address"),
    ("https://directory.test", "a placeholder or test address"),
    ("https://127.0.0.1:8443", "a placeholder or test address"),
])
def test_a_placeholder_or_plain_http_address_is_refused(tmp_path, siteurl, why):
    from ocpp_directory.publishing.flow import publish_site
    from ocpp_directory.publishing.targets import LocalTarget

    from .test_publish import PUBLISHCONF

    with pytest.raises(ProductionRefusal, match=why) as refused:
        publish_site(PUBLISHCONF, tmp_path / "out", LocalTarget(tmp_path / "target"),
                     certificates=str(records(tmp_path / "r", cert(A))), siteurl=siteurl, date="2026-11-24")
    assert "make publish STAGING=1" in str(refused.value)
    assert not (tmp_path / "target").exists() and not (tmp_path / "out").exists()


def test_an_unsigned_log_and_a_readable_log_key_are_refused(tmp_path, monkeypatch, logkey):
    certs = records(tmp_path / "r", cert(A))
    logkey.chmod(0o644)
    with pytest.raises(ProductionRefusal, match=f"OCPP_LOG_KEY names {logkey}, which others may read or write "
                                                r"\(mode 644\): run chmod 600"):
        publish_to(tmp_path / "target", certs, tmp_path)
    monkeypatch.delenv("OCPP_LOG_KEY")
    with pytest.raises(ProductionRefusal, match="the log would be unsigned"):
        publish_to(tmp_path / "target", certs, tmp_path)
    assert not (tmp_path / "target").exists()


def record_with_document(folder: Path) -> Path:
    """The sample record and its TEST-ONLY-signed document, in a records folder of their own."""
    (folder / "2024").mkdir(parents=True)
    for suffix in (".yaml", ".pdf"):
        shutil.copy(ROOT / "certificates" / f"{SAMPLE}{suffix}", folder / f"{SAMPLE}{suffix}")
    return folder


def countersign(pdf: bytes, keys: dict, folder: Path) -> bytes:
    """``pdf`` with a second signature (another field) by ``keys``."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

    chain = keys["chain"].read_text()
    own = folder / "signer-only.pem"
    own.write_text(chain[:chain.index("-----END CERTIFICATE-----") + 25] + "\n")
    signer = signers.SimpleSigner.load(str(keys["key"]), str(own))
    out = signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)),
                           signers.PdfSignatureMetadata(field_name="Countersignature"), signer=signer)
    return out.getvalue()


def test_documents_must_verify_against_the_oca_authority_and_carry_no_test_signature(tmp_path, monkeypatch):
    certs = record_with_document(tmp_path / "records")
    document = certs / f"{SAMPLE}.pdf"
    keys, other = make_keys(tmp_path / "keys"), make_keys(tmp_path / "other", "other")
    monkeypatch.setenv("OCPP_DOCUMENT_CA", str(keys["ca"]))
    with pytest.raises(ProductionRefusal, match="1 document carries a signature of the repository's TEST-ONLY key"):
        publish_to(tmp_path / "target", certs, tmp_path)
    # Countersigned by the OCA's key, the TEST-ONLY signature underneath still refuses it.
    document.write_bytes(countersign(document.read_bytes(), keys, tmp_path))
    with pytest.raises(ProductionRefusal, match="TEST-ONLY key"):
        publish_to(tmp_path / "target", certs, tmp_path)
    # Issued afresh by the OCA's key: it must verify against OCPP_DOCUMENT_CA, which must be set.
    document.unlink()
    issued = cli("issue", "--certificates", str(certs), "--siteurl", SITEURL, "--date", "2026-11-24",
                 env={"OCPP_SIGNING_KEY": str(keys["key"]), "OCPP_SIGNING_CERT": str(keys["chain"])})
    assert issued.returncode == 0, issued.stderr
    monkeypatch.setenv("OCPP_DOCUMENT_CA", str(other["ca"]))
    with pytest.raises(ProductionRefusal, match=r"1 document does not verify against OCPP_DOCUMENT_CA .*signed by"):
        publish_to(tmp_path / "target", certs, tmp_path)
    monkeypatch.delenv("OCPP_DOCUMENT_CA")
    with pytest.raises(ProductionRefusal, match="OCPP_DOCUMENT_CA is not set"):
        publish_to(tmp_path / "target", certs, tmp_path)
    assert not (tmp_path / "target" / "current").exists()
    monkeypatch.setenv("OCPP_DOCUMENT_CA", str(keys["ca"]))
    done = publish_to(tmp_path / "target", certs, tmp_path)
    assert done["added"] == [SAMPLE.split("/")[1]]


def test_make_issue_checks_the_key_before_signing_anything(tmp_path):
    certs = tmp_path / "records"
    (certs / "2024").mkdir(parents=True)
    shutil.copy(ROOT / "certificates" / f"{SAMPLE}.yaml", certs / f"{SAMPLE}.yaml")
    keys, other = make_keys(tmp_path / "keys"), make_keys(tmp_path / "other", "other")
    mismatched = cli("issue", "--certificates", str(certs), "--siteurl", SITEURL,
                     env={"OCPP_SIGNING_KEY": str(other["key"]), "OCPP_SIGNING_CERT": str(keys["chain"])})
    assert mismatched.returncode == 1 and "Traceback" not in mismatched.stderr
    assert "is not the key of the first certificate in" in mismatched.stderr
    keys["key"].chmod(0o644)
    readable = cli("issue", "--certificates", str(certs), "--siteurl", SITEURL,
                   env={"OCPP_SIGNING_KEY": str(keys["key"]), "OCPP_SIGNING_CERT": str(keys["chain"])})
    assert readable.returncode == 1 and "which others may read or write (mode 644)" in readable.stderr
    assert not list(certs.rglob("*.pdf"))


def test_verify_document_has_no_default_trust_anchor(tmp_path):
    """Without --trust or OCPP_DOCUMENT_CA it says what it can tell, and that who signed cannot be told; with
    another authority, a clear 'another key', no traceback."""
    site = tmp_path / "site"
    built = cli("build", "--certificates", str(record_with_document(tmp_path / "records")), "--output", str(site),
                "--date", "2026-11-24", "--quiet")
    assert built.returncode == 0, built.stderr
    document = str(tmp_path / "records" / f"{SAMPLE}.pdf")
    env = {k: v for k, v in os.environ.items() if k != "OCPP_DOCUMENT_CA"}
    bare = subprocess.run([sys.executable, "-m", "ocpp_directory", "verify-document", document, "--site", str(site)],
                          cwd=ROOT, capture_output=True, text=True, env={**env, "PYTHONPATH": str(ROOT / "plugins")})
    assert bare.returncode == 1 and "Traceback" not in bare.stderr
    assert "NOT VERIFIED: the signature is intact" in bare.stderr and "cannot be told" in bare.stderr
    assert "lists it as the current document of OCA.0016.0115.CS" in bare.stderr
    other = make_keys(tmp_path / "other", "other")
    stranger = cli("verify-document", document, "--site", str(site), "--trust", str(other["ca"]))
    assert stranger.returncode == 1 and "signed by another key" in stranger.stderr
    assert "Traceback" not in stranger.stderr and "WARNING" not in stranger.stderr


def test_a_publish_never_touches_the_preview(tmp_path):
    """`make publish`, refused or done, builds in its own folder: output/ stays as make html left it."""
    preview = tmp_path / "output"
    certs = records(tmp_path / "r", cert(A))
    made = subprocess.run(["make", "-s", "html", f"CERTIFICATES={certs}", f"OUTPUTDIR={preview}"], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert made.returncode == 0, made.stderr
    before = {p: p.read_bytes() for p in preview.rglob("*") if p.is_file()}
    common = [f"CERTIFICATES={certs}", f"OUTPUTDIR={preview}", f"PUBLISH_OUTPUT={tmp_path / 'publish' / 'site'}",
              f"DEPLOY_TARGET={tmp_path / 'target'}"]
    refused = subprocess.run(["make", "-s", "publish", *common], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert refused.returncode != 0 and "placeholder" in refused.stderr
    done = subprocess.run(["make", "-s", "publish", *common, f"SITEURL={SITEURL}"], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert {p: p.read_bytes() for p in preview.rglob("*") if p.is_file()} == before


def test_the_readme_staging_recipe_runs_on_the_samples(tmp_path):
    """The README's two staging commands, as written (the folder and port moved into this test's own)."""
    text = (ROOT / "README.md").read_text("utf-8")
    block = re.search(r"### Staging: try a publish from a fresh clone\n\n```sh\n(.*?)```", text, re.S).group(1)
    commands = [line.split() for line in block.strip().splitlines()]
    assert len(commands) <= 3 and [c[:2] for c in commands] == [["make", "publish"], ["make", "serve"]]
    folder, port = tmp_path / "ocpp-staging", free_port()

    def mine(word: str) -> str:
        return word.replace("/tmp/ocpp-staging", str(folder)).replace(":8000", f":{port}")

    publish, serve = ([mine(w) for w in c] for c in commands)
    publish.append(f"PUBLISH_OUTPUT={tmp_path / 'publish' / 'site'}")  # the checkout's .publish/ stays untouched
    done = subprocess.run(publish, cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    assert "STAGING release" in done.stdout and "35 certificates" in done.stdout
    server = subprocess.Popen([*serve, f"PORT={port}"], cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_for_port(port, 60)
        status, page = fetch(f"http://127.0.0.1:{port}/certificates/OCA.0016.0115.CS/")
        assert status == 200 and "Staging site." in page and f"http://127.0.0.1:{port}/certificates/" in page
        status, korean = fetch(f"http://127.0.0.1:{port}/ko/")
        assert status == 200 and 'class="staging-banner"' in korean
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)
    label = (folder / "current" / "certificates" / "OCA.0016.0115.CS" / "label.svg").read_text("utf-8")
    assert 'fill="#B00020"' in label  # the verify line, in red: NOT FOR PRINT: staging site
    assert not (ROOT / "log-checkpoints.json").exists() or "ocpp-staging" not in (
        ROOT / "log-checkpoints.json").read_text("utf-8")


def test_make_issue_refuses_a_placeholder_address(tmp_path):
    """A document is issued once and kept: publishconf.py's placeholder address must never be in its
    QR code (make issue takes it when SITEURL is not given)."""
    certs = tmp_path / "records"
    (certs / "2024").mkdir(parents=True)
    shutil.copy(ROOT / "certificates" / f"{SAMPLE}.yaml", certs / f"{SAMPLE}.yaml")
    keys = make_keys(tmp_path / "keys")
    refused = cli("issue", "--certificates", str(certs), "--siteurl", "https://certification.openchargealliance.example",
                  env={"OCPP_SIGNING_KEY": str(keys["key"]), "OCPP_SIGNING_CERT": str(keys["chain"])})
    assert refused.returncode == 1 and "a placeholder or test address" in refused.stderr
    assert not list(certs.rglob("*.pdf"))
