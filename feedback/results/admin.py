"""Daily tally snapshots in the admin: read-only."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ..models import TallySnapshot


class ReadOnlyAdmin(admin.ModelAdmin):
    """A list staff may read but never add to or change."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(TallySnapshot)
class TallySnapshotAdmin(ReadOnlyAdmin):
    list_display = ("consultation", "day", "total_endorsements", "total_concerns")
    list_filter = ("consultation",)
    list_select_related = ("consultation",)
    date_hierarchy = "day"
    fields = ("consultation", "day", "tallies", "created_at")
    readonly_fields = fields

    @admin.display(description=_("endorsements"))
    def total_endorsements(self, snapshot: TallySnapshot):
        return snapshot.tallies.get("total_endorsements")

    @admin.display(description=_("concerns"))
    def total_concerns(self, snapshot: TallySnapshot):
        return snapshot.tallies.get("total_concerns")
