"""The one place that writes the moderators' audit log (ModerationEvent): append-only, never updated.

An event holds numbers, statuses, the staff account and the staff's own reason, never the words of the concern:
the log outlives a concern its author withdrew, and nothing of what they wrote may outlive it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from django.utils import timezone

from ..models import Concern, ModerationEvent


def record_moderation_event(
    *,
    concern: Concern,
    from_status: str,
    to_status: str,
    actor=None,
    reason: str = "",
    created_at: datetime | None = None,
) -> ModerationEvent:
    """Append one event for `concern` (its number outlives the concern itself). Call inside the change's transaction.

    `created_at` (default: now) lets an event a resident caused (a withdrawal) keep only its day.
    """
    return ModerationEvent.objects.create(
        concern=concern,
        concern_number=concern.pk,
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        created_at=created_at or timezone.now(),
    )


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
    *, changes: Iterable[tuple[int, str]], to_status: str, actor=None, reason: str = ""
) -> list[ModerationEvent]:
    """Append one event per (concern id, status it had) in one query, all at the same time."""
    now = timezone.now()
    return ModerationEvent.objects.bulk_create(
        ModerationEvent(
            concern_id=concern_id,
            concern_number=concern_id,
            actor=actor,
            from_status=from_status,
            to_status=to_status,
            reason=reason,
            created_at=now,
        )
        for concern_id, from_status in changes
    )
