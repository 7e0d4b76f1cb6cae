"""Cross-cutting request handling: security headers, staff session expiry, and the database-outage page."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token

from feedback.pages import errors

logger = logging.getLogger(__name__)

# Seconds a browser is asked to wait before retrying while the database is unreachable.
RETRY_AFTER_SECONDS = 30

# Session keys: when the staff member signed in, and when they were last seen (Unix time, seconds).
SESSION_STARTED_KEY = "civictrust_signed_in_at"
SESSION_SEEN_KEY = "civictrust_last_seen_at"
# Last-seen time is written at most this often, so a page view costs no session write in between.
SEEN_WRITE_INTERVAL_SECONDS = 60


def security_headers(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    """Add the headers Django has no setting for: Permissions-Policy and Cross-Origin-Resource-Policy."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response

    return middleware


def record_sign_in(sender, request: HttpRequest, user, **kwargs) -> None:
    """user_logged_in receiver: start the absolute and idle clocks of the new (already rotated) session."""
    now = int(time.time())
    request.session[SESSION_STARTED_KEY] = now
    request.session[SESSION_SEEN_KEY] = now


class StaffSessionTimeoutMiddleware:
    """Sign a staff member out after SESSION_IDLE_TIMEOUT_MINUTES without a request, or after
    SESSION_ABSOLUTE_TIMEOUT_HOURS since signing in, whichever comes first (OWASP ASVS 7.3.1, 7.3.2).

    Residents have no account and no session, so this costs them nothing: without a session cookie the user is
    anonymous without a database query.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            try:
                self._enforce_timeouts(request)
            except (OperationalError, InterfaceError) as error:
                return database_unavailable(request, error)
        return self.get_response(request)

    def _enforce_timeouts(self, request: HttpRequest) -> None:
        if not request.user.is_authenticated:
            return
        session = request.session
        now = int(time.time())
        started = session.get(SESSION_STARTED_KEY)
        seen = session.get(SESSION_SEEN_KEY)
        if not isinstance(started, int) or not isinstance(seen, int):
            # A session from before these clocks existed: start them now.
            session[SESSION_STARTED_KEY] = session[SESSION_SEEN_KEY] = now
            return
        idle_limit = settings.SESSION_IDLE_TIMEOUT_MINUTES * 60
        absolute_limit = settings.SESSION_ABSOLUTE_TIMEOUT_HOURS * 60 * 60
        if now - seen > idle_limit or now - started > absolute_limit:
            logout(request)
            messages.info(request, _("You were signed out because your session expired. Please sign in again."))
            return
        if now - seen >= SEEN_WRITE_INTERVAL_SECONDS:
            session[SESSION_SEEN_KEY] = now


def is_database_outage(error: BaseException | None) -> bool:
    """True for the errors a lost or refused database connection raises (not for bad queries or constraints)."""
    return isinstance(error, OperationalError | InterfaceError)


def database_unavailable(request: HttpRequest, error: BaseException | None = None) -> HttpResponse:
    """The friendly 503 page with Retry-After, rendered without touching the database (no session, no user)."""
    logger.warning("Database unavailable, answered 503 (%s).", type(error).__name__ if error else "unknown error")
    response = HttpResponse(
        render_to_string("503.html", {"retry_after_seconds": RETRY_AFTER_SECONDS}),
        status=503,
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseOutageMiddleware:
    """Answer a view that lost its database connection with the 503 page instead of a 500.

    Django's persistent connections are health-checked (CONN_HEALTH_CHECKS), so once the database is back the next
    request opens a fresh connection: the app recovers by itself, no restart needed.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if is_database_outage(exception):
            return database_unavailable(request, exception)
        return None


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: the 503 page when the error being handled is a database outage (raised outside a view, e.g.
    while saving the session), otherwise the site's 500 page."""
    error = sys.exc_info()[1]
    if is_database_outage(error):
        return database_unavailable(request, error)
    return errors.server_error(request)
