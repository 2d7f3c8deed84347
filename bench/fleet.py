"""The fleet check in the benchmark (issue 35): 10,000 chargers against the built directory, from the command
line (medians of 3 runs) and in Chromium with 4x CPU throttling (a phone-class CPU, medians of 3), and the
bytes /check/ fetches (gzip) for a 1,000-row fleet of 20 vendors."""

from __future__ import annotations

import csv
import functools
import gzip
import io
import json
import random
import shutil
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def fleet(site: Path, rows: int, vendors: int | None = None, seed: int = 35) -> str:
    """A fleet CSV drawn from the site's own certificates: most certified, some near misses, some with
    another version, some unknown (as an operator's file is)."""
    rng = random.Random(seed)
    data = json.loads((site / "directory.json").read_bytes())["certificates"]
    if vendors:
        chosen = sorted({c["vendor_id"] for c in data})[:vendors]
        data = [c for c in data if c["vendor_id"] in chosen]
    data = [c for c in data if c["device"].get("models") and c["device"].get("software_version")]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["chargePointVendor", "chargePointModel", "firmwareVersion", "serial"])
    for i in range(rows):
        c = rng.choice(data)
        version, vendor = c["device"]["software_version"], c["vendor"]["name"]
        roll = rng.random()
        if roll < 0.15:
            version = f"{version}-b{rng.randint(1, 99)}"
        elif roll < 0.2:
            vendor = vendor.upper()
        elif roll < 0.25:
            vendor = f"Unknown {i}"
        writer.writerow([vendor, rng.choice(c["device"]["models"]), version, f"SN{i}"])
    return out.getvalue()


def figures(site: Path, work: Path) -> dict:
    text = fleet(site, 10_000)
    path = work / "fleet.csv"
    path.write_text(text, "utf-8")
    cli = []
    for _ in range(3):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "ocpp_directory", "check", str(path), "--site", str(site), "--out",
                        str(work / "fleet-out.csv")], cwd=ROOT, capture_output=True,
                       env={"PYTHONPATH": str(ROOT / "plugins"), "PATH": "/usr/bin:/bin"})
        cli.append(time.perf_counter() - start)
    browser, fetched = _in_chromium(site, text, fleet(site, 1_000, vendors=20))
    return {"rows": 10_000, "cli_seconds_median": round(statistics.median(cli), 3),
            "browser_seconds_median_4x_throttled": browser,
            "bytes_fetched_gzip_1000_rows_20_vendors": fetched}


def _in_chromium(site: Path, text: str, small: str) -> tuple[float, int]:
    from playwright.sync_api import sync_playwright

    from .run import _Quiet, _Server

    server = _Server(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        times = []
        for _ in range(3):
            tab = browser.new_page()
            cdp = tab.context.new_cdp_session(tab)
            cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
            tab.goto(base + "/check/")
            times.append(tab.evaluate("""async text => { const start = performance.now();
                await window.OCPPFleet.run(text); return (performance.now() - start) / 1000; }""", text))
            tab.close()
        tab = browser.new_page()
        sizes = {}

        def on_response(response):
            path = site / urllib.parse.urlsplit(response.url).path.lstrip("/")
            if "/check/" in response.url and path.is_file() and path.suffix == ".json":
                sizes[response.url] = len(gzip.compress(path.read_bytes(), 6, mtime=0))

        tab.on("response", on_response)
        tab.goto(base + "/check/")
        tab.evaluate("text => window.OCPPFleet.run(text)", small)
        browser.close()
    server.shutdown()
    return round(statistics.median(times), 3), sum(sizes.values())
