"""The participant cookie is opaque: a signed random id, nothing else; "about you" lives on the server.

Worst case: a resident of Hegewisch (area 55) whose role is "Other" saves "about you" and endorses. Someone
holding the phone, reading the cookie, must learn neither.
"""

from __future__ import annotations

import base64
import uuid
from datetime import timedelta

from django.core import signing
from django.test import Client
from django.utils import timezone

from feedback.models import Endorsement, ParticipantDetails
from feedback.participation.participants import COOKIE_NAME, COOKIE_SALT, details_key
from feedback.retention import purge_expired_personal_data

REMEDIES = "/c/chicago/remedies/"
ABOUT_YOU = "/c/chicago/remedies/about-you/"


def decoded_parts(value: str) -> str:
    """Everything a curious person can decode from a cookie value (each part as URL-safe base64, and as is)."""
    parts = [value]
    for part in value.split(":"):
        padded = part + "=" * (-len(part) % 4)
        try:
            parts.append(base64.urlsafe_b64decode(padded).decode("utf-8", errors="replace"))
        except ValueError:
            continue
    return "\n".join(parts)


def test_the_cookie_holds_only_a_signed_random_id(client, briefing):
    client.post(ABOUT_YOU, {"role": "other", "community_area": "55"})
    response = client.post(f"{REMEDIES}{briefing.remedies.first().pk}/endorse/")
    value = response.cookies[COOKIE_NAME].value
    readable = decoded_parts(value).lower()
    for detail in ("55", "other", "hegewisch", "role", "area", "resident"):
        assert detail not in readable.replace(uuid.UUID(signing.loads(value, salt=COOKIE_SALT)).hex, "")
    endorsement = Endorsement.objects.get()
    assert signing.loads(value, salt=COOKIE_SALT) == endorsement.participant.hex
    assert (endorsement.role, endorsement.community_area) == ("other", "55")


def test_the_details_are_kept_under_a_keyed_hash_not_the_participant_id(client, briefing):
    client.post(ABOUT_YOU, {"role": "other", "community_area": "55"})
    client.post(f"{REMEDIES}{briefing.remedies.first().pk}/endorse/")
    participant = Endorsement.objects.get().participant
    details = ParticipantDetails.objects.get()
    assert (details.role, details.community_area) == ("other", "55")
    assert details.key == details_key(participant)
    assert participant.hex not in details.key and str(participant) not in details.key
    assert details.saved_on == timezone.localdate()


def test_later_endorsements_carry_the_saved_details_and_the_form_shows_them(client, briefing):
    first, second = briefing.remedies.all()[:2]
    client.post(ABOUT_YOU, {"role": "other", "community_area": "55"})
    client.post(f"{REMEDIES}{first.pk}/endorse/")
    client.post(f"{REMEDIES}{second.pk}/endorse/")
    assert set(Endorsement.objects.values_list("role", "community_area")) == {("other", "55")}
    page = client.get(REMEDIES).content.decode()
    assert '<option value="55" selected>Hegewisch</option>' in page


def test_clearing_about_you_deletes_the_details(client, briefing):
    client.post(ABOUT_YOU, {"role": "other", "community_area": "55"})
    client.post(ABOUT_YOU, {"role": "", "community_area": ""})
    assert not ParticipantDetails.objects.exists()


def test_a_cookie_of_the_earlier_readable_format_still_works_and_is_replaced(client, briefing):
    participant = uuid.uuid4()
    remedy = briefing.remedies.first()
    client.cookies[COOKIE_NAME] = signing.dumps(
        {"id": str(participant), "role": "resident", "area": "30"}, salt=COOKIE_SALT
    )
    response = client.post(f"{REMEDIES}{remedy.pk}/endorse/")
    endorsement = Endorsement.objects.get()
    assert (endorsement.participant, endorsement.role, endorsement.community_area) == (participant, "resident", "30")
    assert signing.loads(response.cookies[COOKIE_NAME].value, salt=COOKIE_SALT) == participant.hex
    assert ParticipantDetails.objects.get(key=details_key(participant)).community_area == "30"
    client.post(f"{REMEDIES}{remedy.pk}/withdraw/")
    assert not Endorsement.objects.exists()


def test_forget_this_device_deletes_the_cookie_and_the_details_and_keeps_the_endorsements(client, briefing):
    remedy = briefing.remedies.first()
    client.post(ABOUT_YOU, {"role": "other", "community_area": "55"})
    client.post(f"{REMEDIES}{remedy.pk}/endorse/")
    page = client.get(REMEDIES).content.decode()
    assert "Forget this device" in page and 'action="/forget-device/"' in page
    response = client.post("/forget-device/", {"next": REMEDIES})
    assert response.status_code == 302 and response["Location"] == REMEDIES
    deleted = response.cookies[COOKIE_NAME]
    assert deleted.value == "" and deleted["max-age"] == 0
    assert not ParticipantDetails.objects.exists()
    assert Endorsement.objects.count() == 1  # still counted
    page = client.get(REMEDIES).content.decode()
    assert "This device is forgotten" in page
    assert "You endorse this remedy." not in page and "Forget this device" not in page


def test_forget_this_device_is_offered_on_the_privacy_page_in_both_languages(client, briefing):
    assert 'action="/forget-device/"' in client.get("/privacy/").content.decode()
    spanish = client.get("/es/privacy/").content.decode()
    assert 'action="/es/forget-device/"' in spanish and "Olvidar este dispositivo" in spanish


def test_forgetting_a_device_that_holds_nothing_says_so(client, briefing):
    response = client.post("/forget-device/", follow=True)
    assert "there was nothing to forget" in response.content.decode()


def test_forgetting_needs_a_post_with_the_csrf_token(briefing):
    browser = Client(enforce_csrf_checks=True)
    assert browser.get("/forget-device/").status_code == 405
    assert browser.post("/forget-device/").status_code == 403


def test_details_outliving_the_cookie_are_purged(client, briefing, settings):
    settings.PARTICIPANT_COOKIE_DAYS = 180
    client.post(ABOUT_YOU, {"role": "other", "community_area": "55"})
    ParticipantDetails.objects.update(saved_on=timezone.localdate() - timedelta(days=181))
    assert purge_expired_personal_data().participant_details == 1
    assert not ParticipantDetails.objects.exists()


def test_taking_part_again_keeps_the_details_alive_as_long_as_the_cookie(client, briefing):
    client.post(ABOUT_YOU, {"role": "other", "community_area": "55"})
    ParticipantDetails.objects.update(saved_on=timezone.localdate() - timedelta(days=100))
    client.post(f"{REMEDIES}{briefing.remedies.first().pk}/endorse/")  # renews the cookie for its full lifetime
    assert ParticipantDetails.objects.get().saved_on == timezone.localdate()
