"""The concern's page in the admin as a workspace: decide and go to the next, redact and approve, near-duplicates.

Every decision goes through moderation.services, guarded by the version the page showed. The keyboard
works without JavaScript: each decision button has an access key (Alt+key in Chromium and Edge,
Alt+Shift+key in Firefox, Control+Option+key in Safari), and Tab reaches each one.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.options import csrf_protect_m
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..duplicates.sketch import shingles, similarity
from ..models import Concern
from ..redaction.by_hand import ALLOWED_PLACEHOLDERS, same_text
from . import selectors, services

# The page's decision buttons (templates/admin/feedback/concern/change_form.html), what each decides, its key.
MODERATION_BUTTONS = {
    "_approve": Concern.Status.APPROVED,
    "_reject": Concern.Status.REJECTED,
    "_spam": Concern.Status.SPAM,
}
REDACT_BUTTON = "_redact_approve"
ACCESS_KEYS = {"approve": "a", "reject": "r", "spam": "s", "redact": "d", "skip": "n", "start": "m"}

EDITED_WITHOUT_REDACTING = _(
    "You edited the text but did not press “Redact and approve”, so nothing was saved. To hide those parts, "
    "press “Redact and approve”; to decide without hiding anything, put the text back as it was."
)
REDACTION_REFUSED = _(
    "Only replace parts of the text with a placeholder: %(placeholders)s. Adding, deleting or correcting words is "
    "not allowed, so nothing was saved; your edit is below to correct."
)
REDACTION_WITH_DUPLICATES = _(
    "“Redact and approve” changes this concern only: untick its near-duplicates, or decide them on their own "
    "pages. Nothing was saved."
)


class ChangePageDecisions:
    """Mixed into ConcernAdmin: the POST of a concern's page, and what its template shows around the form."""

    def concern_url(self, request, concern_id: int) -> str:
        url = reverse("admin:feedback_concern_change", args=[concern_id])
        return add_preserved_filters({"preserved_filters": self.get_preserved_filters(request), "opts": self.opts}, url)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and change:
            context.update({key: value for key, value in self._workspace(request, obj).items() if key not in context})
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def _workspace(self, request, concern: Concern) -> dict:
        group = selectors.near_duplicate_group(concern)
        words = shingles(concern.text)
        following = selectors.next_in_queue(after=concern)
        return {
            "near_duplicates": [(other, round(100 * similarity(words, shingles(other.text)))) for other in group],
            "repeats_id": concern.near_duplicate_of_id,
            "placeholders": ALLOWED_PLACEHOLDERS,
            "redaction_text": concern.text,
            "next_url": self.concern_url(request, following.pk) if following else "",
            "access_keys": ACCESS_KEYS,
        }

    @csrf_protect_m
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and object_id is not None:
            return self._decide(request, unquote(object_id))
        return super().changeform_view(request, object_id, form_url, extra_context)

    def _show_again(self, request, object_id: str, error: str, redaction_text: str):
        """The page as a GET shows it, with the moderator's text kept and `error` above it; nothing was saved."""
        request.method = "GET"
        context = {"decision_error": error, "redaction_text": redaction_text}
        return super().changeform_view(request, object_id, "", context)

    def _decide(self, request, object_id: str):
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
        edited = request.POST.get("redacted_text")
        near_duplicates = [int(value) for value in request.POST.getlist("near_duplicates") if value.isdigit()]
        redacting = REDACT_BUTTON in request.POST
        if edited is not None and not redacting and not same_text(edited, concern.text):
            return self._show_again(request, object_id, str(EDITED_WITHOUT_REDACTING), edited)
        if redacting and near_duplicates:
            return self._show_again(request, object_id, str(REDACTION_WITH_DUPLICATES), edited or concern.text)
        decision = {
            "concern_id": concern.pk,
            "actor": request.user,
            "reason": form.cleaned_data["reason"],
            "expected_version": form.cleaned_data["expected_version"],
            "moderation_note": note,
        }
        try:
            if redacting:
                outcome = services.redact_and_approve(redacted_text=edited or "", **decision)
            else:
                outcome = services.decide_with_near_duplicates(
                    to_status=to_status,
                    near_duplicate_ids=near_duplicates,
                    reason_category=form.cleaned_data.get("reason_category", ""),
                    **decision,
                )
        except services.RedactionRefused:
            error = REDACTION_REFUSED % {"placeholders": " ".join(ALLOWED_PLACEHOLDERS)}
            return self._show_again(request, object_id, error, edited or "")
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
        except ValidationError as refused:  # e.g. its consultation was purged: it can no longer change
            self.message_user(request, " ".join(refused.messages), messages.ERROR)
            return HttpResponseRedirect(request.path)
        message = self._outcome_message(outcome, deciding=bool(to_status) or redacting)
        self.log_change(request, outcome.concern, message)
        self.message_user(request, message, messages.SUCCESS)
        if "_continue" in request.POST:
            return HttpResponseRedirect(request.path)
        return self._go_next(request, outcome.concern)

    def _outcome_message(self, outcome: services.ModerationOutcome, *, deciding: bool) -> str:
        concern = outcome.concern
        if not deciding:
            return gettext("The moderation note of concern #%(number)d was saved.") % {"number": concern.pk}
        message = gettext("Concern #%(number)d is now “%(status)s”.") % {
            "number": concern.pk,
            "status": concern.get_status_display(),
        }
        if outcome.redaction is not None and outcome.redaction.count:
            message += " " + gettext("%(count)d part(s) of its text are now hidden.") % {
                "count": outcome.redaction.count
            }
        if outcome.also_decided:
            message += " " + gettext("%(count)d near-duplicate(s) decided with it.") % {"count": outcome.also_decided}
        return message

    def _go_next(self, request, decided: Concern):
        following = selectors.next_in_queue(after=decided)
        if following is None:
            self.message_user(request, gettext("The moderation queue is empty: nothing else waits."), messages.INFO)
            return self.response_post_save_change(request, decided)
        return HttpResponseRedirect(self.concern_url(request, following.pk))
