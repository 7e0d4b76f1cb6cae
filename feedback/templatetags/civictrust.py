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
