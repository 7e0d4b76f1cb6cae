"""Exact tallies of a consultation, counted by the database: the figures every results view starts from.

Public views pass them through `suppression` first; staff views (dashboard, exports) show them as they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from django.db import connection
from django.db.models import Count, DateTimeField, Func, Max, Min, Value
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from ..briefing.selectors import published_remedies
from ..community_areas import COMMUNITY_AREA_CHOICES
from ..models import Concern, Consultation, Endorsement, PurgeSnapshot, Remedy, Role, Topic


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


def _breakdown(queryset, field_name: str, choices) -> list[TallyRow]:
    labels = dict(choices)
    counts = dict(queryset.order_by().values_list(field_name).annotate(n=Count("pk")).values_list(field_name, "n"))
    rows = [TallyRow(label=str(labels.get(value, value)), count=n, key=value) for value, n in counts.items() if value]
    rows.sort(key=lambda row: (-row.count, row.label))
    if counts.get(""):
        rows.append(TallyRow(label=str(_("Not given")), count=counts[""], key=""))
    return rows


def tallies_for(consultation: Consultation, filters: TallyFilters | None = None) -> Tallies:
    """Exact tallies of one consultation, every figure counted by the database.

    A fixed number of queries (twelve; thirteen for a purged consultation), whatever the number of
    endorsements and concerns. Public pages pass the result through `suppress_small_cells` before
    showing it. Of a purged consultation, the participants come from its PurgeSnapshot.
    """
    filters = filters or TallyFilters()
    endorsements = filtered_endorsements(consultation, filters)
    concerns = filtered_concerns(consultation, filters)
    counted_concerns = concerns.filter(status__in=COUNTED_CONCERN_STATUSES)

    remedy_counts = dict(endorsements.order_by().values_list("remedy").annotate(n=Count("pk")))
    endorsements_per_remedy = [
        TallyRow(label=remedy.title, count=remedy_counts.get(remedy.pk, 0), key=remedy.key)
        for remedy in published_remedies(consultation)
    ]
    topic_counts = dict(counted_concerns.order_by().values_list("topic").annotate(n=Count("pk")))
    concerns_per_topic = [
        TallyRow(label=topic.name, count=topic_counts.get(topic.pk, 0), key=topic.key)
        for topic in Topic.objects.filter(consultation=consultation)
    ]
    if topic_counts.get(None):
        concerns_per_topic.append(TallyRow(label=str(_("Other")), count=topic_counts[None], key=""))

    endorsement_days = dict(
        endorsements.annotate(day=TruncDate("created_at")).order_by().values_list("day").annotate(n=Count("pk"))
    )
    concern_days = dict(
        counted_concerns.annotate(day=TruncDate("created_at")).order_by().values_list("day").annotate(n=Count("pk"))
    )
    per_day = [
        DayRow(day=day, concerns=concern_days.get(day, 0), endorsements=endorsement_days.get(day, 0))
        for day in sorted(set(endorsement_days) | set(concern_days))
    ]
    endorsement_totals = endorsements.aggregate(total=Count("pk"), participants=Count("participant", distinct=True))
    if consultation.purged_on is not None:
        endorsement_totals["participants"] = purged_participants(consultation, filters)
    return Tallies(
        consultation=consultation,
        endorsements_per_remedy=endorsements_per_remedy,
        concerns_per_topic=concerns_per_topic,
        endorsements_by_area=_breakdown(endorsements, "community_area", COMMUNITY_AREA_CHOICES),
        concerns_by_area=_breakdown(counted_concerns, "community_area", COMMUNITY_AREA_CHOICES),
        endorsements_by_role=_breakdown(endorsements, "role", Role.choices),
        concerns_by_role=_breakdown(counted_concerns, "role", Role.choices),
        per_day=per_day,
        concerns_by_status=dict(concerns.order_by().values_list("status").annotate(n=Count("pk"))),
        total_endorsements=endorsement_totals["total"],
        total_participants=endorsement_totals["participants"],
    )


# --- Exports: tally cross-tabulations and anonymised records ------------------------------------
# A staff export needs every breakdown at once; these read each table once (a "cube" grouped by
# every dimension, summed up in Python) instead of once per breakdown, so 1M endorsements take
# three scans: the cube, the days and the distinct participants.


def endorsement_cube(consultation: Consultation, filters: TallyFilters | None = None) -> dict[tuple, int]:
    """{(remedy id, community area, role): count} of the consultation's endorsements, in one query."""
    endorsements = filtered_endorsements(consultation, filters or TallyFilters())
    rows = endorsements.order_by().values_list("remedy_id", "community_area", "role").annotate(n=Count("pk"))
    return {(remedy_id, area, role): n for remedy_id, area, role, n in rows}


def concern_cube(consultation: Consultation, filters: TallyFilters | None = None) -> dict[tuple, int]:
    """{(topic id or None, status, community area, role): count} of every concern, in one query."""
    concerns = filtered_concerns(consultation, filters or TallyFilters())
    rows = concerns.order_by().values_list("topic_id", "status", "community_area", "role").annotate(n=Count("pk"))
    return {(topic_id, status, area, role): n for topic_id, status, area, role, n in rows}


def counts_per_day(queryset) -> dict[date, int]:
    """{local day: count} of a queryset of rows with `created_at`, in one query.

    On PostgreSQL (14+) rows are counted in 15-minute UTC buckets (`date_bin`, cheap arithmetic)
    rather than converting each row's time to the local zone; each bucket lies within one local day
    because every time zone's offset is a multiple of 15 minutes, so the days come out exact.
    """
    if connection.vendor == "postgresql" and connection.pg_version >= 140000:
        origin = Value(datetime(2000, 1, 1, tzinfo=UTC), output_field=DateTimeField())
        bucket = Func(Value("15 minutes"), "created_at", origin, function="date_bin", output_field=DateTimeField())
        per_day: dict[date, int] = {}
        for start, n in queryset.order_by().annotate(bucket=bucket).values_list("bucket").annotate(n=Count("pk")):
            day = timezone.localdate(start)
            per_day[day] = per_day.get(day, 0) + n
        return per_day
    return dict(queryset.annotate(day=TruncDate("created_at")).order_by().values_list("day").annotate(n=Count("pk")))


def export_day_counts(consultation: Consultation, filters: TallyFilters | None = None) -> tuple[dict, dict]:
    """({day: endorsements}, {day: counted concerns}) in two queries."""
    filters = filters or TallyFilters()
    endorsements = filtered_endorsements(consultation, filters)
    concerns = filtered_concerns(consultation, filters).filter(status__in=COUNTED_CONCERN_STATUSES)
    return counts_per_day(endorsements), counts_per_day(concerns)


def distinct_participants(consultation: Consultation, filters: TallyFilters | None = None) -> int | None:
    """How many participants endorsed at least one remedy (exactly), in two or three queries.

    When every endorsement belongs to this consultation (the usual case) and nothing is filtered,
    the participants are counted straight from the participant index, in order, with no sort of a
    million ids; otherwise the endorsements of the consultation are counted distinct.
    """
    filters = filters or TallyFilters()
    if consultation.purged_on is not None:
        return purged_participants(consultation, filters)
    if filters == TallyFilters():
        other_remedies = list(Remedy.objects.exclude(consultation=consultation).values_list("pk", flat=True))
        if not other_remedies or not Endorsement.objects.filter(remedy_id__in=other_remedies).exists():
            return Endorsement.objects.values("participant").distinct().count()
    endorsements = filtered_endorsements(consultation, filters)
    return endorsements.aggregate(n=Count("participant", distinct=True))["n"]


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
    return filtered_endorsements(consultation, filters or TallyFilters()).count()
