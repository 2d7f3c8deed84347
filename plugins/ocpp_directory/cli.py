"""Command line: ``python -m ocpp_directory {validate,build,serve,devserver,publish,rollback,guard}``.

The only module that prints: each command calls the library (:mod:`.pipeline.build`,
:mod:`.publishing`), shows progress on long work, a summary at the end, and
every problem as ``path:line: field: what is wrong; what is expected``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from .cli_tools import (_date_settings, _plural, _print_problems, _progress, cmd_audit, cmd_import_listing,
                        cmd_check, cmd_issue, cmd_log_key, cmd_next_number, cmd_verify_document)
from .model.errors import DirectoryError, ValidationFailed
from .pipeline.build import build
from .pipeline.settings import build_date
from .publishing import targets as publish
from .publishing.flow import publish_site


def _kb(size: int) -> str:
    return f"{size / 1024:.1f} KB"


def cmd_validate(args: argparse.Namespace) -> int:
    from .model.directory import load_directory
    from .model.program import load_program

    start = time.perf_counter()
    try:
        program = load_program(args.program)
        directory = load_directory(args.certificates, program, build_date(_date_settings(args)))
        from .issuing.documents import check_issued

        check_issued(directory)  # each issued document against its record, as the build checks them
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


def cmd_build(args: argparse.Namespace) -> int:
    return _build(args)[0]


def _build(args: argparse.Namespace, resident=None) -> tuple[int, str | None, list[str] | None]:
    """Build, printing progress and the summary; the exit code, what failed (None when nothing did), and
    the output's files written or deleted (None: all)."""
    if not args.quiet:
        print(f"build: {args.certificates or 'certificates from ' + args.settings} -> {args.output}", file=sys.stderr)
    try:
        result = build(args.settings, args.output, certificates=args.certificates, siteurl=args.siteurl,
                       date=args.date, cache=args.cache, progress=None if args.quiet else _progress,
                       reread=args.reread, resident=resident)
    except (ValidationFailed, DirectoryError) as exc:
        return 1, _failed(exc, args.output, "build"), []
    _print_problems(result["warnings"])
    if result["up_to_date"]:
        print(f"build: {args.output} is up to date ({_plural(result['certificates'], 'certificate')}, "
              f"{_plural(result['files'], 'file')}): the records, settings, code, theme and output have the "
              f"dates the last build left them; checked in {result['seconds']:.2f} s (--reread checks contents)")
        if result["qr_warning"]:
            print(f"\n*** WARNING: {result['qr_warning']} ***\n", file=sys.stderr)
        return 0, None, []
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
    return 0, None, result["changed"]


def _failed(exc: DirectoryError, output: str, command: str) -> str:
    """Print why a build failed; the text the devserver's tabs show."""
    if isinstance(exc, ValidationFailed):
        _print_problems(exc.problems + exc.warnings)
        failed = f"{command}: failed, {_plural(len(exc.problems), 'error')} in the records; {output} was left as it was"
        print(failed, file=sys.stderr)
        return "\n".join(str(p) for p in exc.problems) + "\n\n" + failed
    failed = f"{command}: failed: {exc}; {output} was left as it was"
    print(failed, file=sys.stderr)
    return failed


def _say(command: str):
    return lambda message: print(f"{command}: {message}", flush=True)


def cmd_publish(args: argparse.Namespace) -> int:
    try:
        target = publish.target_for(args.target, os.environ.get("DEPLOY_SSH", "ssh"),
                                    progress=None if args.quiet else _say("publish"))
        result = publish_site(args.settings, args.output, target, certificates=args.certificates,
                              siteurl=args.siteurl, correction=args.correction or None, date=args.date,
                              progress=None if args.quiet else _progress, staging=args.staging)
    except ValidationFailed as exc:
        _print_problems(exc.problems + exc.warnings)
        print(f"publish: refused, {_plural(len(exc.problems), 'error')} in the records; "
              "nothing was published", file=sys.stderr)
        return 1
    except DirectoryError as exc:
        print(f"publish: refused: {exc}", file=sys.stderr)
        return 1
    print(f"publish: {'STAGING ' if args.staging else ''}release {result['release']} is live at {target}: "
          f"{_plural(result['certificates'], 'certificate')}, {len(result['added'])} new"
          + (f", {len(result['corrected'])} corrected (see /corrections/)" if result["corrected"] else "")
          + f"; the certificate log holds {_plural(result['log_size'], 'entry', 'entries')}")
    if result.get("objects"):
        counts = result["objects"]
        print(f"publish: objects: {counts['uploaded']} uploaded, {counts['unchanged']} unchanged, {counts['kept']} "
              f"kept (certificate and log files the build no longer makes), {counts['deleted']} deleted")
    if result.get("published") and args.staging:
        print(f"publish: the staging checkpoint is kept in {result['published']} (not the committed file)")
    elif result.get("published"):
        print(f"publish: commit {result['published']}: it holds the checkpoint now live, which the next publish "
              "checks the target against")
    return 0


def cmd_rollback(args: argparse.Namespace) -> int:
    try:
        target = publish.target_for(args.target, os.environ.get("DEPLOY_SSH", "ssh"), progress=_say("rollback"))
        from .pipeline.settings import SettingsFile

        kept = SettingsFile.read(args.settings).values.get("OCPP_LOG_PUBLISHED") if args.settings else None
        name = publish.rollback(target, Path(kept) if kept else None)
    except DirectoryError as exc:
        print(f"rollback: refused: {exc}", file=sys.stderr)
        return 1
    print(f"rollback: release {name} is live again at {target}")
    return 0


def cmd_guard(args: argparse.Namespace) -> int:
    """For the plain rsync_upload and github targets: compare a built site with what is live, read from
    the live certificate log (the ledger only where there is no log), as make publish does."""
    import tempfile

    from .publishing import logcheck

    class _Git:  # a branch of this repository, read as a target
        def __init__(self, branch: str):
            self.branch = branch

        def read(self, relative: str) -> bytes | None:
            found = subprocess.run(["git", "show", f"{self.branch}:{relative}"], capture_output=True)
            return found.stdout if found.returncode == 0 else None

    try:
        if args.git:
            branch, _, relative = args.git.partition(":")
            where, live_target = relative.rpartition("/")[0], _Git(branch)
        else:
            target_spec, _, relative = args.ledger.rpartition("/")
            where, live_target = "", publish.target_for(target_spec or ".", os.environ.get("DEPLOY_SSH", "ssh"))
        with tempfile.TemporaryDirectory() as folder:
            log = logcheck.read_live(live_target, Path(folder), None, f"{where}/log" if where else "log")
        raw = live_target.read(relative)
        live = logcheck.view(log) if log is not None else (json.loads(raw) if raw else None)
        new = json.loads((Path(args.output) / "ledger.json").read_bytes())
        changes = publish.compare(live, new)
        if changes:
            raise publish.LedgerRefusal(changes)
    except (DirectoryError, OSError, ValueError) as exc:
        print(f"publish: refused: {exc}", file=sys.stderr)
        return 1
    print(f"publish: the check against the live {'log' if log is not None else 'ledger'} passed "
          f"({len(new['certificates'])} certificates)")
    return 0


def _serve(directory: Path, port: int, live=None):
    from .serving import server

    made = server(directory, port, live)
    print(f"serving {directory} at http://127.0.0.1:{port}/ (Ctrl-C stops)"
          + ("; open tabs reload after each rebuild" if live else ""), file=sys.stderr)
    return made


def cmd_serve(args: argparse.Namespace) -> int:
    server = _serve(Path(args.output).resolve(), args.port)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


def cmd_devserver(args: argparse.Namespace) -> int:
    """Build, serve, and rebuild on every change of records, content, theme or code.

    The directory stays in memory between builds (:mod:`.pipeline.resident`): when only records were
    saved, their certificates' pages are written first, in a moment, and the build that follows
    brings the rest up to date. A change to this package's code starts the devserver again, so that
    the new code runs."""
    import watchfiles

    from .pipeline.resident import Resident
    from .serving import LiveReload

    live, resident = LiveReload(), Resident()
    reread, args.reread = args.reread, True  # a first build even if the output is up to date: it is kept
    _, error, _ = _build(args, resident)
    args.reread = reread
    live.built(error)
    server = _serve(Path(args.output).resolve(), args.port, live)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    root = Path(args.settings).resolve().parent
    code = Path(__file__).resolve().parent
    watched = [p for p in (Path(args.certificates or root / "certificates"), root / "content", root / "theme",
                           code, root / "program.yaml", Path(args.settings)) if p.exists()]
    try:
        for changes in watchfiles.watch(*watched):
            paths = {Path(path) for _, path in changes}
            if any(code in p.parents and p.suffix in (".py", ".po") for p in paths):
                print("devserver: the code changed: starting again", file=sys.stderr, flush=True)
                server.server_close()
                os.execv(sys.executable, [sys.executable, "-m", "ocpp_directory", *sys.argv[1:]])
            try:
                start = time.perf_counter()
                written = resident.record_pages(paths)
            except (ValidationFailed, DirectoryError) as exc:
                live.built(_failed(exc, args.output, "devserver"))
                continue
            if written is not None:
                live.built(None, written)
                print(f"devserver: {_plural(len(written), 'file')} of the saved records written in "
                      f"{time.perf_counter() - start:.2f} s; the rest follows", file=sys.stderr, flush=True)
            _, error, changed = _build(args, resident)
            live.built(error, changed)
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
    p.add_argument("--output", default=".publish/site",
                   help="the folder the publish builds in: its own, never the preview's output/")
    p.add_argument("--target", default="", help="a folder, or host:path for rsync over ssh (DEPLOY_SSH)")
    p.add_argument("--staging", action="store_true",
                   help="a staging site: no production checks; every page, code and label says it is staging")
    p.add_argument("--siteurl", default=None)
    p.add_argument("--correction", default="", help="the public reason for altering published certificates")
    p.add_argument("--quiet", action="store_true")
    common(p)
    p.set_defaults(func=cmd_publish)

    r = sub.add_parser("rollback", help="make the previous release live again")
    r.add_argument("--target", default="")
    r.add_argument("--settings", default="publishconf.py",
                   help="the settings naming the file of published checkpoints (OCPP_LOG_PUBLISHED)")
    r.set_defaults(func=cmd_rollback)

    g = sub.add_parser("guard", help="check a built site against a live ledger (plain rsync and github targets)")
    g.add_argument("--output", default="output")
    g.add_argument("--ledger", default="", help="ledger.json at a folder or host:path")
    g.add_argument("--git", default="", help="ledger.json in a git ref, such as gh-pages:ledger.json")
    g.set_defaults(func=cmd_guard)

    i = sub.add_parser("import-listing", help="write records from the OCA's listing (CSV); exit 1 if a row is refused")
    i.add_argument("listing", help="the listing, as CSV with the OCA's columns")
    i.add_argument("--into", required=True, help="folder of records to write (sub-folders by year)")
    i.add_argument("--program", default="program.yaml", help="program file (default: program.yaml)")
    common(i)
    i.set_defaults(func=cmd_import_listing)

    iss = sub.add_parser("issue", help="sign and write the certificate document each full record lacks")
    iss.add_argument("--certificates", default="certificates")
    iss.add_argument("--program", default="program.yaml")
    iss.add_argument("--siteurl", default=None, help="the public base URL the documents' QR codes encode")
    iss.add_argument("--settings", default=None, help="the settings file whose SITEURL to use when --siteurl is not given "
                     "(make issue: publishconf.py)")
    common(iss)
    iss.set_defaults(func=cmd_issue)

    ch = sub.add_parser("check", help="is each charger of a fleet file certified? exit 0 when all are")
    ch.add_argument("fleet", help="CSV: vendor, model, firmware (or OCPP's BootNotification names), ...")
    ch.add_argument("--site", default="output", help="the directory: a built folder or its address")
    ch.add_argument("--out", default=None, help="write the results here (CSV) instead of to standard output")
    ch.set_defaults(func=cmd_check)

    nn = sub.add_parser("next-number", help="the next free certificate number of a version and device type")
    nn.add_argument("--ocpp", required=True, help='the OCPP version, as records write it ("2.0.1")')
    nn.add_argument("--type", required=True, help="the device type: charging-station or csms")
    nn.add_argument("--certificates", default="certificates")
    nn.add_argument("--program", default="program.yaml")
    common(nn)
    nn.set_defaults(func=cmd_next_number)

    vd = sub.add_parser("verify-document", help="check a certificate document: exit 0 only for a current, valid one")
    vd.add_argument("file")
    vd.add_argument("--site", default="output", help="the directory's site: a folder or its URL (default: output)")
    vd.add_argument("--trust", action="append", help="the OCA's certificate authority (PEM); default OCPP_DOCUMENT_CA")
    vd.set_defaults(func=cmd_verify_document)

    au = sub.add_parser("audit", help="check a site (folder or URL) against its certificate log; exit 1 on a finding")
    au.add_argument("site")
    au.add_argument("--vkey", default=None, help="the OCA's log verifier key (default: OCPP_LOG_VKEY)")
    au.add_argument("--since", default=None, help="a checkpoint kept from an earlier audit: checked, then updated")
    au.set_defaults(func=cmd_audit)

    lk = sub.add_parser("log-key", help="make the certificate log's Ed25519 key, and print its verifier key")
    lk.add_argument("--out", required=True, help="the new private key's file (never overwritten)")
    lk.add_argument("--origin", required=True, help="the log's name, such as certification.openchargealliance.org/log")
    lk.set_defaults(func=cmd_log_key)

    s = sub.add_parser("serve", help="serve the built site on localhost")
    s.add_argument("--output", default="output")
    s.add_argument("--port", type=int, default=8000)
    s.set_defaults(func=cmd_serve)

    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    return args.func(args)
