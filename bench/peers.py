"""The bench's peers and in-process figures: Hugo building the same certificate pages from the same
records, and the devserver's save-to-page time. Bench-only: Debian's ``hugo`` (``make bench``
installs it)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent

HUGO_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{ .Params.id }}: {{ .Params.vendor }} {{ .Params.device }}</title></head>
<body><main><h1>{{ .Params.id }}</h1><p>{{ .Params.vendor }} · {{ .Params.device }} · {{ .Params.version }}</p>
<dl>{{ range $k, $v := .Params.fields }}<dt>{{ $k }}</dt><dd>{{ $v }}</dd>{{ end }}</dl>
<p>{{ .Params.padding }}</p></main></body></html>
"""


def _flat(prefix: str, value, out: dict) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _flat(f"{prefix}{key}.", item, out)
    elif isinstance(value, list):
        out[prefix.rstrip(".")] = ", ".join(str(v) for v in value)
    else:
        out[prefix.rstrip(".")] = str(value)


def hugo_site(records: Path, site: Path, page_size: int) -> list[Path]:
    """A Hugo site of one content file a record (the record as front matter) and a template that
    renders its fields into a page of ``page_size`` bytes, like ours."""
    shutil.rmtree(site, ignore_errors=True)
    (site / "layouts" / "_default").mkdir(parents=True)
    (site / "layouts" / "_default" / "single.html").write_text(HUGO_PAGE, "utf-8")
    (site / "layouts" / "_default" / "list.html").write_text("", "utf-8")
    (site / "hugo.toml").write_text('baseURL = "https://bench.example.org/"\ndisableKinds = ["taxonomy", "term", '
                                    '"RSS", "sitemap", "robotsTXT", "404"]\n', "utf-8")
    folder = site / "content" / "certificates"
    folder.mkdir(parents=True)
    files = []
    for path in sorted(records.rglob("*.yaml")):
        record = yaml.safe_load(path.read_text("utf-8"))
        fields: dict = {}
        _flat("", record, fields)
        front = {"id": str(record.get("id")), "vendor": fields.get("vendor.name", ""),
                 "device": fields.get("device.name", ""), "version": fields.get("device.software_version", ""),
                 "fields": fields, "padding": ""}
        body = json.dumps(front)
        front["padding"] = "x" * max(0, page_size - len(body) - 400)
        target = folder / f"{record['id']}.md"
        target.write_text(json.dumps(front, ensure_ascii=False) + "\n", "utf-8")  # JSON front matter
        files.append(target)
    return files


def hugo(site: Path, output: Path) -> float:
    start = time.perf_counter()
    subprocess.run(["hugo", "--quiet", "--source", str(site), "--destination", str(output), "--noBuildLock"],
                   check=True, capture_output=True)
    return time.perf_counter() - start


def hugo_figures(records: Path, work: Path, page_size: int, runs: int = 3) -> dict | None:
    """Hugo cold (a fresh output, no cache) and a full rebuild after one content file changed: the median
    of ``runs`` runs of each, with every run's seconds and their spread (slowest / fastest)."""
    if not shutil.which("hugo"):
        return None
    site, output = work / "hugo-site", work / "hugo-out"
    colds, rebuilds = [], []
    for _ in range(runs):
        shutil.rmtree(site, ignore_errors=True)
        shutil.rmtree(output, ignore_errors=True)
        files = hugo_site(records, site, page_size)
        colds.append(hugo(site, output))
        changed = files[len(files) // 2]
        changed.write_text(changed.read_text("utf-8").replace('"padding": "x', '"padding": "y', 1), "utf-8")
        rebuilds.append(hugo(site, output))
    pages = sum(1 for _ in (output / "certificates").glob("*/index.html"))
    version = subprocess.run(["hugo", "version"], capture_output=True, text=True).stdout.split()[1]
    return {"cold": statistics.median(colds), "rebuild": statistics.median(rebuilds), "cold_runs": colds,
            "rebuild_runs": rebuilds, "cold_spread": max(colds) / min(colds),
            "rebuild_spread": max(rebuilds) / min(rebuilds), "pages": pages, "version": version}


def devserver_one_change(records: Path, output: Path, cache: Path, port: int) -> float | None:
    """Seconds from saving one record to its page written, in a running `make devserver`."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "plugins"), "OCPP_CACHE_PATH": str(cache)}
    process = subprocess.Popen(
        [sys.executable, "-m", "ocpp_directory", "devserver", "--certificates", str(records), "--output", str(output),
         "--port", str(port), "--cache", str(cache), "--siteurl", "https://bench.example.org", "--date", "2026-11-24"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 600
        while True:  # it serves once its first build is done
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    return None
                time.sleep(0.1)
        time.sleep(1.0)  # the watcher is armed
        candidates = [r for r in sorted(records.rglob("*.yaml")) if "tool: OCTT" in r.read_text("utf-8")]
        record = candidates[len(candidates) // 3]
        cid = yaml.safe_load(record.read_text("utf-8"))["id"]
        page = output / "certificates" / cid / "index.html"
        text = record.read_text("utf-8")
        marker = "tool: OCTT-D"
        start = time.perf_counter()
        record.write_text(text.replace("tool: OCTT", marker, 1), "utf-8")
        deadline = start + 300
        while time.perf_counter() < deadline:
            try:
                if "OCTT-D" in page.read_text("utf-8"):
                    return time.perf_counter() - start
            except OSError:
                pass
            time.sleep(0.002)
        return None
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
