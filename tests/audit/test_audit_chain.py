"""The moderators' audit log is a hash chain: an edited, removed or inserted event breaks it where it happened."""

from __future__ import annotations

import pytest
from django.db import connection

from feedback.audit.chain import GENESIS, check_chain, event_hash
from feedback.models import Concern, ModerationEvent
from feedback.moderation.services import moderate_concern, moderate_concerns
from feedback.participation.services import submit_concern, withdraw_concern_with_receipt
from tests.factories import ConcernFactory
from tests.parallel import needs_postgresql, run_in_parallel


def decide_some(briefing, advocate) -> list[ModerationEvent]:
    concerns = ConcernFactory.create_batch(4, consultation=briefing, status=Concern.Status.PENDING)
    moderate_concern(concern_id=concerns[0].pk, to_status="approved", actor=advocate)
    moderate_concerns(concern_ids=[c.pk for c in concerns[1:3]], to_status="spam", actor=advocate)
    moderate_concern(concern_id=concerns[3].pk, to_status="rejected", actor=advocate, reason="off topic")
    return list(ModerationEvent.objects.order_by("pk"))


def test_each_event_carries_the_hash_of_the_one_before(briefing, advocate):
    events = decide_some(briefing, advocate)
    assert events[0].previous_hash == GENESIS
    for before, after in zip(events, events[1:], strict=False):
        assert after.previous_hash == before.entry_hash != ""
    assert check_chain().first_broken is None
    assert check_chain().events == 4 and check_chain().head_hash == events[-1].entry_hash


def test_a_withdrawal_keeps_the_chain_although_its_concern_is_gone(briefing, advocate):
    submitted = submit_concern(
        consultation=briefing, text="Please delete this later.", role="resident", community_area="30", language="en"
    )
    decide_some(briefing, advocate)
    assert withdraw_concern_with_receipt(consultation=briefing, receipt_code=submitted.receipt_code)
    withdrawal = ModerationEvent.objects.order_by("pk").last()
    assert withdrawal.concern_id is None and withdrawal.consultation_number == briefing.pk
    assert withdrawal.concern_source == "web"
    assert check_chain().first_broken is None


def test_an_event_edited_in_sql_is_named_as_the_first_broken_link(briefing, advocate):
    events = decide_some(briefing, advocate)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE feedback_moderationevent SET reason = 'approved after all' WHERE id = %s", [events[1].pk]
        )

    broken = check_chain().first_broken

    assert (broken.event_id, broken.problem) == (events[1].pk, "altered")
    assert f"event #{events[1].pk} (concern #{events[1].concern_number}" in broken.describe()
    assert "changed after it was written" in broken.describe()


def test_an_event_removed_in_sql_is_found_at_the_next_one(briefing, advocate):
    events = decide_some(briefing, advocate)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM feedback_moderationevent WHERE id = %s", [events[2].pk])
    broken = check_chain().first_broken
    assert (broken.event_id, broken.problem, broken.previous_id) == (events[3].pk, "missing-before", events[1].pk)


def test_rewriting_an_event_with_a_fresh_hash_still_breaks_the_link_after_it(briefing, advocate):
    events = decide_some(briefing, advocate)
    forged = {field: getattr(events[0], field) for field in ("concern_number", "consultation_number", "concern_source")}
    forged |= {"actor_id": events[0].actor_id, "from_status": "pending", "to_status": "rejected"}
    forged |= {"reason": "", "created_at": events[0].created_at}
    ModerationEvent.objects.filter(pk=events[0].pk).update(to_status="rejected", entry_hash=event_hash(GENESIS, forged))
    broken = check_chain().first_broken
    assert (broken.event_id, broken.problem) == (events[1].pk, "missing-before")


@pytest.mark.django_db(transaction=True)
def test_events_written_at_the_same_moment_still_form_one_chain(briefing, advocate):
    needs_postgresql()
    concerns = ConcernFactory.create_batch(12, consultation=briefing, status=Concern.Status.PENDING)
    calls = [lambda c=c: moderate_concern(concern_id=c.pk, to_status="approved", actor=advocate) for c in concerns[:8]]
    calls.append(lambda: moderate_concerns(concern_ids=[c.pk for c in concerns[8:]], to_status="spam", actor=advocate))

    run_in_parallel(calls)

    check = check_chain()
    assert check.events == 12 and check.first_broken is None
    previous = list(ModerationEvent.objects.values_list("previous_hash", flat=True))
    assert len(set(previous)) == 12  # no two events follow the same one
