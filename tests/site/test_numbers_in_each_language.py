"""Figures are written as each page language writes them: its thousands separator, its decimal mark, and "<0.1%"
for a share too small to show, exactly as babel's own formatting functions write them."""

from __future__ import annotations

import pytest
from babel.numbers import format_decimal, format_percent
from django.utils import translation

from feedback.languages import number_locale
from feedback.templatetags.civictrust import number, percent

LANGUAGES = ["en", "es", "pl", "zh-hans", "ar"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_numbers_and_shares_read_as_the_language_writes_them(language):
    locale = number_locale(language)
    with translation.override(language):
        for value in (0, 7, 999, 1000, 12_345, 1_234_567, 10_000_003):
            assert number(value) == format_decimal(value, locale=locale)
        for share in (0.0123, 0.5, 0.999, 1):
            assert percent(share) == format_percent(share, "#,##0.#%", locale=locale)
        assert percent(0.0004) == "<" + format_percent(0.001, "#,##0.#%", locale=locale)
        assert percent(0) == format_percent(0, "#,##0.#%", locale=locale)


def test_a_polish_page_groups_thousands_with_a_space_and_writes_a_decimal_comma():
    with translation.override("pl"):
        assert number(1_234_567) == "1\xa0234\xa0567"
        assert percent(0.0123) == "1,2%"
    with translation.override("en"):
        assert (number(1_234_567), percent(0.0123), percent(0.0004)) == ("1,234,567", "1.2%", "<0.1%")
