"""The browser's language on unprefixed addresses, an explicit choice remembered, and switches that keep the page."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.conf import settings

from tests.factories import ConcernFactory

LANGUAGES = {"es": "es-MX,es;q=0.9", "pl": "pl-PL,pl;q=0.9", "zh-hans": "zh-CN,zh;q=0.9", "ar": "ar-EG,ar;q=0.9"}


@pytest.mark.parametrize(("code", "accept"), LANGUAGES.items())
def test_a_link_shared_without_a_language_opens_in_the_language_the_phone_asks_for(client, briefing, code, accept):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=accept)
    assert response.status_code == 302
    assert response["Location"] == f"/{code}/"
    assert {"Accept-Language", "Cookie"} <= {v.strip() for v in response["Vary"].split(",")}
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE=accept)
    assert page.status_code == 200
    assert f'<html lang="{code}"' in page.content.decode()


def test_the_redirect_keeps_the_page_and_its_query(client, briefing):
    response = client.get("/c/chicago/concerns/?topic=other&page=2", HTTP_ACCEPT_LANGUAGE="es-US")
    assert response["Location"] == "/es/c/chicago/concerns/?topic=other&page=2"


@pytest.mark.parametrize("accept", ["en-US,en;q=0.9", "fr-FR,fr;q=0.9", ""])
def test_english_or_a_language_the_site_lacks_stays_on_the_unprefixed_page(client, briefing, accept):
    response = client.get("/c/chicago/", HTTP_ACCEPT_LANGUAGE=accept)
    assert response.status_code == 200
    assert '<html lang="en">' in response.content.decode()
    assert "Cookie" in response["Vary"]


def test_a_form_posted_to_an_english_address_is_never_redirected(client, briefing):
    response = client.post("/c/chicago/concerns/withdraw/", {"receipt_code": ""}, HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200
    assert '<html lang="en">' in response.content.decode()


def test_the_admin_and_the_api_are_not_moved_to_a_language_prefix(client, briefing):
    assert client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="es").status_code == 200
    assert client.get("/api/c/chicago/tallies.json", HTTP_ACCEPT_LANGUAGE="es").status_code == 200


def test_choosing_a_language_remembers_it_and_shows_the_same_page_in_it(client, briefing):
    response = client.get("/language/pl/", {"next": "/c/chicago/remedies/"})
    assert response.status_code == 302
    assert response["Location"] == "/pl/c/chicago/remedies/"
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "pl"
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) == settings.LANGUAGE_COOKIE_AGE
    # From now on an unprefixed address opens in Polish, whatever the browser asks for.
    assert client.get("/c/chicago/", HTTP_ACCEPT_LANGUAGE="es")["Location"] == "/pl/c/chicago/"


def test_choosing_english_on_a_spanish_phone_keeps_english_pages_english(client, briefing):
    response = client.get("/language/en/", {"next": "/es/c/chicago/results/"}, HTTP_ACCEPT_LANGUAGE="es")
    assert response["Location"] == "/c/chicago/results/"
    page = client.get("/c/chicago/results/", HTTP_ACCEPT_LANGUAGE="es")
    assert page.status_code == 200
    assert '<html lang="en">' in page.content.decode()


@pytest.mark.parametrize(
    "url",
    ["/", "/c/chicago/", "/c/chicago/concerns/new/", "/es/c/chicago/remedies/", "/c/chicago/results/", "/privacy/"],
)
def test_reading_a_page_never_sets_the_language_cookie(client, briefing, url):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="es", follow=True)
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    assert settings.LANGUAGE_COOKIE_NAME not in client.cookies


@pytest.mark.parametrize(
    "next_url",
    [
        "//evil.example/x",
        "/%2F%2Fevil.example/",
        "https://evil.example/c/chicago/",
        "/\\evil.example",
        "javascript:alert(1)",
        "c/chicago/",
        "/c/chicago/\nSet-Cookie: x=1",
        "",
    ],
)
def test_a_language_switch_never_leads_off_the_site(client, briefing, next_url):
    response = client.get("/language/es/", {"next": next_url})
    assert response.status_code == 302
    assert response["Location"] == "/es/"


def test_an_unknown_language_is_not_found(client, briefing):
    assert client.get("/language/xx/", {"next": "/"}).status_code == 404


def language_links(page: str) -> dict[str, str]:
    """{language code: target after the choice} of the language links of a page."""
    links = re.findall(r'<a href="(/language/[^"]+)" hreflang="([^"]+)"', page)
    return {code: unescape(href) for href, code in links}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/c/chicago/remedies/", "/{code}/c/chicago/remedies/"),
        ("/c/chicago/concerns/?topic=other&page=1", "/{code}/c/chicago/concerns/?topic=other&page=1"),
        ("/c/chicago/concerns/withdraw/", "/{code}/c/chicago/concerns/withdraw/"),
        ("/privacy/", "/{code}/privacy/"),
    ],
)
def test_every_language_link_leads_to_the_same_page_in_that_language(client, briefing, path, expected):
    ConcernFactory(consultation=briefing)
    links = language_links(client.get(path).content.decode())
    assert set(links) == {"es", "pl", "zh-hans", "ar"}
    for code, href in links.items():
        target = client.get(href)["Location"]
        assert target == expected.format(code=code), href


def test_the_links_of_a_crafted_not_found_address_lead_to_the_home_page(client, briefing):
    # A path that starts with // (the test client decodes this one), which the 404 page's links then carry.
    response = client.get("/%2F%2Fevil.example/x")
    assert response.status_code == 404
    links = language_links(response.content.decode())
    assert links and all("%2F%2Fevil.example%2Fx" in href for href in links.values())
    for code, href in links.items():
        assert client.get(href)["Location"] == f"/{code}/"


def test_each_page_names_its_versions_in_every_language_for_search_engines(client, briefing):
    page = client.get("/zh-hans/c/chicago/results/").content.decode()
    alternates = dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', page))
    assert alternates == {
        "en": "http://testserver/c/chicago/results/",
        "x-default": "http://testserver/c/chicago/results/",
        "es": "http://testserver/es/c/chicago/results/",
        "pl": "http://testserver/pl/c/chicago/results/",
        "zh-hans": "http://testserver/zh-hans/c/chicago/results/",
        "ar": "http://testserver/ar/c/chicago/results/",
    }


def test_arabic_pages_read_right_to_left_with_bootstraps_mirrored_stylesheet(client, briefing):
    page = client.get("/ar/c/chicago/").content.decode()
    assert '<html lang="ar" dir="rtl">' in page
    assert "bootstrap.rtl.min.css" in page
    english = client.get("/c/chicago/").content.decode()
    assert 'dir="rtl"' not in english and "bootstrap.min.css" in english
