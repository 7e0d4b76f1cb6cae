"""Background tasks: the moderator digest, daily snapshots, reliability options, and the broker being down."""

from __future__ import annotations

import logging
import smtplib
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.db import OperationalError
from django.utils import timezone

from feedback import tasks
from feedback.models import Concern, Consultation, Endorsement, Remedy, TallySnapshot
from feedback.notifications import digest
from feedback.participation.services import submit_concern
from feedback.queue import NOTIFY_MODERATORS, TASK_NAMES, enqueue_after_commit
from feedback.retention import take_tally_snapshots
from feedback.sweep import sweep_pending_work
from tests.celery_broker import CLOSED_PORT_BROKER, celery_broker
from tests.factories import EndorsementFactory, StaffFactory

ALL_TASKS = [tasks.build_export, tasks.notify_moderators, tasks.snapshot_tallies, tasks.purge_expired_data]
ALL_TASKS.append(tasks.sweep_pending_work)


@pytest.fixture
def moderators(db):
    alice = StaffFactory(username="alice", email="alice@staff.example", role="advocate")
    root = StaffFactory(username="root", email="root@staff.example", is_superuser=True)
    StaffFactory(username="olivia", email="olivia@staff.example", role="organizer")  # reads results, not concerns
    StaffFactory(username="gone", email="gone@staff.example", role="advocate", is_active=False)
    return [alice, root]


def new_concern(consultation, **fields) -> Concern:
    values = {
        "text": "Private words of a resident who was afraid",
        "community_area": "14",
        "contact_email": "resident@example.org",
        "contact_consent": True,
        **fields,
    }
    return Concern.objects.create(consultation=consultation, **values)


# --- The moderator digest ------------------------------------------------------------------------


def test_the_digest_tells_moderators_how_many_concerns_wait_with_a_link_and_nothing_else(briefing, moderators):
    new_concern(briefing)
    new_concern(briefing, text="Second private words")
    Concern.objects.filter(pk=new_concern(briefing).pk).update(moderators_notified_at=timezone.now())

    assert tasks.notify_moderators.delay().get() == 2

    [email] = mail.outbox
    assert sorted(email.to) == ["alice@staff.example", "root@staff.example"]
    assert email.subject == "civictrust: 2 new concerns to moderate"
    assert "New concerns since the last notice: 2." in email.body
    assert "Concerns waiting for moderation in all: 3." in email.body
    assert "/admin/feedback/concern/?status__exact=pending" in email.body
    for private in ("Private words", "resident@example.org", "Second private"):
        assert private not in email.body and private not in email.subject


def submit(consultation, text: str) -> None:
    submit_concern(consultation=consultation, text=text, role="resident", community_area="14", language="en")


@pytest.fixture
def clock(monkeypatch):
    """time.time() under the test's control, starting 10 s into a five-minute digest period."""
    now = {"time": 300 * 6_000_000 + 10.0}
    monkeypatch.setattr(time, "time", lambda: now["time"])
    return now


def test_concerns_sent_within_the_digest_period_share_one_email(
    briefing, moderators, django_capture_on_commit_callbacks, settings, clock
):
    settings.MODERATOR_DIGEST_SECONDS = 300
    with django_capture_on_commit_callbacks(execute=True):
        submit(briefing, "The first concern of the morning")
    with django_capture_on_commit_callbacks(execute=True):
        submit(briefing, "A second concern a minute later")
    assert len(mail.outbox) == 1  # tasks run in-process here, so the first digest went at once
    assert Concern.objects.filter(moderators_notified_at__isnull=True).count() == 1

    clock["time"] += 290  # the digest period is over
    with django_capture_on_commit_callbacks(execute=True):
        submit(briefing, "A third concern, later that day")
    assert len(mail.outbox) == 2
    assert mail.outbox[1].subject == "civictrust: 2 new concerns to moderate"


def test_the_digest_is_queued_for_the_end_of_a_fixed_period_not_counted_from_the_concern(
    briefing, settings, clock, monkeypatch
):
    """Neither the cache mark's expiry nor the digest's time may tell when the concern that started it came."""
    settings.MODERATOR_DIGEST_SECONDS = 300
    queued = []
    monkeypatch.setattr(
        digest.queue, "enqueue_after_commit", lambda name, countdown=None, off_request=False: queued.append(countdown)
    )
    clock["time"] += 200  # 210 s into the period
    digest.schedule_moderator_digest()
    clock["time"] += 60
    digest.schedule_moderator_digest()  # the same period: already queued
    assert queued == [90]
    clock["time"] += 30  # the period's end: its mark is gone with it
    digest.schedule_moderator_digest()
    assert queued == [90, 300]


def test_each_concern_is_announced_once(briefing, moderators):
    concern = new_concern(briefing)
    tasks.notify_moderators.delay()
    tasks.notify_moderators.delay()
    assert len(mail.outbox) == 1
    concern.refresh_from_db()
    assert concern.moderators_notified_at is not None


def test_concerns_already_moderated_are_not_announced(briefing, moderators):
    new_concern(briefing, status=Concern.Status.APPROVED)
    assert tasks.notify_moderators.delay().get() == 0
    assert mail.outbox == []


def test_when_the_mail_server_fails_nothing_is_marked_and_the_task_retries(briefing, moderators, monkeypatch):
    concern = new_concern(briefing)

    def refuse(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("mail server went away")

    monkeypatch.setattr("feedback.notifications.digest.send_mail", refuse)
    with pytest.raises(smtplib.SMTPServerDisconnected):
        services_digest()
    concern.refresh_from_db()
    assert concern.moderators_notified_at is None
    assert smtplib.SMTPException in tasks.notify_moderators.autoretry_for


def services_digest():
    from feedback.notifications.digest import send_moderator_digest

    return send_moderator_digest()


# --- Snapshots ---------------------------------------------------------------------------------------


def test_the_daily_snapshot_is_one_row_per_day_updated_in_place(briefing):
    remedy = briefing.remedies.first()
    EndorsementFactory.create_batch(3, remedy=remedy)
    assert tasks.snapshot_tallies.delay().get() == 1
    EndorsementFactory.create_batch(2, remedy=remedy)
    tasks.snapshot_tallies.delay()

    snapshot = TallySnapshot.objects.get()
    assert snapshot.day == timezone.localdate()
    assert snapshot.tallies["total_endorsements"] == 5
    assert snapshot.tallies["endorsements_per_remedy"][remedy.key] == 5


def test_the_snapshot_task_repairs_a_drifted_endorsement_count(briefing):
    remedy = briefing.remedies.first()
    EndorsementFactory.create_batch(3, remedy=remedy)
    Remedy.objects.filter(pk=remedy.pk).update(endorsement_count=0)  # drifted, as after a bulk load
    tasks.snapshot_tallies.delay()
    remedy.refresh_from_db()
    assert remedy.endorsement_count == 3


def test_snapshots_of_other_days_are_kept(briefing):
    yesterday = timezone.localdate() - timedelta(days=1)
    take_tally_snapshots(day=yesterday)
    take_tally_snapshots()
    assert sorted(TallySnapshot.objects.values_list("day", flat=True)) == [yesterday, timezone.localdate()]


def test_closed_consultations_get_no_new_snapshot(briefing):
    Consultation.objects.filter(pk=briefing.pk).update(status=Consultation.Status.CLOSED)
    assert take_tally_snapshots() == 0
    assert not TallySnapshot.objects.exists()


# --- Reliability options -----------------------------------------------------------------------------


@pytest.mark.parametrize("task", ALL_TASKS, ids=lambda task: task.name)
def test_every_task_is_acknowledged_late_time_limited_and_retried_with_backoff(task):
    assert task.acks_late is True
    assert task.reject_on_worker_lost is True
    assert task.soft_time_limit and task.time_limit and task.soft_time_limit < task.time_limit
    assert OperationalError in task.autoretry_for
    assert task.retry_backoff and task.max_retries


def test_the_visibility_timeout_outlasts_the_longest_task_and_retry_wait():
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert visibility > max(task.time_limit for task in ALL_TASKS)
    assert visibility > max(task.retry_backoff_max for task in ALL_TASKS)
    assert visibility > settings.CELERY_TASK_TIME_LIMIT


def test_the_beat_schedule_runs_registered_tasks():
    from civictrust.celery import app

    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled == {
        "feedback.tasks.sweep_pending_work",
        "feedback.tasks.snapshot_tallies",
        "feedback.tasks.purge_expired_data",
        "feedback.tasks.purge_closed_consultations",
        "feedback.tasks.rebuild_themes_when_due",
        "feedback.tasks.check_aggregates",
    }
    assert scheduled <= set(app.tasks)


# --- Nothing lost when the broker is down ------------------------------------------------------------


def test_with_the_broker_down_a_concern_is_kept_unannounced_and_the_request_does_not_hang(
    briefing, moderators, django_capture_on_commit_callbacks, caplog
):
    with celery_broker(CLOSED_PORT_BROKER), caplog.at_level(logging.WARNING):
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            concern = new_concern(briefing)
            enqueue_after_commit(NOTIFY_MODERATORS)
        assert time.monotonic() - started < 10
    assert "Could not queue feedback.tasks.notify_moderators (OperationalError)" in caplog.text
    concern.refresh_from_db()
    assert concern.moderators_notified_at is None
    assert mail.outbox == []

    # The broker is back: the next sweep (here run in-process) sends the digest.
    overdue = timedelta(seconds=settings.MODERATOR_DIGEST_SECONDS + 60)  # its digest should have gone by now
    Concern.objects.filter(pk=concern.pk).update(created_at=timezone.now() - overdue)
    assert sweep_pending_work()["digests_queued"] == 1
    concern.refresh_from_db()
    assert concern.moderators_notified_at is not None
    assert len(mail.outbox) == 1


def test_a_sweep_with_the_broker_still_down_fails_quietly_and_keeps_the_work(briefing, moderators):
    concern = new_concern(briefing, created_at=timezone.now() - timedelta(minutes=5))
    with celery_broker(CLOSED_PORT_BROKER):
        assert sweep_pending_work() == {
            "exports_queued": 0,
            "digests_queued": 0,
            "exports_failed": 0,
            "exports_requeued": 0,
        }
    concern.refresh_from_db()
    assert concern.moderators_notified_at is None


def test_the_sweep_leaves_just_recorded_work_to_the_request_that_recorded_it(briefing, moderators, settings, clock):
    settings.MODERATOR_DIGEST_SECONDS = 300
    submit(briefing, "A concern whose digest is queued for the end of the period")  # its send: after a commit
    assert sweep_pending_work()["digests_queued"] == 0
    assert mail.outbox == []
    clock["time"] += 300  # the period is over and the concern is still unannounced: its digest never went
    assert sweep_pending_work()["digests_queued"] == 1
    assert len(mail.outbox) == 1


def test_a_worker_that_starts_or_reconnects_sweeps_what_was_left_pending(briefing, moderators):
    new_concern(briefing, created_at=timezone.now() - timedelta(minutes=5))
    assert tasks.sweep_when_a_worker_connects()
    assert len(mail.outbox) == 1
    assert tasks.SweepWhenConnected in tasks.current_app.steps["consumer"]


def test_the_purge_task_reports_what_it_deleted(briefing):
    new_concern(briefing, created_at=timezone.now() - timedelta(days=settings.CONTACT_EMAIL_RETENTION_DAYS + 1))
    assert tasks.purge_expired_data.delay().get() == {
        "contact_emails": 1,
        "reports": 0,
        "export_files": 0,
        "participant_details": 0,
        "arrival_counts": 0,
    }


def test_endorsements_survive_every_periodic_task(briefing):
    EndorsementFactory.create_batch(4, remedy=briefing.remedies.first())
    for task in (tasks.snapshot_tallies, tasks.purge_expired_data, tasks.sweep_pending_work):
        task.delay()
    assert Endorsement.objects.count() == 4


def test_a_fresh_web_process_finds_every_task_the_services_name():
    """Nothing imports feedback.tasks in a web process, yet every name in queue.TASK_NAMES must resolve there."""
    import os
    import subprocess
    import sys

    code = (
        "import django; django.setup();"
        "from celery import current_app; from feedback import queue;"
        "print(sorted(set(queue.TASK_NAMES) - set(current_app.tasks)));"
        "print([queue._registered_task(name).name for name in queue.TASK_NAMES])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "civictrust.settings", "DEBUG": "true"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    not_yet_imported, found = result.stdout.splitlines()
    assert not_yet_imported != "[]"  # the process had not imported the tasks by itself...
    assert found == str(list(TASK_NAMES))  # ...and still finds each one
