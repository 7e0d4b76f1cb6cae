"""Arrival counts per minute: incremented as endorsements and web concerns arrive, deleted after a few days.

A count says how many arrived in a minute and how many of those came from participants new to the
consultation; it holds no participant id and nothing else a row could be matched with. These counts
are what bursts are found in (`bursts.detection`), since the rows themselves keep only their day.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from ..counters import add_to_counts
from ..models import ArrivalCount

KEYS = ("consultation", "kind", "subject", "minute")
COUNTS = ("arrivals", "from_new_participants")


def minute_of(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def record_arrival(
    *, consultation_id: int, kind: str, subject: int, new_participant: bool, at: datetime | None = None
) -> None:
    """Add one arrival to its minute's count (one statement). Call inside the arrival's own transaction."""
    add_arrivals([(consultation_id, kind, subject, minute_of(at or timezone.now()), 1, int(new_participant))])


def add_arrivals(rows: Iterable[tuple[int, str, int, datetime, int, int]]) -> None:
    """Add (consultation id, kind, subject, minute, arrivals, from new participants) counts, creating rows."""
    add_to_counts(
        ArrivalCount,
        (dict(zip((*KEYS, *COUNTS), row, strict=True)) for row in rows),
        keys=KEYS,
        counts=COUNTS,
    )


def purge_old_arrivals(*, now: datetime | None = None) -> int:
    """Delete counts older than BURST_WINDOW_RETENTION_DAYS; returns how many. Idempotent."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.BURST_WINDOW_RETENTION_DAYS)
    deleted, _by_model = ArrivalCount.objects.filter(minute__lt=cutoff).delete()
    return deleted
