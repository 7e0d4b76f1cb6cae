"""Exports in the admin: export jobs built in the background, and "export selected" actions on the lists.

Files are served only inside the admin (staff login) and behind `jobs.can_download_job`; they are never
on a public URL. A job is shareable (published figures, k-anonymous records of the whole consultation)
unless an organizer holding `feedback.export_internal` ticks "exact, internal". "Export selected" writes
exact records of the ticked rows, so it is internal: only for that permission, marked INTERNAL.
"""

from __future__ import annotations

import io

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..briefing.selectors import default_consultation
from ..community_areas import COMMUNITY_AREA_CHOICES
from ..models import Concern, Consultation, ExportJob, Role
from ..results.tallies import TallyFilters
from . import jobs
from .formats import CONTENT_TYPES, ExportError
from .record_files import write_records

# "Export selected" builds its file inside the request, so it is bounded; larger exports are export jobs.
EXPORT_SELECTED_MAX_ROWS = 5000

# --- "Export selected" actions ---------------------------------------------------------------------


class InternalExportPermission:
    """Lists whose "export selected" actions write exact records: only staff allowed internal exports see them."""

    def has_export_internal_permission(self, request) -> bool:
        return jobs.can_export_internal(request.user)


def _export_selected(what: str, fmt: str, consultation_field: str):
    def action(modeladmin, request, queryset):
        if not jobs.can_export_internal(request.user):
            modeladmin.message_user(
                request,
                gettext(
                    "Exporting selected rows gives exact records: it needs the permission to export internal "
                    "records. A shareable export of the whole consultation is on the Exports page."
                ),
                messages.ERROR,
            )
            return None
        consultation_ids = set(queryset.order_by().values_list(consultation_field, flat=True).distinct()[:2])
        if len(consultation_ids) != 1:
            modeladmin.message_user(
                request, gettext("Select rows of one consultation (filter the list by consultation)."), messages.ERROR
            )
            return None
        ids = tuple(queryset.order_by().values_list("pk", flat=True)[: EXPORT_SELECTED_MAX_ROWS + 1])
        if len(ids) > EXPORT_SELECTED_MAX_ROWS:
            modeladmin.message_user(
                request,
                gettext(
                    "More than %(max)d rows are selected. Request an export on the Exports page instead: "
                    "it is built in the background."
                )
                % {"max": EXPORT_SELECTED_MAX_ROWS},
                messages.ERROR,
            )
            return None
        if what == "concerns" and queryset.exclude(status=Concern.Status.APPROVED).exists():
            modeladmin.message_user(
                request, gettext("Only approved concerns are exported; the others were left out."), messages.WARNING
            )
        out = io.BytesIO()
        try:
            write_records(
                consultation=Consultation.objects.get(pk=consultation_ids.pop()),
                what=what,
                fmt=fmt,
                out=out,
                filters=TallyFilters(only_ids=ids),
                internal=True,
            )
        except ExportError as error:
            modeladmin.message_user(request, str(error), messages.ERROR)
            return None
        response = HttpResponse(out.getvalue(), content_type=CONTENT_TYPES[fmt])
        day = timezone.localdate().isoformat()
        response["Content-Disposition"] = f'attachment; filename="civictrust-{what}-INTERNAL-selected-{day}.{fmt}"'
        response["Cache-Control"] = "private, no-store"
        return response

    action.__name__ = f"export_selected_{what}_{fmt}"
    return action


def _internal_action(what: str, fmt: str, consultation_field: str, description: str):
    return admin.action(description=description, permissions=["export_internal"])(
        _export_selected(what, fmt, consultation_field)
    )


export_selected_concerns_csv = _internal_action(
    "concerns", "csv", "consultation", _("Export selected approved concerns, exact and internal (CSV)")
)
export_selected_concerns_xlsx = _internal_action(
    "concerns", "xlsx", "consultation", _("Export selected approved concerns, exact and internal (XLSX)")
)
export_selected_concerns_json = _internal_action(
    "concerns", "json", "consultation", _("Export selected approved concerns, exact and internal (JSON)")
)
export_selected_endorsements_csv = _internal_action(
    "endorsements", "csv", "remedy__consultation", _("Export selected endorsements, exact and internal (CSV)")
)
export_selected_endorsements_xlsx = _internal_action(
    "endorsements", "xlsx", "remedy__consultation", _("Export selected endorsements, exact and internal (XLSX)")
)
export_selected_endorsements_json = _internal_action(
    "endorsements", "json", "remedy__consultation", _("Export selected endorsements, exact and internal (JSON)")
)
CONCERN_EXPORT_ACTIONS = (export_selected_concerns_csv, export_selected_concerns_xlsx, export_selected_concerns_json)
ENDORSEMENT_EXPORT_ACTIONS = (
    export_selected_endorsements_csv,
    export_selected_endorsements_xlsx,
    export_selected_endorsements_json,
)


# --- Export jobs -------------------------------------------------------------------------------------


class ExportJobForm(forms.ModelForm):
    """What to export, with the filters as plain fields (stored in the job's `filters`)."""

    since = forms.DateField(label=_("From (day)"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To (day)"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    community_area = forms.ChoiceField(
        label=_("Community area"), required=False, choices=[("", _("All"))] + list(COMMUNITY_AREA_CHOICES)
    )
    role = forms.ChoiceField(label=_("Role"), required=False, choices=[("", _("All"))] + list(Role.choices))
    source = forms.ChoiceField(
        label=_("Source of concerns"),
        required=False,
        choices=[("", _("All"))] + list(Concern.Source.choices),
        help_text=_("Applies to concerns only."),
    )

    class Meta:
        model = ExportJob
        fields = ("consultation", "kind", "format", "internal")

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            raise forms.ValidationError(_("The first day comes after the last day."))
        filtered = any(data.get(name) for name in ("since", "until", "community_area", "role", "source"))
        if filtered and not data.get("internal"):
            raise forms.ValidationError(
                _(
                    "A shareable export covers the whole consultation, so that two exports cannot be compared to "
                    "single someone out. Clear the filters, or tick “exact, internal”."
                )
            )
        return data

    def save(self, commit=True):
        data = self.cleaned_data
        self.instance.filters = jobs.filters_to_json(
            TallyFilters(
                since=data.get("since"),
                until=data.get("until"),
                community_area=data.get("community_area", ""),
                role=data.get("role", ""),
                source=data.get("source", ""),
            )
        )
        return super().save(commit=commit)


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    """Organizers request exports here; a worker builds them; the list shows progress and the file."""

    form = ExportJobForm
    list_display = (
        "__str__",
        "classification",
        "status",
        "progress_shown",
        "download_link",
        "row_count",
        "consultation_slug",
        "created_at",
        "requested_by",
    )
    list_filter = ("status", "kind", "format", "consultation")
    list_select_related = ("consultation", "requested_by")
    readonly_fields = (
        "consultation",
        "kind",
        "format",
        "internal",
        "filters",
        "requested_by",
        "status",
        "progress",
        "row_count",
        "error",
        "attempts",
        "created_at",
        "enqueued_at",
        "started_at",
        "finished_at",
        "download_link",
        "readme",
    )
    change_list_template = "admin/feedback/exportjob/change_list.html"

    def get_fields(self, request, obj=None):
        if obj is None and jobs.can_export_internal(request.user):
            return ("consultation", "kind", "format", "internal", "since", "until", "community_area", "role", "source")
        if obj is None:  # shareable exports only: the whole consultation, no filter
            return ("consultation", "kind", "format")
        return self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def has_change_permission(self, request, obj=None):
        return False  # a requested export is a record: it is viewed, not edited

    @admin.display(description=_("consultation"), ordering="consultation__slug")
    def consultation_slug(self, job: ExportJob) -> str:
        return job.consultation.slug

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        default = default_consultation()
        if default is not None:
            initial.setdefault("consultation", default.pk)
        return initial

    @admin.display(description=_("kind of file"), ordering="internal")
    def classification(self, job: ExportJob) -> str:
        return gettext("INTERNAL (exact)") if job.internal else gettext("shareable")

    @admin.display(description=_("progress"))
    def progress_shown(self, job: ExportJob) -> str:
        return f"{job.progress} %"

    @admin.display(description=_("file"))
    def download_link(self, job: ExportJob) -> str:
        if job.status == ExportJob.Status.DONE and job.file:
            url = reverse("admin:feedback_exportjob_download", args=[job.pk])
            readme = reverse("admin:feedback_exportjob_readme", args=[job.pk])
            return format_html(
                '<a href="{}">{}</a> · <a href="{}">{}</a>', url, gettext("Download"), readme, gettext("Read me")
            )
        if job.status == ExportJob.Status.DONE:
            return gettext("Deleted (older than %(days)d days)") % {"days": settings.EXPORT_RETENTION_DAYS}
        if job.status == ExportJob.Status.FAILED:
            return Truncator(job.error).chars(60)  # the whole reason is on the export's page
        return "—"

    def save_model(self, request, obj, form, change):
        if not jobs.can_export_internal(request.user):
            obj.internal = False  # the field was not offered; a forged one is ignored
        jobs.request_export(obj, requested_by=request.user)

    def response_add(self, request, obj, post_url_continue=None):
        self.message_user(
            request,
            gettext("Export requested. It is built in the background; this list shows when it is ready."),
            messages.SUCCESS,
        )
        return self.response_post_save_add(request, obj)

    def delete_model(self, request, obj):
        jobs.delete_export_files(ExportJob.objects.filter(pk=obj.pk))
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        jobs.delete_export_files(queryset)
        super().delete_queryset(request, queryset)

    def changelist_view(self, request, extra_context=None):
        active = ExportJob.objects.filter(status__in=(ExportJob.Status.PENDING, ExportJob.Status.RUNNING)).exists()
        return super().changelist_view(request, {**(extra_context or {}), "has_active_exports": active})

    def get_urls(self):
        download = path(
            "<path:object_id>/download/",
            self.admin_site.admin_view(self.download_view),
            name="feedback_exportjob_download",
        )
        readme = path(
            "<path:object_id>/readme/",
            self.admin_site.admin_view(self.readme_view),
            name="feedback_exportjob_readme",
        )
        return [download, readme, *super().get_urls()]

    def download_view(self, request, object_id):
        """The job's file as an attachment, to staff allowed to export (internal: with that permission); else 403."""
        job = self._downloadable(request, object_id)
        if job.status != ExportJob.Status.DONE or not job.file:
            raise Http404(gettext("This export has no file (not built yet, failed, or deleted)."))
        try:
            handle = job.file.open("rb")
        except FileNotFoundError:
            raise Http404(gettext("This export's file is gone.")) from None
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=jobs.download_filename(job),
            content_type=CONTENT_TYPES[job.format],
        )
        response["Cache-Control"] = "private, no-store"
        return response

    def _downloadable(self, request, object_id) -> ExportJob:
        if not jobs.can_download_exports(request.user):
            raise PermissionDenied
        job = self.get_object(request, unquote(object_id))
        if job is None:
            raise Http404(gettext("No such export."))
        if not jobs.can_download_job(request.user, job):
            raise PermissionDenied
        return job

    def readme_view(self, request, object_id):
        """What the file says about itself (shareable or internal, the rule it follows), as a text attachment."""
        job = self._downloadable(request, object_id)
        if not job.readme:
            raise Http404(gettext("This export has no read-me yet (it is not built)."))
        response = HttpResponse(job.readme + "\n", content_type="text/plain; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{jobs.download_filename(job, suffix=".readme.txt")}"'
        response["Cache-Control"] = "private, no-store"
        return response
