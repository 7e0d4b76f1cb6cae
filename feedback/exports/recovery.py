"""Export jobs that lost their worker or their message: built again promptly, or failed with a reason, never stuck.

Every job ends, done or failed with a reason, within a bound:
- running: its worker's time limit stops it; a builder that died (its PostgreSQL advisory lock is free) is seen by
  the next sweep (every minute) and the job is queued again, up to EXPORT_MAX_ATTEMPTS starts, then failed; a job
  "running" past the hard time limit plus two minutes is failed (`jobs.fail_stale_export_jobs`);
- pending: queued again when its message may have been lost, and failed PENDING_DEADLINE after it was requested if
  no worker ever started it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils.translation import gettext as _

from ..models import ExportJob
from .jobs import JobLock, mark_export_failed, too_many_attempts

# A pending job that was handed to the broker this long ago and never started is handed over again (the message may
# have been lost with a Redis that restarted empty; a second message for a job is harmless).
RESEND_AFTER = timedelta(minutes=10)
# A job that no worker started within this long after it was requested is failed with a reason.
PENDING_DEADLINE = timedelta(hours=6)


def requeue_jobs_of_dead_builders(*, now: datetime) -> tuple[list[int], int]:
    """Find "running" jobs whose builder is gone; queue each again, or fail it once it was started too often.

    Returns (ids of the jobs requeued, how many failed). PostgreSQL only: the advisory lock held while a job is
    built dies with the builder's connection, so a running job whose lock is free has no live builder. (SQLite runs
    tasks in the web process.)
    Requeued means pending again with no `enqueued_at`: the sweep hands such jobs to the broker.
    """
    if JobLock(0).connection.vendor != "postgresql":
        return [], 0
    requeued: list[int] = []
    failed = 0
    for job_id, attempts in ExportJob.objects.filter(status=ExportJob.Status.RUNNING).values_list("pk", "attempts"):
        lock = JobLock(job_id)
        if not lock.acquire(wait_seconds=0):
            continue  # a live builder holds it
        try:
            this_attempt = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.RUNNING, attempts=attempts)
            if attempts >= settings.EXPORT_MAX_ATTEMPTS:
                failed += this_attempt.update(
                    status=ExportJob.Status.FAILED, error=too_many_attempts(attempts), finished_at=now
                )
            elif this_attempt.update(status=ExportJob.Status.PENDING, enqueued_at=None, progress=0):
                requeued.append(job_id)
        finally:
            lock.release()
    return requeued, failed


def requeue_lost_pending_jobs(*, now: datetime) -> int:
    """Pending jobs handed to the broker RESEND_AFTER ago and still not started: hand them over again."""
    return ExportJob.objects.filter(status=ExportJob.Status.PENDING, enqueued_at__lt=now - RESEND_AFTER).update(
        enqueued_at=None
    )


def fail_jobs_no_worker_started(*, now: datetime) -> int:
    """Fail, with a reason, jobs still pending PENDING_DEADLINE after they were requested."""
    failed = 0
    for job_id in ExportJob.objects.filter(
        status=ExportJob.Status.PENDING, created_at__lt=now - PENDING_DEADLINE
    ).values_list("pk", flat=True):
        failed += mark_export_failed(
            job_id,
            _(
                "No worker started this export within %(hours)d hours of the request. "
                "Check that the worker runs, then request it again."
            )
            % {"hours": PENDING_DEADLINE.total_seconds() // 3600},
        )
    return failed
