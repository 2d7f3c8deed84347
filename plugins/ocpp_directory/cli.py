"""Command line: ``python -m ocpp_directory {validate,build,serve,devserver}``.

The only module that prints. A build writes into a fresh folder beside the
output folder and swaps it in only when everything succeeded, so a failed
build leaves the previous site exactly as it was.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import http.server
import logging
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

from . import incremental, publish, uptodate
from .config import VOLATILE_SETTINGS, build_date, resolve
from .errors import DirectoryError, Problem, ValidationFailed


def _print_problems(problems: list[Problem]) -> None:
    for problem in problems:
        print(problem, file=sys.stderr)


def _kb(size: int) -> str:
    return f"{size / 1024:.1f} KB"


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else plural or word + 's'}"


def cmd_validate(args: argparse.Namespace) -> int:
    from .directory import load_directory
    from .program import load_program

    start = time.perf_counter()
    try:
        program = load_program(args.program)
        directory = load_directory(args.certificates, program, build_date(_date_settings(args)))
    except ValidationFailed as exc:
        _print_problems(exc.problems + exc.warnings)
        print(
            f"validate: {_plural(len(exc.problems), 'error')}, {_plural(len(exc.warnings), 'warning')} "
            f"in {args.certificates}",
            file=sys.stderr,
        )
        return 1
    except DirectoryError as exc:
        print(f"validate: {exc}", file=sys.stderr)
        return 1
    _print_problems(directory.warnings)
    print(
        f"validate: {_plural(len(directory.certificates), 'certificate')} valid, "
        f"{_plural(len(directory.warnings), 'warning')} ({time.perf_counter() - start:.2f} s)"
    )
    return 0


def _date_settings(args: argparse.Namespace) -> dict:
    return {"OCPP_BUILD_DATE": args.date} if getattr(args, "date", None) else {}


class _Progress:
    """Progress lines for long builds; silent for small ones."""

    def __init__(self, quiet: bool):
        self.quiet = quiet

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.quiet and total >= 1000:
            print(f"  {stage}: {done}/{total}", file=sys.stderr, flush=True)


def build(
    settings_file: str,
    output: str | Path,
    *,
    certificates: str | None = None,
    siteurl: str | None = None,
    date: str | None = None,
    cache: str | Path | None = None,
    settings_override: dict | None = None,
    quiet: bool = False,
    reread: bool = False,
) -> dict:
    """Build the site into ``output`` atomically; return what was built.

    With a cache folder, a build whose inputs and output have the same dates as the last
    build left them does nothing (:mod:`uptodate`) unless ``reread``.
    Raises :class:`DirectoryError` (with nothing written) on bad records.
    """
    start = time.perf_counter()
    if not Path(settings_file).is_file():
        raise DirectoryError(f"{settings_file}: no such settings file")
    output = Path(output).resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = output.parent / f".{output.name}.building-{os.getpid()}"
    report: dict = {}
    override = {
        "OUTPUT_PATH": str(staging),
        "OCPP_PROGRESS": _Progress(quiet),
        "OCPP_REPORT": report,
    }
    if certificates is not None:
        override["OCPP_CERTIFICATES"] = str(Path(certificates).resolve())
    if siteurl is not None:
        override["SITEURL"] = siteurl.rstrip("/")
    if date is not None:
        override["OCPP_BUILD_DATE"] = date
    if cache is not None:
        override["OCPP_CACHE_PATH"] = str(cache)
    override.update(settings_override or {})
    values = {**uptodate.settings_values(settings_file), **override}
    cache_path = values.get("OCPP_CACHE_PATH")
    manifest = incremental.Manifest(Path(cache_path), output) if cache_path else None
    stamp = None
    if manifest is not None:
        key = uptodate.settings_key(settings_file, values, VOLATILE_SETTINGS, build_date(values).isoformat())
        stamp = uptodate.Stamp(manifest.stamp, output, key)
        summary = None if reread or manifest.journal.exists() else stamp.check()
        if summary is not None:
            _remove_stale(output)
            manifest.prune()
            return _up_to_date(summary, output, start)

    from pelican import Pelican
    from pelican.log import console
    from pelican.settings import read_settings

    from . import cache as cache_module
    from . import workers
    from .logos import ASSETS

    quiet_before, console.quiet = console.quiet, True  # our summary replaces Pelican's blog counts
    committing = False
    try:
        settings = read_settings(settings_file, override=override)
        present = False  # whether the files the manifest lists are known to be in the output
        if stamp is not None:
            found = uptodate.inputs(settings, settings_file, [resolve(settings, "OCPP_CERTIFICATES"),
                                                              resolve(settings, "OCPP_PROGRAM_FILE"), ASSETS])
            present = stamp.output_unchanged
            before = stamp.before_build(found)
        # First finish a commit a killed build left half done, then clear what it left beside the output.
        previous = manifest.load() if manifest is not None else None
        _remove_stale(output)
        plan = incremental.Plan(previous, output, present)
        settings["OCPP_PLAN"] = plan
        Pelican(settings).run()
        # What Pelican itself wrote (content pages, theme files) is made again by every build.
        claimed = {name for unit in plan.units.values() for name in unit["files"]}
        plan.add("pelican", "", [name for name in incremental.files_below(staging) if name not in claimed])
        files = sum(len(unit["files"]) for unit in plan.units.values())
        pages = sum(1 for unit in plan.units.values() for name in unit["files"] if name.endswith(".html"))
        if plan.incremental:
            committing = True
            written = manifest.commit(staging, plan.units, previous)
        else:
            written = {"written": files, "unchanged": 0, "deleted": 0}
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
    directory = report["directory"]
    summary = {
        "qr_generated": report["qr"].generated,
        "qr_reused": report["qr"].reused,
        "qr_warning": report["qr_warning"],
        "search": report["search"],
        "logos_rendered": report["logos"].rendered,
        "logos_reused": report["logos"].reused,
        "certificates": len(directory.certificates),
        "vendors": len(directory.vendors),
        "devices": len(directory.devices),
        "pages": pages,
        "files": files,
        "units": len(plan.units),
        "records_reused": report["records_reused"],
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
    return {**summary, "seconds": time.perf_counter() - start, "warnings": directory.warnings, "output": output}


def _up_to_date(summary: dict, output: Path, start: float) -> dict:
    """What :func:`build` returns when the output is up to date: the last build's figures, nothing made."""
    return {**summary, "qr_generated": 0, "qr_reused": 0, "logos_rendered": 0, "logos_reused": 0,
            "records_reused": summary["certificates"], "incremental": True, "up_to_date": True,
            "units_rendered": 0, "units_kept": summary["units"], "written": 0, "unchanged": summary["files"],
            "deleted": 0, "cache_removed": 0, "seconds": time.perf_counter() - start,
            "warnings": [Problem(**w) for w in summary["warnings"]], "output": output}


def _remove_stale(output: Path) -> None:
    """Folders a killed build left beside ``output`` (their process is gone)."""
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


def cmd_build(args: argparse.Namespace) -> int:
    if not args.quiet:
        print(f"build: {args.certificates or 'certificates from ' + args.settings} -> {args.output}", file=sys.stderr)
    try:
        result = build(args.settings, args.output, certificates=args.certificates, siteurl=args.siteurl,
                       date=args.date, cache=args.cache, quiet=args.quiet, reread=args.reread)
    except ValidationFailed as exc:
        _print_problems(exc.problems + exc.warnings)
        print(f"build: failed, {_plural(len(exc.problems), 'error')} in the records; "
              f"{args.output} was left as it was", file=sys.stderr)
        return 1
    except DirectoryError as exc:
        print(f"build: failed: {exc}; {args.output} was left as it was", file=sys.stderr)
        return 1
    _print_problems(result["warnings"])
    if result["up_to_date"]:
        print(f"build: {args.output} is up to date ({_plural(result['certificates'], 'certificate')}, "
              f"{_plural(result['files'], 'file')}): the records, settings, code, theme and output have the "
              f"dates the last build left them; checked in {result['seconds']:.2f} s (--reread checks contents)")
        if result["qr_warning"]:
            print(f"\n*** WARNING: {result['qr_warning']} ***\n", file=sys.stderr)
        return 0
    s = result["search"]
    print(
        f"build: {_plural(result['certificates'], 'certificate')}, {_plural(result['vendors'], 'vendor')}, "
        f"{_plural(result['devices'], 'device')}; {_plural(result['pages'], 'page')} "
        f"({_plural(result['files'], 'file')}) in {args.output}, built in {result['seconds']:.2f} s\n"
        f"build: {'incremental: ' if result['incremental'] else 'full: '}"
        f"{result['units_rendered']} parts rendered, {result['units_kept']} unchanged; "
        f"{_plural(result['written'], 'file')} written, {result['unchanged']} unchanged, {result['deleted']} deleted\n"
        f"build: records: {result['certificates'] - result['records_reused']} checked, "
        f"{result['records_reused']} unchanged (from the cache)\n"
        f"build: QR codes: {result['qr_generated']} rendered, {result['qr_reused']} unchanged (from the cache); "
        f"logo and label files: {result['logos_rendered']} rendered, {result['logos_reused']} unchanged\n"
        f"build: search: {s['shards']} shards ({_kb(s['shards_bytes'])}); before the first result a browser "
        f"fetches {_kb(s['fixed_gzip'])} gzip (page, scripts, meta {_kb(s['meta_gzip'])}), then one shard per "
        f"word (for two letters: median {_kb(s['short_shard_gzip_median'])}, largest "
        f"{_kb(s['short_shard_gzip_largest'])} gzip) and one fragment per result ({s['fragment_gzip_average']} B)"
    )
    if result["cache_removed"]:
        print(f"build: cache: removed {_plural(result['cache_removed'], 'entry', 'entries')} no build of this "
              "version uses (renderings in an earlier format, what was kept for records folders since removed)")
    if result["qr_warning"]:
        print(f"\n*** WARNING: {result['qr_warning']} ***\n", file=sys.stderr)
    return 0


def publish_site(
    settings_file: str,
    output: str | Path,
    target: publish.Target,
    *,
    certificates: str | None = None,
    siteurl: str | None = None,
    correction: str | None = None,
    date: str | None = None,
    quiet: bool = False,
) -> dict:
    """Build with the public settings, check the live ledger, deploy atomically."""
    import json

    live = target.live_ledger()
    corrections = list(live.get("corrections", [])) if live else []
    options = dict(certificates=certificates, siteurl=siteurl, date=date, quiet=quiet)
    result = build(settings_file, output, settings_override={"OCPP_CORRECTIONS": corrections}, **options)
    new = json.loads((Path(output) / "ledger.json").read_bytes())
    changes = publish.compare(live, new)
    if changes and not correction:
        raise publish.LedgerRefusal(changes)
    if correction and not changes:
        raise publish.PublishError("CORRECTION was given, but this publish retracts or alters no published "
                                   "certificate: there is nothing to correct, and nothing was published")
    if changes:
        entry = publish.correction_entry(correction, changes, build_date({"OCPP_BUILD_DATE": date} if date else {}))
        result = build(settings_file, output, settings_override={"OCPP_CORRECTIONS": corrections + [entry]},
                       **options)
    result["release"] = publish.deploy(target, Path(output))
    result["added"] = sorted(set(new["certificates"]) - set((live or {}).get("certificates", {})))
    result["corrected"] = changes
    return result


def cmd_publish(args: argparse.Namespace) -> int:
    try:
        target = publish.target_for(args.target, os.environ.get("DEPLOY_SSH", "ssh"))
        result = publish_site(args.settings, args.output, target, certificates=args.certificates,
                              siteurl=args.siteurl, correction=args.correction or None, date=args.date,
                              quiet=args.quiet)
    except ValidationFailed as exc:
        _print_problems(exc.problems + exc.warnings)
        print(f"publish: refused, {_plural(len(exc.problems), 'error')} in the records; "
              "nothing was published", file=sys.stderr)
        return 1
    except DirectoryError as exc:
        print(f"publish: refused: {exc}", file=sys.stderr)
        return 1
    print(f"publish: release {result['release']} is live at {target}: "
          f"{_plural(result['certificates'], 'certificate')}, {len(result['added'])} new"
          + (f", {len(result['corrected'])} corrected (see /corrections/)" if result["corrected"] else ""))
    return 0


def cmd_rollback(args: argparse.Namespace) -> int:
    try:
        target = publish.target_for(args.target, os.environ.get("DEPLOY_SSH", "ssh"))
        name = publish.rollback(target)
    except DirectoryError as exc:
        print(f"rollback: refused: {exc}", file=sys.stderr)
        return 1
    print(f"rollback: release {name} is live again at {target}")
    return 0


def cmd_guard(args: argparse.Namespace) -> int:
    """For the plain rsync_upload and github targets: compare a built site with the live ledger."""
    import json

    try:
        if args.git:
            ref = subprocess.run(["git", "show", args.git], capture_output=True)
            live = json.loads(ref.stdout) if ref.returncode == 0 else None
        else:
            target_spec, _, relative = args.ledger.rpartition("/")
            live = publish.target_for(target_spec or ".", os.environ.get("DEPLOY_SSH", "ssh")).ledger_at(relative)
        new = json.loads((Path(args.output) / "ledger.json").read_bytes())
        changes = publish.compare(live, new)
        if changes:
            raise publish.LedgerRefusal(changes)
    except (DirectoryError, OSError, ValueError) as exc:
        print(f"publish: refused: {exc}", file=sys.stderr)
        return 1
    print(f"publish: the ledger check passed ({len(new['certificates'])} certificates)")
    return 0


def _serve(directory: Path, port: int) -> http.server.ThreadingHTTPServer:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    print(f"serving {directory} at http://127.0.0.1:{port}/ (Ctrl-C stops)", file=sys.stderr)
    return server


def cmd_serve(args: argparse.Namespace) -> int:
    server = _serve(Path(args.output).resolve(), args.port)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


def cmd_devserver(args: argparse.Namespace) -> int:
    """Build, serve, and rebuild on every change of records, content, theme or code."""
    import watchfiles

    cmd_build(args)
    server = _serve(Path(args.output).resolve(), args.port)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    root = Path(args.settings).resolve().parent
    watched = [p for p in (Path(args.certificates or root / "certificates"), root / "content", root / "theme",
                           root / "plugins", root / "program.yaml", Path(args.settings)) if p.exists()]
    try:
        for _ in watchfiles.watch(*watched):
            cmd_build(args)
    except KeyboardInterrupt:
        pass
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ocpp_directory", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--date", help="judge `issued` against this date (YYYY-MM-DD) instead of today")

    v = sub.add_parser("validate", help="check every record; exit 1 on any error")
    v.add_argument("--certificates", default="certificates", help="folder of records (default: certificates)")
    v.add_argument("--program", default="program.yaml", help="program file (default: program.yaml)")
    common(v)
    v.set_defaults(func=cmd_validate)

    for name, func, text in (
        ("build", cmd_build, "validate, then build the site atomically"),
        ("devserver", cmd_devserver, "build, serve and rebuild on changes"),
    ):
        b = sub.add_parser(name, help=text)
        b.add_argument("--settings", default="pelicanconf.py")
        b.add_argument("--certificates", default=None, help="folder of records (default: the settings')")
        b.add_argument("--output", default="output")
        b.add_argument("--siteurl", default=None, help="public base URL, such as https://example.org")
        b.add_argument("--port", type=int, default=8000)
        b.add_argument("--cache", default=None, help="folder of rendered QR codes and logos (default: the settings')")
        b.add_argument("--quiet", action="store_true")
        b.add_argument("--reread", action="store_true",
                       help="read every record and compare every file, even if no date changed since the last build")
        common(b)
        b.set_defaults(func=func)

    p = sub.add_parser("publish", help="build with the public settings, check the ledger, deploy atomically")
    p.add_argument("--settings", default="publishconf.py")
    p.add_argument("--certificates", default=None)
    p.add_argument("--output", default="output")
    p.add_argument("--target", default="", help="a folder, or host:path for rsync over ssh (DEPLOY_SSH)")
    p.add_argument("--siteurl", default=None)
    p.add_argument("--correction", default="", help="the public reason for altering published certificates")
    p.add_argument("--quiet", action="store_true")
    common(p)
    p.set_defaults(func=cmd_publish)

    r = sub.add_parser("rollback", help="make the previous release live again")
    r.add_argument("--target", default="")
    r.set_defaults(func=cmd_rollback)

    g = sub.add_parser("guard", help="check a built site against a live ledger (plain rsync and github targets)")
    g.add_argument("--output", default="output")
    g.add_argument("--ledger", default="", help="ledger.json at a folder or host:path")
    g.add_argument("--git", default="", help="ledger.json in a git ref, such as gh-pages:ledger.json")
    g.set_defaults(func=cmd_guard)

    s = sub.add_parser("serve", help="serve the built site on localhost")
    s.add_argument("--output", default="output")
    s.add_argument("--port", type=int, default=8000)
    s.set_defaults(func=cmd_serve)

    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    return args.func(args)
