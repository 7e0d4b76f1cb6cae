"""The periodic sweep: send again what was recorded but never reached a worker, and end exports whose worker died.

Nothing depends on the broker being up at the moment a resident or organizer acts: the work is in the
database first (a pending `ExportJob`, a concern whose moderators were not yet notified), and this sweep,
every few minutes and whenever a worker starts, hands to the broker whatever it never received.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from . import queue
from .exports import jobs
from .models import Concern, ExportJob

# Work recorded less than this long ago is left to the request that recorded it (whose
# after-commit send may still be under way), so the sweep does not send a duplicate.
SWEEP_GRACE = timedelta(seconds=5)


def sweep_pending_work(*, now=None) -> dict[str, int]:
    """Send again what was recorded but never reached a worker; fail exports whose worker died.

    Idempotent: sending an export job twice is harmless (`run_export_job` builds each job once)
    and so is a second moderator digest (each concern is announced once). Returns counts of what
    it did, for the logs.
    """
    now = now or timezone.now()
    counts = {"exports_queued": 0, "digests_queued": 0, "exports_failed": jobs.fail_stale_export_jobs(now=now)}
    waiting_jobs = ExportJob.objects.filter(
        status=ExportJob.Status.PENDING, enqueued_at__isnull=True, created_at__lt=now - SWEEP_GRACE
    ).values_list("pk", flat=True)
    for job_id in waiting_jobs:
        queued = queue.send_now(
            queue.BUILD_EXPORT, job_id, on_queued=lambda job_id=job_id: jobs.mark_export_queued(job_id)
        )
        if not queued:
            break  # the broker is still down; the next sweep tries again
        counts["exports_queued"] += 1
    unannounced = Concern.objects.filter(
        status=Concern.Status.PENDING, moderators_notified_at__isnull=True, created_at__lt=now - SWEEP_GRACE
    )
    if unannounced.exists() and queue.send_now(queue.NOTIFY_MODERATORS):
        counts["digests_queued"] = 1
    return counts
