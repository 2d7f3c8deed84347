"""The certificate log in the site: signed checkpoints, tiles, proofs on the pages, the auditor."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from ocpp_directory.outputs import certlog, tlog

from .conftest import ROOT, VALID, serve

SITEURL = "https://certification.example.org"
ORIGIN = "certification.example.org/log"


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ocpp_directory", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT / "plugins")}, timeout=300)


def build(certs: Path, out: Path, key: Path, base: Path | None = None) -> None:
    from ocpp_directory.pipeline.build import build as run

    override = {"OCPP_LOG_KEY": str(key)} | ({"OCPP_LOG_BASE": str(base)} if base else {})
    run(str(ROOT / "pelicanconf.py"), out, certificates=str(certs), siteurl=SITEURL, date="2026-11-24",
        settings_override=override)


@pytest.fixture(scope="module")
def logged(tmp_path_factory):
    base = tmp_path_factory.mktemp("log")
    key = Ed25519PrivateKey.generate()
    key_file = base / "log-key.pem"
    key_file.write_bytes(key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    vkey = certlog.verifier(key, ORIGIN).vkey()
    certs = base / "certs"
    shutil.copytree(ROOT / "certificates", certs, ignore=shutil.ignore_patterns("*.pdf"))
    shutil.copy(ROOT / "certificates" / "2023" / "OCA.0016.0124.CS.pdf", certs / "2023")
    build(certs, base / "first", key_file)
    return base, certs, key_file, vkey


def test_the_checkpoint_is_signed_and_every_certificate_has_its_proof(logged):
    base, certs, _, vkey = logged
    site = base / "first"
    text = tlog.open_note((site / "log" / "checkpoint").read_text("utf-8"), tlog.parse_vkey(vkey))
    checkpoint = tlog.parse_checkpoint(text)
    assert checkpoint.origin == ORIGIN and checkpoint.size == 35
    assert vkey in (site / "log" / "index.html").read_text("utf-8")
    proof = json.loads((site / "certificates" / "OCA.0016.0115.CS" / "log.json").read_bytes())
    entry = __import__("base64").b64decode(proof["entry"])
    assert json.loads(entry)["record"] == json.loads((site / "certificates" / "OCA.0016.0115.CS" /
                                                      "certificate.json").read_bytes())
    # log.json holds the entry and its index, never a proof: it does not change as the log grows.
    assert sorted(proof) == ["entry", "index"]
    leaves = [tlog.leaf_hash(e) for e in certlog.read_base(site / "log")]
    assert leaves[proof["index"]] == tlog.leaf_hash(entry)
    assert tlog.verify_inclusion(tlog.leaf_hash(entry), proof["index"], checkpoint.size,
                                 tlog.inclusion_proof(leaves, proof["index"]), checkpoint.root)
    page = (site / "certificates" / "OCA.0016.0115.CS" / "index.html").read_text("utf-8")
    assert f"Entry {proof['index'] + 1} of the" in page and f'data-vkey="{vkey}"' in page


def test_a_later_build_on_the_live_log_only_appends(logged, tmp_path):
    base, certs, key_file, vkey = logged
    more = tmp_path / "certs"
    shutil.copytree(certs, more)
    (more / "2024" / "OCA-16-2024-0999.yaml").write_text(
        VALID.replace("OCA.0016.0115.CS", "OCA-16-2024-0999").replace("Voltaris Duo 22", "Voltaris Solo 7"), "utf-8")
    build(more, tmp_path / "second", key_file, base=base / "first" / "log")
    old = certlog.read_base(base / "first" / "log")
    new = certlog.read_base(tmp_path / "second" / "log")
    assert len(new) == len(old) + 1 and new[:len(old)] == old
    kept = tmp_path / "kept-checkpoint"
    shutil.copy(base / "first" / "log" / "checkpoint", kept)
    audited = cli("audit", str(tmp_path / "second"), "--vkey", vkey, "--since", str(kept))
    assert audited.returncode == 0, audited.stderr
    assert "the log of 36 entries holds (checkpoint signature verified)" in audited.stdout
    assert "it extends the checkpoint kept in" in audited.stdout
    assert kept.read_bytes() == (tmp_path / "second" / "log" / "checkpoint").read_bytes()
    # A log rebuilt from nothing in another order cannot extend the kept checkpoint.
    shutil.copy(base / "first" / "log" / "checkpoint", kept)
    build(more, tmp_path / "afresh", key_file)
    refused = cli("audit", str(tmp_path / "afresh"), "--vkey", vkey, "--since", str(kept))
    assert refused.returncode == 1 and "not an extension of the kept checkpoint (size 35)" in refused.stderr


@pytest.mark.parametrize("tamper, finding", [
    (lambda s: _flip(s / "log" / "tile" / "entries" / "000.p/35"), "do not hash to the checkpoint's root"),
    (lambda s: _flip(s / "log" / "tile" / "0" / "000.p/35"), "log/tile/0/000.p/35: not the tile the entries make"),
    (lambda s: (s / "log" / "checkpoint").write_text(
        (s / "log" / "checkpoint").read_text("utf-8").replace("\n35\n", "\n34\n"), "utf-8"), "does not verify"),
    (lambda s: (s / "certificates" / "OCA.0016.0115.CS" / "index.html").unlink(), "OCA.0016.0115.CS: its page"),
    (lambda s: (s / "certificates" / "OCA.0016.0115.CS" / "log.json").write_text("{}", "utf-8"),
     "OCA.0016.0115.CS: log.json is missing or is not its entry in the log"),
    (lambda s: (s / "certificates" / "OCA.0016.0115.CS" / "log.json").write_bytes(
        (s / "certificates" / "OCA.0016.0104.CS" / "log.json").read_bytes()),
     "OCA.0016.0115.CS: log.json is missing or is not its entry in the log"),
])
def test_the_auditor_names_what_was_altered(logged, tmp_path, tamper, finding):
    base, _, _, vkey = logged
    site = tmp_path / "site"
    shutil.copytree(base / "first", site)
    assert cli("audit", str(site), "--vkey", vkey).returncode == 0
    tamper(site)
    result = cli("audit", str(site), "--vkey", vkey)
    assert result.returncode == 1 and finding in result.stderr, result.stderr


def _flip(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 1
    path.write_bytes(bytes(data))


def test_the_page_checks_its_entry_in_the_browser(logged, browser, tmp_path):
    base, _, _, _ = logged
    site = tmp_path / "site"
    shutil.copytree(base / "first", site)
    with serve(site) as url:
        page = browser.new_page()
        page.goto(url + "/certificates/OCA.0016.0115.CS/")
        page.wait_for_selector("#log-status.log-ok, #log-status.log-failed")
        status = page.locator("#log-status").inner_text()
        assert status.startswith("Entry ") and "checkpoint of 35 entries verified, signed by the OCA's log key" in status
        _flip(site / "log" / "tile" / "0" / "000.p/35")  # a sibling hash of the proof the page reads
        page.close()  # a tile is cached by its path (its bytes never change there): a new browser context
        page = browser.new_page()
        page.goto(url + "/certificates/OCA.0016.0115.CS/")
        page.wait_for_selector("#log-status.log-failed")
        assert "the inclusion proof does not lead to the checkpoint's root" in page.locator("#log-status").inner_text()
        page.close()


def test_log_key_makes_a_key_once_and_prints_its_verifier_key(tmp_path):
    made = cli("log-key", "--out", str(tmp_path / "key.pem"), "--origin", ORIGIN)
    assert made.returncode == 0 and (tmp_path / "key.pem").stat().st_mode & 0o777 == 0o600
    vkey = made.stdout.strip().splitlines()[-1]
    assert tlog.parse_vkey(vkey) == certlog.verifier(certlog.load_key(tmp_path / "key.pem"), ORIGIN)
    assert "PRIVATE" not in made.stdout
    again = cli("log-key", "--out", str(tmp_path / "key.pem"), "--origin", ORIGIN)
    assert again.returncode == 1 and "never overwritten" in again.stderr


def test_an_entry_too_long_for_a_bundle_fails_the_build_with_its_certificate(samples, monkeypatch):
    monkeypatch.setattr(certlog, "wanted", lambda directory, corrections, memo=None: [("OCA.0016.0115.CS", b"x" * 70_000)])
    with pytest.raises(tlog.LogError, match="the entry of OCA.0016.0115.CS is 70000 bytes; an entry bundle holds "
                                            "at most 65535"):
        certlog.build(samples, [])


@pytest.mark.parametrize("size", [1, 2, 7, 256, 257, 1000, 65536 + 300])
def test_the_browser_reads_every_inclusion_proof_from_the_tiles(browser, tmp_path, size):
    """tlog-tiles.js against RFC 6962's PATH, for trees of one and several tile levels, full and partial."""
    leaves = [tlog.leaf_hash(b"entry %d" % i) for i in range(size)]
    for path, data in tlog.tiles(leaves).items():
        (tmp_path / "log" / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "log" / path).write_bytes(data)
    shutil.copy(ROOT / "theme" / "static" / "js" / "tlog-tiles.js", tmp_path)
    (tmp_path / "index.html").write_text('<!doctype html><title>t</title><script src="tlog-tiles.js"></script>', "utf-8")
    picks = sorted({0, size - 1, size // 2, min(size - 1, 255), min(size - 1, 256), (size * 7) // 11})
    with serve(tmp_path) as url:
        page = browser.new_page()
        page.goto(url + "/")
        got = page.evaluate("""async ([indices, size]) => {
            const hex = (h) => Array.from(h, (b) => b.toString(16).padStart(2, "0")).join("");
            const out = [];
            for (const i of indices) { out.push((await OCPPTiles.proof("log/", i, size)).map(hex)); }
            return out;
        }""", [picks, size])
        refused = page.evaluate("""(size) => OCPPTiles.proof("log/", size, size).then(() => "proof", () => "refused")""", size)
        page.close()
    assert got == [[h.hex() for h in tlog.inclusion_proof(leaves, i)] for i in picks]
    assert refused == "refused"
