"""The sliding baseline gives exactly the median and MAD of the previous minutes, empty minutes counted as 0."""

from __future__ import annotations

from datetime import datetime, timedelta
from statistics import median

from hypothesis import given, settings
from hypothesis import strategies as st

from feedback.bursts.baseline import SlidingBaseline

START = datetime(2026, 11, 1, 8, 0)


def by_hand(counts: dict[datetime, int], minute: datetime, width: int) -> tuple[float, float]:
    history = [counts.get(minute - timedelta(minutes=back), 0) for back in range(1, width + 1)]
    if not history:
        return 0, 0
    middle = median(history)
    return middle, median(abs(n - middle) for n in history)


@settings(max_examples=300, deadline=None)
@given(
    counts=st.dictionaries(st.integers(0, 400), st.integers(0, 60), max_size=120),
    width=st.integers(0, 90),
    visits=st.lists(st.integers(0, 420), min_size=1, max_size=40),
)
def test_every_visited_minute_has_the_median_and_mad_of_the_minutes_before_it(counts, width, visits):
    counts = {START + timedelta(minutes=offset): n for offset, n in counts.items()}
    baseline = SlidingBaseline(counts, width)
    for offset in sorted(visits):
        minute = START + timedelta(minutes=offset)
        baseline.move_to(minute)
        middle = baseline.median()
        assert (middle, baseline.median_absolute_deviation(middle)) == by_hand(counts, minute, width)


def test_a_whole_day_window_of_busy_minutes_gives_the_exact_median_and_mad():
    counts = {START + timedelta(minutes=offset): 30 + offset % 7 for offset in range(3 * 1440)}
    baseline = SlidingBaseline(counts, 1440)
    last = START + timedelta(minutes=3 * 1440 - 1)
    baseline.move_to(last)
    assert (baseline.median(), baseline.median_absolute_deviation(baseline.median())) == by_hand(counts, last, 1440)
