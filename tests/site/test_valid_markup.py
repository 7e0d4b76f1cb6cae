"""Public pages are valid HTML where the Nu checker found them not to be (`make audit-pages` runs the checker itself).

Two faults it found, checked here in every language on every run: an id used twice on one page (the results page
had two "How we count" blocks with `id="how-we-count"`, so its links went to the wrong one) and a `<time datetime>`
that is no valid HTML date or time (Django's "c" format adds microseconds, which HTML allows only to three digits).
"""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser

import pytest

from tests.factories import ConcernFactory, EndorsementFactory

PREFIXES = ["", "/es", "/pl", "/zh-hans", "/ar"]
PAGES = [
    "/",
    "/c/chicago/",
    "/c/chicago/concerns/",
    "/c/chicago/concerns/new/",
    "/c/chicago/concerns/status/",
    "/c/chicago/concerns/withdraw/",
    "/c/chicago/remedies/",
    "/c/chicago/results/",
    "/c/chicago/print/",
    "/privacy/",
    "/about/",
]
# HTML's valid date string, or a date and time with seconds to at most three decimals and a zone ("Z", ±HH:MM, ±HHMM).
VALID_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2}))?")


class Markup(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: Counter[str] = Counter()
        self.datetimes: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "id" in attributes:
            self.ids[attributes["id"]] += 1
        if tag == "time" and "datetime" in attributes:
            self.datetimes.append(attributes["datetime"])


@pytest.fixture
def some_participation(briefing):
    """Approved concerns and endorsements, so the concern list and every results chart have rows."""
    for remedy in briefing.remedies.all()[:3]:
        EndorsementFactory.create_batch(6, remedy=remedy, community_area="30", role="resident")
    ConcernFactory.create_batch(3, consultation=briefing, topic=briefing.topics.first(), community_area="30")


@pytest.mark.parametrize("prefix", PREFIXES, ids=lambda p: p or "en")
def test_no_public_page_repeats_an_id_or_carries_an_invalid_time(client, some_participation, prefix):
    for page in PAGES:
        response = client.get(prefix + page)
        assert response.status_code == 200, page
        markup = Markup()
        markup.feed(response.content.decode())
        assert [name for name, count in markup.ids.items() if count > 1] == [], prefix + page
        assert [value for value in markup.datetimes if not VALID_DATETIME.fullmatch(value)] == [], prefix + page


def test_the_results_links_to_how_we_count_reach_the_section_that_explains_it(client, some_participation):
    page = client.get("/c/chicago/results/").content.decode()
    assert page.count('id="how-we-count"') == 1
    assert '<section id="how-we-count"' in page
    assert re.search(r'Last counted at <time datetime="\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{4}">', page)
