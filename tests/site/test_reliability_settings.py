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
