"""The public JSON of the tallies: the results page's published figures and suppression, read-only."""

from __future__ import annotations

import uuid

import pytest

from feedback.models import Concern, Endorsement
from feedback.results.recount import replace_rollups

URL = "/api/c/chicago/tallies.json"


@pytest.fixture
def endorsed(briefing):
    first, second = briefing.remedies.all()[:2]
    rows = [(first, "14", "resident")] * 9 + [(first, "30", "advocate")] * 2 + [(second, "14", "resident")] * 6
    rows += [(second, "outside", "organization")] * 7
    Endorsement.objects.bulk_create(
        Endorsement(remedy=remedy, participant=uuid.uuid4(), community_area=area, role=role)
        for remedy, area, role in rows
    )
    Concern.objects.create(consultation=briefing, text="Approved words", status="approved", community_area="14")
    Concern.objects.create(consultation=briefing, text="Spam words", status="spam", community_area="14")
    replace_rollups(consultation=briefing)  # rows written in bulk get their roll-ups as a bulk load's do
    return briefing


def by_key(rows) -> dict:
    return {row["key"]: row for row in rows}


def test_the_tallies_are_public_json_with_exact_totals(client, endorsed):
    response = client.get(URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    data = response.json()
    assert data["consultation"]["slug"] == "chicago"
    assert data["totals"] == {"endorsements": 24, "participants": 24, "concerns": 1}
    first, second = endorsed.remedies.all()[:2]
    per_remedy = by_key(data["endorsements_per_remedy"])
    assert per_remedy[first.key]["count"] == 11
    assert per_remedy[second.key]["count"] == 13


def test_small_cells_are_suppressed_as_on_the_results_page(client, endorsed, settings):
    settings.RESULTS_MIN_CELL = 5
    data = client.get(URL).json()
    assert data["min_cell"] == 5
    by_area = by_key(data["participants_by_area"])
    assert by_area["14"]["count"] == 15
    # South Lawndale's 2 endorsements are hidden, and with only one hidden cell the next smallest
    # (outside Chicago, 7) is hidden too, so the total minus the shown cells cannot give it away.
    assert by_area["30"] == {"key": "30", "label": "South Lawndale", "count": None, "suppressed": True}
    assert by_area["outside"]["suppressed"] is True
    shown = [row["count"] for row in data["participants_by_area"] + data["participants_by_role"] if row["count"]]
    assert all(count >= 5 for count in shown)
    assert sum(row["suppressed"] for row in data["participants_by_role"]) != 1


def test_labels_follow_the_lang_parameter(client, endorsed):
    data = client.get(URL, {"lang": "es"}).json()
    assert data["language"] == "es"
    assert "Resident" not in {row["label"] for row in data["participants_by_role"]}
    assert client.get(URL, {"lang": "xx"}).json()["language"] == "en"


def test_the_figures_are_the_published_batch(client, endorsed, settings, django_assert_num_queries):
    settings.RESULTS_PUBLISH_SECONDS = 30
    client.get(URL)
    Endorsement.objects.create(remedy=endorsed.remedies.first(), participant=uuid.uuid4())
    # the consultation; this window's counts; the published remedies and topics that label them
    with django_assert_num_queries(4):
        response = client.get(URL)
    assert response.json()["totals"]["endorsements"] == 24
    assert "max-age=30" in response["Cache-Control"]
    assert "public" in response["Cache-Control"]


def test_with_the_cache_down_the_figures_are_counted_afresh(client, endorsed, settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    response = client.get(URL)
    assert response.status_code == 200
    assert response.json()["totals"]["endorsements"] == 24


def test_an_unknown_consultation_is_a_json_404(client, endorsed):
    response = client.get("/api/c/nowhere/tallies.json")
    assert response.status_code == 404
    assert response.json() == {"error": "No consultation with that address."}


def test_the_api_is_read_only(client, endorsed):
    assert client.post(URL).status_code == 405
    assert client.head(URL).status_code == 200


def test_the_api_sets_no_cookie_and_has_no_language_prefix(client, endorsed):
    response = client.get(URL)
    assert not response.cookies
    assert client.get("/es" + URL).status_code == 404


def test_the_api_carries_no_submitted_text(client, endorsed):
    assert "words" not in client.get(URL).content.decode()
