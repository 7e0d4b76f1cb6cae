"""A resident deletes their own concern with the receipt code they were shown once."""

from __future__ import annotations

import re

from feedback.models import Concern, ModerationEvent
from feedback.participation.services import WITHDRAWN_BY_AUTHOR, submit_concern, withdraw_concern_with_receipt
from tests.factories import concern_form_data

WITHDRAW = "/c/chicago/concerns/withdraw/"


def send_concern_and_read_code(client) -> str:
    response = client.post("/c/chicago/concerns/new/", concern_form_data())
    page = client.get(response["Location"]).content.decode()
    return re.search(r'id="receipt-code"><code>([A-Z2-9-]+)</code>', page).group(1)


def test_the_receipt_code_deletes_the_concern(client, briefing):
    code = send_concern_and_read_code(client)
    concern_number = Concern.objects.get().pk

    response = client.post(WITHDRAW, {"receipt_code": code}, follow=True)

    assert Concern.objects.count() == 0
    assert "Your concern has been deleted." in response.content.decode()
    event = ModerationEvent.objects.get()
    assert event.concern is None and event.concern_number == concern_number
    assert event.reason == WITHDRAWN_BY_AUTHOR
    assert event.from_status == event.to_status == Concern.Status.PENDING


def test_the_code_works_in_lower_case_and_without_dashes(client, briefing):
    code = send_concern_and_read_code(client)
    client.post(WITHDRAW, {"receipt_code": f"  {code.replace('-', ' ').lower()} "})
    assert Concern.objects.count() == 0


def test_a_published_concern_can_be_withdrawn_too(client, briefing):
    code = send_concern_and_read_code(client)
    Concern.objects.update(status=Concern.Status.APPROVED)
    client.post(WITHDRAW, {"receipt_code": code})
    assert Concern.objects.count() == 0
    assert ModerationEvent.objects.get().to_status == Concern.Status.APPROVED


def test_a_wrong_code_says_so_and_deletes_nothing(client, briefing):
    send_concern_and_read_code(client)
    response = client.post(WITHDRAW, {"receipt_code": "AAAA-BBBB-CCCC"})
    assert response.status_code == 200
    assert "No concern matches this code." in response.content.decode()
    assert Concern.objects.count() == 1
    assert ModerationEvent.objects.count() == 0


def test_an_empty_code_asks_for_the_code(client, briefing):
    response = client.post(WITHDRAW, {"receipt_code": ""})
    assert "Enter your receipt code." in response.content.decode()


def test_a_code_works_only_once(client, briefing):
    code = send_concern_and_read_code(client)
    client.post(WITHDRAW, {"receipt_code": code})
    response = client.post(WITHDRAW, {"receipt_code": code})
    assert "No concern matches this code." in response.content.decode()
    assert ModerationEvent.objects.count() == 1


def test_a_code_of_another_consultation_deletes_nothing(client, briefing):
    from feedback.models import Consultation

    other = Consultation.objects.create(title="Other", slug="other", summary="s", source_citation="c")
    submitted = submit_concern(
        consultation=other, text="A concern elsewhere", role="resident", community_area="30", language="en"
    )
    client.post(WITHDRAW, {"receipt_code": submitted.receipt_code})
    assert Concern.objects.filter(pk=submitted.concern.pk).exists()


def test_a_concern_entered_without_a_receipt_cannot_be_matched_by_an_empty_code(briefing):
    Concern.objects.create(consultation=briefing, text="Typed in from paper", community_area="30")
    assert not withdraw_concern_with_receipt(consultation=briefing, receipt_code="")
    assert Concern.objects.count() == 1


def test_a_closed_consultation_still_lets_authors_delete_their_concern(client, briefing):
    code = send_concern_and_read_code(client)
    briefing.status = briefing.Status.CLOSED
    briefing.save()
    client.post(WITHDRAW, {"receipt_code": code})
    assert Concern.objects.count() == 0


def test_the_delete_button_is_marked_as_a_destructive_action(client, briefing):
    page = client.get(WITHDRAW).content.decode()
    button = re.search(r'<input type="submit"[^>]*value="Delete my concern"[^>]*>', page).group(0)
    assert "btn-danger" in button
    assert "btn-primary" not in button
