"""Who runs the site: the About page, edited in the admin."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SiteAbout(models.Model):
    """The About page: who runs the consultations, how to reach them, partners, and what they do if asked for data.

    One row for the site (the admin allows no second), loaded with defaults by `load_briefing` from the
    briefing file's "about" section; `loaded_values` lets a re-load keep what an administrator changed.
    """

    operator = models.CharField(_("who runs this consultation"), max_length=300)
    operator_details = models.TextField(_("about them"), blank=True)
    contact = models.TextField(_("how to reach them"))
    contact_email = models.EmailField(_("contact email"), blank=True)
    partners = models.TextField(_("partner organisations"), blank=True, help_text=_("One organisation per line."))
    data_requests = models.TextField(
        _("if law enforcement asks for data"),
        help_text=_(
            "What the operator does when the police, immigration authorities or any other agency ask for data. "
            "The page lists after it exactly what exists to hand over, as the privacy page does."
        ),
    )
    loaded_values = models.JSONField(default=dict, blank=True, editable=False)

    class Meta:
        verbose_name = _("about page")
        verbose_name_plural = _("about page")

    def __str__(self) -> str:
        return str(_("About this site"))

    def partner_list(self) -> list[str]:
        return [line.strip() for line in self.partners.splitlines() if line.strip()]
