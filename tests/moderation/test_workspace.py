"""The moderation workspace: a branded admin, a readable queue, decide-and-next by keyboard, redact and approve,
near-duplicates decided together."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from feedback.duplicates.services import record_near_duplicate
from feedback.duplicates.sketch import keys, shingles
from feedback.models import Concern, ModerationEvent
from feedback.moderation.services import (
    ConcernChangedMeanwhile,
    RedactionRefused,
    moderate_concern,
    redact_and_approve,
)
from tests.factories import ConcernFactory

CHANGELIST = reverse("admin:feedback_concern_changelist")
SECRET_WORDS = ("Juan Pérez", "773-555-0100")
TEXT = "My cousin Juan Pérez was taken near the school; call 773-555-0100 if you know where he is."
REDACTED = "My cousin [name] was taken near the school; call [phone] if you know where he is."


def change_url(concern: Concern) -> str:
    return reverse("admin:feedback_concern_change", args=[concern.pk])


def decide(client, concern, button: str, **extra):
    data = {"expected_version": concern.version, "moderation_note": "", "reason": "", button: "x", **extra}
    return client.post(change_url(concern), data)


@pytest.fixture
def queue(briefing):
    """Three pending concerns, oldest first, and an approved one nobody reported."""
    now = timezone.now()
    concerns = [
        ConcernFactory(consultation=briefing, status="pending", text=f"Pending concern number {n}.", created_at=now)
        for n in range(3)
    ]
    for age, concern in zip((3, 2, 1), concerns, strict=True):
        Concern.objects.filter(pk=concern.pk).update(created_at=now - timedelta(hours=age))
        concern.refresh_from_db()
    ConcernFactory(consultation=briefing, status="approved", text="Quietly approved.")
    return concerns


def test_the_admin_is_branded_civictrust(client, advocate):
    client.force_login(advocate)
    page = client.get(reverse("admin:index")).content.decode()
    assert "Django administration" not in page and "Django site admin" not in page
    assert "civictrust staff" in page
    assert "<title>Moderation, results and the briefing | civictrust staff</title>" in page


def test_the_queue_shows_each_column_and_marks_only_reported_concerns(client, briefing, advocate):
    topic = briefing.topics.first()
    ConcernFactory(
        consultation=briefing, status="pending", topic=topic, community_area="30", role="advocate", source="phone"
    )
    ConcernFactory(consultation=briefing, status="approved", reported_at=timezone.now(), report_count=2)
    client.force_login(advocate)

    page = client.get(CHANGELIST).content.decode()

    for heading in ("Concern", "Status", "Reported", "Topic", "Community area", "Role", "Source", "Waiting"):
        assert f">{heading}<" in page, heading
    assert topic.name in page and "South Lawndale" in page and "Advocate" in page and "Phone" in page
    assert page.count("ct-tag-reported") == 1 and "Reported (2)" in page
    assert "icon-no" not in page and "icon-yes" not in page  # no red (or green) mark on any row
    # How long each has waited; a concern's time is its day, so the age reads in hours or days.
    assert page.count('<td class="field-age">') == 2


def test_the_queue_shows_enough_of_each_concern_to_decide(client, briefing, advocate):
    text = "Families are afraid. " * 12
    ConcernFactory(consultation=briefing, status="pending", text=text.strip())
    client.force_login(advocate)
    page = client.get(CHANGELIST).content.decode()
    assert text[:250] in page


def test_the_queue_links_its_oldest_concern_with_an_access_key(client, queue, advocate):
    client.force_login(advocate)
    page = client.get(CHANGELIST).content.decode()
    assert f'href="{change_url(queue[0])}" class="ct-start-queue" accesskey="m"' in page


def test_each_decision_button_has_an_access_key(client, queue, advocate):
    client.force_login(advocate)
    page = client.get(change_url(queue[0])).content.decode()
    for name, key in (("_approve", "a"), ("_reject", "r"), ("_spam", "s"), ("_redact_approve", "d")):
        assert f'name="{name}"' in page and f'accesskey="{key}"' in page
    assert f'href="{change_url(queue[1])}" class="button" accesskey="n"' in page


@pytest.mark.parametrize(("button", "status"), [("_approve", "approved"), ("_reject", "rejected")])
def test_approve_and_next_or_reject_and_next_opens_the_next_concern_of_the_queue(
    client, queue, advocate, button, status
):
    client.force_login(advocate)

    response = decide(client, queue[0], button)

    assert response.status_code == 302 and response.url == change_url(queue[1])
    queue[0].refresh_from_db()
    assert queue[0].status == status
    assert ModerationEvent.objects.get().to_status == status


def test_the_last_decision_of_the_queue_returns_to_the_list_and_says_it_is_empty(client, queue, advocate):
    for concern in queue[:2]:
        moderate_concern(concern_id=concern.pk, to_status="approved", actor=advocate)
    client.force_login(advocate)

    response = decide(client, queue[2], "_approve")

    assert response.status_code == 302 and response.url.startswith(CHANGELIST)
    assert "The moderation queue is empty" in client.get(response.url).content.decode()


def test_a_queue_cleared_with_the_keys_leaves_every_concern_decided(client, queue, advocate):
    client.force_login(advocate)
    url = reverse("admin:feedback_concern_change", args=[queue[0].pk])
    for _ in queue:
        concern = Concern.objects.get(pk=int(url.rstrip("/").split("/")[-2]))
        url = decide(client, concern, "_approve").url
    assert not Concern.objects.filter(status="pending").exists()
    assert ModerationEvent.objects.filter(actor=advocate, to_status="approved").count() == 3


# --- Redact and approve ---------------------------------------------------------------------------


@pytest.fixture
def identifying(briefing):
    return ConcernFactory(consultation=briefing, status="pending", text=TEXT)


def test_redact_and_approve_hides_the_parts_and_records_only_how_many(client, identifying, advocate):
    client.force_login(advocate)

    response = decide(client, identifying, "_redact_approve", redacted_text=REDACTED, reason="names hidden")

    assert response.status_code == 302
    identifying.refresh_from_db()
    assert (identifying.status, identifying.text) == ("approved", REDACTED)
    event = ModerationEvent.objects.get()
    assert (event.from_status, event.to_status, event.actor) == ("pending", "approved", advocate)
    assert "2 part(s) hidden" in event.reason and "[name] ×1" in event.reason and "names hidden" in event.reason
    stored = [event.reason, *LogEntry.objects.values_list("change_message", flat=True)]
    stored += list(LogEntry.objects.values_list("object_repr", flat=True))
    assert not any(word in value for word in SECRET_WORDS for value in stored)
    assert "2 part(s) of its text are now hidden" in client.get(response.url).content.decode()


def test_a_redaction_that_changes_more_than_placeholders_is_refused_and_the_edit_kept(client, identifying, advocate):
    client.force_login(advocate)
    edited = REDACTED.replace("taken", "arrested")

    response = decide(client, identifying, "_redact_approve", redacted_text=edited)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Only replace parts of the text with a placeholder" in page
    assert "arrested" in page  # the edit is there to correct
    identifying.refresh_from_db()
    assert (identifying.status, identifying.text, identifying.version) == ("pending", TEXT, 0)
    assert not ModerationEvent.objects.exists()


def test_an_edited_text_with_the_plain_approve_button_is_refused(client, identifying, advocate):
    client.force_login(advocate)

    response = decide(client, identifying, "_approve", redacted_text=REDACTED)

    assert response.status_code == 200
    assert "did not press “Redact and approve”" in response.content.decode()
    identifying.refresh_from_db()
    assert identifying.status == "pending"


def test_the_service_refuses_a_stale_page_and_anything_but_placeholders(identifying, advocate):
    with pytest.raises(RedactionRefused):
        redact_and_approve(concern_id=identifying.pk, redacted_text="Other words", actor=advocate, expected_version=0)
    moderate_concern(concern_id=identifying.pk, to_status="rejected", actor=advocate)
    with pytest.raises(ConcernChangedMeanwhile):
        redact_and_approve(concern_id=identifying.pk, redacted_text=REDACTED, actor=advocate, expected_version=0)
    identifying.refresh_from_db()
    assert identifying.text == TEXT


def test_redacting_a_reported_published_concern_writes_an_event_and_clears_the_report(briefing, advocate):
    concern = ConcernFactory(consultation=briefing, status="approved", text=TEXT, reported_at=timezone.now())
    outcome = redact_and_approve(concern_id=concern.pk, redacted_text=REDACTED, actor=advocate, expected_version=0)
    assert outcome.concern.reported_at is None and outcome.concern.text == REDACTED
    assert outcome.event is not None and outcome.event.from_status == outcome.event.to_status == "approved"


def test_redaction_keeps_only_near_duplicate_keys_of_the_new_text(briefing, advocate):
    concern = ConcernFactory(consultation=briefing, status="pending", text=TEXT)
    record_near_duplicate(concern=concern)
    redact_and_approve(concern_id=concern.pk, redacted_text=REDACTED, actor=advocate, expected_version=0)
    # Every key left is computed from the redacted text alone, so none tells anything of the removed words.
    stored = set(concern.near_duplicate_keys.values_list("key", flat=True))
    assert stored == set(keys(REDACTED, shingles(REDACTED), scope=briefing.pk))


# --- Near-duplicates ----------------------------------------------------------------------------------


@pytest.fixture
def pasted(briefing):
    """A concern, the same text pasted again, and an edited copy: one near-duplicate group."""
    texts = [TEXT, TEXT.upper(), TEXT.replace("school", "church")]
    concerns = []
    for text in texts:
        concern = ConcernFactory(consultation=briefing, status="pending", text=text)
        record_near_duplicate(concern=concern)
        concerns.append(concern)
    return concerns


def test_the_queue_marks_a_concern_that_nearly_repeats_another(client, pasted, advocate):
    client.force_login(advocate)
    page = client.get(CHANGELIST).content.decode()
    assert page.count("ct-tag-repeat") == 2
    assert f"Nearly repeats #{pasted[0].pk}" in page


def test_the_page_shows_the_group_and_decides_the_ticked_ones_too(client, pasted, advocate):
    client.force_login(advocate)
    page = client.get(change_url(pasted[1])).content.decode()
    assert f"Nearly repeats concern #{pasted[0].pk}" in page
    assert f'name="near_duplicates" value="{pasted[0].pk}"' in page
    assert "100% the same" in page

    response = decide(client, pasted[1], "_spam", near_duplicates=[pasted[0].pk, pasted[2].pk], reason="pasted")

    assert response.status_code == 302
    assert set(Concern.objects.values_list("status", flat=True)) == {"spam"}
    assert ModerationEvent.objects.filter(to_status="spam", reason="pasted").count() == 3


def test_a_near_duplicate_decided_meanwhile_keeps_that_decision(client, pasted, advocate):
    moderate_concern(concern_id=pasted[0].pk, to_status="approved", actor=advocate)
    client.force_login(advocate)

    decide(client, pasted[1], "_reject", near_duplicates=[pasted[0].pk, pasted[2].pk])

    statuses = dict(Concern.objects.values_list("pk", "status"))
    assert statuses == {pasted[0].pk: "approved", pasted[1].pk: "rejected", pasted[2].pk: "rejected"}


def test_a_concern_outside_the_group_is_never_decided_with_it(client, briefing, pasted, advocate):
    stranger = ConcernFactory(consultation=briefing, status="pending", text="A different concern entirely.")
    client.force_login(advocate)
    decide(client, pasted[1], "_approve", near_duplicates=[stranger.pk])
    stranger.refresh_from_db()
    assert stranger.status == "pending"


def test_an_organizer_sees_the_page_without_any_decision_or_redaction(client, identifying, organizer):
    client.force_login(organizer)
    page = client.get(change_url(identifying)).content.decode()
    assert 'name="_approve"' not in page and 'name="redacted_text"' not in page
