"""`make publish` against real targets: a folder served by nginx, and rsync over ssh on localhost."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from ocpp_directory.publishing import targets as publish
from ocpp_directory.publishing.flow import publish_site

from .conftest import ROOT, VALID, make

# A production publish refuses a reserved example domain (publishing/production.py).
SITEURL = "https://certification.openchargealliance.org"
PUBLISHCONF = str(ROOT / "publishconf.py")
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SSHD = shutil.which("sshd") or "/usr/sbin/sshd"


@pytest.fixture(autouse=True)
def _production(logkey):
    """Every publish here is a production publish: its log is signed with the test's own key."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port}")


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, ""


@pytest.fixture
def nginx(tmp_path):
    """A real nginx serving <target>/current on a loopback port; yields (target, base URL)."""
    if not os.path.exists(NGINX):
        pytest.skip("nginx is not installed (make test installs it)")
    target = tmp_path / "www"
    target.mkdir()
    port = free_port()
    conf = tmp_path / "nginx.conf"
    temp = tmp_path / "nginx-temp"
    temp.mkdir()
    conf.write_text(f"""
daemon off;
worker_processes 1;
{"user root;" if os.geteuid() == 0 else ""}
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/nginx-error.log;
events {{ worker_connections 64; }}
http {{
  include /etc/nginx/mime.types;
  access_log off;
  client_body_temp_path {temp}/body; proxy_temp_path {temp}/proxy; fastcgi_temp_path {temp}/fastcgi;
  uwsgi_temp_path {temp}/uwsgi; scgi_temp_path {temp}/scgi;
  server {{
    listen 127.0.0.1:{port};
    root {target}/current;
    index index.html;
  }}
}}
""")
    process = subprocess.Popen([NGINX, "-p", str(tmp_path), "-c", str(conf)], stderr=subprocess.PIPE)
    try:
        wait_for_port(port)
        yield target, f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def records(folder: Path, *texts: tuple[str, str]) -> Path:
    """A records folder from (id, text) pairs."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for cid, text in texts:
        (folder / f"{cid}.yaml").write_text(text, "utf-8")
    return folder


def cert(cid: str, **changes: str) -> tuple[str, str]:
    """A valid record with this id, and each ``old=new`` text replacement made."""
    text = VALID.replace("OCA.0016.0115.CS", cid)
    for old, new in changes.items():
        assert old in text, old
        text = text.replace(old, new)
    return cid, text


def publish_to(target: Path | publish.Target, certs: Path, tmp_path: Path, **options) -> dict:
    destination = target if isinstance(target, publish.Target) else publish.LocalTarget(target)
    return publish_site(PUBLISHCONF, tmp_path / "output", destination, certificates=str(certs), siteurl=SITEURL,
                        date="2026-11-24", **options)


A, B, C = "OCA-16-2024-0101", "OCA-16-2024-0102", "OCA-16-2024-0103"


def test_first_and_second_publish(nginx, tmp_path):
    target, base = nginx
    first = publish_to(target, records(tmp_path / "r", cert(A), cert(B)), tmp_path)
    assert first["added"] == [A, B]
    status, body = fetch(f"{base}/certificates/{A}/")
    assert status == 200 and A in body
    assert fetch(f"{base}/ledger.json")[0] == 200
    assert fetch(f"{base}/certificates/{C}/")[0] == 404

    second = publish_to(target, records(tmp_path / "r", cert(A), cert(B), cert(C)), tmp_path)
    assert second["added"] == [C]
    assert fetch(f"{base}/certificates/{C}/")[0] == 200
    assert len(os.listdir(target / "releases")) == 2
    assert os.readlink(target / "current") == f"releases/{second['release']}"


def test_removed_certificate_is_refused(nginx, tmp_path):
    target, base = nginx
    first = publish_to(target, records(tmp_path / "r", cert(A), cert(B)), tmp_path)
    with pytest.raises(publish.LedgerRefusal) as refused:
        publish_to(target, records(tmp_path / "r", cert(A)), tmp_path)
    assert f"{B}: would disappear: no record has this id any more" in str(refused.value)
    assert os.readlink(target / "current") == f"releases/{first['release']}"
    assert len(os.listdir(target / "releases")) == 1
    assert fetch(f"{base}/certificates/{B}/")[0] == 200


def test_altered_software_version_is_refused(nginx, tmp_path):
    target, base = nginx
    publish_to(target, records(tmp_path / "r", cert(A)), tmp_path)
    altered = cert(A, **{'software_version: "4.10.0"': 'software_version: "4.10.1"'})
    with pytest.raises(publish.LedgerRefusal) as refused:
        publish_to(target, records(tmp_path / "r", altered), tmp_path)
    assert f"{A}: device.software_version would change from 4.10.0 to 4.10.1" in str(refused.value)
    assert "4.10.0" in fetch(f"{base}/certificates/{A}/")[1]


def test_unprotected_fields_may_change(nginx, tmp_path):
    target, base = nginx
    publish_to(target, records(tmp_path / "r", cert(A)), tmp_path)
    publish_to(target, records(tmp_path / "r", cert(A, **{"website: https://voltaris.example":
                                                          "website: https://voltaris-energy.example"})), tmp_path)
    assert "voltaris-energy.example" in fetch(f"{base}/certificates/{A}/")[1]


def test_correction_is_accepted_logged_and_kept(nginx, tmp_path):
    target, base = nginx
    publish_to(target, records(tmp_path / "r", cert(A), cert(B)), tmp_path)
    altered = cert(A, **{'software_version: "4.10.0"': 'software_version: "4.10.1"'})
    reason = "Typing error in the software version <reported by the lab>"
    result = publish_to(target, records(tmp_path / "r", altered, cert(B)), tmp_path, correction=reason)
    assert [c.id for c in result["corrected"]] == [A]
    status, page = fetch(f"{base}/corrections/")
    assert status == 200
    assert "Typing error in the software version &lt;reported by the lab&gt;" in page
    assert f"{A}</a>: device.software_version would change from 4.10.0 to 4.10.1" in page
    assert "4.10.1" in fetch(f"{base}/certificates/{A}/")[1]
    # The log is carried by every later publish.
    publish_to(target, records(tmp_path / "r", altered, cert(B), cert(C)), tmp_path)
    assert "Typing error in the software version" in fetch(f"{base}/corrections/")[1]


def test_a_revision_in_the_record_is_the_correction(nginx, tmp_path):
    """A certificate re-issued under its number: its record's new revision explains the change of a
    protected field, which is published without CORRECTION and logged with the revision's words."""
    target, base = nginx
    publish_to(target, records(tmp_path / "r", cert(A), cert(B)), tmp_path)
    revised = cert(A, **{'software_version: "4.10.0"': 'software_version: "4.10.1"'})
    revised = (revised[0], revised[1] + 'revisions:\n  - date: "2026-11-20"\n'
                                        "    change: Re-issued for software version 4.10.1 <same hardware>\n")
    result = publish_to(target, records(tmp_path / "r", revised, cert(B)), tmp_path)
    assert [c.id for c in result["corrected"]] == [A]
    page = fetch(f"{base}/corrections/")[1]
    assert f"Revision of {A}: Re-issued for software version 4.10.1 &lt;same hardware&gt;" in page
    certificate = fetch(f"{base}/certificates/{A}/")[1]
    assert "Revisions" in certificate and "2026-11-20" in certificate and "4.10.1" in certificate
    # Another change with no new revision still needs a reason.
    again = cert(A, **{'software_version: "4.10.0"': 'software_version: "4.10.2"'})
    again = (again[0], again[1] + 'revisions:\n  - date: "2026-11-20"\n'
                                  "    change: Re-issued for software version 4.10.1 <same hardware>\n")
    with pytest.raises(publish.LedgerRefusal, match="4.10.1 to 4.10.2"):
        publish_to(target, records(tmp_path / "r", again, cert(B)), tmp_path)


def test_correction_without_anything_to_correct_is_refused(nginx, tmp_path):
    target, _ = nginx
    publish_to(target, records(tmp_path / "r", cert(A)), tmp_path)
    with pytest.raises(publish.PublishError, match="nothing to correct"):
        publish_to(target, records(tmp_path / "r", cert(A)), tmp_path, correction="no reason")


def test_invalid_records_publish_nothing(nginx, tmp_path):
    target, _ = nginx
    first = publish_to(target, records(tmp_path / "r", cert(A)), tmp_path)
    from ocpp_directory.model.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        publish_to(target, records(tmp_path / "r", cert(A), cert(B, **{"failed: 0": "failed: 1"})), tmp_path)
    assert os.listdir(target / "releases") == [first["release"]]


def test_rollback(nginx, tmp_path):
    target, base = nginx
    kept = tmp_path / "log-checkpoints.json"
    first = publish_to(target, records(tmp_path / "r", cert(A)), tmp_path, published=kept)
    publish_to(target, records(tmp_path / "r", cert(A, **{"name: Voltaris Duo 22": "name: Voltaris Duo 22 Plus"})),
               tmp_path, published=kept)
    grown = (target / "current" / "log" / "checkpoint").read_text("utf-8")
    assert "Voltaris Duo 22 Plus" in fetch(f"{base}/certificates/{A}/")[1]
    assert publish.rollback(publish.LocalTarget(target)) == first["release"]
    assert "Voltaris Duo 22 Plus" not in fetch(f"{base}/certificates/{A}/")[1]
    # The log only grows: the release made live again carries the live log, so the next publish,
    # checked against the checkpoint it last published, goes on from it.
    assert (target / "current" / "log" / "checkpoint").read_text("utf-8") == grown
    publish_to(target, records(tmp_path / "r", cert(A), cert(B)), tmp_path, published=kept)


def test_rollback_never_retracts(nginx, tmp_path):
    target, base = nginx
    publish_to(target, records(tmp_path / "r", cert(A)), tmp_path)
    second = publish_to(target, records(tmp_path / "r", cert(A), cert(B)), tmp_path)
    with pytest.raises(publish.PublishError, match=f"{B}: would disappear"):
        publish.rollback(publish.LocalTarget(target))
    assert os.readlink(target / "current") == f"releases/{second['release']}"
    assert fetch(f"{base}/certificates/{B}/")[0] == 200


def many_records(folder: Path, count: int) -> Path:
    folder.mkdir(parents=True)
    for i in range(count):
        cid = f"OCA-16-2024-{i:05d}"
        text = VALID.replace("OCA.0016.0115.CS", cid).replace("Voltaris Duo 22", f"Voltaris Duo {i}")
        (folder / f"{cid}.yaml").write_text(text, "utf-8")
    return folder


def test_publish_killed_mid_upload_leaves_the_old_site(nginx, tmp_path):
    target, base = nginx
    first = publish_to(target, records(tmp_path / "small", cert(A)), tmp_path)
    big = many_records(tmp_path / "big", 1500)
    shutil.copy(tmp_path / "small" / f"{A}.yaml", big)  # keep what is live: the ledger must pass
    env = {**os.environ, "PYTHONPATH": str(ROOT / "plugins")}
    process = subprocess.Popen(
        [sys.executable, "-m", "ocpp_directory", "publish", "--settings", PUBLISHCONF, "--certificates", str(big),
         "--output", str(tmp_path / "out-big"), "--target", str(target), "--siteurl", SITEURL,
         "--date", "2026-11-24", "--quiet"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    releases = target / "releases"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None and \
            not any(p.name.startswith(".partial-") for p in releases.iterdir()):
        time.sleep(0.001)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert any(p.name.startswith(".partial-") for p in releases.iterdir()), "the upload was not caught in progress"
    assert os.readlink(target / "current") == f"releases/{first['release']}"
    status, body = fetch(f"{base}/certificates/{A}/")
    assert status == 200 and A in body
    # A later publish clears the remains and goes live.
    second = publish_to(target, records(tmp_path / "small", cert(A), cert(B)), tmp_path)
    assert not any(p.name.startswith(".partial-") for p in releases.iterdir())
    assert os.readlink(target / "current") == f"releases/{second['release']}"


def test_old_releases_are_pruned(tmp_path):
    target = tmp_path / "www"
    for i in range(publish.KEEP_RELEASES + 2):
        ids = [cert(f"OCA-16-2024-{j:04d}") for j in range(100, 101 + i)]
        publish_to(target, records(tmp_path / "r", *ids), tmp_path)
    assert len(os.listdir(target / "releases")) == publish.KEEP_RELEASES


# -- make publish, for real -----------------------------------------------------------



def test_make_publish_and_refusal(nginx, tmp_path):
    target, base = nginx
    certs = records(tmp_path / "r", cert(A), cert(B))
    common = [f"CERTIFICATES={certs}", f"OUTPUTDIR={tmp_path / 'out'}", f"DEPLOY_TARGET={target}", f"SITEURL={SITEURL}"]
    done = make("publish", *common)
    assert done.returncode == 0, done.stderr
    assert f"is live at {target}: 2 certificates, 2 new" in done.stdout
    assert fetch(f"{base}/feeds/certificates.atom")[0] == 200
    records(tmp_path / "r", cert(A))
    refused = make("publish", *common)
    assert refused.returncode != 0
    assert f"{B}: would disappear" in refused.stderr and "Traceback" not in refused.stderr
    corrected = make("publish", *common, "CORRECTION=Issued in error: duplicate of OCA-16-2024-0101")
    assert corrected.returncode == 0, corrected.stderr
    assert "1 corrected (see /corrections/)" in corrected.stdout
    assert "Issued in error" in fetch(f"{base}/corrections/")[1]
    rolled = make("rollback", f"DEPLOY_TARGET={target}")
    assert rolled.returncode != 0 and "would hide 1 correction(s) from /corrections/" in rolled.stderr


# -- rsync over ssh on localhost -----------------------------------------------------------

@pytest.fixture
def ssh_target(tmp_path):
    """An sshd on a loopback port with a key of its own; yields (DEPLOY_SSH, host, home folder)."""
    if os.geteuid() != 0 or not os.path.exists(SSHD) or not shutil.which("rsync"):
        pytest.skip("rsync over ssh needs root, sshd and rsync on this machine")
    keys = tmp_path / "ssh"
    keys.mkdir(mode=0o700)
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", keys / "host"], check=True)
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", keys / "client"], check=True)
    shutil.copy(keys / "client.pub", keys / "authorized_keys")
    port = free_port()
    config = keys / "sshd_config"
    config.write_text(f"""Port {port}
ListenAddress 127.0.0.1
HostKey {keys}/host
AuthorizedKeysFile {keys}/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
StrictModes no
UsePAM no
PidFile {keys}/sshd.pid
""")
    Path("/run/sshd").mkdir(exist_ok=True)
    process = subprocess.Popen([SSHD, "-D", "-e", "-f", str(config)], stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port)
        ssh = (f"ssh -p {port} -i {keys}/client -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null "
               "-o LogLevel=ERROR")
        yield ssh, "root@127.0.0.1", tmp_path / "remote"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_rsync_over_ssh(ssh_target, tmp_path):
    ssh, host, remote = ssh_target
    target = publish.RsyncTarget(f"{host}:{remote}", ssh)
    first = publish_to(target, records(tmp_path / "r", cert(A)), tmp_path)
    assert (remote / "current" / "certificates" / A / "index.html").exists()
    second = publish_to(target, records(tmp_path / "r", cert(A), cert(B)), tmp_path)
    assert os.readlink(remote / "current") == f"releases/{second['release']}"
    # unchanged files are hard links to the previous release (rsync --link-dest): cheap releases
    assert os.stat(remote / "releases" / first["release"] / "theme" / "css" / "site.css").st_nlink >= 2
    with pytest.raises(publish.LedgerRefusal, match=f"{B}: would disappear"):
        publish_to(target, records(tmp_path / "r", cert(A)), tmp_path)
    assert os.readlink(remote / "current") == f"releases/{second['release']}"
    # A rollback over ssh keeps the live log, and changes no other release; a certificate's entry
    # (log.json) does not change as the log grows.
    publish_to(target, records(tmp_path / "r", cert(A), cert(B, **{"website: https://voltaris.example":
                                                                  "website: https://voltaris.example/b"})), tmp_path)
    grown = (remote / "current" / "log" / "checkpoint").read_bytes()
    proof = (remote / "current" / "certificates" / A / "log.json").read_bytes()
    first_proof = (remote / "releases" / first["release"] / "certificates" / A / "log.json").read_bytes()
    assert publish.rollback(target) == second["release"]
    assert (remote / "current" / "log" / "checkpoint").read_bytes() == grown
    assert (remote / "current" / "certificates" / A / "log.json").read_bytes() == proof
    assert (remote / "releases" / first["release"] / "certificates" / A / "log.json").read_bytes() == first_proof
    assert first_proof == proof


def test_make_publish_over_rsync_and_ssh(ssh_target, tmp_path):
    ssh, host, remote = ssh_target
    certs = records(tmp_path / "r", cert(A))
    common = [f"CERTIFICATES={certs}", f"OUTPUTDIR={tmp_path / 'out'}", f"DEPLOY_TARGET={host}:{remote}",
              f"SITEURL={SITEURL}"]
    done = make("publish", *common, DEPLOY_SSH=ssh)
    assert done.returncode == 0, done.stderr
    assert (remote / "current" / "certificates" / A / "index.html").exists()
    records(tmp_path / "r", cert(B))
    refused = make("publish", *common, DEPLOY_SSH=ssh)
    assert refused.returncode != 0 and f"{A}: would disappear" in refused.stderr
    assert os.readlink(remote / "current").startswith("releases/")
    records(tmp_path / "r")
    empty = make("publish", *common, DEPLOY_SSH=ssh)
    assert empty.returncode != 0 and "no certificate records (*.yaml) below this folder" in empty.stderr
    assert "Traceback" not in empty.stderr
