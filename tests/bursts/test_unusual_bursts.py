"""Unusual bursts: found in per-minute arrival counts (no participant id), listed on the dashboard and certificates."""

from __future__ import annotations

import io
import uuid
from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone

from feedback.bursts.arrivals import minute_of
from feedback.bursts.detection import unusual_bursts
from feedback.certification.document import build_document
from feedback.models import ArrivalCount, ArrivalKind
from feedback.participation.services import endorse_remedy, withdraw_endorsement
from feedback.retention import purge_expired_personal_data
from tests.parallel import needs_postgresql, run_in_parallel


@pytest.fixture
def frozen(monkeypatch):
    """Every arrival counted lands in the same minute (only the arrival counts' clock is stopped)."""
    moment = timezone.now().replace(second=20, microsecond=0)
    monkeypatch.setattr("feedback.bursts.arrivals.timezone", SimpleNamespace(now=lambda: moment))
    return moment


def series(briefing, remedy, counts: list[tuple[int, int]], *, last: datetime) -> None:
    """(arrivals, from new participants) per minute, the last of them at `last`."""
    ArrivalCount.objects.bulk_create(
        ArrivalCount(
            consultation=briefing,
            kind=ArrivalKind.ENDORSEMENT,
            subject=remedy.pk,
            minute=minute_of(last) - timedelta(minutes=len(counts) - 1 - index),
            arrivals=arrivals,
            from_new_participants=new,
        )
        for index, (arrivals, new) in enumerate(counts)
        if arrivals
    )


def test_hundreds_of_fresh_participants_endorsing_one_remedy_within_a_minute_are_a_burst(briefing, frozen):
    remedy = briefing.remedies.select_related("consultation").first()
    for _ in range(300):
        endorse_remedy(remedy=remedy, participant=uuid.uuid4())

    (burst,) = unusual_bursts(briefing)

    assert (burst.kind, burst.subject, burst.label) == ("endorsement", remedy.pk, remedy.title)
    assert (burst.starts_at, burst.ends_at) == (minute_of(frozen), minute_of(frozen) + timedelta(minutes=1))
    assert (burst.arrivals, burst.from_new_participants, burst.baseline) == (300, 300, 0)
    listed = build_document(briefing)["bursts"]
    assert [(entry["key"], entry["arrivals"], entry["excluded"]) for entry in listed] == [(remedy.key, 300, False)]


def test_the_dashboard_lists_the_burst_with_its_window_remedy_and_count(client, briefing, frozen, organizer):
    remedy = briefing.remedies.select_related("consultation").first()
    for _ in range(40):
        endorse_remedy(remedy=remedy, participant=uuid.uuid4())
    client.force_login(organizer)
    page = client.get("/admin/dashboard/").content.decode()
    row = page[page.index('<tr class="burst">') :].split("</tr>", 1)[0]
    assert remedy.title in row and '<td class="numeric">40</td>' in row and "100%" in row
    assert "Exclude from certified tallies…" in row


def test_ordinary_demo_traffic_lists_no_burst(briefing):
    call_command("generate_demo_data", seed=7, stdout=io.StringIO())

    recorded = ArrivalCount.objects.aggregate(n=Sum("arrivals"))["n"]
    assert recorded > 1000  # the demo fills the minute counts of the last days, as real traffic would
    assert unusual_bursts(briefing) == []
    assert build_document(briefing)["bursts"] == []


def test_a_busier_demo_with_a_lower_threshold_still_lists_none(briefing, settings):
    settings.BURST_MIN_ARRIVALS = 5
    call_command("generate_demo_data", concerns=1000, endorsements=40_000, seed=9, stdout=io.StringIO())
    assert unusual_bursts(briefing) == []


def test_a_steady_busy_rate_with_its_ups_and_downs_is_not_a_burst_but_a_spike_on_it_is(briefing):
    remedy = briefing.remedies.first()
    now = timezone.now()
    # About 40 a minute, half of them from new participants (most people come back).
    ordinary = [(40 + (index * 7) % 13 - 6, 20) for index in range(6 * 60)]
    series(briefing, remedy, [*ordinary, (60, 50)], last=now - timedelta(minutes=10))
    assert unusual_bursts(briefing) == []

    series(briefing, remedy, [(200, 190), (180, 170)], last=now)
    (burst,) = unusual_bursts(briefing)
    assert (burst.arrivals, burst.peak) == (380, 200)
    assert burst.ends_at - burst.starts_at == timedelta(minutes=2)
    assert 38 <= burst.baseline <= 42


def test_a_surge_mostly_from_returning_participants_is_not_unusual(briefing):
    remedy = briefing.remedies.first()
    series(briefing, remedy, [(300, 150)], last=timezone.now())
    assert unusual_bursts(briefing) == []


def test_fewer_arrivals_than_the_minimum_are_never_a_burst(briefing, settings):
    settings.BURST_MIN_ARRIVALS = 30
    series(briefing, briefing.remedies.first(), [(29, 29)], last=timezone.now())
    assert unusual_bursts(briefing) == []


def test_arrival_counts_hold_no_participant_id_and_only_new_endorsements_count(briefing, frozen):
    remedy = briefing.remedies.select_related("consultation").first()
    person = uuid.uuid4()
    endorse_remedy(remedy=remedy, participant=person)
    endorse_remedy(remedy=remedy, participant=person)  # again: not a new arrival
    withdraw_endorsement(remedy=remedy, participant=person)
    other = briefing.remedies.select_related("consultation").all()[1]
    endorse_remedy(remedy=other, participant=person)  # no endorsement left, so new again

    assert {field.name for field in ArrivalCount._meta.concrete_fields} == {
        "id",
        "consultation",
        "kind",
        "subject",
        "minute",
        "arrivals",
        "from_new_participants",
    }
    counts = set(ArrivalCount.objects.values_list("subject", "arrivals", "from_new_participants"))
    assert counts == {(remedy.pk, 1, 1), (other.pk, 1, 1)}


def test_minute_counts_are_deleted_after_their_retention(briefing, settings):
    settings.BURST_WINDOW_RETENTION_DAYS = 14
    remedy = briefing.remedies.first()
    series(briefing, remedy, [(3, 3)], last=timezone.now() - timedelta(days=15))
    series(briefing, remedy, [(4, 4)], last=timezone.now() - timedelta(days=13))
    assert purge_expired_personal_data().arrival_counts == 1
    assert list(ArrivalCount.objects.values_list("arrivals", flat=True)) == [4]


@pytest.mark.django_db(transaction=True)
def test_simultaneous_endorsements_in_one_minute_are_all_counted(briefing, frozen):
    needs_postgresql()
    remedy = briefing.remedies.select_related("consultation").first()
    results = run_in_parallel([lambda: endorse_remedy(remedy=remedy, participant=uuid.uuid4()) for _ in range(30)])
    assert results == [True] * 30
    assert list(ArrivalCount.objects.values_list("arrivals", "from_new_participants")) == [(30, 30)]
