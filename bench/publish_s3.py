"""What a publish to object storage costs: objects, bytes, requests and time against a real S3
server on loopback (SeaweedFS, bench/s3server.py), for N synthetic certificates.

    python -m bench.publish_s3 --n 1000

Three publishes: the first (every object), one certificate added, and one with nothing changed.
The build is timed apart from the upload. Not part of ``make bench`` (its figures are in
docs/scaling.md, "Publishing to object storage").
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "plugins"))

from . import s3server  # noqa: E402
from .records import generate  # noqa: E402


class Counting:
    """Each S3 request and the bytes it sends, by operation (botocore's before-send event)."""

    def __init__(self, s3):
        self.requests: collections.Counter = collections.Counter()
        self.bytes = 0
        s3.meta.events.register("before-send.s3.*", self._count)

    def _count(self, request, event_name: str = "", **_):
        self.requests[event_name.rsplit(".", 1)[-1] or request.method] += 1
        self.bytes += int(request.headers.get("Content-Length") or 0)

    def take(self) -> dict:
        found = {"requests": sum(self.requests.values()), "by_operation": dict(self.requests),
                 "bytes_sent": self.bytes}
        self.requests.clear()
        self.bytes = 0
        return found


def publish(spec: str, endpoint: str, records: Path, output: Path, date: str) -> dict:
    from ocpp_directory.publishing.flow import publish_site
    from ocpp_directory.publishing.s3 import S3Target

    s3 = s3server.client(endpoint)
    counting = Counting(s3)
    target = S3Target(spec, client=s3)
    deploy = target.deploy
    timing = {}

    def timed(site, expected=False):
        start = time.perf_counter()
        try:
            return deploy(site, expected)
        finally:
            timing["upload_s"] = round(time.perf_counter() - start, 2)
    target.deploy = timed
    start = time.perf_counter()
    publish_site(str(ROOT / "publishconf.py"), output, target, certificates=str(records),
                 siteurl="https://bench.example.org", date=date)
    total = time.perf_counter() - start
    kinds = collections.Counter(_kind(path) for path in target.changed)
    return {**target.counts, **counting.take(), **timing, "total_s": round(total, 2),
            "build_and_checks_s": round(total - timing["upload_s"], 2),
            "uploaded_by_kind": dict(kinds.most_common(12))}


def _kind(path: str) -> str:
    """certificates/<id>/log.json -> certificates/*/log.json; ko/devices/a/b/index.html -> ko/devices/*"""
    parts = path.split("/")
    if parts[0] == "ko":
        return "ko/" + _kind("/".join(parts[1:]))
    if parts[0] == "certificates" and len(parts) == 3:
        return f"certificates/*/{parts[2]}"
    return parts[0] + ("/*" if len(parts) > 1 else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    n = parser.parse_args().n
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        os.environ["OCPP_CACHE_PATH"] = str(work / "cache")
        # The checkpoints this run published: its own file, never the repository's (publishconf.py).
        os.environ["OCPP_LOG_PUBLISHED"] = str(work / "log-checkpoints.json")
        records = work / "records"
        generate(records, n + 1)
        extra = sorted(records.rglob("*.yaml"))[-1]
        held = work / "held.yaml"
        shutil.move(extra, held)
        (work / "weed").mkdir()
        with s3server.running(work / "weed") as endpoint:
            s3server.client(endpoint).create_bucket(Bucket="site")
            spec = "s3://site/directory"
            figures = {"n": n}
            figures["first"] = publish(spec, endpoint, records, work / "out", "2026-11-24")
            site = work / "out"
            figures["site"] = {"files": sum(1 for p in site.rglob("*") if p.is_file()),
                               "bytes": sum(p.stat().st_size for p in site.rglob("*") if p.is_file())}
            shutil.move(held, extra)
            figures["one_added"] = publish(spec, endpoint, records, work / "out", "2026-11-24")
            figures["no_change"] = publish(spec, endpoint, records, work / "out", "2026-11-24")
    print(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
