"""One publish at a time on a target: the folder and ssh targets' locks.

A folder target is locked with ``flock(2)`` on ``<target>/publish.lock``; an ssh target with
util-linux ``flock`` on the same file on the host, held by a process that lives as long as this
publish's ssh connection. Either lock is released by the kernel when its holder ends, however it
ends (kill -9 included), so a dead publish never leaves a lock behind, and no publish ever deletes
another one's work in progress: everything a publish does at the target, from reading the live log to
switching and pruning, happens while it holds the lock. The file also says who holds it (host,
process, start time), for the message a second publish gets, and is empty when no one does.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import shlex
import socket
import subprocess
from pathlib import Path

from .targets import PublishError

LOCK_FILE = "publish.lock"


class LockHeld(PublishError):
    """Another publish holds the target's lock; nothing was changed."""


def holder() -> dict:
    """Who is taking a lock: this host and process, and when."""
    return {"host": socket.gethostname(), "pid": os.getpid(),
            "started": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}


def held_message(where: str, who: dict) -> str:
    return (f"another publish holds {where} (since {who.get('started', '?')}, {who.get('host', '?')} process "
            f"{who.get('pid', '?')}); nothing was changed. When it has finished, running make publish again is safe.")


def parse_holder(data: bytes | None) -> dict:
    """A lock file's holder (what :func:`holder` wrote), or {} for an empty or damaged file."""
    try:
        parsed = json.loads(data) if data else {}
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


class FolderLock:
    """``flock`` on a local file, kept open while held."""

    def __init__(self, folder: Path):
        self.path = folder / LOCK_FILE
        self.fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            who = parse_holder(os.pread(fd, 4096, 0))
            os.close(fd)
            raise LockHeld(held_message(str(self.path), who)) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(holder()).encode(), 0)
        self.fd = fd

    def release(self) -> None:
        if self.fd is not None:
            os.ftruncate(self.fd, 0)  # held by no one: the file says no one
            os.close(self.fd)  # closing the file releases the lock
            self.fd = None


class RemoteLock:
    """``flock`` on a file of an ssh host, held by a remote process that ends with the connection."""

    def __init__(self, ssh: list[str], host: str, folder: str):
        self.ssh, self.host = ssh, host
        self.path = f"{folder}/{LOCK_FILE}"
        self.process: subprocess.Popen | None = None

    def acquire(self) -> None:
        path = shlex.quote(self.path)
        info = shlex.quote(json.dumps(holder()))
        # flock -n: fail at once (exit 75) when held; else say so, write who holds it, and wait for the
        # connection to close (cat ends at EOF), which releases the lock.
        script = (f"mkdir -p {shlex.quote(self.path.rsplit('/', 1)[0])} && exec flock -n -E 75 {path} "
                  f"sh -c 'echo locked; printf %s \"$1\" > \"$2\"; cat; : > \"$2\"' sh {info} {path}")
        process = subprocess.Popen([*self.ssh, self.host, script], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE)
        line = process.stdout.readline().strip()
        if line == b"locked":
            self.process = process
            return
        process.stdin.close()
        process.wait(timeout=60)
        err = process.stderr.read().decode(errors="replace").strip()
        if process.returncode == 75:
            who = subprocess.run([*self.ssh, self.host, f"cat {path}"], capture_output=True, timeout=60)
            raise LockHeld(held_message(f"{self.host}:{self.path}", parse_holder(who.stdout)))
        raise PublishError(f"cannot lock {self.host}:{self.path}: {err or f'exit {process.returncode}'} "
                           "(the host needs util-linux flock); nothing was changed")

    def release(self) -> None:
        if self.process is not None:
            self.process.stdin.close()
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
            self.process.stdout.close()
            self.process.stderr.close()
            self.process = None
