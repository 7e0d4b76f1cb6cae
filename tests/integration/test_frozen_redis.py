"""A hung Redis (frozen: it accepts connections and never answers) costs a request about a second, not the
request's whole life: the cache and the broker client give up quickly and the page goes on without them.

The Redis is the test's own (tests/private_redis.py), frozen with SIGSTOP, and the app is gunicorn with the
production settings, using it both as the cache (REDIS_URL) and as the broker (CELERY_BROKER_URL).
"""

from __future__ import annotations

import io
import re
import time

import pytest
from django.core.management import call_command
from django.db import connection

from feedback.models import Concern, Endorsement
from tests.availability import require_postgresql
from tests.celery_worker import database_url
from tests.factories import concern_form_data
from tests.gunicorn_process import gunicorn, production_environment
from tests.private_redis import private_redis

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

# "About a second": the cache gives up after 0.25 s a call and the broker after 0.3 s a try; a concern makes two
# cache calls and up to two publishing tries. The rest is the page itself on a busy 2-core machine.
MOST_A_REQUEST_MAY_TAKE = 2.0


def fresh_form(browser, path: str) -> dict[str, str]:
    html = browser.get(path).body
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))


def timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def test_with_redis_frozen_every_request_is_answered_within_about_a_second(static_root, tmp_path):
    require_postgresql("the frozen Redis test (gunicorn on the test database)")
    call_command("load_briefing", stdout=io.StringIO())
    remedy_id = connection.cursor().execute("SELECT min(id) FROM feedback_remedy").fetchone()[0]
    with private_redis() as redis_server:
        environment = production_environment(
            STATIC_ROOT=str(static_root),
            DATABASE_URL=database_url(connection.settings_dict),
            REDIS_URL=redis_server.url.replace("/0", "/1"),
            CELERY_BROKER_URL=redis_server.url,
        )
        with gunicorn(environment, tmp_path) as server:
            browser = server.browser()
            # Warm: the worker process now holds open connections to the cache and the broker.
            assert browser.get("/c/chicago/results/").status == 200
            form = fresh_form(browser, "/c/chicago/concerns/new/")
            assert browser.post("/c/chicago/concerns/new/", {**concern_form_data(), **form}).status == 302

            redis_server.freeze()
            try:
                form = fresh_form(browser, "/c/chicago/concerns/new/")
                answers = [
                    timed(lambda: browser.get("/c/chicago/results/")),
                    timed(lambda: browser.get("/")),
                    timed(lambda: browser.post("/c/chicago/concerns/new/", {**concern_form_data(), **form})),
                    timed(
                        lambda: browser.post(
                            f"/c/chicago/remedies/{remedy_id}/endorse/",
                            {"csrfmiddlewaretoken": form["csrfmiddlewaretoken"]},
                        )
                    ),
                ]
            finally:
                redis_server.thaw()

    for response, seconds in answers:
        assert response.status in (200, 302), response.body[:500]
        assert seconds < MOST_A_REQUEST_MAY_TAKE, [round(s, 2) for _r, s in answers]
    assert Concern.objects.count() == 2  # the concern sent while Redis was frozen was saved
    assert Endorsement.objects.count() == 1
