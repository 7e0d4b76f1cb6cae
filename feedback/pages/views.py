"""Pages about the site as a whole: what it keeps and for how long, its cookies, who runs it, the language."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache

from ..briefing.selectors import site_about
from ..languages import path_in_language
from ..participation.ratelimits import longest_window_seconds
from .cookies import cookies_the_app_sets


def what_we_keep() -> dict:
    """The periods and limits the privacy and about pages state, read from the settings that enforce them."""
    return {
        "contact_retention_days": settings.CONTACT_EMAIL_RETENTION_DAYS,
        "participant_cookie_days": settings.PARTICIPANT_COOKIE_DAYS,
        "report_retention_days": settings.REPORT_PARTICIPANT_RETENTION_DAYS,
        "address_hash_minutes": max(1, longest_window_seconds() // 60),
        "min_cell": settings.RESULTS_MIN_CELL,
        "publish_seconds": settings.RESULTS_PUBLISH_SECONDS,
        "language_cookie_days": settings.LANGUAGE_COOKIE_AGE // (24 * 60 * 60),
    }


def privacy(request):
    return render(request, "feedback/privacy.html", {**what_we_keep(), "cookies": cookies_the_app_sets()})


def about(request):
    """Who runs the site, how to reach them, partners, and what they do if asked for data (with what exists)."""
    return render(request, "feedback/about.html", {**what_we_keep(), "about": site_about()})


def favicon(request):
    """/favicon.ico, which browsers and crawlers ask for on their own: the icon in static/, served by whitenoise."""
    return HttpResponsePermanentRedirect(static("favicon.ico"))


@never_cache
def choose_language(request, code: str):
    """A language link: remember the choice in the language cookie and show the same page in that language.

    A plain link (GET), so it needs no form, no CSRF cookie and no JavaScript; `next` is the page the resident
    was on, and only a path on this site is followed (anything else lands on the home page).
    """
    if code not in dict(settings.LANGUAGES):
        raise Http404("No such language.")
    response = redirect(path_in_language(request.GET.get("next", ""), code))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        secure=settings.LANGUAGE_COOKIE_SECURE or request.is_secure(),
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response
