import re

import pytest

from feedback.briefing.loader import BRIEFING_DIR, read_briefing_file

CHICAGO = read_briefing_file(BRIEFING_DIR / "chicago.json")


def test_the_home_page_shows_the_chicago_briefing(client, briefing):
    response = client.get("/")
    assert response.status_code == 200
    assert CHICAGO["consultation"]["title"]["en"] in response.content.decode()


@pytest.mark.parametrize("section", ["stakeholders", "topics", "remedies"])
def test_the_briefing_shows_every_item_of_the_data_file(client, briefing, section):
    page = client.get("/c/chicago/").content.decode()
    for item in CHICAGO[section]:
        label = item.get("name") or item.get("title")
        assert label["en"].replace("'", "&#x27;") in page, label["en"]


def test_the_briefing_shows_the_tables_cells_and_the_source(client, briefing):
    page = client.get("/c/chicago/").content.decode()
    for text in [
        "Supports Operation",
        "Preserving community trust",
        "Maintain enforcement despite opposition",
        "Decline in crime reporting",
        "Humane and transparent enforcement policies",
        "Schedule monthly interagency meetings",
        "Fosters empathy and understanding",
        "Federal Immigration Enforcement in Chicago Sparks Debate",
    ]:
        assert text in page.replace("&quot;", '"'), text


def test_the_briefing_page_has_one_h1_and_landmarks(client, briefing):
    page = client.get("/c/chicago/").content.decode()
    assert page.count("<h1") == 1
    for landmark in ["<header", "<main", "<footer", "<nav"]:
        assert landmark in page
    assert '<html lang="en">' in page


def test_an_unpublished_remedy_is_not_shown(client, briefing):
    briefing.remedies.filter(key="maintain-enforcement").update(is_published=False)
    page = client.get("/c/chicago/").content.decode()
    assert "Maintain enforcement despite opposition</h3>" not in page


def test_an_unknown_consultation_is_a_friendly_404(client, briefing):
    response = client.get("/c/unknown/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_pages_load_nothing_from_other_hosts(client, briefing):
    for url in ["/", "/c/chicago/", "/privacy/"]:
        page = client.get(url).content.decode()
        # Absolute addresses (link previews, the page in other languages) are of this site only.
        others = [u for u in re.findall(r"https?://[^\s\"'<>]+", page) if not u.startswith("http://testserver/")]
        assert others == [], url


def test_the_privacy_page_says_what_is_never_asked(client, db):
    page = client.get("/privacy/").content.decode()
    assert "never ask about immigration status" in page
    assert "never store your internet (IP) address" in page


def test_the_home_page_without_any_consultation_explains_how_to_load_one(client, db):
    response = client.get("/")
    assert response.status_code == 404
    assert "load_briefing" in response.content.decode()


def test_the_privacy_page_states_the_retention_periods_the_settings_enforce(client, db, settings):
    settings.CONTACT_EMAIL_RETENTION_DAYS = 45
    settings.PARTICIPANT_COOKIE_DAYS = 120
    settings.REPORT_PARTICIPANT_RETENTION_DAYS = 75
    settings.RATELIMIT_CONCERNS = "10/2h"
    page = client.get("/privacy/").content.decode()
    assert "deleted automatically 45 days after you sent it" in page
    assert "The cookie expires after 120 days" in page
    assert "That note is deleted 75 days later" in page
    assert "for at most 120 minutes, a scrambled code" in page
    spanish = client.get("/es/privacy/").content.decode()
    assert "durante 120 minutos como máximo" in spanish
