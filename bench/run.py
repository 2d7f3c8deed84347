"""`make bench`: build-time and search figures, against a floor and against Pagefind.

    python -m bench.run --n 10000            # what `make bench N=10000` runs

Every figure comes from this run on this machine: the floor and Pagefind are
measured beside our build, so the ratios hold even where absolute times do not.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

from . import fleet, peers
from .records import generate

ROOT = Path(__file__).resolve().parent.parent
#: Words every generated directory contains (device names, ids, profile titles, features),
#: so that every query has a first result to wait for; both engines get their first two characters.
QUERIES = ("charger", "oca-16", "ocpp", "core")
#: A query still without a result after this long is reported as timed out.
QUERY_TIMEOUT_MS = 60_000
#: How long the page is left alone between timed queries.
SETTLE_MS = 1_000


def settle() -> None:
    """Let the disk catch up before a timed step: a cold build writes about a gigabyte at 10,000
    records, which the kernel was still writing out during the steps that followed it."""
    os.sync()


def measure(*args: str) -> dict:
    settle()
    result = subprocess.run([sys.executable, "-m", "bench.measure", *args], cwd=ROOT, capture_output=True,
                            text=True)
    if result.returncode != 0:
        raise SystemExit(f"bench step {args[0]} failed:\n{result.stderr[-4000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


#: runs of every floor and peer: their times swing between runs (they are I/O-bound), the ratios use medians
RUNS = 3


def median_of(run, runs: int = RUNS) -> dict:
    """The run of median seconds among ``runs`` runs, with every run's seconds (``runs``) and their spread."""
    results = [run() for _ in range(runs)]
    middle = sorted(results, key=lambda r: r["seconds"])[len(results) // 2]
    times = [r["seconds"] for r in results]
    return {**middle, "runs": times, "spread": max(times) / min(times) if min(times) else None}


def peers_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def average_page_size(site: Path) -> int:
    pages = list((site / "certificates").glob("*/index.html"))
    return sum(p.stat().st_size for p in pages) // max(1, len(pages))


def builds(work: Path, n: int, label: str) -> dict:
    records, output, cache = work / f"records-{n}", work / f"site-{n}", work / f"cache-{n}"
    say(f"[{label}] generating {n} records")
    generate(records, n)
    say(f"[{label}] cold build")
    cold = measure("build", str(records), str(output), str(cache))
    return {"n": n, "records": records, "output": output, "cache": cache, "cold": cold}


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # A fetch the browser gave up on (a result list replaced, the browser closed) is no error.
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


PAGEFIND_PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Pagefind</title></head>
<body><label for="q">Search</label><input id="q" type="search"><ol id="results"></ol>
<script type="module">
let pagefind = null;
const q = document.getElementById('q'), list = document.getElementById('results');
q.addEventListener('focus', async () => {
  if (!pagefind) { pagefind = await import('./pagefind/pagefind.js'); await pagefind.init(); }
}, {once: true});
let seq = 0;
q.addEventListener('input', async () => {
  const mine = ++seq;
  if (!pagefind) { pagefind = await import('./pagefind/pagefind.js'); await pagefind.init(); }
  const search = await pagefind.search(q.value);
  const data = await Promise.all(search.results.slice(0, 10).map(r => r.data()));
  if (mine !== seq) return;
  list.replaceChildren(...data.map(d => { const li = document.createElement('li'); li.textContent = d.url; return li; }));
});
</script></body></html>
"""


def search_figures(site: Path, page: str, box: str, results: str) -> dict:
    """Bytes (gzip) fetched before the first result, and times to first result, in Chromium."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    server = _Server(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    sizes: dict[str, tuple[int, float]] = {}  # URL -> (gzip bytes, when its request started)
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=args)
        tab = browser.new_page()

        def on_response(response):
            # The bytes of the file served, gzip-compressed as a server would send them. Read from
            # the site folder, not from response.body(): that fails for a body of many megabytes,
            # and an uncounted index would flatter us (it did, at N=10000, before this).
            path = site / urllib.parse.urlsplit(response.url).path.lstrip("/")
            if path.is_dir():
                path = path / "index.html"
            if path.is_file():
                sizes[response.url] = (len(gzip.compress(path.read_bytes(), 6, mtime=0)),
                                       response.request.timing["startTime"])

        tab.on("response", on_response)
        tab.goto(base + page)
        tab.evaluate(f"""() => {{
            window.__firstInput = null; window.__lastInput = null; window.__firstResult = null;
            const list = document.querySelector('{results}');
            document.querySelector('{box}').addEventListener('input', () => {{
                if (window.__firstResult !== null) return;
                window.__lastInput = performance.now();
                if (window.__firstInput === null) window.__firstInput = window.__lastInput;
            }});
            new MutationObserver(() => {{
                if (list.children.length && window.__firstInput !== null && window.__firstResult === null)
                    window.__firstResult = performance.now();
            }}).observe(list, {{childList: true}});
        }}""")
        tab.focus(box)
        tab.keyboard.type(QUERIES[0][:2])  # both engines get the first two characters (ours waits for two)
        tab.wait_for_function("() => window.__firstResult !== null", timeout=QUERY_TIMEOUT_MS * 2)
        cold_ms = tab.evaluate("() => window.__firstResult - window.__firstInput")
        # What was asked for before the first result showed, answered by now or still on its way
        # (both engines go on fetching after it: the rest of the results, our facets' files).
        shown_at = tab.evaluate("() => performance.timeOrigin + window.__firstResult")  # ms since 1970
        tab.wait_for_timeout(SETTLE_MS)
        fetched = {url: size for url, (size, started) in sizes.items() if started <= shown_at}
        after = len(sizes) - len(fetched)
        # Once loaded, the clock starts at the key that completes the query ("after typing"); from
        # the first key, the figure also holds the time the test browser takes between two keys.
        warm: list[float | None] = []
        warm_first_key: list[float | None] = []
        for query in QUERIES:  # the index is loaded now: what typing costs
            tab.fill(box, "")
            # Let the answers still on their way for the last query land before the clock starts:
            # one arriving after it would count as this query's first result (it did, giving
            # negative times).
            tab.wait_for_timeout(SETTLE_MS)
            tab.evaluate("() => { window.__firstInput = window.__lastInput = window.__firstResult = null; }")
            tab.evaluate(f"""() => {{ const list = document.querySelector('{results}');
                list.replaceChildren(); }}""")
            tab.keyboard.type(query[:2])
            try:
                tab.wait_for_function("() => window.__firstResult !== null", timeout=QUERY_TIMEOUT_MS)
            except PlaywrightTimeout:  # a figure of its own, not a failed benchmark
                warm.append(None)
                warm_first_key.append(None)
                continue
            warm.append(tab.evaluate("() => window.__firstResult - window.__lastInput"))
            warm_first_key.append(tab.evaluate("() => window.__firstResult - window.__firstInput"))
        browser.close()
    server.shutdown()
    slowest = None if None in warm else round(max(warm), 1)

    def each(times):
        return dict(zip(QUERIES, (None if w is None else round(w, 1) for w in times)))
    return {"bytes_before_first_result_gzip": sum(fetched.values()), "requests": len(fetched),
            "requests_after_first_result": after,
            "fetched_before_first_result": sorted(urllib.parse.urlsplit(url).path for url in fetched),
            "first_result_ms_cold": round(cold_ms, 1), "first_result_ms_after_load": slowest,
            "first_result_ms_each_query": each(warm), "first_result_ms_each_query_from_first_key": each(warm_first_key),
            "typed": [query[:2] for query in QUERIES],  # what is typed of each query, and timed
            "queries_timed_out": warm.count(None), "query_timeout_ms": QUERY_TIMEOUT_MS}


def pagefind(site: Path) -> dict:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pagefind", "--site", str(site), "--glob", "certificates/*/index.html"],
                   check=True, capture_output=True)
    seconds = time.perf_counter() - start
    (site / "pagefind-bench.html").write_text(PAGEFIND_PAGE, "utf-8")
    settle()
    return {"index_seconds": round(seconds, 2), **search_figures(site, "/pagefind-bench.html", "#q", "#results")}


def _ms(figures: dict) -> str:
    if figures["first_result_ms_after_load"] is None:
        return f"over {figures['query_timeout_ms'] / 1000:.0f} s for {figures['queries_timed_out']} of {len(QUERIES)} queries"
    return f"{figures['first_result_ms_after_load']:.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.run")
    parser.add_argument("--n", type=int, default=10000)
    parser.add_argument("--out", default=str(ROOT / "bench-results.json"))
    parser.add_argument("--no-scaling", action="store_true", help="skip the builds at N/10 and N*3")
    args = parser.parse_args()
    n = args.n
    work = Path(tempfile.mkdtemp(prefix="ocpp-bench-"))
    try:
        main_run = builds(work, n, f"N={n}")
        records, output, cache = main_run["records"], main_run["output"], main_run["cache"]
        say(f"[N={n}] no-change rebuild")
        nochange = measure("build", str(records), str(output), str(cache))
        changed = sorted(records.rglob("*.yaml"))[n // 2]
        changed.write_text(changed.read_text("utf-8").replace("tool: OCTT", "tool: OCTT-R"), "utf-8")
        say(f"[N={n}] one changed record")
        onechange = measure("build", str(records), str(output), str(cache))
        size = average_page_size(output)
        say(f"[N={n}] floor: plain Jinja2, {n} pages of {size} bytes")
        floor = median_of(lambda: measure("floor", str(n), str(size), str(work / "floor")))
        listing = work / "tree.json"
        tree = sorted((p.relative_to(output).as_posix(), p.stat().st_size) for p in output.rglob("*") if p.is_file())
        listing.write_text(json.dumps(tree), "utf-8")
        say(f"[N={n}] tree floor: the cold build's {len(tree)} files from memory, the pages by plain Jinja2")
        def tree_floor_once() -> dict:
            shutil.rmtree(work / "tree-floor", ignore_errors=True)
            return measure("tree-floor", str(listing), str(n), str(size), str(work / "tree-floor"))

        tree_floor = median_of(tree_floor_once)
        shutil.rmtree(work / "tree-floor", ignore_errors=True)
        folders = [p for p in (output / "certificates").iterdir() if p.is_dir()]
        per_certificate = sum(f.stat().st_size for d in folders for f in d.iterdir()) / max(1, len(folders))
        say(f"[N={n}] cold pages-only build: renderings (QR codes, labels, kits) kept, the rest cold")
        pages_cache = work / "cache-pages"
        shutil.copytree(cache, pages_cache, ignore=shutil.ignore_patterns("folders", "builds"))
        pages_cold = measure("build", str(records), str(work / "site-pages"), str(pages_cache))
        shutil.rmtree(work / "site-pages", ignore_errors=True)
        say(f"[N={n}] Hugo: the same {n} pages from the same records, cold and after one change")
        hugo = peers.hugo_figures(records, work, size)
        say(f"[N={n}] devserver: one record saved, until its page is written")
        settle()
        devserver = peers.devserver_one_change(records, output, cache, peers_port())
        say(f"[N={n}] search in Chromium: ours, then Pagefind")
        settle()
        ours = search_figures(output, "/search/", "#q", "#search-results")
        theirs = pagefind(output)
        say(f"[N={n}] fleet check: 10,000 chargers, command line and Chromium (4x CPU throttling)")
        settle()
        fleet_check = fleet.figures(output, work)
        scaling = {}
        if not args.no_scaling:
            for m in (max(10, n // 10), n * 3):
                scaling[str(m)] = builds(work, m, f"N={m}")["cold"]
    finally:
        shutil.rmtree(work, ignore_errors=True)

    f = floor["seconds"]
    ratio = lambda a, b: (a / b) if (a is not None and b) else None  # noqa: E731
    hugo_cold = hugo["cold"] if hugo else None
    hugo_rebuild = hugo["rebuild"] if hugo else None
    targets = {
        "cold_vs_tree_floor": (ratio(main_run["cold"]["seconds"], tree_floor["seconds"]), "<= 8x"),
        "pages_cold_vs_hugo": (ratio(pages_cold["seconds"], hugo_cold), "<= 5x"),
        "one_change_vs_hugo": (ratio(onechange["seconds"], hugo_rebuild), "<= 0.5x"),
        "devserver_one_change_vs_floor": (ratio(devserver, f), "<= 0.1x"),
        "noop_vs_floor": (nochange["seconds"] / f, "<= 0.2x"),
        "bytes_per_certificate": (per_certificate, "<= 60 KB"),
        "peak_mb_30000": (scaling.get("30000", {}).get("peak_mb"), "<= 400 MB"),
        "search_bytes_vs_pagefind": (ours["bytes_before_first_result_gzip"] / theirs["bytes_before_first_result_gzip"],
                                     "<= 0.2"),
    }
    results = {
        "n": n,
        "cores": os.cpu_count(),
        "floor": floor,
        "cold": main_run["cold"],
        "no_change": nochange,
        "one_change": onechange,
        "ratios_to_floor": {"cold": main_run["cold"]["seconds"] / f, "no_change": nochange["seconds"] / f,
                            "one_change": onechange["seconds"] / f},
        "search": {"ours": ours, "pagefind": theirs,
                   "bytes_ratio_to_pagefind": ours["bytes_before_first_result_gzip"]
                   / theirs["bytes_before_first_result_gzip"]},
        "tree_floor": tree_floor,
        "pages_cold": pages_cold,
        "hugo": hugo,
        "devserver_one_change_seconds": devserver,
        "fleet_check": fleet_check,
        **{key: value for key, (value, _) in targets.items()},
        "scaling": {m: {"seconds": r["seconds"], "peak_mb": r["peak_mb"],
                        "seconds_per_certificate": r["seconds"] / int(m)} for m, r in scaling.items()},
    }
    if str(n * 3) in scaling:
        results["growth_3n_over_n"] = scaling[str(n * 3)]["seconds"] / main_run["cold"]["seconds"]
    Path(args.out).write_text(json.dumps(results, indent=1, sort_keys=True) + "\n", "utf-8")
    table = [
        ("floor (plain Jinja2)", f"{f:8.2f} s", f"{floor['peak_mb']:6.0f} MB", "1.00x"),
        ("cold full build", f"{main_run['cold']['seconds']:8.2f} s", f"{main_run['cold']['peak_mb']:6.0f} MB",
         f"{results['ratios_to_floor']['cold']:.2f}x  of the page floor"),
        ("no-change rebuild", f"{nochange['seconds']:8.2f} s", f"{nochange['peak_mb']:6.0f} MB",
         f"{results['ratios_to_floor']['no_change']:.2f}x"),
        ("one changed record", f"{onechange['seconds']:8.2f} s", f"{onechange['peak_mb']:6.0f} MB",
         f"{results['ratios_to_floor']['one_change']:.2f}x"),
    ]
    for m, r in results["scaling"].items():
        table.append((f"cold build, N={m}", f"{r['seconds']:8.2f} s", f"{r['peak_mb']:6.0f} MB",
                      f"{r['seconds_per_certificate'] * 1000:.1f} ms per certificate"))
    print(f"\nOCPP directory benchmark, N={n}, {os.cpu_count()} cores")
    for row in table:
        print(f"  {row[0]:<24}{row[1]}  {row[2]}  {row[3]}")
    for name, s in (("ours (sharded)", ours), ("Pagefind", theirs)):
        print(f"  search, {name:<14} {s['bytes_before_first_result_gzip'] / 1024:8.1f} KB gzip before the first "
              f"result ({s['requests']} requests); first result {s['first_result_ms_cold']:.0f} ms from the first "
              f"key, {_ms(s)} once loaded")
    print(f"  fleet check, 10,000 chargers: command line {fleet_check['cli_seconds_median']:.2f} s, Chromium 4x "
          f"throttled {fleet_check['browser_seconds_median_4x_throttled']:.2f} s (target < 5 s); 1,000 rows of 20 "
          f"vendors fetch {fleet_check['bytes_fetched_gzip_1000_rows_20_vendors'] / 1024:.1f} KB gzip")
    print(f"  search bytes, ours / Pagefind: {results['search']['bytes_ratio_to_pagefind']:.2f} (target <= 0.2)")
    if hugo:
        print(f"  Hugo {hugo['version']}: {hugo['pages']} pages, cold {hugo['cold']:.2f} s, full rebuild "
              f"{hugo['rebuild']:.2f} s; tree floor {tree_floor['seconds']:.2f} s; pages-only cold build "
              f"{pages_cold['seconds']:.2f} s; devserver one change "
              + (f"{devserver:.2f} s" if devserver is not None else "not measured"))
    print(f"  floors and peers, median of {RUNS} runs (spread, slowest / fastest): page floor "
          f"{floor['spread']:.2f}, tree floor {tree_floor['spread']:.2f}"
          + (f", Hugo cold {hugo['cold_spread']:.2f}, rebuild {hugo['rebuild_spread']:.2f}" if hugo else ""))
    print("  the targets (issue 36):")
    for key, (value, target) in targets.items():
        shown = "not measured" if value is None else (f"{value / 1024:.1f} KB" if key == "bytes_per_certificate"
                                                      else f"{value:.0f} MB" if key == "peak_mb_30000"
                                                      else f"{value:.2f}")
        print(f"    {key:<32}{shown:>14}  (target {target})")
    if "growth_3n_over_n" in results:
        print(f"  cost growth, 3N / N: {results['growth_3n_over_n']:.2f} (target <= 3.3)")
    print(f"  written: {args.out}")


if __name__ == "__main__":
    main()
