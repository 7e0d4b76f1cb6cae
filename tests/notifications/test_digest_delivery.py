"""The moderators' digest: never a resident's wait, never two in one period, bounded by the mail server's timeout."""

from __future__ import annotations

import logging
import smtplib
import socket
import threading
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone

from feedback import queue, tasks  # noqa: F401  # imported lazily, by the first send, it would redo the logging set-up (dropping caplog)
from feedback.models import Concern
from feedback.notifications.digest import send_moderator_digest
from feedback.sweep import SWEEP_GRACE, sweep_pending_work
from tests.factories import StaffFactory, concern_form_data


class SlowMailServer(EmailBackend):
    """Holds every email until the test lets it go, as a mail server that takes its time."""

    release = threading.Event()
    sending = threading.Event()

    def send_messages(self, messages):
        SlowMailServer.sending.set()
        assert SlowMailServer.release.wait(timeout=30), "the test never let the email go"
        return super().send_messages(messages)


@pytest.fixture
def moderator(db):
    return StaffFactory(username="alice", email="alice@staff.example", role="advocate")


def test_with_no_broker_the_residents_request_does_not_wait_for_the_mail_server(
    client, off_request_threads, moderator, settings
):
    from django.core.management import call_command

    call_command("load_briefing", verbosity=0)
    settings.CONCERN_MIN_FILL_SECONDS = 0
    settings.EMAIL_BACKEND = f"{__name__}.SlowMailServer"
    SlowMailServer.release.clear()
    SlowMailServer.sending.clear()

    started = time.monotonic()
    response = client.post("/c/chicago/concerns/new/", concern_form_data())
    answered_in = time.monotonic() - started

    assert response.status_code == 302
    assert SlowMailServer.sending.wait(timeout=10)  # the digest is on its way, off the request...
    assert mail.outbox == []  # ...and still held by the mail server after the resident got the answer
    assert answered_in < 5
    SlowMailServer.release.set()
    off_request_threads()
    [email] = mail.outbox
    assert email.to == ["alice@staff.example"]
    assert Concern.objects.get().moderators_notified_at is not None


def test_a_mail_server_that_never_answers_costs_email_timeout_not_forever(briefing, moderator, settings):
    silent = socket.create_server(("127.0.0.1", 0))  # accepts connections, never says a word
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", silent.getsockname()[1]
    settings.EMAIL_TIMEOUT = 1
    Concern.objects.create(consultation=briefing, text="Waiting for a moderator", community_area="14")
    started = time.monotonic()
    try:
        with pytest.raises((TimeoutError, smtplib.SMTPException)):
            send_moderator_digest()
    finally:
        silent.close()
    assert time.monotonic() - started < 5
    assert Concern.objects.get().moderators_notified_at is None  # nothing marked: a later try announces it


def test_when_the_digest_cannot_be_delivered_in_process_the_log_says_so_not_that_it_was_not_queued(
    briefing, moderator, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def refuse(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("mail server went away")

    monkeypatch.setattr("feedback.notifications.digest.send_mail", refuse)
    Concern.objects.create(consultation=briefing, text="Waiting for a moderator", community_area="14")
    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        queue.enqueue_after_commit(queue.NOTIFY_MODERATORS, off_request=True)
    assert "Could not queue" not in caplog.text
    assert "Task feedback.tasks.notify_moderators failed in this process (SMTPServerDisconnected)" in caplog.text


# --- One digest per period, even with the sweep -------------------------------------------------------------------


def pending_concern(consultation, age: timedelta) -> Concern:
    return Concern.objects.create(
        consultation=consultation, text="A concern waiting", community_area="14", created_at=timezone.now() - age
    )


def test_the_sweep_sends_no_second_digest_for_a_concern_whose_digest_is_still_scheduled(briefing, moderator):
    """Older than the sweep's grace, younger than the digest period: the digest queued with it will announce it."""
    pending_concern(briefing, age=SWEEP_GRACE * 2)
    assert sweep_pending_work()["digests_queued"] == 0
    assert mail.outbox == []


def test_the_sweep_sends_the_digest_that_should_have_gone_already(briefing, moderator):
    pending_concern(briefing, age=timedelta(seconds=settings.MODERATOR_DIGEST_SECONDS) + SWEEP_GRACE * 2)
    assert sweep_pending_work()["digests_queued"] == 1
    assert len(mail.outbox) == 1


def test_a_worker_that_reconnects_queues_the_digest_for_when_it_is_due(briefing, moderator, monkeypatch):
    sent = []
    monkeypatch.setattr(
        queue, "send_now", lambda name, *args, countdown=None, **kwargs: sent.append((name, countdown)) or True
    )
    pending_concern(briefing, age=timedelta(seconds=60))
    sweep_pending_work(worker_connected=True)
    [(name, countdown)] = sent
    assert name == queue.NOTIFY_MODERATORS
    assert settings.MODERATOR_DIGEST_SECONDS - 62 <= countdown <= settings.MODERATOR_DIGEST_SECONDS - 58
