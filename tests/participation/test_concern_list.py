"""The public list of concerns: approved ones only, newest day first, paginated, filtered by topic, always escaped.

It shows a day, never a time; names a concern by a random reference, never its database id; and its order
within a day says nothing about which concern came first.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

from django.conf import settings
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
            created_at=now - timezone.timedelta(days=number),
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


def local(day_offset: int, hour: int, minute: int = 0) -> datetime:
    day = timezone.localdate() - timedelta(days=day_offset)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo(settings.TIME_ZONE))


class TimeElements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.datetimes: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "time":
            self.datetimes.append(dict(attrs)["datetime"])


def test_a_concern_shows_its_day_as_valid_html_and_never_a_time(client, briefing):
    concern = ConcernFactory(consultation=briefing, created_at=local(2, 14, 22))
    page = client.get(LIST).content.decode()
    parser = TimeElements()
    parser.feed(page)
    assert parser.datetimes == [local(2, 14, 22).date().isoformat()]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", parser.datetimes[0])  # a valid date string, as HTML defines it
    assert "14:22" not in page and "2:22" not in page and "T14" not in page
    assert concern.public_reference in page


def test_a_concern_is_named_by_its_random_reference_never_its_database_id(client, briefing):
    concerns = ConcernFactory.create_batch(3, consultation=briefing)
    page = client.get(LIST).content.decode()
    for concern in concerns:
        assert f'id="concern-{concern.public_reference}"' in page
        assert f"/c/chicago/concerns/{concern.public_reference}/report/" in page
        assert not re.search(rf'"concern-{concern.pk}["-]', page) and f"/concerns/{concern.pk}/" not in page
    references = {concern.public_reference for concern in concerns}
    assert len(references) == 3 and all(re.fullmatch(r"[a-z2-9]{12}", reference) for reference in references)


def test_within_a_day_the_order_does_not_follow_the_time_of_sending(client, briefing):
    sent = [ConcernFactory(consultation=briefing, created_at=local(1, 8 + hour)) for hour in range(12)]
    ConcernFactory(consultation=briefing, text="From the day before", created_at=local(2, 23, 59))
    page = client.get(LIST).content.decode()
    shown = re.findall(r'id="concern-([a-z2-9]+)"', page)
    assert shown[:12] == sorted(concern.public_reference for concern in sent)
    assert shown[:12] != [concern.public_reference for concern in reversed(sent)]  # not newest first
    assert shown[:12] != [concern.public_reference for concern in sent]  # nor oldest first
    assert page.index("From the day before") > page.index(sent[0].text)


def test_a_concern_whose_topic_was_unpublished_shows_as_other(client, briefing):
    topic = briefing.topics.first()
    topic.name = "A topic withdrawn from the briefing"
    topic.is_published = False
    topic.save()
    ConcernFactory(consultation=briefing, topic=topic, text="Filed under a withdrawn topic")
    page = client.get(LIST).content.decode()
    assert "Filed under a withdrawn topic" in page and "A topic withdrawn from the briefing" not in page
    assert "Filed under a withdrawn topic" in client.get(LIST, {"topic": "other"}).content.decode()
    assert "Filed under a withdrawn topic" in client.get(LIST, {"topic": topic.key}).content.decode()  # unknown key
