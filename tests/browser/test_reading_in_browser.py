"""A resident reads the briefing, the privacy page and the paper form: on a phone, by keyboard, on paper."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

NO_HORIZONTAL_SCROLL = "() => document.scrollingElement.scrollWidth <= window.innerWidth"


def test_a_resident_on_a_phone_reads_the_briefing_without_scrolling_sideways(phone, site):
    phone.goto(site.url + "/")

    heading = phone.locator("h1")
    assert heading.is_visible()
    assert "Chicago" in heading.inner_text()
    assert phone.evaluate("window.innerWidth") == 360
    assert phone.evaluate(NO_HORIZONTAL_SCROLL), phone.evaluate("document.scrollingElement.scrollWidth")


def test_bootstrap_and_the_sites_stylesheet_are_served_by_the_site_itself(phone, site):
    stylesheets = []
    phone.on("response", lambda response: stylesheets.append(response) if response.url.endswith(".css") else None)
    phone.goto(site.url + "/")

    names = {response.url.rsplit("/", 1)[-1] for response in stylesheets}
    assert {"bootstrap.min.css", "civictrust.css"} <= names, names
    assert all(response.status == 200 and response.url.startswith(site.url) for response in stylesheets)
    # Bootstrap's rules were applied: its :root custom properties are defined on the page.
    assert phone.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--bs-blue').trim()") != ""


def test_the_privacy_page_fits_a_phone(phone, site):
    phone.goto(site.url + "/privacy/")

    assert phone.locator("h1").is_visible()
    assert phone.evaluate(NO_HORIZONTAL_SCROLL)


def test_an_unknown_address_shows_the_sites_own_not_found_page(phone, site):
    response = phone.goto(site.url + "/c/no-such-consultation/")

    assert response.status == 404
    assert phone.locator("h1").inner_text() == "Page not found"
    assert phone.get_by_role("link", name="Go to the home page").is_visible()


def test_the_first_tab_reaches_the_skip_link_which_moves_focus_to_the_main_content(desktop, site):
    desktop.goto(site.url + "/")

    desktop.keyboard.press("Tab")
    skip_link = desktop.locator(".skip-link")
    assert skip_link.evaluate("element => element === document.activeElement")
    assert skip_link.is_visible(), "the skip link must appear when it has focus"
    assert skip_link.inner_text() == "Skip to main content"

    desktop.keyboard.press("Enter")
    assert desktop.evaluate("document.activeElement.id") == "main"


@pytest.mark.parametrize("paper", ["Letter", "A4"])
def test_the_paper_form_prints_without_navigation_on_at_most_two_pages(desktop, site, paper):
    desktop.goto(site.url + "/c/chicago/print/")
    desktop.emulate_media(media="print")

    assert desktop.locator("h1").is_visible()
    for hidden in [".site-header", ".site-footer", ".skip-link", ".no-print"]:
        assert not desktop.locator(hidden).first.is_visible(), hidden
    pdf = desktop.pdf(format=paper, print_background=True, prefer_css_page_size=False)
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    assert 1 <= pages <= 2, f"{pages} pages on {paper}"
