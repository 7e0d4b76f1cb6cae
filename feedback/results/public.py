"""What the public sees of the results: exact totals, suppressed breakdowns, briefly cached."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import get_language

from ..models import Consultation
from .caching import cached
from .suppression import suppress_small_cells
from .tallies import Tallies, TallyRow, tallies_for


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
    return public_view_of(tallies_for(consultation))


def public_view_of(tallies: Tallies) -> PublicResults:
    """What the public may see of exact `tallies`: the same rule as the results page, with no further query."""
    minimum = settings.RESULTS_MIN_CELL
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
