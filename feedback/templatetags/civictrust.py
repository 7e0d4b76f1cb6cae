"""Template tags of the public pages: the language links, and the numbers of the server-drawn charts."""

from __future__ import annotations

from urllib.parse import urlencode

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.translation import get_language, get_language_info

from ..languages import translated_path

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


@register.filter
def bar_width(count, largest):
    """Width class suffix (0-100) of a bar in a server-drawn chart; 0 for hidden or empty cells."""
    if not count or not largest:
        return 0
    return max(1, round(100 * count / largest))


@register.filter
def largest_count(rows):
    return max((row.count or 0 for row in rows), default=0)
