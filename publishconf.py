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
