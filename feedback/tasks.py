"""Celery tasks: thin wrappers that call services. They take ids, never model instances.

Every task is idempotent, so each is acknowledged late and put back in the queue if the process
running it dies (CELERY_TASK_ACKS_LATE, CELERY_TASK_REJECT_ON_WORKER_LOST in settings, repeated
here so a task keeps them whatever the configuration). Errors a later try may cure (the database
or the mail server unreachable) are retried with exponential backoff; time limits stop a task
that hangs. Nothing imports this module: services reach these tasks by name (feedback/queue.py).
"""

from __future__ import annotations

import logging
import math
import smtplib

from celery import Task, bootsteps, current_app, shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils.translation import gettext
from kombu.exceptions import OperationalError as BrokerOperationalError

from . import queue, retention, sweep
from .exports.jobs import ExportBusy, mark_export_failed, run_export_job
from .notifications.digest import send_moderator_digest
from .participation.services import recount_endorsements
from .results.rollups import check_rollups
from .themes.services import rebuild_due_themes, rebuild_themes_of

logger = logging.getLogger(__name__)

# Errors that mean "try again later", not "this cannot work".
TRANSIENT_ERRORS = (
    OperationalError,
    InterfaceError,
    BrokerOperationalError,
    smtplib.SMTPException,
    ConnectionError,
    TimeoutError,  # the mail server did not answer within EMAIL_TIMEOUT
)

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
# A message for an export another worker is building is looked at again every BUSY_COUNTDOWN seconds, for as long
# as that worker may take (its hard time limit, plus two minutes), then the job is failed.
BUSY_COUNTDOWN = 20
BUSY_RETRIES = math.ceil((settings.CELERY_TASK_TIME_LIMIT + 120) / BUSY_COUNTDOWN)


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
        # A second message for a job a live worker is building: look again once it may be done. That worker's
        # time limit bounds it; still locked after that, the lock outlived its builder, and the job is failed.
        if self.request.retries >= BUSY_RETRIES:
            mark_export_failed(
                job_id,
                gettext(
                    "The export stayed locked by another worker for longer than the time limit (%(seconds)d "
                    "seconds). Request it again."
                )
                % {"seconds": settings.CELERY_TASK_TIME_LIMIT},
            )
            return "failed"
        raise self.retry(exc=busy, countdown=BUSY_COUNTDOWN, max_retries=BUSY_RETRIES) from None
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


@shared_task(
    **RELIABLE, soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT, time_limit=settings.CELERY_TASK_TIME_LIMIT
)
def check_aggregates() -> int:
    """Recount every roll-up from the raw rows and repair any drift (logged); returns how many cells drifted."""
    return len(check_rollups(repair=True).drifts)


@shared_task(**RELIABLE, **SHORT_LIMITS)
def purge_expired_data() -> dict:
    """Delete personal data and export files past their retention periods; returns counts."""
    return retention.purge_expired_personal_data().as_dict()


@shared_task(
    **RELIABLE, soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT, time_limit=settings.CELERY_TASK_TIME_LIMIT
)
def purge_closed_consultations() -> dict:
    """Purge each closed consultation PURGE_DAYS_AFTER_CLOSE days after it closed; returns counts by slug."""
    return retention.purge_closed_consultations()


@shared_task(**RELIABLE, **SHORT_LIMITS)
def rewrite_concerns_table() -> list:
    """After a withdrawal: rewrite the concerns table so the deleted words leave PostgreSQL's data files."""
    return retention.rewrite_concerns_table()


@shared_task(**RELIABLE, **SHORT_LIMITS)
def sweep_pending_work(worker_connected: bool = False) -> dict:
    """Queue again what never reached a worker; fail exports whose worker died (feedback/sweep.py)."""
    return sweep.sweep_pending_work(worker_connected=worker_connected)


THEME_LIMITS = {"soft_time_limit": settings.CELERY_TASK_SOFT_TIME_LIMIT, "time_limit": settings.CELERY_TASK_TIME_LIMIT}


@shared_task(**RELIABLE, **THEME_LIMITS)
def rebuild_themes_when_due() -> list[str]:
    """Rebuild the themes of each open consultation with THEMES_REBUILD_AFTER_CONCERNS new concerns; their slugs."""
    return rebuild_due_themes(min_new_concerns=settings.THEMES_REBUILD_AFTER_CONCERNS)


@shared_task(**RELIABLE, **THEME_LIMITS)
def build_themes(consultation_id: int) -> int:
    """Rebuild one consultation's themes now (the admin's button); returns how many themes it has."""
    return rebuild_themes_of(consultation_id=consultation_id)


def sweep_when_a_worker_connects() -> bool:
    """A worker that starts, or reconnects after a broker outage, picks up what was recorded meanwhile."""
    return queue.send_now(queue.SWEEP_PENDING_WORK, True)


class SweepWhenConnected(bootsteps.StartStopStep):
    """A step of the worker's consumer, which starts again each time the worker (re)connects to the broker."""

    requires = ("celery.worker.consumer.tasks:Tasks",)

    def start(self, consumer) -> None:
        sweep_when_a_worker_connects()


current_app.steps["consumer"].add(SweepWhenConnected)
