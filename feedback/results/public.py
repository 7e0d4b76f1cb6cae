"""What the public may see of the results: one selector counts it, `label_results` names it in the reader's language.

`count_published_figures` is the one place the public figures are counted. The results page, the remedies
page, the public API and the shareable tally export all show its output, through the batched publication of
`results.publication`; a roll-up table that makes the figures cheap only has to change this function.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from ..briefing.selectors import published_remedies, published_remedy_names, published_topic_names, published_topics
from ..community_areas import COMMUNITY_AREA_CHOICES
from ..models import Consultation, Endorsement, Role
from .rolled_up import concern_cells, endorsement_cells, participant_cells, participants_in, summed_by
from .suppression import suppress_small_cells
from .tallies import COUNTED_CONCERN_STATUSES, TallyRow, purged_participant_counts
from .verified import verified_figures

AREA_LABELS = dict(COMMUNITY_AREA_CHOICES)
ROLE_LABELS = dict(Role.choices)
BREAKDOWNS = ("participants_by_area", "participants_by_role", "concerns_by_area", "concerns_by_role")


@dataclass
class PublicResults:
    """The public figures of one consultation, labelled in the current language.

    Totals per remedy and per topic are exact. Breakdowns by community area and role count people:
    distinct participants for endorsements, concerns for concerns; a group of fewer than `min_cell`
    is suppressed (and with it the next smallest when it alone would be). `window` names the
    publication window the figures were counted in (None: counted for this request).
    """

    endorsements_per_remedy: list[TallyRow]
    concerns_per_topic: list[TallyRow]
    participants_by_area: list[TallyRow]
    concerns_by_area: list[TallyRow]
    participants_by_role: list[TallyRow]
    concerns_by_role: list[TallyRow]
    total_endorsements: int
    total_participants: int
    total_concerns: int
    min_cell: int
    window: int | None = None
    # Verified beside the totals (results.verified); per remedy and topic in each row's `verified`.
    verified_endorsements: int = 0
    verified_participants: int = 0
    verified_concerns: int = 0


def _cells(counts: dict, minimum: int) -> list[list]:
    """A breakdown as JSON-ready [key, count] pairs in the order of their keys, count None where suppressed.

    In that order whatever the database returned the counts in (the roll-ups, the rows or a purge snapshot), so the
    same figures always publish the same cells, and a tie for the second cell to hide is always broken the same way.
    """
    rows = [TallyRow(label=str(key), count=n, key=key or "") for key, n in sorted(counts.items()) if n]
    return [[row.key, row.count] for row in suppress_small_cells(rows, minimum)]


def count_published_figures(consultation: Consultation, *, minimum: int | None = None) -> dict:
    """Count, now, every figure the public may see of `consultation`: numbers and keys only, JSON-ready.

    Only published remedies and topics appear: endorsements of an unpublished remedy count nowhere, and
    concerns whose topic is unpublished count under "Other". Concerns count while pending or approved.
    Breakdowns by community area and role count distinct participants (endorsements) and concerns, each
    passed through `suppress_small_cells` with RESULTS_MIN_CELL, so one person with many endorsements is
    one person. `verified` holds the same totals, per remedy and per topic for verified participants only
    (never in the breakdowns). Nine queries on PostgreSQL (eleven elsewhere), whatever the size of the data: every
    figure is summed from the roll-ups (results.rolled_up), the concerns in one scan of their cells, the people from
    the participant roll-ups (but see `_people`).
    """
    minimum = settings.RESULTS_MIN_CELL if minimum is None else minimum
    remedy_ids = list(published_remedies(consultation).values_list("pk", flat=True))
    topic_ids = list(published_topics(consultation).values_list("pk", flat=True))
    every_remedy: dict[int, int] = {}
    verified_remedy: dict[int, int] = {}
    endorsed = endorsement_cells(consultation).values_list("remedy", "verified").annotate(n=Sum("endorsements"))
    for pk, verified, n in endorsed:
        every_remedy[pk] = every_remedy.get(pk, 0) + n
        if verified:
            verified_remedy[pk] = n
    per_remedy = {pk: every_remedy[pk] for pk in remedy_ids if pk in every_remedy}
    concerns = concern_cells(consultation).filter(status__in=COUNTED_CONCERN_STATUSES)
    by_topic, concerns_by_area, concerns_by_role = summed_by(
        concerns, "concerns", [("topic", "verified"), ("community_area",), ("role",)]
    )
    per_topic: dict[int, int] = {}
    verified_topic: dict[int, int] = {}
    for (pk, verified), n in by_topic.items():
        per_topic[pk] = per_topic.get(pk, 0) + n
        if verified:
            verified_topic[pk] = n
    shown_topics = set(topic_ids)
    people = _people(consultation, counted_in_full=set(every_remedy) <= set(remedy_ids))
    return {
        "min_cell": minimum,
        "remedies": [[pk, per_remedy.get(pk, 0)] for pk in remedy_ids],
        "topics": [[pk, per_topic.get(pk, 0)] for pk in topic_ids],
        "other_topic": sum(n for pk, n in per_topic.items() if pk not in shown_topics),
        "total_endorsements": sum(per_remedy.values()),
        "total_participants": people.total(),
        "total_concerns": sum(per_topic.values()),
        "participants_by_area": _cells(people.by("community_area"), minimum),
        "participants_by_role": _cells(people.by("role"), minimum),
        "concerns_by_area": _cells(concerns_by_area, minimum),
        "concerns_by_role": _cells(concerns_by_role, minimum),
        "verified": verified_figures(verified_remedy, verified_topic, remedy_ids, topic_ids, people.verified()),
    }


@dataclass(frozen=True)
class _People:
    """Where the public figures' distinct participants are counted from; one query per figure."""

    consultation: Consultation
    source: str  # "rollups", "rows" (endorsements of published remedies only) or "purge" (the PurgeSnapshot)
    snapshot: dict | None = None

    def _rows(self):
        return Endorsement.objects.filter(remedy__consultation=self.consultation, remedy__is_published=True).order_by()

    def total(self) -> int:
        if self.source == "purge":
            return self.snapshot["total"]
        if self.source == "rows":
            return self._rows().aggregate(n=Count("participant", distinct=True))["n"]
        return participants_in(self.consultation)

    def by(self, field_name: str) -> dict:
        if self.source == "purge":
            return self.snapshot["by_area" if field_name == "community_area" else "by_role"]
        if self.source == "rows":
            return dict(self._rows().values_list(field_name).annotate(n=Count("participant", distinct=True)))
        dimension = "area" if field_name == "community_area" else "role"
        return dict(participant_cells(self.consultation, by=(dimension,)).values_list(field_name, "participants"))

    def verified(self) -> int:
        if self.source == "rollups":
            return participants_in(self.consultation, verified=True)
        if self.source == "purge" and "verified" in self.snapshot:
            return self.snapshot["verified"]["total"]
        # A snapshot from before verified participants were kept: each verified endorsement has had its own
        # participant id since the purge, and counts as one.
        rows = self._rows().filter(verified=True)
        return rows.aggregate(n=Count("participant", distinct=True))["n"]


def _people(consultation: Consultation, *, counted_in_full: bool) -> _People:
    """A purged consultation's people come from the counts its PurgeSnapshot kept just before the purge
    (results.tallies.purged_participants): its endorsements no longer say who made them together. While an
    unpublished remedy holds endorsements, the participant roll-ups (which count every remedy) cannot say who
    endorsed only published ones, so those are counted from the endorsements."""
    purged = purged_participant_counts(consultation)
    if purged is not None:
        return _People(consultation, "purge", purged)
    return _People(consultation, "rollups" if counted_in_full else "rows")


def _labelled_breakdown(cells: list[list], labels: dict) -> list[TallyRow]:
    """Rows in an order that gives nothing away: shown groups largest first, hidden groups by name, "Not given" last.

    Hidden groups are never ordered by their size, so the order cannot tell which of them is larger.
    """
    rows = [
        TallyRow(label=str(labels.get(key, key)), count=n, key=key, suppressed=n is None) for key, n in cells if key
    ]
    shown = sorted((row for row in rows if not row.suppressed), key=lambda row: (-row.count, row.label))
    hidden = sorted((row for row in rows if row.suppressed), key=lambda row: row.label)
    not_given = [TallyRow(label=_("Not given"), count=n, key="", suppressed=n is None) for key, n in cells if not key]
    return shown + hidden + not_given


def label_results(consultation: Consultation, figures: dict, window: int | None = None) -> PublicResults:
    """`figures` (from `count_published_figures`) with the names of the current language; two queries.

    A remedy or topic unpublished since the figures were counted is left out at once.
    """
    remedy_counts = dict(figures["remedies"])
    topic_counts = dict(figures["topics"])
    # Figures published before verification existed have none: zero verified.
    verified = figures.get("verified") or verified_figures()
    verified_remedies, verified_topics = dict(verified["remedies"]), dict(verified["topics"])
    per_remedy = [
        TallyRow(
            label=remedy.title,
            count=remedy_counts.get(remedy.pk, 0),
            key=remedy.key,
            verified=verified_remedies.get(remedy.pk, 0),
        )
        for remedy in published_remedy_names(consultation)
    ]
    per_topic = [
        TallyRow(
            label=topic.name,
            count=topic_counts.get(topic.pk, 0),
            key=topic.key,
            verified=verified_topics.get(topic.pk, 0),
        )
        for topic in published_topic_names(consultation)
    ]
    if figures["other_topic"]:
        per_topic.append(
            TallyRow(label=_("Other"), count=figures["other_topic"], key="", verified=verified["other_topic"])
        )
    return PublicResults(
        endorsements_per_remedy=per_remedy,
        concerns_per_topic=per_topic,
        participants_by_area=_labelled_breakdown(figures["participants_by_area"], AREA_LABELS),
        concerns_by_area=_labelled_breakdown(figures["concerns_by_area"], AREA_LABELS),
        participants_by_role=_labelled_breakdown(figures["participants_by_role"], ROLE_LABELS),
        concerns_by_role=_labelled_breakdown(figures["concerns_by_role"], ROLE_LABELS),
        total_endorsements=figures["total_endorsements"],
        total_participants=figures["total_participants"],
        total_concerns=figures["total_concerns"],
        min_cell=figures["min_cell"],
        window=window,
        verified_endorsements=verified["endorsements"],
        verified_participants=verified["participants"],
        verified_concerns=verified["concerns"],
    )


def public_view_of(consultation: Consultation, *, internal: bool = False) -> PublicResults:
    """The public figures counted now, with no published snapshot: what a printed report shows.

    The same rule as the results page (people, not endorsements, in every breakdown; small groups hidden);
    `internal` keeps the small groups, for staff who chose the version marked as containing them.
    """
    return label_results(consultation, count_published_figures(consultation, minimum=0 if internal else None))
