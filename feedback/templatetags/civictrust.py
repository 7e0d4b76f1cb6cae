from __future__ import annotations

from django import template
from django.conf import settings
from django.urls import reverse, translate_url
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, get_language_info

register = template.Library()


def _is_path_on_this_site(url: str) -> bool:
    """A path every browser reads as this site: no scheme, no host, no `//` or `/\\` a browser takes for one."""
    return url.startswith("/") and url_has_allowed_host_and_scheme(url, allowed_hosts=None)


def language_link(request, code: str) -> str:
    """This page in language `code`, or that language's home page when this page has no twin there.

    Always a path on this site: a crafted address (`//evil.example/x`, `/%2F%2Fevil.example/`, backslashes) that
    reached a page (the 404 page, say) never becomes a link elsewhere.
    """
    current = request.get_full_path()
    url = translate_url(current, code) if _is_path_on_this_site(current) else current
    if url != current and _is_path_on_this_site(url):
        return url
    with translation.override(code):
        return reverse("home")


@register.simple_tag(takes_context=True)
def other_languages(context):
    """Links to the current page in each other language, so switching keeps the page."""
    request = context["request"]
    current = get_language()
    return [
        {"code": code, "name": get_language_info(code)["name_local"], "url": language_link(request, code)}
        for code, _name in settings.LANGUAGES
        if code != current
    ]


@register.filter
def bar_width(count, largest):
    """Width class suffix (0-100) of a bar in a server-drawn chart; 0 for hidden or empty cells."""
    if not count or not largest:
        return 0
    return max(1, round(100 * count / largest))


@register.filter
def largest_count(rows):
    return max((row.count or 0 for row in rows), default=0)
