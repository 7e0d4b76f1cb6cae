"""Template tags of the public pages: the language links, and the numbers of the server-drawn charts."""

from __future__ import annotations

from functools import cache
from urllib.parse import urlencode

from babel import Locale
from babel.numbers import NumberPattern, parse_pattern
from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.translation import get_language, get_language_info, to_locale

from ..languages import number_locale, translated_path

register = template.Library()


@register.simple_tag(takes_context=True)
def other_languages(context):
    """Links to the current page in each other language, through the language choice (which remembers it).

    `next` is the page as the resident sees it (with its query), so the switch keeps them where they are; the
    choice view only ever follows a path on this site (feedback.languages.path_in_language).
    """
    request = context["request"]
    current = get_language()
    query = urlencode({"next": request.get_full_path()})
    return [
        {
            "code": code,
            "name": get_language_info(code)["name_local"],
            "url": f"{reverse('choose_language', args=[code])}?{query}",
        }
        for code, _name in settings.LANGUAGES
        if code != current
    ]


@register.simple_tag(takes_context=True)
def language_alternates(context):
    """The current page's address in every language (absolute, for <link rel="alternate" hreflang>).

    Empty for an address that is no page of the site (a 404): there is nothing to point search engines to.
    """
    request = context["request"]
    alternates = []
    for code, _name in settings.LANGUAGES:
        path = translated_path(request.path_info, code, source=get_language())
        if path is None:
            return []
        alternates.append({"code": code, "url": request.build_absolute_uri(path)})
    return alternates


# Open Graph names a locale by language and territory; these are the site's languages as Chicago reads them.
OPEN_GRAPH_LOCALES = {"en": "en_US", "es": "es_US", "pl": "pl_PL", "zh-hans": "zh_CN", "ar": "ar_AR"}


@register.simple_tag
def open_graph_locale() -> str:
    """The page's language as og:locale ("es_US"); a language not listed above as Django's locale name."""
    code = get_language()
    return OPEN_GRAPH_LOCALES.get(code) or to_locale(code)


@cache
def _number_formats(locale_name: str) -> tuple[Locale, NumberPattern, NumberPattern]:
    """A language's locale, decimal pattern and percentage pattern, parsed once: babel's format_decimal and
    format_percent parse both on every call, and a results page shows some five hundred numbers."""
    locale = Locale.parse(locale_name)
    return locale, parse_pattern(locale.decimal_formats[None]), parse_pattern("#,##0.#%")


@register.filter
def number(value) -> str:
    """A whole number with the page language's thousands separator: 1,234,567 (English), 1 234 567 (Polish)."""
    if value is None or value == "":
        return ""
    locale, decimal, _percent = _number_formats(number_locale(get_language()))
    return decimal.apply(value, locale)


@register.filter
def percent(share) -> str:
    """A share (0 to 1) as a percentage with at most one decimal, as the page's language writes it; a share
    too small to show is "<0.1%", never "0%"."""
    if share is None or share == "":
        return ""
    locale, _decimal, percentage = _number_formats(number_locale(get_language()))
    if 0 < share < 0.001:
        return "<" + percentage.apply(0.001, locale)
    return percentage.apply(share, locale)


@register.filter
def bar_width(count, largest):
    """Width class suffix (0-100) of a bar in a server-drawn chart; 0 for hidden or empty cells."""
    if not count or not largest:
        return 0
    return max(1, round(100 * count / largest))


@register.filter
def largest_count(rows):
    return max((row.count or 0 for row in rows), default=0)
