"""Public figures published in batches, so that no one action moves a public number when it happens.

Time is cut into windows of RESULTS_PUBLISH_SECONDS. The first request of a window (on any public page
or the API) counts the figures once, through `public.count_published_figures`, and stores them; every
request shows the most recent count made in an *earlier* window. A count therefore becomes visible only
when the next window starts, at a time no request can choose: watching when a phone talks to the site and
when a number changes tells an observer no more than "someone acted within that window". Only the very first
count of a consultation is shown at once, as there is nothing earlier to show. The resident's own page
says "you endorse this" straight away, from their own rows, never from these figures.

The figures live in the database (`PublishedResults`), so every worker shows the same batch and a cache
outage does not turn publication back into live counting. RESULTS_PUBLISH_SECONDS = 0 counts afresh
on every request and stores nothing (for tests).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q

from ..models import Consultation, PublishedResults
from .public import PublicResults, count_published_figures, label_results

# Counts read back per request: the current window's (maybe still counting), the one on show, one spare.
COUNTS_READ = 3


@dataclass(frozen=True)
class Publication:
    """The figures on show: `window` they were counted in (None: counted for this request only)."""

    window: int | None
    figures: dict


def current_window(now: float | None = None) -> int:
    return int((time.time() if now is None else now) // settings.RESULTS_PUBLISH_SECONDS)


def published_figures(consultation: Consultation) -> Publication:
    """The figures of `consultation` the public may see now (see the module's docstring).

    One query when this window's count has been made; the first request of a window also counts
    (nine queries) and stores, exactly once per window whatever the number of workers (a unique
    constraint). Never raises for a concurrent count: the loser shows the previous figures.
    """
    if settings.RESULTS_PUBLISH_SECONDS <= 0:
        return Publication(window=None, figures=count_published_figures(consultation))
    window = current_window()
    counts = list(
        PublishedResults.objects.filter(consultation=consultation, window__lte=window)
        .order_by("-window")
        .values_list("window", "figures")[:COUNTS_READ]
    )
    if not any(counted == window for counted, _figures in counts):
        figures = _count_for_window(consultation, window)
        if figures is not None:
            counts.insert(0, (window, figures))
    done = [(counted, figures) for counted, figures in counts if figures is not None]
    for counted, figures in done:
        if counted < window:
            return Publication(window=counted, figures=figures)
    if done:  # the consultation's very first count: nothing earlier exists to show instead
        return Publication(window=done[0][0], figures=done[0][1])
    # Another request is making the very first count right now: count for this request alone.
    return Publication(window=None, figures=count_published_figures(consultation))


def _count_for_window(consultation: Consultation, window: int) -> dict | None:
    """Claim `window` and count its figures; None if another request claimed it first.

    The claim is a row with no figures yet; a request that dies while counting leaves it so, and the
    window simply publishes nothing new. Counts older than the one now on show are deleted.
    """
    try:
        with transaction.atomic():
            claim = PublishedResults.objects.create(consultation=consultation, window=window)
    except IntegrityError:
        return None
    figures = count_published_figures(consultation)
    PublishedResults.objects.filter(pk=claim.pk).update(figures=figures)
    mine = PublishedResults.objects.filter(consultation=consultation)
    on_show = (
        mine.filter(window__lt=window, figures__isnull=False).order_by("-window").values_list("window", flat=True)
    ).first()
    if on_show is not None:
        # Counts made under a shorter period have window numbers above the current one: gone too.
        mine.filter(Q(window__lt=on_show) | Q(window__gt=window)).delete()
    return figures


def published_results(consultation: Consultation) -> PublicResults:
    """The published figures of `consultation`, labelled in the current language (two more queries).

    Labelled on every request, so a remedy or topic unpublished in the admin leaves the public pages at once.
    """
    publication = published_figures(consultation)
    return label_results(consultation, publication.figures, window=publication.window)


def published_remedy_counts(consultation: Consultation) -> dict[int, int]:
    """{remedy id: endorsements} as published, for the remedies page."""
    return dict(published_figures(consultation).figures["remedies"])
