"""Certificates of a consultation's tallies, as issued (the JSON document and its digest)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .briefing import Consultation


class Certificate(models.Model):
    """One certificate: the document exactly as issued, so it can be downloaded again and checked."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="certificates", verbose_name=_("consultation")
    )
    digest = models.CharField(_("SHA-256 digest"), max_length=64, editable=False)
    document = models.JSONField(_("certificate"), editable=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, editable=False, verbose_name=_("issued by")
    )
    created_at = models.DateTimeField(_("issued"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-created_at", "-pk"]
        permissions = [("certify_tallies", _("Can certify tallies and exclude unusual bursts"))]

    def __str__(self) -> str:
        return f"{self.consultation} {self.created_at:%Y-%m-%d %H:%M} ({self.digest[:12]})"


class ConcernIntake(models.Model):
    """How many concerns a consultation received from each source, ever: the ledger's "received".

    Incremented by the service that saves a concern, in its transaction, and never decremented or
    repaired, so a concern row removed any other way than the ledger knows shows as unaccounted.
    """

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="concern_intake")
    source = models.CharField(max_length=10)
    received = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("concerns received")
        verbose_name_plural = _("concerns received")
        constraints = [models.UniqueConstraint(fields=["consultation", "source"], name="one_intake_per_source")]

    def __str__(self) -> str:
        return f"{self.consultation} {self.source}: {self.received}"
