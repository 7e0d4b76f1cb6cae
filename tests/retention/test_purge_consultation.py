"""Purging a closed consultation removes every link between the people who took part and keeps every figure.

Worst case: one person from Hegewisch (a rare community area) with a rare role endorsed five remedies; with their
participant id (or the order of the rows) left in place, their whole set of endorsements could be picked out.
"""

from __future__ import annotations

import io
import json
import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone

from feedback.exports.tallies import tally_tables
from feedback.models import Concern, Consultation, Endorsement, PurgeSnapshot, Report
from feedback.moderation.services import moderate_concern, moderate_concerns
from feedback.participation.services import (
    ConsultationClosed,
    endorse_remedy,
    enter_concern_on_behalf,
    report_concern,
    submit_concern,
)
from feedback.results.public import count_published_figures, label_results
from feedback.results.recount import replace_rollups
from feedback.results.tallies import TallyFilters, tallies_for
from feedback.results.verified import verified_tallies
from feedback.retention import (
    ConsultationStillOpen,
    consultations_due_for_purge,
    purge_closed_consultations,
    purge_consultation,
)

HEGEWISCH = "55"
FILTERS = [
    TallyFilters(),
    TallyFilters(community_area=HEGEWISCH),
    TallyFilters(role="other"),
    TallyFilters(community_area=HEGEWISCH, role="other"),
    TallyFilters(community_area="30", role="resident"),
    TallyFilters(source="paper"),
]


@pytest.fixture
def taken_part(briefing, advocate):
    """Concerns of every status (with emails, receipts and reports) and endorsements, one person's five among them."""
    remedies = list(briefing.remedies.select_related("consultation"))
    lone = uuid.uuid4()
    for remedy in remedies[:5]:
        endorse_remedy(remedy=remedy, participant=lone, role="other", community_area=HEGEWISCH)
    for index in range(12):
        person = uuid.uuid4()
        for remedy in remedies[index % 3 : index % 3 + 2]:
            endorse_remedy(remedy=remedy, participant=person, role="resident", community_area="30")
        if index % 3 == 0:  # four of them entered a participation code: their endorsements count as verified
            Endorsement.objects.filter(participant=person).update(verified=True)
    Endorsement.objects.filter(participant=lone).update(verified=True)
    replace_rollups(consultation=briefing)  # rows changed around the services get their roll-ups as a repair does
    concerns = {}
    for status in Concern.Status.values:
        submitted = submit_concern(
            consultation=briefing,
            text=f"A {status} concern about the raids near the school",
            role="resident",
            community_area=HEGEWISCH,
            language="en",
            contact_email="vecina@example.org",
            contact_consent=True,
        )
        moderate_concern(
            concern_id=submitted.concern.pk, to_status=status, actor=advocate, moderation_note="Called her back"
        )
        submitted.concern.refresh_from_db()
        concerns[status] = submitted.concern
    enter_concern_on_behalf(
        consultation=briefing, text="Given on paper at the church", source="paper", actor=advocate, community_area="30"
    )
    report_concern(concern=concerns["approved"], participant=lone)
    Consultation.objects.filter(pk=briefing.pk).update(status=Consultation.Status.CLOSED)
    briefing.refresh_from_db()
    return {"lone": lone, "concerns": concerns}


def every_figure(consultation) -> dict:
    consultation = Consultation.objects.get(pk=consultation.pk)
    return {
        "tallies": [tallies_for(consultation, filters) for filters in FILTERS],
        "verified": [verified_tallies(consultation, filters) for filters in FILTERS],
        "public": label_results(consultation, count_published_figures(consultation)),
        "exports": [tally_tables(consultation, filters) for filters in FILTERS],
    }


def test_a_purge_keeps_every_public_and_staff_figure_exactly_as_it_was(briefing, taken_part):
    before = every_figure(briefing)
    assert before["tallies"][0].total_participants == 13 and before["tallies"][1].total_participants == 1
    assert before["verified"][0].participants == 5 and before["public"].verified_participants == 5

    purge_consultation(consultation=briefing)

    after = every_figure(briefing)
    for figures_before, figures_after in zip(before["tallies"], after["tallies"], strict=True):
        assert figures_after == figures_before
    assert after["verified"] == before["verified"]
    assert after["public"] == before["public"]
    assert after["exports"] == before["exports"]


def test_a_purge_removes_what_links_one_persons_endorsements(briefing, taken_part):
    old = list(Endorsement.objects.values_list("pk", "participant"))
    purge_consultation(consultation=briefing)
    new = list(Endorsement.objects.values_list("pk", "participant"))
    assert len(new) == len(old) == 29
    participants = [participant for _pk, participant in new]
    assert len(set(participants)) == len(participants)  # no two endorsements share an id any more
    assert not set(participants) & {participant for _pk, participant in old}
    assert min(pk for pk, _ in new) > max(pk for pk, _ in old)  # rows written again: old ids and order are gone
    assert Endorsement.objects.filter(participant=taken_part["lone"]).count() == 0


def test_a_purge_deletes_unpublished_words_contacts_receipts_and_reports_and_keeps_published_words(
    briefing, taken_part
):
    result = purge_consultation(consultation=briefing)

    assert (result.concern_texts, result.contact_emails, result.receipts, result.reports) == (4, 4, 5, 1)
    for concern in Concern.objects.filter(consultation=briefing):
        assert (concern.contact_email, concern.contact_consent, concern.receipt_hash) == ("", False, "")
        if concern.status == Concern.Status.APPROVED:
            assert concern.text == "A approved concern about the raids near the school"
            assert concern.purged_on is None and concern.report_count == 1
        else:
            assert (concern.text, concern.moderation_note, concern.purged_on) == ("", "", timezone.localdate())
    assert Report.objects.count() == 0
    briefing.refresh_from_db()
    assert briefing.purged_on == timezone.localdate()
    snapshot = PurgeSnapshot.objects.get(consultation=briefing)
    assert snapshot.participants["by_area"][HEGEWISCH] == 1 and snapshot.tallies["total_participants"] == 13


def test_an_open_consultation_is_never_purged(briefing):
    with pytest.raises(ConsultationStillOpen):
        purge_consultation(consultation=briefing)
    with pytest.raises(CommandError, match="is still open"):
        call_command("purge_consultation", "chicago", "--no-input", stdout=io.StringIO())
    briefing.refresh_from_db()
    assert briefing.purged_on is None and not PurgeSnapshot.objects.exists()


def test_the_command_purges_once_and_says_so_the_second_time(briefing, taken_part):
    out = io.StringIO()
    call_command("purge_consultation", "chicago", "--no-input", stdout=out)
    assert "Purged chicago: the words of 4 unpublished concerns" in out.getvalue()
    out = io.StringIO()
    call_command("purge_consultation", "chicago", "--no-input", stdout=out)
    assert "already purged" in out.getvalue()
    assert PurgeSnapshot.objects.count() == 1


def test_a_purged_consultation_takes_nothing_more_and_its_concerns_no_longer_change(
    client, briefing, taken_part, advocate
):
    purge_consultation(consultation=briefing)
    briefing.refresh_from_db()
    figures = every_figure(briefing)
    remedy = briefing.remedies.select_related("consultation").first()
    with pytest.raises(ConsultationClosed):
        endorse_remedy(remedy=remedy, participant=uuid.uuid4())
    with pytest.raises(ConsultationClosed):
        enter_concern_on_behalf(consultation=briefing, text="Another paper form", source="paper", actor=advocate)
    pending = taken_part["concerns"]["pending"]
    with pytest.raises(ValidationError):
        moderate_concern(concern_id=pending.pk, to_status=Concern.Status.APPROVED, actor=advocate)
    assert moderate_concerns(concern_ids=[pending.pk], to_status="approved", actor=advocate) == 0
    assert client.post("/c/chicago/concerns/new/", {"text": "x" * 20}).status_code == 403
    assert every_figure(briefing) == figures


def test_the_daily_run_purges_consultations_whose_time_has_come(briefing, taken_part, settings):
    settings.PURGE_DAYS_AFTER_CLOSE = 30
    Consultation.objects.filter(pk=briefing.pk).update(closes_at=timezone.now() - timedelta(days=29))
    assert consultations_due_for_purge() == []
    Consultation.objects.filter(pk=briefing.pk).update(closes_at=timezone.now() - timedelta(days=31))
    assert purge_closed_consultations()["chicago"]["endorsements"] == 29
    assert purge_closed_consultations() == {}


def test_a_consultation_closed_by_its_status_alone_is_left_to_a_purge_by_hand(briefing, taken_part, settings):
    settings.PURGE_DAYS_AFTER_CLOSE = 0
    assert briefing.closes_at is None
    assert purge_closed_consultations() == {}


def test_the_admin_says_when_a_consultation_will_be_purged(client, briefing, superuser, settings):
    settings.PURGE_DAYS_AFTER_CLOSE = 30
    Consultation.objects.filter(pk=briefing.pk).update(closes_at=timezone.now() + timedelta(days=2))
    client.force_login(superuser)
    due = timezone.localdate() + timedelta(days=32)
    page = client.get("/admin/feedback/consultation/").content.decode()
    assert f"Will be purged on {due:%b}" in page and "(30 days after it closes)" in page
    Consultation.objects.filter(pk=briefing.pk).update(status="closed", closes_at=timezone.now() - timedelta(days=1))
    purge_consultation(consultation=briefing)
    page = client.get(f"/admin/feedback/consultation/{briefing.pk}/change/").content.decode()
    assert "Purged on" in page


def test_after_the_purge_participants_by_day_are_not_known_rather_than_wrong(client, briefing, taken_part, organizer):
    purge_consultation(consultation=briefing)
    briefing.refresh_from_db()
    today = timezone.localdate()
    assert tallies_for(briefing, TallyFilters(since=today - timedelta(days=3))).total_participants == 13
    assert tallies_for(briefing, TallyFilters(since=today + timedelta(days=1))).total_participants is None
    client.force_login(organizer)
    page = client.get(f"/admin/dashboard/?since={today + timedelta(days=1)}&recount=1").content.decode()
    assert "not counted by day after the purge" in page


def test_the_public_api_of_a_purged_consultation_gives_the_same_figures(client, briefing, taken_part):
    before = json.loads(client.get("/api/c/chicago/tallies.json").content)
    purge_consultation(consultation=briefing)
    from django.core.cache import cache

    cache.clear()
    after = json.loads(client.get("/api/c/chicago/tallies.json").content)
    assert after == before and after["totals"]["participants"] == 13
