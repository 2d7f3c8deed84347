"""A production publish is not a test run: what it refuses, and what a staging publish is instead.

``make publish`` is production: its site is the OCA's, its QR codes are printed on hardware that
lives fifteen years, its log and documents are what outsiders check. It refuses, before anything is
built, a placeholder or non-https ``SITEURL`` and an unsigned log (no ``OCPP_LOG_KEY``) or a log key
others may read; after the build, and before anything is uploaded, a certificate document whose
last signature does not verify against the OCA's certificate authority (``OCPP_DOCUMENT_CA``) and any
document carrying a signature of the repository's TEST-ONLY key, even under another signature.

``make publish STAGING=1`` is staging: none of these refusals, and every page, QR code and label of
the site says it is a staging site, not to be printed or trusted.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..issuing.signing import key_file_problem
from ..model import addresses
from ..model.addresses import SiteAddress
from .targets import PublishError

STAGING_HINT = ("To try a publish, publish to staging instead: make publish STAGING=1 DEPLOY_TARGET=<folder> "
                "(README, Staging)")


class ProductionRefusal(PublishError):
    """A production publish would put a test setting, key or document live; nothing was published."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"this is a production publish, and {len(problems)} thing"
                         f"{'s are' if len(problems) != 1 else ' is'} not ready for it:\n{lines}\n"
                         f"{STAGING_HINT}; nothing was published")


def check_settings(values: dict, siteurl: str) -> None:
    """Before the build: the address and the log key. Raises :class:`ProductionRefusal` naming each."""
    problems = [p for p in (SiteAddress.of(siteurl).production_problem(),) if p]
    if not values.get("OCPP_LOG_KEY"):
        problems.append("the log would be unsigned (every page would say it is a development build): set "
                        "OCPP_LOG_KEY to the file of the OCA's Ed25519 log key (python -m ocpp_directory log-key "
                        "makes one)")
    else:
        found = key_file_problem(values["OCPP_LOG_KEY"], "OCPP_LOG_KEY")
        if found:
            problems.append(found)
    if problems:
        raise ProductionRefusal(problems)


def document_authority(values: dict) -> Path | None:
    """The OCA's certificate authority for documents: ``OCPP_DOCUMENT_CA`` (settings or environment)."""
    named = values.get("OCPP_DOCUMENT_CA") or os.environ.get("OCPP_DOCUMENT_CA")
    return Path(named) if named else None


def check_documents(site: Path, authority: Path | None) -> None:
    """After the build: every certificate document of ``site`` (``certificates/*/certificate*.pdf``) that
    carries a signature must verify against ``authority`` and carry no TEST-ONLY signature. Raises
    :class:`ProductionRefusal` naming each document (the first ten of a kind)."""
    from ..issuing.signing import check, signer_fingerprints, test_fingerprints

    test = test_fingerprints()
    documents = sorted(site.glob(f"{addresses.CERTIFICATES}*/certificate*.pdf"))
    tested, failed, signed = [], [], 0
    for path in documents:
        data = path.read_bytes()
        signers = signer_fingerprints(data)
        if not signers:
            continue  # the OCA's own document from its listing, kept as the OCA published it
        signed += 1
        shown = str(path.relative_to(site))
        if test.intersection(signers):
            tested.append(shown)
        elif authority is not None:
            found = check(data, [authority])
            if not (found.intact and found.trusted):
                failed.append(f"{shown} ({'signed by ' + (found.signer or 'an unknown key') if found.intact else 'changed after signing'})")
    problems = []
    if tested:
        problems.append(f"{len(tested)} document{'s carry' if len(tested) != 1 else ' carries'} a signature of the "
                        "repository's TEST-ONLY key (assets/test-signing), which proves nothing: "
                        + _some(tested) + ". Issue them with the OCA's key (make issue OCPP_SIGNING_KEY=... "
                        "OCPP_SIGNING_CERT=...)")
    if authority is None and signed:
        problems.append("OCPP_DOCUMENT_CA is not set: the documents' signatures cannot be checked against the OCA's "
                        "certificate authority. Set OCPP_DOCUMENT_CA to its certificate (PEM)")
    if failed:
        problems.append(f"{len(failed)} document{'s do' if len(failed) != 1 else ' does'} not verify against "
                        f"OCPP_DOCUMENT_CA ({authority}): " + _some(failed))
    if problems:
        raise ProductionRefusal(problems)


def _some(items: list[str]) -> str:
    return ", ".join(items[:10]) + (f" and {len(items) - 10} more" if len(items) > 10 else "")
