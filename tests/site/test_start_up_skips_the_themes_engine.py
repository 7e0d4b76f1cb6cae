"""A Django process starts without loading scikit-learn: only a theme build needs it, and it takes seconds to import.

Every web worker and management command (consultation_report among them) loads the admin, and through it the
themes package; the engine behind it is imported when a build asks for it.
"""

from __future__ import annotations

import os
import subprocess
import sys

from django.conf import settings

from feedback import themes
from feedback.themes import engine

PROBE = (
    "import sys, django; django.setup(); "
    "from django.contrib import admin; admin.autodiscover(); "
    "import feedback.themes.services, feedback.themes.selectors, feedback.reports.contents; "
    "print(sorted(name for name in ('sklearn', 'scipy') if name in sys.modules))"
)


def test_django_and_the_report_start_without_scikit_learn_and_a_build_still_finds_the_engine():
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "civictrust.settings", "SECRET_KEY": "x"}
    # A fixed command run by this interpreter, in a fresh process so that nothing is imported yet.
    started = subprocess.run(  # noqa: S603
        [sys.executable, "-c", PROBE], cwd=settings.BASE_DIR, env=environment, capture_output=True, text=True
    )
    assert started.returncode == 0, started.stderr
    assert started.stdout.strip() == "[]"
    assert themes.build_themes is engine.build_themes
