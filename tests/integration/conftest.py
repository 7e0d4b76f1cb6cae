"""A real Redis broker and a real Celery worker process, for the integration tests (PostgreSQL only).

The worker is started by the test, as `python -m celery -A civictrust worker`, against the test
database (pytest-django's `test_` database: the tests commit their rows, `transaction=True`) and the
Redis at TEST_REDIS_URL (default: redis://127.0.0.1:6379/14). It is always stopped afterwards.
Missing PostgreSQL or Redis skips these tests, except in CI (`CI` set), where it fails them.
"""

from __future__ import annotations

import os
import uuid

import pytest

from tests.availability import unavailable
from tests.celery_worker import CeleryWorker, database_url

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")


@pytest.fixture
def real_services(transactional_db):
    """PostgreSQL and a reachable Redis, or skip / fail in CI."""
    from django.db import connection

    if connection.vendor != "postgresql":
        unavailable("the Celery integration tests need PostgreSQL (set DATABASE_URL)")
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError:
        unavailable(f"no Redis at {REDIS_URL}")
    yield REDIS_URL
    client.close()


@pytest.fixture
def queue(real_services):
    """A queue of this test's own: another test run sharing the Redis never takes its messages."""
    import redis

    name = f"civictrust-test-{uuid.uuid4().hex[:12]}"
    yield name
    client = redis.Redis.from_url(real_services, socket_connect_timeout=2)
    client.delete(name, f"_kombu.binding.{name}", f"_kombu.binding_permanent.{name}")
    client.close()


@pytest.fixture
def worker_env(real_services, queue, tmp_path) -> dict[str, str]:
    from django.conf import settings
    from django.db import connection

    from feedback.models import private_storage

    email_dir = tmp_path / "emails"
    email_dir.mkdir()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "LANG": "C.UTF-8",
        "PYTHONUNBUFFERED": "1",
        "SECRET_KEY": settings.SECRET_KEY,
        "DATABASE_URL": database_url(connection.settings_dict),
        "DATABASE_CONN_MAX_AGE": "0",
        "CELERY_BROKER_URL": real_services,
        "CELERY_QUEUE": queue,
        # The storage the test process reads, so both see the same export files.
        "PRIVATE_MEDIA_ROOT": str(private_storage.location),
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(email_dir),
        "SITE_URL": settings.SITE_URL,
        "TIME_ZONE": settings.TIME_ZONE,
    }
    return env


@pytest.fixture
def celery_worker(worker_env, tmp_path, real_services, queue):
    """A worker, not yet started (`celery_worker.start()`); this test process sends to its queue."""
    from tests.celery_broker import celery_broker

    worker = CeleryWorker(worker_env, tmp_path / "worker.log")
    with celery_broker(real_services, queue):
        try:
            yield worker
        finally:
            worker.stop()
