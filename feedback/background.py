"""Hand work to Celery only once the data it needs is committed, and never lose a request to a broker outage."""

from __future__ import annotations

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue_after_commit(task, *args) -> None:
    """Queue `task(*args)` after the current transaction commits.

    If the broker cannot be reached the request that caused the work still succeeds: the
    failure is logged, and the work stays recorded in the database (a pending export job,
    a concern whose moderators were not yet notified) for the periodic sweep to pick up.
    """
    transaction.on_commit(lambda: send_now(task, *args))


def send_now(task, *args) -> bool:
    try:
        task.apply_async(args=args, retry=True, retry_policy={"max_retries": 1, "interval_start": 0})
    except Exception as error:  # the broker's client raises many kinds; none may reach the resident
        logger.warning("Could not queue %s (%s); the periodic sweep will pick it up.", task.name, type(error).__name__)
        return False
    return True
