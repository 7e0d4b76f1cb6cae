"""Short-lived cached figures that never take a page down with the cache."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache

logger = logging.getLogger(__name__)

T = TypeVar("T")


def cached(key: str, seconds: int, compute: Callable[[], T], *, refresh: bool = False) -> T:
    """`compute()`, kept in the cache under `key` for `seconds` (0 turns caching off).

    `refresh=True` computes afresh and replaces the cached value. If the cache cannot be
    reached (Redis down), the value is computed every time and a warning logged: the page
    gets slower, never broken.
    """
    if seconds <= 0:
        return compute()
    if not refresh:
        try:
            value = cache.get(key)
        except Exception as error:  # each cache client raises its own kind; the page must still show
            logger.warning("Cache unreachable (%s); computing %s afresh.", type(error).__name__, key)
            value = None
        if value is not None:
            return value
    value = compute()
    try:
        cache.set(key, value, seconds)
    except Exception as error:  # see above
        logger.warning("Cache unreachable (%s); %s not kept.", type(error).__name__, key)
    return value
