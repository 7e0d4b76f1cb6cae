"""The briefing's content in the admin: consultation, topics, remedies, stakeholders, About page, in every language."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from ..models import Consultation, Remedy, SiteAbout, Stakeholder, Topic
from ..roles import CERTIFY_PERMISSION, ISSUE_CODES_PERMISSION


class StakeholderInline(TranslationTabularInline):
    model = Stakeholder
    extra = 0
    fields = ("order", "name", "stance", "primary_concern", "main_concern", "suggested_remedy", "is_published")


@admin.register(Consultation)
class ConsultationAdmin(TranslationAdmin):
    list_display = ("title", "slug", "status", "opens_at", "closes_at", "purge")
    list_filter = ("status",)
    prepopulated_fields = {"slug": ("title",)}
    readonly_fields = ("purge",)
    inlines = [StakeholderInline]
    actions = ("certify", "issue_codes")

    def has_certify_permission(self, request) -> bool:
        return request.user.has_perm(CERTIFY_PERMISSION)

    def has_issue_codes_permission(self, request) -> bool:
        return request.user.has_perm(ISSUE_CODES_PERMISSION)

    # Both open their own page (feedback/certification/admin.py, feedback/verification/admin.py) for the
    # first selected consultation, which confirms and then certifies or issues.
    @admin.action(description=_("Certify tallies…"), permissions=["certify"])
    def certify(self, request, queryset):
        return HttpResponseRedirect(reverse("admin:feedback_certificate_add") + f"?consultation={queryset.first().pk}")

    @admin.action(description=_("Issue participation codes…"), permissions=["issue_codes"])
    def issue_codes(self, request, queryset):
        return HttpResponseRedirect(reverse("admin:feedback_codebatch_add") + f"?consultation={queryset.first().pk}")

    @admin.display(description=_("purge"))
    def purge(self, consultation: Consultation) -> str:
        """When its personal data goes (README, "What is kept"), so nobody is surprised either way."""
        if consultation.pk is None:
            return gettext("Purged %(days)d days after it closes.") % {"days": settings.PURGE_DAYS_AFTER_CLOSE}
        if consultation.purged_on is not None:
            return gettext("Purged on %(day)s.") % {"day": date_format(consultation.purged_on)}
        due = consultation.purge_due_on()
        if due is None:
            return gettext("No closing time set: once it is closed, purge it by hand (manage.py purge_consultation).")
        return gettext("Will be purged on %(day)s (%(days)d days after it closes).") % {
            "day": date_format(due),
            "days": settings.PURGE_DAYS_AFTER_CLOSE,
        }


class BriefingItemAdmin(TranslationAdmin):
    list_filter = ("consultation", "is_published")
    list_editable = ("order", "is_published")
    list_select_related = ("consultation",)


@admin.register(Topic)
class TopicAdmin(BriefingItemAdmin):
    list_display = ("name", "group", "consultation", "order", "is_published")
    list_filter = ("consultation", "group", "is_published")
    search_fields = ("name_en", "name_es")


@admin.register(Remedy)
class RemedyAdmin(BriefingItemAdmin):
    list_display = ("title", "kind", "proposed_by", "consultation", "order", "is_published")
    list_filter = ("consultation", "kind", "is_published")
    search_fields = ("title_en", "title_es")


@admin.register(Stakeholder)
class StakeholderAdmin(BriefingItemAdmin):
    list_display = ("name", "stance", "consultation", "order", "is_published")
    search_fields = ("name_en", "name_es")


@admin.register(SiteAbout)
class SiteAboutAdmin(TranslationAdmin):
    """The one About page of the site: it can be edited, never duplicated or deleted."""

    fields = ("operator", "operator_details", "contact", "contact_email", "partners", "data_requests")

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not SiteAbout.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
