"""Pages about the site as a whole: what it keeps and for how long, its cookies, who runs it."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponsePermanentRedirect
from django.shortcuts import render
from django.templatetags.static import static

from ..briefing.selectors import site_about
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
    }


def privacy(request):
    return render(request, "feedback/privacy.html", {**what_we_keep(), "cookies": cookies_the_app_sets()})


def about(request):
    """Who runs the site, how to reach them, partners, and what they do if asked for data (with what exists)."""
    return render(request, "feedback/about.html", {**what_we_keep(), "about": site_about()})


def favicon(request):
    """/favicon.ico, which browsers and crawlers ask for on their own: the icon in static/, served by whitenoise."""
    return HttpResponsePermanentRedirect(static("favicon.ico"))
