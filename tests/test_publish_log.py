"""Publishing with the certificate log: it only grows, and a target that lost entries is refused, untouched."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from ocpp_directory.outputs import certlog, tlog
from ocpp_directory.publishing import flow, targets
from ocpp_directory.publishing.logcheck import LogRefusal

from .conftest import ROOT
from .test_publish import A, B, C, SITEURL, cert, records, ssh_target  # noqa: F401  (the ssh fixture)

PUBLISHCONF = str(ROOT / "publishconf.py")


def publish(target, certs: Path, tmp_path: Path, **options) -> dict:
    return flow.publish_site(PUBLISHCONF, tmp_path / "output", target, certificates=str(certs), siteurl=SITEURL,
                             date="2026-11-24", published=tmp_path / "log-checkpoints.json", **options)


def live_entries(target_dir: Path) -> list[bytes]:
    return certlog.read_base(target_dir / "current" / "log")


def state(target_dir: Path) -> dict:
    """Everything at the target, to check that a refusal left it untouched."""
    return {str(p.relative_to(target_dir)): (os.readlink(p) if p.is_symlink() else p.read_bytes() if p.is_file()
                                             else None) for p in sorted(target_dir.rglob("*"))}


def test_the_log_grows_by_one_a_certificate_and_records_the_checkpoint(tmp_path, logkey):
    target_dir = tmp_path / "target"
    target = targets.LocalTarget(target_dir)
    first = publish(target, records(tmp_path / "r", cert(A), cert(B)), tmp_path)
    assert first["log_size"] == 2
    kept = json.loads((tmp_path / "log-checkpoints.json").read_text("utf-8"))
    assert kept[str(target)] == (target_dir / "current" / "log" / "checkpoint").read_text("utf-8")
    before = live_entries(target_dir)
    second = publish(target, records(tmp_path / "r", cert(A), cert(B), cert(C)), tmp_path)
    after = live_entries(target_dir)
    assert second["log_size"] == 3 and after[:2] == before
    assert json.loads(after[2])["id"] == C
    # A correction is logged, and the corrected record is a new entry: nothing is removed.
    altered = cert(A, **{'software_version: "4.10.0"': 'software_version: "4.10.1"'})
    third = publish(target, records(tmp_path / "r", altered, cert(B), cert(C)), tmp_path,
                    correction="Typing error in the software version")
    entries = live_entries(target_dir)
    assert third["log_size"] == 5 and entries[:3] == after
    kinds = [json.loads(e)["type"] for e in entries[3:]]
    assert sorted(kinds) == ["certificate", "correction"]


def refused_cases():
    def delete_ledger(t):
        (t / "current" / "ledger.json").unlink()

    def empty_ledger(t):
        (t / "current" / "ledger.json").write_text("{}", "utf-8")

    def delete_log(t):
        shutil.rmtree(t / "current" / "log")

    def older_log(t):
        current = t / "releases" / os.readlink(t / "current").split("/")[-1]
        first = sorted((t / "releases").iterdir())[0]
        shutil.rmtree(current / "log")
        shutil.copytree(first / "log", current / "log")

    return [
        ("live ledger deleted", delete_ledger, True, f"{C}: would disappear"),
        ("live ledger emptied", empty_ledger, True, f"{C}: would disappear"),
        ("live log deleted", delete_log, False, "the target has no certificate log, but"),
        ("live log replaced by an older one", older_log, False, "does not extend the checkpoint of 3 entries"),
        ("a record removed", lambda t: None, True, f"{C}: would disappear"),
    ]


@pytest.mark.parametrize("name, damage, remove_record, message", refused_cases(), ids=[c[0] for c in refused_cases()])
def test_a_target_that_lost_entries_is_refused_untouched(tmp_path, logkey, name, damage, remove_record, message):
    target_dir = tmp_path / "target"
    target = targets.LocalTarget(target_dir)
    publish(target, records(tmp_path / "r", cert(A), cert(B)), tmp_path)
    publish(target, records(tmp_path / "r", cert(A), cert(B), cert(C)), tmp_path)
    damage(target_dir)
    before = state(target_dir)
    kept = (tmp_path / "log-checkpoints.json").read_bytes()
    certs = records(tmp_path / "r", cert(A), cert(B)) if remove_record else records(tmp_path / "r", cert(A), cert(B),
                                                                                     cert(C))
    with pytest.raises((targets.LedgerRefusal, LogRefusal)) as refused:
        publish(target, certs, tmp_path)
    assert message in str(refused.value)
    assert state(target_dir) == before and (tmp_path / "log-checkpoints.json").read_bytes() == kept


def test_two_concurrent_publishes_lose_no_certificate(tmp_path, logkey, monkeypatch):
    """Publish 1 (adding B) is overtaken by publish 2 (adding C) between its checks and its switch: it stops
    with nothing switched and says running again is safe; run again, both are live."""
    target_dir = tmp_path / "target"
    target = targets.LocalTarget(target_dir)
    publish(target, records(tmp_path / "r", cert(A)), tmp_path)
    real_deploy = targets.deploy

    def overtaken(target_, site, expected):
        monkeypatch.setattr(targets, "deploy", real_deploy)
        other = tmp_path / "other"
        other.mkdir()
        publish(target, records(other / "r", cert(A), cert(C)), other)  # the other checkout, meanwhile
        return real_deploy(target_, site, expected=expected)

    monkeypatch.setattr(targets, "deploy", overtaken)
    with pytest.raises(targets.PublishError, match="nothing was switched. Running make publish again is safe"):
        publish(target, records(tmp_path / "r", cert(A), cert(B)), tmp_path)
    with pytest.raises(targets.LedgerRefusal, match=f"{C}: would disappear"):  # C is live now: B's checkout lacks it
        publish(target, records(tmp_path / "r", cert(A), cert(B)), tmp_path)
    both = publish(target, records(tmp_path / "r", cert(A), cert(B), cert(C)), tmp_path)
    ids = {json.loads(e)["id"] for e in live_entries(target_dir) if json.loads(e)["type"] == "certificate"}
    assert ids == {A, B, C} and both["log_size"] == 3


def test_over_ssh_the_log_grows_and_a_deleted_log_is_refused(ssh_target, tmp_path, logkey):  # noqa: F811
    ssh, host, remote = ssh_target
    target = targets.RsyncTarget(f"{host}:{remote}", ssh)
    publish(target, records(tmp_path / "r", cert(A)), tmp_path)
    second = publish(target, records(tmp_path / "r", cert(A), cert(B)), tmp_path)
    assert second["log_size"] == 2 and len(certlog.read_base(remote / "current" / "log")) == 2
    shutil.rmtree(remote / "current" / "log")
    with pytest.raises(LogRefusal, match="the target has no certificate log"):
        publish(target, records(tmp_path / "r", cert(A), cert(B), cert(C)), tmp_path)
    assert os.readlink(remote / "current") == f"releases/{second['release']}"


def test_the_live_checkpoint_opens_with_the_published_key(tmp_path, logkey):
    target_dir = tmp_path / "target"
    publish(targets.LocalTarget(target_dir), records(tmp_path / "r", cert(A)), tmp_path)
    key = certlog.load_key(logkey)
    verifier = certlog.verifier(key, SITEURL.split("://", 1)[1] + "/log")
    text = tlog.open_note((target_dir / "current" / "log" / "checkpoint").read_text("utf-8"), verifier)
    assert tlog.parse_checkpoint(text).size == 1
