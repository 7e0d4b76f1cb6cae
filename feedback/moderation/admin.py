"""Moderation in the admin: the queue, decisions one by one or in bulk, concerns entered for residents."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import csrf_protect_m
from django.contrib.admin.utils import model_ngettext, unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..exports.admin import CONCERN_EXPORT_ACTIONS
from ..models import Concern, ModerationEvent
from ..participation.forms import describe_hidden
from ..participation.services import enter_concern_on_behalf
from ..roles import VIEW_CONTACT_PERMISSION
from ..verification.selectors import code_refusal
from . import services

CONCERN_FIELDS = ("consultation", "text", "topic", "role", "community_area", "language", "source")
CONTACT_FIELDS = ("contact_email", "contact_consent")
RECORD_FIELDS = ("created_at", "report_count", "reported_at")
MODERATION_INPUTS = ("moderation_note", "reason", "expected_version")
# The change page's submit buttons (templates/admin/feedback/concern/change_form.html) and what they decide.
MODERATION_BUTTONS = {
    "_approve": Concern.Status.APPROVED,
    "_reject": Concern.Status.REJECTED,
    "_spam": Concern.Status.SPAM,
}


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
        if value == self.QUEUE:  # a purged concern can no longer change, so it waits for nobody
            return queryset.filter(Q(status=Concern.Status.PENDING) | Q(reported_at__isnull=False), purged_on=None)
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


class ConcernAdminForm(forms.ModelForm):
    """The concern form: a paper concern on the add page, the moderation panel on the change page."""

    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Optional. Kept in the audit log with the decision; never shown to the public."),
    )
    # The version the moderator saw: if it moved, someone else changed the concern meanwhile.
    expected_version = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    participation_code = forms.CharField(
        label=_("Participation code"),
        required=False,
        max_length=20,
        help_text=_("If the paper form carries a participation code, type it: the concern then counts as verified."),
    )

    class Meta:
        model = Concern
        fields = (*CONCERN_FIELDS, *CONTACT_FIELDS, "moderation_note")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["expected_version"].initial = self.instance.version
            self.fields["expected_version"].required = True
        if "source" in self.fields:
            self.fields["source"].choices = [
                (value, label) for value, label in Concern.Source.choices if value != Concern.Source.WEB
            ]
            self.fields["source"].initial = Concern.Source.PAPER

    def clean(self):
        cleaned_data = super().clean()
        topic, consultation = cleaned_data.get("topic"), cleaned_data.get("consultation")
        if topic is not None and consultation is not None and topic.consultation_id != consultation.pk:
            self.add_error("topic", _("Choose one of this consultation's topics."))
        if cleaned_data.get("contact_email") and not cleaned_data.get("contact_consent"):
            self.add_error(
                "contact_consent",
                _("A contact email is kept only if the resident agreed to be contacted; tick this or remove it."),
            )
        if refusal := code_refusal(consultation, cleaned_data.get("participation_code", "")):
            self.add_error("participation_code", refusal)
        return cleaned_data


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
class ConcernAdmin(admin.ModelAdmin):
    form = ConcernAdminForm
    list_display = ("summary", "status", "is_reported", "topic", "community_area", "role", "source", "created_at")
    list_filter = (
        ModerationQueueFilter,
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
        return Truncator(concern.text).chars(120)

    @admin.display(description=_("reported"), boolean=True, ordering="reported_at")
    def is_reported(self, concern: Concern) -> bool:
        return concern.reported_at is not None

    # --- Bulk actions ---

    def _moderate_selection(self, request, queryset, to_status: str, reason: str = "") -> None:
        ids = list(queryset.values_list("pk", flat=True))
        changed = services.moderate_concerns(concern_ids=ids, to_status=to_status, actor=request.user, reason=reason)
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
            self._moderate_selection(request, queryset, Concern.Status.REJECTED, reason=form.cleaned_data["reason"])
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

    # --- The change page: moderation buttons, guarded by the concern's version ---

    @csrf_protect_m
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and object_id is not None:
            return self._moderate_from_change_page(request, unquote(object_id))
        return super().changeform_view(request, object_id, form_url, extra_context)

    def _moderate_from_change_page(self, request, object_id: str):
        concern = self.get_object(request, object_id)
        if concern is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_change_permission(request, concern):
            raise PermissionDenied
        form = self.get_form(request, concern, change=True)(request.POST, instance=concern)
        if not form.is_valid():
            self.message_user(
                request, gettext("The form was incomplete; nothing was saved. Please try again."), messages.ERROR
            )
            return HttpResponseRedirect(request.path)
        # A form that did not carry the note (never the admin's own) leaves the note alone.
        note = form.cleaned_data["moderation_note"] if "moderation_note" in request.POST else None
        to_status = next((status for button, status in MODERATION_BUTTONS.items() if button in request.POST), "")
        try:
            concern = services.decide_concern(
                concern_id=concern.pk,
                to_status=to_status,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["expected_version"],
                moderation_note=note,
            ).concern
        except services.ConcernChangedMeanwhile:
            self.message_user(
                request,
                gettext(
                    "This concern was changed by someone else since you opened it, so nothing was saved. "
                    "Here it is as it stands now: check it and decide again."
                ),
                messages.ERROR,
            )
            return HttpResponseRedirect(request.path)
        except Concern.DoesNotExist:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        except ValidationError as refused:
            self.message_user(request, " ".join(refused.messages), messages.ERROR)
            return HttpResponseRedirect(request.path)
        if to_status:
            message = gettext("Concern #%(number)d is now “%(status)s”.") % {
                "number": concern.pk,
                "status": concern.get_status_display(),
            }
        else:
            message = gettext("The moderation note of concern #%(number)d was saved.") % {"number": concern.pk}
        self.log_change(request, concern, message)
        self.message_user(request, message, messages.SUCCESS)
        if "_continue" in request.POST:
            return HttpResponseRedirect(request.path)
        return self.response_post_save_change(request, concern)

    # --- The add page: a concern from paper, phone or a meeting ---

    def save_model(self, request, obj, form, change):
        if change:  # every change of an existing concern goes through _moderate_from_change_page
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


class RejectionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the audit log for each of these concerns; never shown to the public."),
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
