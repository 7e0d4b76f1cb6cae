"""The one place that writes the moderators' audit log (ModerationEvent): append-only, never updated.

An event holds numbers, statuses, the staff account and the staff's own reason, never the words of the concern:
the log outlives a concern its author withdrew, and nothing of what they wrote may outlive it. Every event is
chained to the one before it (feedback/audit/chain.py); writers take the chain's lock, so events written at the
same moment still form one chain.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from ..models import Concern, ModerationEvent
from .chain import lock_chain, seal


def record_moderation_event(
    *,
    concern: Concern,
    from_status: str,
    to_status: str,
    actor=None,
    reason: str = "",
    created_at: datetime | None = None,
) -> ModerationEvent:
    """Append one event for `concern` (its number, consultation and source outlive the concern itself).

    `created_at` (default: now) lets an event a resident caused (a withdrawal) keep only its day. Call
    inside the change's transaction: the chain's lock is held until that transaction ends.
    """
    event = ModerationEvent(
        concern=concern,
        concern_number=concern.pk,
        consultation_number=concern.consultation_id,
        concern_source=concern.source,
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        created_at=created_at or timezone.now(),
    )
    with transaction.atomic(savepoint=False):
        seal([event], lock_chain())
        event.save(force_insert=True)
    return event


def redaction_reason(*, hidden: Mapping[str, int], reason: str = "") -> str:
    """The audit reason of a redaction by hand: how many parts each placeholder hid, never what they were."""
    parts = ", ".join(f"{placeholder} ×{count}" for placeholder, count in sorted(hidden.items()))
    summary = f"redacted by hand: {sum(hidden.values())} part(s) hidden ({parts})" if parts else "approved unredacted"
    return f"{summary}. {reason}".strip() if reason else summary


def record_hand_redaction_event(
    *, concern: Concern, from_status: str, to_status: str, actor, hidden: Mapping[str, int], reason: str = ""
) -> ModerationEvent:
    """Append the event of a redaction by hand and decision: counts of hidden parts per placeholder, no removed word.

    Written even when the status stays the same (a published concern redacted after a report), because the
    text changed. Call inside the change's transaction.
    """
    return record_moderation_event(
        concern=concern,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        reason=redaction_reason(hidden=hidden, reason=reason),
    )


def record_moderation_events(
    *, changes: Iterable[tuple[int, str, int, str]], to_status: str, actor=None, reason: str = ""
) -> list[ModerationEvent]:
    """Append one event per (concern id, status it had, consultation id, source), all at the same time.

    One insert, chained in the order given; call inside the change's transaction.
    """
    now = timezone.now()
    events = [
        ModerationEvent(
            concern_id=concern_id,
            concern_number=concern_id,
            consultation_number=consultation_id,
            concern_source=source,
            actor=actor,
            from_status=from_status,
            to_status=to_status,
            reason=reason,
            created_at=now,
        )
        for concern_id, from_status, consultation_id, source in changes
    ]
    with transaction.atomic(savepoint=False):
        seal(events, lock_chain())
        return ModerationEvent.objects.bulk_create(events)
