"""The public list of concerns: approved ones only, newest first, paginated, filtered by topic, always escaped."""

from __future__ import annotations

from django.utils import timezone

from feedback.models import Concern
from tests.factories import ConcernFactory

LIST = "/c/chicago/concerns/"


def test_only_approved_concerns_are_listed(client, briefing):
    ConcernFactory(consultation=briefing, text="An approved concern here")
    for status in [Concern.Status.PENDING, Concern.Status.REJECTED, Concern.Status.SPAM]:
        ConcernFactory(consultation=briefing, text=f"A {status} concern here", status=status)
    page = client.get(LIST).content.decode()
    assert "An approved concern here" in page
    assert "pending concern" not in page and "rejected concern" not in page and "spam concern" not in page


def test_concerns_are_listed_newest_first(client, briefing):
    now = timezone.now()
    ConcernFactory(consultation=briefing, text="The older concern", created_at=now - timezone.timedelta(days=2))
    ConcernFactory(consultation=briefing, text="The newer concern", created_at=now)
    page = client.get(LIST).content.decode()
    assert page.index("The newer concern") < page.index("The older concern")


def test_concerns_are_paginated_twenty_to_a_page(client, briefing):
    now = timezone.now()
    for number in range(25):
        ConcernFactory(
            consultation=briefing,
            text=f"Concern number {number:02d}.",
            created_at=now - timezone.timedelta(hours=number),
        )
    first = client.get(LIST).content.decode()
    second = client.get(LIST + "?page=2").content.decode()
    assert "Concern number 00." in first and "Concern number 19." in first and "Concern number 20." not in first
    assert "Concern number 20." in second and "Concern number 24." in second and "Concern number 00." not in second
    assert "Page 1 of 2" in first
    assert client.get(LIST + "?page=99").status_code == 200


def test_the_topic_filter_shows_only_that_topic(client, briefing):
    first, second = briefing.topics.all()[:2]
    ConcernFactory(consultation=briefing, topic=first, text="About the first topic")
    ConcernFactory(consultation=briefing, topic=second, text="About the second topic")
    ConcernFactory(consultation=briefing, topic=None, text="About something else")
    page = client.get(LIST, {"topic": first.key}).content.decode()
    assert "About the first topic" in page
    assert "About the second topic" not in page and "About something else" not in page
    other = client.get(LIST, {"topic": "other"}).content.decode()
    assert "About something else" in other and "About the first topic" not in other
    unknown = client.get(LIST, {"topic": "no-such-topic"}).content.decode()
    assert "About the first topic" in unknown and "About something else" in unknown


def test_concern_text_is_escaped(client, briefing):
    ConcernFactory(consultation=briefing, text='<script>alert("x")</script> and <b>bold</b>')
    page = client.get(LIST).content.decode()
    assert "<script>alert" not in page and "<b>bold</b>" not in page
    assert "&lt;script&gt;" in page


def test_concerns_of_another_consultation_are_not_listed(client, briefing):
    from feedback.models import Consultation

    other = Consultation.objects.create(title="Other", slug="other", summary="s", source_citation="c")
    ConcernFactory(consultation=other, text="Elsewhere entirely")
    assert "Elsewhere entirely" not in client.get(LIST).content.decode()
