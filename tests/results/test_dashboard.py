from __future__ import annotations

import io
import re
from collections import Counter
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from feedback.models import Concern, Endorsement
from tests.factories import ConcernFactory

DASHBOARD = reverse("admin_dashboard")
COUNTED = {"pending", "approved"}  # the statuses that count in breakdowns, as on the public results


@pytest.fixture
def demo(briefing):
    call_command("generate_demo_data", concerns=400, endorsements=3000, seed=21, stdout=io.StringIO())
    return briefing


def shown_total(page: str, name: str) -> int:
    match = re.search(rf'data-total="{name}">(\d+)<', page)
    assert match, f"no total {name!r} on the page"
    return int(match.group(1))


def rows_by_key(rows) -> dict:
    return {row.key: row.count for row in rows if row.count}


def test_the_dashboard_shows_exactly_what_the_database_holds(client, demo, organizer):
    concerns = list(Concern.objects.values("status", "topic__key", "community_area", "role"))
    endorsements = list(Endorsement.objects.values("remedy__key", "participant", "community_area", "role"))
    client.force_login(organizer)

    response = client.get(DASHBOARD)

    assert response.status_code == 200
    page = response.content.decode()
    for status, count in Counter(c["status"] for c in concerns).items():
        assert shown_total(page, f"concerns-{status}") == count
    assert shown_total(page, "concerns") == len(concerns)
    assert shown_total(page, "endorsements") == len(endorsements)
    assert shown_total(page, "participants") == len({e["participant"] for e in endorsements})

    dashboard = response.context["dashboard"]
    tallies = dashboard.tallies
    counted = [c for c in concerns if c["status"] in COUNTED]
    assert rows_by_key(tallies.endorsements_per_remedy) == Counter(e["remedy__key"] for e in endorsements)
    assert rows_by_key(tallies.concerns_per_topic) == Counter(c["topic__key"] or "" for c in counted)
    assert rows_by_key(tallies.concerns_by_area) == Counter(c["community_area"] for c in counted)
    assert rows_by_key(tallies.endorsements_by_role) == Counter(e["role"] for e in endorsements)
    assert sum(row.concerns for row in tallies.per_day) == len(counted)
    assert sum(row.endorsements for row in tallies.per_day) == len(endorsements)
    # Exact figures for staff: nothing is hidden as a small cell.
    assert not any(row.suppressed for row in tallies.endorsements_by_area + tallies.concerns_by_area)


def test_filters_narrow_the_figures_to_what_the_database_holds_for_them(client, demo, advocate):
    since = timezone.localdate() - timedelta(days=20)
    client.force_login(advocate)

    page = client.get(DASHBOARD, {"community_area": "30", "role": "resident", "since": since.isoformat()}).content
    by_source = client.get(DASHBOARD, {"source": "paper"}).content

    concerns = Concern.objects.filter(community_area="30", role="resident", created_at__date__gte=since)
    endorsements = Endorsement.objects.filter(community_area="30", role="resident", created_at__date__gte=since)
    assert shown_total(page.decode(), "concerns") == len(list(concerns)) > 0
    assert shown_total(page.decode(), "endorsements") == len(list(endorsements)) > 0
    assert shown_total(by_source.decode(), "concerns") == len(list(Concern.objects.filter(source="paper"))) > 0
    # Endorsements are all made on the web: the source filter leaves them whole.
    assert shown_total(by_source.decode(), "endorsements") == Endorsement.objects.count()


def test_bad_filter_input_gets_a_message_and_unfiltered_figures(client, demo, organizer):
    client.force_login(organizer)

    response = client.get(DASHBOARD, {"since": "yesterday-ish", "role": "mayor", "consultation": "nowhere"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Some filters could not be used" in page
    assert "Enter a valid date." in page
    assert shown_total(page, "endorsements") == Endorsement.objects.count()


def test_a_start_date_after_the_end_date_is_explained(client, demo, organizer):
    client.force_login(organizer)
    response = client.get(DASHBOARD, {"since": "2025-05-02", "until": "2025-05-01"})
    assert "The start date is after the end date." in response.content.decode()


def test_the_dashboard_lives_in_the_admin_and_draws_its_charts_as_svg(client, demo, organizer):
    client.force_login(organizer)
    page = client.get(DASHBOARD).content.decode()
    assert 'id="header"' in page and 'class="breadcrumbs"' in page
    # Two per-day column charts and six ranked bar charts, each an SVG image named by its caption.
    assert page.count('<svg class="ct-svg"') == 8
    assert page.count('role="img" aria-labelledby="chart-') == 8
    assert "style=" not in page.split("<body", 1)[1]


def test_the_query_count_is_fixed_whatever_the_size_of_the_data(client, briefing, organizer):
    client.force_login(organizer)
    ConcernFactory(consultation=briefing, status="pending")
    with CaptureQueriesContext(connection) as small:
        assert client.get(DASHBOARD, {"role": "resident", "recount": "1"}).status_code == 200
    call_command("generate_demo_data", concerns=300, endorsements=2000, seed=2, stdout=io.StringIO())
    with CaptureQueriesContext(connection) as large:
        assert client.get(DASHBOARD, {"role": "resident", "recount": "1"}).status_code == 200

    # Session, user, permissions (2), the default consultation, tallies_for's twelve, verified_tallies' three,
    # the unusual bursts' candidates (none: one query), and the consultation menu.
    assert len(large) == len(small) <= 22


def test_without_a_consultation_the_dashboard_says_so(client, organizer):
    client.force_login(organizer)
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    assert "There is no consultation yet" in response.content.decode()


def test_the_admin_index_shows_the_queue_and_links_the_dashboard(client, briefing, advocate):
    ConcernFactory.create_batch(3, consultation=briefing, status="pending")
    ConcernFactory(consultation=briefing, status="approved", reported_at=timezone.now())
    ConcernFactory(consultation=briefing, status="approved")
    client.force_login(advocate)

    page = client.get(reverse("admin:index")).content.decode()

    assert "3 concerns wait for moderation" in page
    assert "1 published concern was reported" in page
    assert f'href="{DASHBOARD}"' in page


def test_a_reload_shows_the_counted_figures_until_staff_ask_to_count_again(client, briefing, organizer):
    client.force_login(organizer)
    ConcernFactory(consultation=briefing, status="pending")
    first = client.get(DASHBOARD).content.decode()
    assert shown_total(first, "concerns") == 1 and "Counted at" in first
    ConcernFactory(consultation=briefing, status="pending")

    with CaptureQueriesContext(connection) as reload:
        again = client.get(DASHBOARD).content.decode()
    recounted = client.get(DASHBOARD, {"recount": "1"}).content.decode()

    assert shown_total(again, "concerns") == 1
    assert len(reload) <= 6  # session, user, permissions, the consultation, the consultation menu: no counting
    assert shown_total(recounted, "concerns") == 2
    assert 'href="?recount=1"' in first


def test_with_the_cache_off_every_load_counts_afresh(client, briefing, organizer, settings):
    settings.DASHBOARD_CACHE_SECONDS = 0
    client.force_login(organizer)
    client.get(DASHBOARD)
    ConcernFactory(consultation=briefing, status="pending")
    page = client.get(DASHBOARD).content.decode()
    assert shown_total(page, "concerns") == 1
    assert "Count again now" not in page
