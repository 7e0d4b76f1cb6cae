"""A remedy or topic an advocate unpublished appears nowhere in the public results or the API."""

from __future__ import annotations

import uuid

from tests.factories import ConcernFactory, EndorsementFactory

RESULTS = "/c/chicago/results/"
API = "/api/c/chicago/tallies.json"


def test_an_unpublished_remedy_and_its_endorsements_are_not_published(client, briefing):
    shown, hidden = briefing.remedies.all()[:2]
    hidden.title = "A remedy withdrawn from the briefing"
    hidden.is_published = False
    hidden.save()
    EndorsementFactory.create_batch(2, remedy=shown, community_area="30")
    # Someone who endorsed only the unpublished remedy, from Hegewisch: counted nowhere.
    EndorsementFactory(remedy=hidden, participant=uuid.uuid4(), community_area="55")
    page = client.get(RESULTS).content.decode()
    data = client.get(API).json()
    for body in (page, client.get(API, {"lang": "es"}).content.decode(), str(data)):
        assert "A remedy withdrawn from the briefing" not in body
        assert hidden.key not in body
        assert "Hegewisch" not in body
    assert data["totals"]["endorsements"] == 2 and data["totals"]["participants"] == 2
    assert "<strong>2</strong> endorsements given" in page and "<strong>2</strong> participants" in page


def test_a_remedy_unpublished_after_the_count_leaves_the_public_pages_at_once(client, briefing, settings):
    settings.RESULTS_PUBLISH_SECONDS = 60
    remedy = briefing.remedies.first()
    EndorsementFactory(remedy=remedy)
    assert remedy.title in client.get(RESULTS).content.decode().replace("&#x27;", "'")
    remedy.is_published = False
    remedy.save()
    assert remedy.key not in str(client.get(API).json())
    assert remedy.title not in client.get(RESULTS).content.decode().replace("&#x27;", "'")
    assert remedy.title not in client.get("/c/chicago/remedies/").content.decode().replace("&#x27;", "'")


def test_an_unpublished_topic_is_not_named_and_its_concerns_count_as_other(client, briefing):
    topic = briefing.topics.first()
    topic.name = "A topic withdrawn from the briefing"
    topic.is_published = False
    topic.save()
    ConcernFactory.create_batch(3, consultation=briefing, topic=topic)
    data = client.get(API).json()
    per_topic = {row["key"]: row["count"] for row in data["concerns_per_topic"]}
    assert topic.key not in per_topic
    assert per_topic[""] == 3
    assert data["totals"]["concerns"] == 3
    for body in (client.get(RESULTS).content.decode(), str(data)):
        assert "A topic withdrawn from the briefing" not in body
