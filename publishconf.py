"""Pelican settings for the public site (`make publish`)."""

import os
import sys

sys.path.append(os.path.dirname(__file__))
from pelicanconf import *  # noqa: E402,F403

# The public, absolute base URL: links, and later QR codes and feeds, use it.
SITEURL = os.environ.get("SITEURL", "https://certification.openchargealliance.example")
RELATIVE_URLS = False
# Codes on a public build are printed on hardware: refuse a non-public SITEURL.
OCPP_REQUIRE_PRINTABLE_QR = True
# Feeds are on for the public site (Pelican's convention), with absolute URLs.
OCPP_FEED_ATOM = "feeds/certificates.atom"
# The certificate log: signed with the OCA's Ed25519 key (the file OCPP_LOG_KEY names; never committed).
# Each publish records the checkpoint it made live in OCPP_LOG_PUBLISHED, a file to commit: a target
# whose log no longer extends it (wiped, restored from an old backup) is refused.
OCPP_LOG_KEY = os.environ.get("OCPP_LOG_KEY") or None
# The OCA's certificate authority for certificate documents (PEM): a production publish checks every
# document's signature against it (publishing/production.py).
OCPP_DOCUMENT_CA = os.environ.get("OCPP_DOCUMENT_CA") or None
# The log's verifier key (python -m ocpp_directory log-key prints it): pinned here once the OCA has made
# its key, for `python -m ocpp_directory audit` and readers; the site's /log/ page shows the same.
OCPP_LOG_VKEY = os.environ.get("OCPP_LOG_VKEY") or None
OCPP_LOG_PUBLISHED = os.environ.get("OCPP_LOG_PUBLISHED") or os.path.join(os.path.dirname(__file__),
                                                                           "log-checkpoints.json")
