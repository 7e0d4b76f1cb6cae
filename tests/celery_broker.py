"""Point the Celery app of the test process at a broker (or at a closed port), eager mode off."""

from __future__ import annotations

from contextlib import contextmanager

# Nothing listens on port 1: connecting is refused at once, as when Redis is down.
CLOSED_PORT_BROKER = "redis://127.0.0.1:1/0"


def _drop_connections(app) -> None:
    """Forget every pooled broker connection, so the next message opens one to the current broker."""
    from kombu import pools

    pools.reset()
    app._pool = None
    if "amqp" in app.__dict__:
        app.amqp._producer_pool = None


@contextmanager
def celery_broker(url: str, queue: str | None = None):
    """Within the block, tasks are sent to `url` (and `queue`, if given) instead of running in-process."""
    from civictrust.celery import app

    previous = (app.conf.broker_url, app.conf.task_always_eager, app.conf.task_default_queue)
    _drop_connections(app)
    app.conf.broker_url, app.conf.task_always_eager = url, False
    app.conf.task_default_queue = queue or previous[2]
    try:
        yield app
    finally:
        _drop_connections(app)
        app.conf.broker_url, app.conf.task_always_eager, app.conf.task_default_queue = previous
