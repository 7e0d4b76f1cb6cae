"""Public figures are published in batches: no one action moves a public number when it happens."""

from __future__ import annotations

import re

from feedback.models import PublishedResults
from feedback.results.publication import published_figures
from tests.factories import EndorsementFactory
from tests.results.conftest import PERIOD, START


def shown_count(client, remedy) -> str:
    page = client.get("/c/chicago/remedies/").content.decode()
    match = re.search(rf'id="remedy-{remedy.pk}-count">(\d+) endorsement', page)
    assert match, "no count shown"
    return match.group(1)


def api_total(client) -> int:
    return client.get("/api/c/chicago/tallies.json").json()["totals"]["endorsements"]


def test_an_endorsement_does_not_move_the_public_count_when_it_happens(client, briefing, clock):
    remedy = briefing.remedies.first()
    assert shown_count(client, remedy) == "0"
    client.post(f"/c/chicago/remedies/{remedy.pk}/endorse/")
    page = client.get("/c/chicago/remedies/").content.decode()
    assert "You endorse this remedy." in page  # the resident's own page says so at once
    assert shown_count(client, remedy) == "0"
    assert api_total(client) == 0


def test_a_request_right_after_an_action_cannot_make_it_appear_sooner(client, briefing, clock):
    remedy = briefing.remedies.first()
    shown_count(client, remedy)  # the consultation's first count, in the first window
    clock["t"] = START + PERIOD + 1  # a new window begins, nobody has asked yet
    client.post(f"/c/chicago/remedies/{remedy.pk}/endorse/")
    # An observer asks at once: this request counts the window's figures, but they are shown only from the next one.
    assert shown_count(client, remedy) == "0"
    clock["t"] = START + PERIOD + 59
    assert shown_count(client, remedy) == "0"
    clock["t"] = START + 2 * PERIOD
    assert shown_count(client, remedy) == "1"
    assert api_total(client) == 1


def test_every_page_shows_the_same_batch(client, briefing, clock):
    remedy = briefing.remedies.first()
    EndorsementFactory.create_batch(3, remedy=remedy)
    shown_count(client, remedy)
    EndorsementFactory.create_batch(2, remedy=remedy)
    results = client.get("/c/chicago/results/").content.decode()
    assert "<strong>3</strong> endorsements given" in results and "<strong>5</strong> endorsements given" not in results
    assert api_total(client) == 3
    assert shown_count(client, remedy) == "3"


def test_each_window_is_counted_once_however_many_requests(client, briefing, clock):
    for _request in range(5):
        client.get("/c/chicago/results/")
        client.get("/api/c/chicago/tallies.json")
    assert PublishedResults.objects.filter(consultation=briefing).count() == 1
    clock["t"] = START + PERIOD + 3
    for _request in range(5):
        client.get("/c/chicago/remedies/")
    assert sorted(PublishedResults.objects.values_list("window", flat=True)) == [
        START // PERIOD,
        START // PERIOD + 1,
    ]


def test_while_another_request_counts_the_window_the_previous_batch_is_shown(client, briefing, clock):
    remedy = briefing.remedies.first()
    EndorsementFactory(remedy=remedy)
    shown_count(client, remedy)
    EndorsementFactory(remedy=remedy)
    clock["t"] = START + PERIOD + 1
    PublishedResults.objects.create(consultation=briefing, window=int(clock["t"] // PERIOD))  # being counted
    assert shown_count(client, remedy) == "1"
    assert PublishedResults.objects.filter(consultation=briefing).count() == 2  # nothing counted twice


def test_only_the_counts_still_needed_are_kept(client, briefing, clock):
    for window in range(6):
        clock["t"] = START + window * PERIOD
        client.get("/c/chicago/results/")
    kept = sorted(PublishedResults.objects.values_list("window", flat=True))
    assert kept == [START // PERIOD + 4, START // PERIOD + 5]  # the one on show and the newest


def test_with_the_cache_down_figures_stay_batched(client, briefing, clock, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    remedy = briefing.remedies.first()
    EndorsementFactory(remedy=remedy)
    assert "<strong>1</strong> endorsement given" in client.get("/c/chicago/results/").content.decode()
    EndorsementFactory(remedy=remedy)
    assert "<strong>1</strong> endorsement given" in client.get("/c/chicago/results/").content.decode()
    assert api_total(client) == 1


def test_a_period_of_zero_publishes_on_every_request(client, briefing, settings):
    settings.RESULTS_PUBLISH_SECONDS = 0
    remedy = briefing.remedies.first()
    EndorsementFactory(remedy=remedy)
    assert published_figures(briefing).figures["total_endorsements"] == 1
    EndorsementFactory(remedy=remedy)
    assert published_figures(briefing).figures["total_endorsements"] == 2
    assert not PublishedResults.objects.exists()
