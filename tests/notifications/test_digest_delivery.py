"""The moderators' digest: never a resident's wait, never two in one period, bounded by the mail server's timeout."""

from __future__ import annotations

import logging
import smtplib
import socket
import threading
import time

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend

from feedback import queue, tasks  # noqa: F401  # imported lazily, by the first send, it would redo the logging set-up (dropping caplog)
from feedback.models import Concern
from feedback.notifications.digest import schedule_moderator_digest, send_moderator_digest
from feedback.sweep import sweep_pending_work
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


def pending_concern(consultation) -> Concern:
    return Concern.objects.create(consultation=consultation, text="A concern waiting", community_area="14")


def digest_on_its_way(django_capture_on_commit_callbacks) -> None:
    """The period's first concern queued its digest for the period's end; it is in the broker, not yet run."""
    with django_capture_on_commit_callbacks(execute=False):
        schedule_moderator_digest()


def test_the_sweep_sends_no_second_digest_while_the_periods_digest_is_on_its_way(
    briefing, moderator, django_capture_on_commit_callbacks
):
    pending_concern(briefing)
    digest_on_its_way(django_capture_on_commit_callbacks)
    assert sweep_pending_work()["digests_queued"] == 0
    assert mail.outbox == []


def test_the_sweep_sends_the_digest_that_was_lost(briefing, moderator):
    pending_concern(briefing)  # and no digest on its way: the broker lost it
    assert sweep_pending_work()["digests_queued"] == 1
    assert len(mail.outbox) == 1


def test_a_worker_that_reconnects_queues_the_digest_again_for_the_end_of_the_period(
    briefing, moderator, monkeypatch, django_capture_on_commit_callbacks
):
    pending_concern(briefing)
    digest_on_its_way(django_capture_on_commit_callbacks)
    sent = []
    monkeypatch.setattr(
        queue, "send_now", lambda name, *args, countdown=None, **kwargs: sent.append((name, countdown)) or True
    )
    sweep_pending_work(worker_connected=True)
    [(name, countdown)] = sent
    assert name == queue.NOTIFY_MODERATORS
    assert 0 < countdown <= settings.MODERATOR_DIGEST_SECONDS + 1
