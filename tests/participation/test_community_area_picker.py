"""The community-area picker: alphabetical, with the neighbourhood names residents use, storing the official code."""

from __future__ import annotations

import re
from html import unescape

import pytest

from feedback.community_areas import CHICAGO_COMMUNITY_AREAS, neighbourhoods
from feedback.models import Concern
from tests.factories import concern_form_data


def area_options(page: str) -> list[tuple[str, str]]:
    select = re.search(r'<select name="community_area".*?</select>', page, re.S)[0]
    return [
        (value, unescape(label))
        for value, label in re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)
    ]


def test_residents_find_their_neighbourhood_by_the_name_they_use(client, briefing):
    labels = dict(
        (label, value) for value, label in area_options(client.get("/c/chicago/concerns/new/").content.decode())
    )
    assert labels["Pilsen (Lower West Side)"].startswith("31")
    assert labels["Little Village (South Lawndale)"].startswith("30")
    assert labels["Chinatown (Armour Square)"].startswith("34")
    assert labels["La Villita (South Lawndale)"].startswith("30")
    assert labels["Lower West Side"] == "31"


def test_the_picker_is_alphabetical_after_the_two_answers_that_are_no_place(client, briefing):
    options = area_options(client.get("/c/chicago/concerns/new/").content.decode())
    assert [value for value, _label in options[:2]] == ["undisclosed", "outside"]
    places = [label for _value, label in options[2:]]
    assert places == sorted(places, key=str.casefold)
    assert len(places) == len(CHICAGO_COMMUNITY_AREAS) + len(neighbourhoods())
    assert len(neighbourhoods()) >= 60


def test_a_concern_from_pilsen_is_stored_as_the_official_area(client, briefing):
    pilsen = next(
        v
        for v, label in area_options(client.get("/c/chicago/concerns/new/").content.decode())
        if label.startswith("Pilsen")
    )
    response = client.post("/c/chicago/concerns/new/", concern_form_data(community_area=pilsen))
    assert response.status_code == 302
    assert Concern.objects.get().community_area == "31"


def test_the_form_shown_again_after_a_mistake_keeps_the_name_the_resident_chose(client, briefing):
    page = client.post(
        "/c/chicago/concerns/new/", concern_form_data(community_area="30~la-villita", text="short")
    ).content.decode()
    assert re.search(r'<option value="30~la-villita" selected>La Villita \(South Lawndale\)</option>', page)
    assert Concern.objects.count() == 0


@pytest.mark.parametrize("value", ["99", "31~", "31~no-such-place~x", "pilsen"])
def test_a_value_that_is_not_in_the_list_is_refused_with_a_message(client, briefing, value):
    page = client.post("/c/chicago/concerns/new/", concern_form_data(community_area=value)).content.decode()
    assert "Choose a community area from the list." in page
    assert Concern.objects.count() == 0


def test_about_you_on_the_remedies_page_offers_the_same_names_and_shows_the_saved_area(client, briefing):
    client.post("/c/chicago/remedies/about-you/", {"role": "resident", "community_area": "34~chinatown"})
    page = client.get("/c/chicago/remedies/").content.decode()
    assert re.search(r'<option value="34" selected>Armour Square</option>', page)
    assert "Chinatown (Armour Square)" in page


def test_an_advocate_types_in_a_paper_concern_from_little_village(client, briefing, advocate):
    client.force_login(advocate)
    page = client.get("/admin/feedback/concern/add/").content.decode()
    assert "Little Village (South Lawndale)" in page
    response = client.post(
        "/admin/feedback/concern/add/",
        {
            "consultation": briefing.pk,
            "text": "Written on paper at the Saturday meeting.",
            "role": "resident",
            "community_area": "30~little-village",
            "language": "es",
            "source": "paper",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Concern.objects.get().community_area == "30"
