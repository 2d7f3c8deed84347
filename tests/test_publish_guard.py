"""Publishing that cannot be fooled (issue 32): operators' mistakes and races, and an attacker with
write access to the target, against the real folder, sshd and nginx targets.

Each test reproduces one finding of the issue: two publishes at once, a deleted or edited live
ledger, a rollback after a lost ledger, hidden corrections, a look-alike vendor, the local preview
overwritten, a damaged checkpoints file, a bad log key.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ocpp_directory.publishing import targets as publish
from ocpp_directory.publishing.addresses import AddressRefusal
from ocpp_directory.publishing.locks import LockHeld

from .conftest import ROOT
from .test_publish import _production  # noqa: F401  (every publish here is a production one)
from .test_publish import (  # noqa: F401  (the nginx and ssh fixtures)
    PUBLISHCONF, SITEURL, A, B, C, cert, fetch, nginx, publish_to, records, ssh_target,
)

PAIRS = 10


def cli_publish(certs: Path, output: Path, target: str, *extra: str, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "ocpp_directory", "publish", "--settings", PUBLISHCONF, "--certificates", str(certs),
         "--output", str(output), "--target", target, "--siteurl", SITEURL, "--date", "2026-11-24", "--quiet",
         *extra],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "plugins"), **(env or {})})


def live_files(target: Path) -> set[str]:
    live = target / "current"
    return {str(p.relative_to(live)) for p in live.rglob("*") if p.is_file()}


def live_ids(target: Path) -> set[str]:
    from ocpp_directory.outputs import certlog

    return {json.loads(e)["id"] for e in certlog.read_base(target / "current" / "log")
            if json.loads(e)["type"] == "certificate"}


def test_two_publishes_at_once_never_put_a_gutted_release_live(tmp_path):
    """Ten pairs of publishes of the same records from two output folders (two checkouts), the second
    started 0.05 to 0.2 s after the first: each pair leaves a whole release live, and every later publish
    works. (Before the lock, the second one's clean-up deleted the first one's upload while it copied.)"""
    target = tmp_path / "target"
    certs = records(tmp_path / "r", *(cert(f"OCA-16-2024-02{i:02d}") for i in range(20)))
    first = publish_to(target, certs, tmp_path / "ref")
    whole = live_files(target)
    assert len(whole) > 400 and any(f.startswith("certificates/") for f in whole) and "log/checkpoint" in whole
    refused = 0
    for pair in range(PAIRS):
        one = cli_publish(certs, tmp_path / f"one-{pair}" / "site", str(target))
        time.sleep(0.05 + 0.15 * pair / (PAIRS - 1))
        two = cli_publish(certs, tmp_path / f"two-{pair}" / "site", str(target))
        results = [(p.wait(timeout=600), *p.communicate()) for p in (one, two)]
        assert any(code == 0 for code, _, _ in results), results
        for code, _, err in results:
            if code:
                assert "another publish holds" in err and "Traceback" not in err, err
                refused += 1
        assert live_files(target) == whole, f"pair {pair}: the live release is not whole"
        assert not list((target / "releases").glob(".partial-*"))
    assert refused >= 1  # the race was run: at least once the second publish found the first at work
    again = publish_to(target, records(tmp_path / "r", *(cert(f"OCA-16-2024-02{i:02d}") for i in range(20)), cert(C)),
                       tmp_path / "after")
    assert again["added"] == [C] and len(first["added"]) == 20


def test_two_checkouts_adding_different_certificates_never_both_say_published(tmp_path):
    """Checkout one adds B, checkout two adds C, at once: a publish that says it succeeded has its
    certificate live at the end; the other is refused (the lock, or C's retraction)."""
    target = tmp_path / "target"
    publish_to(target, records(tmp_path / "base", cert(A)), tmp_path / "ref")
    for pair in range(3):
        one = cli_publish(records(tmp_path / f"b{pair}", cert(A), cert(B)), tmp_path / f"one-{pair}" / "site",
                          str(target))
        time.sleep(0.05)
        two = cli_publish(records(tmp_path / f"c{pair}", cert(A), cert(C)), tmp_path / f"two-{pair}" / "site",
                          str(target))
        said = {cid: p.wait(timeout=600) == 0 for cid, p in ((B, one), (C, two))}
        for p in (one, two):
            p.communicate()
        for cid, ok in said.items():
            if ok:
                assert cid in live_ids(target), f"pair {pair}: {cid} said published, and is not live"


def test_a_publish_over_ssh_holds_the_hosts_lock(ssh_target, tmp_path):
    """The ssh target's lock (util-linux flock on the host, held by the publish's connection)."""
    ssh, host, remote = ssh_target
    target = publish.RsyncTarget(f"{host}:{remote}", ssh)
    other = publish.RsyncTarget(f"{host}:{remote}", ssh)
    with target.lock():
        with pytest.raises(LockHeld, match="another publish holds"):
            with other.lock():
                pass
    with other.lock():  # released with the connection
        pass
    publish_to(target, records(tmp_path / "r", cert(A)), tmp_path)
    assert (remote / "current" / "ledger.json").exists()


def test_a_killed_publish_leaves_no_lock(tmp_path):
    """kill -9 of a publish holding the lock: the kernel releases it, the next publish goes on."""
    target = tmp_path / "target"
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; sys.path.insert(0, sys.argv[1]);"
        "from ocpp_directory.publishing.targets import LocalTarget;"
        "t = LocalTarget(sys.argv[2]); held = t.lock(); held.__enter__(); print('held', flush=True); time.sleep(600)"),
        str(ROOT / "plugins"), str(target)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    with pytest.raises(LockHeld, match=f"process {holder.pid}"):
        with publish.LocalTarget(target).lock():
            pass
    holder.kill()
    holder.wait()
    publish_to(target, records(tmp_path / "r", cert(A)), tmp_path)


def ledger_damage():
    def delete(t: Path):
        (t / "current" / "ledger.json").unlink()

    def drop_entry(t: Path):
        path = t / "current" / "ledger.json"
        data = json.loads(path.read_text("utf-8"))
        del data["certificates"][A]
        path.write_text(json.dumps(data), "utf-8")

    def edit_entry(t: Path):  # the attacker writes the new value into the live ledger
        path = t / "current" / "ledger.json"
        data = json.loads(path.read_text("utf-8"))
        data["certificates"][A]["fields"]["device.software_version"] = "4.10.1"
        data["certificates"][A]["fields"]["profiles"] = ["full"]
        path.write_text(json.dumps(data), "utf-8")

    return [("deleted", delete), ("one entry dropped", drop_entry), ("edited", edit_entry)]


@pytest.mark.parametrize("name, damage", ledger_damage(), ids=[d[0] for d in ledger_damage()])
@pytest.mark.parametrize("change, what", [
    ({'software_version: "4.10.0"': 'software_version: "4.10.1"'}, "device.software_version would change from 4.10.0 to 4.10.1"),
    ({"profiles: [full, security]": "profiles: [full]", "security_profiles: [2, 3]\n": ""}, "profiles would change"),
    ({"name: Voltaris Energy B.V.": "name: Voltaris Energy GmbH"}, "vendor.name would change"),
], ids=["software version", "profile dropped", "vendor"])
def test_a_deleted_or_edited_live_ledger_lets_no_certificate_change(tmp_path, name, damage, change, what):
    target = tmp_path / "target"
    publish_to(target, records(tmp_path / "r", cert(A)), tmp_path)
    damage(target)
    changed = records(tmp_path / "r", cert(A, **change))
    with pytest.raises(publish.LedgerRefusal, match=what):
        publish_to(target, changed, tmp_path)
    corrected = publish_to(target, changed, tmp_path, correction="The software version was mistyped")
    assert corrected["added"] == [] and [c.id for c in corrected["corrected"]] == [A]
    page = (target / "current" / "corrections" / "index.html").read_text("utf-8")
    assert "The software version was mistyped" in page and A in page


def test_rollback_after_a_lost_ledger_and_log_retracts_nothing(nginx, tmp_path):
    target, base = nginx
    kept = tmp_path / "log-checkpoints.json"
    publish_to(target, records(tmp_path / "r", cert(A)), tmp_path, published=kept)
    second = publish_to(target, records(tmp_path / "r", cert(A), cert(B)), tmp_path, published=kept)
    (target / "current" / "ledger.json").unlink()
    with pytest.raises(publish.PublishError, match=f"{B}: would disappear"):
        publish.rollback(publish.LocalTarget(target), kept)
    shutil.rmtree(target / "current" / "log")  # the live log gone too: the checkpoint published remembers it
    with pytest.raises(publish.PublishError, match="does not extend the checkpoint of 2 entries"):
        publish.rollback(publish.LocalTarget(target), kept)
    assert os.readlink(target / "current") == f"releases/{second['release']}"
    assert fetch(f"{base}/certificates/{B}/")[0] == 200


def test_emptied_corrections_stay_public(tmp_path):
    target = tmp_path / "target"
    publish_to(target, records(tmp_path / "r", cert(A)), tmp_path)
    fixed = cert(A, **{'software_version: "4.10.0"': 'software_version: "4.10.1"'})
    publish_to(target, records(tmp_path / "r", fixed), tmp_path, correction="Mistyped software version")
    path = target / "current" / "ledger.json"
    data = json.loads(path.read_text("utf-8"))
    data["corrections"] = []
    path.write_text(json.dumps(data), "utf-8")
    publish_to(target, records(tmp_path / "r", fixed, cert(B)), tmp_path)
    assert "Mistyped software version" in (target / "current" / "corrections" / "index.html").read_text("utf-8")
    assert [c["reason"] for c in json.loads(path.read_text("utf-8"))["corrections"]] == ["Mistyped software version"]


def test_a_look_alike_vendor_never_takes_a_published_address(tmp_path):
    """A backdated record of 'Vołtaris Energy B.V.' gets addresses of its own; a publish that would give
    the real Voltaris's live address to it is refused, naming both records."""
    target = tmp_path / "target"
    publish_to(target, records(tmp_path / "r", cert(A)), tmp_path)
    vendor_page = (target / "current" / "vendors" / "voltaris-energy-b-v" / "index.html").read_text("utf-8")
    look_alike = cert(C, **{"name: Voltaris Energy B.V.": "name: Vołtaris Energy B.V.",
                            'issued: "2024-03-18"': 'issued: "2023-01-10"', 'date: "2024-03-04"': 'date: "2023-01-02"'})
    publish_to(target, records(tmp_path / "r", cert(A), look_alike), tmp_path)
    live = target / "current"
    assert (live / "vendors" / "voltaris-energy-b-v" / "index.html").read_text("utf-8").count(A) >= 1
    assert C not in (live / "vendors" / "voltaris-energy-b-v" / "index.html").read_text("utf-8")
    assert C in (live / "vendors" / "voltaris-energy-b-v-2" / "index.html").read_text("utf-8")
    assert A in (live / "devices" / "voltaris-energy-b-v" / "voltaris-duo-22" / "index.html").read_text("utf-8")
    assert vendor_page.count(A) >= 1
    # Renaming the real vendor's record would hand its live address to the look-alike: refused.
    renamed = cert(A, **{"name: Voltaris Energy B.V.": "name: Voltaris Energie B.V."})
    with pytest.raises(AddressRefusal) as refused:
        publish_to(target, records(tmp_path / "r", renamed, look_alike), tmp_path, correction="Vendor renamed")
    assert "/vendors/voltaris-energy-b-v/" in str(refused.value)
    assert A in str(refused.value) and C in str(refused.value) and "Vołtaris" in str(refused.value)


def test_a_damaged_checkpoints_file_is_a_clear_error(tmp_path):
    target = tmp_path / "target"
    kept = tmp_path / "log-checkpoints.json"
    publish_to(target, records(tmp_path / "r", cert(A)), tmp_path, published=kept)
    assert json.loads(kept.read_text("utf-8"))[str(target)].startswith("certification.openchargealliance.org/log")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".log-checkpoints")]  # no temporary left
    kept.write_bytes(kept.read_bytes()[:40])  # a truncated copy
    with pytest.raises(publish.PublishError, match="log-checkpoints.json cannot be read .*restore it from version"):
        publish_to(target, records(tmp_path / "r", cert(A), cert(B)), tmp_path, published=kept)


def test_a_bad_log_key_is_a_clear_error(tmp_path, monkeypatch):
    key = tmp_path / "not-a-key.pem"
    key.write_text("-----BEGIN PRIVATE KEY-----\nnonsense\n-----END PRIVATE KEY-----\n")
    key.chmod(0o600)
    monkeypatch.setenv("OCPP_LOG_KEY", str(key))
    run = cli_publish(records(tmp_path / "r", cert(A)), tmp_path / "out", str(tmp_path / "target"))
    out, err = run.communicate(timeout=300)
    assert run.returncode == 1 and "Traceback" not in err
    assert "OCPP_LOG_KEY" in err and "not a readable, unencrypted PEM private key" in err


def test_the_plain_upload_guard_reads_the_live_log(tmp_path):
    """`make rsync_upload` and `make github` run `guard`: with the live ledger deleted, the live log still
    refuses a build that would retract a certificate."""
    target = tmp_path / "target"
    publish_to(target, records(tmp_path / "r", cert(A), cert(B)), tmp_path)
    (target / "current" / "ledger.json").unlink()
    site = tmp_path / "plain"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "plugins")}
    built = subprocess.run([sys.executable, "-m", "ocpp_directory", "build", "--certificates",
                            str(records(tmp_path / "r2", cert(A))), "--output", str(site), "--quiet"],
                           cwd=ROOT, capture_output=True, text=True, env=env, timeout=300)
    assert built.returncode == 0, built.stderr
    guard = subprocess.run([sys.executable, "-m", "ocpp_directory", "guard", "--output", str(site), "--ledger",
                            f"{target}/current/ledger.json"], cwd=ROOT, capture_output=True, text=True, env=env)
    assert guard.returncode == 1 and f"{B}: would disappear" in guard.stderr
