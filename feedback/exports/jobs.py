"""Export jobs: how the admin builds export files in the background, in private storage, within bounds."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civictrust.db import reads_figures

from .. import queue
from ..models import ExportJob, private_storage
from ..results.tallies import TallyFilters
from .formats import ExportError, ProgressCallback
from .record_files import write_records
from .tallies import export_tally_tables, tallies_file

logger = logging.getLogger(__name__)


class ExportBusy(Exception):
    """Another live worker is building this job right now; try the message again later."""


ENDED = (ExportJob.Status.DONE, ExportJob.Status.FAILED)


# --- Export jobs -------------------------------------------------------------------------------------


@contextmanager
def progress_reporter(job_id: int, attempt: int) -> Iterator[ProgressCallback]:
    """A ProgressCallback that records the attempt's percentage where the admin sees it at once.

    The files are written inside one long transaction (record_files._one_snapshot), so a progress update made
    in it would only show when the export ends, and would hold the job's row locked meanwhile. On PostgreSQL
    each update goes through a connection of its own instead, committed at once.
    """
    own = connections[DEFAULT_DB_ALIAS].copy() if connections[DEFAULT_DB_ALIAS].vendor == "postgresql" else None
    this_attempt = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.RUNNING, attempts=attempt)
    meta = ExportJob._meta
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    # Identifiers come from the model's metadata, values are parameters.
    sql = (
        f"UPDATE {quote(meta.db_table)} SET {quote(meta.get_field('progress').column)} = %s "  # noqa: S608  # nosec B608
        f"WHERE {quote(meta.pk.column)} = %s AND {quote(meta.get_field('status').column)} = %s "
        f"AND {quote(meta.get_field('attempts').column)} = %s"
    )

    def on_progress(done: int, total: int) -> None:
        percent = min(99, int(done * 100 / total)) if total else 0
        if own is None:
            this_attempt.update(progress=percent)
            return
        with own.cursor() as cursor:
            cursor.execute(sql, [percent, job_id, ExportJob.Status.RUNNING, attempt])

    try:
        yield on_progress
    finally:
        if own is not None:
            own.close()


def filters_from_json(data: dict | None) -> TallyFilters:
    """The TallyFilters an ExportJob's `filters` describe (dates as ISO strings); unknown keys ignored."""
    data = data or {}

    def day(name: str) -> date | None:
        value = data.get(name)
        return date.fromisoformat(value) if value else None

    return TallyFilters(
        since=day("since"),
        until=day("until"),
        community_area=data.get("community_area", "") or "",
        role=data.get("role", "") or "",
        source=data.get("source", "") or "",
    )


def filters_to_json(filters: TallyFilters) -> dict:
    """The non-empty fields of `filters`, JSON-ready (inverse of `filters_from_json`)."""
    data = {
        "since": filters.since.isoformat() if filters.since else "",
        "until": filters.until.isoformat() if filters.until else "",
        "community_area": filters.community_area,
        "role": filters.role,
        "source": filters.source,
    }
    return {key: value for key, value in data.items() if value}


EXPORT_INTERNAL_PERMISSION = "feedback.export_internal"


def can_download_exports(user) -> bool:
    """Who may download export files: active staff with the "view export" permission."""
    return bool(user.is_active and user.is_staff and user.has_perm("feedback.view_exportjob"))


def can_export_internal(user) -> bool:
    """Who may request and download exact, internal exports: staff allowed to export, with export_internal."""
    return can_download_exports(user) and user.has_perm(EXPORT_INTERNAL_PERMISSION)


def can_download_job(user, job: ExportJob) -> bool:
    return can_export_internal(user) if job.internal else can_download_exports(user)


def request_export(job: ExportJob, *, requested_by=None) -> ExportJob:
    """Save a new export job (pending) and queue its building once the transaction commits.

    If the broker is down the job is saved all the same, with `enqueued_at` empty, and the
    periodic sweep queues it later. Raises ValidationError (nothing saved) on invalid fields, on
    filters for a shareable export (it covers the whole consultation), and on an internal export
    requested by someone without `feedback.export_internal`.
    """
    job.requested_by = requested_by
    job.status = ExportJob.Status.PENDING
    job.full_clean()
    filters = filters_from_json(job.filters)  # refuse filters that cannot be read before anything is saved
    if job.internal and (requested_by is None or not can_export_internal(requested_by)):
        raise ValidationError(_("Exact, internal exports need the permission to export internal records."))
    if not job.internal and filters != TallyFilters():
        raise ValidationError(
            _("A shareable export covers the whole consultation: filters are only for exact, internal exports.")
        )
    with transaction.atomic():
        job.save()
        queue.enqueue_after_commit(queue.BUILD_EXPORT, job.pk, on_queued=lambda: mark_export_queued(job.pk))
    return job


def mark_export_queued(job_id: int) -> None:
    ExportJob.objects.filter(pk=job_id, enqueued_at__isnull=True).update(enqueued_at=timezone.now())


def mark_export_failed(job_id: int, reason: str) -> bool:
    """Mark a pending or running job failed with `reason`; False if it had already ended."""
    updated = ExportJob.objects.filter(
        pk=job_id, status__in=(ExportJob.Status.PENDING, ExportJob.Status.RUNNING)
    ).update(status=ExportJob.Status.FAILED, error=reason, finished_at=timezone.now())
    return bool(updated)


def _marked(job: ExportJob, marking: str) -> str:
    return f"{job.kind}-{marking}" if job.internal else job.kind


def export_storage_name(job: ExportJob) -> str:
    """Where a job's file lives in private storage: fixed per job, so a retry overwrites its own file."""
    return f"exports/{job.consultation.slug}-{_marked(job, 'internal')}-{job.pk}.{job.format}"


def download_filename(job: ExportJob, *, suffix: str = "") -> str:
    """The name staff get: an internal export says INTERNAL in it; `suffix` names the readme beside a file."""
    day = timezone.localtime(job.finished_at or job.created_at).date().isoformat()
    return f"civictrust-{job.consultation.slug}-{_marked(job, 'INTERNAL')}-{day}.{job.format}{suffix}"


class JobLock:
    """A PostgreSQL session advisory lock held while a job is built.

    It dies with the connection of the process holding it, so a second delivery of the same job
    can tell a live builder (lock held: leave it) from a dead one (lock free: take over). SQLite
    runs tasks in the web process only, one at a time, and needs no lock.
    """

    NAMESPACE = 0x0C1C  # first key of the two-key advisory lock, "civic"
    # Behind PgBouncer (transaction pooling) a session lock needs a session of its own: PostgreSQL itself.
    DATABASE = "direct"

    @property
    def connection(self):
        return connections[self.DATABASE if self.DATABASE in settings.DATABASES else "default"]

    def __init__(self, job_id: int):
        self.job_id = job_id
        self.held = False

    def acquire(self, wait_seconds: float = 5.0) -> bool:
        """Take the lock, waiting a little: a killed builder's connection takes a moment to close."""
        if self.connection.vendor != "postgresql":
            self.held = True
            return True
        deadline = time.monotonic() + wait_seconds
        while True:
            with self.connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [self.NAMESPACE, self.job_id])
                self.held = bool(cursor.fetchone()[0])
            if self.held or time.monotonic() >= deadline:
                return self.held
            time.sleep(0.25)

    def release(self) -> None:
        """Let the lock go; if the database would not say it did, close the connection, which ends the lock.

        A lock left held on a live connection would make the job look built by a live worker for ever.
        """
        if self.held and self.connection.vendor == "postgresql":
            try:
                with self.connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [self.NAMESPACE, self.job_id])
            except DatabaseError:
                logger.warning("Could not release the lock of export job %s; closing its connection.", self.job_id)
                self.connection.close()
        self.held = False


def _start_job(job_id: int) -> ExportJob | None:
    """Mark the job running (one more attempt), or None if there is nothing to do."""
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().select_related("consultation").filter(pk=job_id).first()
        if job is None or job.status in ENDED:
            return None
        if job.attempts >= settings.EXPORT_MAX_ATTEMPTS:
            job.status = ExportJob.Status.FAILED
            job.error = too_many_attempts(job.attempts)
            job.finished_at = timezone.now()
            job.save(update_fields=["status", "error", "finished_at"])
            return None
        job.status = ExportJob.Status.RUNNING
        job.attempts += 1
        job.progress = 0
        job.error = ""
        job.started_at = timezone.now()
        job.save(update_fields=["status", "attempts", "progress", "error", "started_at"])
    return job


def too_many_attempts(attempts: int) -> str:
    """Why a job was given up after EXPORT_MAX_ATTEMPTS starts."""
    return _(
        "The export was started %(attempts)d times without finishing (its worker stopped, or the "
        "database could not be reached). Request it again, or a smaller one (filters)."
    ) % {"attempts": attempts}


@reads_figures
def _build_file(job: ExportJob, on_progress: ProgressCallback) -> tuple[int, str]:
    """Write the job's file into private storage (atomically: a partial file never shows); (rows, readme)."""
    filters = filters_from_json(job.filters)
    name = export_storage_name(job)
    path = private_storage.path(name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    partial = path + ".part"
    with open(partial, "wb") as out:
        if job.kind == ExportJob.Kind.TALLIES:
            tables = export_tally_tables(
                job.consultation, internal=job.internal, filters=filters, on_progress=on_progress
            )
            out.write(tallies_file(tables, job.format))
            rows = sum(len(table.rows) for table in tables[1:])
            readme = [label for _key, label, *_rest in tables[0].rows]
        else:
            written = write_records(
                consultation=job.consultation,
                what=job.kind,
                fmt=job.format,
                out=out,
                filters=filters,
                on_progress=on_progress,
                internal=job.internal,
            )
            rows, readme = written.rows, written.readme
    os.replace(partial, path)
    return rows, "\n\n".join(readme)


def run_export_job(job_id: int) -> ExportJob | None:
    """Build one export job's file; idempotent and safe to deliver more than once.

    A done or failed job is left as it is; a job another live worker is building raises
    ExportBusy (the task tries again later, by when it is done); a job whose builder died is taken
    over, up to EXPORT_MAX_ATTEMPTS attempts, then failed with a reason. Progress is saved as it
    goes. Errors that a retry may cure (the database went away) propagate for the task to retry;
    any other error, and running out of time, fail the job with a message staff can read.
    Returns the job as it ended, or None if there was nothing to do.
    """
    if not ExportJob.objects.filter(pk=job_id).exclude(status__in=ENDED).exists():
        return None  # built or failed already (or deleted): a late second message has nothing to do, lock or not
    lock = JobLock(job_id)
    if not lock.acquire():
        raise ExportBusy(job_id)
    try:
        job = _start_job(job_id)
        if job is None:
            return None
        attempt = job.attempts
        this_attempt = ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.RUNNING, attempts=attempt)
        try:
            with progress_reporter(job.pk, attempt) as on_progress:
                rows, readme = _build_file(job, on_progress)
        except (SoftTimeLimitExceeded, ExportError) as error:
            reason = (
                _("The export took longer than the time limit (%(seconds)d seconds); narrow it with filters.")
                % {"seconds": settings.CELERY_TASK_SOFT_TIME_LIMIT}
                if isinstance(error, SoftTimeLimitExceeded)
                else str(error)
            )
            this_attempt.update(status=ExportJob.Status.FAILED, error=reason, finished_at=timezone.now())
            return ExportJob.objects.get(pk=job.pk)
        except DatabaseError:
            raise  # the task retries with backoff
        except Exception as error:
            logger.exception("Export job %s failed.", job_id)
            this_attempt.update(
                status=ExportJob.Status.FAILED,
                error=_("The export failed unexpectedly (%(error)s).") % {"error": type(error).__name__},
                finished_at=timezone.now(),
            )
            return ExportJob.objects.get(pk=job.pk)
        finished = this_attempt.update(
            status=ExportJob.Status.DONE,
            progress=100,
            row_count=rows,
            readme=readme,
            file=export_storage_name(job),
            finished_at=timezone.now(),
        )
        if not finished:  # the sweep gave up on this attempt meanwhile: its file is not wanted
            logger.warning("Export job %s finished after it was marked failed; file discarded.", job_id)
            private_storage.delete(export_storage_name(job))
        return ExportJob.objects.get(pk=job.pk)
    finally:
        lock.release()


def stale_running_cutoff(now: datetime) -> datetime:
    """Jobs running since before this have outlived the hard time limit: their worker is gone."""
    return now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 120)


def fail_stale_export_jobs(*, now: datetime | None = None) -> int:
    """Fail (with a reason) jobs still "running" long after any worker would have been stopped.

    Catches a worker killed as a whole (its message then waits for the broker's visibility
    timeout) or a pool without time limits. Returns how many jobs it failed.
    """
    now = now or timezone.now()
    return ExportJob.objects.filter(status=ExportJob.Status.RUNNING, started_at__lt=stale_running_cutoff(now)).update(
        status=ExportJob.Status.FAILED,
        error=_(
            "The worker building this export stopped without finishing (restarted, or out of memory). Request it again."
        ),
        finished_at=now,
    )


def delete_export_files(jobs) -> int:
    """Delete the files of these jobs from private storage and forget them; returns how many."""
    deleted = 0
    for job in jobs.exclude(file=""):
        job.file.delete(save=False)
        deleted += 1
    jobs.exclude(file="").update(file="")
    return deleted


def delete_expired_export_files(*, now: datetime | None = None) -> int:
    """Delete export files older than EXPORT_RETENTION_DAYS, and partial files left by dead workers."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.EXPORT_RETENTION_DAYS)
    deleted = delete_export_files(ExportJob.objects.filter(finished_at__lt=cutoff))
    directory = private_storage.path("exports")
    if os.path.isdir(directory):
        for entry in os.scandir(directory):
            if entry.name.endswith(".part") and entry.stat().st_mtime < (now - timedelta(days=1)).timestamp():
                os.remove(entry.path)
                deleted += 1
    return deleted
