"""`make publish`: build with the public settings, refuse what would retract a certificate, deploy."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path

from ..pipeline.build import build
from ..pipeline.settings import Progress, SettingsFile, build_date
from . import addresses, logcheck, production
from .targets import LedgerRefusal, PublishError, Target, compare, correction_entry, revision_corrections


def publish_site(
    settings_file: str,
    output: str | Path,
    target: Target,
    *,
    certificates: str | None = None,
    siteurl: str | None = None,
    correction: str | None = None,
    date: str | None = None,
    progress: Progress | None = None,
    published: Path | None = None,
    staging: bool = False,
) -> dict:
    """Build with the public settings into ``output`` (a folder of its own, never the preview's), check the
    build against the target's log, deploy atomically; what was built and published. The whole of it
    holds the target's lock (:mod:`.locks`). ``published`` is this repository's file of the last
    checkpoint it published to each target (JSON, target -> checkpoint; default: the settings'
    ``OCPP_LOG_PUBLISHED``), checked before and written after (atomically).

    A production publish (the default) refuses test settings, keys and documents (:mod:`.production`);
    ``staging`` publishes without those refusals, every page saying it is a staging site.

    Raises :class:`LedgerRefusal` when a certificate the live log holds would be retracted or altered
    without ``correction``, :class:`~.logcheck.LogRefusal` when the target's log lost entries,
    :class:`~.production.ProductionRefusal`, :class:`~.locks.LockHeld` when another publish runs, and
    :class:`PublishError` when the target refuses."""
    from ..outputs import certlog, tlog

    read = SettingsFile.read(settings_file)  # run once: both builds and every check read these values
    values = read.values
    siteurl = read.site(siteurl).given
    if not staging:
        production.check_settings(values, siteurl)
    try:
        key = certlog.load_key(values["OCPP_LOG_KEY"]) if values.get("OCPP_LOG_KEY") else None
    except tlog.LogError as exc:
        raise PublishError(f"OCPP_LOG_KEY: {exc}; nothing was published") from None
    origin = values.get("OCPP_LOG_ORIGIN") or siteurl.split("://", 1)[-1] + "/log"
    verifier = certlog.verifier(key, origin) if key else None
    if published is None:  # a staging publish never writes the production file, which is committed
        published = (Path(output).parent / "staging-checkpoints.json" if staging
                     else Path(values["OCPP_LOG_PUBLISHED"]) if values.get("OCPP_LOG_PUBLISHED") else None)
    day = dt.date.fromisoformat(date) if date else build_date({})
    settings = {"SITEURL": siteurl, "OCPP_STAGING": staging}
    if staging:
        settings["OCPP_REQUIRE_PRINTABLE_QR"] = False
    with target.lock():  # everything at the target, and this repository's record of it, one publish at a time
        kept = logcheck.read_published(published)
        records = Path(certificates or values.get("OCPP_CERTIFICATES") or "certificates")
        result = _checked_build(read, Path(output), target, dict(
            settings=settings, certificates=certificates, siteurl=siteurl, records=records, date=day,
            progress=progress, correction=correction, verifier=verifier, kept=kept.get(str(target)),
            published=published))
        if not staging:
            production.check_documents(Path(output), production.document_authority(values))
        result["release"] = target.deploy(Path(output), expected=result.pop("before"))
        if published is not None:
            kept[str(target)] = (Path(output) / "log" / "checkpoint").read_text("utf-8")
            logcheck.write_published(published, kept)
            result["published"] = published
    result["objects"] = getattr(target, "counts", None)
    return result


def _checked_build(settings_file: SettingsFile, output: Path, target: Target, o: dict) -> dict:
    """The build, checked against what the target's log holds (under the target's lock)."""
    from ..outputs import certlog

    before = target.current()
    with tempfile.TemporaryDirectory() as base:
        live_log = logcheck.read_live(target, Path(base), o["verifier"])
        logcheck.check_published(live_log, o["kept"], o["verifier"], o["published"])
        # The log is the one source of truth: the target's ledger.json is a view that anyone with write
        # access could edit; a target from before the log has only its ledger.
        live = logcheck.view(live_log) if live_log is not None else target.live_ledger()
        corrections = list(live.get("corrections", [])) if live else []
        options = dict(certificates=o["certificates"], siteurl=o["siteurl"], date=o["date"].isoformat(),
                       progress=o["progress"])
        extra = {"OCPP_LOG_BASE": base, **o["settings"]} if live_log else dict(o["settings"])
        result = build(settings_file, output, settings_override={"OCPP_CORRECTIONS": corrections, **extra},
                       **options)
        new = json.loads((output / "ledger.json").read_bytes())
        everything = compare(live, new)
        revised, changes = revision_corrections(live, new, everything)
        if changes and not o["correction"]:
            raise LedgerRefusal(changes)
        if o["correction"] and not changes:
            raise PublishError("CORRECTION was given, but this publish retracts or alters no published "
                               "certificate: there is nothing to correct, and nothing was published")
        entries = revised + ([correction_entry(o["correction"], changes, o["date"])] if changes else [])
        if entries:
            result = build(settings_file, output,
                           settings_override={"OCPP_CORRECTIONS": corrections + entries, **extra}, **options)
        new_log = certlog.read_base(output / "log")
        if not logcheck.extends(live_log, new_log):
            raise logcheck.LogRefusal("the new log does not extend the live one; nothing was published")
        addresses.check(live_log, new_log, addresses.declared_vendors(o["records"]))
    result["before"] = before
    result["added"] = sorted(set(new["certificates"]) - set((live or {}).get("certificates", {})))
    result["corrected"] = everything
    result["log_size"] = len(new_log)
    return result
