"""Production settings pass Django's deployment check and keep cookies and HTTPS strict; DEBUG stays usable."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
SHOW = (
    "import json, civictrust.settings as s; print(json.dumps({name: getattr(s, name) for name in ["
    "'SECURE_SSL_REDIRECT', 'SECURE_PROXY_SSL_HEADER', 'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS',"
    "'SECURE_HSTS_PRELOAD', 'SESSION_COOKIE_NAME', 'CSRF_COOKIE_NAME', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE',"
    "'SESSION_COOKIE_HTTPONLY', 'CSRF_COOKIE_HTTPONLY', 'SESSION_COOKIE_SAMESITE', 'CSRF_COOKIE_SAMESITE',"
    "'SILENCED_SYSTEM_CHECKS', 'SESSION_ENGINE']}))"
)


def production_environment(**extra: str) -> dict[str, str]:
    """Only what README tells an operator to set, plus `extra`."""
    return {
        "PATH": os.environ["PATH"],
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "civictrust.example.org",
        "CSRF_TRUSTED_ORIGINS": "https://civictrust.example.org",
        **extra,
    }


def run(args: list[str], environment: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=PROJECT, env=environment, capture_output=True, text=True, timeout=120
    )


def settings_with(environment: dict[str, str]) -> dict:
    result = run(["-c", SHOW], environment)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_deployment_check_finds_no_issue_with_production_settings():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "DEBUG"], production_environment())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_behind_a_tls_terminating_proxy_the_deployment_check_only_reminds_that_the_proxy_must_redirect():
    environment = production_environment(
        SECURE_SSL_REDIRECT="false", SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto: https"
    )
    result = run(["manage.py", "check", "--deploy", "--fail-level", "DEBUG"], environment)
    # Django's deploy check warns when the app itself does not redirect to HTTPS; behind a proxy the proxy does.
    assert "security.W008" in result.stdout + result.stderr
    assert "identified 1 issue" in result.stdout + result.stderr


def test_production_redirects_to_https_with_a_year_of_hsts_including_subdomains():
    values = settings_with(production_environment())
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] == 31_536_000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_HSTS_PRELOAD"] is False
    assert values["SECURE_PROXY_SSL_HEADER"] is None


def test_production_cookies_are_secure_samesite_and_named_with_the_host_prefix():
    values = settings_with(production_environment())
    assert values["SESSION_COOKIE_NAME"] == "__Host-sessionid"
    assert values["CSRF_COOKIE_NAME"] == "__Host-csrftoken"
    assert values["SESSION_COOKIE_SECURE"] is True and values["CSRF_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True and values["CSRF_COOKIE_HTTPONLY"] is True
    assert values["SESSION_COOKIE_SAMESITE"] == "Lax" and values["CSRF_COOKIE_SAMESITE"] == "Lax"


def test_sessions_live_in_the_database_so_a_redis_outage_keeps_staff_signed_in():
    values = settings_with(production_environment(REDIS_URL="redis://127.0.0.1:6379/13"))
    assert values["SESSION_ENGINE"] == "django.contrib.sessions.backends.db"


def test_debug_mode_keeps_plain_cookie_names_and_no_redirect_for_http_on_127_0_0_1():
    values = settings_with({"PATH": os.environ["PATH"], "DEBUG": "true"})
    assert values["SESSION_COOKIE_NAME"] == "sessionid" and values["CSRF_COOKIE_NAME"] == "csrftoken"
    assert values["SESSION_COOKIE_SECURE"] is False and values["CSRF_COOKIE_SECURE"] is False
    assert values["SECURE_SSL_REDIRECT"] is False and values["SECURE_HSTS_SECONDS"] == 0


def test_the_https_settings_come_from_the_environment():
    values = settings_with(
        production_environment(
            SECURE_SSL_REDIRECT="false",
            SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto: https",
            SECURE_HSTS_SECONDS="600",
            SECURE_HSTS_PRELOAD="true",
        )
    )
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["SECURE_HSTS_SECONDS"] == 600
    assert values["SECURE_HSTS_PRELOAD"] is True


def test_only_the_two_explained_checks_are_silenced_and_preload_unsilences_its_reminder():
    assert settings_with(production_environment())["SILENCED_SYSTEM_CHECKS"] == ["security.W021", "axes.W006"]
    assert settings_with(production_environment(SECURE_HSTS_PRELOAD="true"))["SILENCED_SYSTEM_CHECKS"] == ["axes.W006"]


def test_a_malformed_proxy_header_setting_is_a_clear_error():
    result = run(["-c", SHOW], production_environment(SECURE_PROXY_SSL_HEADER="https"))
    assert result.returncode != 0
    assert "SECURE_PROXY_SSL_HEADER must look like 'X-Forwarded-Proto: https'" in result.stderr


def test_behind_a_proxy_a_request_it_forwarded_as_https_is_served_with_hsts(db):
    from django.test import Client, override_settings

    proxy = ("HTTP_X_FORWARDED_PROTO", "https")
    with override_settings(SECURE_SSL_REDIRECT=True, SECURE_PROXY_SSL_HEADER=proxy):
        forwarded = Client().get("/privacy/", HTTP_X_FORWARDED_PROTO="https")
        plain = Client().get("/privacy/")
    assert forwarded.status_code == 200
    assert forwarded["Strict-Transport-Security"].startswith("max-age=31536000")
    assert plain.status_code == 301


def test_the_env_example_for_docker_compose_passes_the_deployment_check_once_given_real_secrets():
    example = {}
    for line in (PROJECT / ".env.example").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, value = line.partition("=")
            example[name] = value
    environment = {**example, "PATH": os.environ["PATH"], "SECRET_KEY": secrets.token_urlsafe(50)}
    result = run(["manage.py", "check", "--deploy", "--fail-level", "DEBUG"], environment)
    assert result.returncode == 0, result.stdout + result.stderr
    assert settings_with(environment)["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
