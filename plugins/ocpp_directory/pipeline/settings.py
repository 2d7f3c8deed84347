"""The plugin's settings with their defaults, and the one context a build is given.

Light to import: the command line's up-to-date check (:mod:`..engine.uptodate`)
reads the settings before it decides whether to start Pelican at all.

:class:`BuildContext` is made once per build, by :func:`context` (the build
date is read there and nowhere else), and handed to the generator explicitly;
nothing is smuggled through Pelican's settings dict.
"""

from __future__ import annotations

import copy
import datetime as dt
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..model import addresses
from ..model.errors import DirectoryError
from ..outputs.i18n import LANGUAGES  # the one list of the languages (stdlib only: light to import)

#: settings this plugin reads, with their defaults
DEFAULTS = {
    "OCPP_CERTIFICATES": "certificates",
    "OCPP_PROGRAM_FILE": "program.yaml",
    # ISO date that `issued` may not pass; default: SOURCE_DATE_EPOCH or today (UTC)
    "OCPP_BUILD_DATE": None,
    # folder where renderings and checked records are kept between builds (None: no cache)
    "OCPP_CACHE_PATH": None,
    # refuse to build when QR codes would not encode a public absolute URL
    "OCPP_REQUIRE_PRINTABLE_QR": False,
    # the Atom feed of new certificates (Pelican's convention: on in publishconf)
    "OCPP_FEED_ATOM": None,
    # corrections of published certificates, as `make publish CORRECTION=...` records them
    "OCPP_CORRECTIONS": [],
    # processes making QR codes and labels (None: one per core; 1: none besides the build's own)
    "OCPP_WORKERS": None,
    # how many of the newest certificates the home page lists; every certificate is listed by the
    # year it was issued in, at issued/<year>/
    "OCPP_HOME_ROWS": 100,
    # the languages of the pages: English at /, each other below /<lang>/ (outputs/i18n.py)
    "OCPP_LANGUAGES": LANGUAGES,
    # the certificate log: the file of its Ed25519 private key (PEM; None: an unsigned development log),
    # the folder of the live log it extends (publishing sets it), and its name (default: <host>/log)
    "OCPP_LOG_KEY": None,
    "OCPP_LOG_BASE": None,
    "OCPP_LOG_ORIGIN": None,
    # a staging site (make publish STAGING=1): every page, QR code and label says so (publishing/production.py)
    "OCPP_STAGING": False,
}

#: Settings that differ between two builds of the same site and shape no output.
VOLATILE_SETTINGS = {"OUTPUT_PATH", "OCPP_CACHE_PATH", "OCPP_WORKERS"}

#: progress(stage, done, total), for long work
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class SettingsFile:
    """A settings file (``pelicanconf.py``, ``publishconf.py``), run once: the upper-case names it sets.

    A build, and a publish with its two builds, read it through this object only: the file runs once,
    so a value it takes from the environment or the clock is the same for every reader."""

    path: Path
    values: Mapping = field(compare=False)

    @classmethod
    def read(cls, path: str | Path) -> SettingsFile:
        """Raises :class:`DirectoryError` when there is no such file."""
        from ..engine.uptodate import settings_values

        if not Path(path).is_file():
            raise DirectoryError(f"{path}: no such settings file")
        return cls(Path(path).resolve(), settings_values(path))

    def site(self, siteurl: str | None = None) -> addresses.SiteAddress:
        """The site's address: ``siteurl`` (the command line's) if given, else the file's ``SITEURL``."""
        return addresses.SiteAddress.of(siteurl or self.values.get("SITEURL"))

    def pelican(self, override: Mapping) -> dict:
        """Pelican's settings from these values and ``override``, made as Pelican's ``read_settings`` makes
        them from the file (relative paths taken from the file's folder), without running the file again."""
        from pelican.settings import read_settings

        values = {key: _copy(value) for key, value in {**self.values, **override}.items()}
        for key in ("PATH", "OUTPUT_PATH", "THEME", "CACHE_PATH"):
            if values.get(key) is not None:
                found = self.path.parent / values[key]
                if key != "THEME" or found.exists():  # THEME may name a theme rather than a path
                    values[key] = os.path.abspath(os.path.normpath(found))
        if values.get("PLUGIN_PATHS") is not None:
            values["PLUGIN_PATHS"] = [os.path.abspath(os.path.normpath(self.path.parent / p))
                                      for p in values["PLUGIN_PATHS"]]
        return read_settings(None, override=values)


def _copy(value):
    """A copy of a settings value that Pelican may change in place (a list, a dict), as a fresh run would give."""
    try:
        return copy.deepcopy(value)
    except TypeError:  # a module or another object with no copy: as it is
        return value


def setting(settings: Mapping, key: str):
    return settings.get(key, DEFAULTS[key])


def build_date(settings: Mapping) -> dt.date:
    """The date records are judged against: the setting, else SOURCE_DATE_EPOCH, else today (UTC).

    Called once per build (by :func:`context`, or by the command line for a validation or
    the up-to-date check); everything else takes the date from the context."""
    fixed = setting(settings, "OCPP_BUILD_DATE")
    if fixed:
        return dt.date.fromisoformat(str(fixed))
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date()
    return dt.datetime.now(dt.timezone.utc).date()


def resolve(settings: Mapping, key: str) -> Path:
    """A path setting; a relative one is taken from the working folder."""
    path = Path(setting(settings, key))
    return path if path.is_absolute() else Path(os.getcwd(), path)


@dataclass(frozen=True)
class BuildContext:
    """What every part of one build shares, fixed when the build starts."""

    #: the date records are judged against and exports are stamped with
    date: dt.date
    certificates: Path
    program_file: Path
    #: the folder of kept renderings and records, or None
    cache: Path | None
    #: the base URL every public address (QR codes, feeds, canonical links) starts with
    public_base: str
    #: why the QR codes must not be printed, or None when they may
    qr_warning: str | None
    workers: int | None
    home_rows: int
    feed: str | None
    corrections: tuple = ()
    progress: Progress | None = field(default=None, compare=False)
    #: the certificate log: its key file, the folder of the log it extends, its name
    log_key: Path | None = None
    log_base: Path | None = None
    log_origin: str = ""
    #: the languages every page is written in: English at /, the others below /<lang>/
    languages: tuple[str, ...] = ("en",)
    #: a staging site: every page says so, no code may be printed
    staging: bool = False

    def report(self, stage: str, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(stage, done, total)

    def certificate_url(self, cert_id: str) -> str:
        """The certificate's permanent public address, as its QR code encodes it."""
        return f"{self.public_base}/{addresses.certificate(cert_id)}"


def context(settings: Mapping, *, date: dt.date | None = None, progress: Progress | None = None) -> BuildContext:
    """The context of a build with Pelican's ``settings``.

    Raises :class:`DirectoryError` when the settings require printable codes and
    SITEURL is not a public absolute URL."""
    site = addresses.SiteAddress.of(settings.get("SITEURL"))
    base, warning = site.base, site.print_problem()
    if setting(settings, "OCPP_STAGING"):
        warning = (f"this is a staging site ({site.given or base}): its QR codes and labels must NOT be printed, "
                   "and its certificate documents prove nothing")
    elif warning and setting(settings, "OCPP_REQUIRE_PRINTABLE_QR"):
        raise DirectoryError(warning)
    cache = setting(settings, "OCPP_CACHE_PATH")
    return BuildContext(
        date=date or build_date(settings),
        certificates=resolve(settings, "OCPP_CERTIFICATES"),
        program_file=resolve(settings, "OCPP_PROGRAM_FILE"),
        cache=Path(cache) if cache else None,
        public_base=base,
        qr_warning=warning,
        workers=setting(settings, "OCPP_WORKERS"),
        home_rows=setting(settings, "OCPP_HOME_ROWS"),
        feed=setting(settings, "OCPP_FEED_ATOM"),
        corrections=tuple(setting(settings, "OCPP_CORRECTIONS")),
        progress=progress,
        log_key=Path(setting(settings, "OCPP_LOG_KEY")) if setting(settings, "OCPP_LOG_KEY") else None,
        log_base=Path(setting(settings, "OCPP_LOG_BASE")) if setting(settings, "OCPP_LOG_BASE") else None,
        log_origin=setting(settings, "OCPP_LOG_ORIGIN") or base.split("://", 1)[-1] + "/log",
        languages=tuple(setting(settings, "OCPP_LANGUAGES")),
        staging=bool(setting(settings, "OCPP_STAGING")),
    )
