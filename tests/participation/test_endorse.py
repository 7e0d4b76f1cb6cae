"""Residents endorse remedies and withdraw their endorsements; one endorsement per participant and remedy."""

from __future__ import annotations

import uuid

import pytest
from django.core import signing

from feedback.models import Endorsement
from feedback.participation.participants import COOKIE_NAME, COOKIE_SALT
from feedback.participation.services import endorse_remedy, recount_endorsements
from tests.parallel import needs_postgresql, run_in_parallel

REMEDIES = "/c/chicago/remedies/"


def endorse_url(remedy) -> str:
    return f"{REMEDIES}{remedy.pk}/endorse/"


def withdraw_url(remedy) -> str:
    return f"{REMEDIES}{remedy.pk}/withdraw/"


def test_the_remedies_page_shows_each_remedy_with_its_details_and_count(client, briefing):
    remedy = briefing.remedies.filter(benefit__gt="").first()
    page = client.get(REMEDIES).content.decode().replace("&#x27;", "'")
    for remedy_shown in briefing.remedies.filter(is_published=True):
        assert remedy_shown.title in page
    assert remedy.benefit in page and remedy.recommended_implementation in page and remedy.proposed_by in page
    assert "0 endorsements" in page


def test_endorsing_records_one_endorsement_and_says_so(client, briefing):
    remedy = briefing.remedies.first()
    response = client.post(endorse_url(remedy))
    assert response.status_code == 302
    assert response["Location"] == f"{REMEDIES}#remedy-{remedy.key}"
    assert Endorsement.objects.filter(remedy=remedy).count() == 1
    page = client.get(REMEDIES).content.decode().replace("&#x27;", "'")
    assert f"You endorsed “{remedy.title}”" in page
    assert "You endorse this remedy." in page
    assert "1 endorsement" in page
    assert f'action="{withdraw_url(remedy)}"' in page


def test_endorsing_twice_keeps_one_endorsement(client, briefing):
    remedy = briefing.remedies.first()
    client.post(endorse_url(remedy))
    response = client.post(endorse_url(remedy), follow=True)
    assert Endorsement.objects.filter(remedy=remedy).count() == 1
    assert "You already endorse" in response.content.decode()


def test_withdrawing_removes_the_endorsement(client, briefing):
    remedy = briefing.remedies.first()
    client.post(endorse_url(remedy))
    response = client.post(withdraw_url(remedy), follow=True)
    assert Endorsement.objects.count() == 0
    page = response.content.decode().replace("&#x27;", "'")
    assert f"You withdrew your endorsement of “{remedy.title}”" in page
    assert f'action="{endorse_url(remedy)}"' in page


def test_withdrawing_without_an_endorsement_changes_nothing(client, briefing):
    remedy = briefing.remedies.first()
    endorse_remedy(remedy=remedy, participant=uuid.uuid4())  # someone else's, which must stay
    response = client.post(withdraw_url(remedy), follow=True)
    assert Endorsement.objects.count() == 1
    assert "You did not endorse" in response.content.decode()


def test_each_browser_is_its_own_participant(client, briefing):
    from django.test import Client

    remedy = briefing.remedies.first()
    client.post(endorse_url(remedy))
    Client().post(endorse_url(remedy))
    assert Endorsement.objects.filter(remedy=remedy).count() == 2


def test_the_participant_cookie_is_signed_http_only_and_lax(client, briefing, settings):
    settings.PARTICIPANT_COOKIE_SECURE = False  # as in development (DEBUG on), over plain HTTP
    response = client.post(endorse_url(briefing.remedies.first()))
    cookie = response.cookies[COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and not cookie["secure"]
    assert signing.loads(cookie.value, salt=COOKIE_SALT) == Endorsement.objects.get().participant.hex


def test_the_participant_cookie_is_secure_over_https(client, briefing, settings):
    settings.PARTICIPANT_COOKIE_SECURE = False
    response = client.post(endorse_url(briefing.remedies.first()), secure=True)
    assert response.cookies[COOKIE_NAME]["secure"]


def test_in_production_the_participant_cookie_is_secure_even_on_a_request_that_looks_like_plain_http(client, briefing):
    """A proxy in front without SECURE_PROXY_SSL_HEADER makes HTTPS requests look like HTTP to the app."""
    response = client.post(endorse_url(briefing.remedies.first()))
    assert response.cookies[COOKIE_NAME]["secure"]


def test_a_forged_cookie_is_a_new_participant(client, briefing):
    remedy = briefing.remedies.first()
    client.post(endorse_url(remedy))
    endorsement = Endorsement.objects.get()
    client.cookies[COOKIE_NAME] = f'{{"id":"{endorsement.participant}"}}:forged:signature'
    client.post(withdraw_url(remedy))
    assert Endorsement.objects.count() == 1


def test_reading_the_page_sets_no_cookie(client, briefing):
    assert COOKIE_NAME not in client.get(REMEDIES).cookies


def test_an_unpublished_remedy_cannot_be_endorsed(client, briefing):
    remedy = briefing.remedies.first()
    remedy.is_published = False
    remedy.save()
    assert client.post(endorse_url(remedy)).status_code == 404
    assert Endorsement.objects.count() == 0


def test_endorsing_needs_a_post(client, briefing):
    assert client.get(endorse_url(briefing.remedies.first())).status_code == 405


def test_a_closed_consultation_refuses_endorsements_but_allows_withdrawal(client, briefing):
    first, second = briefing.remedies.all()[:2]
    client.post(endorse_url(first))
    briefing.status = briefing.Status.CLOSED
    briefing.save()

    page = client.get(REMEDIES).content.decode()
    assert "no longer accepts endorsements" in page
    assert f'action="{endorse_url(second)}"' not in page

    response = client.post(endorse_url(second), follow=True)
    assert "no longer accepts endorsements" in response.content.decode()
    assert not Endorsement.objects.filter(remedy=second).exists()

    client.post(withdraw_url(first))
    assert Endorsement.objects.count() == 0


def test_details_about_you_go_on_past_and_future_endorsements(client, briefing):
    first, second = briefing.remedies.all()[:2]
    client.post(endorse_url(first))
    response = client.post(f"{REMEDIES}about-you/", {"role": "resident", "community_area": "30"}, follow=True)
    assert "Saved." in response.content.decode()
    client.post(endorse_url(second))
    assert set(Endorsement.objects.values_list("role", "community_area")) == {("resident", "30")}
    page = client.get(REMEDIES).content.decode()
    assert '<option value="30" selected>' in page

    client.post(f"{REMEDIES}about-you/", {"role": "", "community_area": ""})
    assert set(Endorsement.objects.values_list("role", "community_area")) == {("", "")}


def test_unknown_details_about_you_change_nothing(client, briefing):
    client.post(endorse_url(briefing.remedies.first()))
    response = client.post(f"{REMEDIES}about-you/", {"role": "citizen", "community_area": "99"}, follow=True)
    assert "nothing was changed" in response.content.decode()
    assert set(Endorsement.objects.values_list("role", "community_area")) == {("", "")}


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_endorsements_by_one_participant_leave_one_row(briefing):
    needs_postgresql()
    remedy = briefing.remedies.select_related("consultation").first()
    participant = uuid.uuid4()

    results = run_in_parallel([lambda: endorse_remedy(remedy=remedy, participant=participant)] * 4)

    assert sorted(results) == [False, False, False, True]
    assert Endorsement.objects.filter(remedy=remedy, participant=participant).count() == 1
    remedy.refresh_from_db()
    assert remedy.endorsement_count == 1


@pytest.mark.django_db(transaction=True)
def test_parallel_endorsements_give_exact_counts_and_twenty_of_one_participant_leave_one_row(briefing):
    needs_postgresql()
    first, second = briefing.remedies.select_related("consultation")[:2]
    repeated = uuid.uuid4()
    calls = [lambda: endorse_remedy(remedy=first, participant=repeated) for _ in range(20)]
    calls += [lambda: endorse_remedy(remedy=first, participant=uuid.uuid4()) for _ in range(15)]
    calls += [lambda: endorse_remedy(remedy=second, participant=uuid.uuid4()) for _ in range(15)]

    results = run_in_parallel(calls)

    assert results.count(True) == 31
    assert Endorsement.objects.filter(remedy=first, participant=repeated).count() == 1
    assert Endorsement.objects.filter(remedy=first).count() == 16
    assert Endorsement.objects.filter(remedy=second).count() == 15
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.endorsement_count, second.endorsement_count) == (16, 15)


def test_the_shown_count_follows_endorsements_and_withdrawals(client, briefing):
    remedy = briefing.remedies.first()
    client.post(f"/c/chicago/remedies/{remedy.pk}/endorse/")
    client.post(f"/c/chicago/remedies/{remedy.pk}/endorse/")
    remedy.refresh_from_db()
    assert remedy.endorsement_count == 1
    assert "1 endorsement<" in client.get("/c/chicago/remedies/").content.decode()
    client.post(f"/c/chicago/remedies/{remedy.pk}/withdraw/")
    client.post(f"/c/chicago/remedies/{remedy.pk}/withdraw/")
    remedy.refresh_from_db()
    assert remedy.endorsement_count == 0


def test_a_recount_repairs_counts_after_a_bulk_load(briefing):
    remedy = briefing.remedies.first()
    Endorsement.objects.bulk_create(Endorsement(remedy=remedy, participant=uuid.uuid4()) for _ in range(3))
    remedy.refresh_from_db()
    assert remedy.endorsement_count == 0
    assert recount_endorsements(consultation=briefing) == 1
    remedy.refresh_from_db()
    assert remedy.endorsement_count == 3
    assert recount_endorsements(consultation=briefing) == 0
