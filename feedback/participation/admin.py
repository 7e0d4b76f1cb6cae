"""Endorsements in the admin: read-only, without the participant id (it identifies a browser; staff never need it)."""

from __future__ import annotations

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..exports.admin import ENDORSEMENT_EXPORT_ACTIONS, InternalExportPermission
from ..models import Endorsement
from ..results.admin import ReadOnlyAdmin


@admin.register(Endorsement)
class EndorsementAdmin(InternalExportPermission, ReadOnlyAdmin):
    """Endorsements without their participant id (it identifies a browser, and staff never need it)."""

    list_display = ("remedy", "role", "community_area", "day")
    list_filter = ("remedy__consultation", "remedy", "role")
    list_select_related = ("remedy",)
    fields = ("remedy", "role", "community_area", "day")
    readonly_fields = fields
    show_full_result_count = False
    actions = ENDORSEMENT_EXPORT_ACTIONS

    @admin.display(description=_("day"), ordering="created_at")
    def day(self, endorsement: Endorsement):
        return timezone.localdate(endorsement.created_at)
