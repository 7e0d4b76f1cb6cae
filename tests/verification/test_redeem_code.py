"""A resident types a participation code once: they become verified; a code works once; guessing is limited."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from feedback.models import Concern, Endorsement, ParticipationCode, VerifiedParticipant
from feedback.participation.services import endorse_remedy
from feedback.verification.selectors import Redemption, is_verified
from feedback.verification.services import issue_codes, redeem_code
from tests.factories import concern_form_data
from tests.parallel import needs_postgresql, run_in_parallel

CODE_PAGE = "/c/chicago/code/"
REMEDIES = "/c/chicago/remedies/"


@pytest.fixture
def codes(briefing) -> list[str]:
    return issue_codes(consultation=briefing, count=3, label="Pilsen meeting").codes


def enter(client, code: str, **extra):
    return client.post(CODE_PAGE, {"code": code, "next": REMEDIES, **extra}, follow=True)


def test_a_code_verifies_the_participant_and_their_endorsements_before_and_after(client, briefing, codes):
    first, second = briefing.remedies.all()[:2]
    client.post(f"{REMEDIES}{first.pk}/endorse/")
    assert not Endorsement.objects.get().verified

    page = enter(client, codes[0].lower().replace("-", " ")).content.decode()

    assert "Thank you: you are verified." in page
    assert "You are verified: your endorsements count as verified" in page
    assert Endorsement.objects.get().verified
    client.post(f"{REMEDIES}{second.pk}/endorse/")
    assert list(Endorsement.objects.values_list("verified", flat=True)) == [True, True]
    assert ParticipationCode.objects.filter(redeemed=True).count() == 1
    assert VerifiedParticipant.objects.count() == 1


def test_a_used_code_is_refused_and_changes_nothing(client, briefing, codes):
    enter(client, codes[0])
    other = Client()
    other.post(f"{REMEDIES}{briefing.remedies.first().pk}/endorse/")

    page = enter(other, codes[0]).content.decode()

    assert "This participation code has already been used. Each code works once." in page
    assert VerifiedParticipant.objects.count() == 1
    assert not Endorsement.objects.get().verified


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("ABCD-EF23", "This participation code is not known."),
        ("ABC", "A participation code has 8 letters and digits"),
        ("0O1I-L000", "A participation code has 8 letters and digits"),
        ("", "Type the code from your slip."),
    ],
)
def test_an_unknown_or_malformed_code_is_refused_with_a_message(client, briefing, codes, typed, message):
    response = client.post(CODE_PAGE, {"code": typed})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not VerifiedParticipant.objects.exists()
    assert not ParticipationCode.objects.filter(redeemed=True).exists()


def test_an_expired_code_is_refused(client, briefing, codes):
    briefing.code_batches.update(expires_on=timezone.localdate() - timedelta(days=1))
    assert "This participation code has expired." in enter(client, codes[0]).content.decode()
    assert not ParticipationCode.objects.filter(redeemed=True).exists()


def test_a_code_of_another_consultation_is_unknown_here(briefing, codes):
    other = type(briefing).objects.create(title="Other", slug="other", summary="s", source_citation="c")
    assert redeem_code(consultation=other, code=codes[0], participant=uuid.uuid4()) == Redemption.UNKNOWN
    assert not ParticipationCode.objects.filter(redeemed=True).exists()


def test_a_verified_participant_entering_another_code_leaves_it_for_someone_else(client, briefing, codes):
    enter(client, codes[0])
    page = enter(client, codes[1]).content.decode()
    assert "You are verified already; the code was not used" in page
    assert ParticipationCode.objects.filter(redeemed=True).count() == 1


def test_after_the_consultation_closes_a_code_changes_nothing(client, briefing, codes):
    briefing.status = briefing.Status.CLOSED
    briefing.save()
    assert "participation codes can no longer be entered" in enter(client, codes[0]).content.decode()
    assert not ParticipationCode.objects.filter(redeemed=True).exists()


def test_a_code_on_the_concern_form_makes_that_concern_verified(client, briefing, codes, settings):
    settings.CONCERN_MIN_FILL_SECONDS = 0
    response = client.post("/c/chicago/concerns/new/", concern_form_data(participation_code=codes[0]))
    assert response.status_code == 302
    assert Concern.objects.get().verified
    # The sender is now a verified participant: their next concern counts as verified without a code.
    client.post("/c/chicago/concerns/new/", concern_form_data(text="A second concern about the raids."))
    assert list(Concern.objects.order_by("pk").values_list("verified", flat=True)) == [True, True]
    # Someone else without a code: not verified.
    Client().post("/c/chicago/concerns/new/", concern_form_data(text="A third concern about the raids."))
    assert Concern.objects.filter(verified=False).count() == 1


def test_a_refused_code_on_the_concern_form_saves_nothing_and_says_why(client, briefing, codes):
    redeem_code(consultation=briefing, code=codes[0], participant=uuid.uuid4())
    response = client.post("/c/chicago/concerns/new/", concern_form_data(participation_code=codes[0]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "This participation code has already been used." in page and 'id="error-summary"' in page
    assert not Concern.objects.exists()


def test_a_code_from_a_paper_form_makes_the_typed_in_concern_verified(client, briefing, codes, advocate):
    client.force_login(advocate)
    form = {
        "consultation": briefing.pk,
        "text": "Written on paper at the Pilsen meeting.",
        "role": "resident",
        "community_area": "31",
        "language": "es",
        "source": "paper",
        "participation_code": codes[0],
    }
    assert client.post("/admin/feedback/concern/add/", form).status_code == 302
    assert Concern.objects.get().verified
    assert ParticipationCode.objects.filter(redeemed=True).count() == 1

    refused = client.post("/admin/feedback/concern/add/", {**form, "text": "Another paper concern, same code."})
    assert "This participation code has already been used." in refused.content.decode()
    assert Concern.objects.count() == 1


def test_guessing_codes_is_stopped_by_the_rate_limit_even_for_the_right_code(client, briefing, codes, settings):
    settings.RATELIMIT_CODES = "3/h"
    for guess in ("AAAA-AAAA", "BBBB-BBBB", "CCCC-CCCC"):
        assert client.post(CODE_PAGE, {"code": guess}).status_code == 200
    response = client.post(CODE_PAGE, {"code": codes[0]})
    assert response.status_code == 429
    assert not ParticipationCode.objects.filter(redeemed=True).exists()


def test_codes_on_the_concern_form_count_against_the_same_limit(client, briefing, codes, settings):
    settings.RATELIMIT_CODES = "1/h"
    settings.CONCERN_MIN_FILL_SECONDS = 0
    client.post(CODE_PAGE, {"code": "AAAA-AAAA"})
    response = client.post("/c/chicago/concerns/new/", concern_form_data(participation_code=codes[0]))
    assert response.status_code == 429
    assert not Concern.objects.exists()


def test_the_remedies_page_offers_the_code_form(client, briefing):
    page = client.get(REMEDIES).content.decode()
    assert f'action="{CODE_PAGE}"' in page and 'name="code"' in page


@pytest.mark.django_db(transaction=True)
def test_one_code_entered_at_once_by_many_verifies_exactly_one_participant(briefing):
    needs_postgresql()
    code = issue_codes(consultation=briefing, count=1, label="Clinic").codes[0]
    participants = [uuid.uuid4() for _ in range(8)]
    for participant in participants:
        endorse_remedy(remedy=briefing.remedies.select_related("consultation").first(), participant=participant)

    outcomes = run_in_parallel(
        [lambda p=p: redeem_code(consultation=briefing, code=code, participant=p) for p in participants]
    )

    assert sorted(outcome.value for outcome in outcomes) == sorted(["redeemed"] + ["used"] * 7)
    assert sum(is_verified(briefing.pk, p) for p in participants) == 1
    assert Endorsement.objects.filter(verified=True).count() == 1


def test_the_code_page_and_its_messages_are_in_spanish_under_es(client, briefing, codes):
    page = client.get("/es/c/chicago/code/").content.decode()
    assert '<html lang="es">' in page and "Escribir un código de participación" in page
    refused = client.post("/es/c/chicago/code/", {"code": "ABCD-EF23"}).content.decode()
    assert "Este código de participación no se conoce." in refused
