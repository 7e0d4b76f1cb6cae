"""Short-lived cached figures that never take a page down with the cache, and never stampede the database."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache

logger = logging.getLogger(__name__)

T = TypeVar("T")

# A stale value is kept this many times longer than it is fresh, to serve while one request recounts.
STALE_FACTOR = 10
# How long one request may hold the right to recount before another may try.
RECOUNT_LOCK_SECONDS = 60


def cached(key: str, seconds: int, compute: Callable[[], T], *, refresh: bool = False) -> T:
    """`compute()`, at most `seconds` old plus the time one computation takes (0 turns caching off).

    When the value goes stale, exactly one request computes it afresh while the others keep
    getting the stale value, so a million-row count never runs in every worker at once.
    `refresh=True` computes afresh at once. If the cache cannot be reached (Redis down), the
    value is computed every time and a warning logged: the page gets slower, never broken.
    """
    if seconds <= 0:
        return compute()
    entry = None
    if not refresh:
        try:
            entry = cache.get(key)
        except Exception as error:  # each cache client raises its own kind; the page must still show
            logger.warning("Cache unreachable (%s); computing %s afresh.", type(error).__name__, key)
            return compute()
        if entry is not None:
            value, fresh_until = entry
            if time.time() < fresh_until or not _take_recount_lock(key):
                return value
    value = compute()
    try:
        cache.set(key, (value, time.time() + seconds), seconds * STALE_FACTOR)
        cache.delete(f"{key}:recounting")
    except Exception as error:  # see above
        logger.warning("Cache unreachable (%s); %s not kept.", type(error).__name__, key)
    return value


def _take_recount_lock(key: str) -> bool:
    try:
        return cache.add(f"{key}:recounting", True, RECOUNT_LOCK_SECONDS)
    except Exception:  # the cache failed between two calls: recount rather than serve stale figures
        return True


def kept(key: str):
    """The value kept under `key`, or None when there is none or the cache cannot be reached (logged)."""
    try:
        return cache.get(key)
    except Exception as error:  # see `cached`
        logger.warning("Cache unreachable (%s); %s not read.", type(error).__name__, key)
        return None


def keep(key: str, value, seconds: int) -> None:
    """Keep `value` under `key` for `seconds`, if the cache can be reached (else logged, and the page still shows)."""
    try:
        cache.set(key, value, seconds)
    except Exception as error:  # see `cached`
        logger.warning("Cache unreachable (%s); %s not kept.", type(error).__name__, key)
