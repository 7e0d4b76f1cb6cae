"""What residents send back: concerns, reports on published concerns, endorsements of remedies."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..community_areas import COMMUNITY_AREA_CHOICES
from .briefing import Consultation, Remedy, Topic


class Role(models.TextChoices):
    RESIDENT = "resident", _("Resident")
    ADVOCATE = "advocate", _("Advocate")
    ORGANIZATION = "organization", _("Community organization")
    OTHER = "other", _("Other")
    UNDISCLOSED = "undisclosed", _("Prefer not to say")


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
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.UNDISCLOSED)
    community_area = models.CharField(_("community area"), max_length=12, choices=COMMUNITY_AREA_CHOICES)
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_consent = models.BooleanField(_("consent to be contacted"), default=False)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="en")
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.WEB)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    moderation_note = models.TextField(_("moderation note"), blank=True)
    receipt_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    report_count = models.PositiveIntegerField(_("reports"), default=0, editable=False)
    reported_at = models.DateTimeField(
        _("reported at"), null=True, blank=True, editable=False, help_text=_("Set by a report, cleared by moderation.")
    )
    version = models.PositiveIntegerField(default=0, editable=False)
    moderators_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
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
        ordering = ["-created_at"]
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
        return f"#{self.pk} {self.text[:60]}"


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
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [models.UniqueConstraint(fields=["concern", "participant"], name="one_report_per_participant")]

    def __str__(self) -> str:
        return f"Report on concern #{self.concern_id}"


class Endorsement(models.Model):
    remedy = models.ForeignKey(Remedy, on_delete=models.CASCADE, related_name="endorsements")
    participant = models.UUIDField()
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    community_area = models.CharField(_("community area"), max_length=12, choices=COMMUNITY_AREA_CHOICES, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("endorsement")
        verbose_name_plural = _("endorsements")
        constraints = [
            models.UniqueConstraint(fields=["remedy", "participant"], name="one_endorsement_per_participant")
        ]
        indexes = [models.Index(fields=["participant"], name="endorsement_participant")]

    def __str__(self) -> str:
        return f"{self.remedy} ({self.created_at:%Y-%m-%d})"
