"""Per-client rate limits: a friendly 429 beyond the limit, keyed by a hash whose key lives one window, failing open
without a cache."""

from __future__ import annotations

import hashlib
import hmac
import logging
import time

import pytest
from django.core.cache import cache

from feedback.models import Concern, Endorsement, Report
from feedback.participation.ratelimits import COUNT_KEY, WINDOW_KEY, client_key
from tests.factories import ConcernFactory, concern_form_data

NEW = "/c/chicago/concerns/new/"


def test_concerns_beyond_the_limit_get_the_friendly_429_page_and_save_nothing(client, briefing, settings):
    settings.RATELIMIT_CONCERNS = "2/h"
    assert client.post(NEW, concern_form_data()).status_code == 302
    assert client.post(NEW, concern_form_data()).status_code == 302
    response = client.post(NEW, concern_form_data())
    assert response.status_code == 429
    page = response.content.decode()
    assert "Please wait a moment" in page and "Nothing you sent just now was saved." in page
    assert Concern.objects.count() == 2


def test_reading_the_form_does_not_count_against_the_limit(client, briefing, settings):
    settings.RATELIMIT_CONCERNS = "1/h"
    for _ in range(3):
        assert client.get(NEW).status_code == 200
    assert client.post(NEW, concern_form_data()).status_code == 302


def test_endorsements_beyond_the_limit_get_429(client, briefing, settings):
    settings.RATELIMIT_ENDORSEMENTS = "2/h"
    first, second, third = briefing.remedies.all()[:3]
    client.post(f"/c/chicago/remedies/{first.pk}/endorse/")
    client.post(f"/c/chicago/remedies/{second.pk}/endorse/")
    assert client.post(f"/c/chicago/remedies/{third.pk}/endorse/").status_code == 429
    assert Endorsement.objects.count() == 2


def test_reports_beyond_the_limit_get_429(client, briefing, settings):
    settings.RATELIMIT_REPORTS = "1/h"
    first, second = ConcernFactory(consultation=briefing), ConcernFactory(consultation=briefing)
    client.post(f"/c/chicago/concerns/{first.public_reference}/report/")
    assert client.post(f"/c/chicago/concerns/{second.public_reference}/report/").status_code == 429
    assert Report.objects.count() == 1


def test_receipt_code_guesses_beyond_the_limit_get_429(client, briefing, settings):
    settings.RATELIMIT_RECEIPTS = "3/h"
    for _ in range(3):
        assert client.post("/c/chicago/concerns/withdraw/", {"receipt_code": "AAAA-BBBB-CCCC"}).status_code == 200
    assert client.post("/c/chicago/concerns/withdraw/", {"receipt_code": "AAAA-BBBB-CCCC"}).status_code == 429


def test_another_address_has_its_own_count(client, briefing, settings):
    settings.RATELIMIT_CONCERNS = "1/h"
    client.post(NEW, concern_form_data(), REMOTE_ADDR="198.51.100.7")
    assert client.post(NEW, concern_form_data(), REMOTE_ADDR="198.51.100.7").status_code == 429
    assert client.post(NEW, concern_form_data(), REMOTE_ADDR="198.51.100.8").status_code == 302


def test_ipv6_addresses_of_one_household_share_a_count(rf, settings):
    first = rf.get("/", REMOTE_ADDR="2001:db8:1:2::10")
    same_network = rf.get("/", REMOTE_ADDR="2001:db8:1:2:abcd::99")
    other_network = rf.get("/", REMOTE_ADDR="2001:db8:1:3::10")
    assert client_key(first) == client_key(same_network) != client_key(other_network)


def test_the_client_key_is_a_keyed_hash_that_changes_with_the_secret(rf, settings):
    request = rf.get("/", REMOTE_ADDR="198.51.100.7")
    key = client_key(request)
    assert len(key) == 64 and "198.51.100.7" not in key
    assert client_key(request) == key  # the same all through its window
    settings.CLIENT_HASH_SECRET = "another secret"
    assert client_key(request) != key


class Clock:
    """time.time() under the test's control (the cache's expiry reads it too)."""

    def __init__(self, monkeypatch, start: float) -> None:
        self.now = start
        monkeypatch.setattr(time, "time", lambda: self.now)


def test_each_window_hashes_with_a_new_random_key_that_the_cache_drops_when_the_window_ends(rf, settings, monkeypatch):
    settings.RATELIMIT_CONCERNS = "30/h"
    clock = Clock(monkeypatch, 3600 * 500_000 + 10)  # ten seconds into an hour
    request = rf.get("/", REMOTE_ADDR="203.0.113.11")
    first_hour = client_key(request)
    window_key = WINDOW_KEY.format(group="concerns", window=500_000)
    assert cache.get(window_key) is not None

    clock.now += 3590  # the hour is over: its key has expired with it
    assert cache.get(window_key) is None
    assert client_key(request) != first_hour
    # Nothing the server keeps computes the first hour's hash again: not SECRET_KEY, not CLIENT_HASH_SECRET.
    for secret in (settings.SECRET_KEY, settings.CLIENT_HASH_SECRET):
        assert hmac.new(secret.encode(), b"203.0.113.11", hashlib.sha256).hexdigest() != first_hour


def test_the_client_hash_secret_does_not_default_to_the_secret_key(settings):
    from tests.site.test_deploy_settings import production_environment, run

    shown = run(["-c", "import civictrust.settings as s; print(repr(s.CLIENT_HASH_SECRET))"], production_environment())
    assert shown.stdout.strip() == "''"


def test_a_count_expires_at_the_end_of_its_window_not_an_hour_after_the_first_action(
    client, briefing, settings, monkeypatch
):
    settings.RATELIMIT_CONCERNS = "1/h"
    clock = Clock(monkeypatch, 3600 * 500_000 + 3000)  # fifty minutes into an hour
    assert client.post(NEW, concern_form_data(started="")).status_code == 200  # counted (a stale form is refused)
    assert client.post(NEW, concern_form_data(started="")).status_code == 429
    clock.now += 601  # the next hour: a fresh count, though the first action was only ten minutes ago
    assert client.post(NEW, concern_form_data(started="")).status_code == 200


def test_the_cache_holds_the_count_under_the_hash_and_never_the_address(client, briefing, settings):
    settings.RATELIMIT_CONCERNS = "5/h"
    client.post(NEW, concern_form_data(), REMOTE_ADDR="198.51.100.7")
    from django.test import RequestFactory

    hashed = client_key(RequestFactory().get("/", REMOTE_ADDR="198.51.100.7"))
    window = int(time.time()) // 3600
    assert cache.get(COUNT_KEY.format(group="concerns", window=window, client=hashed)) == 1
    stored = repr({key: cache._cache[key] for key in cache._cache})  # locmem: every key and pickled value
    assert "198.51.100.7" not in stored


def test_a_trusted_proxy_header_names_the_client(rf, settings):
    direct_key = client_key(rf.get("/", REMOTE_ADDR="198.51.100.7"))
    settings.CLIENT_ADDRESS_HEADER = "HTTP_X_REAL_IP"
    behind_proxy = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_REAL_IP="198.51.100.7")
    assert client_key(behind_proxy) == direct_key


def test_limits_can_be_turned_off(client, briefing, settings):
    settings.RATELIMIT_CONCERNS = "1/h"
    settings.RATELIMIT_ENABLE = False
    for _ in range(3):
        assert client.post(NEW, concern_form_data()).status_code == 302
    assert Concern.objects.count() == 3


def test_a_refusal_is_logged_without_the_address_or_any_part_of_its_hash(client, briefing, settings, caplog):
    settings.RATELIMIT_CONCERNS = "1/h"
    with caplog.at_level(logging.INFO):
        client.post(NEW, concern_form_data(), REMOTE_ADDR="198.51.100.77")
        client.post(NEW, concern_form_data(), REMOTE_ADDR="198.51.100.77")
    refusals = [
        record.getMessage() for record in caplog.records if "Rate limit concerns reached" in record.getMessage()
    ]
    assert refusals == ["Rate limit concerns reached."]
    from django.test import RequestFactory

    hashed = client_key(RequestFactory().get("/", REMOTE_ADDR="198.51.100.77"))
    assert "198.51.100.77" not in caplog.text
    assert hashed[:8] not in caplog.text  # a log outlives the window; no part of the hash may


@pytest.fixture
def unreachable_cache(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # the discard port: nothing answers
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }


def test_without_a_cache_limits_fail_open_with_a_log_line(client, briefing, settings, caplog, unreachable_cache):
    settings.RATELIMIT_CONCERNS = "1/h"
    with caplog.at_level(logging.WARNING, logger="feedback.ratelimits"):
        # Without the cache the receipt code cannot wait for the confirmation page: the answer itself shows it.
        for _ in range(2):
            response = client.post(NEW, concern_form_data())
            assert response.status_code == 200 and 'id="receipt-code"' in response.content.decode()
    assert Concern.objects.count() == 2
    assert "Rate limit concerns not checked, the cache is unreachable" in caplog.text
