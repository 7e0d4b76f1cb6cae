"""Reads for moderators."""

from __future__ import annotations

from django.db.models import Count, Q

from ..models import Concern


def moderation_queue_counts() -> dict[str, int]:
    """{"pending": concerns waiting for a first decision, "reported": decided concerns reported since}.

    Concerns of a purged consultation wait for nothing (they can no longer change). One query.
    """
    return Concern.objects.filter(purged_on__isnull=True).aggregate(
        pending=Count("pk", filter=Q(status=Concern.Status.PENDING)),
        reported=Count("pk", filter=Q(reported_at__isnull=False) & ~Q(status=Concern.Status.PENDING)),
    )
