"""Publishing: never retract a certificate, never leave a half-deployed site.

A target is a folder, local or ``host:path`` over ssh (rsync), laid out as below, or an object
store over the S3 API (``s3://bucket/prefix``, :mod:`.s3`, which has no renames and keeps its own
order instead)::

    releases/20261124T101500Z/    one complete site per publish
    releases/.partial-.../        an upload in progress (never served)
    current -> releases/...       what the web server serves; switched by rename

Before anything is uploaded, the ledger of the live site (``current/ledger.json``)
is compared with the new build's. A certificate that would disappear, or whose
protected fields (id, issued, ocpp_version, profiles, device.software_version,
test) would change, stops the publish, unless the operator states a correction;
the correction then joins the log the site publishes at /corrections/.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shlex
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ..model.errors import DirectoryError

KEEP_RELEASES = 5


class PublishError(DirectoryError):
    """Publishing stopped; the target was left as it was."""


class LedgerRefusal(PublishError):
    def __init__(self, changes: list[Change]):
        self.changes = changes
        lines = listing(changes)
        super().__init__(
            f"publishing would retract or alter {len(changes)} published certificate"
            f"{'s' if len(changes) != 1 else ''}:\n{lines}\n"
            "An OCPP certificate cannot be retracted (section 8.2.1). Restore the records, or, if this "
            'corrects an error, publish again with CORRECTION="<reason>": the reason and these '
            "certificates are then listed publicly at /corrections/."
        )


@dataclass(frozen=True)
class Change:
    id: str
    what: str

    def as_dict(self) -> dict:
        return {"id": self.id, "what": self.what}


def listing(changes: list[Change]) -> str:
    """One indented line per change, for the operator."""
    return "\n".join(f"  {c.id}: {c.what}" for c in changes)


def compare(live: dict | None, new: dict) -> list[Change]:
    """What the new ledger takes back from the live one."""
    if not live:
        return []
    changes = []
    new_certs = new["certificates"]
    for cid, entry in sorted(live["certificates"].items()):
        if cid not in new_certs:
            changes.append(Change(cid, "would disappear: no record has this id any more"))
            continue
        if entry["sha256"] == new_certs[cid]["sha256"]:
            continue
        old_fields, new_fields = entry["fields"], new_certs[cid]["fields"]
        for name in sorted(set(old_fields) | set(new_fields)):
            before, after = old_fields.get(name), new_fields.get(name)
            if before != after:
                changes.append(Change(cid, f"{name} would change from {_show(before)} to {_show(after)}"))
    return changes


def _show(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True) if not isinstance(value, str) else value


def revision_corrections(live: dict | None, new: dict, changes: list[Change]) -> tuple[list[dict], list[Change]]:
    """The changes a new revision of the record explains, as correction entries (the revision's date and
    what it says changed), and the changes left, which need a CORRECTION reason. A revision is the
    record's side of a correction: one event, one entry in the public corrections log."""
    if not live:
        return [], changes
    entries, left = [], []
    by_id: dict[str, list[Change]] = {}
    for change in changes:
        by_id.setdefault(change.id, []).append(change)
    for cid, found in by_id.items():
        before = live["certificates"].get(cid, {}).get("revisions", [])
        after = new["certificates"].get(cid, {}).get("revisions", [])
        if cid in new["certificates"] and len(after) > len(before) and after[:len(before)] == before:
            latest = after[-1]
            entries.append({"date": latest["date"], "reason": f"Revision of {cid}: {latest['change']}",
                            "changes": [c.as_dict() for c in found]})
        else:
            left.extend(found)
    return entries, left


def correction_entry(reason: str, changes: list[Change], day: dt.date) -> dict:
    return {"date": day.isoformat(), "reason": reason, "changes": [c.as_dict() for c in changes]}


# -- targets --------------------------------------------------------------------------

def release_name(now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now(dt.timezone.utc)
    return now.strftime("%Y%m%dT%H%M%S%fZ")


class Target:
    """Where a site is published. Subclasses do the file operations."""

    def read(self, relative: str) -> bytes | None:
        """A file below the target, or None when it does not exist."""
        raise NotImplementedError

    def ledger_at(self, relative: str) -> dict | None:
        data = self.read(relative)
        if data is None:
            return None
        try:
            return json.loads(data)
        except ValueError as exc:
            raise PublishError(f"{self}/{relative} is not valid JSON ({exc}); nothing was published") from None

    def releases(self) -> list[str]:
        raise NotImplementedError

    def current(self) -> str | None:
        raise NotImplementedError

    def upload(self, site: Path, name: str) -> None:
        raise NotImplementedError

    def switch(self, name: str) -> None:
        raise NotImplementedError

    def remove(self, name: str) -> None:
        raise NotImplementedError

    def live_ledger(self) -> dict | None:
        return self.ledger_at("current/ledger.json")

    def deploy(self, site: Path, expected: str | None | bool = False) -> str:
        """Make ``site`` live as a new release; return its name (see :func:`deploy`)."""
        return deploy(self, site, expected)

    def keep_log(self, name: str) -> None:
        """Before release ``name`` is made live again: give it the live log, which only grows (a rollback
        must not take entries back)."""

    def prune(self, keep: int = KEEP_RELEASES) -> None:
        current = self.current()
        for name in self.releases()[:-keep]:
            if name != current:
                self.remove(name)


class LocalTarget(Target):
    def __init__(self, path: str | Path):
        self.path = Path(path).resolve()

    def __str__(self) -> str:
        return str(self.path)

    def read(self, relative: str) -> bytes | None:
        try:
            return (self.path / relative).read_bytes()
        except FileNotFoundError:
            return None

    def releases(self) -> list[str]:
        folder = self.path / "releases"
        return sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) if folder.is_dir() else []

    def current(self) -> str | None:
        link = self.path / "current"
        return Path(os.readlink(link)).name if link.is_symlink() else None

    def upload(self, site: Path, name: str) -> None:
        releases = self.path / "releases"
        releases.mkdir(parents=True, exist_ok=True)
        for stale in releases.glob(".partial-*"):  # an earlier publish that was killed
            shutil.rmtree(stale, ignore_errors=True)
        partial = releases / f".partial-{name}"
        try:
            shutil.copytree(site, partial, symlinks=False)
            os.rename(partial, releases / name)
        except OSError as exc:
            shutil.rmtree(partial, ignore_errors=True)
            raise PublishError(f"upload to {self.path} failed: {exc}; the live site was not changed") from None

    def switch(self, name: str) -> None:
        temporary = self.path / ".current.tmp"
        if temporary.is_symlink() or temporary.exists():
            temporary.unlink()
        os.symlink(Path("releases", name), temporary)
        os.replace(temporary, self.path / "current")  # rename(2): atomic

    def remove(self, name: str) -> None:
        shutil.rmtree(self.path / "releases" / name, ignore_errors=True)

    def keep_log(self, name: str) -> None:
        live, release = self.path / "current", self.path / "releases" / name
        if (live / "log").is_dir():
            shutil.copytree(live / "log", release / "log", dirs_exist_ok=True)


class RsyncTarget(Target):
    """``[user@]host:path`` reached with ssh (``DEPLOY_SSH``, default ``ssh``) and rsync."""

    def __init__(self, spec: str, ssh: str = "ssh"):
        self.host, _, path = spec.partition(":")
        self.path = path.rstrip("/") or "."
        self.ssh = shlex.split(ssh) + ["-o", "BatchMode=yes"]

    def __str__(self) -> str:
        return f"{self.host}:{self.path}"

    def _run(self, script: str, *, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run([*self.ssh, self.host, script], capture_output=True, timeout=600)
        if check and result.returncode != 0:
            raise PublishError(f"on {self.host}: `{script}` failed: {result.stderr.decode(errors='replace').strip()}; "
                               "the live site was not changed")
        return result

    def _q(self, *parts: str) -> str:
        return shlex.quote("/".join((self.path, *parts)))

    def read(self, relative: str) -> bytes | None:
        path = self._q(relative)
        result = self._run(f"if test -e {path}; then cat {path}; else exit 3; fi", check=False)
        if result.returncode == 3:
            return None
        if result.returncode != 0:
            raise PublishError(f"cannot read {self}/{relative}: "
                               f"{result.stderr.decode(errors='replace').strip()}; nothing was published")
        return result.stdout

    def releases(self) -> list[str]:
        result = self._run(f"ls -1 {self._q('releases')} 2>/dev/null || true")
        return sorted(n for n in result.stdout.decode().split() if not n.startswith("."))

    def current(self) -> str | None:
        result = self._run(f"readlink {self._q('current')} || true")
        text = result.stdout.decode().strip()
        return text.rsplit("/", 1)[-1] if text else None

    def upload(self, site: Path, name: str) -> None:
        self._run(f"mkdir -p {self._q('releases')} && rm -rf {self._q('releases', '.partial-')}*")
        partial = f"{self.path}/releases/.partial-{name}/"
        link_dest = ["--link-dest", f"{self.path}/current/"] if self.current() else []
        # Compare by content (-c) and keep no build times, so unchanged files become hard
        # links to the live release (--link-dest): a release costs only what changed.
        command = ["rsync", "-rlpc", "--delete", *link_dest, "-e", shlex.join(self.ssh), f"{site}/",
                   f"{self.host}:{partial}"]
        result = subprocess.run(command, capture_output=True, timeout=3600)
        if result.returncode != 0:
            self._run(f"rm -rf {shlex.quote(partial)}", check=False)
            raise PublishError(f"rsync to {self} failed: {result.stderr.decode(errors='replace').strip()}; "
                               "the live site was not changed")
        self._run(f"mv {shlex.quote(partial.rstrip('/'))} {self._q('releases', name)}")

    def switch(self, name: str) -> None:
        self._run(f"ln -sfn releases/{shlex.quote(name)} {self._q('.current.tmp')} && "
                  f"mv -T {self._q('.current.tmp')} {self._q('current')}")

    def remove(self, name: str) -> None:
        self._run(f"rm -rf {self._q('releases', name)}")

    def keep_log(self, name: str) -> None:
        current, release = self._q("current"), self._q("releases", name)
        # --remove-destination: a release's unchanged files are hard links shared with other releases
        # (rsync --link-dest); each is replaced, never written through.
        self._run(f"if test -d {current}/log; then cp -a --remove-destination {current}/log/. {release}/log/; fi")


def target_for(spec: str, ssh: str = "ssh", progress=None) -> Target:
    if not spec:
        raise PublishError("no DEPLOY_TARGET: give a folder, host:path for rsync over ssh, or s3://bucket/prefix")
    if spec.startswith("s3://"):
        from .s3 import S3Target

        return S3Target(spec, progress=progress)
    head = spec.split("/", 1)[0]
    if ":" in head and not spec.startswith(("/", ".")):
        return RsyncTarget(spec, ssh)
    return LocalTarget(spec)


def deploy(target: Target, site: Path, expected: str | None | bool = False) -> str:
    """Upload ``site`` as a new release and make it live; return the release name.

    With ``expected`` (the release that was live when the publish compared against it), stop with
    nothing switched if another publish made another release live meanwhile."""
    name = release_name()
    target.upload(site, name)
    if expected is not False and target.current() != expected:
        target.remove(name)
        raise PublishError(f"another publish made release {target.current()} live while this one was checked "
                           "against the one before; nothing was switched. Running make publish again is safe: it "
                           "checks against the live release and keeps what it added")
    target.switch(name)
    target.prune()
    return name


def rollback(target: Target) -> str:
    """Make the release before the live one live again; return its name."""
    releases, current = target.releases(), target.current()
    if current not in releases or releases.index(current) == 0:
        raise PublishError(f"no earlier release to roll back to at {target} (releases: {', '.join(releases) or 'none'})")
    previous = releases[releases.index(current) - 1]
    # A rollback must not retract what the live release published, nor hide a correction.
    live = target.live_ledger() or {}
    older = target.ledger_at(f"releases/{previous}/ledger.json") or {"certificates": {}}
    changes = compare(live, older)
    if changes:
        lines = listing(changes)
        raise PublishError(f"rolling back to {previous} would retract or alter published certificates:\n{lines}\n"
                           "Fix forward instead: correct the records and `make publish`.")
    hidden = len(live.get("corrections", [])) - len(older.get("corrections", []))
    if hidden > 0:
        raise PublishError(f"rolling back to {previous} would hide {hidden} correction(s) from /corrections/: "
                           "every correction stays public. Fix forward instead: `make publish`.")
    target.keep_log(previous)
    target.switch(previous)
    return previous
