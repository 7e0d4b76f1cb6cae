"""Certificates in the admin: read-only, each downloadable as JSON, printable HTML or PDF, and checkable.

A certificate is made from the *Certify tallies…* action on the consultations list, which opens the
confirmation here (or by `manage.py certify_tallies`).
"""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..models import Certificate, Consultation
from ..printing import PdfUnavailable
from ..roles import CERTIFY_PERMISSION
from .checks import UnreadableCertificate, check_certificate
from .printable import certificate_html, certificate_pdf
from .services import certify_tallies

DOWNLOADS = {"json": "application/json", "html": "text/html; charset=utf-8", "pdf": "application/pdf"}


class CertifyForm(forms.Form):
    consultation = forms.ModelChoiceField(label=_("Consultation"), queryset=Consultation.objects.order_by("-opens_at"))


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ("consultation", "created_at", "issued_by", "short_digest", "downloads")
    list_filter = ("consultation",)
    list_select_related = ("consultation", "issued_by")
    fields = ("consultation", "created_at", "issued_by", "digest", "ledger_balances", "burst_count", "downloads")
    readonly_fields = fields

    def has_add_permission(self, request):
        return request.user.has_perm(CERTIFY_PERMISSION)

    def add_view(self, request, form_url="", extra_context=None):
        """Confirm the consultation, then certify it and open the new certificate with its downloads."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = CertifyForm(request.POST or None, initial={"consultation": request.GET.get("consultation")})
        if request.method == "POST" and form.is_valid():
            certificate = certify_tallies(consultation=form.cleaned_data["consultation"], actor=request.user)
            self.message_user(request, gettext("The certificate is issued; download it below."))
            return HttpResponseRedirect(reverse("admin:feedback_certificate_change", args=[certificate.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Certify tallies"),
            "subtitle": None,
            "opts": self.opts,
            "form": form,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/feedback/certificate/certify.html", context)

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or request.user.has_perm(CERTIFY_PERMISSION)

    @admin.display(description=_("SHA-256"))
    def short_digest(self, certificate: Certificate) -> str:
        return certificate.digest[:16] + "…"

    @admin.display(description=_("ledger balances"), boolean=True)
    def ledger_balances(self, certificate: Certificate) -> bool:
        ledger = certificate.document["ledger"]
        return ledger["concerns"]["balanced"] and ledger["endorsements"]["balanced"]

    @admin.display(description=_("unusual bursts"))
    def burst_count(self, certificate: Certificate) -> int:
        return len(certificate.document["bursts"])

    @admin.display(description=_("download"))
    def downloads(self, certificate: Certificate) -> str:
        links = format_html_join(
            " · ",
            '<a href="{}">{}</a>',
            (
                (reverse("admin:feedback_certificate_download", args=[certificate.pk, fmt]), fmt.upper())
                for fmt in DOWNLOADS
            ),
        )
        check = reverse("admin:feedback_certificate_check", args=[certificate.pk])
        return format_html('{} · <a href="{}">{}</a>', links, check, gettext("Check against the database"))

    def get_urls(self):
        return [
            path(
                "<path:object_id>/download/<str:fmt>/",
                self.admin_site.admin_view(self.download_view),
                name="feedback_certificate_download",
            ),
            path(
                "<path:object_id>/check/",
                self.admin_site.admin_view(self.check_view),
                name="feedback_certificate_check",
            ),
            *super().get_urls(),
        ]

    def _certificate(self, request, object_id: str) -> Certificate:
        certificate = self.get_object(request, unquote(object_id))
        if certificate is None:
            raise Http404
        if not self.has_view_permission(request, certificate):
            raise PermissionDenied
        return certificate

    def download_view(self, request, object_id: str, fmt: str):
        certificate = self._certificate(request, object_id)
        if fmt not in DOWNLOADS:
            raise Http404
        document = certificate.document
        if fmt == "json":
            body = (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
        elif fmt == "html":
            body = certificate_html(document).encode("utf-8")
        else:
            try:
                body = certificate_pdf(document)
            except PdfUnavailable:
                self.message_user(request, gettext("PDF cannot be made on this server; download HTML."), messages.ERROR)
                return HttpResponseRedirect(reverse("admin:feedback_certificate_change", args=[certificate.pk]))
        response = HttpResponse(body, content_type=DOWNLOADS[fmt])
        name = f"certificate-{certificate.consultation.slug}-{certificate.created_at:%Y-%m-%d}-{certificate.pk}.{fmt}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    def check_view(self, request, object_id: str):
        """Recount the certificate against the database now; the differences appear as messages."""
        certificate = self._certificate(request, object_id)
        try:
            check = check_certificate(certificate.document)
        except UnreadableCertificate as error:
            self.message_user(request, str(error), messages.ERROR)
        else:
            if check.matches:
                self.message_user(request, gettext("Everything this certificate states still matches the database."))
            for difference in check.differences:
                self.message_user(request, gettext("Differs: %(what)s") % {"what": difference}, messages.ERROR)
            for note in check.notes:
                self.message_user(request, note, messages.INFO)
        return HttpResponseRedirect(reverse("admin:feedback_certificate_change", args=[certificate.pk]))
