"""Hand work to Celery only once the data it needs is committed, and never lose a request to a broker outage.

Every piece of background work is first recorded in the database (a pending `ExportJob`, a concern
whose `moderators_notified_at` is still empty); the broker only carries a reminder to do it. If the
reminder cannot be sent, `sweep_pending_work` (every few minutes, and when a worker starts) sends it
again, so nothing depends on the broker being up at the moment a resident or organizer acts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

# Work recorded less than this long ago is left to the request that recorded it (whose
# after-commit send may still be under way), so the sweep does not send a duplicate.
SWEEP_GRACE = timedelta(seconds=5)


def enqueue_after_commit(
    task, *args, on_queued: Callable[[], None] | None = None, countdown: int | None = None
) -> None:
    """Queue `task(*args)` after the current transaction commits.

    If the broker cannot be reached the request that caused the work still succeeds: the
    failure is logged, and the work stays recorded in the database (a pending export job,
    a concern whose moderators were not yet notified) for the periodic sweep to pick up.
    `on_queued` runs only once the broker accepted the message (e.g. to record when); `countdown`
    delays the task by that many seconds (ignored when tasks run in-process).
    """
    transaction.on_commit(lambda: send_now(task, *args, on_queued=on_queued, countdown=countdown))


def send_now(task, *args, on_queued: Callable[[], None] | None = None, countdown: int | None = None) -> bool:
    """Send `task(*args)` to the broker now; False (logged, never raised) if it could not be sent.

    Bounded in time when the broker is down: the connection timeouts and the single publish
    retry come from the CELERY_BROKER_* settings, so a web request waits a few seconds at most.
    """
    try:
        task.apply_async(args=args, countdown=countdown)
    except Exception as error:  # the broker's client raises many kinds; none may reach the resident
        logger.warning("Could not queue %s (%s); the periodic sweep will pick it up.", task.name, type(error).__name__)
        return False
    if on_queued is not None:
        on_queued()
    return True


def sweep_pending_work(*, now=None) -> dict[str, int]:
    """Send again what was recorded but never reached a worker; fail exports whose worker died.

    Idempotent: sending an export job twice is harmless (`run_export_job` builds each job once)
    and so is a second moderator digest (each concern is announced once). Returns counts of what
    it did, for the logs.
    """
    from . import exports
    from .models import Concern, ExportJob
    from .tasks import build_export, notify_moderators

    now = now or timezone.now()
    counts = {"exports_queued": 0, "digests_queued": 0, "exports_failed": exports.fail_stale_export_jobs(now=now)}
    waiting_jobs = ExportJob.objects.filter(
        status=ExportJob.Status.PENDING, enqueued_at__isnull=True, created_at__lt=now - SWEEP_GRACE
    ).values_list("pk", flat=True)
    for job_id in waiting_jobs:
        if not send_now(build_export, job_id, on_queued=lambda job_id=job_id: exports.mark_export_queued(job_id)):
            break  # the broker is still down; the next sweep tries again
        counts["exports_queued"] += 1
    unannounced = Concern.objects.filter(
        status=Concern.Status.PENDING, moderators_notified_at__isnull=True, created_at__lt=now - SWEEP_GRACE
    )
    if unannounced.exists() and send_now(notify_moderators):
        counts["digests_queued"] = 1
    return counts
