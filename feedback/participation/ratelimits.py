"""Per-client rate limits without surveillance.

A client is known only by a keyed hash (HMAC-SHA256 with CLIENT_HASH_SECRET) of its address,
so neither the cache, the database nor the logs ever hold the address itself. Counting goes
through django-ratelimit and the cache. If the cache cannot be reached, the limit is skipped
(with a log line) rather than refusing residents: taking part matters more than throttling.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import ipaddress
import logging
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_ratelimit.core import get_usage

logger = logging.getLogger(__name__)

# Which setting holds the rate of each group of actions.
RATE_SETTINGS = {
    "concerns": "RATELIMIT_CONCERNS",
    "endorsements": "RATELIMIT_ENDORSEMENTS",
    "reports": "RATELIMIT_REPORTS",
    "receipts": "RATELIMIT_RECEIPTS",
}


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


def client_key(request: HttpRequest) -> str:
    """The keyed hash that stands for the client address; it cannot be turned back into the address."""
    return hmac.new(settings.CLIENT_HASH_SECRET.encode(), _client_address(request).encode(), hashlib.sha256).hexdigest()


def over_limit(request: HttpRequest, group: str) -> bool:
    """Count this request against the client's limit for `group`; True when the limit is exceeded.

    Fails open: with the cache unreachable the request is allowed and a warning is logged.
    """
    if not settings.RATELIMIT_ENABLE:
        return False
    key = client_key(request)
    try:
        usage = get_usage(
            request,
            group=f"civictrust.{group}",
            key=lambda _group, _request: key,
            rate=getattr(settings, RATE_SETTINGS[group]),
            increment=True,
        )
    except Exception as error:  # each cache client raises its own kind; none may stop a resident
        logger.warning("Rate limit %s not checked, the cache is unreachable (%s).", group, type(error).__name__)
        return False
    if usage is None:
        return False
    if usage["limit"] == 0:  # django-ratelimit's answer when the cache would not count
        logger.warning("Rate limit %s not checked, the cache did not count.", group)
        return False
    if usage["should_limit"]:
        logger.warning("Rate limit %s reached by client %s.", group, key[:16])
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


RATE_LIMIT_SETTINGS = ["RATELIMIT_CONCERNS", "RATELIMIT_ENDORSEMENTS", "RATELIMIT_REPORTS", "RATELIMIT_RECEIPTS"]
UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def longest_window_seconds() -> int:
    """How long a keyed hash of a client address can stay in the cache: the longest rate-limit window."""
    longest = 0
    for name in RATE_LIMIT_SETTINGS:
        period = getattr(settings, name).split("/", 1)[1]
        longest = max(longest, int(period[:-1] or 1) * UNIT_SECONDS[period[-1]])
    return longest
