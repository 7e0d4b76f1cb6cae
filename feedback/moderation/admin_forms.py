"""Forms of the moderation admin: the concern's page (paper entry, or the moderation panel) and the reject action."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Concern
from ..participation.forms import CommunityAreaField
from ..verification.selectors import code_refusal
from .forms import reason_category_field

CONCERN_FIELDS = ("consultation", "text", "topic", "role", "community_area", "language", "source")
CONTACT_FIELDS = ("contact_email", "contact_consent")
RECORD_FIELDS = ("created_at", "report_count", "reported_at")
MODERATION_INPUTS = ("moderation_note", "reason", "reason_category", "expected_version")


class ConcernAdminForm(forms.ModelForm):
    """The concern form: a paper concern on the add page, the moderation panel on the change page."""

    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Optional. Kept in the audit log with the decision; never shown to the public."),
    )
    reason_category = reason_category_field()
    # Typed in from paper as the resident wrote it ("Pilsen"); stored as the official area code.
    community_area = CommunityAreaField(label=_("community area"))
    participation_code = forms.CharField(
        label=_("Participation code"),
        required=False,
        max_length=20,
        help_text=_("If the paper form carries a participation code, type it: the concern then counts as verified."),
    )
    # The version the moderator saw: if it moved, someone else changed the concern meanwhile.
    expected_version = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    class Meta:
        model = Concern
        fields = (*CONCERN_FIELDS, *CONTACT_FIELDS, "moderation_note")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["expected_version"].initial = self.instance.version
            self.fields["reason_category"].initial = self.instance.rejection_reason
            self.fields["expected_version"].required = True
        if "source" in self.fields:
            self.fields["source"].choices = [
                (value, label) for value, label in Concern.Source.choices if value != Concern.Source.WEB
            ]
            self.fields["source"].initial = Concern.Source.PAPER

    def clean(self):
        cleaned_data = super().clean()
        topic, consultation = cleaned_data.get("topic"), cleaned_data.get("consultation")
        if consultation is not None and (
            refusal := code_refusal(consultation, cleaned_data.get("participation_code", ""))
        ):
            self.add_error("participation_code", refusal)
        if topic is not None and consultation is not None and topic.consultation_id != consultation.pk:
            self.add_error("topic", _("Choose one of this consultation's topics."))
        if cleaned_data.get("contact_email") and not cleaned_data.get("contact_consent"):
            self.add_error(
                "contact_consent",
                _("A contact email is kept only if the resident agreed to be contacted; tick this or remove it."),
            )
        return cleaned_data
