"""The directory's languages: English at ``/``, Korean at ``/ko/``.

The texts people read are gettext messages: the templates' (``{{ _("...") }}``, Jinja's i18n
extension), the words of coded values (:mod:`.words`), the logo-kit README and usage guide. Their
catalogs are ``locale/<lang>/LC_MESSAGES/messages.po``, extracted and updated by ``make messages``
(Babel), compiled by the build in memory. English is the source language. Dates and numbers are
formatted per locale with Babel. Vendor-supplied text is shown as written, in every language.
"""

from __future__ import annotations

import datetime as dt
import functools
import gettext
import io
from pathlib import Path

LANGUAGES = ("en", "ko")
DEFAULT = "en"
#: The language's own name, for the link to it
NAMES = {"en": "English", "ko": "한국어"}
LOCALE = Path(__file__).resolve().parent.parent / "locale"


def prefix(lang: str) -> str:
    """The folder of a language's pages below the site's root: "" or "ko/"."""
    return "" if lang == DEFAULT else f"{lang}/"


@functools.cache
def translations(lang: str) -> gettext.NullTranslations:
    """The catalog of ``lang``, compiled from its .po file (fuzzy entries left out)."""
    if lang == DEFAULT:
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    from babel.support import Translations

    with (LOCALE / lang / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po, locale=lang)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


def gettext_in(lang: str, message: str) -> str:
    return translations(lang).gettext(message)


def ngettext_in(lang: str, singular: str, plural: str, n: int) -> str:
    return translations(lang).ngettext(singular, plural, n)


def date(value: dt.date, lang: str) -> str:
    """A date as readers of ``lang`` write it: ISO 8601 in English (as the OCA's listing gives it,
    unambiguous worldwide), Babel's long form elsewhere ("2024년 5월 12일")."""
    if lang == DEFAULT:
        return value.isoformat()
    from babel.dates import format_date

    return format_date(value, "long", locale=lang)


def number(value: int, lang: str) -> str:
    from babel.numbers import format_decimal

    return format_decimal(value, locale=lang)


def country(code: str, english: str, lang: str) -> str:
    """A country's name in ``lang`` (CLDR, through Babel); ``english`` (ISO 3166's) in English."""
    if lang == DEFAULT:
        return english
    from babel import Locale

    return Locale.parse(lang).territories.get(code.upper(), english)


def N_(message: str) -> str:
    """Marks a message for extraction where it is defined; translated where it is shown."""
    return message


#: Words of the settings readers see (SITENAME), for the catalog
SETTINGS_WORDS = (N_("OCPP Certification Directory"),)
