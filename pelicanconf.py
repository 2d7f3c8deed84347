"""Pelican settings for the OCPP certification directory (development build).

`make html` builds with these; `publishconf.py` adds what a public build needs.
The Makefile's CERTIFICATES, OUTPUTDIR and SITEURL override the values here.
"""

import os
from pathlib import Path

HERE = Path(__file__).resolve().parent

SITENAME = "OCPP Certification Directory"
# The licence of the open data (directory.json, directory.csv, the log, the feeds): name and address,
# shown in every page's footer and on the about page. The OCA's to choose; CC BY 4.0 asks users to
# name the OCA as the source, which is what a certification directory needs.
OCPP_DATA_LICENCE = ("CC BY 4.0", "https://creativecommons.org/licenses/by/4.0/")
SITEURL = ""
# Links between pages are relative in development, so output/ opens anywhere.
RELATIVE_URLS = True

PATH = str(HERE / "content")
THEME = str(HERE / "theme")
TIMEZONE = "UTC"
DEFAULT_LANG = "en"

PLUGIN_PATHS = [str(HERE / "plugins")]
PLUGINS = ["ocpp_directory"]

# The records and the rules of the certification program (see README).
OCPP_CERTIFICATES = str(HERE / "certificates")
OCPP_PROGRAM_FILE = str(HERE / "program.yaml")

# Pelican's Jinja environment does not escape by default; vendor-supplied text
# reaches every page, so every template escapes. Markup from content/ pages is
# trusted and marked `|safe` in page.html only.
JINJA_ENVIRONMENT = {
    "autoescape": True,
    "trim_blocks": True,
    "lstrip_blocks": True,
    "extensions": ["jinja2.ext.i18n"],  # gettext per page language (plugins/ocpp_directory/pipeline/languages.py)
}

# Hand-written pages only: content/pages/*.md at /<slug>/. No blog.
ARTICLE_PATHS = []
PAGE_PATHS = ["pages"]
STATIC_PATHS = []
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = "{slug}/index.html"
# A page's Korean translation (content/pages/ko/*.md, `lang: ko`, the same slug) at /ko/<slug>/.
PAGE_LANG_URL = "{lang}/{slug}/"
PAGE_LANG_SAVE_AS = "{lang}/{slug}/index.html"
DIRECT_TEMPLATES = []
ARCHIVES_SAVE_AS = AUTHORS_SAVE_AS = CATEGORIES_SAVE_AS = TAGS_SAVE_AS = ""
AUTHOR_SAVE_AS = CATEGORY_SAVE_AS = TAG_SAVE_AS = ""
DEFAULT_DATE = None
FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
DEFAULT_PAGINATION = False
DELETE_OUTPUT_DIRECTORY = True
SLUGIFY_SOURCE = "basename"

MENUITEMS = []

# Renderings and checked records are kept here between builds, keyed by their content, so a
# rebuild renders only what changed. OCPP_CACHE_PATH in the environment names another folder
# (each test run has its own).
OCPP_CACHE_PATH = os.environ.get("OCPP_CACHE_PATH") or str(HERE / ".cache")

# Content Security Policy of every page (a meta tag; deploy/nginx.conf sends the
# same policy as a header, plus frame-ancestors, which a meta tag cannot set).
# No inline script or style anywhere, no third-party origin.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; worker-src 'self'; object-src 'none'; "
       "base-uri 'none'; form-action 'self'")
