"""What the report for City Hall says: every figure read from the same tallies as the site, in a few queries.

The public version shows breakdowns exactly as the public results page does (`public_view_of`, the rule of
`count_public_results`), so a rule that protects residents there protects them here; the internal version shows
exact figures and says "internal: contains small groups" on every page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.utils import timezone

from ..models import Concern, Consultation
from ..results.public import public_view_of
from ..results.tallies import DayRow, TallyRow, tallies_for
from ..themes.selectors import ThemeSummary, published_quotes, themes_of

THEMES_IN_REPORT = 5
QUOTES_PER_THEME = 2


@dataclass(frozen=True)
class ParticipationRow:
    """One line of the participation table. `verified` stays None until participation codes exist; the
    report then shows a "verified" column beside the total."""

    key: str
    total: int
    verified: int | None = None


@dataclass(frozen=True)
class AreaLine:
    """One community area with its endorsements and concerns (each None when the area has none)."""

    label: str
    endorsements: TallyRow | None
    concerns: TallyRow | None


def area_lines(endorsements: list[TallyRow], concerns: list[TallyRow]) -> list[AreaLine]:
    """Both breakdowns by community area side by side: areas with most endorsements first, "Not given" last."""
    by_key = {row.key: row for row in concerns}
    lines = [AreaLine(row.label, row, by_key.pop(row.key, None)) for row in endorsements if row.key]
    lines += [AreaLine(row.label, None, row) for key, row in by_key.items() if key]
    endorsements_not_given, concerns_not_given = (
        next((row for row in endorsements if not row.key), None),
        by_key.get(""),
    )
    if endorsements_not_given or concerns_not_given:
        label = (endorsements_not_given or concerns_not_given).label
        lines.append(AreaLine(label, endorsements_not_given, concerns_not_given))
    return lines


@dataclass(frozen=True)
class ThemeLine:
    theme: ThemeSummary
    quotes: list[tuple[str, str]]  # (text exactly as published, its language)


@dataclass
class ConsultationReport:
    consultation: Consultation
    generated_at: datetime
    internal: bool
    min_cell: int
    participation: list[ParticipationRow]
    participants: int
    remedies: list[TallyRow]  # ranked, largest first
    topics: list[TallyRow]
    endorsements_by_area: list[TallyRow]
    concerns_by_area: list[TallyRow]
    endorsements_by_role: list[TallyRow]
    concerns_by_role: list[TallyRow]
    areas: list[AreaLine]
    per_day: list[DayRow]
    themes: list[ThemeLine] = field(default_factory=list)
    themes_built_at: datetime | None = None
    themed_concerns: int = 0

    @property
    def topic_count(self) -> int:
        return sum(1 for row in self.topics if row.key)

    @property
    def has_verified(self) -> bool:
        return any(row.verified is not None for row in self.participation)

    @property
    def first_day(self):
        return self.per_day[0].day if self.per_day else None

    @property
    def last_day(self):
        return self.per_day[-1].day if self.per_day else None


def report_for(consultation: Consultation, *, internal: bool = False) -> ConsultationReport:
    """Everything the report shows, counted now.

    Exact totals (tallies_for); breakdowns by community area and role suppressed exactly as on the public
    results unless `internal`; endorsements per remedy ranked; the largest themes with a few published
    concerns quoted word for word. The number of queries does not grow with the data (the tallies' fixed
    count once, one for the themes and one for their quotes).
    """
    tallies = tallies_for(consultation)
    shown = public_view_of(consultation, internal=internal)
    by_status = tallies.concerns_by_status
    counted = sum(by_status.get(status, 0) for status in (Concern.Status.PENDING, Concern.Status.APPROVED))
    participation = [
        ParticipationRow("participants", tallies.total_participants),
        ParticipationRow("endorsements", tallies.total_endorsements),
        ParticipationRow("concerns", counted),
        ParticipationRow("published", by_status.get(Concern.Status.APPROVED, 0)),
    ]
    remedies = sorted(tallies.endorsements_per_remedy, key=lambda row: (-(row.count or 0), row.label))
    themes = themes_of(consultation)
    largest = themes[:THEMES_IN_REPORT]
    quotes = published_quotes([theme.pk for theme in largest], per_theme=QUOTES_PER_THEME)
    return ConsultationReport(
        consultation=consultation,
        generated_at=timezone.now(),
        internal=internal,
        min_cell=settings.RESULTS_MIN_CELL,
        participation=participation,
        participants=tallies.total_participants,
        remedies=remedies,
        topics=tallies.concerns_per_topic,
        endorsements_by_area=shown.participants_by_area,
        concerns_by_area=shown.concerns_by_area,
        endorsements_by_role=shown.participants_by_role,
        concerns_by_role=shown.concerns_by_role,
        areas=area_lines(shown.participants_by_area, shown.concerns_by_area),
        per_day=tallies.per_day,
        themes=[ThemeLine(theme=theme, quotes=quotes.get(theme.pk, [])) for theme in largest],
        themes_built_at=max((theme.built_at for theme in themes), default=None),
        themed_concerns=sum(theme.size for theme in themes),
    )
