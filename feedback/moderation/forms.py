"""Form fields of the moderators' decisions that are not fields of a concern."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import RejectionReason


def reason_category_field() -> forms.ChoiceField:
    """The reason category of a rejection: the only part of a decision the concern's author ever sees."""
    return forms.ChoiceField(
        label=_("Reason category (shown to the author)"),
        required=False,
        choices=[("", _("None given")), *RejectionReason.choices],
        help_text=_(
            "When rejecting or marking as spam: the only part of the decision the author sees when they check "
            "their concern's status with the receipt code. Your note and reason are never shown."
        ),
    )


class RejectionForm(forms.Form):
    """The bulk rejection's confirmation page: an optional category for the author, an optional reason for the log."""

    reason_category = reason_category_field()
    reason = forms.CharField(
        label=_("Reason (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the audit log for each of these concerns; never shown to the public."),
    )
