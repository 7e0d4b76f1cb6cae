"""Settings that keep a deployment safe and responsive by default, read in a fresh interpreter as a server would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]


def settings_in_a_fresh_process(*names: str, **environment: str) -> dict:
    """The named settings as `civictrust.settings` computes them with only `environment` set."""
    code = (
        "import json, sys, civictrust.settings as s;"
        "print(json.dumps({n: getattr(s, n, None) for n in sys.argv[1:]}, default=repr))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, *names],
        cwd=PROJECT,
        env={"PATH": os.environ["PATH"], **environment},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


PRODUCTION = {"SECRET_KEY": "k" * 50}


def test_in_production_the_participant_cookie_is_secure_by_default():
    assert settings_in_a_fresh_process("PARTICIPANT_COOKIE_SECURE", **PRODUCTION) == {"PARTICIPANT_COOKIE_SECURE": True}


def test_in_development_the_participant_cookie_works_over_plain_http():
    assert settings_in_a_fresh_process("PARTICIPANT_COOKIE_SECURE", DEBUG="true") == {
        "PARTICIPANT_COOKIE_SECURE": False
    }


def test_a_deployment_can_still_turn_the_secure_participant_cookie_off():
    values = settings_in_a_fresh_process("PARTICIPANT_COOKIE_SECURE", PARTICIPANT_COOKIE_SECURE="false", **PRODUCTION)
    assert values == {"PARTICIPANT_COOKIE_SECURE": False}


def test_a_hung_redis_cache_costs_a_quarter_of_a_second_a_call_with_no_retry():
    values = settings_in_a_fresh_process("CACHES", REDIS_URL="redis://127.0.0.1:6379/1", **PRODUCTION)
    options = values["CACHES"]["default"]["OPTIONS"]
    assert options == {"socket_connect_timeout": 0.25, "socket_timeout": 0.25, "retry_on_timeout": False}


def test_a_hung_broker_costs_a_request_at_most_two_short_tries():
    values = settings_in_a_fresh_process(
        "CELERY_BROKER_TRANSPORT_OPTIONS",
        "CELERY_TASK_PUBLISH_RETRY_POLICY",
        "CELERY_BROKER_TRANSPORT",
        "CELERY_BROKER_CONNECTION_MAX_RETRIES",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
        **PRODUCTION,
    )
    transport = values["CELERY_BROKER_TRANSPORT_OPTIONS"]
    assert transport["socket_connect_timeout"] <= 0.5 and transport["socket_timeout"] <= 0.5
    assert values["CELERY_TASK_PUBLISH_RETRY_POLICY"]["max_retries"] == 1
    assert values["CELERY_TASK_PUBLISH_RETRY_POLICY"]["interval_start"] == 0
    # The repaired Redis transport (civictrust/broker.py), and a worker that waits for the broker as long as it takes.
    assert values["CELERY_BROKER_TRANSPORT"] == "civictrust.broker:Transport"
    assert values["CELERY_BROKER_CONNECTION_MAX_RETRIES"] is None


def test_the_mail_server_gets_ten_seconds_by_default_and_email_timeout_sets_it():
    assert settings_in_a_fresh_process("EMAIL_TIMEOUT", **PRODUCTION) == {"EMAIL_TIMEOUT": 10}
    assert settings_in_a_fresh_process("EMAIL_TIMEOUT", EMAIL_TIMEOUT="3", **PRODUCTION) == {"EMAIL_TIMEOUT": 3}
    smtp = settings_in_a_fresh_process("EMAIL_TIMEOUT", EMAIL_URL="smtp://mail.example.org:25", **PRODUCTION)
    assert smtp == {"EMAIL_TIMEOUT": 10}
