"""Print a plain PostgreSQL COPY of an endorsement export's columns (day, remedy, role, community area), for psql.

The baseline the records CSV is measured against: the same rows and columns, with no label, order or anonymity.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civictrust.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.db.models.functions import TruncDate  # noqa: E402
from psycopg import ClientCursor  # noqa: E402

from feedback.models import Consultation, Endorsement  # noqa: E402

consultation = Consultation.objects.get(slug=sys.argv[1])
rows = (
    Endorsement.objects.filter(remedy__consultation=consultation)
    .annotate(day=TruncDate("created_at"))
    .values_list("day", "remedy__title", "role", "community_area")
)
sql, params = rows.query.sql_with_params()
connection.ensure_connection()
print(ClientCursor(connection.connection).mogrify(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER true)", params))
