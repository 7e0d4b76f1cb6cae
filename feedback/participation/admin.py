"""Endorsements in the admin: read-only, without the participant id (it identifies a browser; staff never need it)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models.functions import TruncDate
from django.utils.translation import gettext_lazy as _

from ..exports.admin import ENDORSEMENT_EXPORT_ACTIONS, InternalExportPermission
from ..models import Endorsement
from ..results.admin import ReadOnlyAdmin

# Rows in the order of their own values, as the exports sort them: a person who endorsed several remedies in one
# visit made rows with the same day, role and area, which newest-first (or any time order) would put side by side.
VALUE_ORDER = (TruncDate("created_at").asc(), "remedy", "community_area", "role")


@admin.register(Endorsement)
class EndorsementAdmin(InternalExportPermission, ReadOnlyAdmin):
    """Endorsements without their participant id (it identifies a browser, and staff never need it)."""

    list_display = ("remedy", "role", "community_area", "day")
    list_filter = ("remedy__consultation", "remedy", "role")
    list_select_related = ("remedy",)
    # No column re-sorts the list (a sort by one column would fall back to time order within it), and rows do not
    # link to their own pages.
    sortable_by = ()
    list_display_links = None
    fields = ("remedy", "role", "community_area", "day")
    readonly_fields = fields
    show_full_result_count = False
    actions = ENDORSEMENT_EXPORT_ACTIONS

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(endorsed_on=TruncDate("created_at"))

    def get_ordering(self, request):
        return VALUE_ORDER

    @admin.display(description=_("day"))
    def day(self, endorsement: Endorsement):
        return endorsement.endorsed_on
