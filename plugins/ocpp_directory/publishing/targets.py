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

import contextlib
import datetime as dt
import json
import os
import shlex
import shutil
import subprocess
from pathlib import Path

from ..model.errors import DirectoryError

KEEP_RELEASES = 5


class PublishError(DirectoryError):
    """Publishing stopped; the target was left as it was."""


from .ledger import (  # noqa: E402  (the ledger's comparisons, long imported from here)
    Change, LedgerRefusal, compare, correction_entry, listing, revision_corrections,
)


# -- targets --------------------------------------------------------------------------

def release_name(now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now(dt.timezone.utc)
    return now.strftime("%Y%m%dT%H%M%S%fZ")


class Target:
    """Where a site is published. Subclasses do the file operations, and hold the target's lock."""

    _held = False

    @contextlib.contextmanager
    def lock(self):
        """Hold the target's lock (:mod:`.locks`) for a publish or a rollback; taken again inside, it is
        already held. Raises :class:`~.locks.LockHeld` when another publish holds it."""
        if self._held:  # this publish holds it already: the outer hold releases it
            yield
            return
        token = self._acquire()
        self._held = True
        try:
            yield
        finally:
            self._held = False
            self._release(token)

    def _new_lock(self):
        """The lock object of this kind of target (:mod:`.locks`), or None for a target with no lock."""
        return None

    def _acquire(self):
        held = self._new_lock()
        if held is not None:
            held.acquire()
        return held

    def _release(self, token) -> None:
        if token is not None:
            token.release()

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

    def _new_lock(self):
        from .locks import FolderLock

        return FolderLock(self.path)

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
        for stale in releases.glob(".partial-*"):  # an earlier publish that was killed (this one holds the lock)
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

    def _new_lock(self):
        from .locks import RemoteLock

        return RemoteLock(self.ssh, self.host, self.path)

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
        # Under the lock: a .partial- folder is a killed publish's, never a running one's.
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
    with target.lock():
        return _deploy(target, site, expected)


def _deploy(target: Target, site: Path, expected: str | None | bool) -> str:
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


def rollback(target: Target, published: Path | None = None) -> str:
    """Make the release before the live one live again; return its name.

    Refused when it would retract or alter a certificate, or hide a correction, that the live log
    holds (the longest log at the target: :func:`.logcheck.longest`), whatever the releases' ledgers
    say, and when that log does not extend the checkpoint ``published`` (this repository's file of
    published checkpoints: publishing/flow.py) records for the target; the release made live gets the
    live log, which only grows."""
    import tempfile

    from . import logcheck

    with target.lock():
        releases, current = target.releases(), target.current()
        if current not in releases or releases.index(current) == 0:
            raise PublishError(f"no earlier release to roll back to at {target} "
                               f"(releases: {', '.join(releases) or 'none'})")
        previous = releases[releases.index(current) - 1]
        with tempfile.TemporaryDirectory() as folder:
            log = logcheck.longest(target, Path(folder))
        if published is not None:
            logcheck.check_published(log, logcheck.read_published(published).get(str(target)), None, published)
        older_ledger = target.ledger_at(f"releases/{previous}/ledger.json") or {"certificates": {}}
        size = logcheck.size_at(target, f"releases/{previous}/log")
        if log is not None:
            # the older release's log is a prefix of the live one (an object store keeps no older log: its
            # ledger then stands for it)
            live = logcheck.view(log)
            older = logcheck.view(log[:size]) if size is not None else older_ledger
        else:
            live, older = target.live_ledger() or {"certificates": {}}, older_ledger
        # What the older release's pages show must hold all that is live: by its log and by its ledger.
        changes = compare(live, older)
        changes += [c for c in compare(live, older_ledger) if c not in changes]
        if changes:
            raise PublishError(f"rolling back to {previous} would retract or alter published certificates:\n"
                               f"{listing(changes)}\nFix forward instead: correct the records and `make publish`.")
        hidden = len(live.get("corrections", [])) - min(len(older.get("corrections", [])),
                                                          len(older_ledger.get("corrections", [])))
        if hidden > 0:
            raise PublishError(f"rolling back to {previous} would hide {hidden} correction(s) from /corrections/: "
                               "every correction stays public. Fix forward instead: `make publish`.")
        target.keep_log(previous)
        target.switch(previous)
        return previous
