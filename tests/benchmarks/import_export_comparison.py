"""Comparison figure for the benchmark: the same endorsement records through django-import-export.

Usage: python tests/benchmarks/import_export_comparison.py ROWS  (environment as for manage.py)
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civictrust.settings")

import django  # noqa: E402

django.setup()

from feedback.models import Endorsement  # noqa: E402
from feedback.resources import EndorsementRecordResource  # noqa: E402


def main() -> None:
    rows = int(sys.argv[1])
    first_ids = Endorsement.objects.order_by("pk").values_list("pk", flat=True)[:rows]
    queryset = Endorsement.objects.filter(pk__in=list(first_ids))
    dataset = EndorsementRecordResource().export(queryset=queryset)
    written = dataset.export("csv")
    print(f"{len(dataset)} rows, {len(written)} characters")


if __name__ == "__main__":
    main()
