"""The roll-ups equal a recount of the raw rows after every kind of write, and check_aggregates finds and repairs drift.

Worst case for the distinct-participant counts: one person from Hegewisch (a rare area) who endorses, withdraws,
endorses again, changes their area and role, and becomes verified; each step moves them between groups.
"""

from __future__ import annotations

import io
import uuid
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.utils import timezone

from feedback.models import Concern, Consultation, Endorsement, EndorsementRollup, ParticipantRollup
from feedback.moderation.services import moderate_concern, moderate_concerns, redact_and_approve
from feedback.participation.services import (
    describe_endorser,
    endorse_remedy,
    enter_concern_on_behalf,
    submit_concern,
    withdraw_concern_with_receipt,
    withdraw_endorsement,
)
from feedback.results.public import count_published_figures
from feedback.results.recount import recount_cells, replace_rollups, stored_cells
from feedback.results.rollups import check_rollups
from feedback.results.tallies import COUNTED_CONCERN_STATUSES, TallyFilters, tallies_for
from feedback.retention import purge_consultation
from feedback.verification.services import issue_codes, redeem_code
from tests.factories import ConcernFactory

HEGEWISCH = "55"


def concern(consultation, **overrides):
    fields = {"text": "The raids near the school scare our children.", "role": "resident", "community_area": "30"}
    return submit_concern(consultation=consultation, language="en", **{**fields, **overrides})


@pytest.fixture
def many_writes(briefing, advocate):
    """Endorse, withdraw, re-endorse, change area, verify, moderate, withdraw a concern: every write path once."""
    remedies = list(briefing.remedies.select_related("consultation"))
    lone = uuid.uuid4()
    for remedy in remedies[:3]:
        endorse_remedy(remedy=remedy, participant=lone, role="other", community_area=HEGEWISCH)
    withdraw_endorsement(remedy=remedies[0], participant=lone)
    withdraw_endorsement(remedy=remedies[0], participant=lone)  # nothing left to withdraw
    endorse_remedy(remedy=remedies[0], participant=lone, role="other", community_area=HEGEWISCH)
    endorse_remedy(remedy=remedies[0], participant=lone, role="other", community_area=HEGEWISCH)  # a double click
    describe_endorser(consultation=briefing, participant=lone, role="resident", community_area="14")
    code = issue_codes(consultation=briefing, count=1, label="Clinic").codes[0]
    redeem_code(consultation=briefing, code=code, participant=lone)
    endorse_remedy(remedy=remedies[3], participant=lone, role="resident", community_area="14")  # verified from now
    for index in range(6):
        person = uuid.uuid4()
        for remedy in remedies[index % 2 : index % 2 + 2]:
            endorse_remedy(remedy=remedy, participant=person, role="advocate", community_area="30")
        if index == 0:
            withdraw_endorsement(remedy=remedies[0], participant=person)  # their last but one
    topic = briefing.topics.first()
    kept = concern(briefing, topic=topic)
    rejected = concern(briefing)
    spam = concern(briefing, community_area=HEGEWISCH)
    withdrawn = concern(briefing, topic=topic)
    moderate_concern(concern_id=kept.concern.pk, to_status=Concern.Status.APPROVED, actor=advocate)
    moderate_concern(concern_id=rejected.concern.pk, to_status=Concern.Status.REJECTED, actor=advocate)
    moderate_concerns(concern_ids=[spam.concern.pk, kept.concern.pk], to_status=Concern.Status.SPAM, actor=advocate)
    moderate_concerns(concern_ids=[kept.concern.pk], to_status=Concern.Status.APPROVED, actor=advocate)
    pending = concern(briefing, text="Call me on 773 555 0100 about the raids.")
    redact_and_approve(
        concern_id=pending.concern.pk,
        redacted_text=Concern.objects.get(pk=pending.concern.pk).text,
        actor=advocate,
        expected_version=Concern.objects.get(pk=pending.concern.pk).version,
    )
    withdraw_concern_with_receipt(consultation=briefing, receipt_code=withdrawn.receipt_code)
    enter_concern_on_behalf(
        consultation=briefing, text="Written on paper at the church.", source="paper", actor=advocate
    )
    return briefing


def test_after_every_kind_of_write_the_rollups_equal_a_recount(many_writes):
    assert stored_cells(many_writes) == {
        table: {cell: n for cell, n in cells.items() if n} for table, cells in recount_cells(many_writes).items()
    }
    assert check_rollups().drifts == []


def test_the_one_person_counts_once_in_the_group_they_moved_to(many_writes):
    figures = tallies_for(many_writes, TallyFilters(community_area="14", role="resident", verified_only=True))
    assert figures.total_participants == 1
    assert figures.total_endorsements == 4
    assert tallies_for(many_writes, TallyFilters(community_area=HEGEWISCH)).total_participants == 0
    assert tallies_for(many_writes).total_participants == 7


def test_the_figures_read_from_the_rollups_are_those_the_rows_count(many_writes):
    figures = tallies_for(many_writes)
    endorsements = Endorsement.objects.filter(remedy__consultation=many_writes)
    assert figures.total_endorsements == endorsements.count() == 15
    assert figures.total_participants == endorsements.values("participant").distinct().count()
    assert figures.concerns_by_status == dict(
        Concern.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    assert {row.key: row.count for row in figures.endorsements_by_area} == dict(
        endorsements.values_list("community_area").annotate(n=Count("pk")).values_list("community_area", "n")
    )


def test_the_public_concern_figures_are_those_the_rows_count(many_writes):
    topic = many_writes.topics.first()
    ConcernFactory(consultation=many_writes, topic=topic, verified=True, community_area=HEGEWISCH, role="other")
    ConcernFactory(consultation=many_writes, status=Concern.Status.PENDING, community_area=HEGEWISCH)
    counted = Concern.objects.filter(consultation=many_writes, status__in=COUNTED_CONCERN_STATUSES)
    figures = count_published_figures(many_writes, minimum=1)

    def counts(rows, field):
        return dict(rows.values_list(field).annotate(n=Count("pk")).values_list(field, "n"))

    assert dict(figures["concerns_by_area"]) == counts(counted, "community_area")
    assert dict(figures["concerns_by_role"]) == counts(counted, "role")
    assert dict(figures["topics"])[topic.pk] == counted.filter(topic=topic).count() == 2
    assert figures["other_topic"] == counted.filter(topic=None).count() == 3
    assert dict(figures["verified"]["topics"])[topic.pk] == 1
    assert figures["verified"]["concerns"] == 1
    assert figures["total_concerns"] == counted.count() == 5


def test_after_a_purge_the_rollups_still_equal_a_recount_and_the_figures_are_kept(many_writes):
    before = count_published_figures(many_writes)
    Consultation.objects.filter(pk=many_writes.pk).update(closes_at=timezone.now() - timedelta(days=1))
    many_writes.refresh_from_db()
    purge_consultation(consultation=many_writes)
    many_writes.refresh_from_db()
    assert check_rollups().drifts == []
    assert not ParticipantRollup.objects.filter(consultation=many_writes).exists()
    assert count_published_figures(many_writes) == before


def test_a_corrupted_rollup_is_reported_and_exits_with_an_error(many_writes):
    cell = EndorsementRollup.objects.filter(remedy__consultation=many_writes).exclude(endorsements=0).first()
    EndorsementRollup.objects.filter(pk=cell.pk).update(endorsements=cell.endorsements + 5)
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 drifted cells"):
        call_command("check_aggregates", "--consultation", "chicago", stdout=out)
    assert f"stored {cell.endorsements + 5}, counted {cell.endorsements}" in out.getvalue()
    assert f"remedy={cell.remedy_id}" in out.getvalue()


def test_repair_sets_the_drifted_cells_to_the_recount(many_writes):
    expected = tallies_for(many_writes)
    EndorsementRollup.objects.filter(remedy__consultation=many_writes).update(endorsements=0)
    ParticipantRollup.objects.filter(consultation=many_writes, grouping="").update(participants=99)
    assert tallies_for(many_writes) != expected
    out = io.StringIO()
    call_command("check_aggregates", "--repair", stdout=out)
    assert "repaired" in out.getvalue()
    assert tallies_for(many_writes) == expected
    out = io.StringIO()
    call_command("check_aggregates", stdout=out)
    assert out.getvalue().strip() == "no drift"


def test_a_lost_rollup_row_is_drift_too(many_writes):
    ParticipantRollup.objects.filter(consultation=many_writes, grouping="area").delete()
    drifts = check_rollups(consultation=many_writes).drifts
    assert {drift.table for drift in drifts} == {"participants"}
    assert {drift.cell["community_area"] for drift in drifts} == {"14", "30"}


def test_an_unknown_consultation_is_a_clear_error(db):
    with pytest.raises(CommandError, match="No consultation 'nowhere'"):
        call_command("check_aggregates", "--consultation", "nowhere")


def test_replacing_the_rollups_by_a_recount_changes_nothing_that_was_exact(many_writes):
    before = stored_cells(many_writes)
    replace_rollups(consultation=many_writes)
    assert stored_cells(many_writes) == before


def test_demo_data_loaded_in_bulk_arrives_with_exact_rollups(briefing):
    remedy = briefing.remedies.select_related("consultation").first()
    endorse_remedy(remedy=remedy, participant=uuid.uuid4(), community_area="14")  # rows from before the load
    call_command("generate_demo_data", concerns=300, endorsements=2000, seed=7, stdout=io.StringIO())
    assert check_rollups().drifts == []
    figures = tallies_for(briefing)
    assert figures.total_endorsements == 2001
    assert figures.total_participants == Endorsement.objects.values("participant").distinct().count()


def test_the_hourly_task_repairs_drift_and_logs_each_cell(many_writes, caplog):
    from feedback import tasks

    ParticipantRollup.objects.filter(consultation=many_writes, grouping="").update(participants=1)
    assert tasks.check_aggregates() == 1
    assert "Roll-up drift repaired: chicago: participants" in caplog.text
    assert "stored 1, counted 7" in caplog.text
    assert tasks.check_aggregates() == 0
