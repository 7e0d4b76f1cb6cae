"""When a test needs a service this machine lacks (PostgreSQL, Redis, Chromium): skip it here, fail it in CI.

Every skip in the suite goes through `unavailable`, so with `CI` set (`.ci/run` sets it) a missing service is a
failure, never a silent skip; `tests/site/test_no_silent_skips.py` holds that rule.
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def unavailable(reason: str) -> NoReturn:
    """Skip the running test because `reason`; with CI set, fail it instead."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI must run this test)", pytrace=False)
    pytest.skip(reason)


def on_postgresql() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


def require_postgresql(why: str) -> None:
    """Go on only on PostgreSQL (DATABASE_URL); `why` says what the test needs of it."""
    if not on_postgresql():
        unavailable(f"{why}: needs PostgreSQL (set DATABASE_URL=postgres://...)")


# For a whole test or module: `@postgresql_only` / `pytestmark = [postgresql_only]` (the fixture is in conftest.py).
postgresql_only = pytest.mark.usefixtures("postgresql")
