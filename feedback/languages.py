"""The site's languages: the same page in another language, and which way a language reads.

Every public page exists in each language of settings.LANGUAGES: English without a prefix (/c/chicago/), the
others under theirs (/es/c/chicago/, /zh-hans/c/chicago/). Moving between them goes through these functions,
which only ever return a path on this site: a crafted address such as //evil.example/x becomes the home page.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme

# How numbers are written in each language, as residents of Chicago read them: CLDR locales, through Babel
# (Django's own formats group no digits in Chinese or Arabic, and write Spanish thousands with a dot).
NUMBER_LOCALES = {"en": "en_US", "es": "es_US", "pl": "pl_PL", "zh-hans": "zh_Hans_CN", "ar": "ar"}


def number_locale(code: str) -> str:
    return NUMBER_LOCALES.get(code) or translation.to_locale(code)


def is_right_to_left(code: str) -> bool:
    """True for a language written right to left (Arabic): its pages get dir="rtl" and the RTL stylesheet."""
    return bool(translation.get_language_info(code)["bidi"])


def local_path(value: str) -> str:
    """`value` if it is a path on this site ("/c/chicago/?page=2"), else "".

    Refuses what a browser would take for another site ("//host", "/\\host", "https://host"), anything without
    a leading slash, and control characters.
    """
    if not value.startswith("/") or value.startswith(("//", "/\\")):
        return ""
    if any(ord(character) < 32 or character == "\\" for character in value):
        return ""
    return value if url_has_allowed_host_and_scheme(value, allowed_hosts=None) else ""


def translated_path(path: str, code: str, *, source: str | None = None) -> str | None:
    """The page at `path` (read in language `source`, by default the path's own) in language `code`.

    None when `path` is no translated page of the site: an unknown address, the admin, the API.
    """
    source = source or translation.get_language_from_path(path) or settings.LANGUAGE_CODE
    with translation.override(source):
        try:
            match = resolve(path)
        except Resolver404:
            return None
        if not match.url_name:
            return None
        here = reverse(match.view_name, args=match.args, kwargs=match.kwargs)
    with translation.override(code):
        try:
            there = reverse(match.view_name, args=match.args, kwargs=match.kwargs)
        except NoReverseMatch:
            return None
    # A page outside the language prefixes (the admin, the API) is the same address in every language.
    if there == here and code != source:
        return None
    return there


def path_in_language(value: str, code: str) -> str:
    """The page `value` (a path of this site, in any of its languages, with its query) in language `code`.

    Keeps the query string (a filter, a page number). Anything that is not one of the site's translated pages
    (a 404, something crafted) gives the home page in `code`: never a path elsewhere.
    """
    parts = urlsplit(local_path(value))
    translated = translated_path(parts.path, code) if parts.path else None
    if translated is None:
        with translation.override(code):
            return reverse("home")
    return f"{translated}?{parts.query}" if parts.query else translated
