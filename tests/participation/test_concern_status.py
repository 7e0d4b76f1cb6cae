"""A resident checks their concern's status with the receipt code: what the moderators decided, never their notes."""

from __future__ import annotations

import pytest

from feedback.models import Concern, RejectionReason
from feedback.moderation.services import moderate_concern, moderate_concerns
from feedback.participation.services import submit_concern

STATUS = "/c/chicago/concerns/status/"


@pytest.fixture
def sent(briefing):
    """A pending concern and its receipt code, as the resident got it."""
    submitted = submit_concern(
        consultation=briefing,
        text="Los padres tienen miedo de llevar a sus hijos a la escuela.",
        role="resident",
        community_area="30",
        language="es",
    )
    return submitted.concern, submitted.receipt_code


def check(client, code: str, prefix: str = "") -> str:
    response = client.post(prefix + STATUS, {"receipt_code": code})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    return response.content.decode()


def test_the_status_page_asks_for_the_code(client, briefing):
    page = client.get(STATUS).content.decode()
    assert "Check your concern&#x27;s status" in page or "Check your concern's status" in page
    assert 'name="receipt_code"' in page


def test_a_new_concern_is_received_and_waiting(client, sent):
    concern, code = sent
    page = check(client, code)
    assert "Received: waiting for the moderators" in page
    # The resident's own words, marked with the language they were written in.
    assert '<blockquote class="concern-text" lang="es" dir="auto">Los padres tienen miedo' in page


def test_a_published_concern_says_so(client, sent, advocate):
    concern, code = sent
    moderate_concern(concern_id=concern.pk, to_status=Concern.Status.APPROVED, actor=advocate)
    assert '<h2 id="status-heading">\n        Published' in check(client, code).replace("\r", "")


def test_a_rejected_concern_shows_the_reason_category_and_never_the_note_or_the_reason(client, sent, advocate):
    concern, code = sent
    moderate_concern(
        concern_id=concern.pk,
        to_status=Concern.Status.REJECTED,
        actor=advocate,
        reason="Names the neighbour on Cermak Road",
        reason_category=RejectionReason.IDENTIFYING,
        moderation_note="Asked Olivia: she agrees, reject",
    )
    page = check(client, code)
    assert "Not published" in page
    assert "The moderators' reason: It named someone or could identify a person." in page
    assert "Cermak" not in page and "Olivia" not in page


def test_a_rejection_without_a_category_says_it_broke_the_rules_without_more(client, sent, advocate):
    concern, code = sent
    moderate_concerns(concern_ids=[concern.pk], to_status=Concern.Status.SPAM, actor=advocate, reason="bot?")
    page = check(client, code)
    assert "did not publish it under the publication rules" in page
    assert "bot?" not in page


def test_a_bulk_rejection_keeps_its_category_and_approval_clears_it(sent, advocate):
    concern, _code = sent
    moderate_concerns(
        concern_ids=[concern.pk],
        to_status=Concern.Status.REJECTED,
        actor=advocate,
        reason_category=RejectionReason.OFF_TOPIC,
    )
    assert Concern.objects.get().rejection_reason == "off_topic"
    moderate_concern(concern_id=concern.pk, to_status=Concern.Status.APPROVED, actor=advocate)
    assert Concern.objects.get().rejection_reason == ""


def test_an_unknown_reason_category_is_refused_and_nothing_changes(sent, advocate):
    from django.core.exceptions import ValidationError

    concern, _code = sent
    with pytest.raises(ValidationError):
        moderate_concern(
            concern_id=concern.pk, to_status=Concern.Status.REJECTED, actor=advocate, reason_category="because"
        )
    assert Concern.objects.get().status == Concern.Status.PENDING


def test_a_wrong_code_is_explained_and_tells_nothing(client, sent):
    page = check(client, "AAAA-BBBB-CCCC")
    assert "No concern matches this code" in page
    assert "There is a problem with your answer" in page
    assert "Los padres" not in page


def test_a_deleted_concern_cannot_be_found(client, sent):
    _concern, code = sent
    client.post("/c/chicago/concerns/withdraw/", {"receipt_code": code})
    assert "No concern matches this code" in check(client, code)


def test_the_code_of_another_consultation_finds_nothing(client, sent, briefing):
    from feedback.models import Consultation

    Consultation.objects.create(slug="other", title="Other", summary="s", source_citation="c")
    _concern, code = sent
    response = client.post("/c/other/concerns/status/", {"receipt_code": code})
    assert "No concern matches this code" in response.content.decode()


def test_guessing_codes_is_limited(client, sent, settings):
    settings.RATELIMIT_RECEIPTS = "2/h"
    for _ in range(2):
        client.post(STATUS, {"receipt_code": "AAAA-BBBB-CCCC"})
    assert client.post(STATUS, {"receipt_code": "AAAA-BBBB-CCCC"}).status_code == 429


@pytest.mark.parametrize("prefix", ["/es", "/pl", "/zh-hans", "/ar"])
def test_the_status_is_told_in_the_residents_language(client, sent, prefix):
    _concern, code = sent
    page = check(client, code, prefix)
    assert f'<html lang="{prefix[1:]}"' in page
    assert "Received: waiting for the moderators" not in page


def test_checking_the_status_costs_a_fixed_number_of_queries(client, sent, django_assert_num_queries):
    _concern, code = sent
    # The consultation, then the concern with its topic (one join).
    with django_assert_num_queries(2):
        check(client, code)


def test_the_withdraw_form_counts_its_one_problem(client, briefing):
    page = client.post("/c/chicago/concerns/withdraw/", {"receipt_code": "AAAA-BBBB-CCCC"}).content.decode()
    assert "There is a problem with your answer" in page
    assert "0 problems" not in page
    assert '<a href="#id_receipt_code">No concern matches this code.' in page


def test_a_published_concern_is_shown_in_the_language_it_was_written_in(client, sent, advocate):
    concern, _code = sent
    moderate_concern(concern_id=concern.pk, to_status=Concern.Status.APPROVED, actor=advocate)
    page = client.get("/c/chicago/concerns/").content.decode()
    assert 'lang="es" dir="auto">Los padres tienen miedo' in page
    client.force_login(advocate)
    queue = client.get("/admin/feedback/concern/?moderation=all").content.decode()
    assert '<span lang="es" dir="auto">Los padres tienen miedo' in queue
