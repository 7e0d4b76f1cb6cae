"""Roll-ups: exact counts of endorsements, concerns and participants, kept by the database as each row is written.

The figures of the results page, the dashboard, the API and the tally exports are sums of these rows instead of
counts of millions of raw rows. Every write path changes them in the same transaction as the rows they count
(`feedback/aggregates.py`), through `counters.add_to_counts`, so concurrent writers never lose a count;
`check_aggregates` recounts them from the raw rows and repairs any drift (`results/rollups.py`).

They hold counts only: no participant id, no time finer than the day the raw rows already keep. A row whose count
went back to zero stays (readers skip it): deleting it would race with the next writer adding to it.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .briefing import Consultation, Remedy


class EndorsementRollup(models.Model):
    """How many endorsements of one remedy have this community area, role, "verified" and day."""

    remedy = models.ForeignKey(Remedy, on_delete=models.CASCADE, related_name="+")
    community_area = models.CharField(max_length=12, blank=True)
    role = models.CharField(max_length=20, blank=True)
    verified = models.BooleanField()
    day = models.DateField()
    endorsements = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("endorsement roll-up")
        verbose_name_plural = _("endorsement roll-ups")
        constraints = [
            models.UniqueConstraint(
                fields=["remedy", "community_area", "role", "verified", "day"], name="one_endorsement_rollup_per_cell"
            )
        ]

    def __str__(self) -> str:
        return f"{self.endorsements} endorsements of remedy #{self.remedy_id} on {self.day}"


class ConcernRollup(models.Model):
    """How many concerns of one consultation have this topic, community area, role, source, status, "verified", day.

    `topic` is the topic's id, 0 for none: not a foreign key, because the unique constraint that
    `add_to_counts` relies on cannot treat a NULL as one value on every database.
    """

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="+")
    topic = models.PositiveIntegerField()
    community_area = models.CharField(max_length=12)
    role = models.CharField(max_length=20)
    source = models.CharField(max_length=10)
    status = models.CharField(max_length=10)
    verified = models.BooleanField()
    day = models.DateField()
    concerns = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("concern roll-up")
        verbose_name_plural = _("concern roll-ups")
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "topic", "community_area", "role", "source", "status", "verified", "day"],
                name="one_concern_rollup_per_cell",
            )
        ]

    def __str__(self) -> str:
        return f"{self.concerns} concerns of consultation #{self.consultation_id} on {self.day}"


class EndorsementTotal(models.Model):
    """EndorsementRollup without the day: what every figure not narrowed to some days sums, in far fewer cells."""

    remedy = models.ForeignKey(Remedy, on_delete=models.CASCADE, related_name="+")
    community_area = models.CharField(max_length=12, blank=True)
    role = models.CharField(max_length=20, blank=True)
    verified = models.BooleanField()
    endorsements = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("endorsement total")
        verbose_name_plural = _("endorsement totals")
        constraints = [
            models.UniqueConstraint(
                fields=["remedy", "community_area", "role", "verified"], name="one_endorsement_total_per_cell"
            )
        ]

    def __str__(self) -> str:
        return f"{self.endorsements} endorsements of remedy #{self.remedy_id}"


class ConcernTotal(models.Model):
    """ConcernRollup without the day (see EndorsementTotal); `topic` 0 for none, as there."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="+")
    topic = models.PositiveIntegerField()
    community_area = models.CharField(max_length=12)
    role = models.CharField(max_length=20)
    source = models.CharField(max_length=10)
    status = models.CharField(max_length=10)
    verified = models.BooleanField()
    concerns = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("concern total")
        verbose_name_plural = _("concern totals")
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "topic", "community_area", "role", "source", "status", "verified"],
                name="one_concern_total_per_cell",
            )
        ]

    def __str__(self) -> str:
        return f"{self.concerns} concerns of consultation #{self.consultation_id}"


class ParticipantRollup(models.Model):
    """How many distinct participants have at least one endorsement in the consultation, in one group.

    `grouping` names the dimensions the row is kept by ("" overall, "area", "role", "verified", or several joined
    by "+", e.g. "area+role"); the others hold "" and False. A participant counts once in each group their
    endorsements fall in, so every filter of the dashboard and every people-based breakdown reads one row per
    group, exactly, whatever mix of areas or roles one person's endorsements carry. There is no day: who took
    part on which days is what these rows must not keep (a day range is counted from the endorsements).
    """

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="+")
    grouping = models.CharField(max_length=24)
    community_area = models.CharField(max_length=12, blank=True)
    role = models.CharField(max_length=20, blank=True)
    verified = models.BooleanField()
    participants = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("participant roll-up")
        verbose_name_plural = _("participant roll-ups")
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "grouping", "community_area", "role", "verified"],
                name="one_participant_rollup_per_group",
            )
        ]

    def __str__(self) -> str:
        return f"{self.participants} participants of consultation #{self.consultation_id} ({self.grouping or 'all'})"
