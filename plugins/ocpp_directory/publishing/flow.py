"""`make publish`: build with the public settings, refuse what would retract a certificate, deploy."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from ..pipeline.build import build
from ..pipeline.settings import Progress, build_date
from . import logcheck
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
) -> dict:
    """Build with the public settings, check the live ledger and log, deploy atomically; what was built
    and published. ``published`` is this repository's file of the last checkpoint it published to each
    target (JSON, target -> checkpoint; default: the settings' ``OCPP_LOG_PUBLISHED``), checked before and
    written after.

    Raises :class:`LedgerRefusal` when a published certificate would be retracted or altered without
    ``correction``, :class:`~.logcheck.LogRefusal` when the target's log lost entries, and
    :class:`PublishError` when the target refuses or another publish went live meanwhile."""
    import tempfile

    from ..engine.uptodate import settings_values
    from ..outputs import certlog

    values = settings_values(settings_file)
    key = certlog.load_key(values["OCPP_LOG_KEY"]) if values.get("OCPP_LOG_KEY") else None
    origin = values.get("OCPP_LOG_ORIGIN") or (siteurl or values.get("SITEURL", "")).split("://", 1)[-1] + "/log"
    verifier = certlog.verifier(key, origin) if key else None
    published = published or (Path(values["OCPP_LOG_PUBLISHED"]) if values.get("OCPP_LOG_PUBLISHED") else None)
    day = dt.date.fromisoformat(date) if date else build_date({})
    before = target.current()
    live = target.live_ledger()
    with tempfile.TemporaryDirectory() as base:
        live_log = logcheck.read_live(target, Path(base), verifier)
        kept = json.loads(published.read_text("utf-8")) if published and published.exists() else {}
        logcheck.check_published(live_log, kept.get(str(target)), verifier, published)
        corrections = list(live.get("corrections", [])) if live else []
        options = dict(certificates=certificates, siteurl=siteurl, date=day.isoformat(), progress=progress)
        extra = {"OCPP_LOG_BASE": base} if live_log else {}
        result = build(settings_file, output, settings_override={"OCPP_CORRECTIONS": corrections, **extra},
                       **options)
        _refuse_test_documents(Path(output))
        new = json.loads((Path(output) / "ledger.json").read_bytes())
        everything = compare(live, new)
        # The log remembers what a lost or emptied ledger forgot.
        everything += [c for c in logcheck.retracted(live_log, new) if c.id not in {x.id for x in everything}]
        revised, changes = revision_corrections(live, new, everything)
        if changes and not correction:
            raise LedgerRefusal(changes)
        if correction and not changes:
            raise PublishError("CORRECTION was given, but this publish retracts or alters no published "
                               "certificate: there is nothing to correct, and nothing was published")
        entries = revised + ([correction_entry(correction, changes, day)] if changes else [])
        if entries:
            result = build(settings_file, output,
                           settings_override={"OCPP_CORRECTIONS": corrections + entries, **extra}, **options)
        new_log = certlog.read_base(Path(output) / "log")
        if not logcheck.extends(live_log, new_log):
            raise logcheck.LogRefusal("the new log does not extend the live one; nothing was published")
    result["release"] = target.deploy(Path(output), expected=before)
    result["objects"] = getattr(target, "counts", None)
    result["added"] = sorted(set(new["certificates"]) - set((live or {}).get("certificates", {})))
    result["corrected"] = everything
    result["log_size"] = len(new_log)
    if published is not None:
        kept[str(target)] = (Path(output) / "log" / "checkpoint").read_text("utf-8")
        published.parent.mkdir(parents=True, exist_ok=True)
        published.write_text(json.dumps(kept, indent=1, sort_keys=True, ensure_ascii=False) + "\n", "utf-8")
        result["published"] = published
    return result


def _refuse_test_documents(site: Path) -> None:
    """A document signed by the repository's TEST-ONLY key must never reach the public site."""
    from ..issuing.signing import signer_fingerprint, test_fingerprints

    test = test_fingerprints()
    found = sorted(str(path.relative_to(site)) for path in site.glob("certificates/*/certificate*.pdf")
                   if signer_fingerprint(path.read_bytes()) in test)
    if found:
        raise PublishError(f"{len(found)} certificate document{'s are' if len(found) != 1 else ' is'} signed by the "
                           "repository's TEST-ONLY key (assets/test-signing), which proves nothing: "
                           + ", ".join(found[:5]) + (" ..." if len(found) > 5 else "")
                           + ". Issue them with the OCA's key (make issue OCPP_SIGNING_KEY=... "
                           "OCPP_SIGNING_CERT=...); nothing was published")
