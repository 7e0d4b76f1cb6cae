"""Print the COPY statement export_records runs for a consultation's endorsements, for psql to time alone."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civictrust.settings")

import django  # noqa: E402

django.setup()

from feedback.exports.pg_copy import copy_statement as _copy_statement  # noqa: E402
from feedback.models import Consultation  # noqa: E402

print(_copy_statement(Consultation.objects.get(slug=sys.argv[1]), "endorsements", None))
