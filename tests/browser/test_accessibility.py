"""axe-core finds no serious or critical accessibility problem on any public page, in English or Spanish."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

PAGES = {
    "briefing": "/",
    "consultation briefing": "/c/chicago/",
    "privacy": "/privacy/",
    "not found": "/c/no-such-consultation/",
}


@pytest.mark.parametrize("language", ["", "/es"], ids=["en", "es"])
@pytest.mark.parametrize("name", list(PAGES))
def test_a_public_page_has_no_serious_accessibility_violation(phone, site, assert_accessible, name, language):
    phone.goto(site.url + language + PAGES[name])
    assert phone.locator("html").get_attribute("lang") == (language.strip("/") or "en")

    assert_accessible(phone)
