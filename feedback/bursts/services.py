"""Writes about bursts: an organizer excludes an unusual burst from certified tallies, with a reason."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from ..models import BurstExclusion, Consultation
from .detection import burst_matching


def exclude_burst(
    *, consultation: Consultation, kind: str, subject: int, starts_at: datetime, ends_at: datetime, reason: str, actor
) -> BurstExclusion:
    """Record that the unusual burst with exactly this window is left out of certified tallies.

    Only a burst the detector lists can be excluded, and only with a reason; the exclusion keeps the
    burst's label and counts, so it outlives the minute counts it came from. Nothing is deleted: the
    endorsements and concerns stay, and certificates list the exclusion in their ledger. Raises
    ValidationError (nothing saved) without a reason, for a window that is not an unusual burst, or
    for one already excluded. Atomic.
    """
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why this burst is left out; the reason is printed in certificates.")})
    burst = burst_matching(consultation, kind=kind, subject=subject, starts_at=starts_at, ends_at=ends_at)
    if burst is None:
        raise ValidationError(
            _("No unusual burst has exactly this window (the minute counts may have been deleted meanwhile).")
        )
    if burst.exclusion is not None:
        raise ValidationError(_("This burst is already excluded."))
    try:
        with transaction.atomic():
            return BurstExclusion.objects.create(
                consultation=consultation,
                kind=kind,
                subject=subject,
                subject_label=burst.label[:300],
                starts_at=starts_at,
                ends_at=ends_at,
                arrivals=burst.arrivals,
                from_new_participants=burst.from_new_participants,
                reason=reason,
                excluded_by=actor,
            )
    except IntegrityError:
        raise ValidationError(_("This burst is already excluded.")) from None
