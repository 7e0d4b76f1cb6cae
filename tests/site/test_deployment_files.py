"""No Docker engine runs in CI, so the compose file is checked by reading it."""

import importlib
import re
import shlex
from pathlib import Path

import pytest
import yaml
from django.core.management import get_commands

PROJECT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((PROJECT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def command_words(service: str) -> list[str]:
    command = SERVICES[service]["command"]
    return shlex.split(command) if isinstance(command, str) else command


def test_the_stack_has_the_five_services():
    assert set(SERVICES) == {"web", "worker", "beat", "db", "redis"}


def test_every_manage_py_command_the_web_service_runs_exists():
    words = command_words("web")
    script = " ".join(words)
    for name in re.findall(r"manage\.py (\w+)", script):
        assert name in get_commands(), name
    assert "migrate" in script and "load_briefing" in script


@pytest.mark.parametrize("service", ["web"])
def test_gunicorn_uses_the_project_config_and_an_importable_wsgi_module(service):
    script = " ".join(command_words(service))
    match = re.search(r"gunicorn -c (\S+) (\S+)", script)
    assert match, script
    config, module = match.groups()
    assert (PROJECT / config).is_file()
    assert hasattr(importlib.import_module(module), "application")


@pytest.mark.parametrize("service", ["worker", "beat"])
def test_celery_services_name_the_project_celery_app(service):
    words = command_words(service)
    assert words[:3] == ["celery", "-A", "civictrust"]
    assert importlib.import_module(words[2]).celery_app.main == "civictrust"


def test_app_services_are_built_from_the_dockerfile_and_wait_for_healthy_services():
    for name in ["web", "worker", "beat"]:
        service = SERVICES[name]
        assert service["build"] == "."
        assert service["depends_on"] == {
            "db": {"condition": "service_healthy"},
            "redis": {"condition": "service_healthy"},
        }
    assert (PROJECT / "Dockerfile").is_file()


def test_postgres_16_keeps_its_data_in_a_named_volume_and_has_a_health_check():
    db = SERVICES["db"]
    assert db["image"].startswith("postgres:16")
    volume = db["volumes"][0].split(":")[0]
    assert volume in COMPOSE["volumes"]
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])


def test_redis_7_never_evicts_queued_tasks():
    redis = SERVICES["redis"]
    assert redis["image"].startswith("redis:7")
    assert "--maxmemory-policy noeviction" in redis["command"]


def test_the_dockerfile_copies_the_files_the_image_needs():
    dockerfile = (PROJECT / "Dockerfile").read_text()
    for path in re.findall(r"^COPY (.+) \./$", dockerfile, flags=re.M):
        for name in path.split():
            if name != ".":
                assert (PROJECT / name).exists(), name
