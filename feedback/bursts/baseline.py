"""The median and median absolute deviation of a series' previous minutes, kept as the minutes slide by.

Recomputing both from scratch for every minute costs the whole baseline window (1,440 minutes for a day)
per minute; at ten million endorsements nearly every minute of a busy remedy reaches BURST_MIN_ARRIVALS,
and that was seconds of CPU per dashboard view. Here the window's counts are one sorted list, its empty
minutes (counted as 0) only a number, and each minute enters and leaves it once; the median is read by
index and the MAD found by a binary search over the deviation, counting with bisect. The results are exactly
statistics.median's (tests/bursts/test_baseline.py checks them against it).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from datetime import datetime, timedelta

MINUTE = timedelta(minutes=1)


class SlidingBaseline:
    """The counts of the `width` minutes before a minute, for minutes visited in increasing order."""

    def __init__(self, counts: dict[datetime, int], width: int):
        self.width = width
        self._counts = counts
        self._minutes = sorted(minute for minute, n in counts.items() if n > 0)
        self._entered = 0  # self._minutes[:_entered] have entered the window …
        self._left = 0  # … and self._minutes[:_left] have left it again
        self._window: list[int] = []  # the non-zero counts in the window, sorted

    def move_to(self, minute: datetime) -> None:
        """Make the window the `width` minutes just before `minute` (never earlier than the last call)."""
        minutes, counts = self._minutes, self._counts
        while self._entered < len(minutes) and minutes[self._entered] < minute:
            insort(self._window, counts[minutes[self._entered]])
            self._entered += 1
        first = minute - MINUTE * self.width
        while self._left < self._entered and minutes[self._left] < first:
            n = counts[minutes[self._left]]
            del self._window[bisect_left(self._window, n)]
            self._left += 1

    def _nth(self, index: int) -> int:
        """The index-th smallest count of the window, its empty minutes included."""
        zeros = self.width - len(self._window)
        return 0 if index < zeros else self._window[index - zeros]

    def _median_of(self, nth) -> float:
        half = self.width // 2
        return nth(half) if self.width % 2 else (nth(half - 1) + nth(half)) / 2

    def median(self) -> float:
        return self._median_of(self._nth) if self.width else 0

    def median_absolute_deviation(self, middle: float) -> float:
        if not self.width:
            return 0
        return self._median_of(lambda index: self._nth_deviation(middle, index))

    def _within(self, middle: float, deviation: float) -> int:
        """How many of the window's counts lie within `deviation` of `middle`."""
        low, high = middle - deviation, middle + deviation
        inside = bisect_right(self._window, high) - bisect_left(self._window, low)
        return inside + (self.width - len(self._window) if low <= 0 <= high else 0)

    def _nth_deviation(self, middle: float, index: int) -> float:
        # The median is a whole or half number and the counts whole, so every deviation is a multiple of 0.5:
        # search the smallest number of halves within which index + 1 counts lie.
        low, high = 0, 2 * int(max(abs(self._nth(0) - middle), abs(self._nth(self.width - 1) - middle)) + 1)
        while low < high:
            halves = (low + high) // 2
            if self._within(middle, halves / 2) >= index + 1:
                high = halves
            else:
                low = halves + 1
        return low / 2
