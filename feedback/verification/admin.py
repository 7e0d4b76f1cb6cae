"""Participation codes in the admin: batches with how many codes were used, and issuing a new batch.

Issuing answers with the slips file itself (PDF, printable HTML or CSV): the codes exist in clear only
in that response and are never stored, so they cannot be shown again.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..models import CodeBatch, Consultation
from ..printing import PdfUnavailable
from ..roles import ISSUE_CODES_PERMISSION
from .selectors import batches_with_use
from .services import MAX_BATCH_SIZE, default_expiry, issue_codes
from .slips import SLIP_FORMATS, render_slips


class IssueCodesForm(forms.Form):
    consultation = forms.ModelChoiceField(label=_("Consultation"), queryset=Consultation.objects.order_by("-opens_at"))
    label = forms.CharField(
        label=_("Label"), max_length=120, help_text=_("Where and when the codes are handed out, e.g. “Pilsen, 12 Jan”.")
    )
    count = forms.IntegerField(label=_("How many codes"), min_value=1, max_value=MAX_BATCH_SIZE, initial=50)
    expires_on = forms.DateField(
        label=_("Valid until"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The last day a code works."),
    )
    format = forms.ChoiceField(
        label=_("Slips as"),
        choices=[("pdf", _("PDF to print")), ("html", _("Printable page (HTML)")), ("csv", _("CSV (codes only)"))],
        initial="pdf",
    )


@admin.register(CodeBatch)
class CodeBatchAdmin(admin.ModelAdmin):
    """Batches of codes: what was issued and how many codes were used (counts of codes, never of people)."""

    list_display = ("label", "consultation", "size", "redeemed", "expires_on", "created_at")
    list_filter = ("consultation",)
    list_select_related = ("consultation",)
    fields = ("consultation", "label", "size", "redeemed", "expires_on", "created_at")
    readonly_fields = fields
    add_form_template = "admin/feedback/codebatch/issue.html"

    def get_queryset(self, request):
        return batches_with_use(super().get_queryset(request))

    @admin.display(description=_("codes used"), ordering="redeemed")
    def redeemed(self, batch: CodeBatch) -> int:
        return batch.redeemed

    def has_add_permission(self, request):
        return request.user.has_perm(ISSUE_CODES_PERMISSION)

    def has_change_permission(self, request, obj=None):
        return False

    def add_view(self, request, form_url="", extra_context=None):
        """The issue form; a valid POST answers with the slips file, or the form again with what to fix."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        initial = {"expires_on": default_expiry(), "consultation": request.GET.get("consultation")}
        form = IssueCodesForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():  # no code is issued unless its slips were made
                    issued = issue_codes(
                        consultation=data["consultation"],
                        count=data["count"],
                        label=data["label"],
                        expires_on=data["expires_on"],
                        actor=request.user,
                    )
                    body = render_slips(issued, data["format"])
            except ValidationError as error:
                form.add_error(None, error)
            except PdfUnavailable:
                form.add_error("format", gettext("PDF cannot be made on this server; choose the printable page."))
            else:
                response = HttpResponse(body, content_type=SLIP_FORMATS[data["format"]])
                day = timezone.localdate().isoformat()
                response["Content-Disposition"] = f'attachment; filename="participation-codes-{day}.{data["format"]}"'
                response["Cache-Control"] = "no-store"
                return response
        if request.method == "POST":
            messages.error(request, gettext("No code was issued: see below."))
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Issue participation codes"),
            "subtitle": None,
            "opts": self.opts,
            "form": form,
            "media": self.media + form.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.add_form_template, context)
