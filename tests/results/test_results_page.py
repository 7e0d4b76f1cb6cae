"""Public results: exact totals per remedy and topic, breakdowns by people with small groups hidden."""

from __future__ import annotations

import logging
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import ConcernFactory, EndorsementFactory

RESULTS = "/c/chicago/results/"


def table_cell(page: str, chart_id: str, label: str) -> str:
    """The count shown next to `label` in the accessible table of the chart `chart_id`."""
    chart = page[page.index(f'id="{chart_id}-caption"') :]
    chart = chart[: chart.index("</figure>")]
    match = re.search(rf'<th scope="row">{re.escape(label)}</th>\s*<td class="text-end">([^<]+)</td>', chart)
    assert match, f"{label} not in {chart_id}"
    return match.group(1).strip()


def test_results_show_exact_endorsements_per_remedy_and_concerns_per_topic(client, briefing):
    first, second = briefing.remedies.all()[:2]
    topic = briefing.topics.first()
    EndorsementFactory.create_batch(3, remedy=first, community_area="30", role="resident")
    EndorsementFactory.create_batch(1, remedy=second)
    ConcernFactory.create_batch(2, consultation=briefing, topic=topic)
    page = client.get(RESULTS).content.decode().replace("&#x27;", "'")
    assert table_cell(page, "chart-remedies", first.title) == "3"
    assert table_cell(page, "chart-remedies", second.title) == "1"
    assert table_cell(page, "chart-topics", topic.name) == "2"
    assert "<strong>4</strong> endorsements given" in page and "<strong>4</strong> participants" in page
    assert "<strong>2</strong> concerns received" in page
    assert '<rect class="bar-fill" x="0.0%" width="100.0%"' in page


def test_small_breakdown_cells_are_hidden(client, briefing, settings):
    settings.RESULTS_MIN_CELL = 5
    remedy = briefing.remedies.first()
    EndorsementFactory.create_batch(7, remedy=remedy, community_area="30")
    EndorsementFactory.create_batch(6, remedy=remedy, community_area="22")
    EndorsementFactory.create_batch(1, remedy=remedy, community_area="14")
    page = client.get(RESULTS).content.decode()
    assert table_cell(page, "chart-participants-area", "Albany Park") == "hidden"
    # The only hidden cell could be worked out from the total, so the next smallest is hidden too.
    assert table_cell(page, "chart-participants-area", "Logan Square") == "hidden"
    assert table_cell(page, "chart-participants-area", "South Lawndale") == "7"
    # Hidden groups are listed by name, not by size, so their order does not tell the larger one.
    assert page.index("Albany Park") < page.index("Logan Square")
    assert table_cell(page, "chart-remedies", remedy.title) == "14"  # the overall total stays exact


def test_the_page_states_the_publication_period(client, briefing, settings):
    settings.RESULTS_PUBLISH_SECONDS = 45
    assert "at most once every 45 seconds" in client.get(RESULTS).content.decode()


def test_results_are_shown_even_when_the_cache_is_unreachable(client, briefing, settings, caplog):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    EndorsementFactory(remedy=briefing.remedies.first())
    settings.RESULTS_PUBLISH_SECONDS = 60
    with caplog.at_level(logging.WARNING, logger="feedback.results.caching"):
        response = client.get(RESULTS)
    assert response.status_code == 200
    assert "<strong>1</strong> endorsement given</li>" in response.content.decode()
    assert "Cache unreachable" in caplog.text


def test_results_of_an_unknown_consultation_are_a_404(client, briefing):
    assert client.get("/c/unknown/results/").status_code == 404


def test_a_remedy_not_yet_translated_is_labelled_in_english_without_a_query_per_remedy(client, briefing):
    first = briefing.remedies.first()
    first.title_pl = ""
    first.save(update_fields=["title_pl"])
    EndorsementFactory.create_batch(2, remedy=first)
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/pl" + RESULTS).content.decode().replace("&#x27;", "'")
    assert table_cell(page, "chart-remedies", first.title_en) == "2"
    # Their ids for the count, their titles for the labels: the titles in every language come in the one row.
    assert sum('FROM "feedback_remedy"' in query["sql"] for query in queries.captured_queries) == 2
