from unittest import mock

from django.core.cache import cache

from feedback.results import caching


def counter():
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    return compute, calls


def test_a_fresh_value_is_computed_once():
    compute, calls = counter()
    assert caching.cached("k", 30, compute) == 1
    assert caching.cached("k", 30, compute) == 1
    assert len(calls) == 1


def test_a_stale_value_is_recomputed_by_the_first_request_after_the_period():
    compute, _calls = counter()
    with mock.patch("feedback.results.caching.time.time", return_value=1000.0):
        caching.cached("k", 30, compute)
    with mock.patch("feedback.results.caching.time.time", return_value=1031.0):
        assert caching.cached("k", 30, compute) == 2


def test_while_one_request_recounts_the_others_get_the_stale_value():
    compute, calls = counter()
    with mock.patch("feedback.results.caching.time.time", return_value=1000.0):
        caching.cached("k", 30, compute)
    cache.add("k:recounting", True, 60)  # another worker is recounting right now
    with mock.patch("feedback.results.caching.time.time", return_value=1031.0):
        assert caching.cached("k", 30, compute) == 1
    assert len(calls) == 1


def test_refresh_recounts_at_once_and_zero_seconds_never_caches():
    compute, calls = counter()
    caching.cached("k", 30, compute)
    assert caching.cached("k", 30, compute, refresh=True) == 2
    assert caching.cached("other", 0, compute) == 3
    assert caching.cached("other", 0, compute) == 4
