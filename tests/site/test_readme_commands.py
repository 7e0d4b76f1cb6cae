"""README's commands work pasted on a fresh clone after `make run`, and a configuration mistake is one clear line."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
README = (PROJECT / "README.md").read_text()
# How README may run manage.py: in development as `make run` does, or inside the docker compose service.
RUNNABLE = re.compile(r"(^|[\s`(])(DEBUG=true \.venv/bin/python|docker compose exec web python) manage\.py")


def manage(*args: str, **environment: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        env={"PATH": os.environ["PATH"], **environment},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_without_a_secret_key_manage_py_says_so_in_one_line_and_exits_1():
    result = manage("check")
    assert result.returncode == 1
    assert result.stderr.startswith("SECRET_KEY is not set.")
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


def test_a_misspelt_setting_is_one_line_too():
    result = manage("check", DEBUG="maybe")
    assert result.returncode == 1
    assert result.stderr == "DEBUG must be true or false (or 1 or 0), not 'maybe'.\n"


def test_every_manage_py_command_in_the_readme_runs_as_written():
    """Not the bare `python manage.py` (no Django in the system Python; no SECRET_KEY)."""
    for number, line in enumerate(README.splitlines(), start=1):
        for match in re.finditer(r"\S*python\S* manage\.py", line):
            assert RUNNABLE.search(line[max(0, match.start() - 40) : match.end()]), f"README.md:{number}: {line}"


def test_every_make_target_the_readme_names_exists():
    makefile = (PROJECT / "Makefile").read_text()
    targets = set(re.findall(r"^([a-z][\w-]*):", makefile, flags=re.M))
    named = set(re.findall(r"`make ([a-z][\w-]*)|^make ([a-z][\w-]*)", README, flags=re.M))
    assert {"demo-data", "staff", "superuser"} <= {name for pair in named for name in pair if name}
    for pair in named:
        for name in pair:
            assert not name or name in targets, name


def test_the_readme_commands_work_with_only_debug_set_as_after_make_run():
    result = manage("generate_demo_data", "--help", DEBUG="true")
    assert result.returncode == 0, result.stderr
    assert "--concerns" in result.stdout
