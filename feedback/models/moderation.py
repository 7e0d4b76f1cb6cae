"""The moderators' audit log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .participation import Concern


class ModerationEvent(models.Model):
    """Append-only audit log of every status change of a concern.

    The concern link is kept nullable so the log outlives a concern its author withdrew; the
    consultation and source are kept as plain values for the same reason (the certified ledger
    counts withdrawn concerns from them). Tamper-evident: each event carries the hash of the one
    before it and its own (feedback/audit/chain.py), so an edited or removed row breaks the chain.
    """

    concern = models.ForeignKey(
        Concern, on_delete=models.SET_NULL, null=True, related_name="moderation_events", verbose_name=_("concern")
    )
    concern_number = models.PositiveBigIntegerField(_("concern number"))
    consultation_number = models.PositiveBigIntegerField(_("consultation number"), null=True, blank=True)
    concern_source = models.CharField(_("source"), max_length=10, blank=True, db_default="")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("by")
    )
    from_status = models.CharField(_("from"), max_length=10, blank=True)
    to_status = models.CharField(_("to"), max_length=10)
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    previous_hash = models.CharField(
        _("hash of the previous event"), max_length=64, blank=True, db_default="", editable=False
    )
    entry_hash = models.CharField(_("hash"), max_length=64, blank=True, db_default="", editable=False)

    class Meta:
        verbose_name = _("moderation event")
        verbose_name_plural = _("moderation events")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"#{self.concern_number}: {self.from_status or '-'} → {self.to_status}"
