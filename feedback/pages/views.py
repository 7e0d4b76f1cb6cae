"""Pages about the site as a whole: what it keeps and for how long."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponsePermanentRedirect
from django.shortcuts import render
from django.templatetags.static import static

from ..participation.ratelimits import longest_window_seconds


def privacy(request):
    return render(
        request,
        "feedback/privacy.html",
        {
            "contact_retention_days": settings.CONTACT_EMAIL_RETENTION_DAYS,
            "participant_cookie_days": settings.PARTICIPANT_COOKIE_DAYS,
            "report_retention_days": settings.REPORT_PARTICIPANT_RETENTION_DAYS,
            "address_hash_minutes": max(1, longest_window_seconds() // 60),
        },
    )


def favicon(request):
    """/favicon.ico, which browsers and crawlers ask for on their own: the icon in static/, served by whitenoise."""
    return HttpResponsePermanentRedirect(static("favicon.ico"))
