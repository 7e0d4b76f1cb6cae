"""Exact tallies of a consultation, counted by the database: the figures every results view starts from.

Public views pass them through `suppression` first; staff views (dashboard, exports) show them as they are.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Aggregate, Count, Max, Min, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from ..briefing.selectors import published_remedy_names
from ..community_areas import COMMUNITY_AREA_CHOICES
from ..models import Concern, Consultation, Endorsement, PurgeSnapshot, Role, Topic
from .rolled_up import (
    concern_cells,
    concern_day_cells,
    counts_people,
    endorsement_cells,
    endorsement_day_cells,
    participants_in,
    summed_by,
)


@dataclass(frozen=True)
class TallyFilters:
    """Narrowing of the tallies; the dashboard sets these from its form, public pages use none."""

    since: date | None = None
    until: date | None = None
    community_area: str = ""
    role: str = ""
    source: str = ""
    # Only these rows (the admin's "export selected"); empty: every row.
    only_ids: tuple[int, ...] = ()
    # Only what verified participants sent (feedback/verification/): the "verified" column.
    verified_only: bool = False
    # Count the raw rows, not their roll-ups: what a certificate states and checks, since it must prove the rows.
    from_rows: bool = False


@dataclass
class TallyRow:
    label: str
    count: int | None
    key: str = ""
    suppressed: bool = False
    # Of `count`, how many from verified participants, where it is shown (per remedy, per topic).
    verified: int | None = None


@dataclass
class DayRow:
    day: date
    concerns: int
    endorsements: int


@dataclass
class Tallies:
    consultation: Consultation
    endorsements_per_remedy: list[TallyRow]
    concerns_per_topic: list[TallyRow]
    endorsements_by_area: list[TallyRow]
    concerns_by_area: list[TallyRow]
    endorsements_by_role: list[TallyRow]
    concerns_by_role: list[TallyRow]
    per_day: list[DayRow]
    concerns_by_status: dict[str, int] = field(default_factory=dict)
    total_endorsements: int = 0
    # None only for a purged consultation narrowed to some of its days (see purged_participants).
    total_participants: int | None = 0

    @property
    def total_concerns(self) -> int:
        return sum(self.concerns_by_status.values())


# Concerns that count in the public results: received and not thrown out by moderators.
COUNTED_CONCERN_STATUSES = (Concern.Status.PENDING, Concern.Status.APPROVED)


def narrowed(queryset, filters: TallyFilters):
    """The filters endorsements and concerns share: a range of days, a community area, a role, verified only."""
    if filters.since:
        queryset = queryset.filter(created_at__date__gte=filters.since)
    if filters.until:
        queryset = queryset.filter(created_at__date__lte=filters.until)
    if filters.community_area:
        queryset = queryset.filter(community_area=filters.community_area)
    if filters.role:
        queryset = queryset.filter(role=filters.role)
    if filters.only_ids:
        queryset = queryset.filter(pk__in=filters.only_ids)
    if filters.verified_only:
        queryset = queryset.filter(verified=True)
    return queryset


def filtered_endorsements(consultation: Consultation, filters: TallyFilters):
    return narrowed(Endorsement.objects.filter(remedy__consultation=consultation), filters)


def filtered_concerns(consultation: Consultation, filters: TallyFilters):
    concerns = narrowed(Concern.objects.filter(consultation=consultation), filters)
    return concerns.filter(source=filters.source) if filters.source else concerns


def _breakdown(counts: dict, choices) -> list[TallyRow]:
    """{value: n} as rows largest first, "Not given" (the empty value) last."""
    labels = dict(choices)
    rows = [TallyRow(label=str(labels.get(value, value)), count=n, key=value) for value, n in counts.items() if value]
    rows.sort(key=lambda row: (-row.count, row.label))
    if counts.get(""):
        rows.append(TallyRow(label=str(_("Not given")), count=counts[""], key=""))
    return rows


@dataclass(frozen=True)
class Counted:
    """What a set of figures is counted from: the roll-ups (cells, summed), or the raw rows for what they cannot answer.

    `endorsements` and `concerns` are querysets of either; `*_summed` the field that counts them (None: the rows
    are counted) and `*_n` the aggregate that does; `*_days` the same querysets with a `day` to group by. Topics are
    ids, with 0 or None for none.
    """

    endorsements: QuerySet
    concerns: QuerySet
    endorsement_days: QuerySet
    concern_days: QuerySet
    endorsement_summed: str | None
    concern_summed: str | None

    @property
    def endorsement_n(self) -> Aggregate:
        return Sum(self.endorsement_summed) if self.endorsement_summed else Count("pk")

    @property
    def concern_n(self) -> Aggregate:
        return Sum(self.concern_summed) if self.concern_summed else Count("pk")


def counted_from(consultation: Consultation, filters: TallyFilters) -> Counted:
    """The roll-ups, unless the filters pick rows by id (the admin's "export selected") or ask for rows: the rows."""
    if filters.only_ids or filters.from_rows:
        endorsements, concerns = filtered_endorsements(consultation, filters), filtered_concerns(consultation, filters)
        return Counted(
            endorsements.order_by(),
            concerns.order_by(),
            endorsements.annotate(day=TruncDate("created_at")).order_by(),
            concerns.annotate(day=TruncDate("created_at")).order_by(),
            None,
            None,
        )
    return Counted(
        endorsement_cells(consultation, filters),
        concern_cells(consultation, filters),
        endorsement_day_cells(consultation, filters),
        concern_day_cells(consultation, filters),
        "endorsements",
        "concerns",
    )


def topics_or_none(counts: dict, topic_ids: Iterable[int]) -> dict:
    """{topic id or None: n}, every topic not among `topic_ids` (none, or deleted since) counted under None."""
    known, folded = set(topic_ids), {}
    for pk, n in counts.items():
        key = pk if pk in known else None
        folded[key] = folded.get(key, 0) + n
    return folded


def tallies_for(consultation: Consultation, filters: TallyFilters | None = None) -> Tallies:
    """Exact tallies of one consultation, summed from the roll-ups by the database (results.rolled_up).

    A fixed number of queries (seven on PostgreSQL), whatever the number of endorsements and concerns: each table's
    cells are scanned once for all their breakdowns (`summed_by`), and once more for the figures per day. Rows picked
    by id (`only_ids`) are counted from the raw rows, and so are the distinct participants of a range of days (the
    participant roll-ups keep no days). Public pages pass the result through `suppress_small_cells` before
    showing it. Of a purged consultation, the participants come from its PurgeSnapshot.
    """
    filters = filters or TallyFilters()
    counted = counted_from(consultation, filters)
    counted_concern_days = counted.concern_days.filter(status__in=COUNTED_CONCERN_STATUSES)

    remedy_counts, endorsements_by_area, endorsements_by_role = summed_by(
        counted.endorsements, counted.endorsement_summed, [("remedy",), ("community_area",), ("role",)]
    )
    endorsements_per_remedy = [
        TallyRow(label=remedy.title, count=remedy_counts.get(remedy.pk, 0), key=remedy.key)
        for remedy in published_remedy_names(consultation)
    ]
    # Every status in the one scan of the concern cells; all but the count by status keep the counted ones.
    by_topic, by_area, by_role = summed_by(
        counted.concerns,
        counted.concern_summed,
        [("topic", "status"), ("community_area", "status"), ("role", "status")],
    )
    topics = list(Topic.objects.filter(consultation=consultation))
    topic_counts = topics_or_none(_counted_concerns(by_topic), [topic.pk for topic in topics])
    concerns_per_topic = [
        TallyRow(label=topic.name, count=topic_counts.get(topic.pk, 0), key=topic.key) for topic in topics
    ]
    if topic_counts.get(None):
        concerns_per_topic.append(TallyRow(label=str(_("Other")), count=topic_counts[None], key=""))
    concerns_by_status: dict[str, int] = {}
    for (_topic, status), n in by_topic.items():
        concerns_by_status[status] = concerns_by_status.get(status, 0) + n

    endorsement_days = dict(counted.endorsement_days.values_list("day").annotate(n=counted.endorsement_n))
    concern_days = dict(counted_concern_days.values_list("day").annotate(n=counted.concern_n))
    per_day = [
        DayRow(day=day, concerns=concern_days.get(day, 0), endorsements=endorsement_days.get(day, 0))
        for day in sorted(set(endorsement_days) | set(concern_days))
    ]
    return Tallies(
        consultation=consultation,
        endorsements_per_remedy=endorsements_per_remedy,
        concerns_per_topic=concerns_per_topic,
        endorsements_by_area=_breakdown(endorsements_by_area, COMMUNITY_AREA_CHOICES),
        concerns_by_area=_breakdown(_counted_concerns(by_area), COMMUNITY_AREA_CHOICES),
        endorsements_by_role=_breakdown(endorsements_by_role, Role.choices),
        concerns_by_role=_breakdown(_counted_concerns(by_role), Role.choices),
        per_day=per_day,
        concerns_by_status=concerns_by_status,
        total_endorsements=sum(remedy_counts.values()),
        total_participants=distinct_participants(consultation, filters),
    )


def _counted_concerns(by_status: dict[tuple, int]) -> dict:
    """{(value, status): n} as {value: n} of the statuses that count (pending and approved)."""
    counts: dict = {}
    for (value, status), n in by_status.items():
        if status in COUNTED_CONCERN_STATUSES:
            counts[value] = counts.get(value, 0) + n
    return counts


# --- Exports: tally cross-tabulations and anonymised records ------------------------------------
# A staff export needs every breakdown at once; these read each table once (a "cube" grouped by
# every dimension, summed up in Python) instead of once per breakdown, so 1M endorsements take
# three scans: the cube, the days and the distinct participants.


def endorsement_cube(consultation: Consultation, filters: TallyFilters | None = None) -> dict[tuple, int]:
    """{(remedy id, community area, role): count} of the consultation's endorsements, in one query."""
    counted = counted_from(consultation, filters or TallyFilters())
    rows = counted.endorsements.values_list("remedy_id", "community_area", "role").annotate(n=counted.endorsement_n)
    return {(remedy_id, area, role): n for remedy_id, area, role, n in rows}


def concern_cube(
    consultation: Consultation, filters: TallyFilters | None = None, *, topic_ids: Iterable[int] | None = None
) -> dict[tuple, int]:
    """{(topic id or None, status, community area, role): count} of every concern, in one query.

    `topic_ids`: the ids of the consultation's topics, when the caller has them (otherwise one more query);
    a concern of any other topic (none, or one deleted since) counts under None.
    """
    counted = counted_from(consultation, filters or TallyFilters())
    rows = counted.concerns.values_list("topic", "status", "community_area", "role").annotate(n=counted.concern_n)
    if topic_ids is None:
        topic_ids = Topic.objects.filter(consultation=consultation).values_list("pk", flat=True)
    topic_ids = set(topic_ids)
    cube: dict[tuple, int] = {}
    for topic_id, status, area, role, n in rows:
        key = (topic_id if topic_id in topic_ids else None, status, area, role)
        cube[key] = cube.get(key, 0) + n
    return cube


def export_day_counts(consultation: Consultation, filters: TallyFilters | None = None) -> tuple[dict, dict]:
    """({day: endorsements}, {day: counted concerns}) in two queries."""
    counted = counted_from(consultation, filters or TallyFilters())
    concern_days = counted.concern_days.filter(status__in=COUNTED_CONCERN_STATUSES)
    return (
        dict(counted.endorsement_days.values_list("day").annotate(n=counted.endorsement_n)),
        dict(concern_days.values_list("day").annotate(n=counted.concern_n)),
    )


def distinct_participants(consultation: Consultation, filters: TallyFilters | None = None) -> int | None:
    """How many participants endorsed at least one remedy (exactly), in one query.

    From the participant roll-ups, except for rows picked by id or a range of days: those are counted
    distinct from the endorsements (the roll-ups keep no days). Of a purged consultation: its PurgeSnapshot.
    """
    filters = filters or TallyFilters()
    if consultation.purged_on is not None:
        return purged_participants(consultation, filters)
    if filters.only_ids or filters.from_rows or not counts_people(filters):
        endorsements = filtered_endorsements(consultation, filters)
        return endorsements.aggregate(n=Count("participant", distinct=True))["n"]
    return participants_in(consultation, filters)


def participant_counts(consultation: Consultation) -> dict:
    """Distinct participants who endorsed in `consultation`: overall, per community area, per role and per (area,
    role), the same for verified participants, and the first and last day of its endorsements; what a PurgeSnapshot
    keeps. Nine queries."""
    endorsements = Endorsement.objects.filter(remedy__consultation=consultation).order_by()

    def distinct(rows) -> dict:
        def distinct_by(*fields: str) -> dict[str, int]:
            grouped = rows.values(*fields).annotate(n=Count("participant", distinct=True))
            return {"|".join(row[name] for name in fields): row["n"] for row in grouped}

        return {
            "total": rows.aggregate(n=Count("participant", distinct=True))["n"],
            "by_area": distinct_by("community_area"),
            "by_role": distinct_by("role"),
            "by_area_role": distinct_by("community_area", "role"),
        }

    days = endorsements.aggregate(first=Min("created_at"), last=Max("created_at"))
    return {
        **distinct(endorsements),
        # The same for verified participants only: the "verified" column beside each figure.
        "verified": distinct(endorsements.filter(verified=True)),
        "first_day": timezone.localdate(days["first"]).isoformat() if days["first"] else None,
        "last_day": timezone.localdate(days["last"]).isoformat() if days["last"] else None,
    }


def purged_participant_counts(consultation: Consultation) -> dict | None:
    """The participant counts a purged consultation's PurgeSnapshot kept (see participant_counts); None otherwise."""
    if consultation.purged_on is None:
        return None
    return PurgeSnapshot.objects.filter(consultation=consultation).values_list("participants", flat=True).first()


def purged_participants(consultation: Consultation, filters: TallyFilters) -> int | None:
    """How many people endorsed in a purged consultation, narrowed by `filters`, as counted just before its purge.

    The purge gave each endorsement a fresh participant id (nothing may link one person's endorsements any more),
    so the rows would count one participant per endorsement; the PurgeSnapshot kept the real counts overall, per
    community area, role and both. Days cannot be kept that way without keeping who came on which days, so a
    filter to some of the consultation's days (or to selected rows) gives None: not known, rather than wrong.
    """
    snapshot = PurgeSnapshot.objects.filter(consultation=consultation).values_list("participants", flat=True).first()
    if snapshot is None:
        return None
    first, last = snapshot["first_day"], snapshot["last_day"]
    if first is None:  # nobody endorsed: no filter finds anyone
        return 0
    narrowed_days = (filters.since and filters.since.isoformat() > first) or (
        filters.until and filters.until.isoformat() < last
    )
    if narrowed_days or filters.only_ids:
        return None
    if filters.verified_only:
        snapshot = snapshot.get("verified")
        if snapshot is None:  # a snapshot taken before verified participants were kept: not known
            return None
    area, role = filters.community_area, filters.role
    if area and role:
        return snapshot["by_area_role"].get(f"{area}|{role}", 0)
    if area:
        return snapshot["by_area"].get(area, 0)
    if role:
        return snapshot["by_role"].get(role, 0)
    return snapshot["total"]


def endorsement_count(consultation: Consultation, filters: TallyFilters | None = None) -> int:
    """How many endorsements `filters` keep, in one query (summed from the roll-ups unless rows are picked by id)."""
    counted = counted_from(consultation, filters or TallyFilters())
    return counted.endorsements.aggregate(n=counted.endorsement_n)["n"] or 0
