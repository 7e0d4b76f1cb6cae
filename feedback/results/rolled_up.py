"""Reading the roll-ups (models/rollups.py): the cells the figures are summed from, narrowed like the raw rows.

Each queryset here answers exactly what the same filter of the raw endorsements or concerns would count, at the
cost of the number of cells, not of rows: the totals (remedies × areas × roles × verified) unless a range of days
is asked, the day cells for that and for figures per day. What a roll-up cannot answer exactly
is counted from the raw rows by the callers: "export selected" by ids, and distinct participants over a range of
days (the participant roll-ups keep no days, on purpose: who took part on which days).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Protocol

from django.db import connections
from django.db.models import Count, F, QuerySet, Sum, Value

from ..aggregates import grouping_name
from ..models import ConcernRollup, ConcernTotal, Consultation, EndorsementRollup, EndorsementTotal, ParticipantRollup


class CellFilters(Protocol):
    """The part of results.tallies.TallyFilters the roll-ups narrow by."""

    since: date | None
    until: date | None
    community_area: str
    role: str
    source: str
    verified_only: bool


def _narrowed(cells: QuerySet, filters: CellFilters | None) -> QuerySet:
    if filters is None:
        return cells
    if filters.since:
        cells = cells.filter(day__gte=filters.since)
    if filters.until:
        cells = cells.filter(day__lte=filters.until)
    if filters.community_area:
        cells = cells.filter(community_area=filters.community_area)
    if filters.role:
        cells = cells.filter(role=filters.role)
    if filters.verified_only:
        cells = cells.filter(verified=True)
    return cells


def by_day(filters: CellFilters | None) -> bool:
    """Whether `filters` narrow to some days: then only the day cells can answer."""
    return filters is not None and bool(filters.since or filters.until)


def endorsement_day_cells(consultation: Consultation, filters: CellFilters | None = None) -> QuerySet:
    """The consultation's endorsement roll-ups per day (count: `endorsements`), narrowed; empty cells left out."""
    cells = EndorsementRollup.objects.filter(remedy__consultation=consultation).exclude(endorsements=0).order_by()
    return _narrowed(cells, filters)


def endorsement_cells(consultation: Consultation, filters: CellFilters | None = None) -> QuerySet:
    """The fewest endorsement cells that answer `filters`: the totals without days, unless a day range is asked."""
    if by_day(filters):
        return endorsement_day_cells(consultation, filters)
    return _narrowed(
        EndorsementTotal.objects.filter(remedy__consultation=consultation).exclude(endorsements=0).order_by(), filters
    )


def concern_day_cells(consultation: Consultation, filters: CellFilters | None = None) -> QuerySet:
    """The consultation's concern roll-ups per day (count: `concerns`; `topic` 0 for none), narrowed."""
    cells = _narrowed(ConcernRollup.objects.filter(consultation=consultation).exclude(concerns=0).order_by(), filters)
    return cells.filter(source=filters.source) if filters is not None and filters.source else cells


def concern_cells(consultation: Consultation, filters: CellFilters | None = None) -> QuerySet:
    """The fewest concern cells that answer `filters` (see endorsement_cells); `topic` 0 for none."""
    if by_day(filters):
        return concern_day_cells(consultation, filters)
    cells = _narrowed(ConcernTotal.objects.filter(consultation=consultation).exclude(concerns=0).order_by(), filters)
    return cells.filter(source=filters.source) if filters is not None and filters.source else cells


def counts_people(filters: CellFilters | None) -> bool:
    """Whether the participant roll-ups can answer `filters` exactly: any but a range of days."""
    return not by_day(filters)


def participant_cells(
    consultation: Consultation, *, by: tuple[str, ...] = (), community_area: str = "", role: str = "", verified=False
) -> QuerySet:
    """The participant roll-ups of one grouping: by `by` ("area", "role"), in the group the other arguments fix.

    Each row counts the distinct participants of its group; groups with nobody left out.
    """
    fixed = {"area": community_area, "role": role, "verified": verified}
    dimensions = [name for name in ("area", "role", "verified") if name in by or fixed[name]]
    cells = ParticipantRollup.objects.filter(consultation=consultation, grouping=grouping_name(dimensions))
    if community_area:
        cells = cells.filter(community_area=community_area)
    if role:
        cells = cells.filter(role=role)
    if verified:
        cells = cells.filter(verified=True)
    return cells.exclude(participants=0).order_by()


def participants_in(consultation: Consultation, filters: CellFilters | None = None, *, verified: bool = False) -> int:
    """How many distinct participants endorsed in the consultation, in the group `filters` names (no day range).

    `verified`: only verified participants, whatever the filters say. One query.
    """
    cells = participant_cells(
        consultation,
        community_area=filters.community_area if filters else "",
        role=filters.role if filters else "",
        verified=verified or bool(filters and filters.verified_only),
    )
    return sum(cells.values_list("participants", flat=True))


def summed_by(cells: QuerySet, count: str | None, groupings: Sequence[tuple[str, ...]]) -> list[dict]:
    """`count` summed over `cells` in each grouping of `groupings`: one {key: sum} per grouping, in their order.

    `count` None counts the rows themselves (raw endorsements or concerns rather than roll-up cells).
    A key is the grouping's one value, or the tuple of its values when it names several fields. On PostgreSQL
    this is one scan of the cells however many groupings are asked (GROUPING SETS): the results page asks four of
    the concern totals, and each scan costs the number of cells, which grows with the consultation. Elsewhere
    (SQLite) one query a grouping.
    """
    results: list[dict] = [{} for _grouping in groupings]
    if connections[cells.db].vendor != "postgresql":
        for result, fields in zip(results, groupings, strict=True):
            for *key, n in cells.values_list(*fields).annotate(n=Sum(count) if count else Count("pk")):
                result[key[0] if len(fields) == 1 else tuple(key)] = n
        return results
    fields = list(dict.fromkeys(field for grouping in groupings for field in grouping))
    # Aliased, so the outer query names the inner query's columns whatever the model calls them.
    aliases = {field: f"g{position}" for position, field in enumerate(fields)}
    summed = F(count) if count else Value(1)
    inner = cells.values(**{alias: F(field) for field, alias in aliases.items()}, summed=summed)
    inner_sql, params = inner.query.sql_with_params()
    columns = ", ".join(aliases.values())
    sets = ", ".join("(" + ", ".join(aliases[field] for field in grouping) + ")" for grouping in groupings)
    # GROUPING(...) has bit 1 for each column a row was not grouped by, the first column the highest bit.
    set_of_mask = {
        sum(1 << (len(fields) - 1 - fields.index(field)) for field in fields if field not in grouping): position
        for position, grouping in enumerate(groupings)
    }
    # Built only from our own aliases (g0, g1, ...) around Django's compiled, parametrised query.
    selected = f"SELECT GROUPING({columns}), {columns}, CAST(SUM(summed) AS bigint) FROM ({inner_sql}) AS cells"  # noqa: S608  # nosec B608
    sql = f"{selected} GROUP BY GROUPING SETS ({sets})"
    with connections[cells.db].cursor() as cursor:
        cursor.execute(sql, params)
        for mask, *values, n in cursor.fetchall():
            grouping = groupings[set_of_mask[mask]]
            key = tuple(values[fields.index(field)] for field in grouping)
            results[set_of_mask[mask]][key[0] if len(grouping) == 1 else key] = n
    return results
