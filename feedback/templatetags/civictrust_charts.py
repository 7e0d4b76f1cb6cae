"""Chart tags of the staff pages and the report: `{% ranked_bar_chart rows as chart %}`, `{% day_column_chart %}`.

The shapes come from feedback/results/charts.py; templates/includes/ranked_bars.svg.html and
day_columns.svg.html draw them as SVG, and a table of the same numbers sits in a <details> beside each.
"""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.template.defaultfilters import floatformat
from django.utils.formats import date_format, get_format
from django.utils.translation import get_language

from feedback.results.charts import BarChart, ColumnChart, day_columns, ranked_bars

register = template.Library()


def _number(value) -> int | None:
    """An include's optional number: a variable the include was not given arrives as ''."""
    return None if value in (None, "") else int(value)


@register.filter
def coordinate(value, decimals) -> str:
    """An SVG coordinate with `decimals` decimals, never localised: `floatformat:"2u"` at a fraction of its cost.

    A day chart draws four of these a day; through floatformat's Decimal arithmetic they were a third of the
    dashboard's rendering.
    """
    return f"{float(value):.{int(decimals)}f}"


@lru_cache(maxsize=64)
def _thousands(language: str) -> tuple[str, object]:
    return get_format("THOUSAND_SEPARATOR", language), get_format("NUMBER_GROUPING", language)


@register.filter
def grouped(value) -> str:
    """A whole number grouped as the language groups thousands: `floatformat:"g"`'s output, without its cost.

    A day chart writes two counts a day, and floatformat looks up the language's formats for each.
    """
    if not isinstance(value, int):
        return floatformat(value, "g")
    separator, grouping = _thousands(get_language())
    if grouping != 3:
        return floatformat(value, "g")
    return f"{value:,}".replace(",", separator)


@lru_cache(maxsize=4096)
def _day(day, format_name: str, language: str) -> str:
    return date_format(day, format_name)


@register.filter
def day(value, format_name: str) -> str:
    """`value|date:format_name` for a date, kept per language: each chart names the same days twice."""
    return _day(value, format_name, get_language())


@register.simple_tag
def ranked_bar_chart(rows, total=None, limit=None) -> BarChart:
    """Ranked bars for a list of TallyRow; `total` for the shares (default their sum), `limit` rows at most."""
    return ranked_bars(rows, total=_number(total), limit=_number(limit))


@register.simple_tag
def day_column_chart(days, attribute: str) -> ColumnChart:
    """One column per day of `days` (DayRow list) for "concerns" or "endorsements", days labelled locally."""
    return day_columns(days, attribute, day_label=lambda day: date_format(day, "M j"))
