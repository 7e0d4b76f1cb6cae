"""The anonymous participant: a signed random id in a cookie, no account, no name; and the receipt cookie.

The participant cookie holds nothing but a random UUID, signed so it cannot be forged: someone holding the
phone learns nothing from it. The optional role and community area a resident gives ("about you") are kept
on the server in `ParticipantDetails`, under a keyed hash of that id. The cookie is HttpOnly, SameSite=Lax
and Secure on HTTPS, and set only when the resident acts (endorses, reports, says something about
themselves), never merely by reading a page. "Forget this device" deletes it and the details.

Every cookie the app can set is listed on the privacy page (`pages.cookies`), which a test checks.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from ..community_areas import COMMUNITY_AREA_CHOICES
from ..models import ParticipantDetails, Role
from ..verification.services import forget_verification

COOKIE_NAME = "ct_participant"
COOKIE_SALT = "civictrust.participant"
DETAILS_SALT = "civictrust.participant-details"

# The receipt code travels to the page that shows it once, in a short-lived cookie for that page only.

_ROLES = {value for value, _label in Role.choices}
_AREAS = {value for value, _label in COMMUNITY_AREA_CHOICES}


@dataclass(frozen=True)
class Participant:
    id: uuid.UUID
    is_new: bool = False
    # Only from a cookie of the earlier, readable format: the details it carried, moved server-side by `remember`.
    legacy_role: str = ""
    legacy_area: str = ""


@dataclass(frozen=True)
class AboutYou:
    """What a participant chose to say about themselves; empty strings mean "not given"."""

    role: str = ""
    community_area: str = ""

    def cleaned(self) -> AboutYou:
        return AboutYou(
            role=self.role if self.role in _ROLES else "",
            community_area=self.community_area if self.community_area in _AREAS else "",
        )


def cookie_max_age_seconds() -> int:
    return settings.PARTICIPANT_COOKIE_DAYS * 24 * 60 * 60


def known_participant(request: HttpRequest) -> Participant | None:
    """The participant whose valid cookie came with the request, or None (no cookie, forged or expired). No query."""
    raw = request.COOKIES.get(COOKIE_NAME)
    if not raw:
        return None
    try:
        data = signing.loads(raw, salt=COOKIE_SALT, max_age=cookie_max_age_seconds())
        if isinstance(data, dict):  # the earlier format, {"id":…, "role":…, "area":…}: still honoured
            legacy = AboutYou(role=str(data.get("role", "")), community_area=str(data.get("area", ""))).cleaned()
            return Participant(
                id=uuid.UUID(str(data["id"])), legacy_role=legacy.role, legacy_area=legacy.community_area
            )
        return Participant(id=uuid.UUID(hex=str(data)))
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def participant_for(request: HttpRequest) -> Participant:
    """The request's participant, or a new random one (to be remembered with `remember`)."""
    return known_participant(request) or Participant(id=uuid.uuid4(), is_new=True)


def details_key(participant_id: uuid.UUID) -> str:
    """Keyed hash (HMAC-SHA256 with SECRET_KEY) of a participant id: how `ParticipantDetails` rows are found."""
    return salted_hmac(DETAILS_SALT, participant_id.hex, algorithm="sha256").hexdigest()


def about(participant: Participant | None) -> AboutYou:
    """What this participant said about themselves (one query; none for no or a new participant)."""
    if participant is None or participant.is_new:
        return AboutYou()
    row = ParticipantDetails.objects.filter(key=details_key(participant.id)).values("role", "community_area").first()
    if row is None:
        return AboutYou(role=participant.legacy_role, community_area=participant.legacy_area)
    return AboutYou(**row).cleaned()


def save_about(*, participant_id: uuid.UUID, details: AboutYou) -> AboutYou:
    """Keep these details for the participant (or delete them when both are empty); idempotent."""
    details = details.cleaned()
    key = details_key(participant_id)
    if not details.role and not details.community_area:
        ParticipantDetails.objects.filter(key=key).delete()
        return details
    ParticipantDetails.objects.update_or_create(
        key=key,
        defaults={"role": details.role, "community_area": details.community_area, "saved_on": timezone.localdate()},
    )
    return details


def forget_details(*, participant_id: uuid.UUID) -> bool:
    """Delete what the server keeps about this participant besides their endorsements and reports; idempotent.

    That is their "about you" details and their verified status (a participation code's keyed hash).
    """
    deleted, _by_model = ParticipantDetails.objects.filter(key=details_key(participant_id)).delete()
    return forget_verification(participant_id=participant_id) > 0 or deleted > 0


def remember(response: HttpResponse, request: HttpRequest, participant: Participant) -> HttpResponse:
    """Set (or renew) the participant cookie on `response`: the signed random id, nothing else.

    The details row lives as long as the cookie: its day is brought forward with each renewal (one update),
    and details from a cookie of the earlier format are moved into it.
    """
    if participant.legacy_role or participant.legacy_area:
        key = details_key(participant.id)
        if not ParticipantDetails.objects.filter(key=key).exists():
            save_about(
                participant_id=participant.id,
                details=AboutYou(role=participant.legacy_role, community_area=participant.legacy_area),
            )
    elif not participant.is_new:
        today = timezone.localdate()
        ParticipantDetails.objects.filter(key=details_key(participant.id), saved_on__lt=today).update(saved_on=today)
    response.set_cookie(
        COOKIE_NAME,
        signing.dumps(participant.id.hex, salt=COOKIE_SALT),
        max_age=cookie_max_age_seconds(),
        httponly=True,
        samesite="Lax",
        secure=request.is_secure() or settings.PARTICIPANT_COOKIE_SECURE,
    )
    return response


def forget(response: HttpResponse) -> HttpResponse:
    """Delete the participant cookie from the browser."""
    response.delete_cookie(COOKIE_NAME, samesite="Lax")
    return response
