"""Hand work to Celery by task name, only once the data it needs is committed, never losing it to a broker outage.

A leaf: it imports nothing from civictrust's own code, so any service can enqueue work without importing
the tasks module (which imports the services). Every piece of background work is first recorded in the
database (a pending `ExportJob`, a concern whose `moderators_notified_at` is still empty); the broker only
carries a reminder to do it. If the reminder cannot be sent, the periodic sweep sends it again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from celery import current_app
from django.db import transaction

logger = logging.getLogger(__name__)

# The tasks services hand work to, by name (feedback/tasks.py defines them).
BUILD_EXPORT = "feedback.tasks.build_export"
NOTIFY_MODERATORS = "feedback.tasks.notify_moderators"
SWEEP_PENDING_WORK = "feedback.tasks.sweep_pending_work"
TASK_NAMES = (BUILD_EXPORT, NOTIFY_MODERATORS, SWEEP_PENDING_WORK)


def enqueue_after_commit(
    task_name: str, *args, on_queued: Callable[[], None] | None = None, countdown: int | None = None
) -> None:
    """Queue the task `task_name(*args)` after the current transaction commits.

    If the broker cannot be reached the request that caused the work still succeeds: the
    failure is logged, and the work stays recorded in the database for the periodic sweep.
    `on_queued` runs only once the broker accepted the message (e.g. to record when); `countdown`
    delays the task by that many seconds (ignored when tasks run in-process).
    """
    transaction.on_commit(lambda: send_now(task_name, *args, on_queued=on_queued, countdown=countdown))


def send_now(task_name: str, *args, on_queued: Callable[[], None] | None = None, countdown: int | None = None) -> bool:
    """Send the task `task_name(*args)` to the broker now; False (logged, never raised) if it could not be sent.

    Through the registered task's own `apply_async`, so with no broker (CELERY_TASK_ALWAYS_EAGER) it runs
    in this process. Bounded in time when the broker is down: the connection timeouts and the single
    publish retry come from the CELERY_BROKER_* settings, so a web request waits a few seconds at most.
    """
    try:
        _registered_task(task_name).apply_async(args=args, countdown=countdown)
    except Exception as error:  # the broker's client raises many kinds; none may reach the resident
        logger.warning("Could not queue %s (%s); the periodic sweep will pick it up.", task_name, type(error).__name__)
        return False
    if on_queued is not None:
        on_queued()
    return True


def _registered_task(task_name: str):
    """The task registered under `task_name`, importing the task modules first if this process has not yet.

    A worker imports them when it starts; a web process does the same (Celery's own autodiscovery, through
    `import_default_modules`) the first time it hands work over, since nothing else imports `tasks`.
    """
    if task_name not in current_app.tasks:
        current_app.loader.import_default_modules()
    return current_app.tasks[task_name]
