"""`make publish`: build with the public settings, refuse what would retract a certificate, deploy."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from ..pipeline.build import build
from ..pipeline.settings import Progress, build_date
from .targets import (LedgerRefusal, PublishError, Target, compare, correction_entry, deploy,
                      revision_corrections)


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
) -> dict:
    """Build with the public settings, check the live ledger, deploy atomically; what was built and
    published. Raises :class:`LedgerRefusal` when a published certificate would be retracted or
    altered without ``correction``, and :class:`PublishError` when the target refuses."""
    day = dt.date.fromisoformat(date) if date else build_date({})
    live = target.live_ledger()
    corrections = list(live.get("corrections", [])) if live else []
    options = dict(certificates=certificates, siteurl=siteurl, date=day.isoformat(), progress=progress)
    result = build(settings_file, output, settings_override={"OCPP_CORRECTIONS": corrections}, **options)
    new = json.loads((Path(output) / "ledger.json").read_bytes())
    everything = compare(live, new)
    revised, changes = revision_corrections(live, new, everything)
    if changes and not correction:
        raise LedgerRefusal(changes)
    if correction and not changes:
        raise PublishError("CORRECTION was given, but this publish retracts or alters no published "
                           "certificate: there is nothing to correct, and nothing was published")
    entries = revised + ([correction_entry(correction, changes, day)] if changes else [])
    if entries:
        result = build(settings_file, output, settings_override={"OCPP_CORRECTIONS": corrections + entries},
                       **options)
    result["release"] = deploy(target, Path(output))
    result["added"] = sorted(set(new["certificates"]) - set((live or {}).get("certificates", {})))
    result["corrected"] = everything
    return result
