"""Reads about participation codes: whether a participant is verified, how many codes of a batch were used."""

from __future__ import annotations

import enum
import hmac
import uuid

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import CodeBatch, Consultation, ParticipationCode, VerifiedParticipant
from .codes import code_hash, looks_like_a_code, participant_key


class Redemption(enum.Enum):
    REDEEMED = "redeemed"
    ALREADY_VERIFIED = "already-verified"  # the code was not used up: it can go to someone else
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"
    CLOSED = "closed"  # a resident's code, after the consultation closed: its results no longer change


# What a resident reads for each outcome but success (the views and the concern forms show these).
REFUSALS = {
    Redemption.UNKNOWN: _("This participation code is not known. Check each character and try again."),
    Redemption.USED: _("This participation code has already been used. Each code works once."),
    Redemption.EXPIRED: _("This participation code has expired."),
    Redemption.CLOSED: _("This consultation is closed: participation codes can no longer be entered."),
}


def usable_code(consultation: Consultation, code: str) -> tuple[ParticipationCode | None, Redemption | None]:
    """(the code's row, None) when `code` can be used in `consultation` now, else (None, why not). One query.

    Looked up by keyed hash, then compared in constant time, as receipt codes are.
    """
    if not looks_like_a_code(code):
        return None, Redemption.UNKNOWN
    digest = code_hash(code)
    row = ParticipationCode.objects.select_related("batch").filter(code_hash=digest).first()
    if row is None or row.batch.consultation_id != consultation.pk or not hmac.compare_digest(row.code_hash, digest):
        return None, Redemption.UNKNOWN
    if row.batch.expires_on < timezone.localdate():
        return None, Redemption.EXPIRED
    if row.redeemed:
        return None, Redemption.USED
    return row, None


def is_verified(consultation_id: int, participant: uuid.UUID) -> bool:
    """Whether the participant entered a valid code in this consultation (one primary-key lookup)."""
    return VerifiedParticipant.objects.filter(pk=participant_key(consultation_id, participant)).exists()


def verified_lookup(consultation_id: int, participant: uuid.UUID) -> QuerySet:
    """The queryset behind `is_verified`, for a service that folds it into a larger query."""
    return VerifiedParticipant.objects.filter(pk=participant_key(consultation_id, participant))


def batches_with_use(queryset: QuerySet | None = None) -> QuerySet:
    """Batches, each with `redeemed` (how many of its codes were used): counts of codes, never of people."""
    batches = CodeBatch.objects.all() if queryset is None else queryset
    return batches.annotate(redeemed=Count("codes", filter=Q(codes__redeemed=True)))


def code_refusal(consultation: Consultation | None, code: str) -> str:
    """Why `code` cannot be used in `consultation` now ("" when it can, or when no code is given). Read-only."""
    if not code or consultation is None:
        return ""
    refusal = usable_code(consultation, code)[1]
    return str(REFUSALS[refusal]) if refusal else ""
