"""Unusual bursts: minutes when one remedy's endorsements (or one topic's web concerns) arrive far above
that consultation's own recent rate, mostly from participants new to it.

The statistic (README, "Defensible numbers"). For each remedy or topic, each minute's arrival count `n`
is compared with the counts of the same remedy or topic in the BURST_BASELINE_HOURS before it (minutes
with nothing counted as 0): their median `m` and their median absolute deviation `MAD`, scaled by 1.4826
so that it estimates a standard deviation. The minute is unusual when

    n ≥ BURST_MIN_ARRIVALS  and  n > m + BURST_MAD_FACTOR × max(1.4826 × MAD, 1)
    and at least BURST_MIN_NEW_PERCENT % of the n came from participants new to the consultation.

Median and MAD ignore up to half of the baseline being unusual itself, so one long burst does not
raise its own bar; the floor of 1 keeps a quiet series (MAD 0) from flagging ordinary bunching, and the
minimum count keeps small numbers out. Consecutive unusual minutes of one series form one burst.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import reduce
from operator import or_

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _

from ..models import ArrivalCount, ArrivalKind, BurstExclusion, Consultation, Remedy, Topic
from .baseline import MINUTE, SlidingBaseline

MAD_TO_SIGMA = 1.4826


@dataclass
class Burst:
    kind: str
    subject: int
    label: str
    starts_at: datetime
    ends_at: datetime  # the end of its last minute
    arrivals: int
    from_new_participants: int
    peak: int  # the largest minute's count
    baseline: float  # median arrivals per minute before its first minute
    threshold: float  # what its first minute had to exceed
    exclusion: BurstExclusion | None = None

    @property
    def new_percent(self) -> int:
        return round(100 * self.from_new_participants / self.arrivals) if self.arrivals else 0


def subject_labels(consultation: Consultation) -> dict[tuple[str, int], str]:
    """{(kind, subject): remedy title or topic name} of the consultation (two queries)."""
    labels = {
        (ArrivalKind.ENDORSEMENT, pk): title
        for pk, title in Remedy.objects.filter(consultation=consultation).values_list("pk", "title")
    }
    labels.update(
        {
            (ArrivalKind.CONCERN, pk): name
            for pk, name in Topic.objects.filter(consultation=consultation).values_list("pk", "name")
        }
    )
    labels[(ArrivalKind.CONCERN, 0)] = _("Other")
    return labels


def minute_threshold(baseline: SlidingBaseline) -> tuple[float, float]:
    """(median, the count a minute must exceed) given the previous minutes' counts."""
    middle = baseline.median()
    spread = baseline.median_absolute_deviation(middle)
    return middle, middle + settings.BURST_MAD_FACTOR * max(MAD_TO_SIGMA * spread, 1)


def unusual_bursts(consultation: Consultation) -> list[Burst]:
    """The consultation's unusual bursts among the minute counts still kept, newest first.

    One query when no minute reaches BURST_MIN_ARRIVALS (the usual case); otherwise five, whatever
    the number of bursts: the candidates, their series' history, the labels, the exclusions.
    """
    candidates = list(
        ArrivalCount.objects.filter(consultation=consultation, arrivals__gte=settings.BURST_MIN_ARRIVALS)
        .order_by("kind", "subject", "minute")
        .values_list("kind", "subject", "minute")
    )
    if not candidates:
        return []
    lookback = timedelta(hours=settings.BURST_BASELINE_HOURS)
    spans: dict[tuple[str, int], tuple[datetime, datetime]] = {}
    for kind, subject, minute in candidates:
        first, _last = spans.get((kind, subject), (minute, minute))
        spans[(kind, subject)] = (first, minute)
    history = ArrivalCount.objects.filter(consultation=consultation).filter(
        reduce(
            or_,
            (
                Q(kind=kind, subject=subject, minute__gte=first - lookback, minute__lte=last)
                for (kind, subject), (first, last) in spans.items()
            ),
        )
    )
    counts: dict[tuple[str, int], dict[datetime, tuple[int, int]]] = defaultdict(dict)
    for kind, subject, minute, arrivals, new in history.values_list(
        "kind", "subject", "minute", "arrivals", "from_new_participants"
    ):
        counts[(kind, subject)][minute] = (arrivals, new)
    labels = subject_labels(consultation)
    bursts = []
    for (kind, subject), minutes in counts.items():
        bursts.extend(_series_bursts(kind, subject, minutes, labels.get((kind, subject), str(subject))))
    _attach_exclusions(consultation, bursts)
    bursts.sort(key=lambda burst: (burst.starts_at, burst.kind, burst.subject), reverse=True)
    return bursts


def _series_bursts(kind: str, subject: int, minutes: dict[datetime, tuple[int, int]], label: str) -> list[Burst]:
    baseline = SlidingBaseline({minute: n for minute, (n, _new) in minutes.items()}, settings.BURST_BASELINE_HOURS * 60)
    bursts: list[Burst] = []
    current: Burst | None = None
    for minute in sorted(minutes):
        arrivals, new = minutes[minute]
        if arrivals < settings.BURST_MIN_ARRIVALS:
            current = None
            continue
        baseline.move_to(minute)
        middle, threshold = minute_threshold(baseline)
        unusual = arrivals > threshold and 100 * new >= settings.BURST_MIN_NEW_PERCENT * arrivals
        if not unusual:
            current = None
            continue
        if current is not None and current.ends_at == minute:
            current.ends_at = minute + MINUTE
            current.arrivals += arrivals
            current.from_new_participants += new
            current.peak = max(current.peak, arrivals)
        else:
            current = Burst(kind, subject, label, minute, minute + MINUTE, arrivals, new, arrivals, middle, threshold)
            bursts.append(current)
    return bursts


def _attach_exclusions(consultation: Consultation, bursts: list[Burst]) -> None:
    exclusions = {
        (exclusion.kind, exclusion.subject, exclusion.starts_at, exclusion.ends_at): exclusion
        for exclusion in BurstExclusion.objects.filter(consultation=consultation).select_related("excluded_by")
    }
    for burst in bursts:
        burst.exclusion = exclusions.get((burst.kind, burst.subject, burst.starts_at, burst.ends_at))


def burst_matching(consultation: Consultation, *, kind: str, subject: int, starts_at: datetime, ends_at: datetime):
    """The unusual burst with exactly this window, or None."""
    for burst in unusual_bursts(consultation):
        if (burst.kind, burst.subject, burst.starts_at, burst.ends_at) == (kind, subject, starts_at, ends_at):
            return burst
    return None
