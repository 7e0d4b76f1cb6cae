"""The one place that writes the moderators' audit log (ModerationEvent): append-only, never updated.

An event holds numbers, statuses, the staff account and the staff's own reason, never the words of the concern:
the log outlives a concern its author withdrew, and nothing of what they wrote may outlive it.
"""

from __future__ import annotations

from collections.abc import Iterable
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
