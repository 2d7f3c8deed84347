"""Shared helpers: a valid record to break, and a way to check a folder of records."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import http.server
import os
import re
import subprocess
import sys
import shutil
import tempfile
import threading
from pathlib import Path

import pytest

from ocpp_directory.model.directory import load_directory
from ocpp_directory.model.errors import ValidationFailed
from ocpp_directory.model.program import load_program

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 11, 24)

#: The record format's example, valid. Tests break one thing in it at a time.
VALID = """\
id: OCA.0016.0115.CS
issued: "2024-03-18"
ocpp_version: "1.6"
profiles: [full, security]
vendor:
  name: Voltaris Energy B.V.
  country: NL
  website: https://voltaris.example
device:
  name: Voltaris Duo 22
  type: charging-station
  models: ["VD22-S", "VD22-C"]
  software_version: "4.10.0"
  hardware:
    evse: multiple
    connection: [socket]
    rfid: per-evse
    communication: [ethernet, mobile]
features:
  - core
  - firmware-management
  - smart-charging
  - reservation
  - local-auth-list-management
  - remote-trigger
security_profiles: [2, 3]
test:
  laboratory: DEKRA
  date: "2024-03-04"
  tool: OCTT 3.6.0
  reports: [DEKRA-TR-2024-0117]
  results: {passed: 212, failed: 0, not_applicable: 31}
performance:
  boot_to_accepted_s: 41
statement: >-
  Certified for OCPP 1.6 edition 2.
"""

VALID_CSMS = """\
id: OCA-201-2025-0001
issued: "2025-03-01"
ocpp_version: "2.0.1"
profiles: [core, smart-charging]
vendor:
  name: Gridwise Cloud Ltd
  country: GB
device:
  name: Gridwise Central
  type: csms
  software_version: "2025.1"
features: [C-11, SC-4]
test:
  laboratory: DNV GL
  date: "2025-02-10"
  tool: OCTT 4.0.0
  reports: [DNVGL-R-25-0001]
  results: {passed: 300, failed: 0, not_applicable: 10}
"""


def line_of(text: str, snippet: str) -> int:
    """The 1-based line where ``snippet`` first appears in ``text``."""
    index = text.index(snippet)
    return text.count("\n", 0, index) + 1


@pytest.fixture(scope="session")
def program():
    return load_program(ROOT / "program.yaml")


class Records:
    """A folder of records in a temporary working folder; paths in messages are relative."""

    def __init__(self, base: Path, program):
        self.base = base
        self.program = program
        (base / "certs").mkdir()

    def add(self, text: str | bytes, name: str = "OCA.0016.0115.CS", folder: str = "2024") -> str:
        path = Path("certs", folder, f"{name}.yaml") if not name.endswith((".yml", ".yaml")) \
            else Path("certs", folder, name)
        (self.base / path).parent.mkdir(parents=True, exist_ok=True)
        data = text.encode("utf-8") if isinstance(text, str) else text
        (self.base / path).write_bytes(data)
        return str(path)

    def problems(self, today: dt.date = TODAY) -> list[str]:
        """Every error and warning, as the one-line messages the OCA sees."""
        try:
            directory = load_directory(self.base / "certs", self.program, today)
        except ValidationFailed as exc:
            return [str(p) for p in exc.problems + exc.warnings]
        return [str(p) for p in directory.warnings]

    def directory(self, today: dt.date = TODAY):
        return load_directory(self.base / "certs", self.program, today)


@pytest.fixture
def records(tmp_path, monkeypatch, program) -> Records:
    monkeypatch.chdir(tmp_path)
    return Records(tmp_path, program)


@pytest.fixture
def check(records):
    """check(text) -> the problems of one record file named after the example's id."""

    def run(text: str | bytes, name: str | None = None) -> list[str]:
        found = re.search(r"^id: ([A-Za-z0-9.-]+)$", text, re.M) if isinstance(text, str) else None
        records.add(text, name or (found.group(1) if found else "OCA.0016.0115.CS"))
        return records.problems()

    return run


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """The sample site, built once per test run (as the golden tree is built)."""
    from . import golden_tree

    out = tmp_path_factory.mktemp("site") / "output"
    golden_tree.build_sample(out)
    return out


@pytest.fixture(scope="session")
def samples(program):
    """The sample records, validated and modelled."""
    return load_directory(ROOT / "certificates", program, TODAY)


def make(*args: str, **extra_env: str) -> subprocess.CompletedProcess:
    """Run Makefile targets with this interpreter (no virtualenv set-up), judged on a pinned date."""
    bin_dir = str(Path(sys.executable).parent)
    env = {k: v for k, v in os.environ.items() if k not in ("MAKELEVEL", "MAKEFLAGS", "MFLAGS")}
    return subprocess.run(["make", "--no-print-directory", "-s", *args, f"BIN={bin_dir}", "STAMP="], cwd=ROOT,
                          capture_output=True, text=True, timeout=600,
                          env={**env, "PYTHONPATH": str(ROOT / "plugins"), "SOURCE_DATE_EPOCH": "1795478400",
                               **extra_env})


def digest(folder: Path) -> dict[str, str]:
    """Every file below ``folder`` and the hash of its bytes."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve(folder: Path, handler: type = QuietHandler):
    """Serve ``folder`` on a free loopback port; yields the base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


# -- the browser: Debian's chromium through Playwright -----------------------------------------------

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# No sandbox (CI runs as root) and no background traffic (the machine is offline).
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def base_url(site):
    with serve(site) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, headless, driven by Playwright (which never downloads a browser here)."""
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, base_url):
    context = browser.new_context()
    page = context.new_page()
    page.errors = []
    page.requests = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    page.on("console", lambda msg: msg.type == "error" and page.errors.append(msg.text))
    page.on("request", lambda request: page.requests.append(request.url))
    yield page
    assert page.errors == []
    assert all(url.startswith(base_url) for url in page.requests), "a page fetched from outside the site"
    context.close()


@pytest.fixture
def logkey(tmp_path, monkeypatch):
    """The log's Ed25519 key, for this test only, readable by its owner alone (publishconf.py reads
    OCPP_LOG_KEY): what a production publish needs to sign its log."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

    path = tmp_path / "log-key.pem"
    path.write_bytes(Ed25519PrivateKey.generate().private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    path.chmod(0o600)
    monkeypatch.setenv("OCPP_LOG_KEY", str(path))
    return path


def pytest_collection_modifyitems(items):
    """Every test that starts Chromium carries the browser marker, wherever it is."""
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


def pytest_configure(config):
    """Each test run keeps its renderings and records in a cache folder of its own, never the checkout's:
    builds through build_sample, the command line and make read OCPP_CACHE_PATH (pelicanconf.py)."""
    cache = Path(tempfile.mkdtemp(prefix="ocpp-tests-cache-"))
    os.environ["OCPP_CACHE_PATH"] = str(cache)
    # and records the checkpoints it publishes there too, never in the checkout (publishconf.py)
    os.environ["OCPP_LOG_PUBLISHED"] = str(cache / "log-checkpoints.json")
    config.add_cleanup(lambda: shutil.rmtree(cache, ignore_errors=True))
    config._checkout_cache = _listing(ROOT / ".cache")


def _listing(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file below ``folder`` with its size and modification time."""
    out = {}
    for path in folder.rglob("*") if folder.is_dir() else ():
        if path.is_file():
            info = path.stat()
            out[str(path.relative_to(folder))] = (info.st_size, info.st_mtime_ns)
    return out


def pytest_sessionfinish(session, exitstatus):
    """Tests work in their own folders: a run that changed the checkout's .cache fails, naming the files."""
    before = getattr(session.config, "_checkout_cache", None)
    if before is None or hasattr(session.config, "workerinput"):
        return
    after = _listing(ROOT / ".cache")
    changed = sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))
    if changed:
        session.config.get_terminal_writer().line(
            f"the test run changed the checkout's .cache ({len(changed)} files), e.g. {changed[:5]}: some test "
            "builds with the default cache instead of OCPP_CACHE_PATH", red=True)
        session.exitstatus = 1
