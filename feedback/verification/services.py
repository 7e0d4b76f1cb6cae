"""Writes for participation codes: issuing a batch, and redeeming a code (which verifies a participant).

Redeeming stores that the participant is verified (a keyed hash, no time) and marks the code used (a
flag, no time, no participant), so nothing links a verified participant to the code or its batch.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..aggregates import lock_participant_endorsements, record_endorsement_changes
from ..models import CodeBatch, Consultation, Endorsement, ParticipationCode, VerifiedParticipant
from .codes import code_hash, new_code, participant_key
from .selectors import Redemption, is_verified, usable_code

MAX_BATCH_SIZE = 5000


@dataclass(frozen=True)
class IssuedBatch:
    batch: CodeBatch
    codes: list[str]  # shown once (printed or downloaded), never stored


def default_expiry() -> date:
    return timezone.localdate() + timedelta(days=settings.PARTICIPATION_CODE_DAYS)


def issue_codes(
    *, consultation: Consultation, count: int, label: str, expires_on: date | None = None, actor=None
) -> IssuedBatch:
    """Create a batch of `count` new one-time codes and return them, in clear, this once.

    Only their keyed hashes are stored. Raises ValidationError (nothing saved) for a count outside
    1..MAX_BATCH_SIZE, an empty label or a past expiry day. Atomic; codes never repeat a stored one.
    """
    label = label.strip()
    errors = {}
    if not 1 <= count <= MAX_BATCH_SIZE:
        errors["count"] = _("Issue between 1 and %(most)d codes at a time.") % {"most": MAX_BATCH_SIZE}
    if not label:
        errors["label"] = _("Say where and when these codes are handed out, for example “Pilsen meeting, 12 Jan”.")
    expires_on = expires_on or default_expiry()
    if expires_on < timezone.localdate():
        errors["expires_on"] = _("The last valid day cannot be in the past.")
    if errors:
        raise ValidationError(errors)
    for _attempt in range(3):
        codes = _fresh_codes(count)
        try:
            with transaction.atomic():
                batch = CodeBatch.objects.create(
                    consultation=consultation, label=label[:120], size=count, expires_on=expires_on, issued_by=actor
                )
                ParticipationCode.objects.bulk_create(
                    ParticipationCode(batch=batch, code_hash=code_hash(code)) for code in codes
                )
        except IntegrityError:  # another batch took one of these codes in the meantime: draw again
            continue
        return IssuedBatch(batch=batch, codes=codes)
    raise IntegrityError("Could not draw unused participation codes.")


def _fresh_codes(count: int) -> list[str]:
    """`count` distinct codes, none of which is stored already."""
    codes: dict[str, str] = {}
    while len(codes) < count:
        for code in (new_code() for _draw in range(count - len(codes))):
            codes.setdefault(code_hash(code), code)
        taken = set(ParticipationCode.objects.filter(code_hash__in=list(codes)).values_list("code_hash", flat=True))
        for digest in taken:
            del codes[digest]
    return list(codes.values())


def redeem_code(*, consultation: Consultation, code: str, participant: uuid.UUID | None) -> Redemption:
    """Use `code` to verify `participant` in `consultation`; says what happened.

    A code works once: the update that marks it used only succeeds for an unused code, so two
    simultaneous redemptions of one code verify exactly one participant. An unknown, used or
    expired code changes nothing; so does a code entered by a participant who is verified already
    (the code stays usable), or by a participant once the consultation is closed. The participant's
    existing endorsements in the consultation become verified. With no participant (a code written
    on a paper form, typed in by staff, possibly after the close), the code is only used up. Atomic.
    """
    if participant is not None and not consultation.is_accepting_responses():
        return Redemption.CLOSED
    with transaction.atomic():
        row, refusal = usable_code(consultation, code)
        if refusal is not None:
            return refusal
        if participant is not None and is_verified(consultation.pk, participant):
            return Redemption.ALREADY_VERIFIED
        if not ParticipationCode.objects.filter(pk=row.pk, redeemed=False).update(redeemed=True):
            return Redemption.USED
        if participant is not None:
            _mark_verified(consultation, participant)
    return Redemption.REDEEMED


def _mark_verified(consultation: Consultation, participant: uuid.UUID) -> None:
    # ON CONFLICT DO NOTHING: a participant verified twice at once stays one row, and no error is logged.
    VerifiedParticipant.objects.bulk_create(
        [VerifiedParticipant(key=participant_key(consultation.pk, participant), consultation=consultation)],
        ignore_conflicts=True,
    )
    before = lock_participant_endorsements(consultation.pk, participant)
    Endorsement.objects.filter(remedy__consultation=consultation, participant=participant, verified=False).update(
        verified=True
    )
    after = [row._replace(verified=True) for row in before]
    record_endorsement_changes(consultation_id=consultation.pk, before=before, after=after)


def forget_verification(*, participant_id: uuid.UUID) -> int:
    """Delete the participant's verified status in every consultation ("Forget this device"); returns how many.

    Their endorsements keep their "verified": each was made by a verified participant. Idempotent.
    """
    keys = [participant_key(pk, participant_id) for pk in Consultation.objects.values_list("pk", flat=True)]
    deleted, _by_model = VerifiedParticipant.objects.filter(key__in=keys).delete()
    return deleted
