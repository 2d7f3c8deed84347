"""make devserver in Chromium: a saved record shows in the open tab; a broken one shows its error and line."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request

import pytest

from .conftest import ROOT
from .test_publish import free_port

RECORD = "2024/OCA.0016.0115.CS.yaml"


@pytest.fixture
def devserver(tmp_path):
    certs = tmp_path / "certs"
    (certs / "2024").mkdir(parents=True)
    shutil.copy(ROOT / "certificates" / RECORD, certs / RECORD)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "ocpp_directory", "devserver", "--certificates", str(certs), "--output",
         str(tmp_path / "out"), "--port", str(port), "--date", "2026-11-24", "--cache", str(tmp_path / "cache"),
         "--quiet"], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT / "plugins")},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):  # up to 30 s for the first build
        try:
            urllib.request.urlopen(url + "/", timeout=1).read()
            break
        except OSError:
            time.sleep(0.1)
    yield certs / RECORD, url
    process.terminate()
    process.wait(timeout=10)


def test_live_reload_and_errors_in_the_tab(devserver, browser):
    record, url = devserver
    page = browser.new_page()
    page.goto(url + "/certificates/OCA.0016.0115.CS/")
    assert "Certified for OCPP 1.6 edition 2" in page.locator(".statement-text").inner_text()
    # No file of the site carries the reload script: the devserver adds it as it serves a page.
    assert b"__livereload" not in (record.parents[2] / "out" / "certificates" / "OCA.0016.0115.CS"
                                   / "index.html").read_bytes()
    text = record.read_text("utf-8")
    record.write_text(text.replace("Certified for OCPP 1.6 edition 2", "Certified again, live"), "utf-8")
    page.wait_for_function("() => document.querySelector('.statement-text') && "
                           "document.querySelector('.statement-text').textContent.includes('Certified again, live')",
                           timeout=60_000)
    record.write_text(text.replace("issued:", "isued:"), "utf-8")
    page.wait_for_selector("#livereload-errors", timeout=60_000)
    errors = page.locator("#livereload-errors").inner_text()
    assert re.search(r"OCA\.0016\.0115\.CS\.yaml:2: isued: unknown field", errors), errors
    record.write_text(text, "utf-8")
    page.wait_for_function("() => !document.getElementById('livereload-errors') && "
                           "document.querySelector('.statement-text').textContent.includes('edition 2')",
                           timeout=60_000)
    page.close()


def test_a_tab_whose_page_did_not_change_is_not_reloaded(devserver, browser):
    """The record's page comes first, from memory; the build that follows tells the tabs which files
    it changed: the open About page, untouched by either, stays as it is."""
    record, url = devserver
    about, cert = browser.new_page(), browser.new_page()
    about.goto(url + "/about/")
    cert.goto(url + "/certificates/OCA.0016.0115.CS/")
    about.evaluate("""() => {
        window.kept = true;
        window.versions = [];
        new EventSource("/__livereload/events").onmessage = (e) => window.versions.push(JSON.parse(e.data).version);
    }""")
    about.wait_for_function("() => window.versions.length > 0")
    start = about.evaluate("() => window.versions[0]")
    record.write_text(record.read_text("utf-8").replace("Certified for OCPP 1.6 edition 2", "Saved once more"), "utf-8")
    cert.wait_for_function("() => document.querySelector('.statement-text') && "
                           "document.querySelector('.statement-text').textContent.includes('Saved once more')",
                           timeout=60_000)
    # The record's pages (one version), then the build (the next).
    about.wait_for_function(f"() => window.versions.some((v) => v >= {start + 2})", timeout=60_000)
    about.wait_for_timeout(500)  # a reload, were one due, would have begun
    assert about.evaluate("() => window.kept === true")
    about.close()
    cert.close()


def test_a_change_to_the_code_starts_the_devserver_again(tmp_path):
    """The code it runs is the code on disk: a saved module starts the same process again (exec),
    which serves again with a first build of the new code."""
    code = tmp_path / "plugins"
    shutil.copytree(ROOT / "plugins" / "ocpp_directory", code / "ocpp_directory",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "assets").symlink_to(ROOT / "assets")  # found beside the code (glyphs.ASSETS)
    certs = tmp_path / "certs"
    (certs / "2024").mkdir(parents=True)
    shutil.copy(ROOT / "certificates" / RECORD, certs / RECORD)
    port = free_port()
    log = tmp_path / "devserver.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "ocpp_directory", "devserver", "--certificates", str(certs), "--output",
             str(tmp_path / "out"), "--port", str(port), "--date", "2026-11-24", "--cache", str(tmp_path / "cache"),
             "--quiet"], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(code)}, stdout=out, stderr=out)
    url = f"http://127.0.0.1:{port}/"
    try:
        def serving() -> bool:
            try:
                return b"OCPP" in urllib.request.urlopen(url, timeout=1).read()
            except OSError:
                return False

        deadline = time.monotonic() + 60
        while not serving() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert serving(), log.read_text("utf-8", "replace")
        module = code / "ocpp_directory" / "serving.py"
        module.write_text(module.read_text("utf-8") + "\n# saved again\n", "utf-8")
        deadline = time.monotonic() + 60
        while b"the code changed: starting again" not in log.read_bytes() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert b"the code changed: starting again" in log.read_bytes()
        deadline = time.monotonic() + 60
        while not serving() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert serving() and process.poll() is None  # the same process, serving again
    finally:
        process.terminate()
        process.wait(timeout=10)
