"""Participation codes: one-time codes handed out on paper that make a participant "verified", anonymously.

What is stored, and what is not: a code only as a keyed hash, with its batch and whether it was
used (never when, never by whom); a verified participant only as a keyed hash of the consultation
and participant id, with no time, no batch and no code. Nothing joins the two tables.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .briefing import Consultation


class CodeBatch(models.Model):
    """Codes printed together for one place and day ("Pilsen meeting, 12 Jan")."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="code_batches", verbose_name=_("consultation")
    )
    label = models.CharField(_("label"), max_length=120, help_text=_("Where and when the codes are handed out."))
    size = models.PositiveIntegerField(_("codes"))
    expires_on = models.DateField(_("valid until"), help_text=_("The last day a code of this batch can be used."))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, editable=False, verbose_name=_("issued by")
    )
    created_at = models.DateTimeField(_("issued"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("participation code batch")
        verbose_name_plural = _("participation code batches")
        ordering = ["-created_at", "-pk"]
        permissions = [("issue_codes", _("Can issue participation codes"))]

    def __str__(self) -> str:
        return f"{self.label} ({self.size})"


class ParticipationCode(models.Model):
    """One code of a batch: its keyed hash and whether it has been used. Deliberately no time of use."""

    batch = models.ForeignKey(CodeBatch, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64, unique=True, editable=False)
    redeemed = models.BooleanField(_("used"), default=False)

    class Meta:
        verbose_name = _("participation code")
        verbose_name_plural = _("participation codes")

    def __str__(self) -> str:
        return f"{self.batch.label}: {'used' if self.redeemed else 'unused'}"


class VerifiedParticipant(models.Model):
    """A participant who entered a valid code in a consultation, known only by a keyed hash.

    The hash is the primary key, so the table keeps no order of arrival either.
    """

    key = models.CharField(max_length=64, primary_key=True, editable=False)
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="verified_participants")

    class Meta:
        verbose_name = _("verified participant")
        verbose_name_plural = _("verified participants")

    def __str__(self) -> str:
        return f"{self.consultation}: {self.key[:12]}"
