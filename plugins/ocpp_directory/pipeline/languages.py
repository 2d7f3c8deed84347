"""The languages in the templates: Jinja's i18n extension, with gettext chosen per page.

One Jinja environment renders every language: the gettext callables installed here read the
page's language from its context (``LANG``, given by :meth:`Units.page` for the directory's pages,
or the ``lang`` of a Pelican content page), so a template, a kept row and a macro say the same in
the same language. ``| date``, ``| number`` and ``| country`` (an ISO code) format per locale (Babel).
"""

from __future__ import annotations

from jinja2 import Environment, pass_context
from markupsafe import Markup

from ..model import text
from ..model.certificate import english_country_name
from ..outputs import i18n


def lang_of(context) -> str:
    lang = context.get("LANG")
    if not lang:
        page = context.get("page")
        lang = getattr(page, "lang", None)
    return lang if lang in i18n.LANGUAGES else i18n.DEFAULT


def _fill(context, found: str, variables: dict) -> str:
    """The translated message with its values put in, as Jinja's newstyle gettext does, but each value
    shown as every printed value is (``model.text.finalize``: vendor text's direction controls made
    visible) and escaped under autoescape."""
    values = {name: text.finalize(value) for name, value in variables.items()}
    if context.eval_ctx.autoescape:
        return Markup(found) % values
    return found % values


@pass_context
def _gettext(context, message: str, **variables) -> str:
    return _fill(context, i18n.gettext_in(lang_of(context), message), variables)


@pass_context
def _ngettext(context, singular: str, plural: str, n: int, **variables) -> str:
    variables.setdefault("num", n)
    return _fill(context, i18n.ngettext_in(lang_of(context), singular, plural, n), variables)


def _in_page_language(function):
    """A filter that calls ``function(*values, lang)`` with the page's language."""
    return pass_context(lambda context, *values: function(*values, lang_of(context)))


def _country(code: str, lang: str) -> str:
    return i18n.country(code, english_country_name(code), lang)


def words_in(program_words: dict[str, dict[str, str]]):
    """``(lang, message) -> text``: a word kept in Python (:mod:`..outputs.words`) from the catalog, or
    one of the program file's from its own ``translations:``; as written when neither has it."""
    def translate(lang: str, message: str) -> str:
        text = i18n.gettext_in(lang, message)
        return program_words.get(lang, {}).get(message, text) if text == message else text
    return translate


def install_words(env: Environment, program_words: dict[str, dict[str, str]]) -> None:
    """``| tr`` and ``words_in(lang, message)`` with the program file's translations."""
    translate = words_in(program_words)
    env.filters["tr"] = pass_context(lambda context, message: translate(lang_of(context), message))
    env.globals["words_in"] = translate


def install(env: Environment) -> None:
    """Give ``env`` the i18n extension, the per-page gettext and the locale filters (once)."""
    if "jinja2.ext.InternationalizationExtension" not in env.extensions:
        env.add_extension("jinja2.ext.i18n")
    # Not Jinja's newstyle wrapper: ours fills in the values itself (_fill), the same way.
    env.install_gettext_callables(_gettext, _ngettext, newstyle=False)
    env.filters.update(date=_in_page_language(i18n.date), number=_in_page_language(i18n.number),
                       country=_in_page_language(_country))
    install_words(env, {})
    env.globals.update(LANGUAGE_NAMES=i18n.NAMES, LANGUAGES=i18n.LANGUAGES, DEFAULT_LANGUAGE=i18n.DEFAULT)


def home(siteurl: str, lang: str) -> str:
    """Where a language's pages start, from a page's SITEURL (relative or absolute)."""
    folder = i18n.prefix(lang).rstrip("/")
    return f"{siteurl}/{folder}" if folder else siteurl
