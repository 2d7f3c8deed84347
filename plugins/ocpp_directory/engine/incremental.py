"""Incremental builds: render only the outputs whose inputs changed, write only changed files.

A build is a set of *units* (one certificate's page and files, one device page,
the search index, ...). Each unit has a key, the hash of everything it is made
from, and lists the files it wrote. The list of units of the last build, the
*manifest*, is kept in the cache folder beside the output it describes.

A rebuild renders, into an empty staging folder, only the units whose key
changed or whose files are missing from the output. Then it *commits*: a
journal naming every file to move into the output and every file to delete
is written first, then applied, then the new manifest is saved and the journal
removed. A build that fails before the commit leaves the output untouched; a
build killed during the commit is completed by the next build, which finds the
journal and applies it again before anything else (every step can be repeated).
Files whose bytes did not change are not touched, so their dates stay too.

Without a manifest (first build, no cache folder, or a journal that cannot be
completed), every unit is rendered and the whole tree swapped in, as before.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from pathlib import Path

from .files import write_atomic

#: Part of every manifest: bump when the meaning of its entries changes.
MANIFEST_FORMAT = "ocpp-manifest-1"
#: units the manifest is written a slice at a time of (Manifest.save)
MANIFEST_SLICE = 2048


def digest(*parts: object) -> str:
    """A hash of ``parts``, each turned into text (unambiguous: length-prefixed)."""
    h = hashlib.sha256()
    for part in parts:
        data = part if isinstance(part, bytes) else str(part).encode("utf-8")
        h.update(b"%d:" % len(data) + data)
    return h.hexdigest()


def tree_digest(folder: Path) -> str:
    """A hash of every file below ``folder`` (names and bytes)."""
    h = hashlib.sha256()
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            path = Path(root, name)
            h.update(str(path.relative_to(folder)).encode("utf-8") + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


class Manifest:
    """Where the manifest and journal of one output folder live in the cache folder."""

    def __init__(self, cache: Path, output: Path):
        name = hashlib.sha256(str(output.resolve()).encode("utf-8")).hexdigest()[:16]
        self.output = output
        self.path = cache / "builds" / f"{name}.json"
        self.journal = cache / "builds" / f"{name}.journal.json"
        self.stamp = cache / "builds" / f"{name}.stamp"  # uptodate.Stamp
        self.touched_file = cache / "builds" / f"{name}.touched.json"  # units written outside a build

    def load(self) -> dict[str, dict] | None:
        """The last build's units, or None when it cannot be trusted."""
        if self.journal.exists() and not self.recover():
            return None
        if not self.output.is_dir():
            return None
        try:
            stored = json.loads(self.path.read_bytes())
        except (OSError, ValueError):
            return None
        if not isinstance(stored, dict) or stored.get("format") != MANIFEST_FORMAT:
            return None
        units = stored.get("units")
        for name in self._touched():  # rendered again: their files may not be what the key says
            if isinstance(units, dict) and name in units:
                units[name] = {**units[name], "key": ""}
        return units

    def touch(self, names: list[str]) -> None:
        """Units whose files were just written into the output outside a build (the devserver's pages
        of a saved record, :mod:`..pipeline.resident`): the next build renders them again, whatever
        their keys, until a build saves a manifest."""
        self.stamp.unlink(missing_ok=True)
        self.touched_file.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(self.touched_file, json.dumps(sorted(set(self._touched()) | set(names))).encode("utf-8"))

    def _touched(self) -> list[str]:
        """The units :meth:`touch` named since the last manifest was saved."""
        try:
            return json.loads(self.touched_file.read_bytes())
        except (OSError, ValueError):
            return []

    def forget(self) -> None:
        """The output is about to be replaced by a tree no manifest describes yet."""
        self.path.unlink(missing_ok=True)
        self.journal.unlink(missing_ok=True)
        self.stamp.unlink(missing_ok=True)
        self.touched_file.unlink(missing_ok=True)

    def save(self, units: dict[str, dict]) -> None:
        """Write the manifest a unit at a time: the bytes ``json.dumps(..., sort_keys=True)`` makes, without
        the whole text and its encoding in memory at once (54 MB at 30,000 certificates, docs/scaling.md)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        head = json.dumps({"format": MANIFEST_FORMAT, "output": str(self.output.resolve())}, sort_keys=True)

        def write(handle) -> None:
            handle.write(head[:-1].encode("ascii") + b', "units": {')
            names = sorted(units)
            for at in range(0, len(names), MANIFEST_SLICE):
                some = json.dumps({name: units[name] for name in names[at:at + MANIFEST_SLICE]}, sort_keys=True)[1:-1]
                handle.write(((", " if at else "") + some).encode("ascii"))
            handle.write(b"}}")

        write_atomic(self.path, write)
        self.touched_file.unlink(missing_ok=True)
        self.prune()

    def prune(self) -> None:
        """Drop the manifests of output folders that no longer exist (the tests make many)."""
        for other in self.path.parent.glob("*.json"):
            if other == self.path or other.name.endswith((".journal.json", ".touched.json")):
                continue
            try:
                with open(other, "rb") as handle:
                    head = handle.read(8192)  # "output" sorts before "units": it is near the start
            except OSError:
                continue
            found = re.search(rb'"output": ("(?:[^"\\]|\\.)*")', head)
            if found and not Path(json.loads(found.group(1))).exists():
                other.unlink(missing_ok=True)
                for suffix in (".journal.json", ".stamp", ".touched.json"):
                    Path(str(other).removesuffix(".json") + suffix).unlink(missing_ok=True)

    def commit(self, staging: Path, units: dict[str, dict], previous: dict[str, dict]) -> dict:
        """Move what ``staging`` holds into the output and delete what no unit lists any more.

        Returns counts: files written, unchanged (same bytes already there) and deleted; and ``paths``,
        the files written or deleted.
        """
        moves, unchanged = [], 0
        for rel in files_below(staging):
            if same_bytes(staging / rel, self.output / rel):
                unchanged += 1
            else:
                moves.append(rel)
        now = {name for unit in units.values() for name in unit["files"]}
        deletes = sorted({name for unit in previous.values() for name in unit["files"]} - now)
        plan = {"staging": str(staging), "moves": sorted(moves), "deletes": deletes, "units": units}
        self.journal.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(self.journal, json.dumps(plan, sort_keys=True).encode("utf-8"))
        self._apply(plan)
        return {"written": len(moves), "unchanged": unchanged, "deleted": len(deletes), "paths": moves + deletes}

    def recover(self) -> bool:
        """Finish a commit a killed build left half done; False if that is impossible."""
        try:
            plan = json.loads(self.journal.read_bytes())
        except (OSError, ValueError):
            self.forget()
            return False
        staging = Path(plan["staging"])
        missing = [rel for rel in plan["moves"] if not (staging / rel).exists() and not (self.output / rel).exists()]
        if missing:
            self.forget()
            return False
        self._apply(plan)
        return True

    def _apply(self, plan: dict) -> None:
        staging = Path(plan["staging"])
        for rel in plan["moves"]:
            source, target = staging / rel, self.output / rel
            if not source.exists():
                continue  # moved before the build was killed
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, target)
        for rel in plan["deletes"]:
            target = self.output / rel
            target.unlink(missing_ok=True)
            _remove_empty_parents(target.parent, self.output)
        self.save(plan["units"])
        self.journal.unlink(missing_ok=True)
        shutil.rmtree(staging, ignore_errors=True)


def files_below(folder: Path) -> list[str]:
    """Every file below ``folder``, relative to it."""
    return [os.path.relpath(os.path.join(root, name), folder) for root, _dirs, names in os.walk(folder)
            for name in names]


def same_bytes(a: Path, b: Path) -> bool:
    """Whether files ``a`` and ``b`` hold the same bytes (False if either cannot be read)."""
    try:
        if a.stat().st_size != b.stat().st_size:
            return False
        return a.read_bytes() == b.read_bytes()
    except OSError:
        return False


def _remove_empty_parents(folder: Path, top: Path) -> None:
    while folder != top and top in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


class Plan:
    """The units of this build: which can be kept from the last one, which must be rendered."""

    def __init__(self, previous: dict[str, dict] | None, output: Path, present: bool = False):
        self.previous = previous or {}
        self.incremental = previous is not None
        self.output = output
        # True when the output's folder dates show that nothing was added, deleted or renamed
        # since the last build (uptodate.Stamp): its files need not be looked for one by one.
        self.present = present
        self.units: dict[str, dict] = {}
        self.kept = 0
        self.rendered = 0

    def current(self, name: str, key: str) -> bool:
        """Whether the last build made ``name`` from the same key, and its files are still there."""
        entry = self.previous.get(name)
        return entry is not None and entry["key"] == key and (self.present or all(
            os.path.exists(os.path.join(self.output, rel)) for rel in entry["files"]))

    def kept_unit(self, name: str, key: str) -> dict | None:
        """The last build's entry for ``name`` if its key is the same and its files are still there."""
        if not self.current(name, key):
            return None
        return self.keep(name)

    def keep(self, name: str) -> dict:
        """Keep the last build's ``name`` as it is (the caller checked that it is ``current``)."""
        entry = self.units[name] = self.previous[name]
        self.kept += 1
        return entry

    def add(self, name: str, key: str, files: list[str], meta: dict | None = None) -> None:
        self.units[name] = {"key": key, "files": sorted(files), "meta": meta or {}}
        self.rendered += 1
