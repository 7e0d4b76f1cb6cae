"""The staff dashboard's figures: exact tallies (never suppressed), reshaped for its charts, briefly cached."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language

from ..models import Concern, Consultation
from .caching import cached
from .tallies import Tallies, TallyFilters, TallyRow, tallies_for
from .verified import VerifiedTallies, verified_tallies, with_verified


@dataclass
class Dashboard:
    """The staff dashboard of one consultation: exact tallies (never suppressed) and chart rows."""

    tallies: Tallies
    filters: TallyFilters
    status_rows: list[TallyRow]
    concerns_per_day: list[TallyRow]
    endorsements_per_day: list[TallyRow]
    counted_at: datetime
    verified: VerifiedTallies | None = None


def _count_dashboard(consultation: Consultation, filters: TallyFilters) -> Dashboard:
    tallies = tallies_for(consultation, filters)
    verified = verified_tallies(consultation, filters)
    with_verified(tallies.endorsements_per_remedy, verified.per_remedy)
    with_verified(tallies.concerns_per_topic, verified.per_topic)
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
        verified=verified,
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
