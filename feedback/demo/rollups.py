"""The roll-up counts of a demo load, added as the services add theirs: counted while the rows were generated."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from operator import itemgetter

from django.db.models import OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from ..aggregates import add_concern_counts, add_endorsement_counts, participant_groups
from ..models import Consultation, EndorsementTotal, Remedy
from .generator import CONCERN_COLUMNS

# What a concern's roll-up cell is made of (aggregates.concern_cell), "verified" aside: demo concerns are not.
CONCERN_ROLLUP_COLUMNS = ("consultation_id", "topic_id", "community_area", "role", "source", "status", "created_at")


def add_counted_rows(consultation: Consultation, endorsed: Counter, visitors: Counter, concerns: list[tuple]) -> None:
    """Add the new rows to the roll-ups, counted as they were generated: the services' own additions
    (aggregates.add_endorsement_counts, add_concern_counts), a few thousand cells instead of a recount of
    every row. Exact because every demo participant is new (a seed used before fails the whole load)."""
    dates: dict[datetime, object] = {}  # a row's created_at (a local midnight) and its day; about sixty

    def day(created_at: datetime):
        return dates.get(created_at) or dates.setdefault(created_at, timezone.localdate(created_at))

    cells: Counter[tuple] = Counter()
    for (*cell, created_at), n in endorsed.items():
        cells[(*cell, day(created_at))] += n
    people: Counter[tuple] = Counter()
    if consultation.purged_on is None:  # a purged consultation keeps no participant counts
        for (area, role), n in visitors.items():
            for group in participant_groups(area, role, False):
                people[group] += n
    add_endorsement_counts(consultation_id=consultation.pk, cells=cells, participants=people)
    concern_cell = itemgetter(*(CONCERN_COLUMNS.index(column) for column in CONCERN_ROLLUP_COLUMNS))
    concern_cells: Counter[tuple] = Counter()
    for (consultation_id, topic_id, *cell, created_at), n in Counter(map(concern_cell, concerns)).items():
        concern_cells[(consultation_id, topic_id or 0, *cell, False, day(created_at))] += n
    add_concern_counts(concern_cells)


def endorsement_counts_from_rollups(consultation: Consultation) -> None:
    """Each remedy's `endorsement_count` summed from the roll-ups: a sum over a few hundred cells per remedy,
    where a recount of the endorsements (recount_endorsements) reads every row again."""
    totals = (
        EndorsementTotal.objects.filter(remedy=OuterRef("pk"))
        .order_by()
        .values("remedy")
        .annotate(n=Sum("endorsements"))
        .values("n")
    )
    Remedy.objects.filter(consultation=consultation).update(endorsement_count=Coalesce(Subquery(totals), 0))
