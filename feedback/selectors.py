"""Reads: what the public pages and the admin show. Counting is left to the database."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from django.conf import settings
from django.db.models import Count, Prefetch, Q
from django.db.models.functions import TruncDate
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .caching import cached
from .community_areas import COMMUNITY_AREA_CHOICES
from .models import Concern, Consultation, Endorsement, Remedy, Report, Role, Stakeholder, Topic


def default_consultation() -> Consultation | None:
    """The consultation shown at "/": the configured one, else the newest open one."""
    consultations = Consultation.objects.all()
    return (
        consultations.filter(slug=settings.DEFAULT_CONSULTATION_SLUG).first()
        or consultations.filter(status=Consultation.Status.OPEN).first()
        or consultations.first()
    )


def consultation_by_slug(slug: str) -> Consultation:
    try:
        return Consultation.objects.get(slug=slug)
    except Consultation.DoesNotExist:
        raise Http404("No consultation with that address.") from None


def published_topics(consultation: Consultation):
    return Topic.objects.filter(consultation=consultation, is_published=True)


def published_remedies(consultation: Consultation):
    return Remedy.objects.filter(consultation=consultation, is_published=True)


def briefing_for(consultation: Consultation) -> Consultation:
    """The consultation with its published stakeholders, topics and remedies prefetched."""
    return Consultation.objects.prefetch_related(
        Prefetch(
            "stakeholders", queryset=Stakeholder.objects.filter(is_published=True), to_attr="briefing_stakeholders"
        ),
        Prefetch("topics", queryset=published_topics(consultation), to_attr="briefing_topics"),
        Prefetch("remedies", queryset=published_remedies(consultation), to_attr="briefing_remedies"),
    ).get(pk=consultation.pk)


@dataclass(frozen=True)
class TallyFilters:
    """Narrowing of the tallies; the dashboard sets these from its form, public pages use none."""

    since: date | None = None
    until: date | None = None
    community_area: str = ""
    role: str = ""
    source: str = ""


@dataclass
class TallyRow:
    label: str
    count: int | None
    key: str = ""
    suppressed: bool = False


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
    total_participants: int = 0

    @property
    def total_concerns(self) -> int:
        return sum(self.concerns_by_status.values())


# Concerns that count in the public results: received and not thrown out by moderators.
COUNTED_CONCERN_STATUSES = (Concern.Status.PENDING, Concern.Status.APPROVED)


def _narrowed(queryset, filters: TallyFilters):
    """The filters endorsements and concerns share: a range of days, a community area, a role."""
    if filters.since:
        queryset = queryset.filter(created_at__date__gte=filters.since)
    if filters.until:
        queryset = queryset.filter(created_at__date__lte=filters.until)
    if filters.community_area:
        queryset = queryset.filter(community_area=filters.community_area)
    if filters.role:
        queryset = queryset.filter(role=filters.role)
    return queryset


def _filtered_endorsements(consultation: Consultation, filters: TallyFilters):
    return _narrowed(Endorsement.objects.filter(remedy__consultation=consultation), filters)


def _filtered_concerns(consultation: Consultation, filters: TallyFilters):
    concerns = _narrowed(Concern.objects.filter(consultation=consultation), filters)
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

    A fixed number of queries (twelve), whatever the number of endorsements and concerns.
    Public pages pass the result through `suppress_small_cells` before showing it.
    """
    filters = filters or TallyFilters()
    endorsements = _filtered_endorsements(consultation, filters)
    concerns = _filtered_concerns(consultation, filters)
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


def suppress_small_cells(rows: list[TallyRow], minimum: int) -> list[TallyRow]:
    """Hide counts of fewer than `minimum` people in a breakdown.

    When exactly one cell is hidden, the next smallest is hidden too: otherwise the
    breakdown's overall total minus the shown cells would give the hidden one away.
    """
    hidden = [row for row in rows if row.count and row.count < minimum]
    if len(hidden) == 1:
        shown = [row for row in rows if row.count and row.count >= minimum]
        if shown:
            hidden.append(min(shown, key=lambda row: row.count))
    hidden_ids = {id(row) for row in hidden}
    return [
        TallyRow(label=row.label, count=None, key=row.key, suppressed=True) if id(row) in hidden_ids else row
        for row in rows
    ]


# --- Public pages where residents take part ------------------------------------------------------


OTHER_TOPIC_KEY = "other"


def approved_concerns(consultation: Consultation, *, topic_key: str = ""):
    """Published concerns of `consultation`, newest first, optionally of one topic ("other": none).

    One query per page (plus the paginator's count), with each concern's topic joined in.
    """
    concerns = (
        Concern.objects.filter(consultation=consultation, status=Concern.Status.APPROVED)
        .select_related("topic")
        .order_by("-created_at", "-pk")
    )
    if topic_key == OTHER_TOPIC_KEY:
        concerns = concerns.filter(topic__isnull=True)
    elif topic_key:
        concerns = concerns.filter(topic__key=topic_key)
    return concerns


def reported_concern_ids(participant: uuid.UUID, concern_ids: list[int]) -> set[int]:
    """Which of these concerns the participant has already reported (one query)."""
    return set(
        Report.objects.filter(participant=participant, concern_id__in=concern_ids).values_list("concern_id", flat=True)
    )


def remedies_with_endorsement_counts(consultation: Consultation):
    """Published remedies; each carries its exact `endorsement_count`, kept by the endorse and withdraw services."""
    return published_remedies(consultation)


def endorsed_remedy_ids(consultation: Consultation, participant: uuid.UUID) -> set[int]:
    """Ids of the remedies of `consultation` this participant endorses (one query)."""
    return set(
        Endorsement.objects.filter(remedy__consultation=consultation, participant=participant).values_list(
            "remedy_id", flat=True
        )
    )


@dataclass
class PublicResults:
    """What the public results page shows: exact totals, suppressed breakdowns."""

    endorsements_per_remedy: list[TallyRow]
    concerns_per_topic: list[TallyRow]
    endorsements_by_area: list[TallyRow]
    concerns_by_area: list[TallyRow]
    endorsements_by_role: list[TallyRow]
    concerns_by_role: list[TallyRow]
    total_endorsements: int
    total_participants: int
    total_concerns: int
    min_cell: int


def public_results(consultation: Consultation) -> PublicResults:
    """The public results of `consultation`, at most RESULTS_CACHE_SECONDS old (see `count_public_results`).

    Cached per consultation and language; if the cache cannot be reached the results are
    counted afresh instead of failing.
    """
    key = f"civictrust:results:{consultation.pk}:{get_language()}:{settings.RESULTS_MIN_CELL}"
    return cached(key, settings.RESULTS_CACHE_SECONDS, lambda: count_public_results(consultation))


def count_public_results(consultation: Consultation) -> PublicResults:
    """The public results of `consultation`, counted now.

    Totals per remedy and per topic are exact; every breakdown by community area or role goes
    through `suppress_small_cells` with RESULTS_MIN_CELL. Counted by `tallies_for` (a fixed
    number of queries).
    """
    minimum = settings.RESULTS_MIN_CELL
    tallies = tallies_for(consultation)
    return PublicResults(
        endorsements_per_remedy=tallies.endorsements_per_remedy,
        concerns_per_topic=tallies.concerns_per_topic,
        endorsements_by_area=suppress_small_cells(tallies.endorsements_by_area, minimum),
        concerns_by_area=suppress_small_cells(tallies.concerns_by_area, minimum),
        endorsements_by_role=suppress_small_cells(tallies.endorsements_by_role, minimum),
        concerns_by_role=suppress_small_cells(tallies.concerns_by_role, minimum),
        total_endorsements=tallies.total_endorsements,
        total_participants=tallies.total_participants,
        total_concerns=sum(row.count or 0 for row in tallies.concerns_per_topic),
        min_cell=minimum,
    )


# --- Exports: tally cross-tabulations and anonymised records ------------------------------------
# A staff export needs every breakdown at once; these read each table once (a "cube" grouped by
# every dimension, summed up in Python) instead of once per breakdown, so 1M endorsements take
# three scans: the cube, the days and the distinct participants.


def endorsement_cube(consultation: Consultation, filters: TallyFilters | None = None) -> dict[tuple, int]:
    """{(remedy id, community area, role): count} of the consultation's endorsements, in one query."""
    endorsements = _filtered_endorsements(consultation, filters or TallyFilters())
    rows = endorsements.order_by().values_list("remedy_id", "community_area", "role").annotate(n=Count("pk"))
    return {(remedy_id, area, role): n for remedy_id, area, role, n in rows}


def concern_cube(consultation: Consultation, filters: TallyFilters | None = None) -> dict[tuple, int]:
    """{(topic id or None, status, community area, role): count} of every concern, in one query."""
    concerns = _filtered_concerns(consultation, filters or TallyFilters())
    rows = concerns.order_by().values_list("topic_id", "status", "community_area", "role").annotate(n=Count("pk"))
    return {(topic_id, status, area, role): n for topic_id, status, area, role, n in rows}


def counts_per_day(queryset) -> dict[date, int]:
    """{local day: count} of a queryset of rows with `created_at`, in one query.

    On PostgreSQL (14+) rows are counted in 15-minute UTC buckets (`date_bin`, cheap arithmetic)
    rather than converting each row's time to the local zone; each bucket lies within one local day
    because every time zone's offset is a multiple of 15 minutes, so the days come out exact.
    """
    from django.db import connection
    from django.db.models import DateTimeField, Func, Value

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
    endorsements = _filtered_endorsements(consultation, filters)
    concerns = _filtered_concerns(consultation, filters).filter(status__in=COUNTED_CONCERN_STATUSES)
    return counts_per_day(endorsements), counts_per_day(concerns)


def distinct_participants(consultation: Consultation, filters: TallyFilters | None = None) -> int:
    """How many participants endorsed at least one remedy (exactly), in two or three queries.

    When every endorsement belongs to this consultation (the usual case) and nothing is filtered,
    the participants are counted straight from the participant index, in order, with no sort of a
    million ids; otherwise the endorsements of the consultation are counted distinct.
    """
    filters = filters or TallyFilters()
    if filters == TallyFilters():
        other_remedies = list(Remedy.objects.exclude(consultation=consultation).values_list("pk", flat=True))
        if not other_remedies or not Endorsement.objects.filter(remedy_id__in=other_remedies).exists():
            return Endorsement.objects.values("participant").distinct().count()
    endorsements = _filtered_endorsements(consultation, filters)
    return endorsements.aggregate(n=Count("participant", distinct=True))["n"]


def endorsement_records(consultation: Consultation, filters: TallyFilters | None = None):
    """(day, remedy id, role, community area, how many) groups of identical endorsement records.

    An endorsement record carries nothing that tells one person's apart, so identical records are
    interchangeable: the export writes each group's row `how many` times. Grouped by the database
    and ordered by every column, so the order of the rows gives away neither the time of day nor
    which endorsements one participant made together, and a million rows need no million-row sort.
    """
    return (
        _filtered_endorsements(consultation, filters or TallyFilters())
        .annotate(day=TruncDate("created_at"))
        .values("day", "remedy_id", "role", "community_area")
        .annotate(n=Count("pk"))
        .order_by("day", "remedy_id", "community_area", "role")
        .values_list("day", "remedy_id", "role", "community_area", "n")
    )


def endorsement_count(consultation: Consultation, filters: TallyFilters | None = None) -> int:
    return _filtered_endorsements(consultation, filters or TallyFilters()).count()


def concern_records(consultation: Consultation, filters: TallyFilters | None = None):
    """(day, topic id, role, community area, text) of each approved concern, without contact or receipt.

    Ordered by day, topic and text, so the order of the rows does not give away the time of day.
    """
    return (
        _filtered_concerns(consultation, filters or TallyFilters())
        .filter(status=Concern.Status.APPROVED)
        .annotate(day=TruncDate("created_at"))
        .order_by("day", "topic_id", "text")
        .values_list("day", "topic_id", "role", "community_area", "text")
    )


# --- Staff: the moderation queue and the results dashboard ---------------------------------------


def moderation_queue_counts() -> dict[str, int]:
    """{"pending": concerns waiting for a first decision, "reported": decided concerns reported since}.

    One query.
    """
    return Concern.objects.aggregate(
        pending=Count("pk", filter=Q(status=Concern.Status.PENDING)),
        reported=Count("pk", filter=Q(reported_at__isnull=False) & ~Q(status=Concern.Status.PENDING)),
    )


@dataclass
class Dashboard:
    """The staff dashboard of one consultation: exact tallies (never suppressed) and chart rows."""

    tallies: Tallies
    filters: TallyFilters
    status_rows: list[TallyRow]
    concerns_per_day: list[TallyRow]
    endorsements_per_day: list[TallyRow]
    counted_at: datetime


def _count_dashboard(consultation: Consultation, filters: TallyFilters) -> Dashboard:
    tallies = tallies_for(consultation, filters)
    status_rows = [
        TallyRow(label=str(label), count=tallies.concerns_by_status.get(value, 0), key=value)
        for value, label in Concern.Status.choices
    ]
    return Dashboard(
        tallies=tallies,
        filters=filters,
        status_rows=status_rows,
        concerns_per_day=[
            TallyRow(label=date_format(row.day, "SHORT_DATE_FORMAT"), count=row.concerns, key=row.day.isoformat())
            for row in tallies.per_day
        ],
        endorsements_per_day=[
            TallyRow(label=date_format(row.day, "SHORT_DATE_FORMAT"), count=row.endorsements, key=row.day.isoformat())
            for row in tallies.per_day
        ],
        counted_at=timezone.now(),
    )


def dashboard_for(
    consultation: Consultation, filters: TallyFilters | None = None, *, recount: bool = False
) -> Dashboard:
    """Everything the staff dashboard shows for `consultation`, narrowed by `filters`.

    Exact counts from `tallies_for` (a fixed number of queries, whatever the size of the data),
    reshaped for the charts without further queries. Kept in the cache for DASHBOARD_CACHE_SECONDS
    per consultation, filter set and language, so staff reloading the page do not recount a million
    rows each time; `counted_at` says how old the figures are and `recount=True` counts afresh.
    If the cache cannot be reached, the figures are counted afresh (and a warning logged).
    """
    filters = filters or TallyFilters()
    digest = hashlib.sha256(repr(filters).encode()).hexdigest()[:32]
    key = f"civictrust:dashboard:{consultation.pk}:{get_language()}:{digest}"
    return cached(
        key, settings.DASHBOARD_CACHE_SECONDS, lambda: _count_dashboard(consultation, filters), refresh=recount
    )
