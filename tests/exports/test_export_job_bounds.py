"""Every export job ends, done or failed with a reason, within a bound: a dead builder's job is built again at the
next sweep, a lock never outlives its builder, and a busy or lost message is given up on after a bound."""

from __future__ import annotations

import uuid
from datetime import timedelta

import psycopg
import pytest
from celery.exceptions import Retry
from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from feedback import tasks
from feedback.exports.jobs import ExportBusy, JobLock, run_export_job
from feedback.exports.recovery import PENDING_DEADLINE, RESEND_AFTER
from feedback.models import Endorsement, ExportJob
from feedback.sweep import sweep_pending_work
from tests.availability import postgresql_only


@pytest.fixture
def consultation(briefing):
    remedy = briefing.remedies.first()
    Endorsement.objects.bulk_create(Endorsement(remedy=remedy, participant=uuid.uuid4()) for _ in range(5))
    return briefing


def other_connection() -> psycopg.Connection:
    """A second database session, as another worker's."""
    settings_dict = connection.settings_dict
    return psycopg.connect(
        dbname=settings_dict["NAME"],
        user=settings_dict["USER"] or None,
        host=settings_dict["HOST"] or None,
        port=settings_dict["PORT"] or None,
        password=settings_dict["PASSWORD"] or None,
        autocommit=True,
    )


def running_job(consultation, attempts: int = 1) -> ExportJob:
    """A job marked running by a builder that started it a minute ago (the lock says whether it still lives)."""
    started = timezone.now() - timedelta(minutes=1)
    return ExportJob.objects.create(
        consultation=consultation, status="running", attempts=attempts, progress=9, started_at=started,
        created_at=started, enqueued_at=started,
    )  # fmt: skip


@postgresql_only
def test_the_next_sweep_builds_again_a_job_whose_builder_was_killed(consultation):
    job = running_job(consultation)  # "running 9 %", and nobody holds its lock: the builder is gone

    counts = sweep_pending_work()

    assert counts["exports_requeued"] == 1 and counts["exports_queued"] == 1
    job.refresh_from_db()
    assert (job.status, job.attempts, job.error) == ("done", 2, "")  # tasks run in-process here


@postgresql_only
def test_the_sweep_leaves_a_job_whose_builder_is_alive(consultation):
    job = running_job(consultation)
    builder = other_connection()
    try:
        builder.execute("SELECT pg_advisory_lock(%s, %s)", [JobLock.NAMESPACE, job.pk])
        assert sweep_pending_work()["exports_requeued"] == 0
    finally:
        builder.close()
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("running", 1)


@postgresql_only
def test_a_killed_job_that_was_started_too_often_is_failed_with_a_reason(consultation):
    job = running_job(consultation, attempts=settings.EXPORT_MAX_ATTEMPTS)
    assert sweep_pending_work()["exports_failed"] == 1
    job.refresh_from_db()
    assert job.status == "failed"
    assert f"started {settings.EXPORT_MAX_ATTEMPTS} times without finishing" in job.error


class UnlockFails:
    """The builder's connection as seen by the lock, at the moment `pg_advisory_unlock` fails."""

    vendor = "postgresql"

    def cursor(self):
        raise DatabaseError("the unlock went unanswered")

    def close(self):
        connection.close()  # the lock's database is the default one in the tests (no separate "direct" alias)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_lock_the_database_would_not_release_ends_with_its_connection(consultation, monkeypatch):
    job = running_job(consultation)
    lock = JobLock(job.pk)
    assert lock.acquire(wait_seconds=0)

    monkeypatch.setattr(JobLock, "connection", UnlockFails())
    lock.release()

    other = other_connection()
    try:
        taken = other.execute("SELECT pg_try_advisory_lock(%s, %s)", [JobLock.NAMESPACE, job.pk]).fetchone()[0]
    finally:
        other.close()
    assert taken, "the lock outlived the builder that could not release it"


@postgresql_only
def test_a_late_message_for_a_finished_job_returns_at_once_even_if_its_lock_is_held(consultation):
    job = ExportJob.objects.create(consultation=consultation, status="done", attempts=1)
    holder = other_connection()
    try:
        holder.execute("SELECT pg_advisory_lock(%s, %s)", [JobLock.NAMESPACE, job.pk])
        assert run_export_job(job.pk) is None  # no ExportBusy, so no retry loop
    finally:
        holder.close()


def test_a_message_for_a_job_another_worker_builds_is_retried_for_a_bounded_time_then_the_job_fails(
    consultation, monkeypatch
):
    job = running_job(consultation)

    def busy(job_id):
        raise ExportBusy(job_id)

    monkeypatch.setattr(tasks, "run_export_job", busy)
    monkeypatch.setattr(tasks.build_export, "retry", lambda **options: Retry(when=options["countdown"]))
    tasks.build_export.push_request(retries=0)
    try:
        with pytest.raises(Retry):
            tasks.build_export.run(job.pk)
    finally:
        tasks.build_export.pop_request()
    job.refresh_from_db()
    assert job.status == "running"

    assert tasks.BUSY_RETRIES * tasks.BUSY_COUNTDOWN >= settings.CELERY_TASK_TIME_LIMIT
    tasks.build_export.push_request(retries=tasks.BUSY_RETRIES)
    try:
        assert tasks.build_export.run(job.pk) == "failed"
    finally:
        tasks.build_export.pop_request()
    job.refresh_from_db()
    assert job.status == "failed"
    assert "stayed locked by another worker for longer than the time limit" in job.error


def test_a_pending_job_whose_message_was_lost_is_handed_over_again(consultation):
    long_ago = timezone.now() - RESEND_AFTER - timedelta(minutes=1)
    job = ExportJob.objects.create(consultation=consultation, created_at=long_ago, enqueued_at=long_ago)
    assert sweep_pending_work()["exports_queued"] == 1
    job.refresh_from_db()
    assert job.status == "done"


def test_a_job_no_worker_ever_started_is_failed_with_a_reason(consultation, monkeypatch):
    requested = timezone.now() - PENDING_DEADLINE - timedelta(minutes=1)
    job = ExportJob.objects.create(consultation=consultation, created_at=requested, enqueued_at=timezone.now())
    assert sweep_pending_work()["exports_failed"] == 1
    job.refresh_from_db()
    assert job.status == "failed"
    assert "No worker started this export within 6 hours" in job.error
