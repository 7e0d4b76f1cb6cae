from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language, get_language_info

register = template.Library()


@register.simple_tag(takes_context=True)
def other_languages(context):
    """Links to the current page in each other language, so switching keeps the page."""
    request = context["request"]
    current = get_language()
    links = []
    for code, _name in settings.LANGUAGES:
        if code == current:
            continue
        url = translate_url(request.get_full_path(), code)
        links.append({"code": code, "name": get_language_info(code)["name_local"], "url": url})
    return links


@register.filter
def bar_width(count, largest):
    """Width class suffix (0-100) of a bar in a server-drawn chart; 0 for hidden or empty cells."""
    if not count or not largest:
        return 0
    return max(1, round(100 * count / largest))


@register.filter
def largest_count(rows):
    return max((row.count or 0 for row in rows), default=0)
