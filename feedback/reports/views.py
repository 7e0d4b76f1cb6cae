"""The report for City Hall from the dashboard: PDF to download, or a page to print from the browser."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..models import Consultation
from ..roles import VIEW_DASHBOARD_PERMISSION
from .rendering import FORMATS, PdfRendererMissing, report_document


class ReportForm(forms.Form):
    """What the dashboard's report box sends (query string)."""

    consultation = forms.ModelChoiceField(
        label=_("Consultation"), queryset=Consultation.objects.all(), to_field_name="slug"
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES, initial=settings.LANGUAGE_CODE)
    internal = forms.BooleanField(
        label=_("Internal version: exact figures, small groups included"),
        required=False,
        help_text=_("Marked “internal: contains small groups” on every page. Never publish it."),
    )
    format = forms.ChoiceField(choices=[(value, value) for value in FORMATS], initial="pdf")


def consultation_report(request):
    """The report of one consultation, for staff with `feedback.view_dashboard` (inside admin.site.admin_view).

    Bad input or a PDF this server cannot draw goes back to the dashboard with a message saying why.
    """
    if not request.user.has_perm(VIEW_DASHBOARD_PERMISSION):
        raise PermissionDenied
    form = ReportForm(request.GET)
    dashboard = HttpResponseRedirect(reverse("admin_dashboard"))
    if not form.is_valid():
        messages.error(request, gettext("The report could not be made with those choices; choose again below."))
        return dashboard
    data = form.cleaned_data
    try:
        document = report_document(
            data["consultation"],
            language=data["language"],
            internal=data["internal"],
            fmt=data["format"],
            standalone=False,
        )
    except PdfRendererMissing as missing:
        messages.error(request, str(missing))
        return dashboard
    response = HttpResponse(document.content, content_type=document.content_type)
    if data["format"] == "pdf":
        response["Content-Disposition"] = f'attachment; filename="{document.filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
