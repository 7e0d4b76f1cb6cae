import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]


def load_settings(**environment):
    """Import the settings module in a fresh interpreter with only the given variables set."""
    env = {"PATH": os.environ["PATH"], **environment}
    return subprocess.run(
        [sys.executable, "-c", "import civictrust.settings as s; print(s.DEBUG, s.DATABASES['default']['ENGINE'])"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_settings_without_secret_key_refuse_to_start():
    result = load_settings(DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_debug_mode_starts_with_a_throwaway_key_and_sqlite():
    result = load_settings(DEBUG="true")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "django.db.backends.sqlite3"]


@pytest.mark.parametrize(("raw", "expected"), [("TRUE", "True"), ("1", "True"), ("False", "False"), ("0", "False")])
def test_booleans_accept_true_false_one_zero_in_any_case(raw, expected):
    result = load_settings(DEBUG=raw, SECRET_KEY="k" * 50)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == expected


def test_a_misspelt_boolean_is_a_clear_error():
    result = load_settings(DEBUG="yes please", SECRET_KEY="k" * 50)
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


def test_database_url_selects_postgresql_with_health_checks():
    code = (
        "import civictrust.settings as s; d = s.DATABASES['default'];"
        "print(d['ENGINE'], d['NAME'], d['CONN_HEALTH_CHECKS'], d['CONN_MAX_AGE'] > 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT,
        env={"PATH": os.environ["PATH"], "SECRET_KEY": "k" * 50, "DATABASE_URL": "postgres://u:p@db:5432/civic"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.postgresql", "civic", "True", "True"]
