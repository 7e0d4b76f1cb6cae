from __future__ import annotations

import io
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from feedback.demo.generator import LocalDays
from feedback.models import Concern, Consultation, Endorsement, ModerationEvent, Report, start_of_local_day
from tests.availability import postgresql_only


def generate(**options) -> str:
    out = io.StringIO()
    call_command("generate_demo_data", stdout=out, **options)
    return out.getvalue()


def snapshot() -> dict:
    """The generated rows without their ids and timestamps (which move with the day of the run)."""
    return {
        "concerns": sorted(
            Concern.objects.values_list(
                "text", "status", "role", "community_area", "topic_id", "source", "language", "contact_email"
            )
        ),
        "endorsements": sorted(Endorsement.objects.values_list("remedy_id", "participant", "role", "community_area")),
        "events": sorted(ModerationEvent.objects.values_list("from_status", "to_status", "reason")),
        "reports": sorted(Report.objects.values_list("participant", flat=True)),
    }


def clear_generated_rows() -> None:
    Report.objects.all().delete()
    ModerationEvent.objects.all().delete()
    Concern.objects.all().delete()
    Endorsement.objects.all().delete()


def test_it_fills_the_open_consultation_with_varied_consistent_rows(briefing):
    output = generate(concerns=600, endorsements=4000, seed=5)

    assert "Added 600 concerns" in output and "4000 endorsements" in output and "seed 5" in output
    concerns = list(Concern.objects.filter(consultation=briefing))
    assert len(concerns) == 600
    assert {c.status for c in concerns} == set(Concern.Status.values)
    assert {c.source for c in concerns} == set(Concern.Source.values)
    assert {c.language for c in concerns} == {"en", "es"}
    assert len({c.topic_id for c in concerns}) > 5 and len({c.community_area for c in concerns}) > 20
    assert len({c.role for c in concerns}) == 5
    with_email = [c for c in concerns if c.contact_email]
    assert with_email and all(c.contact_consent for c in with_email)
    oldest_allowed = start_of_local_day(timezone.now() - timedelta(days=60, minutes=1))
    assert all(oldest_allowed <= c.created_at <= timezone.now() for c in concerns)
    assert all(c.created_at == start_of_local_day(c.created_at) for c in concerns)  # days only, as real ones
    assert (max(c.created_at for c in concerns) - min(c.created_at for c in concerns)).days >= 50
    # Every decided concern has its decision in the audit log; reports match their counters.
    decided = {c.pk for c in concerns if c.status != "pending"}
    assert sorted(ModerationEvent.objects.values_list("concern_id", flat=True)) == sorted(decided)
    report_rows = Counter(Report.objects.values_list("concern_id", flat=True))
    assert {c.pk: c.report_count for c in concerns if c.report_count} == dict(report_rows)
    assert all((c.reported_at is not None) == (c.report_count > 0) for c in concerns)

    endorsements = list(Endorsement.objects.values_list("remedy_id", "participant"))
    assert len(endorsements) == len(set(endorsements)) == 4000
    assert {remedy for remedy, _p in endorsements} == set(briefing.remedies.values_list("pk", flat=True))
    participants = Counter(participant for _remedy, participant in endorsements)
    assert 4000 / 5 <= len(participants) < 4000
    assert max(participants.values()) <= 5


def test_each_remedy_shows_the_endorsements_it_really_has_after_a_load_on_top_of_real_ones(briefing, client):
    from feedback.models import Remedy

    remedy = briefing.remedies.filter(is_published=True).order_by("pk").first()
    client.post(f"/c/chicago/remedies/{remedy.pk}/endorse/")
    generate(concerns=10, endorsements=3000, seed=7)
    counts = {remedy.pk: remedy.endorsement_count for remedy in Remedy.objects.filter(consultation=briefing)}
    real = Counter(Endorsement.objects.values_list("remedy_id", flat=True))
    assert counts == {pk: real.get(pk, 0) for pk in counts}
    assert sum(counts.values()) == 3001  # the resident's own endorsement and the 3,000 loaded


def test_the_same_seed_gives_the_same_rows_and_another_seed_others(briefing):
    generate(concerns=200, endorsements=1500, seed=11)
    first = snapshot()
    clear_generated_rows()

    generate(concerns=200, endorsements=1500, seed=11)
    assert snapshot() == first

    clear_generated_rows()
    generate(concerns=200, endorsements=1500, seed=12)
    assert snapshot()["concerns"] != first["concerns"]


def test_the_same_seed_twice_on_one_database_adds_nothing_and_says_why(briefing):
    generate(concerns=50, endorsements=300, seed=3)

    with pytest.raises(CommandError, match="Use another --seed"):
        generate(concerns=50, endorsements=300, seed=3)

    assert Concern.objects.count() == 50
    assert Endorsement.objects.count() == 300


def test_without_an_open_consultation_it_says_what_to_do(db):
    with pytest.raises(CommandError, match="load_briefing"):
        generate(concerns=1, endorsements=1)


def test_an_unknown_consultation_is_a_clear_error(briefing):
    with pytest.raises(CommandError, match="No consultation with the slug 'nowhere'"):
        generate(concerns=1, endorsements=1, consultation="nowhere")


def test_a_named_consultation_is_filled_even_when_closed(briefing):
    briefing.status = Consultation.Status.CLOSED
    briefing.save()
    generate(concerns=10, endorsements=20, consultation="chicago", seed=1)
    assert Concern.objects.filter(consultation=briefing).count() == 10


def test_no_progress_bar_when_the_output_is_not_a_terminal(briefing):
    output = generate(concerns=20, endorsements=50, seed=1)
    assert "rows/s" not in output and "%|" not in output


def test_verbosity_two_lists_the_time_of_each_phase(briefing):
    output = generate(concerns=20, endorsements=50, seed=1, verbosity=2)
    assert "generate concerns:" in output


def schema_of_generated_tables() -> list[tuple]:
    tables = [model._meta.db_table for model in (Concern, Endorsement, ModerationEvent, Report)]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), convalidated FROM pg_constraint "
            "WHERE conrelid::regclass::text = ANY(%s) ORDER BY 1, 2",
            [tables],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) ORDER BY 1, 2", [tables]
        )
        return constraints + cursor.fetchall()


@postgresql_only
def test_a_bulk_load_leaves_every_index_and_constraint_as_it_was(briefing, monkeypatch):
    before = schema_of_generated_tables()
    monkeypatch.setattr("feedback.demo.bulk_load.BULK_LOAD_MIN_ROWS", 10)

    generate(concerns=300, endorsements=2000, seed=8)

    assert schema_of_generated_tables() == before
    assert Endorsement.objects.count() == 2000
    existing = Endorsement.objects.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Endorsement.objects.create(remedy_id=existing.remedy_id, participant=existing.participant)


@postgresql_only
def test_a_bulk_load_that_would_duplicate_an_endorsement_adds_nothing(briefing, monkeypatch):
    monkeypatch.setattr("feedback.demo.bulk_load.BULK_LOAD_MIN_ROWS", 10)
    generate(concerns=30, endorsements=200, seed=4)
    before = schema_of_generated_tables()

    with pytest.raises(CommandError, match="Nothing was added"):
        generate(concerns=30, endorsements=200, seed=4)

    assert Endorsement.objects.count() == 200 and Concern.objects.count() == 30
    assert schema_of_generated_tables() == before


@pytest.mark.parametrize(
    "now",
    [
        datetime(2026, 11, 2, 5, 30, tzinfo=UTC),  # the day after clocks went back (a 25-hour day in the span)
        datetime(2026, 3, 9, 4, 59, 59, tzinfo=UTC),  # one second before local midnight, after clocks went forward
        datetime(2026, 12, 2, 18, 0, tzinfo=UTC),
    ],
)
def test_generated_rows_keep_the_local_day_the_services_would(now):
    local_day = LocalDays(now - timedelta(days=61), now)
    moments = [now - timedelta(seconds=seconds) for seconds in range(0, 61 * 86_400, 997)]
    moments += [midnight + delta for midnight in local_day.midnights for delta in (timedelta(0), timedelta(seconds=-1))]
    for moment in moments:
        assert local_day(moment) == start_of_local_day(moment), moment
