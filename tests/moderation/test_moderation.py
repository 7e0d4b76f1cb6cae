from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from feedback.models import Concern, ModerationEvent
from feedback.moderation.services import ConcernChangedMeanwhile, ModerationOutcome, moderate_concern, moderate_concerns
from feedback.participation.services import enter_concern_on_behalf
from feedback.results.tallies import TallyFilters, tallies_for
from tests.availability import postgresql_only
from tests.factories import ConcernFactory, StaffFactory

CHANGELIST = reverse("admin:feedback_concern_changelist")


def change_url(concern: Concern) -> str:
    return reverse("admin:feedback_concern_change", args=[concern.pk])


@pytest.fixture
def pending(briefing):
    return ConcernFactory(consultation=briefing, status=Concern.Status.PENDING, text="Nobody answers the hotline.")


# --- The service --------------------------------------------------------------------------------


def test_approving_writes_one_event_naming_who_did_it(pending, advocate):
    outcome = moderate_concern(concern_id=pending.pk, to_status=Concern.Status.APPROVED, actor=advocate, reason="fine")

    assert outcome.concern.status == Concern.Status.APPROVED
    assert outcome.concern.version == pending.version + 1
    event = ModerationEvent.objects.get()
    assert (event.concern_id, event.concern_number, event.actor, event.from_status, event.to_status, event.reason) == (
        pending.pk,
        pending.pk,
        advocate,
        "pending",
        "approved",
        "fine",
    )
    assert outcome.event == event


def test_setting_the_status_a_concern_already_has_writes_no_event(pending, advocate):
    moderate_concern(concern_id=pending.pk, to_status=Concern.Status.SPAM, actor=advocate)
    outcome = moderate_concern(concern_id=pending.pk, to_status=Concern.Status.SPAM, actor=advocate)

    assert outcome.event is None
    assert ModerationEvent.objects.count() == 1


def test_moderating_a_reported_concern_clears_the_report_flag(briefing, advocate):
    reported = ConcernFactory(consultation=briefing, reported_at=timezone.now(), report_count=2)

    outcome = moderate_concern(concern_id=reported.pk, to_status=Concern.Status.APPROVED, actor=advocate)

    assert outcome.concern.reported_at is None
    assert outcome.event is None  # still approved: the decision to keep it is not a status change


def test_a_stale_version_is_refused_and_nothing_is_written(pending, advocate):
    moderate_concern(concern_id=pending.pk, to_status=Concern.Status.APPROVED, actor=advocate)

    with pytest.raises(ConcernChangedMeanwhile):
        moderate_concern(
            concern_id=pending.pk,
            to_status=Concern.Status.SPAM,
            actor=advocate,
            expected_version=pending.version,
            moderation_note="overwrite?",
        )

    pending.refresh_from_db()
    assert (pending.status, pending.moderation_note) == (Concern.Status.APPROVED, "")
    assert ModerationEvent.objects.count() == 1


def test_an_unknown_status_is_refused(pending, advocate):
    with pytest.raises(ValidationError):
        moderate_concern(concern_id=pending.pk, to_status="published", actor=advocate)
    assert not ModerationEvent.objects.exists()


def test_bulk_moderation_writes_one_event_per_concern_whose_status_changed(briefing, advocate):
    waiting = ConcernFactory.create_batch(3, consultation=briefing, status=Concern.Status.PENDING)
    already = ConcernFactory(consultation=briefing, status=Concern.Status.APPROVED, reported_at=timezone.now())

    changed = moderate_concerns(
        concern_ids=[c.pk for c in [*waiting, already]], to_status=Concern.Status.APPROVED, actor=advocate
    )

    assert changed == 3
    assert sorted(ModerationEvent.objects.values_list("concern_number", flat=True)) == sorted(c.pk for c in waiting)
    assert not Concern.objects.filter(reported_at__isnull=False).exists()
    assert set(Concern.objects.values_list("status", flat=True)) == {"approved"}


def test_bulk_moderation_takes_a_fixed_number_of_queries(briefing, advocate, django_assert_max_num_queries):
    concerns = ConcernFactory.create_batch(40, consultation=briefing, status=Concern.Status.PENDING)
    # Savepoint, locking select, update, the audit chain's lock (PostgreSQL) and head, event insert, the concern
    # roll-ups (per day, then their totals: feedback/aggregates.py), release.
    with django_assert_max_num_queries(9):
        moderate_concerns(concern_ids=[c.pk for c in concerns], to_status="approved", actor=advocate)


# --- The queue ----------------------------------------------------------------------------------


def test_the_queue_opens_on_pending_and_reported_concerns_oldest_first(client, briefing, advocate):
    now = timezone.now()
    newer = ConcernFactory(consultation=briefing, status="pending", text="Newer pending concern", created_at=now)
    older = ConcernFactory(
        consultation=briefing, status="pending", text="Older pending concern", created_at=now - timedelta(days=2)
    )
    ConcernFactory(consultation=briefing, status="approved", text="Approved reported concern", reported_at=now)
    ConcernFactory(consultation=briefing, status="approved", text="Quietly approved concern")
    ConcernFactory(consultation=briefing, status="spam", text="Spam nobody needs to see")
    client.force_login(advocate)

    page = client.get(CHANGELIST).content.decode()

    assert page.index(older.text) < page.index(newer.text)
    assert "Approved reported concern" in page
    assert "Quietly approved concern" not in page
    assert "Spam nobody needs to see" not in page

    everything = client.get(CHANGELIST, {"moderation": "all"}).content.decode()
    assert "Quietly approved concern" in everything and "Spam nobody needs to see" in everything


def test_the_queue_searches_the_text_and_filters_by_source(client, briefing, advocate):
    ConcernFactory(consultation=briefing, status="pending", text="Raids near the school on Monday")
    ConcernFactory(consultation=briefing, status="pending", text="Bus stops feel unsafe", source="phone")
    client.force_login(advocate)

    found = client.get(CHANGELIST, {"q": "school"}).content.decode()
    by_phone = client.get(CHANGELIST, {"source__exact": "phone"}).content.decode()

    assert "Raids near the school" in found and "Bus stops" not in found
    assert "Bus stops" in by_phone and "Raids near the school" not in by_phone


def test_an_unknown_queue_filter_value_is_not_an_error(client, briefing, advocate):
    client.force_login(advocate)
    response = client.get(CHANGELIST, {"moderation": "nonsense"})
    assert response.status_code == 302
    assert "e=1" in response.url


def test_the_queue_query_count_does_not_grow_with_its_length(client, briefing, advocate):
    client.force_login(advocate)
    topic = briefing.topics.first()
    ConcernFactory.create_batch(2, consultation=briefing, status="pending", topic=topic)
    with CaptureQueriesContext(connection) as few:
        assert client.get(CHANGELIST).status_code == 200
    ConcernFactory.create_batch(30, consultation=briefing, status="pending", topic=topic)
    with CaptureQueriesContext(connection) as many:
        assert client.get(CHANGELIST).status_code == 200
    assert len(many) == len(few)


# --- Bulk actions in the admin ------------------------------------------------------------------


def post_action(client, action: str, concerns, **extra):
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [c.pk for c in concerns], "index": 0, **extra},
    )


def test_the_approve_action_approves_the_selection_with_one_event_each(client, briefing, advocate):
    concerns = ConcernFactory.create_batch(50, consultation=briefing, status="pending")
    client.force_login(advocate)

    response = post_action(client, "approve", concerns)

    assert response.status_code == 302
    assert Concern.objects.filter(status="approved").count() == 50
    assert ModerationEvent.objects.filter(actor=advocate, to_status="approved").count() == 50
    assert "50 concerns set to “Approved”" in client.get(response.url).content.decode()


def test_the_reject_action_asks_for_a_reason_then_records_it_on_each_concern(client, briefing, advocate):
    concerns = ConcernFactory.create_batch(2, consultation=briefing, status="pending")
    client.force_login(advocate)

    confirmation = post_action(client, "reject", concerns)

    assert confirmation.status_code == 200
    page = confirmation.content.decode()
    assert "You are rejecting these 2 concerns" in page and concerns[0].text in page
    assert not Concern.objects.filter(status="rejected").exists()

    response = client.post(
        CHANGELIST,
        {"action": "reject", "_selected_action": [c.pk for c in concerns], "post": "yes", "reason": "off topic"},
    )

    assert response.status_code == 302
    assert Concern.objects.filter(status="rejected").count() == 2
    assert list(ModerationEvent.objects.values_list("reason", flat=True)) == ["off topic", "off topic"]


def test_rejecting_a_large_selection_shows_a_count_and_the_oldest_few_without_loading_them_all(
    client, briefing, advocate, django_assert_max_num_queries
):
    concerns = ConcernFactory.create_batch(60, consultation=briefing, status="pending")
    client.force_login(advocate)

    with django_assert_max_num_queries(20):
        confirmation = client.post(
            CHANGELIST + "?status__exact=pending",
            {"action": "reject", "_selected_action": [concerns[0].pk], "select_across": "1", "index": 0},
        )

    page = confirmation.content.decode()
    assert "You are rejecting these 60 concerns" in page
    assert page.count("<li>#") == 20
    assert "… and 40 more concerns" in page
    assert 'name="select_across" value="1"' in page
    assert page.count('name="_selected_action"') == 0  # "all that match" travels as such, not as 60 ids

    response = client.post(
        CHANGELIST + "?status__exact=pending",
        {"action": "reject", "select_across": "1", "_selected_action": [concerns[0].pk], "post": "yes", "reason": ""},
    )
    assert response.status_code == 302
    assert Concern.objects.filter(status="rejected").count() == 60


def test_the_mark_spam_action_marks_spam(client, briefing, advocate):
    concerns = ConcernFactory.create_batch(2, consultation=briefing, status="pending")
    client.force_login(advocate)

    post_action(client, "mark_spam", concerns)

    assert Concern.objects.filter(status="spam").count() == 2
    assert ModerationEvent.objects.filter(to_status="spam").count() == 2


# --- The change page ----------------------------------------------------------------------------


def decide(client, concern, button: str, version: int | None = None, **extra):
    data = {
        "expected_version": concern.version if version is None else version,
        "moderation_note": "",
        "reason": "",
        button: "x",
        **extra,
    }
    return client.post(change_url(concern), data)


def test_the_change_page_has_the_decision_buttons_and_the_version(client, pending, advocate):
    client.force_login(advocate)
    page = client.get(change_url(pending)).content.decode()
    buttons = ('name="_approve" value="Approve and next"', 'name="_reject" value="Reject and next"', 'name="_spam"')
    for button in buttons:
        assert button in page
    assert 'name="expected_version" value="0"' in page
    assert 'name="reason"' in page


@pytest.mark.parametrize(("button", "status"), [("_approve", "approved"), ("_reject", "rejected"), ("_spam", "spam")])
def test_a_button_on_the_change_page_decides_and_logs(client, pending, advocate, button, status):
    client.force_login(advocate)

    response = decide(client, pending, button, reason="checked by phone", moderation_note="called back")

    assert response.status_code == 302
    pending.refresh_from_db()
    assert (pending.status, pending.moderation_note) == (status, "called back")
    event = ModerationEvent.objects.get()
    assert (event.actor, event.to_status, event.reason) == (advocate, status, "checked by phone")
    assert LogEntry.objects.filter(object_id=str(pending.pk)).exists()


def test_a_second_advocate_saving_a_stale_page_is_told_and_overwrites_nothing(client, pending, advocate):
    bob = StaffFactory(username="bob", role="advocate")
    client.force_login(advocate)
    client.get(change_url(pending))  # Alice opens the page (version 0)...
    moderate_concern(concern_id=pending.pk, to_status="approved", actor=bob)  # ...Bob approves it

    response = decide(client, pending, "_spam", version=0, moderation_note="Alice's note")

    assert response.status_code == 302 and response.url == change_url(pending)
    page = client.get(response.url).content.decode()
    assert "This concern was changed by someone else since you opened it" in page
    pending.refresh_from_db()
    assert (pending.status, pending.moderation_note) == ("approved", "")
    assert list(ModerationEvent.objects.values_list("actor__username", "to_status")) == [("bob", "approved")]


def test_saving_only_the_note_changes_no_status_and_writes_no_event(client, pending, advocate):
    client.force_login(advocate)

    decide(client, pending, "_continue", moderation_note="waiting for a translator")

    pending.refresh_from_db()
    assert (pending.status, pending.moderation_note, pending.version) == ("pending", "waiting for a translator", 1)
    assert not ModerationEvent.objects.exists()


def test_a_decision_without_the_version_is_refused(client, pending, advocate):
    client.force_login(advocate)
    response = client.post(change_url(pending), {"_approve": "x", "moderation_note": ""})
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == "pending"


def test_the_audit_log_shows_read_only_on_the_concern_page(client, pending, advocate):
    moderate_concern(concern_id=pending.pk, to_status="rejected", actor=advocate, reason="duplicate")
    client.force_login(advocate)

    page = client.get(change_url(pending)).content.decode()

    assert "Audit log" in page and "duplicate" in page
    assert 'name="moderation_events-0-reason"' not in page


def test_the_resident_text_is_escaped_in_the_queue(client, briefing, advocate):
    ConcernFactory(consultation=briefing, status="pending", text="<script>alert(1)</script> raids")
    client.force_login(advocate)
    page = client.get(CHANGELIST).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; raids" in page


# --- Concerns from paper, phone and meetings -----------------------------------------------------


def paper_form(briefing, **overrides):
    data = {
        "consultation": briefing.pk,
        "source": "paper",
        "topic": briefing.topics.first().pk,
        "text": "Written at the church meeting: families skip clinic visits.",
        "role": "resident",
        "community_area": "30",
        "language": "es",
    }
    data.update(overrides)
    return data


def test_an_advocate_enters_a_paper_concern_which_is_logged_with_their_account(client, briefing, advocate):
    client.force_login(advocate)

    response = client.post(reverse("admin:feedback_concern_add"), paper_form(briefing))

    assert response.status_code == 302
    concern = Concern.objects.get()
    assert (concern.source, concern.status, concern.community_area) == ("paper", "pending", "30")
    event = ModerationEvent.objects.get()
    assert (event.concern, event.actor, event.from_status, event.to_status) == (concern, advocate, "", "pending")
    assert "receipt code" in client.get(response.url).content.decode()


def test_a_paper_concern_goes_through_the_same_moderation_and_counts_in_the_results(client, briefing, advocate):
    client.force_login(advocate)
    client.post(reverse("admin:feedback_concern_add"), paper_form(briefing, source="meeting"))
    concern = Concern.objects.get()

    post_action(client, "approve", [concern])

    assert tallies_for(briefing).concerns_by_status == {"approved": 1}
    assert tallies_for(briefing, TallyFilters(source="meeting")).concerns_by_status == {"approved": 1}
    assert tallies_for(briefing, TallyFilters(source="web")).concerns_by_status == {}
    assert ModerationEvent.objects.filter(concern=concern).count() == 2


def test_the_add_form_offers_no_web_source_and_refuses_one(client, briefing, advocate):
    client.force_login(advocate)
    page = client.get(reverse("admin:feedback_concern_add")).content.decode()
    assert 'value="paper"' in page and 'value="web"' not in page

    response = client.post(reverse("admin:feedback_concern_add"), paper_form(briefing, source="web"))

    assert response.status_code == 200
    assert not Concern.objects.exists()


def test_a_topic_of_another_consultation_is_refused(client, briefing, advocate):
    other = briefing.topics.first()
    other.pk = None
    other.consultation = type(briefing).objects.create(title="Other", slug="other", summary="s", source_citation="c")
    other.save()
    client.force_login(advocate)

    response = client.post(reverse("admin:feedback_concern_add"), paper_form(briefing, topic=other.pk))

    assert "Choose one of this consultation" in response.content.decode()
    assert not Concern.objects.exists()


def test_a_contact_email_without_consent_is_refused_with_a_message(client, briefing, superuser):
    client.force_login(superuser)

    response = client.post(
        reverse("admin:feedback_concern_add"), paper_form(briefing, contact_email="maria@example.org")
    )

    assert "agreed to be contacted" in response.content.decode()
    assert not Concern.objects.exists()


def test_the_service_refuses_the_web_source(briefing, advocate):
    with pytest.raises(ValidationError):
        enter_concern_on_behalf(consultation=briefing, text="Typed in from the web?", source="web", actor=advocate)


# --- Two moderators at once, on PostgreSQL --------------------------------------------------------


def run_in_threads(count: int, work) -> list:
    """Run `work(i)` in `count` threads started together; return what each returned or raised."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def runner(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as error:  # collected and asserted on by the test
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


# These tests commit for real (threads need their own connections); their flush at the end also
# empties the groups the data migration made, so the moderators here are staff without a group.


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_simultaneous_moderation_leaves_one_status_and_one_event_per_real_change(briefing):
    concern = ConcernFactory(consultation=briefing, status="pending")
    moderators = [StaffFactory() for _ in range(8)]
    targets = ["approved", "rejected", "spam", "approved", "approved", "rejected", "spam", "approved"]

    results = run_in_threads(
        8,
        lambda i: moderate_concern(concern_id=concern.pk, to_status=targets[i], actor=moderators[i]),
    )

    assert not [r for r in results if isinstance(r, Exception)]
    concern.refresh_from_db()
    events = list(ModerationEvent.objects.order_by("created_at", "pk"))
    changes = [r for r in results if r.event is not None]
    assert len(events) == len(changes) == concern.version
    # The events form one unbroken chain from "pending" to the status the concern has now.
    assert events[0].from_status == "pending"
    for before, after in zip(events, events[1:], strict=False):
        assert after.from_status == before.to_status
    assert events[-1].to_status == concern.status


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_simultaneous_decisions_on_the_same_page_version_let_exactly_one_through(briefing):
    concern = ConcernFactory(consultation=briefing, status="pending")
    moderators = [StaffFactory() for _ in range(6)]

    results = run_in_threads(
        6,
        lambda i: moderate_concern(
            concern_id=concern.pk, to_status="approved" if i % 2 else "spam", actor=moderators[i], expected_version=0
        ),
    )

    winners = [r for r in results if isinstance(r, ModerationOutcome)]
    assert len(winners) == 1
    assert all(isinstance(r, ConcernChangedMeanwhile) for r in results if r not in winners)
    concern.refresh_from_db()
    assert concern.status == winners[0].concern.status
    assert ModerationEvent.objects.count() == 1


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_overlapping_bulk_actions_write_one_event_per_real_change(briefing):
    concerns = ConcernFactory.create_batch(20, consultation=briefing, status="pending")
    moderators = [StaffFactory() for _ in range(4)]
    ids = [c.pk for c in concerns]

    results = run_in_threads(
        4,
        lambda i: moderate_concerns(
            concern_ids=ids[i * 3 :] if i % 2 else list(reversed(ids)), to_status="approved", actor=moderators[i]
        ),
    )

    assert sum(results) == 20
    assert ModerationEvent.objects.count() == 20
    assert set(ModerationEvent.objects.values_list("concern_number", flat=True)) == set(ids)


def test_an_approved_concern_is_published_and_a_rejected_one_never(client, briefing, advocate):
    kept = ConcernFactory(consultation=briefing, status="pending", text="Approved: the clinic lost patients.")
    dropped = ConcernFactory(consultation=briefing, status="pending", text="Rejected: buy cheap watches here.")
    client.force_login(advocate)
    post_action(client, "approve", [kept])
    post_action(client, "reject", [dropped])  # the confirmation page...
    client.post(CHANGELIST, {"action": "reject", "_selected_action": [dropped.pk], "post": "yes", "reason": ""})
    client.logout()
    dropped.refresh_from_db()
    assert dropped.status == "rejected"

    page = client.get(reverse("concerns", args=[briefing.slug])).content.decode()

    assert kept.text in page
    assert dropped.text not in page
