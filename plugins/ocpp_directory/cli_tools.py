"""The command line's record, document and log commands: import-listing, issue, verify-document,
audit, log-key (``python -m ocpp_directory``, :mod:`.cli` parses the arguments)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .model.errors import DirectoryError, ValidationFailed
from .pipeline.settings import build_date


def _print_problems(problems) -> None:
    for problem in problems:
        print(problem, file=sys.stderr)


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else plural or word + 's'}"


def _date_settings(args: argparse.Namespace) -> dict:
    return {"OCPP_BUILD_DATE": args.date} if getattr(args, "date", None) else {}


def _progress(stage: str, done: int, total: int) -> None:
    """Progress lines for long work; silent for small ones."""
    if total >= 1000:
        print(f"  {stage}: {done}/{total}", file=sys.stderr, flush=True)


def cmd_import_listing(args: argparse.Namespace) -> int:
    """Records from the OCA's listing (CSV); every refused or suspicious row on its line, then the counts."""
    from .importing.listing import import_listing
    from .model.program import load_program

    try:
        program = load_program(args.program)
        summary = import_listing(Path(args.listing), Path(args.into), program, build_date(_date_settings(args)))
    except DirectoryError as exc:
        print(f"import-listing: {exc}", file=sys.stderr)
        return 1
    _print_problems(sorted(summary.problems, key=lambda p: (p.path, p.line, p.warning)))
    s = summary
    print(f"import-listing: {_plural(s.read, 'row')} read from {args.listing}: {s.written} records written, "
          f"{s.updated} updated, {s.unchanged} unchanged, {s.kept} kept as edited, {_plural(s.merged, 're-issue')} "
          f"held as revisions, {s.refused} refused; {_plural(len(s.warnings), 'warning')} -> {args.into}")
    return 1 if s.refused or s.errors else 0


def cmd_issue(args: argparse.Namespace) -> int:
    """Sign and write the certificate document each full record lacks (never one that exists)."""
    from .engine.cache import ContentCache
    from .issuing.documents import issue, problems as issued_problems
    from .issuing.signing import TEST_MATERIAL, keys_from_environment
    from .model.directory import display_path, load_directory
    from .model.program import load_program
    from .model.addresses import SiteAddress
    from .pipeline.settings import SettingsFile

    try:
        # the command line's address, else the settings file's (make issue: publishconf.py's), else $SITEURL
        site = (SettingsFile.read(args.settings).site(args.siteurl) if args.settings
                else SiteAddress.of(args.siteurl or os.environ.get("SITEURL")))
        base = site.given
        keys = keys_from_environment()
        if not base.startswith("https://"):
            raise DirectoryError("the documents' QR codes need the public address: set SITEURL=https://<public site>")
        why = site.production_problem()
        if why and keys.key.resolve().parent != TEST_MATERIAL:  # the TEST-ONLY key's documents prove nothing anyway
            raise DirectoryError(f"a document is issued once and kept for good, and {why[0].lower()}{why[1:]}; "
                                 "nothing was issued")
        program = load_program(args.program)
        directory = load_directory(args.certificates, program, build_date(_date_settings(args)))
        found = issued_problems(directory)
        if any(not p.warning for p in found):
            raise ValidationFailed(found)
        folders = {c.id: _record_folder(c.path) for c in directory.certificates}
        result = issue(directory, folders, keys, base, ContentCache(None), progress=_progress)
    except ValidationFailed as exc:
        _print_problems(exc.problems + exc.warnings)
        print(f"issue: {_plural(len(exc.problems), 'error')} in the records; nothing was issued", file=sys.stderr)
        return 1
    except DirectoryError as exc:
        print(f"issue: refused: {exc}", file=sys.stderr)
        return 1
    for path in result.written:
        print(f"issue: {display_path(path)}")
    print(f"issue: {_plural(len(result.written), 'document')} issued and signed, {result.kept} certificates "
          f"already have theirs, {result.listing} from the OCA's listing keep the OCA's own")
    return 0


def _record_folder(shown: str) -> Path:
    return Path(shown).resolve().parent


def cmd_verify_document(args: argparse.Namespace) -> int:
    """Which certificate and revision a PDF is, or what is wrong with it; exit 0 only for a current, valid one."""
    from .issuing.verify import verify

    # No default trust anchor: the repository's TEST-ONLY authority proves nothing (issuing/verify.py).
    named = [*(args.trust or [])] or ([os.environ["OCPP_DOCUMENT_CA"]] if os.environ.get("OCPP_DOCUMENT_CA") else [])
    trust = [Path(p) for p in named]
    try:
        verdict = verify(Path(args.file).read_bytes(), args.site, trust)
    except OSError as exc:
        print(f"verify-document: {args.file}: cannot be read: {exc.strerror}", file=sys.stderr)
        return 2
    except DirectoryError as exc:
        print(f"verify-document: {exc}", file=sys.stderr)
        return 2
    print(f"verify-document: {args.file}: {verdict.message}", file=sys.stdout if verdict.ok else sys.stderr)
    return 0 if verdict.ok else 1


def cmd_audit(args: argparse.Namespace) -> int:
    """Check a site against its certificate log; exit 1 with each finding, 0 when it holds."""
    from .outputs import tlog
    from .publishing.audit import audit

    vkey = args.vkey or os.environ.get("OCPP_LOG_VKEY")
    try:
        verifier = tlog.parse_vkey(vkey) if vkey else None
        since = Path(args.since).read_text("utf-8") if args.since and Path(args.since).exists() else None
    except (tlog.LogError, OSError) as exc:
        print(f"audit: {exc}", file=sys.stderr)
        return 2
    result = audit(args.site, verifier, since)
    for finding in result.findings:
        print(f"audit: {finding}", file=sys.stderr)
    if result.findings:
        print(f"audit: {args.site}: FAILED, {_plural(len(result.findings), 'finding')}", file=sys.stderr)
        return 1
    if args.since:
        Path(args.since).write_text(result.checkpoint, "utf-8")
    print(f"audit: {args.site}: the log of {result.size:,} entries holds ("
          + ("checkpoint signature verified" if result.signed else "checkpoint NOT signature-checked: no --vkey")
          + f"), {result.checked:,} certificates each with its entry and proof"
          + (f"; it extends the checkpoint kept in {args.since}, now updated" if since else "")
          + (f"; checkpoint kept in {args.since}" if args.since and not since else ""))
    return 0


def cmd_log_key(args: argparse.Namespace) -> int:
    """A new Ed25519 key for the certificate log: the private key to a new file (mode 600), the verifier key
    to pin printed."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

    from .outputs import certlog

    path = Path(args.out)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        print(f"log-key: {path} exists; a log key is made once, and never overwritten", file=sys.stderr)
        return 1
    key = Ed25519PrivateKey.generate()
    with os.fdopen(fd, "wb") as handle:
        handle.write(key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    print(f"log-key: the private key is in {path} (keep it secret; OCPP_LOG_KEY names it for make publish)")
    print(f"log-key: the verifier key, to pin in publishconf.py (OCPP_LOG_VKEY) and the docs:\n"
          f"{certlog.verifier(key, args.origin).vkey()}")
    return 0


def cmd_next_number(args: argparse.Namespace) -> int:
    """The next free OCA certificate number of a version and device type: the version's highest sequence in
    the records (every certificate the OCA issued is one), plus one."""
    from .model.directory import load_directory
    from .model.program import load_program

    try:
        program = load_program(args.program)
        version = program.versions.get(args.ocpp)
        if version is None or not version.number or program.numbering.oca is None:
            raise DirectoryError(f"no OCA numbers for OCPP {args.ocpp}: the program numbers "
                                 + ", ".join(v.key for v in program.versions.values() if v.number))
        kind = program.device_types.get(args.type)
        if kind is None:
            raise DirectoryError(f"{args.type} is not a device type: " + ", ".join(program.device_types))
        directory = load_directory(args.certificates, program, build_date(_date_settings(args)))
    except ValidationFailed as exc:
        _print_problems(exc.problems)
        print("next-number: the records have errors; fix them first", file=sys.stderr)
        return 1
    except DirectoryError as exc:
        print(f"next-number: {exc}", file=sys.stderr)
        return 1
    used = [int(m.group("sequence")) for c in directory.certificates
            if (m := program.numbering.oca.fullmatch(c.id)) and m.group("version") == version.number]
    number = program.numbering.number(version.number, max(used, default=0) + 1, kind.number_suffix)
    if not program.numbering.accepts(number):
        print(f"next-number: {number} is not a number of the program's format", file=sys.stderr)
        return 1
    print(number)
    print(f"next-number: the highest OCPP {version.key} number in {args.certificates} is "
          f"{max(used) if used else 'none'}; the sequence is shared by every device type", file=sys.stderr)
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """Is each charger of a fleet file certified? The input columns plus verdict, certificate, certified_versions
    and note; exit 0 when every charger is certified, 1 otherwise, 2 on bad input."""
    import json
    import urllib.error
    import urllib.request

    from .model.fleet import VERDICTS, FleetError, check_row, read_fleet
    from .outputs.exports import csv_text

    site = args.site.rstrip("/")

    def read(path: str) -> dict:
        try:
            if site.startswith(("http://", "https://")):
                with urllib.request.urlopen(f"{site}/{path}", timeout=30) as response:
                    return json.loads(response.read())
            return json.loads((Path(site) / path).read_bytes())
        except (OSError, ValueError, urllib.error.URLError) as exc:
            raise DirectoryError(f"{site}/{path} cannot be read ({exc}): is {site} the directory's site "
                                 "(a built folder or its address)?") from None

    try:
        fleet = read_fleet(Path(args.fleet).read_bytes(), args.fleet)
        lookup = read("check/vendors.json")
    except OSError as exc:
        print(f"check: {args.fleet}: cannot be read: {exc.strerror}", file=sys.stderr)
        return 2
    except (FleetError, DirectoryError) as exc:
        print(f"check: {exc}", file=sys.stderr)
        return 2
    shards: dict[int, dict] = {}

    def shard(vid: str) -> dict:  # a vendor's devices, from its file (outputs/check.py)
        n = lookup["bucket"][vid]
        if n not in shards:
            shards[n] = read(f"check/v/{n}.json")["vendors"]
        return shards[n][vid]

    try:
        verdicts = [check_row(fleet.value(r, "vendor"), fleet.value(r, "model"), fleet.value(r, "firmware"),
                              fleet.value(r, "ocpp_version"), lookup, shard) for r in fleet.rows]
    except DirectoryError as exc:
        print(f"check: {exc}", file=sys.stderr)
        return 2
    columns = ["verdict", "certificate", "certified_versions", "note"]
    text = csv_text([fleet.header + columns] + [row + [v.verdict, v.certificate, v.certified_versions, v.note]
                                                 for row, v in zip(fleet.rows, verdicts)])
    if args.out:
        Path(args.out).write_text(text, "utf-8", newline="")
    else:
        sys.stdout.write(text)
    counts = {k: sum(v.verdict == k for v in verdicts) for k in VERDICTS}
    print(f"check: {_plural(len(verdicts), 'charger')}: {counts['certified']} certified, {counts['not-certified']} "
          f"not certified, {counts['unknown-device']} unknown devices"
          + (f"; results in {args.out}" if args.out else ""), file=sys.stderr)
    return 0 if counts["certified"] == len(verdicts) else 1
