"""Logs hold no client address or user agent, and submitted text cannot forge a log line.

The last test runs the app as production does (gunicorn with the project's config) and reads its real access and
error logs; the others check the formatter and Django's own loggers through the project's LOGGING setting.
"""

from __future__ import annotations

import io
import logging
import re
import socket
import sys

import pytest
from django.conf import settings
from django.test import Client

from civictrust.logging import SafeFormatter, escape_for_log
from tests.gunicorn_process import gunicorn, manage, production_environment

CLIENT_ADDRESS = "127.0.0.3"  # the loopback address the test's requests come from
FORWARDED_ADDRESS = "198.51.100.23"
USER_AGENT = "ProbeBrowser/9.9 (privacy test)"
FORGED = "2031-01-01 00:00:00,000 INFO feedback all is well"


def formatted(message: str, *args, exc_info=None) -> str:
    record = logging.LogRecord("feedback", logging.WARNING, __file__, 1, message, args, exc_info)
    return SafeFormatter("%(levelname)s %(name)s %(message)s").format(record)


# The formatter ---------------------------------------------------------------------------------------------------


def test_a_newline_in_a_logged_value_cannot_start_a_forged_line():
    line = formatted("Not Found: %s", f"/c/x\n{FORGED}\r\n")
    assert line == f"WARNING feedback Not Found: /c/x\\n{FORGED}\\r\\n"
    assert "\n" not in line


def test_control_characters_in_the_message_itself_are_escaped_too():
    assert formatted("tab\there, escape \x1b[31mred, nul \x00, del \x7f") == (
        "WARNING feedback tab\\there, escape \\x1b[31mred, nul \\x00, del \\x7f"
    )


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("\u2028", "\\u2028"),  # line separator
        ("\u2029", "\\u2029"),  # paragraph separator
        ("\x85", "\\x85"),  # next line (NEL)
        ("\u202e", "\\u202e"),  # right-to-left override
        ("\u2066", "\\u2066"),  # left-to-right isolate
        ("\x0b\x0c", "\\x0b\\x0c"),  # vertical tab, form feed
    ],
)
def test_unicode_line_breaks_and_direction_overrides_are_escaped(text, escaped):
    assert escape_for_log(f"a{text}b") == f"a{escaped}b"


def test_ordinary_text_in_any_language_is_kept_as_it_is():
    text = "Las familias tienen miedo — 家庭 — عائلات — e\u0301"
    assert escape_for_log(text) == text


def test_a_traceback_keeps_its_lines_but_none_can_pass_for_a_record():
    try:
        raise ValueError(f"bad value\n{FORGED}")
    except ValueError:
        line = formatted("Failed: %s", "x", exc_info=sys.exc_info())
    first, *rest = line.split("\n")
    assert first == "WARNING feedback Failed: x"
    assert rest and all(continuation.startswith("  | ") for continuation in rest)
    assert any(FORGED in continuation for continuation in rest)


def test_the_project_logging_setting_uses_the_safe_formatter_and_drops_the_admin_emails():
    formatter = settings.LOGGING["formatters"]["plain"]
    assert formatter["()"] == "civictrust.logging.SafeFormatter"
    assert settings.LOGGING["handlers"]["console"]["formatter"] == "plain"
    root_formatters = [handler.formatter for handler in logging.getLogger().handlers]
    assert any(isinstance(formatter, SafeFormatter) for formatter in root_formatters)
    # Django's default mail_admins handler would email the request, with its address and user agent.
    assert logging.getLogger("django").handlers == []


# Django's own loggers, through the project's console handler ---------------------------------------------------


@pytest.fixture
def console_log():
    """What the project's console handler writes during the test."""
    handler = next(h for h in logging.getLogger().handlers if isinstance(h.formatter, SafeFormatter))
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


def test_django_request_and_security_log_lines_carry_no_client_and_no_forgery(db, console_log):
    client = Client(REMOTE_ADDR=CLIENT_ADDRESS, HTTP_X_FORWARDED_FOR=FORWARDED_ADDRESS, HTTP_USER_AGENT=USER_AGENT)
    client.get("/no-such-page%0A" + FORGED.replace(" ", "%20") + "/")  # django.request: Not Found
    Client(enforce_csrf_checks=True, REMOTE_ADDR=CLIENT_ADDRESS, HTTP_USER_AGENT=USER_AGENT).post(
        "/admin/login/", {"username": "x"}
    )  # django.security.csrf: Forbidden
    client.get("/privacy/", HTTP_HOST="evil.example\n" + FORGED)  # django.security.DisallowedHost

    text = console_log.getvalue()
    assert "Not Found: /no-such-page\\n" + FORGED in text
    assert "Forbidden (CSRF cookie not set.)" in text
    assert "Invalid HTTP_HOST header" in text
    assert not any(line.startswith(FORGED) for line in text.splitlines())
    for trace in (CLIENT_ADDRESS, FORWARDED_ADDRESS, USER_AGENT):
        assert trace not in text


# Production: gunicorn's access log and error log --------------------------------------------------------------------


def hidden_inputs(html: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))


def send_raw(port: int, source_address: str, data: bytes) -> bytes:
    """What gunicorn answers to bytes no browser would send."""
    with socket.create_connection(("127.0.0.1", port), timeout=10, source_address=(source_address, 0)) as raw:
        raw.sendall(data)
        return raw.recv(4096)


def test_gunicorn_access_and_error_logs_hold_no_client_address_or_user_agent(static_root, tmp_path):
    database = tmp_path / "db.sqlite3"
    environment = production_environment(
        STATIC_ROOT=str(static_root), DATABASE_URL=f"sqlite:///{database}", RATELIMIT_CONCERNS="2/h"
    )
    manage(environment, "migrate", "--no-input", "-v0")
    manage(environment, "load_briefing")

    with gunicorn(environment, tmp_path) as server:
        browser = server.browser(
            source_address=CLIENT_ADDRESS,
            extra_headers={"User-Agent": USER_AGENT, "X-Forwarded-For": FORWARDED_ADDRESS},
        )
        for path in ["/", "/es/", "/privacy/", "/c/chicago/results/", "/static/css/civictrust.css"]:
            assert browser.get(path).status == 200, path
        form = browser.get("/c/chicago/concerns/new/")
        concern = {
            **hidden_inputs(form.body),
            "text": f"A concern: call 773-555-0142\n{FORGED}",
            "role": "resident",
            "community_area": "undisclosed",
            "topic": "other",
        }
        shown = browser.post("/c/chicago/concerns/new/", concern)  # the phone number: what will be hidden first
        assert shown.status == 200 and "<mark>[phone]</mark>" in shown.body
        assert browser.post("/c/chicago/concerns/new/", {**concern, **hidden_inputs(shown.body)}).status == 302
        assert browser.post("/c/chicago/concerns/new/", concern).status == 429  # the refusal is logged
        assert browser.get("/no-such%0Apage/").status == 404
        assert send_raw(server.port, CLIENT_ADDRESS, b"GET /c/chicago/remedies/3/endorse/ HTTP/9.9\r\n\r\n")
        assert browser.post("/admin/login/", {"username": "x", "password": "y"}).status == 403  # no CSRF token
        login = browser.get("/admin/login/")
        denied = browser.post("/admin/login/", {**hidden_inputs(login.body), "username": "x", "password": "y"})
        assert denied.status == 200

    logs = server.logs()
    access = server.access_log.read_text().splitlines()
    assert "GET 200" in " ".join(access) and "POST 302" in " ".join(access)  # the access log is there...
    assert all(re.fullmatch(r"[A-Z]+ \d{3} \d+ \d+ms", line) for line in access), access  # ...without path or time
    assert "Rate limit concerns reached." in logs  # and so are the app's own lines
    assert "Not Found: /no-such\\npage/" in logs
    assert "Invalid request refused; its address and content are not logged." in logs
    for trace in (CLIENT_ADDRESS, FORWARDED_ADDRESS, USER_AGENT, "ProbeBrowser", "/privacy/", "/endorse/", "/es/"):
        assert trace not in logs
    assert "773-555-0142" not in logs
