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


def test_the_stack_has_the_six_services():
    assert set(SERVICES) == {"web", "worker", "beat", "db", "redis", "cache"}


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
            "cache": {"condition": "service_healthy"},
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


def test_the_cache_runs_on_its_own_redis_that_never_writes_to_disk_and_the_broker_keeps_its_own():
    cache, broker = SERVICES["cache"], SERVICES["redis"]
    words = shlex.split(cache["command"])
    assert words[words.index("--save") + 1] == ""
    assert words[words.index("--appendonly") + 1] == "no"
    assert "volumes" not in cache
    for name in ["web", "worker", "beat"]:
        environment = SERVICES[name]["environment"]
        assert environment["REDIS_URL"].startswith("redis://cache:")
        assert environment["CELERY_BROKER_URL"].startswith("redis://redis:")
    assert "--appendonly yes" in broker["command"]


def test_every_container_log_is_bounded_in_size():
    for name, service in SERVICES.items():
        options = service["logging"]["options"]
        assert options["max-size"] and int(options["max-file"]) <= 5, name


def test_postgres_logs_no_statement_and_no_row_values_with_its_errors():
    words = shlex.split(SERVICES["db"]["command"])
    assert "log_min_error_statement=panic" in words
    assert "log_error_verbosity=terse" in words


def test_celery_logs_no_line_per_task_received():
    for name in ["worker", "beat"]:
        assert "--loglevel=WARNING" in command_words(name), name


def test_the_dockerfile_copies_the_files_the_image_needs():
    dockerfile = (PROJECT / "Dockerfile").read_text()
    for path in re.findall(r"^COPY (.+) \./$", dockerfile, flags=re.M):
        for name in path.split():
            if name != ".":
                assert (PROJECT / name).exists(), name


@pytest.mark.parametrize("service", ["web", "worker", "beat", "db", "redis"])
def test_every_service_is_restarted_when_it_exits_unless_an_operator_stopped_it(service):
    assert SERVICES[service]["restart"] == "unless-stopped"


def test_the_readme_documents_systemd_units_that_always_restart_the_worker_and_beat():
    readme = (PROJECT / "README.md").read_text()
    for unit in ("civictrust-worker.service", "civictrust-beat.service"):
        section = readme.split(unit, 1)[1][:1000]
        assert "Restart=always" in section, unit
        assert "celery -A civictrust" in section, unit
