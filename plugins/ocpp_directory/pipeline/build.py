"""One build: the output folder replaced whole, or changed file by file, or left as it was.

A build writes into a fresh folder beside the output folder and moves it in
only when everything succeeded, so a failed build leaves the previous site
exactly as it was. With a cache folder, a rebuild renders only the units whose
inputs changed and commits them through a journal (:mod:`..engine.incremental`),
and a build whose inputs have the dates the last one left does nothing
(:mod:`..engine.uptodate`).
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import time
from pathlib import Path

from ..engine import incremental, uptodate
from ..model.errors import Problem
from .settings import VOLATILE_SETTINGS, Progress, SettingsFile, build_date, context, resolve


def build(
    settings_file: str | Path | SettingsFile,
    output: str | Path,
    *,
    certificates: str | None = None,
    siteurl: str | None = None,
    date: str | None = None,
    cache: str | Path | None = None,
    settings_override: dict | None = None,
    progress: Progress | None = None,
    reread: bool = False,
    resident=None,
) -> dict:
    """Build the site into ``output`` atomically; return what was built.

    ``settings_file`` is run once (a :class:`.settings.SettingsFile` given has been already).

    With a cache folder, a build whose inputs and output have the same dates as the last
    build left them does nothing (:mod:`uptodate`) unless ``reread``. ``resident`` (the devserver's
    :class:`.resident.Resident`) keeps the build's stores and generator in memory for the next.
    What it returns has ``changed``: the output's files written or deleted, None when all were.
    Raises :class:`DirectoryError` (with nothing written) on bad records.
    """
    start = time.perf_counter()
    read = settings_file if isinstance(settings_file, SettingsFile) else SettingsFile.read(settings_file)
    settings_file = str(read.path)
    output = Path(output).resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = output.parent / f".{output.name}.building-{os.getpid()}"
    override = {"OUTPUT_PATH": str(staging)}
    if certificates is not None:
        override["OCPP_CERTIFICATES"] = str(Path(certificates).resolve())
    if siteurl is not None:
        override["SITEURL"] = siteurl.rstrip("/")
    if date is not None:
        override["OCPP_BUILD_DATE"] = date
    if cache is not None:
        override["OCPP_CACHE_PATH"] = str(cache)
    override.update(settings_override or {})
    values = {**read.values, **override}
    cache_path = values.get("OCPP_CACHE_PATH")
    manifest = incremental.Manifest(Path(cache_path), output) if cache_path else None
    day = build_date(values)  # the one reading of the build date: judged against, stamped with
    stamp = None
    if manifest is not None:
        key = uptodate.settings_key(settings_file, values, VOLATILE_SETTINGS, day.isoformat())
        stamp = uptodate.Stamp(manifest.stamp, output, key)
        summary = None if reread or manifest.journal.exists() else stamp.check()
        if summary is not None:
            _remove_stale(output)
            manifest.prune()
            return _up_to_date(summary, output, start)

    from pelican import Pelican
    from pelican.log import console

    from ..engine import cache as cache_module
    from ..outputs.logos import glyphs
    from . import workers
    from .generator import Run, bound

    quiet_before, console.quiet = console.quiet, True  # our summary replaces Pelican's blog counts
    committing = False
    try:
        settings = read.pelican(override)
        present = False  # whether the files the manifest lists are known to be in the output
        if stamp is not None:
            found = uptodate.inputs(settings, settings_file, [resolve(settings, "OCPP_CERTIFICATES"),
                                                              resolve(settings, "OCPP_PROGRAM_FILE"), glyphs.ASSETS])
            present = stamp.output_unchanged
            before = stamp.before_build(found)
        # First finish a commit a killed build left half done, then clear what it left beside the output.
        previous = manifest.load() if manifest is not None else None
        _remove_stale(output)
        plan = incremental.Plan(previous, output, present)
        run = Run(context(settings, date=day, progress=progress), plan,
                  resident=resident.stores if resident is not None else None)
        pelican = Pelican(settings)
        pelican.ocpp_generator = bound(run)  # what the plugin's get_generators receiver hands Pelican
        pelican.run()
        # What Pelican itself wrote (content pages, theme files) is made again by every build.
        claimed = {name for unit in plan.units.values() for name in unit["files"]}
        plan.add("pelican", "", [name for name in incremental.files_below(staging) if name not in claimed])
        files = sum(len(unit["files"]) for unit in plan.units.values())
        pages = sum(1 for unit in plan.units.values() for name in unit["files"] if name.endswith(".html"))
        if plan.incremental:
            committing = True
            written = manifest.commit(staging, plan.units, previous)
        else:
            written = {"written": files, "unchanged": 0, "deleted": 0, "paths": None}
            if manifest is not None:
                manifest.forget()
            _swap_in(staging, output)
            if manifest is not None:
                manifest.save(plan.units)
    finally:
        console.quiet = quiet_before
        if not committing or not (manifest and manifest.journal.exists()):
            shutil.rmtree(staging, ignore_errors=True)
    # Renderings of earlier formats, and what was kept for records folders since removed (cache.py).
    removed = cache_module.prune(Path(cache_path), workers.GENERATIONS) if cache_path else 0
    changed = written.pop("paths")
    if resident is not None:
        resident.built(run.generator, output)
    report = run.report
    directory = report.directory
    summary = {
        "qr_generated": report.binaries.qr.generated,
        "qr_reused": report.binaries.qr.reused,
        "qr_warning": run.context.qr_warning,
        "search": report.search,
        "logos_rendered": report.binaries.renderer.rendered,
        "logos_reused": report.binaries.renderer.reused,
        "certificates": len(directory.certificates),
        "vendors": len(directory.vendors),
        "devices": len(directory.devices),
        "pages": pages,
        "files": files,
        "units": len(plan.units),
        "records_reused": report.records_reused,
        "incremental": plan.incremental,
        "up_to_date": False,
        "units_rendered": plan.rendered,
        "units_kept": plan.kept,
        **written,
        "cache_removed": removed,
        "warnings": [dataclasses.asdict(w) for w in directory.warnings],
    }
    if stamp is not None:
        stamp.save(found, before, [name for unit in plan.units.values() for name in unit["files"]], summary)
    return {**summary, "seconds": time.perf_counter() - start, "warnings": directory.warnings, "output": output,
            "changed": changed}


def _up_to_date(summary: dict, output: Path, start: float) -> dict:
    """What :func:`build` returns when the output is up to date: the last build's figures, nothing made."""
    return {**summary, "qr_generated": 0, "qr_reused": 0, "logos_rendered": 0, "logos_reused": 0,
            "records_reused": summary["certificates"], "incremental": True, "up_to_date": True,
            "units_rendered": 0, "units_kept": summary["units"], "written": 0, "unchanged": summary["files"],
            "deleted": 0, "cache_removed": 0, "seconds": time.perf_counter() - start,
            "warnings": [Problem(**w) for w in summary["warnings"]], "output": output, "changed": []}


def _remove_stale(output: Path) -> None:
    """Remove the folders a killed build left beside ``output`` (their process is gone); a previous
    site moved aside by a swap that did not finish is moved back."""
    for leftover in output.parent.glob(f".{output.name}.*-*"):
        kind, _, pid = leftover.name.rpartition("-")
        if not kind.endswith((".building", ".old")) or not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
            if int(pid) != os.getpid():
                continue  # another build is running
        except ProcessLookupError:
            pass
        except PermissionError:
            continue
        if kind.endswith(".old") and not output.exists():
            os.rename(leftover, output)  # killed between the swap's two renames: the previous site again
            continue
        shutil.rmtree(leftover, ignore_errors=True)


def _swap_in(staging: Path, output: Path) -> None:
    """Replace ``output`` by ``staging`` with two renames on one file system."""
    old = None
    if output.exists():
        old = output.parent / f".{output.name}.old-{os.getpid()}"
        shutil.rmtree(old, ignore_errors=True)
        os.rename(output, old)
    os.rename(staging, output)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
