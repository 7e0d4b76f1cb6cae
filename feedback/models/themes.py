"""Themes: groups of similar concerns of one consultation, built by feedback/themes (English and Spanish together)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .briefing import Consultation, Topic
from .participation import Concern


class Theme(models.Model):
    """One theme of a consultation's published and pending concerns, as the last build found it.

    A rebuild replaces every theme of the consultation; a label staff edited (`label_edited`) is carried
    over to the new theme that clearly continues the old one (feedback/themes/labels.py).
    """

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="themes")
    label = models.CharField(_("label"), max_length=120)
    label_edited = models.BooleanField(_("label edited by staff"), default=False, editable=False)
    # The consultation topic that seeded the theme, when the theme still follows it: the theme then reads
    # with the topic's name in each language until staff give it a label of their own.
    anchor = models.ForeignKey(
        Topic,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("topic"),
    )
    keywords = models.JSONField(_("keywords"), default=list, blank=True, editable=False)
    size = models.PositiveIntegerField(_("concerns"), default=0, editable=False)
    position = models.PositiveSmallIntegerField(_("rank"), default=0, editable=False)
    built_at = models.DateTimeField(_("built"), default=timezone.now, editable=False)
    concerns = models.ManyToManyField(Concern, through="ThemeMembership", related_name="themes")

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["consultation", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["consultation", "position"], name="one_theme_per_rank")]

    def __str__(self) -> str:
        return self.display_label

    @property
    def display_label(self) -> str:
        """The label staff chose; else the seeding topic's name in the active language; else the engine's label."""
        if not self.label_edited and self.anchor is not None:
            return self.anchor.name
        return self.label


class ThemeMembership(models.Model):
    """A concern in a theme; a concern is in at most one theme."""

    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="memberships")
    concern = models.OneToOneField(Concern, on_delete=models.CASCADE, related_name="theme_membership")

    class Meta:
        verbose_name = _("concern in a theme")
        verbose_name_plural = _("concerns in themes")

    def __str__(self) -> str:
        return f"#{self.concern_id} in {self.theme_id}"
