"""Hand work to Celery by task name, only once the data it needs is committed, never losing it to a broker outage.

A leaf: it imports nothing from civictrust's own code, so any service can enqueue work without importing
the tasks module (which imports the services). Every piece of background work is first recorded in the
database (a pending `ExportJob`, a concern whose `moderators_notified_at` is still empty); the broker only
carries a reminder to do it. If the reminder cannot be sent, the periodic sweep sends it again.

With no broker (`make run`: CELERY_TASK_ALWAYS_EAGER) tasks run in this process. Work that waits on another
server (the moderators' email waits on the mail server) is then run `off_request`: in a short-lived thread of
its own, started after the commit, so the resident's request never waits on it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from celery import current_app
from celery.exceptions import Retry
from django.db import connections, transaction

logger = logging.getLogger(__name__)

# The tasks services hand work to, by name (feedback/tasks.py defines them).
BUILD_EXPORT = "feedback.tasks.build_export"
NOTIFY_MODERATORS = "feedback.tasks.notify_moderators"
SWEEP_PENDING_WORK = "feedback.tasks.sweep_pending_work"
REWRITE_CONCERNS = "feedback.tasks.rewrite_concerns_table"
BUILD_THEMES = "feedback.tasks.build_themes"
CHECK_AGGREGATES = "feedback.tasks.check_aggregates"  # by beat (settings), and by name for anyone who needs it now
TASK_NAMES = (BUILD_EXPORT, NOTIFY_MODERATORS, SWEEP_PENDING_WORK, REWRITE_CONCERNS, BUILD_THEMES, CHECK_AGGREGATES)

# The name of the threads that run in-process work off the request (tests wait for them by this name).
OFF_REQUEST_THREAD = "civictrust-off-request"


def enqueue_after_commit(
    task_name: str,
    *args,
    on_queued: Callable[[], None] | None = None,
    countdown: int | None = None,
    off_request: bool = False,
) -> None:
    """Queue the task `task_name(*args)` after the current transaction commits.

    If the broker cannot be reached the request that caused the work still succeeds: the
    failure is logged, and the work stays recorded in the database for the periodic sweep.
    `on_queued` runs only once the broker accepted the message (e.g. to record when); `countdown`
    delays the task by that many seconds (ignored when tasks run in-process); `off_request`: when
    tasks run in-process, run this one in a thread of its own so the request does not wait for it.
    """

    def send() -> None:
        if off_request and current_app.conf.task_always_eager:
            run_off_request(lambda: send_now(task_name, *args, on_queued=on_queued))
        else:
            send_now(task_name, *args, on_queued=on_queued, countdown=countdown)

    transaction.on_commit(send)


def run_off_request(work: Callable[[], object]) -> threading.Thread:
    """Run `work()` in a new thread and return at once; the thread closes its database connection when done.

    Not a daemon: a process that is asked to stop (runserver, gunicorn) finishes the work first, which the
    mail server's timeout (EMAIL_TIMEOUT) bounds.
    """

    def run() -> None:
        try:
            work()
        except Exception:  # a thread's error would otherwise vanish; send_now logs its own failures
            logger.exception("Work run off the request failed.")
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, name=OFF_REQUEST_THREAD, daemon=False)
    thread.start()
    return thread


def send_now(task_name: str, *args, on_queued: Callable[[], None] | None = None, countdown: int | None = None) -> bool:
    """Send the task `task_name(*args)` to the broker now; False (logged, never raised) if it could not be sent.

    Through the registered task's own `apply_async`, so with no broker (CELERY_TASK_ALWAYS_EAGER) it runs
    in this process. Bounded in time when the broker is down or hangs: the connection and socket timeouts and
    the single publish retry come from the CELERY_BROKER_* settings, so a web request waits about a second at most.
    """
    eager = current_app.conf.task_always_eager
    try:
        _registered_task(task_name).apply_async(args=args, countdown=countdown)
    except Exception as error:  # the broker's client (or, in-process, the task) raises many kinds; none may escape
        if eager:
            # The task ran here and failed (the mail server refused, say) after its retries: nothing was queued.
            cause = error.exc if isinstance(error, Retry) and error.exc is not None else error
            logger.warning(
                "Task %s failed in this process (%s); its work stays recorded in the database for a later run.",
                task_name,
                type(cause).__name__,
            )
        else:
            logger.warning(
                "Could not queue %s (%s); the periodic sweep will pick it up.", task_name, type(error).__name__
            )
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
