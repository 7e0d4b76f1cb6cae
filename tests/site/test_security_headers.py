"""Every public page, in English and Spanish, carries the security headers and a strict Content Security Policy.

The pages come from feedback/urls.py itself, so a new route is covered as soon as it exists (and this test fails
until it says how to fill the route's arguments).
"""

from __future__ import annotations

import re

import pytest
from django.db import OperationalError
from django.urls import URLPattern

from feedback import urls as feedback_urls
from tests.factories import ConcernFactory

STRICT_HEADERS = {
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
}


def parse_csp(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def route_kwargs(pattern: URLPattern, briefing, concern) -> dict:
    """Arguments that make the route's page real: the Chicago consultation, a published concern, a remedy."""
    kwargs = {}
    for name in pattern.pattern.converters:
        if name == "slug":
            kwargs[name] = briefing.slug
        elif name == "pk" and "concern" in pattern.name:
            kwargs[name] = concern.pk
        elif name == "pk" and "remedy" in pattern.name:
            kwargs[name] = briefing.remedies.first().pk
        elif name == "reference" and "concern" in pattern.name:
            kwargs[name] = concern.public_reference
        else:
            pytest.fail(f"tests/test_security_headers.py does not know how to fill <{name}> of route {pattern.name!r}")
    return kwargs


def public_paths(briefing) -> list[str]:
    concern = ConcernFactory(consultation=briefing, text="A published concern")
    paths = []
    for pattern in feedback_urls.urlpatterns:
        route = str(pattern.pattern)
        for name, value in route_kwargs(pattern, briefing, concern).items():
            route = re.sub(rf"<(?:\w+:)?{name}>", str(value), route)
        paths += ["/" + route, "/es/" + route]
    return paths + ["/no-such-page/", "/es/no-such-page/"]


def assert_strict_headers(response, where: str) -> None:
    for header, expected in STRICT_HEADERS.items():
        assert response.headers.get(header) == expected, f"{header} on {where}"
    permissions = response.headers["Permissions-Policy"]
    for feature in ["camera", "microphone", "geolocation", "payment", "usb"]:
        assert f"{feature}=()" in permissions, f"{feature} on {where}"

    csp = parse_csp(response.headers["Content-Security-Policy"])
    assert csp["default-src"] == ["'self'"], where
    assert csp["script-src"] == ["'self'"], where
    assert csp["style-src"] == ["'self'"], where
    assert csp["object-src"] == ["'none'"], where
    assert csp["base-uri"] == ["'none'"], where
    assert csp["frame-ancestors"] == ["'none'"], where
    assert csp["form-action"] == ["'self'"], where
    sources = {source for values in csp.values() for source in values}
    assert sources <= {"'self'", "'none'", "data:"}, f"{sources} on {where}"


def test_every_public_page_in_both_languages_sends_the_security_headers(client, briefing):
    for path in public_paths(briefing):
        for method in (client.get, client.post):
            response = method(path, secure=True)
            assert_strict_headers(response, f"{method.__name__.upper()} {path} ({response.status_code})")


def test_public_pages_carry_no_inline_script_style_or_event_handler(client, briefing):
    for path in public_paths(briefing):
        html = client.get(path, secure=True).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path
        assert not re.search(r"\sstyle=", html), path
        assert not re.search(r"\son[a-z]+=", html), path
        assert "<style" not in html, path


def test_the_admin_login_the_public_api_and_static_files_send_the_security_headers_too(client, briefing):
    assert_strict_headers(client.get("/admin/login/", secure=True), "/admin/login/")
    assert_strict_headers(client.get("/api/c/chicago/tallies.json", secure=True), "the public JSON")
    assert_strict_headers(client.get("/static/css/civictrust.css", secure=True), "the site's stylesheet")


def test_the_database_outage_page_sends_the_security_headers_too(client, briefing, monkeypatch):

    def unreachable(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("feedback.briefing.selectors.briefing_for", unreachable)
    response = client.get("/", secure=True)
    assert response.status_code == 503
    assert_strict_headers(response, "the 503 page")


def test_hsts_is_only_sent_over_https(client, db):
    assert "Strict-Transport-Security" not in client.get("/privacy/").headers


@pytest.mark.parametrize("path", ["/", "/privacy/", "/es/"])
def test_a_page_over_plain_http_is_redirected_to_https_in_production(briefing, path):
    from django.test import Client, override_settings

    with override_settings(SECURE_SSL_REDIRECT=True):
        response = Client().get(path)
    assert response.status_code == 301
    assert response["Location"] == f"https://testserver{path}"
