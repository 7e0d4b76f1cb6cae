"""Geometry of the server-drawn SVG charts of the staff pages and the report. Pure: numbers in, shapes out.

Templates draw the shapes (templates/includes/ranked_bars.svg.html, day_columns.svg.html) as SVG with
presentation attributes only (the Content Security Policy forbids inline styles). Bars are ranked, each
labelled with its count and share; a "Not given" or "Other" row stands apart, outside the scale, so it
never squashes the others; a row hidden by small-cell suppression has no bar and says so.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from .tallies import DayRow, TallyRow

WIDTH = 640
TRACK = WIDTH * 0.82  # the longest bar; its count and share fit to its right
BAR_ROW = 31  # label line above, bar below
BAR_HEIGHT = 12
LABEL_CHARACTERS = 88


@dataclass(frozen=True)
class Bar:
    label: str
    full_label: str
    count: int | None
    share: float | None  # percent of the chart's total, None when hidden
    suppressed: bool
    y: float  # top of the row
    width: float  # of the bar, 0 when hidden or apart
    apart: bool = False  # "Not given"/"Other": shown, never on the scale


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    height: float
    width: int = WIDTH
    track: float = TRACK
    bar_height: int = BAR_HEIGHT
    total: int = 0
    hidden_rows: int = 0  # rows left out by `limit`

    @property
    def empty(self) -> bool:
        return not self.bars


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARACTERS else label[: LABEL_CHARACTERS - 1].rstrip() + "…"


def ranked_bars(rows: Sequence[TallyRow], *, total: int | None = None, limit: int | None = None) -> BarChart:
    """Bars for `rows`, largest first (hidden rows after the shown ones), the row without a key last and apart.

    `total` is what shares are a percentage of (default: the sum of the counts shown); `limit` keeps the
    largest rows only and says how many were left out.
    """
    apart = [row for row in rows if not row.key and not row.suppressed]
    apart_ids = {id(row) for row in apart}
    ranked = sorted(
        (row for row in rows if id(row) not in apart_ids),
        key=lambda row: (row.suppressed, -(row.count or 0), row.label),
    )
    hidden_rows = 0
    if limit is not None and len(ranked) > limit:
        hidden_rows, ranked = len(ranked) - limit, ranked[:limit]
    total = total if total is not None else sum(row.count or 0 for row in [*ranked, *apart])
    largest = max((row.count or 0 for row in ranked), default=0)
    bars = []
    for index, row in enumerate([*ranked, *apart]):
        is_apart = id(row) in apart_ids
        share = 100 * row.count / total if total and row.count is not None else None
        width = TRACK * (row.count or 0) / largest if largest and not is_apart and not row.suppressed else 0
        bars.append(
            Bar(
                label=_short(row.label),
                full_label=row.label,
                count=row.count,
                share=share,
                suppressed=row.suppressed,
                y=index * BAR_ROW + (8 if is_apart else 0),
                width=max(width, 1.0) if row.count and width else width,
                apart=is_apart,
            )
        )
    height = (bars[-1].y + BAR_ROW) if bars else 0
    return BarChart(bars=bars, height=height, total=total, hidden_rows=hidden_rows)


@dataclass(frozen=True)
class Column:
    day: date
    count: int
    x: float
    y: float
    height: float


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class ColumnChart:
    columns: list[Column]
    width: int
    height: int
    plot_top: int
    plot_bottom: int
    column_width: float
    scale_max: int
    scale_label_y: float
    ticks: list[Tick] = field(default_factory=list)
    total: int = 0
    busiest: Column | None = None

    @property
    def empty(self) -> bool:
        return not self.columns

    @property
    def bar_width(self) -> float:
        """Each column's drawn width: most of its slot, leaving a gap between days."""
        return max(self.column_width * 0.8, 0.5)


def _nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 2.5, 5 times a power of ten that is at least `value` (at least 1)."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value:
            return int(step * power)
    return 10 * power


def day_columns(days: Sequence[DayRow], attribute: str, *, day_label=None, height: int = 160) -> ColumnChart:
    """One column per day from the first to the last day counted (days without any show as gaps).

    `attribute` is "concerns" or "endorsements"; `day_label(day)` formats the few days on the axis.
    """
    if not days:
        return ColumnChart([], WIDTH, height, 10, height - 24, 0, 0, 0)
    counts = {row.day: getattr(row, attribute) for row in days}
    first, last = min(counts), max(counts)
    span = (last - first).days + 1
    plot_top, plot_bottom = 14, height - 24
    column_width = (WIDTH - 40) / span
    scale_max = _nice_ceiling(max(counts.values()))
    columns = []
    for offset in range(span):
        day = date.fromordinal(first.toordinal() + offset)
        count = counts.get(day, 0)
        column_height = (plot_bottom - plot_top) * count / scale_max
        columns.append(Column(day, count, 40 + offset * column_width, plot_bottom - column_height, column_height))
    every = max(1, math.ceil(span / 6))
    label = day_label or (lambda day: day.isoformat())
    ticks = [Tick(column.x + column_width / 2, label(column.day)) for column in columns[::every]]
    busiest = max(columns, key=lambda column: (column.count, -column.day.toordinal()))
    return ColumnChart(
        columns=columns,
        width=WIDTH,
        height=height,
        plot_top=plot_top,
        plot_bottom=plot_bottom,
        column_width=column_width,
        scale_max=scale_max,
        scale_label_y=plot_top + 4,
        ticks=ticks,
        total=sum(counts.values()),
        busiest=busiest,
    )
