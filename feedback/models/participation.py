"""What residents send back: concerns, reports on published concerns, endorsements of remedies."""

from __future__ import annotations

import secrets
from datetime import datetime, time

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..community_areas import COMMUNITY_AREA_CHOICES
from .briefing import Consultation, Remedy, Topic


def start_of_local_day(moment: datetime | None = None) -> datetime:
    """Midnight (in TIME_ZONE) of the day of `moment` (default: now): the only time a resident's action keeps.

    Concerns, endorsements and reports store this instead of the moment itself, so no two rows can be
    matched by their times (a concern and its author's endorsements made a minute apart), nor with any
    log that has times in it; the figures per day stay exact.
    """
    day = timezone.localdate(moment) if moment is not None else timezone.localdate()
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


class Role(models.TextChoices):
    RESIDENT = "resident", _("Resident")
    ADVOCATE = "advocate", _("Advocate")
    ORGANIZATION = "organization", _("Community organization")
    OTHER = "other", _("Other")
    UNDISCLOSED = "undisclosed", _("Prefer not to say")


# Public references avoid look-alike characters, like receipt codes; 12 of them are about 59 bits of chance.
PUBLIC_REFERENCE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
PUBLIC_REFERENCE_LENGTH = 12


def new_public_reference() -> str:
    """A random reference such as k7qm3x9tap2d: what the public pages call a concern, never its database id."""
    return "".join(secrets.choice(PUBLIC_REFERENCE_ALPHABET) for _position in range(PUBLIC_REFERENCE_LENGTH))


class RejectionReason(models.TextChoices):
    """Why a concern was not published, in words its author may read on the status page.

    Only these categories ever reach the author: the moderator's own reason and note stay staff-only.
    """

    IDENTIFYING = "identifying", _("It named someone or could identify a person")
    ABUSIVE = "abusive", _("It contained threats, hate or insults")
    OFF_TOPIC = "off_topic", _("It was not about this consultation")
    ADVERTISING = "advertising", _("It was advertising or an automated message")
    DUPLICATE = "duplicate", _("It repeated another concern")
    OTHER = "other", _("Another reason under the publication rules")


class Concern(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        SPAM = "spam", _("Spam")

    class Source(models.TextChoices):
        WEB = "web", _("Web form")
        PAPER = "paper", _("Paper form")
        PHONE = "phone", _("Phone")
        MEETING = "meeting", _("Community meeting")

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="concerns")
    topic = models.ForeignKey(
        Topic, on_delete=models.SET_NULL, null=True, blank=True, related_name="concerns", verbose_name=_("topic")
    )
    text = models.TextField(_("concern"))
    # Names the concern on public pages (anchors, the report address): random, so it says nothing about when
    # the concern arrived or how many came before it, as a database id would.
    public_reference = models.CharField(
        _("public reference"), max_length=16, unique=True, default=new_public_reference, editable=False
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.UNDISCLOSED)
    community_area = models.CharField(_("community area"), max_length=12, choices=COMMUNITY_AREA_CHOICES)
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_consent = models.BooleanField(_("consent to be contacted"), default=False)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="en")
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.WEB)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    moderation_note = models.TextField(_("moderation note"), blank=True)
    rejection_reason = models.CharField(
        _("reason category"),
        max_length=20,
        choices=RejectionReason.choices,
        blank=True,
        help_text=_("Why it was not published, as its author sees it on the status page; empty when published."),
    )
    receipt_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    report_count = models.PositiveIntegerField(_("reports"), default=0, editable=False)
    # Times are days (start_of_local_day): see that function for why.
    reported_at = models.DateTimeField(
        _("reported at"), null=True, blank=True, editable=False, help_text=_("Set by a report, cleared by moderation.")
    )
    version = models.PositiveIntegerField(default=0, editable=False)
    moderators_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Sent by a participant who had entered a participation code (feedback/verification/), or typed in
    # by staff with the code from a paper form. Says nothing about which code or batch.
    verified = models.BooleanField(_("verified"), default=False, db_default=False, editable=False)
    created_at = models.DateTimeField(_("received"), default=start_of_local_day, db_index=True)
    updated_at = models.DateTimeField(default=start_of_local_day, editable=False)
    # The day a consultation's purge deleted this concern's words (it was never published); the row stays, so
    # every figure it counts in stays as it was. The certified ledger counts it as "purged", whatever its status.
    purged_on = models.DateField(null=True, blank=True, editable=False)
    # The first concern of the consultation this one nearly repeats (the same text pasted again, or with small
    # edits), found by feedback/duplicates when the concern arrives, or by the theme build for rows loaded in bulk.
    near_duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="near_duplicates",
        verbose_name=_("nearly repeats"),
    )

    class Meta:
        verbose_name = _("concern")
        verbose_name_plural = _("concerns")
        ordering = ["-created_at", "-pk"]
        permissions = [
            ("view_contact", _("Can see contact emails")),
            ("view_dashboard", _("Can see the results dashboard")),
        ]
        indexes = [
            models.Index(fields=["consultation", "status", "created_at"], name="concern_listing"),
            # The moderator digest looks for these among every concern ever received.
            models.Index(
                fields=["created_at"],
                condition=models.Q(status="pending", moderators_notified_at__isnull=True),
                name="concern_unannounced",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(contact_email="") | models.Q(contact_consent=True),
                name="contact_email_needs_consent",
            ),
        ]

    def __str__(self) -> str:
        # Never the text: Django's admin keeps this in its history (django_admin_log) and in its messages, where
        # the words would outlive a concern its author withdrew.
        return gettext("Concern #%(number)s") % {"number": self.pk}


class NearDuplicateKey(models.Model):
    """One hash of a concern's text: of its normalised text, or of one MinHash band of its character shingles.

    Concerns sharing a key are candidates for being near-duplicates of each other (feedback/duplicates). The
    key includes the consultation, so a lookup never meets another consultation's concerns. Every concern
    that has been compared has at least one key; the keys of a text are replaced when the text changes.
    """

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="near_duplicate_keys")
    key = models.BigIntegerField()

    class Meta:
        verbose_name = _("near-duplicate key")
        verbose_name_plural = _("near-duplicate keys")
        indexes = [models.Index(fields=["key"], name="near_duplicate_key")]

    def __str__(self) -> str:
        return f"{self.key} (concern #{self.concern_id})"


class Report(models.Model):
    """A participant's flag on a published concern; one per participant and concern."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="reports")
    participant = models.UUIDField()
    created_at = models.DateTimeField(default=start_of_local_day)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["concern", "participant"], name="one_report_per_participant")]

    def __str__(self) -> str:
        return f"Report on concern #{self.concern_id}"


class Endorsement(models.Model):
    remedy = models.ForeignKey(Remedy, on_delete=models.CASCADE, related_name="endorsements")
    participant = models.UUIDField()
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    community_area = models.CharField(_("community area"), max_length=12, choices=COMMUNITY_AREA_CHOICES, blank=True)
    # The participant entered a participation code in this consultation (set on all their endorsements).
    verified = models.BooleanField(_("verified"), default=False, db_default=False, editable=False)
    created_at = models.DateTimeField(default=start_of_local_day, db_index=True)

    class Meta:
        verbose_name = _("endorsement")
        verbose_name_plural = _("endorsements")
        constraints = [
            models.UniqueConstraint(fields=["remedy", "participant"], name="one_endorsement_per_participant")
        ]
        indexes = [models.Index(fields=["participant"], name="endorsement_participant")]

    def __str__(self) -> str:
        return f"{self.remedy} ({self.created_at:%Y-%m-%d})"


class ParticipantDetails(models.Model):
    """The optional role and community area a participant gave on the remedies page, kept on the server.

    The participant cookie holds only a signed random id, so someone holding the phone reads nothing from it.
    A row is found by a keyed hash of that id (`participation.participants.details_key`), so the table
    cannot be joined to the endorsements' participant ids without the site's secret key. `saved_on` (a day,
    never a time) lets rows outlive no cookie: they are deleted PARTICIPANT_COOKIE_DAYS after it.
    """

    key = models.CharField(max_length=64, unique=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    community_area = models.CharField(_("community area"), max_length=12, choices=COMMUNITY_AREA_CHOICES, blank=True)
    saved_on = models.DateField()

    class Meta:
        verbose_name = _("participant details")
        verbose_name_plural = _("participant details")

    def __str__(self) -> str:
        return f"details {self.key[:8]}"
