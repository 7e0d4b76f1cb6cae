"""Forms residents fill in. They check input and explain mistakes; services do the writing."""

from __future__ import annotations

import hmac
import re
import time

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Layout, Submit
from django import forms
from django.conf import settings
from django.core import signing
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..briefing.selectors import published_topics
from ..community_areas import AREA_UNDISCLOSED, community_area_code, community_area_picker_choices
from ..models import Consultation, Role, Topic
from ..redaction import PLACEHOLDERS, Redaction, redact_concern_text
from ..verification.codes import looks_like_a_code
from ..widgets import PlainSelect
from .services import CONCERN_MAX_LENGTH, CONCERN_MIN_LENGTH

OTHER_TOPIC = "other"
STARTED_SALT = "civictrust.concern-form-started"
# A form left open longer than this is treated as stale and shown again with a fresh clock.
STARTED_MAX_AGE_SECONDS = 24 * 60 * 60


class CommunityAreaField(forms.ChoiceField):
    """The community-area picker: official areas and the neighbourhood names residents use, alphabetically.

    Whatever name is chosen ("Pilsen", "La Villita"), the cleaned value is the official area code ("31", "30"),
    which is all that is stored. `blank_label` adds an empty first choice (for an optional answer).
    """

    widget = PlainSelect

    def __init__(self, *, blank_label=None, **kwargs) -> None:
        blank = [("", blank_label)] if blank_label is not None else []
        super().__init__(choices=lambda: [*blank, *community_area_picker_choices()], **kwargs)
        self.help_text = self.help_text or _("Alphabetical. Neighbourhood names show their community area.")

    def clean(self, value) -> str:
        return community_area_code(super().clean(value))


def form_started_token(at: float | None = None) -> str:
    """A signed record of when the form was shown, so a too-quick (automated) reply can be told apart."""
    return signing.dumps(at if at is not None else time.time(), salt=STARTED_SALT)


def shown_redaction_token(redacted_text: str) -> str:
    """Proof that the resident was shown this redacted text: a keyed hash of it (no identifier is in it)."""
    return salted_hmac("civictrust.shown-redaction", redacted_text, algorithm="sha256").hexdigest()


_PLACEHOLDER = re.compile("|".join(re.escape(placeholder) for placeholder in PLACEHOLDERS.values()))


def redaction_pieces(redacted_text: str) -> list[tuple[str, bool]]:
    """The redacted text as (piece, is a placeholder) pairs, so a template can mark what was hidden."""
    pieces, position = [], 0
    for match in _PLACEHOLDER.finditer(redacted_text):
        if match.start() > position:
            pieces.append((redacted_text[position : match.start()], False))
        pieces.append((match.group(), True))
        position = match.end()
    if position < len(redacted_text):
        pieces.append((redacted_text[position:], False))
    return pieces


HIDDEN_KINDS = {
    "phone": lambda n: ngettext("%(count)d phone number", "%(count)d phone numbers", n),
    "email": lambda n: ngettext("%(count)d email address", "%(count)d email addresses", n),
    "a_number": lambda n: ngettext("%(count)d A-number", "%(count)d A-numbers", n),
    "id_number": lambda n: ngettext("%(count)d ID number", "%(count)d ID numbers", n),
    "address": lambda n: ngettext("%(count)d street address", "%(count)d street addresses", n),
    "name": lambda n: ngettext("%(count)d name", "%(count)d names", n),
}


def describe_hidden(counts: dict[str, int]) -> list[str]:
    """What redaction hid, in words a resident reads ("1 phone number", "2 names"), always in the same order."""
    return [
        describe(counts[kind]) % {"count": counts[kind]} for kind, describe in HIDDEN_KINDS.items() if kind in counts
    ]


class ErrorSummaryMixin:
    """The error summary at the top of a form (templates/feedback/includes/error_summary.html)."""

    def error_summary(self) -> list[tuple[str, str]]:
        """(anchor id, message) for every error, in the order of the form, for the summary at the top.

        Errors of the hidden fields are reported without an anchor (there is nothing to focus).
        """
        items = []
        for name, field in self.fields.items():
            for message in self.errors.get(name, []):
                anchor = "" if field.widget.is_hidden else self[name].auto_id
                if isinstance(field.widget, forms.RadioSelect):
                    anchor = f"{anchor}_0"
                items.append((anchor, message))
        items.extend(("", message) for message in self.non_field_errors())
        return items


class ConcernForm(ErrorSummaryMixin, forms.Form):
    """The concern form: never a name, never immigration status.

    Two quiet checks against automated spam: a field people never see (`website`, hidden by a
    CSS class) must stay empty, and the form must have been open CONCERN_MIN_FILL_SECONDS.

    Redaction, before anything is stored: when the text holds details the engine would hide, a
    valid form first `needs_confirmation`: the page shows the text as it will be stored and the
    resident sends it as shown or edits it. The words as written travel only in the form the
    browser posts back (never in a cookie, the session, the cache or a log); `shown_redaction`
    carries a keyed hash of the redacted text the resident saw, so sending again the same words
    stores exactly what was shown, and changed words are shown again if anything is still hidden.
    """

    topic = forms.ChoiceField(
        label=_("Topic (optional)"),
        required=False,
        help_text=_("Choose the topic closest to your concern, or “Other”."),
    )
    text = forms.CharField(
        label=_("Your concern"),
        min_length=CONCERN_MIN_LENGTH,
        max_length=CONCERN_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Between 10 and 2,000 characters. Please do not write names, addresses or anything that could "
            "identify you or someone else."
        ),
        error_messages={
            "required": _("Write your concern."),
            "min_length": _("Write at least %(limit_value)d characters (you wrote %(show_value)d)."),
            "max_length": _("Write at most %(limit_value)d characters (you wrote %(show_value)d)."),
        },
    )
    role = forms.ChoiceField(
        label=_("You are"),
        choices=Role.choices,
        initial=Role.UNDISCLOSED,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose what describes you, or “Prefer not to say”."),
            "invalid_choice": _("Choose one of the listed options."),
        },
    )
    community_area = CommunityAreaField(
        label=_("Community area"),
        initial=AREA_UNDISCLOSED,
        help_text=_(
            "Where you live or spend most of your time, by its name or its neighbourhood's (for example Pilsen or "
            "Little Village). You can choose “Prefer not to say”."
        ),
        error_messages={
            "required": _("Choose a community area, or “Prefer not to say”."),
            "invalid_choice": _("Choose a community area from the list."),
        },
    )
    contact_email = forms.EmailField(
        label=_("Email (optional)"),
        required=False,
        help_text=_("Only if you want an organizer to be able to reply. It is never published."),
        error_messages={"invalid": _("Enter an email address like name@example.org, or leave this empty.")},
    )
    contact_consent = forms.BooleanField(
        label=_("I agree that organizers may contact me at this email about my concern."),
        required=False,
        help_text=_("Needed only if you give an email. It is deleted automatically after %(days)d days."),
    )
    participation_code = forms.CharField(
        label=_("Participation code (optional)"),
        required=False,
        max_length=20,
        help_text=_(
            "If you were given a code at a meeting, clinic or church, type it here: your concern then counts as "
            "verified. The code does not identify you."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    started = forms.CharField(widget=forms.HiddenInput, required=False)
    shown_redaction = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, consultation: Consultation, language: str = "en", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.consultation = consultation
        self.language = language
        self.redaction: Redaction | None = None
        self.topics = {str(topic.pk): topic for topic in published_topics(consultation)}
        self.fields["topic"].choices = [
            ("", _("Choose a topic")),
            *((pk, topic.name) for pk, topic in self.topics.items()),
            (OTHER_TOPIC, _("Other")),
        ]
        self.fields["topic"].error_messages["invalid_choice"] = _("Choose one of the listed topics, or “Other”.")
        consent = self.fields["contact_consent"]
        consent.help_text = consent.help_text % {"days": settings.CONTACT_EMAIL_RETENTION_DAYS}
        if not self.is_bound:
            self.initial["started"] = form_started_token()
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            "topic",
            "text",
            "role",
            "community_area",
            "contact_email",
            "contact_consent",
            "participation_code",
            Div(Field("website"), css_class="form-trap", aria_hidden="true"),
            "started",
            "shown_redaction",
            Submit("send", _("Send my concern")),
        )

    def clean_topic(self) -> Topic | None:
        value = self.cleaned_data["topic"]
        return self.topics.get(value)

    def clean_participation_code(self) -> str:
        return clean_code(self.cleaned_data["participation_code"], required=False)

    def clean_website(self) -> str:
        if self.cleaned_data["website"]:
            raise forms.ValidationError(_("This field must stay empty. Please clear it and send again."))
        return ""

    def clean_started(self) -> float:
        try:
            started = float(
                signing.loads(self.cleaned_data["started"], salt=STARTED_SALT, max_age=STARTED_MAX_AGE_SECONDS)
            )
        except (signing.BadSignature, TypeError, ValueError):
            self._restart_clock()
            raise forms.ValidationError(
                _("This form was open for a long time. Please check your concern and send it again.")
            ) from None
        if time.time() - started < settings.CONCERN_MIN_FILL_SECONDS:
            raise forms.ValidationError(
                _("That was very quick. Please check your concern, then press “Send my concern” again.")
            )
        return started

    def _restart_clock(self) -> None:
        self.data = self.data.copy()
        self.data[self.add_prefix("started")] = form_started_token()

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("contact_email") and not cleaned.get("contact_consent"):
            self.add_error(
                "contact_consent",
                _("Tick this box to let organizers contact you, or remove your email."),
            )
        if cleaned.get("text"):
            # The same call, on the same trimmed text and language, as submit_concern's: what is shown is stored.
            self.redaction = redact_concern_text(text=cleaned["text"].strip(), language=self.language)
        return cleaned

    @property
    def needs_confirmation(self) -> bool:
        """True when redaction hides something the resident has not yet been shown (call after is_valid)."""
        if self.redaction is None or not self.redaction.changed:
            return False
        shown = self.cleaned_data.get("shown_redaction", "")
        return not hmac.compare_digest(shown, shown_redaction_token(self.redaction.text))

    def ask_for_confirmation(self) -> None:
        """Make the form, shown again, carry the proof that its resident has now seen this redaction."""
        self.data = self.data.copy()
        self.data[self.add_prefix("shown_redaction")] = shown_redaction_token(self.redaction.text)

    def hidden_summary(self) -> list[str]:
        return describe_hidden(self.redaction.counts) if self.redaction else []

    def redacted_pieces(self) -> list[tuple[str, bool]]:
        return redaction_pieces(self.redaction.text) if self.redaction else []


class DangerSubmit(Submit):
    """A submit button for an action that cannot be undone: red, not the primary blue."""

    field_classes = "btn btn-danger"


class ReceiptForm(ErrorSummaryMixin, forms.Form):
    """A receipt code, to delete the concern it belongs to."""

    submit = DangerSubmit("withdraw", _("Delete my concern"))

    receipt_code = forms.CharField(
        label=_("Receipt code"),
        max_length=40,
        help_text=_("The code shown after you sent your concern, for example 7KQM-X3TA-P9RD."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
        error_messages={"required": _("Enter your receipt code.")},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout("receipt_code", self.submit)


class StatusCheckForm(ReceiptForm):
    """A receipt code, to see what became of the concern it belongs to."""

    submit = Submit("check", _("Check the status"))


class AboutYouForm(forms.Form):
    """Optional details an endorser may add; remembered in their participant cookie only."""

    role = forms.ChoiceField(
        label=_("You are"),
        required=False,
        choices=[("", _("Not given")), *Role.choices],
        error_messages={"invalid_choice": _("Choose one of the listed options.")},
    )
    community_area = CommunityAreaField(
        label=_("Community area"),
        required=False,
        blank_label=_("Not given"),
        error_messages={"invalid_choice": _("Choose a community area from the list.")},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        # A plain Submit: crispy's Submit is always btn-primary, and another colour class would paint blue on blue.
        self.helper.layout = Layout("role", "community_area", Submit("save", _("Save these details")))


def clean_code(code: str, *, required: bool) -> str:
    """A participation code as typed, checked for its shape (8 letters and digits); "" when none is given."""
    code = code.strip()
    if not code and not required:
        return ""
    if not looks_like_a_code(code):
        raise forms.ValidationError(
            _("A participation code has 8 letters and digits, like ABCD-EF23 (there is no 0, O, 1, I or L in it).")
        )
    return code


class ParticipationCodeForm(ErrorSummaryMixin, forms.Form):
    """A participation code typed on the remedies page or its own page (feedback/verification/)."""

    code = forms.CharField(
        label=_("Participation code"),
        max_length=20,
        help_text=_("8 letters and digits, as on your slip, for example ABCD-EF23."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
        error_messages={"required": _("Type the code from your slip.")},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout("code", Submit("use", _("Use this code")))

    def clean_code(self) -> str:
        return clean_code(self.cleaned_data["code"], required=True)
