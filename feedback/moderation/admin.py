"""Moderation in the admin: the queue, decisions one by one or in bulk, concerns entered for residents."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import model_ngettext
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.timesince import timesince
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..exports.admin import CONCERN_EXPORT_ACTIONS, InternalExportPermission
from ..models import Concern, ModerationEvent, Theme
from ..participation.forms import describe_hidden
from ..participation.services import enter_concern_on_behalf
from ..roles import VIEW_CONTACT_PERMISSION
from . import selectors, services
from .admin_decisions import ACCESS_KEYS, ChangePageDecisions
from .admin_forms import (
    CONCERN_FIELDS,
    CONTACT_FIELDS,
    MODERATION_INPUTS,
    RECORD_FIELDS,
    ConcernAdminForm,
)
from .forms import RejectionForm

# The queue shows this much of each concern: enough to decide most of them without opening the page.
SUMMARY_CHARACTERS = 280


def can_see_contact(request) -> bool:
    """Contact emails show only to superusers and to staff granted `feedback.view_contact`."""
    return request.user.has_perm(VIEW_CONTACT_PERMISSION)


class ModerationQueueFilter(admin.SimpleListFilter):
    """Status filter whose default (no choice made) is the moderation queue: pending or reported."""

    title = _("moderation status")
    parameter_name = "moderation"
    QUEUE = "queue"
    REPORTED = "reported"
    ALL = "all"

    def lookups(self, request, model_admin):
        return [
            (self.QUEUE, _("To moderate: pending or reported")),
            *Concern.Status.choices,
            (self.REPORTED, _("Reported")),
            (self.ALL, _("All")),
        ]

    def value(self):
        return super().value() or self.QUEUE

    def queryset(self, request, queryset):
        value = self.value()
        if value == self.QUEUE:
            return queryset.filter(selectors.IN_QUEUE)
        if value == self.REPORTED:
            return queryset.filter(reported_at__isnull=False)
        if value in Concern.Status.values:
            return queryset.filter(status=value)
        if value == self.ALL:
            return queryset
        raise admin.options.IncorrectLookupParameters(value)

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }


class ThemeFilter(admin.SimpleListFilter):
    """The concerns of one theme (linked from the theme's page)."""

    title = _("theme")
    parameter_name = "theme"

    def lookups(self, request, model_admin):
        themes = Theme.objects.select_related("anchor", "consultation").order_by("consultation__title", "position")
        return [(str(theme.pk), f"{theme.display_label} ({theme.size})") for theme in themes]

    def queryset(self, request, queryset):
        if self.value():
            if not self.value().isdigit():
                raise admin.options.IncorrectLookupParameters(self.value())
            return queryset.filter(theme_membership__theme_id=int(self.value()))
        return queryset


class ModerationEventInline(admin.TabularInline):
    """The concern's audit log, read-only on its change page."""

    model = ModerationEvent
    fields = ("created_at", "actor", "from_status", "to_status", "reason")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = _("audit log")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# How many of the selected concerns the reject confirmation shows; the rest are counted.
REJECT_PREVIEW = 20


@admin.register(Concern)
class ConcernAdmin(InternalExportPermission, ChangePageDecisions, admin.ModelAdmin):
    form = ConcernAdminForm
    list_display = ("summary", "status", "reported", "topic", "community_area", "role", "source", "age")
    list_filter = (
        ModerationQueueFilter,
        ThemeFilter,
        "topic",
        "community_area",
        "role",
        "consultation",
        "source",
        ("created_at", admin.DateFieldListFilter),
    )
    list_select_related = ("topic",)
    # The queue is worked oldest first, so nobody's concern waits behind newer ones.
    ordering = ("created_at", "pk")
    actions = ("approve", "reject", "mark_spam", *CONCERN_EXPORT_ACTIONS)
    list_per_page = 50
    show_full_result_count = False  # one COUNT less on a large table
    change_form_template = "admin/feedback/concern/change_form.html"
    change_list_template = "admin/feedback/concern/change_list.html"

    # --- What each user sees: the contact email only with feedback.view_contact ---

    def get_list_display(self, request):
        if can_see_contact(request):
            return (*self.list_display, "contact_email")
        return self.list_display

    def get_search_fields(self, request):
        return ("text", "contact_email") if can_see_contact(request) else ("text",)

    def get_fieldsets(self, request, obj=None):
        contact = CONTACT_FIELDS if can_see_contact(request) else ()
        if obj is None:
            return [(None, {"fields": (*CONCERN_FIELDS, *contact, "participation_code")})]
        if self.has_change_permission(request, obj):
            moderation = ("status", *MODERATION_INPUTS)
        else:
            moderation = ("status", "moderation_note")
        return [
            (_("Concern"), {"fields": (*CONCERN_FIELDS, *contact, *RECORD_FIELDS)}),
            (_("Moderation"), {"fields": moderation}),
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        # A resident's words and answers are never edited; moderators set the status and a note.
        return (*CONCERN_FIELDS, *CONTACT_FIELDS, *RECORD_FIELDS, "status")

    def get_inlines(self, request, obj):
        return [ModerationEventInline] if obj is not None else []

    @admin.display(description=_("concern"))
    def summary(self, concern: Concern) -> str:
        if concern.purged_on is not None:
            return gettext("(words deleted when the consultation was purged)")
        # In the language it was written in, so a screen reader reads a Spanish concern in Spanish.
        text = format_html(
            '<span lang="{}" dir="auto">{}</span>', concern.language, Truncator(concern.text).chars(SUMMARY_CHARACTERS)
        )
        if concern.near_duplicate_of_id is None:
            return text
        repeats = gettext("Nearly repeats #%(number)d") % {"number": concern.near_duplicate_of_id}
        return format_html('<span class="ct-tag ct-tag-repeat">{}</span> {}', repeats, text)

    @admin.display(description=_("reported"), ordering="reported_at")
    def reported(self, concern: Concern) -> str:
        """A mark on reported concerns only: the others show nothing at all."""
        if concern.reported_at is None:
            return ""
        return format_html(
            '<span class="ct-tag ct-tag-reported">{}</span>',
            gettext("Reported (%(count)d)") % {"count": concern.report_count},
        )

    @admin.display(description=_("waiting"), ordering="created_at")
    def age(self, concern: Concern) -> str:
        """How long ago the concern arrived, to the largest unit ("3 hours", "2 days").

        With a plain space, not timesince's no-break one: on a tablet the column wraps to "36 / minutes", so its
        width is that of one word whatever the number (the column stays nowrap on a wide screen)."""
        return timesince(concern.created_at, timezone.now(), depth=1).replace("\xa0", " ")

    def changelist_view(self, request, extra_context=None):
        """The queue, with a link (and access key) that opens its oldest concern to moderate one after another."""
        first = Concern.objects.filter(selectors.IN_QUEUE).order_by("created_at", "pk").only("pk").first()
        context = {
            "first_in_queue_url": reverse("admin:feedback_concern_change", args=[first.pk]) if first else "",
            "access_keys": ACCESS_KEYS,
            **(extra_context or {}),
        }
        return super().changelist_view(request, context)

    # --- Bulk actions ---

    def _moderate_selection(
        self, request, queryset, to_status: str, reason: str = "", reason_category: str = ""
    ) -> None:
        ids = list(queryset.values_list("pk", flat=True))
        changed = services.moderate_concerns(
            concern_ids=ids, to_status=to_status, actor=request.user, reason=reason, reason_category=reason_category
        )
        status_label = Concern.Status(to_status).label
        self.message_user(
            request,
            gettext("%(count)d %(items)s set to “%(status)s”; %(unchanged)d already had that status.")
            % {
                "count": changed,
                "items": model_ngettext(self.opts, changed),
                "status": status_label,
                "unchanged": len(ids) - changed,
            },
            messages.SUCCESS,
        )

    @admin.action(description=_("Approve selected concerns"), permissions=["change"])
    def approve(self, request, queryset):
        self._moderate_selection(request, queryset, Concern.Status.APPROVED)

    @admin.action(description=_("Mark selected concerns as spam"), permissions=["change"])
    def mark_spam(self, request, queryset):
        self._moderate_selection(request, queryset, Concern.Status.SPAM)

    @admin.action(description=_("Reject selected concerns…"), permissions=["change"])
    def reject(self, request, queryset):
        """Asks for an optional reason on a confirmation page, then rejects with it."""
        form = RejectionForm(request.POST if request.POST.get("post") == "yes" else None)
        if form.is_bound and form.is_valid():
            self._moderate_selection(
                request,
                queryset,
                Concern.Status.REJECTED,
                reason=form.cleaned_data["reason"],
                reason_category=form.cleaned_data["reason_category"],
            )
            return None
        # Bounded whatever the selection ("select all" may mean thousands): a count, the oldest few concerns to
        # recognise it by, and the selection itself carried as ids (or as "all that match", with the list's filters).
        total = queryset.count()
        select_across = request.POST.get("select_across") == "1"
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Reject concerns"),
            "subtitle": None,
            "opts": self.opts,
            "total": total,
            "preview": list(queryset.order_by("created_at", "pk")[:REJECT_PREVIEW]),
            "more": max(0, total - REJECT_PREVIEW),
            "select_across": select_across,
            "selected_ids": [] if select_across else list(queryset.values_list("pk", flat=True)),
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/feedback/concern/reject_confirmation.html", context)

    # --- The add page: a concern from paper, phone or a meeting ---

    def save_model(self, request, obj, form, change):
        if change:  # every change of an existing concern goes through ChangePageDecisions
            raise PermissionDenied
        data = form.cleaned_data
        submitted = enter_concern_on_behalf(
            consultation=data["consultation"],
            text=data["text"],
            source=data["source"],
            actor=request.user,
            role=data["role"],
            community_area=data["community_area"],
            language=data["language"],
            topic=data.get("topic"),
            contact_email=data.get("contact_email", ""),
            contact_consent=data.get("contact_consent", False),
            participation_code=data.get("participation_code", ""),
        )
        obj.pk = submitted.concern.pk
        obj.status = submitted.concern.status
        if submitted.hidden:  # what was hidden is said by kind and number only, never the words
            self.message_user(
                request,
                gettext("Before it was stored, these details were hidden: %(hidden)s.")
                % {"hidden": ", ".join(describe_hidden(submitted.hidden))},
                messages.WARNING,
            )
        self.message_user(
            request,
            gettext(
                "If the resident may want to withdraw this concern later, give them its receipt code: %(code)s. "
                "It is shown only now."
            )
            % {"code": submitted.receipt_code},
            messages.INFO,
        )


@admin.register(ModerationEvent)
class ModerationEventAdmin(admin.ModelAdmin):
    """The audit log: anyone allowed may read it; nobody, not even a superuser, may write to it here."""

    list_display = ("created_at", "concern_link", "actor", "from_status", "to_status", "reason")
    list_filter = ("to_status", ("created_at", admin.DateFieldListFilter))
    list_select_related = ("actor",)
    search_fields = ("=concern_number",)
    search_help_text = _("Search by concern number.")
    show_full_result_count = False

    @admin.display(description=_("concern"), ordering="concern_number")
    def concern_link(self, event: ModerationEvent) -> str:
        if event.concern_id is None:
            return f"#{event.concern_number}"
        url = reverse("admin:feedback_concern_change", args=[event.concern_id])
        return format_html('<a href="{}">#{}</a>', url, event.concern_number)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
