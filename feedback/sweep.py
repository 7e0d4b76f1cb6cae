"""The periodic sweep: send again what was recorded but never reached a worker, and end exports whose worker died.

Nothing depends on the broker being up at the moment a resident or organizer acts: the work is in the
database first (a pending `ExportJob`, a concern whose moderators were not yet notified), and this sweep,
every few minutes and whenever a worker starts, hands to the broker whatever it never received.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from . import queue
from .exports import jobs, recovery
from .models import Concern, ExportJob
from .notifications.digest import seconds_until_scheduled_digest

# Work recorded less than this long ago is left to the request that recorded it (whose
# after-commit send may still be under way), so the sweep does not send a duplicate.
SWEEP_GRACE = timedelta(seconds=5)


def sweep_pending_work(*, now: datetime | None = None, worker_connected: bool = False) -> dict[str, int]:
    """Send again what was recorded but never reached a worker; fail exports whose worker died.

    Idempotent: sending an export job twice is harmless (`run_export_job` builds each job once)
    and so is a moderator digest (each concern is announced once). Never a second digest within a
    digest period: see `_queue_lost_digest`. `worker_connected`: a worker just (re)connected to
    the broker, and the delayed digest it may have held is gone with its old connection. Returns
    counts of what it did, for the logs.
    """
    now = now or timezone.now()
    requeued, failed = recovery.requeue_jobs_of_dead_builders(now=now)
    failed += jobs.fail_stale_export_jobs(now=now) + recovery.fail_jobs_no_worker_started(now=now)
    recovery.requeue_lost_pending_jobs(now=now)
    counts = {"exports_queued": 0, "digests_queued": 0, "exports_failed": failed, "exports_requeued": len(requeued)}
    # A job whose builder died is queued at once, however young; others after the grace left to their request.
    waiting_jobs = ExportJob.objects.filter(
        Q(created_at__lt=now - SWEEP_GRACE) | Q(pk__in=requeued),
        status=ExportJob.Status.PENDING,
        enqueued_at__isnull=True,
    ).values_list("pk", flat=True)
    for job_id in waiting_jobs:
        queued = queue.send_now(
            queue.BUILD_EXPORT, job_id, on_queued=lambda job_id=job_id: jobs.mark_export_queued(job_id)
        )
        if not queued:
            break  # the broker is still down; the next sweep tries again
        counts["exports_queued"] += 1
    counts["digests_queued"] = _queue_lost_digest(worker_connected=worker_connected)
    return counts


def _queue_lost_digest(*, worker_connected: bool) -> int:
    """Queue the moderators' digest that was lost; 1 if one was queued.

    The first concern of a period queued a digest for the period's end and marked the period in the cache
    (notifications.digest), so while that mark stands a digest is on its way and sending one now would be a
    second email in the same period. Unannounced concerns and no mark: that digest was lost (the broker was
    down, or restarted empty), so it goes now. After a worker (re)connects, the delayed digest it held may be
    gone with its old connection, so it is queued again for the end of the period.
    """
    if not Concern.objects.filter(status=Concern.Status.PENDING, moderators_notified_at__isnull=True).exists():
        return 0
    remaining = seconds_until_scheduled_digest()
    if remaining is None:
        return int(queue.send_now(queue.NOTIFY_MODERATORS))
    if worker_connected:
        return int(queue.send_now(queue.NOTIFY_MODERATORS, countdown=remaining + 1))
    return 0
