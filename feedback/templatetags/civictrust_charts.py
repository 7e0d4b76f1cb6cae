"""Chart tags of the staff pages and the report: `{% ranked_bar_chart rows as chart %}`, `{% day_column_chart %}`.

The shapes come from feedback/results/charts.py; templates/includes/ranked_bars.svg.html and
day_columns.svg.html draw them as SVG, and a table of the same numbers sits in a <details> beside each.
"""

from __future__ import annotations

from django import template
from django.utils.formats import date_format

from feedback.results.charts import BarChart, ColumnChart, day_columns, ranked_bars

register = template.Library()


def _number(value) -> int | None:
    """An include's optional number: a variable the include was not given arrives as ''."""
    return None if value in (None, "") else int(value)


@register.simple_tag
def ranked_bar_chart(rows, total=None, limit=None) -> BarChart:
    """Ranked bars for a list of TallyRow; `total` for the shares (default their sum), `limit` rows at most."""
    return ranked_bars(rows, total=_number(total), limit=_number(limit))


@register.simple_tag
def day_column_chart(days, attribute: str) -> ColumnChart:
    """One column per day of `days` (DayRow list) for "concerns" or "endorsements", days labelled locally."""
    return day_columns(days, attribute, day_label=lambda day: date_format(day, "M j"))
