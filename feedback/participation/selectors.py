"""Reads for the pages where residents take part: published concerns, remedies, what this participant did."""

from __future__ import annotations

import hmac
import uuid
from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from ..briefing.selectors import published_remedies
from ..models import Concern, Consultation, Endorsement, RejectionReason, Remedy, Report
from ..results.publication import published_remedy_counts
from ..verification.selectors import verified_lookup
from .receipt_codes import RECEIPT_LENGTH, normalize_receipt_code, receipt_hash

OTHER_TOPIC_KEY = "other"


def approved_concerns(consultation: Consultation, *, topic_key: str = ""):
    """Published concerns of `consultation`, newest day first, optionally of one topic ("other": none shown).

    Within a day the order is that of the random public references, so the list cannot tell which concern
    of a day came first; each concern carries `day` (its local date) and never needs its time. A concern
    whose topic is unpublished counts as "other". One query per page (plus the paginator's count), with
    each concern's topic joined in.
    """
    concerns = (
        Concern.objects.filter(consultation=consultation, status=Concern.Status.APPROVED)
        .select_related("topic")
        .annotate(day=TruncDate("created_at"))
        .order_by("-day", "public_reference")
    )
    if topic_key == OTHER_TOPIC_KEY:
        concerns = concerns.filter(Q(topic__isnull=True) | Q(topic__is_published=False))
    elif topic_key:
        concerns = concerns.filter(topic__key=topic_key, topic__is_published=True)
    return concerns


def reported_concern_ids(participant: uuid.UUID, concern_ids: list[int]) -> set[int]:
    """Which of these concerns the participant has already reported (one query)."""
    return set(
        Report.objects.filter(participant=participant, concern_id__in=concern_ids).values_list("concern_id", flat=True)
    )


def remedies_with_published_counts(consultation: Consultation) -> list[Remedy]:
    """Published remedies, each with `published_count`: its endorsements as last published, not as of now.

    The counts come from the batched publication (results.publication), so the page does not change the
    moment one resident endorses; what this participant endorses is read separately, at once.
    """
    counts = published_remedy_counts(consultation)
    remedies = list(published_remedies(consultation))
    for remedy in remedies:
        remedy.published_count = counts.get(remedy.pk, 0)
    return remedies


def endorsed_remedy_ids(consultation: Consultation, participant: uuid.UUID) -> set[int]:
    """Ids of the remedies of `consultation` this participant endorses (one query)."""
    return set(
        Endorsement.objects.filter(remedy__consultation=consultation, participant=participant).values_list(
            "remedy_id", flat=True
        )
    )


@dataclass(frozen=True)
class ConcernStatus:
    """What the author of a concern may learn of it with its receipt code: never a moderator's note or reason."""

    RECEIVED = "received"
    PUBLISHED = "published"
    NOT_PUBLISHED = "not_published"

    state: str
    received_on: date  # the day only, in TIME_ZONE
    reason_category: str  # a RejectionReason label, or "" (none given, or not rejected)
    text: str
    language: str
    topic: str


def concern_status(*, consultation: Consultation, receipt_code: str) -> ConcernStatus | None:
    """The status of the concern of `consultation` whose receipt code this is, or None when none matches.

    One query, on the keyed hash of the code; the stored hash is compared in constant time, as when the
    code deletes a concern. A concern its author deleted is gone, so its code matches nothing.
    """
    if len(normalize_receipt_code(receipt_code)) != RECEIPT_LENGTH:
        return None
    digest = receipt_hash(receipt_code)
    concern = Concern.objects.filter(consultation=consultation, receipt_hash=digest).select_related("topic").first()
    if concern is None or not hmac.compare_digest(concern.receipt_hash, digest):
        return None
    if concern.status == Concern.Status.APPROVED:
        state = ConcernStatus.PUBLISHED
    elif concern.status == Concern.Status.PENDING:
        state = ConcernStatus.RECEIVED
    else:
        state = ConcernStatus.NOT_PUBLISHED
    reason = dict(RejectionReason.choices).get(concern.rejection_reason, "")
    return ConcernStatus(
        state=state,
        received_on=timezone.localdate(concern.created_at),
        reason_category=str(reason) if state == ConcernStatus.NOT_PUBLISHED else "",
        text=concern.text,
        language=concern.language,
        topic=concern.topic.name if concern.topic else "",
    )


def participant_standing(consultation_id: int, participant: uuid.UUID) -> tuple[bool, bool]:
    """(endorsed anything in the consultation before, verified in it), in one query."""
    standing = (
        Consultation.objects.filter(pk=consultation_id)
        .annotate(
            endorsed_before=Exists(
                Endorsement.objects.filter(remedy__consultation_id=consultation_id, participant=participant)
            ),
            verified=Exists(verified_lookup(consultation_id, participant)),
        )
        .values_list("endorsed_before", "verified")
        .first()
    )
    return standing or (False, False)
