"""With CI set, no test may skip for a missing service: every skip goes through tests/availability.py."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.availability import unavailable

TESTS = Path(__file__).resolve().parents[1]
SKIPS = re.compile(r"pytest\.skip\(|\.skipif\b|importorskip|mark\.skip\b|unittest\.skip")


def test_no_test_skips_except_through_the_helper_that_fails_in_ci():
    offenders = [
        f"{path.relative_to(TESTS)}:{number}: {line.strip()}"
        for path in sorted(TESTS.rglob("*.py"))
        if path.name not in {"availability.py", "test_no_silent_skips.py"}
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if SKIPS.search(line)
    ]
    assert offenders == [], "skip through tests.availability.unavailable instead:\n" + "\n".join(offenders)


def test_a_missing_service_fails_the_test_in_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="no Redis here"):
        unavailable("no Redis here")


def test_a_missing_service_skips_the_test_outside_ci(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no Redis here"):
        unavailable("no Redis here")
