"""The staff charts and the report write their counts, days and coordinates as Django's own filters would, in every
language, with cheaper filters (feedback/templatetags/civictrust_charts.py): a dashboard draws some five hundred."""

from __future__ import annotations

from datetime import date

import pytest
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import floatformat
from django.utils import translation

from feedback.templatetags.civictrust_charts import coordinate, day, grouped

LANGUAGES = ["en", "es", "pl", "zh-hans", "ar"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_counts_and_days_read_as_django_writes_them_in_the_language(language):
    with translation.override(language):
        for value in (0, 7, 999, 1000, 12_345, 1_234_567, 10_000_003, -4_321):
            assert grouped(value) == floatformat(value, "g")
        for when in (date(2026, 1, 5), date(2026, 12, 31)):
            for format_name in ("DATE_FORMAT", "SHORT_DATE_FORMAT"):
                assert day(when, format_name) == date_filter(when, format_name)


def test_a_day_is_named_in_the_language_asked_even_after_another_asked_first():
    when = date(2026, 3, 9)
    with translation.override("en"):
        english = day(when, "DATE_FORMAT")
    with translation.override("es"):
        assert day(when, "DATE_FORMAT") == date_filter(when, "DATE_FORMAT") != english


@pytest.mark.parametrize("value", [0, 12, 12.3456, 99.95, 240.0, 1234.5])
def test_a_coordinate_is_never_localised(value):
    with translation.override("pl"):
        for decimals in (0, 1, 2):
            written = coordinate(value, decimals)
            assert "," not in written and "\xa0" not in written
            assert float(written) == pytest.approx(value, abs=10**-decimals)
