"""Which database a query goes to: the primary, or a streaming replica for the figures staff and the public read.

Only code inside `reading_figures()` (results page, dashboard, public API, exports) may read from the replica;
everything else, and above all a resident's own state right after they act, reads from the primary. The
replica is used only while it answers and replays within REPLICA_MAX_LAG_SECONDS of the primary; otherwise
reads go to the primary and the log says why, once per change of state.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DatabaseError, connections

logger = logging.getLogger(__name__)

REPLICA = "replica"
PRIMARY = "default"

_reading_figures: ContextVar[bool] = ContextVar("reading_figures", default=False)


@contextmanager
def reading_figures() -> Iterator[None]:
    """Reads inside this block may be served by the replica (when there is a healthy one)."""
    token = _reading_figures.set(True)
    try:
        yield
    finally:
        _reading_figures.reset(token)


class _ReplicaHealth:
    """Whether the replica may serve reads, checked at most every REPLICA_CHECK_SECONDS per process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._checked_at = float("-inf")
        self._usable: bool | None = None  # unknown until the first check

    def usable(self) -> bool:
        now = time.monotonic()
        with self._lock:
            if now - self._checked_at < settings.REPLICA_CHECK_SECONDS:
                return bool(self._usable)
            self._checked_at = now
        usable, reason = self._check()
        with self._lock:
            if usable != self._usable:
                if usable:
                    logger.info("Replica back in use for figures.")
                else:
                    logger.warning("Replica not used for figures (%s); reading from the primary.", reason)
            self._usable = usable
        return usable

    @staticmethod
    def _check() -> tuple[bool, str]:
        try:
            with connections[REPLICA].cursor() as cursor:
                # Lag as the replica sees it: zero when it has replayed all it received and nothing is pending.
                cursor.execute(
                    "SELECT pg_is_in_recovery(), CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() "
                    "THEN 0 ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END"
                )
                in_recovery, lag = cursor.fetchone()
        except DatabaseError as error:
            connections[REPLICA].close()
            return False, f"unreachable: {type(error).__name__}"
        if not in_recovery:
            return True, "a primary given as the replica"
        if lag > settings.REPLICA_MAX_LAG_SECONDS:
            return False, f"{lag:.0f} s behind, more than REPLICA_MAX_LAG_SECONDS={settings.REPLICA_MAX_LAG_SECONDS}"
        return True, "in step"

    def forget(self) -> None:
        with self._lock:
            self._checked_at = float("-inf")


replica_health = _ReplicaHealth()


class ReplicaRouter:
    """Writes and ordinary reads go to the primary; figures read inside `reading_figures()` go to a healthy replica."""

    def db_for_read(self, model, **hints):
        if REPLICA in settings.DATABASES and _reading_figures.get() and replica_health.usable():
            return REPLICA
        return PRIMARY

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY


def reads_figures(view):
    """Decorator: the whole view (or function) reads its figures from the replica when there is a healthy one."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        with reading_figures():
            return view(*args, **kwargs)

    return wrapped
