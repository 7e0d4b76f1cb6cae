"""Arrival counts per minute (no participant id, kept a short time) and bursts excluded from certified tallies."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .briefing import Consultation


class ArrivalKind(models.TextChoices):
    ENDORSEMENT = "endorsement", _("Endorsements of a remedy")
    CONCERN = "concern", _("Concerns on a topic")


class ArrivalCount(models.Model):
    """How many endorsements of one remedy (or web concerns on one topic) arrived in one minute.

    `subject` is the remedy's or topic's id (0: a concern without a topic). Only counts: no
    participant id, nothing a row could be joined on. Incremented by the endorse and submit
    services in their transaction; deleted after BURST_WINDOW_RETENTION_DAYS.
    """

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="arrival_counts")
    kind = models.CharField(max_length=12, choices=ArrivalKind.choices)
    subject = models.PositiveBigIntegerField()
    minute = models.DateTimeField()
    arrivals = models.PositiveIntegerField(default=0)
    # Of those, how many came from a participant with nothing before in this consultation.
    from_new_participants = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("arrivals per minute")
        verbose_name_plural = _("arrivals per minute")
        constraints = [
            models.UniqueConstraint(fields=["consultation", "kind", "subject", "minute"], name="one_count_per_minute")
        ]
        indexes = [models.Index(fields=["minute"], name="arrival_minute")]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject} {self.minute:%Y-%m-%d %H:%M}: {self.arrivals}"


class BurstExclusion(models.Model):
    """An organizer's decision to leave a burst out of certified tallies, with the reason. Never deleted."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="burst_exclusions", verbose_name=_("consultation")
    )
    kind = models.CharField(_("what"), max_length=12, choices=ArrivalKind.choices)
    subject = models.PositiveBigIntegerField(_("remedy or topic"))
    # As it was called when excluded, and what arrived: kept after the minute counts are deleted.
    subject_label = models.CharField(_("remedy or topic"), max_length=300, editable=False)
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    arrivals = models.PositiveIntegerField(_("arrivals"), editable=False)
    from_new_participants = models.PositiveIntegerField(_("from new participants"), editable=False)
    reason = models.TextField(_("reason"))
    excluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, editable=False, verbose_name=_("by")
    )
    created_at = models.DateTimeField(_("excluded"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("excluded burst")
        verbose_name_plural = _("excluded bursts")
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "kind", "subject", "starts_at", "ends_at"], name="one_exclusion_per_burst"
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject_label} {self.starts_at:%Y-%m-%d %H:%M}"
