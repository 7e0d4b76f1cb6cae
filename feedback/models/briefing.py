"""The consultation content (the briefing): what residents read and respond to, editable in the admin."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class BriefingItem(models.Model):
    """Common fields of the content loaded from a briefing file and edited in the admin.

    `key` identifies the item in the briefing file; `loaded_values` remembers what the
    loader last wrote, so a re-load can tell an advocate's edit from an untouched field.
    """

    key = models.SlugField(_("key"), max_length=80, help_text=_("Stable identifier used by the briefing file."))
    order = models.PositiveIntegerField(_("order"), default=0)
    is_published = models.BooleanField(
        _("published"), default=True, help_text=_("Untick to hide this item from the public pages.")
    )
    loaded_values = models.JSONField(default=dict, blank=True, editable=False)

    class Meta:
        abstract = True
        ordering = ["order", "pk"]


class Consultation(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    summary = models.TextField(_("summary"), help_text=_("The briefing, in the project's own words."))
    source_citation = models.TextField(_("source citation"), help_text=_("Where the briefing's facts come from."))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    opens_at = models.DateTimeField(_("opens at"), default=timezone.now)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    # Set by the purge (retention.purge_consultation); a purged consultation never accepts responses again.
    purged_on = models.DateField(_("purged on"), null=True, blank=True, editable=False)
    loaded_values = models.JSONField(default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["-opens_at"]

    def __str__(self) -> str:
        return self.title

    def is_accepting_responses(self, at=None) -> bool:
        at = at or timezone.now()
        if self.purged_on is not None or self.status != self.Status.OPEN or at < self.opens_at:
            return False
        return self.closes_at is None or at < self.closes_at

    def has_closed(self, at=None) -> bool:
        """Closed for good: its status says so, or its closing time has passed (not merely not yet open)."""
        at = at or timezone.now()
        return self.status == self.Status.CLOSED or (self.closes_at is not None and self.closes_at <= at)

    def purge_due_on(self) -> date | None:
        """The day the periodic purge (retention.purge_closed_consultations) purges it: PURGE_DAYS_AFTER_CLOSE days
        after it closes. None when that cannot be known: no closing time set (a consultation closed by its status
        alone is purged by hand, `manage.py purge_consultation`), or already purged."""
        if self.purged_on is not None or self.closes_at is None:
            return None
        return timezone.localdate(self.closes_at) + timedelta(days=settings.PURGE_DAYS_AFTER_CLOSE)


class Topic(BriefingItem):
    class Group(models.TextChoices):
        COMMUNITY_IMPACT = "community_impact", _("Community impact")
        GOVERNANCE = "governance", _("Governance")
        CIVIL_RIGHTS = "civil_rights", _("Civil rights")

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="topics")
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    group = models.CharField(_("group"), max_length=30, choices=Group.choices)
    raised_by = models.CharField(_("raised by"), max_length=200, blank=True)
    possible_outcome = models.CharField(_("possible outcome"), max_length=300, blank=True)
    community_demand = models.CharField(_("community demand"), max_length=300, blank=True)

    class Meta(BriefingItem.Meta):
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        constraints = [models.UniqueConstraint(fields=["consultation", "key"], name="unique_topic_key")]

    def __str__(self) -> str:
        return self.name


class Remedy(BriefingItem):
    class Kind(models.TextChoices):
        APPROACH = "approach", _("Proposed approach")
        ADVOCATE_DEMAND = "advocate_demand", _("Advocates' demand")
        COMMUNITY_DEMAND = "community_demand", _("Community demand")
        STAKEHOLDER_REMEDY = "stakeholder_remedy", _("Stakeholder's suggested remedy")

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="remedies")
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    benefit = models.CharField(_("benefit"), max_length=300, blank=True)
    recommended_implementation = models.CharField(_("recommended implementation"), max_length=300, blank=True)
    proposed_by = models.CharField(_("proposed by"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    # Kept equal to the number of endorsements by the endorse/withdraw services, in the same
    # transaction, so the remedies page never counts a million rows (see recount_endorsements).
    endorsement_count = models.PositiveIntegerField(_("endorsements"), default=0, editable=False)
    # The certified ledger's "made − withdrawn = counted": every endorsement ever made and every one
    # withdrawn, counted by the same services in the same transactions and never repaired, so a row
    # removed any other way shows as a difference.
    endorsements_made = models.PositiveIntegerField(_("endorsements made"), default=0, db_default=0, editable=False)
    endorsements_withdrawn = models.PositiveIntegerField(
        _("endorsements withdrawn"), default=0, db_default=0, editable=False
    )

    class Meta(BriefingItem.Meta):
        verbose_name = _("remedy")
        verbose_name_plural = _("remedies")
        constraints = [models.UniqueConstraint(fields=["consultation", "key"], name="unique_remedy_key")]

    def __str__(self) -> str:
        return self.title


class Stakeholder(BriefingItem):
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="stakeholders")
    name = models.CharField(_("name"), max_length=200)
    stance = models.CharField(_("stance"), max_length=200, blank=True)
    primary_concern = models.CharField(_("primary concern"), max_length=300, blank=True)
    main_concern = models.CharField(_("main concern"), max_length=300, blank=True)
    suggested_remedy = models.CharField(_("suggested remedy"), max_length=300, blank=True)

    class Meta(BriefingItem.Meta):
        verbose_name = _("stakeholder")
        verbose_name_plural = _("stakeholders")
        constraints = [models.UniqueConstraint(fields=["consultation", "key"], name="unique_stakeholder_key")]

    def __str__(self) -> str:
        return self.name

    @property
    def concerns(self) -> list[str]:
        """Its primary and main concern, as one list: the article's two tables name them differently."""
        return list(dict.fromkeys(text for text in (self.primary_concern, self.main_concern) if text))
