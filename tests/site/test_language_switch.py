"""The language switch links to this page in the other language, and only ever to a path on this site."""

from __future__ import annotations

import re
from html import unescape

import pytest


def language_links(response, client=None) -> dict[str, str]:
    """Where the language switch's links lead, by language code (they go through the language choice, which
    remembers it and redirects; tests/site/test_language_choice.py)."""
    from django.test import Client

    client = client or Client()
    links = re.findall(r'<a href="([^"]*)" hreflang="([\w-]+)"', response.content.decode())
    return {code: client.get(unescape(href))["Location"] for href, code in links}


def only(links: dict[str, str], *codes: str) -> dict[str, str]:
    """The links of these languages, after checking that every link leads to a path on this site."""
    assert all(target.startswith("/") and not target.startswith(("//", "/\\")) for target in links.values()), links
    return {code: links[code] for code in codes}


def get_path(client, path_info: str):
    """GET with exactly this PATH_INFO, as a WSGI server passes a crafted request line (%2F already decoded)."""
    client.raise_request_exception = False
    return client.get("/", PATH_INFO=path_info)


@pytest.mark.parametrize(
    "path_info",
    [
        "//evil.example/x",
        "///evil.example/",  # /%2F%2Fevil.example/ once the server decoded it
        "//evil.example/c/chicago/",  # a real page's path behind a host
        "/\\evil.example/",
        "/\\/evil.example/",
        "/\t/evil.example/",
        "//evil.example/es/c/chicago/results/",
    ],
)
def test_a_crafted_address_never_turns_the_language_link_into_a_link_elsewhere(client, briefing, path_info):
    response = get_path(client, path_info)
    assert response.status_code == 404
    assert only(language_links(response), "es") == {"es": "/es/"}


def test_the_spanish_404_page_links_to_the_english_home_page_for_a_crafted_address(client, briefing):
    response = get_path(client, "/es//evil.example/x")
    assert response.status_code == 404
    assert only(language_links(response), "en") == {"en": "/"}


def test_switching_language_keeps_the_page_and_its_query(client, briefing):
    response = client.get("/c/chicago/concerns/?page=1")
    assert only(language_links(response), "es") == {"es": "/es/c/chicago/concerns/?page=1"}
    assert only(language_links(client.get("/es/c/chicago/results/")), "en") == {"en": "/c/chicago/results/"}


def test_a_page_that_does_not_exist_links_to_the_other_languages_home_page(client, briefing):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert only(language_links(response), "es") == {"es": "/es/"}
