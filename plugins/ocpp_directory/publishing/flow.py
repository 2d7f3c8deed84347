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
    _refuse_test_documents(Path(output))
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
