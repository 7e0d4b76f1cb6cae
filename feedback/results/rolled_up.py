"""Reading the roll-ups (models/rollups.py): the cells the figures are summed from, narrowed like the raw rows.

Each queryset here answers exactly what the same filter of the raw endorsements or concerns would count, at the
cost of the number of cells, not of rows: the totals (remedies × areas × roles × verified) unless a range of days
is asked, the day cells for that and for figures per day. What a roll-up cannot answer exactly
is counted from the raw rows by the callers: "export selected" by ids, and distinct participants over a range of
days (the participant roll-ups keep no days, on purpose: who took part on which days).
"""

from __future__ import annotations

from datetime import date
from typing import Protocol

from django.db.models import QuerySet

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
