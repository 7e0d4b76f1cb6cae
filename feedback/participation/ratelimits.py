"""Per-client rate limits without surveillance.

A client is known only by a keyed hash (HMAC-SHA256) of its address, and the key changes with every window of
the limit: it is a random key made when the window's first request comes, kept only in the cache, and it expires
from the cache with the window, together with the counts made with it. Once a window is over, nobody (not the
operator, not someone holding the server's disks and its `.env`) can tell which address a hash stood for, or
compute an address's hash to look for it: the key is gone. `CLIENT_HASH_SECRET`, when set, is mixed into each
window's key, so the cache alone does not give the current window's hashes either.

Counting is a fixed window per group of actions (`cache.add`, then `cache.incr`), aligned to the clock, so an
entry's expiry tells only the window's end, never the time of a client's first action. Neither the cache, the
database nor the logs ever hold the address itself, and no log line holds a hash. If the cache cannot be reached,
the limit is skipped (with a log line) rather than refusing residents: taking part matters more than throttling.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import ipaddress
import logging
import secrets
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

logger = logging.getLogger(__name__)

# Which setting holds the rate of each group of actions.
RATE_SETTINGS = {
    "concerns": "RATELIMIT_CONCERNS",
    "endorsements": "RATELIMIT_ENDORSEMENTS",
    "reports": "RATELIMIT_REPORTS",
    "receipts": "RATELIMIT_RECEIPTS",
    "codes": "RATELIMIT_CODES",
}
RATE_LIMIT_SETTINGS = list(RATE_SETTINGS.values())
UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
# The cache entries of one window: its random key, and each client's count (by hash).
WINDOW_KEY = "civictrust:ratelimit-key:{group}:{window}"
COUNT_KEY = "civictrust:ratelimit:{group}:{window}:{client}"


def parse_rate(rate: str) -> tuple[int, int]:
    """(count, seconds) of a rate such as 30/h or 50/2h."""
    count, period = rate.split("/", 1)
    return int(count), int(period[:-1] or 1) * UNIT_SECONDS[period[-1]]


def _client_address(request: HttpRequest) -> str:
    header = settings.CLIENT_ADDRESS_HEADER
    raw = request.META.get(header, "") if header else request.META.get("REMOTE_ADDR", "")
    # A proxy appends the address it saw last; earlier entries could be written by the client.
    raw = raw.split(",")[-1].strip()
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return "unknown"
    if address.version == 6:
        # One household or library usually holds a whole /64; count it as one client.
        return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)
    return str(address)


def _window(seconds: int, now: float | None = None) -> tuple[int, int]:
    """(number of the current window, seconds until it ends) for windows of `seconds`, aligned to the clock."""
    now = int(time.time() if now is None else now)
    return now // seconds, seconds - now % seconds


def window_key(group: str, window: int, remaining: int) -> bytes:
    """The random key of `group`'s window number `window`, made by the first request of that window.

    `cache.add` lets exactly one process make it; the others read that one. It expires with the window.
    """
    name = WINDOW_KEY.format(group=group, window=window)
    cache.add(name, secrets.token_hex(32), remaining)
    key = cache.get(name)
    if key is None:  # evicted between the two calls: this request counts under a key of its own
        key = secrets.token_hex(32)
    return (settings.CLIENT_HASH_SECRET + key).encode()


def client_key(request: HttpRequest, group: str = "concerns", *, now: float | None = None) -> str:
    """The keyed hash that stands for the client address in `group`'s current window.

    It cannot be turned back into the address, and once the window is over it cannot be computed again.
    """
    _count, seconds = parse_rate(getattr(settings, RATE_SETTINGS[group]))
    window, remaining = _window(seconds, now)
    key = window_key(group, window, remaining)
    return hmac.new(key, _client_address(request).encode(), hashlib.sha256).hexdigest()


def over_limit(request: HttpRequest, group: str) -> bool:
    """Count this request against the client's limit for `group`; True when the limit is exceeded.

    Fails open: with the cache unreachable the request is allowed and a warning is logged.
    """
    if not settings.RATELIMIT_ENABLE:
        return False
    limit, seconds = parse_rate(getattr(settings, RATE_SETTINGS[group]))
    now = time.time()
    window, remaining = _window(seconds, now)
    try:
        name = COUNT_KEY.format(group=group, window=window, client=client_key(request, group, now=now))
        cache.add(name, 0, remaining)
        count = cache.incr(name)
    except ValueError:  # the count expired between the two calls: the window just ended
        return False
    except Exception as error:  # each cache client raises its own kind; none may stop a resident
        logger.warning("Rate limit %s not checked, the cache is unreachable (%s).", group, type(error).__name__)
        return False
    if count > limit:
        # No client hash in the log: a log outlives the window, and its key with it.
        logger.warning("Rate limit %s reached.", group)
        return True
    return False


def too_many_requests(request: HttpRequest) -> HttpResponse:
    return render(request, "429.html", status=429)


def limit_posts(group: str) -> Callable:
    """View decorator: POSTs beyond the client's limit for `group` get the friendly 429 page."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method == "POST" and over_limit(request, group):
                return too_many_requests(request)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def longest_window_seconds() -> int:
    """How long a keyed hash of a client address can stay in the cache: the longest rate-limit window."""
    return max(parse_rate(getattr(settings, name))[1] for name in RATE_LIMIT_SETTINGS)
