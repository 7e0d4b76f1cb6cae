"""Redis, the broker, stops and starts again under a real worker: the worker survives and does the work afterwards.

Each test has a redis-server of its own (tests/private_redis.py), so stopping it touches nobody else's Redis.
Before civictrust/broker.py, a worker holding a delayed task (the moderators' digest, queued with a countdown)
died on the first Redis outage: "Restoring 1 unacknowledged message(s)", then "Unrecoverable error:
AttributeError('NoneType' object has no attribute 'hostname')".
"""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
from django.core.management import call_command

from feedback.models import Concern, Consultation
from feedback.participation.services import submit_concern
from tests.availability import require_postgresql
from tests.celery_broker import celery_broker
from tests.celery_worker import CeleryWorker, wait_for
from tests.factories import StaffFactory
from tests.private_redis import private_redis

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

DIGEST_SECONDS = 8


@pytest.fixture
def redis_server(transactional_db):
    require_postgresql("the Celery integration tests")
    with private_redis() as server:
        yield server


@pytest.fixture
def outage_worker(worker_env, redis_server, queue, tmp_path, settings):
    """A worker on the private Redis; this test process sends to it as well."""
    settings.MODERATOR_DIGEST_SECONDS = DIGEST_SECONDS
    env = {**worker_env, "CELERY_BROKER_URL": redis_server.url, "MODERATOR_DIGEST_SECONDS": str(DIGEST_SECONDS)}
    worker = CeleryWorker(env, tmp_path / "worker.log")
    with celery_broker(redis_server.url, queue):
        try:
            yield worker
        finally:
            worker.stop()


@pytest.fixture
def consultation() -> Consultation:
    call_command("load_briefing", stdout=io.StringIO())
    return Consultation.objects.get(slug="chicago")


def connections_made(worker: CeleryWorker) -> int:
    return worker.log().count("Connected to ")


def test_a_worker_holding_a_delayed_digest_survives_redis_stopping_and_starting_and_sends_the_digest(
    consultation, outage_worker, redis_server, worker_env
):
    StaffFactory(username="alice", email="alice@staff.example", role="advocate")
    outage_worker.start()
    submit_concern(
        consultation=consultation, text="Sent just before Redis went away.", role="resident", community_area="14",
        language="en",
    )  # fmt: skip
    wait_for(
        lambda: (
            "feedback.tasks.notify_moderators" in outage_worker.log().split(" ready.", 1)[1]
            and " received" in outage_worker.log().split(" ready.", 1)[1]
        ),
        timeout=30,
        what="the worker to hold the delayed digest",
        worker=outage_worker,
    )

    redis_server.stop()  # it comes back empty: the delayed digest the worker held is gone with it
    time.sleep(3)
    assert outage_worker.process.poll() is None, outage_worker.log()[-4000:]
    redis_server.start()

    wait_for(lambda: connections_made(outage_worker) >= 2, timeout=60, what="the reconnection", worker=outage_worker)
    mailbox = Path(worker_env["EMAIL_FILE_PATH"])
    [message] = wait_for(lambda: list(mailbox.iterdir()), timeout=60, what="the digest", worker=outage_worker)
    assert "1 new concern to moderate" in message.read_text()
    assert Concern.objects.get().moderators_notified_at is not None
    assert outage_worker.process.poll() is None
    assert "Unrecoverable error" not in outage_worker.log()


def test_a_worker_that_meets_an_error_nobody_foresaw_exits_non_zero_so_it_is_restarted(
    worker_env, redis_server, queue, tmp_path
):
    """systemd's Restart=on-failure and docker's restart policies restart a worker that exits with a failure."""
    env = {**worker_env, "CELERY_BROKER_URL": redis_server.url}
    worker = CeleryWorker(env, tmp_path / "worker.log", program=("tests/worker_with_a_fault.py", "-A", "civictrust"))
    try:
        worker.start()
        redis_server.stop()
        time.sleep(1)
        redis_server.start()
        worker.process.wait(timeout=90)
    finally:
        worker.stop()
    assert "a fault injected by the test" in worker.log()
    assert worker.process.returncode not in (0, None)
