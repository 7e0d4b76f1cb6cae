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


# The moderation queue: concerns waiting for a first decision, and decided ones reported since.
# A purged concern can no longer change, so it waits for nobody.
IN_QUEUE = (Q(status=Concern.Status.PENDING) | Q(reported_at__isnull=False)) & Q(purged_on=None)


def next_in_queue(*, after: Concern) -> Concern | None:
    """The concern to moderate after `after`: the next one of the queue in its order (oldest first), else its first.

    `after` itself is never returned. At most two queries.
    """
    queue = Concern.objects.filter(IN_QUEUE).exclude(pk=after.pk).order_by("created_at", "pk")
    later = Q(created_at__gt=after.created_at) | Q(created_at=after.created_at, pk__gt=after.pk)
    return queue.filter(later).first() or queue.first()


def near_duplicate_group(concern: Concern) -> list[Concern]:
    """The other concerns of `concern`'s near-duplicate group (the one it repeats, and those repeating it or that).

    Oldest first, at most 20, in one query.
    """
    root = concern.near_duplicate_of_id or concern.pk
    return list(
        Concern.objects.filter(Q(pk=root) | Q(near_duplicate_of_id=root))
        .exclude(pk=concern.pk)
        .select_related("topic")
        .order_by("created_at", "pk")[:20]
    )
