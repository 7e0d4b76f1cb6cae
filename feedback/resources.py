"""django-import-export resources for the admin's "export selected" actions (export only, never import).

They give the same anonymised columns as `exports.write_records`, read through the same labels
and the same formula neutralisation: no contact email, participant id, hash or receipt, and the
day instead of the time.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from import_export import fields, resources

from .exports import RECORD_COLUMNS, neutralise
from .models import Concern, Endorsement


def _day(value) -> str:
    return timezone.localdate(value).isoformat()


def _or_not_given(value: str) -> str:
    return value or _("Not given")


class ExportOnlyResource(resources.ModelResource):
    """A resource that refuses to import anything."""

    def import_data(self, *args, **kwargs):
        raise NotImplementedError("civictrust resources are export only.")


class ConcernRecordResource(ExportOnlyResource):
    day = fields.Field(column_name="day")
    topic = fields.Field(column_name="topic")
    role = fields.Field(column_name="role")
    community_area = fields.Field(column_name="community_area")
    text = fields.Field(column_name="text")

    class Meta:
        model = Concern
        fields = RECORD_COLUMNS["concerns"]
        export_order = RECORD_COLUMNS["concerns"]

    def filter_export(self, queryset, **kwargs):
        """Approved concerns only, in the order of the command-line export (day, topic, text)."""
        return (
            queryset.filter(status=Concern.Status.APPROVED)
            .select_related("topic")
            .order_by("created_at__date", "topic_id", "text")
        )

    def dehydrate_day(self, concern: Concern) -> str:
        return _day(concern.created_at)

    def dehydrate_topic(self, concern: Concern) -> str:
        return neutralise(concern.topic.name if concern.topic else _("Other"))

    def dehydrate_role(self, concern: Concern) -> str:
        return neutralise(_or_not_given(concern.get_role_display()))

    def dehydrate_community_area(self, concern: Concern) -> str:
        return neutralise(_or_not_given(concern.get_community_area_display()))

    def dehydrate_text(self, concern: Concern) -> str:
        return neutralise(concern.text)


class EndorsementRecordResource(ExportOnlyResource):
    day = fields.Field(column_name="day")
    remedy = fields.Field(column_name="remedy")
    role = fields.Field(column_name="role")
    community_area = fields.Field(column_name="community_area")

    class Meta:
        model = Endorsement
        fields = RECORD_COLUMNS["endorsements"]
        export_order = RECORD_COLUMNS["endorsements"]

    def filter_export(self, queryset, **kwargs):
        """Rows ordered by their own values, so the order tells nothing about who or when."""
        return queryset.select_related("remedy").order_by("created_at__date", "remedy_id", "community_area", "role")

    def dehydrate_day(self, endorsement: Endorsement) -> str:
        return _day(endorsement.created_at)

    def dehydrate_remedy(self, endorsement: Endorsement) -> str:
        return neutralise(endorsement.remedy.title)

    def dehydrate_role(self, endorsement: Endorsement) -> str:
        return neutralise(_or_not_given(endorsement.get_role_display()))

    def dehydrate_community_area(self, endorsement: Endorsement) -> str:
        return neutralise(_or_not_given(endorsement.get_community_area_display()))
