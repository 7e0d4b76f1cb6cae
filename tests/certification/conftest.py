from __future__ import annotations

import uuid

import pytest

from feedback.models import Concern
from feedback.moderation.services import moderate_concern
from feedback.participation.services import (
    endorse_remedy,
    enter_concern_on_behalf,
    submit_concern,
    withdraw_concern_with_receipt,
    withdraw_endorsement,
)


def web_concern(briefing, text: str = "A concern about the operation.", **extra):
    return submit_concern(
        consultation=briefing, text=text, role="resident", community_area="30", language="en", **extra
    )


@pytest.fixture
def activity(briefing, advocate):
    """Every way a concern or an endorsement can end up, through the services."""
    pending = web_concern(briefing).concern
    for status in ("approved", "rejected", "spam"):
        moderate_concern(concern_id=web_concern(briefing).concern.pk, to_status=status, actor=advocate)
    withdrawn = web_concern(briefing, "Please delete this one.")
    withdraw_concern_with_receipt(consultation=briefing, receipt_code=withdrawn.receipt_code)
    enter_concern_on_behalf(consultation=briefing, text="Written on paper.", source="paper", actor=advocate)
    purged = enter_concern_on_behalf(consultation=briefing, text="Said on the phone.", source="phone", actor=advocate)
    Concern.objects.filter(pk=purged.concern.pk).update(purged_on="2026-01-31", text="")
    first, second = briefing.remedies.select_related("consultation")[:2]
    alice, bob = uuid.uuid4(), uuid.uuid4()
    endorse_remedy(remedy=first, participant=alice)
    endorse_remedy(remedy=second, participant=alice)
    endorse_remedy(remedy=first, participant=bob)
    withdraw_endorsement(remedy=second, participant=alice)
    return {"briefing": briefing, "pending": pending, "first": first, "second": second}
