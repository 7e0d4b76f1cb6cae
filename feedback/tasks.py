"""Celery tasks: thin wrappers that call services. They take ids, never model instances.

Every task is idempotent, so each is acknowledged late and put back in the queue if the process
running it dies (CELERY_TASK_ACKS_LATE, CELERY_TASK_REJECT_ON_WORKER_LOST in settings, repeated
here so a task keeps them whatever the configuration). Errors a later try may cure (the database
or the mail server unreachable) are retried with exponential backoff; time limits stop a task
that hangs. Nothing imports this module: services reach these tasks by name (feedback/queue.py).
"""

from __future__ import annotations

import logging
import smtplib

from celery import Task, shared_task
from celery.signals import worker_ready
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils.translation import gettext
from kombu.exceptions import OperationalError as BrokerOperationalError

from . import queue, retention, sweep
from .exports.jobs import ExportBusy, mark_export_failed, run_export_job
from .notifications.digest import send_moderator_digest
from .participation.services import recount_endorsements

logger = logging.getLogger(__name__)

# Errors that mean "try again later", not "this cannot work".
TRANSIENT_ERRORS = (OperationalError, InterfaceError, BrokerOperationalError, smtplib.SMTPException, ConnectionError)

RELIABLE = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": 5,
    # Below the broker's visibility timeout: a retry waiting longer would be delivered twice.
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 5,
}
SHORT_LIMITS = {"soft_time_limit": 240, "time_limit": 300}


class ExportTask(Task):
    """Fails the export job with a reason when the task gives up (retries exhausted)."""

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        try:
            mark_export_failed(
                args[0],
                gettext("The export could not be built (%(error)s); request it again later.")
                % {"error": type(exc).__name__},
            )
        except Exception:  # the database may be the very thing that is down; the sweep catches it later
            logger.warning("Could not mark export job %s failed.", args[0])


@shared_task(
    bind=True,
    base=ExportTask,
    **{**RELIABLE, "max_retries": 3},
    soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.CELERY_TASK_TIME_LIMIT,
)
def build_export(self, job_id: int) -> str:
    """Build one ExportJob's file (exports.jobs.run_export_job); returns the job's final status."""
    try:
        job = run_export_job(job_id)
    except ExportBusy as busy:
        # A second message for a job a live worker is building: look again once it may be done
        # (it is bounded by that worker's time limit, after which the job is done or failed).
        raise self.retry(exc=busy, countdown=20, max_retries=None) from None
    return job.status if job is not None else "skipped"


@shared_task(**RELIABLE, **SHORT_LIMITS)
def notify_moderators() -> int:
    """Email moderators a digest of new pending concerns; returns how many concerns it announced."""
    return send_moderator_digest()


@shared_task(**RELIABLE, **SHORT_LIMITS)
def snapshot_tallies() -> int:
    """Repair any drifted endorsement count, then record today's tallies of each open consultation."""
    recount_endorsements()
    return retention.take_tally_snapshots()


@shared_task(**RELIABLE, **SHORT_LIMITS)
def purge_expired_data() -> dict:
    """Delete personal data and export files past their retention periods; returns counts."""
    return retention.purge_expired_personal_data().as_dict()


@shared_task(**RELIABLE, **SHORT_LIMITS)
def sweep_pending_work() -> dict:
    """Queue again what never reached a worker; fail exports whose worker died (feedback/sweep.py)."""
    return sweep.sweep_pending_work()


@worker_ready.connect
def sweep_when_a_worker_starts(sender=None, **kwargs) -> None:
    """A worker that starts after an outage picks up what was recorded while the broker was down."""
    queue.send_now(queue.SWEEP_PENDING_WORK)
