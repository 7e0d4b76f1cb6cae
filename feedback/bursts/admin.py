"""Excluded bursts in the admin: the list (read-only, never deleted) and the confirmation that excludes one.

The dashboard links each unusual burst here; excluding it asks for a reason, printed in certificates.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..models import ArrivalKind, BurstExclusion, Consultation
from ..roles import CERTIFY_PERMISSION
from .detection import burst_matching
from .services import exclude_burst


class ExclusionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Printed in every certificate of this consultation, beside the burst."),
        error_messages={"required": _("Say why this burst is left out.")},
    )


@admin.register(BurstExclusion)
class BurstExclusionAdmin(admin.ModelAdmin):
    list_display = ("starts_at", "ends_at", "subject_label", "kind", "arrivals", "reason", "excluded_by", "created_at")
    list_filter = ("consultation", "kind")
    list_select_related = ("excluded_by",)
    fields = list_display
    readonly_fields = fields

    def has_add_permission(self, request):
        return request.user.has_perm(CERTIFY_PERMISSION)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # an exclusion stays on record, as every certificate that listed it says

    def add_view(self, request, form_url="", extra_context=None):
        """Confirm the burst named in the query string (from the dashboard) and exclude it with a reason."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        query = request.GET
        consultation_id = query.get("consultation", "")
        consultation = Consultation.objects.filter(pk=consultation_id).first() if consultation_id.isdigit() else None
        kind = query.get("kind", "")
        subject = query.get("subject", "")
        starts_at, ends_at = parse_datetime(query.get("starts_at", "")), parse_datetime(query.get("ends_at", ""))
        window = dict(
            kind=kind, subject=int(subject) if subject.isdigit() else -1, starts_at=starts_at, ends_at=ends_at
        )
        dashboard = reverse("admin_dashboard") + (f"?consultation={consultation.slug}" if consultation else "")
        burst = None
        if consultation and kind in ArrivalKind.values and starts_at and ends_at and window["subject"] >= 0:
            burst = burst_matching(consultation, **window)
        if burst is None:
            self.message_user(
                request, gettext("That is not an unusual burst (any more); nothing was excluded."), messages.ERROR
            )
            return HttpResponseRedirect(dashboard)
        form = ExclusionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                exclude_burst(
                    consultation=consultation, **window, reason=form.cleaned_data["reason"], actor=request.user
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self.message_user(
                    request, gettext("The burst is excluded from certified tallies; nothing was deleted.")
                )
                return HttpResponseRedirect(dashboard)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Exclude a burst from certified tallies"),
            "subtitle": None,
            "opts": self.opts,
            "burst": burst,
            "consultation": consultation,
            "form": form,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/feedback/burstexclusion/confirm.html", context)
