"""Per-client rate limits: a friendly 429 beyond the limit, keyed by a hash, failing open without a cache."""

from __future__ import annotations

import logging

import pytest

from feedback.models import Concern, Endorsement, Report
from feedback.participation.ratelimits import client_key
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
    settings.CLIENT_HASH_SECRET = "another secret"
    assert client_key(request) != key


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


def test_a_refusal_is_logged_with_the_keyed_hash_never_the_address(client, briefing, settings, caplog):
    settings.RATELIMIT_CONCERNS = "1/h"
    with caplog.at_level(logging.INFO):
        client.post(NEW, concern_form_data(), REMOTE_ADDR="198.51.100.77")
        client.post(NEW, concern_form_data(), REMOTE_ADDR="198.51.100.77")
    refusals = [
        record.getMessage() for record in caplog.records if "Rate limit concerns reached" in record.getMessage()
    ]
    assert len(refusals) == 1
    assert "198.51.100.77" not in caplog.text
    from django.test import RequestFactory

    assert client_key(RequestFactory().get("/", REMOTE_ADDR="198.51.100.77"))[:16] in refusals[0]


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
        assert client.post(NEW, concern_form_data()).status_code == 302
        assert client.post(NEW, concern_form_data()).status_code == 302
    assert Concern.objects.count() == 2
    assert "Rate limit concerns not checked, the cache is unreachable" in caplog.text
