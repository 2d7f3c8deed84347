"""One measured step, run in a process of its own: ``python -m bench.measure KIND ...``.

Prints one JSON line: wall seconds, peak resident memory (MB) of the step's
process and its worker processes together, and what the step produced. A fresh process per step keeps one step's memory
and caches out of the next one's figures.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "plugins"))


def build(records: str, output: str, cache: str) -> dict:
    from ocpp_directory.pipeline.build import build as build_site

    result = build_site(str(ROOT / "pelicanconf.py"), output, certificates=records, cache=cache,
                        siteurl="https://bench.example.org", date="2026-11-24")
    return {"certificates": result["certificates"], "pages": result["pages"], "files": result["files"],
            "qr_rendered": result["qr_generated"], "logos_rendered": result["logos_rendered"],
            "written": result["written"], "units_rendered": result["units_rendered"],
            "records_reused": result["records_reused"], "search": result["search"]}


FLOOR_TEMPLATE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{ id }}: {{ vendor }} {{ device }}</title></head>
<body><main><h1>{{ id }}</h1><p>{{ vendor }} · {{ device }} · {{ version }}</p>
<dl>{% for key, value in fields %}<dt>{{ key }}</dt><dd>{{ value }}</dd>{% endfor %}</dl>
<p>{{ padding }}</p></main></body></html>
"""


def floor(n: int, size: int, output: str) -> dict:
    """The floor: a plain Jinja2 script that renders and writes N pages of our average size."""
    import jinja2

    template = jinja2.Environment(autoescape=True).from_string(FLOOR_TEMPLATE)
    sample = template.render(id="OCA-16-2024-00000", vendor="Vendor", device="Device", version="1.0",
                             fields=[(f"field {i}", f"value {i}") for i in range(20)], padding="")
    padding = "x" * max(0, size - len(sample.encode()))
    out = Path(output)
    for i in range(n):
        page = out / "certificates" / f"OCA-16-2024-{i:05d}" / "index.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(template.render(id=f"OCA-16-2024-{i:05d}", vendor=f"Vendor {i % 400}", device=f"Device {i}",
                                        version=f"{i % 9}.{i % 20}.0",
                                        fields=[(f"field {k}", f"value {k} {i}") for k in range(20)],
                                        padding=padding), "utf-8")
    return {"pages": n}


def tree_floor(listing: str, n: int, size: int, output: str) -> dict:
    """The floor of a build that writes our tree: every path of the cold build's output, each file of
    its size with bytes taken from memory, and the certificate pages rendered by plain Jinja2."""
    files = json.loads(Path(listing).read_text("utf-8"))
    largest = max((s for _, s in files), default=0)
    blob = (bytes(range(256)) * (largest // 256 + 1))[:largest]
    out = Path(output)
    made = set()
    written = 0
    for path, length in files:
        if path.startswith("certificates/") and path.endswith("/index.html"):
            continue  # the page floor below renders these
        target = out / path
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        target.write_bytes(blob[:length])
        written += 1
    floor(n, size, output)
    return {"files": written + n}


def _tree_rss_kb(pid: int) -> int:
    """Memory of ``pid`` and all its descendants (worker processes), from /proc: their
    proportional set sizes, so pages a forked worker shares with the build count once."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as status:
            rss = next((int(line.split()[1]) for line in status if line.startswith("Pss:")), 0)
        with open(f"/proc/{pid}/task/{pid}/children") as children:
            kids = [int(k) for k in children.read().split()]
    except (OSError, ValueError):
        return 0
    return rss + sum(_tree_rss_kb(kid) for kid in kids)


class _TreeMemory(threading.Thread):
    """The largest total resident memory of this process and its workers, sampled every 20 ms."""

    def __init__(self):
        super().__init__(daemon=True)
        self.peak_kb = 0
        self.done = threading.Event()

    def run(self):
        while not self.done.wait(0.02):
            self.peak_kb = max(self.peak_kb, _tree_rss_kb(os.getpid()))


def main() -> None:
    kind, *args = sys.argv[1:]
    memory = _TreeMemory()
    memory.start()
    start = time.perf_counter()
    if kind == "build":
        produced = build(*args)
    elif kind == "floor":
        produced = floor(int(args[0]), int(args[1]), args[2])
    elif kind == "tree-floor":
        produced = tree_floor(args[0], int(args[1]), int(args[2]), args[3])
    else:
        raise SystemExit(f"unknown step {kind}")
    seconds = time.perf_counter() - start
    memory.done.set()
    memory.join()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    workers_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    # peak_mb: the build and its worker processes together (the largest sampled sum of their
    # proportional set sizes, and at least the build's own peak); main_peak_mb and
    # worker_peak_mb: each alone (resident, shared pages included), from getrusage.
    print(json.dumps({"seconds": seconds, "peak_mb": max(peak_mb, memory.peak_kb / 1024), "main_peak_mb": peak_mb,
                      "worker_peak_mb": workers_mb, **produced}))


if __name__ == "__main__":
    main()
