"""The plugin's own settings, their defaults, and the values derived from them.

A module of its own, light to import: the command line's up-to-date check
(:mod:`uptodate`) reads them before it decides whether to start Pelican at all.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

#: settings this plugin reads, with their defaults
DEFAULTS = {
    "OCPP_CERTIFICATES": "certificates",
    "OCPP_PROGRAM_FILE": "program.yaml",
    # ISO date that `issued` may not pass; default: SOURCE_DATE_EPOCH or today (UTC)
    "OCPP_BUILD_DATE": None,
    # callable(stage: str, done: int, total: int), for the command line's progress
    "OCPP_PROGRESS": None,
    # a dict the generator fills with the model it built, for the summary
    "OCPP_REPORT": None,
    # folder where rendered QR codes are kept between builds (None: no cache)
    "OCPP_CACHE_PATH": None,
    # refuse to build when QR codes would not encode a public absolute URL
    "OCPP_REQUIRE_PRINTABLE_QR": False,
    # the Atom feed of new certificates (Pelican's convention: on in publishconf)
    "OCPP_FEED_ATOM": None,
    # corrections of published certificates, as `make publish CORRECTION=...` records them
    "OCPP_CORRECTIONS": [],
    # an incremental.Plan knowing the last build's units (the command line's build() passes one)
    "OCPP_PLAN": None,
    # processes making QR codes and labels (None: one per core; 1: none besides the build's own)
    "OCPP_WORKERS": None,
    # how many of the newest certificates the home page lists; every certificate is listed by the
    # year it was issued in, at issued/<year>/
    "OCPP_HOME_ROWS": 100,
}

#: Settings that differ between two builds of the same site, and do not shape any output.
VOLATILE_SETTINGS = {"OUTPUT_PATH", "OCPP_PROGRESS", "OCPP_REPORT", "OCPP_PLAN", "OCPP_CACHE_PATH", "OCPP_WORKERS"}


def setting(settings: dict, key: str):
    return settings.get(key, DEFAULTS[key])


def build_date(settings: dict) -> dt.date:
    """The date records are judged against (fixed for reproducible builds)."""
    fixed = setting(settings, "OCPP_BUILD_DATE")
    if fixed:
        return dt.date.fromisoformat(str(fixed))
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date()
    return dt.datetime.now(dt.timezone.utc).date()


def resolve(settings: dict, key: str) -> Path:
    """A path setting, relative to the folder of the settings file's project."""
    path = Path(setting(settings, key))
    return path if path.is_absolute() else Path(os.getcwd(), path)
