"""Which language a resident reads: the address's prefix, else their explicit choice, else their browser's.

Django's LocaleMiddleware serves every unprefixed address in English when the default language has no prefix,
whatever the browser asks for, so a link shared on WhatsApp (/c/chicago/) opened in English on a phone set to
Spanish. Here an unprefixed page read with GET goes to the same page in the resident's language: the language
cookie if they chose one (feedback.pages.views.choose_language sets it, and only it), else Accept-Language.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_vary_headers

from feedback.languages import translated_path


class PreferredLanguageMiddleware(LocaleMiddleware):
    """LocaleMiddleware, plus: an unprefixed page in another preferred language redirects to that language.

    Only GET and HEAD move (a form posted to an English address stays English); the redirect is temporary and
    varies with Accept-Language and Cookie, so no cache hands one resident's language to another.
    """

    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        super().process_request(request)
        if request.method not in ("GET", "HEAD") or translation.get_language_from_path(request.path_info):
            return None
        preferred = translation.get_language_from_request(request, check_path=False)
        if preferred == settings.LANGUAGE_CODE:
            return None
        there = translated_path(request.path_info, preferred, source=settings.LANGUAGE_CODE)
        if there is None:
            return None
        query = request.META.get("QUERY_STRING", "")
        response = HttpResponseRedirect(f"{there}?{query}" if query else there)
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        response = super().process_response(request, response)
        if not translation.get_language_from_path(request.path_info):
            # An unprefixed page is English only for a browser that neither chose nor asked for another language.
            patch_vary_headers(response, ("Cookie",))
        return response
