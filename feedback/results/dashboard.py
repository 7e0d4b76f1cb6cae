"""The staff dashboard's figures: exact tallies (never suppressed), reshaped for its charts, briefly cached."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language, gettext

from ..models import Concern, Consultation
from .caching import cached
from .tallies import Tallies, TallyFilters, TallyRow, tallies_for
from .verified import VerifiedTallies, verified_tallies, with_verified


@dataclass(frozen=True)
class SummaryCard:
    """One figure at the top of the dashboard; `key` names it in the page (data-total) and in tests."""

    key: str
    label: str
    value: int
    note: str = ""


@dataclass
class Dashboard:
    """The staff dashboard of one consultation: exact tallies (never suppressed), summary cards and chart rows."""

    tallies: Tallies
    filters: TallyFilters
    cards: list[SummaryCard]
    status_rows: list[TallyRow]
    counted_at: datetime
    verified: VerifiedTallies | None = None


def summary_cards(tallies: Tallies) -> list[SummaryCard]:
    """Concerns waiting, published, endorsements and participants: what staff look at first.

    Figures that need another count (a verified share once participation codes exist) join this list.
    """
    by_status = tallies.concerns_by_status
    return [
        SummaryCard("concerns-pending", gettext("Concerns waiting"), by_status.get(Concern.Status.PENDING, 0)),
        SummaryCard("concerns-approved", gettext("Concerns published"), by_status.get(Concern.Status.APPROVED, 0)),
        SummaryCard("endorsements", gettext("Endorsements"), tallies.total_endorsements),
        SummaryCard(
            "participants",
            gettext("Participants"),
            tallies.total_participants,
            gettext("distinct browsers that endorsed at least one remedy"),
        ),
    ]


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
        cards=summary_cards(tallies),
        status_rows=status_rows,
        counted_at=timezone.now(),
        verified=verified,
    )


def dashboard_for(
    consultation: Consultation, filters: TallyFilters | None = None, *, recount: bool = False
) -> Dashboard:
    """Everything the staff dashboard shows for `consultation`, narrowed by `filters`.

    Exact counts from `tallies_for` (a fixed number of queries, whatever the size of the data),
    reshaped for the cards and charts without further queries. Kept in the cache for DASHBOARD_CACHE_SECONDS
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
