"""Published results: the figures the public sees, counted at most once per RESULTS_PUBLISH_SECONDS window."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .briefing import Consultation


class PublishedResults(models.Model):
    """One count of a consultation's public figures, for one publication window.

    `window` is the number of the RESULTS_PUBLISH_SECONDS period (Unix time divided by the period)
    in which the figures were counted; the unique constraint lets only one request per window count
    them. `figures` is empty while that request is still counting. The figures hold numbers and keys
    only, never a label, so one count serves every language.
    """

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="published_results")
    window = models.BigIntegerField()
    figures = models.JSONField(null=True, blank=True)

    class Meta:
        verbose_name = _("published results")
        verbose_name_plural = _("published results")
        constraints = [
            models.UniqueConstraint(fields=["consultation", "window"], name="one_count_per_publication_window")
        ]

    def __str__(self) -> str:
        return f"{self.consultation_id} window {self.window}"
