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

from django.utils import timezone  # noqa: E402
from import_export import fields, resources  # noqa: E402

from feedback.models import Endorsement  # noqa: E402


class EndorsementRecordResource(resources.ModelResource):
    """The same four anonymised columns as civictrust's records export, the way django-import-export builds them."""

    day = fields.Field(column_name="day")
    remedy = fields.Field(column_name="remedy")
    role = fields.Field(column_name="role")
    community_area = fields.Field(column_name="community_area")

    class Meta:
        model = Endorsement
        fields = ("day", "remedy", "role", "community_area")
        export_order = fields

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("remedy").order_by("created_at__date", "remedy_id", "community_area", "role")

    def dehydrate_day(self, endorsement):
        return timezone.localdate(endorsement.created_at).isoformat()

    def dehydrate_remedy(self, endorsement):
        return endorsement.remedy.title

    def dehydrate_role(self, endorsement):
        return endorsement.get_role_display() or "Not given"

    def dehydrate_community_area(self, endorsement):
        return endorsement.get_community_area_display() or "Not given"


def main() -> None:
    rows = int(sys.argv[1])
    first_ids = Endorsement.objects.order_by("pk").values_list("pk", flat=True)[:rows]
    queryset = Endorsement.objects.filter(pk__in=list(first_ids))
    dataset = EndorsementRecordResource().export(queryset=queryset)
    written = dataset.export("csv")
    print(f"{len(dataset)} rows, {len(written)} characters")


if __name__ == "__main__":
    main()
