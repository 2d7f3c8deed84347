"""The up-to-date check: a rebuild whose inputs and output are as the last build left them does nothing.

Like make, this check trusts file dates, so that a rebuild with nothing to do does not
start Pelican, read the records or look at every output file (docs/scaling.md). After each successful build a *stamp* is kept beside the
manifest (:class:`incremental.Manifest`), holding:

- the settings the build was given: the settings file run again (so a value read from
  the environment counts), the command line's values, the working folder, the date the
  records were judged against, and Python's version;
- the size, modification and change times of every file and folder the build read: the
  records, the program file, Pelican's content folder, the theme, the plugin code, the
  logo assets, the Python files beside the settings file, and the site-packages folders
  (installing, upgrading or removing a package changes their dates);
- the modification and change times of every folder of the output. Adding, deleting or
  renaming a file anywhere in the output changes its folder's times.

The next build compares them before it imports Pelican. If all are the same, and no
commit is left half done, the output is up to date and the build returns the last
build's summary. Otherwise the build runs as before
(:mod:`incremental`), comparing contents, so a difference in dates alone costs only a
normal rebuild.

A file's change time (``st_ctime``) is set by the kernel on every write and cannot be
set back, so a record edited and restored with ``touch -d`` is still seen. Files whose
change time is within :data:`RACY_NS` (0.1 s) of the moment their dates were read, before
the build, are hashed too, as git does for "racily clean" files: a file system's clock ticks
more coarsely than a nanosecond, so an edit in the same tick could keep every date. Where
every change time is a whole second (a file system keeping no finer time), the margin is
two seconds. A file system whose times come from another machine's clock (NFS) is trusted
as far as that clock agrees with this one's.

What it does not see: an output file edited in place (its folder's dates do not change;
the incremental build does not reread the pages it made either). ``build --reread``
skips the check.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import os
import sys
import time
from pathlib import Path

from .files import COARSE_RACY_NS, RACY_NS, write_atomic

#: Part of every stamp: bump when what it holds changes meaning.
STAMP_FORMAT = "ocpp-stamp-1"
#: Folders no build reads: Python's compiled files appear in them after a code change.
SKIPPED_FOLDERS = {"__pycache__"}


def settings_values(settings_file: str | Path) -> dict:
    """The upper-case names the settings file sets, run as Pelican runs it (so that a value
    it takes from the environment counts), without Pelican's defaults."""
    spec = importlib.util.spec_from_file_location("_ocpp_settings_check", Path(settings_file).resolve())
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return {k: v for k, v in vars(module).items() if k.isupper()}


def settings_key(settings_file: str | Path, values: dict, volatile: set[str], date: str) -> str:
    """A hash of the settings (:func:`settings_values` and the command line's), the working
    folder and the date the records are judged against. A value that is not plain data
    counts by its type's name (a function's code is in the settings file, whose date counts)."""

    def plain(value: object) -> str:
        return f"{type(value).__module__}.{getattr(value, '__qualname__', type(value).__qualname__)}"

    kept = {k: values[k] for k in sorted(values) if k not in volatile}
    return hashlib.sha256(json.dumps([str(Path(settings_file).resolve()), os.getcwd(), date, sys.version,
                                      sys.executable, kept], default=plain).encode("utf-8")).hexdigest()


def inputs(settings: dict, settings_file: str | Path, extra: list[Path]) -> list[list[str]]:
    """What a build with Pelican's ``settings`` reads, as ``[kind, path]``: "tree" (every
    file and folder below), "file", "folder" (the folder's own dates) or "python" (the
    ``*.py`` files of the settings file's folder, which it may import)."""
    found = [["python", str(Path(settings_file).resolve().parent)]]
    found += [["tree", str(Path(p).resolve())] for p in [settings["PATH"], settings["THEME"],
                                                          *settings.get("PLUGIN_PATHS", [])]]
    found += [["tree" if p.is_dir() else "file", str(p.resolve())] for p in extra]
    # Installing, upgrading or removing a package changes its site-packages folder's dates. (Other
    # folders on the path, such as the working folder, change with every build beside them.)
    found += [["folder", str(Path(p).resolve())] for p in sys.path
              if os.path.basename(p) in ("site-packages", "dist-packages") and os.path.isdir(p)]
    return found


def _dates(found: list[list[str]]) -> list[tuple[str, str, os.stat_result | None]]:
    """``(kind, path, its os.stat or None)`` of every file and folder ``found`` names, in a fixed order."""
    dates = []

    def add(kind: str, path: str) -> None:
        try:
            dates.append((kind, path, os.stat(path)))
        except OSError:
            dates.append((kind, path, None))

    for kind, top in found:
        if kind == "folder":
            add("folder", top)
        elif kind == "file":
            add("file", top)
        elif kind == "python":  # not the folder's own dates: the output is often beside the settings
            for name in sorted(n for n in _names(top) if n.endswith(".py")):
                add("file", os.path.join(top, name))
        else:
            for root, dirs, files in os.walk(top):
                dirs[:] = sorted(d for d in dirs if d not in SKIPPED_FOLDERS)
                add("folder", root)
                for name in sorted(files):
                    add("file", os.path.join(root, name))
            if not os.path.isdir(top):
                add("file", top)
    return dates


def state(found: list[list[str]], racy_after_ns: int | None = None) -> tuple[int, str]:
    """``(racy_after_ns, a hash of the dates and sizes of found)``; files changed after
    ``racy_after_ns`` count by their contents too. Without one (before a build), it is now
    less :data:`RACY_NS`, or :data:`COARSE_RACY_NS` where every file's change time is a whole
    second (a file system that keeps no finer time)."""
    now = time.time_ns()  # before the dates are read: the earlier, the more files count as recent
    dates = _dates(found)
    if racy_after_ns is None:
        ctimes = [s.st_ctime_ns for kind, _path, s in dates if kind == "file" and s is not None]
        coarse = bool(ctimes) and all(c % 1_000_000_000 == 0 for c in ctimes)
        racy_after_ns = now - (COARSE_RACY_NS if coarse else RACY_NS)
    h = hashlib.sha256()
    for kind, path, s in dates:
        if s is None:
            h.update(f"{kind}\0{path}\0missing\n".encode("utf-8", "surrogateescape"))
            continue
        h.update(f"{kind}\0{path}\0{s.st_size}\0{s.st_mtime_ns}\0{s.st_ctime_ns}\n".encode("utf-8", "surrogateescape"))
        if kind == "file" and s.st_ctime_ns >= racy_after_ns:
            try:
                with open(path, "rb") as handle:
                    h.update(hashlib.sha256(handle.read()).digest())
            except OSError:
                h.update(b"unreadable")
    return racy_after_ns, h.hexdigest()


def _names(folder: str) -> list[str]:
    try:
        return os.listdir(folder)
    except OSError:
        return []


def folder_dates(output: Path, folders: list[str]) -> list[list]:
    """``[folder, mtime_ns, ctime_ns]`` of each folder of the output (relative; "" is the output)."""
    dates = []
    for rel in folders:
        try:
            s = os.stat(os.path.join(output, rel))
        except OSError:
            return []
        dates.append([rel, s.st_mtime_ns, s.st_ctime_ns])
    return dates


def folders_of(files: list[str]) -> list[str]:
    """Every folder holding one of ``files`` (relative names), and their parents, and ""."""
    folders = {""}
    for parent in {name.rpartition("/")[0] for name in files}:  # 85,000 names, 12,000 folders
        while parent not in folders:
            folders.add(parent)
            parent = parent.rpartition("/")[0]
    return sorted(folders)


class Stamp:
    """The stamp of one output folder: what its last build read, and what it left."""

    def __init__(self, path: Path, output: Path, settings: str):
        self.path = path
        self.output = output
        self.settings = settings

    @functools.cached_property
    def _stored(self) -> dict | None:
        """The stamp as the last build left it (read once: the check and a build after it both ask)."""
        try:
            stored = json.loads(self.path.read_bytes())
        except (OSError, ValueError):
            return None
        if not isinstance(stored, dict) or stored.get("format") != STAMP_FORMAT or stored["output"] != str(self.output):
            return None
        return stored

    @functools.cached_property
    def output_unchanged(self) -> bool:
        """Whether no file was added to, deleted from or renamed in the output since the last build
        (its folders' dates are as it left them): then every file its manifest lists is there."""
        stored = self._stored
        return stored is not None and folder_dates(self.output, [r for r, _m, _c in stored["folders"]]) == stored["folders"]

    def before_build(self, found: list[list[str]]) -> tuple[int, str]:
        """Drop the stamp (a build is about to change what it describes); read the dates of
        ``found`` before the build reads the files: (when, their state)."""
        self.path.unlink(missing_ok=True)
        return state(found)

    def save(self, found: list[list[str]], before: tuple[int, str], files: list[str], summary: dict) -> None:
        """After a successful build: the state of ``found`` before it (:meth:`before_build`), the
        dates of the output's folders holding ``files`` now, and the summary the next check returns."""
        dates = folder_dates(self.output, folders_of(files))
        if not dates:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(self.path, json.dumps({
            "format": STAMP_FORMAT, "output": str(self.output), "settings": self.settings, "inputs": found,
            "racy_after_ns": before[0], "state": before[1], "folders": dates, "summary": summary,
        }).encode("utf-8"))

    def check(self) -> dict | None:
        """The last build's summary if nothing it read or left has changed since; else None."""
        stored = self._stored
        if stored is None or stored["settings"] != self.settings or not self.output_unchanged:
            return None
        if state(stored["inputs"], stored["racy_after_ns"])[1] != stored["state"]:
            return None
        return stored["summary"]
