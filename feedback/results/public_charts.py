"""The public results as charts people read at a glance: ranked, labelled bars, drawn on the server.

Presentation only: the figures come from `public.count_public_results` (already suppressed), and nothing here
counts anything. Each chart ranks its bars, scales them to its largest shown bar, and keeps "Not given" and
"Prefer not to say" apart, outside the scale: otherwise a large "Not given" squashes every community area into
a sliver. A chart may show only its largest bars; its table (templates/feedback/includes/results_chart.html)
always lists every row.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from ..community_areas import AREA_UNDISCLOSED
from ..models import Role
from .public import PublicResults
from .tallies import TallyRow

# Answers that are no community area and no role: shown apart from the bars, never setting their scale.
NO_GROUP_KEYS = ("", AREA_UNDISCLOSED, Role.UNDISCLOSED)
# The community-area charts draw this many bars; their tables list all 77 areas and more.
AREA_BARS = 8


@dataclass(frozen=True)
class Bar:
    label: str
    count: int | None  # None: a small group, shown as "fewer than N"
    share: float | None  # of the chart's total (0 to 1), None when the count is hidden or there is no total
    width: float  # length of the bar in percent of the chart's width (largest shown bar: 100)
    start: float  # where the bar starts, in percent from the left: 0, or 100 - width on right-to-left pages
    verified: int | None = None  # of `count`, from verified participants (remedies and topics only)

    @property
    def suppressed(self) -> bool:
        return self.count is None


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]  # the ones drawn, largest first
    apart: list[Bar]  # answers that are no group ("Not given", "Prefer not to say"), outside the scale
    rows: list[Bar] = field(default_factory=list)  # every row, in order: the drawn bars, the rest, those apart
    total: int = 0

    @cached_property  # asked once per row of the table
    def shows_verified(self) -> bool:
        """Whether the table has a "Verified" column: remedies and topics publish one, breakdowns do not."""
        return any(row.verified is not None for row in self.rows)

    @property
    def not_drawn(self) -> int:
        """How many rows only the table lists (beyond the chart's limit)."""
        return len(self.rows) - len(self.bars) - len(self.apart)

    @property
    def is_empty(self) -> bool:
        return not self.rows


def _rank(rows: Iterable[TallyRow]) -> list[TallyRow]:
    """Largest first; hidden small groups after every shown one (they are small); ties by label."""
    return sorted(rows, key=lambda row: (row.count is None, -(row.count or 0), row.label))


def bar_chart(
    rows: list[TallyRow],
    *,
    total: int,
    apart_keys: Iterable[str] = (),
    limit: int | None = None,
    right_to_left: bool = False,
) -> Chart:
    """A ranked chart of `rows` (TallyRows of one breakdown).

    `total` is what shares are shares of (the page's exact total for that figure); rows whose key is in
    `apart_keys` are kept apart and never set the scale; at most `limit` bars are drawn (all when None).
    """
    apart_keys = set(apart_keys)
    ranked = _rank(row for row in rows if row.key not in apart_keys)
    apart = _rank(row for row in rows if row.key in apart_keys)
    drawn = ranked if limit is None else ranked[:limit]
    largest = max((row.count or 0 for row in drawn), default=0)

    def bar(row: TallyRow, scaled: bool) -> Bar:
        width = round(100 * row.count / largest, 1) if scaled and row.count and largest else 0.0
        return Bar(
            label=row.label,
            count=None if row.suppressed else row.count,
            share=(row.count / total) if total and row.count is not None and not row.suppressed else None,
            width=width,
            start=round(100 - width, 1) if right_to_left else 0.0,
            verified=None if row.suppressed else row.verified,
        )

    bars = [bar(row, scaled=True) for row in drawn]
    rest = [bar(row, scaled=True) for row in ranked[len(drawn) :]]
    kept_apart = [bar(row, scaled=False) for row in apart]
    return Chart(bars=bars, apart=kept_apart, rows=[*bars, *rest, *kept_apart], total=total)


def results_charts(results: PublicResults, *, right_to_left: bool = False) -> dict[str, Chart]:
    """Every chart of the public results page, by name, from figures already counted and suppressed."""
    areas = {"apart_keys": NO_GROUP_KEYS, "limit": AREA_BARS, "right_to_left": right_to_left}
    roles = {"apart_keys": NO_GROUP_KEYS, "right_to_left": right_to_left}
    return {
        "remedies": bar_chart(
            results.endorsements_per_remedy, total=results.total_participants, right_to_left=right_to_left
        ),
        "topics": bar_chart(results.concerns_per_topic, total=results.total_concerns, right_to_left=right_to_left),
        "participants_by_area": bar_chart(results.participants_by_area, total=results.total_participants, **areas),
        "concerns_by_area": bar_chart(results.concerns_by_area, total=results.total_concerns, **areas),
        "participants_by_role": bar_chart(results.participants_by_role, total=results.total_participants, **roles),
        "concerns_by_role": bar_chart(results.concerns_by_role, total=results.total_concerns, **roles),
    }
