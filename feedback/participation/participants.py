"""The anonymous participant: a random id in a signed cookie, no account, no name.

The cookie holds a random UUID and, only if the resident chose to give them, a role and a
community area that their endorsements then carry. It is signed (so it cannot be forged or
edited), HttpOnly, SameSite=Lax, and Secure on HTTPS. It is set only when the resident acts
(endorses, reports, says something about themselves), never merely by reading a page.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse

from ..community_areas import COMMUNITY_AREA_CHOICES
from ..models import Role

COOKIE_NAME = "ct_participant"
COOKIE_SALT = "civictrust.participant"

_ROLES = {value for value, _label in Role.choices}
_AREAS = {value for value, _label in COMMUNITY_AREA_CHOICES}


@dataclass(frozen=True)
class Participant:
    id: uuid.UUID
    role: str = ""
    community_area: str = ""
    is_new: bool = False

    def with_details(self, *, role: str, community_area: str) -> Participant:
        return replace(
            self, role=role if role in _ROLES else "", community_area=community_area if community_area in _AREAS else ""
        )


def _max_age_seconds() -> int:
    return settings.PARTICIPANT_COOKIE_DAYS * 24 * 60 * 60


def known_participant(request: HttpRequest) -> Participant | None:
    """The participant whose valid cookie came with the request, or None (no cookie, forged or expired)."""
    raw = request.COOKIES.get(COOKIE_NAME)
    if not raw:
        return None
    try:
        data = signing.loads(raw, salt=COOKIE_SALT, max_age=_max_age_seconds())
        participant_id = uuid.UUID(str(data["id"]))
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    role = data.get("role", "")
    area = data.get("area", "")
    return Participant(
        id=participant_id,
        role=role if role in _ROLES else "",
        community_area=area if area in _AREAS else "",
    )


def participant_for(request: HttpRequest) -> Participant:
    """The request's participant, or a new random one (to be remembered with `remember`)."""
    return known_participant(request) or Participant(id=uuid.uuid4(), is_new=True)


def remember(response: HttpResponse, request: HttpRequest, participant: Participant) -> HttpResponse:
    """Set (or renew) the participant cookie on `response`."""
    value = signing.dumps(
        {"id": str(participant.id), "role": participant.role, "area": participant.community_area},
        salt=COOKIE_SALT,
    )
    response.set_cookie(
        COOKIE_NAME,
        value,
        max_age=_max_age_seconds(),
        httponly=True,
        samesite="Lax",
        secure=request.is_secure() or settings.PARTICIPANT_COOKIE_SECURE,
    )
    return response
