"""A publication clock for the results tests: windows of PERIOD seconds, moved by hand."""

from __future__ import annotations

import pytest

PERIOD = 60
START = 1_700_000_000.0 - 1_700_000_000.0 % PERIOD  # the first second of a window


@pytest.fixture
def clock(settings, monkeypatch):
    """A clock the test moves by hand (`clock["t"]`); the publication reads time through it."""
    settings.RESULTS_PUBLISH_SECONDS = PERIOD
    now = {"t": START + 5}
    monkeypatch.setattr("feedback.results.publication.time.time", lambda: now["t"])
    return now
