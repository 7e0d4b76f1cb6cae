"""Reads: a consultation's themes, each theme's breakdowns and concerns, and the JSON export."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Case, Count, F, IntegerField, Value, When, Window
from django.db.models.functions import Length, RowNumber
from django.utils.translation import gettext as _

from ..community_areas import COMMUNITY_AREA_CHOICES
from ..models import Concern, Consultation, Theme, ThemeMembership, Topic
from ..results.suppression import suppress_small_cells
from ..results.tallies import TallyRow

# Quotes in the report: published concerns of a readable length, shown word for word.
QUOTE_MIN_LENGTH = 40
QUOTE_MAX_LENGTH = 400
# Concerns read per quote asked for: the spare ones stand in for texts already quoted.
QUOTE_CANDIDATES_PER_QUOTE = 5


@dataclass(frozen=True)
class ThemeSummary:
    pk: int
    label: str
    size: int
    share: float  # percent of the consultation's themed concerns
    keywords: tuple[str, ...]
    label_edited: bool
    built_at: datetime


@dataclass(frozen=True)
class ThemeBreakdown:
    """A theme's concerns by topic and by community area; small groups hidden unless `exact`."""

    by_topic: list[TallyRow]
    by_area: list[TallyRow]
    exact: bool
    min_cell: int


def themes_of(consultation: Consultation) -> list[ThemeSummary]:
    """The consultation's themes, largest first, with their share of all themed concerns. One query."""
    themes = list(Theme.objects.filter(consultation=consultation).select_related("anchor").order_by("position", "pk"))
    total = sum(theme.size for theme in themes)
    return [
        ThemeSummary(
            pk=theme.pk,
            label=theme.display_label,
            size=theme.size,
            share=100 * theme.size / total if total else 0.0,
            keywords=tuple(theme.keywords),
            label_edited=theme.label_edited,
            built_at=theme.built_at,
        )
        for theme in themes
    ]


def _rows(counts: dict, labels: dict, other_label: str) -> list[TallyRow]:
    rows = [TallyRow(label=str(labels.get(key, key)), count=n, key=key or "") for key, n in counts.items() if key]
    rows.sort(key=lambda row: (-row.count, row.label))
    if counts.get(None) or counts.get(""):
        rows.append(TallyRow(label=other_label, count=counts.get(None) or counts.get(""), key=""))
    return rows


def theme_breakdown(theme: Theme, *, exact: bool = False) -> ThemeBreakdown:
    """The theme's concerns counted by topic and by community area, in three queries.

    Unless `exact` (staff choosing the internal figures), a group of fewer than RESULTS_MIN_CELL
    concerns is hidden as on the public results, with the same secondary suppression.
    """
    concerns = Concern.objects.filter(theme_membership__theme=theme).order_by()
    topic_counts = dict(concerns.values_list("topic__key").annotate(n=Count("pk")))
    area_counts = dict(concerns.values_list("community_area").annotate(n=Count("pk")))
    topic_names = dict(Topic.objects.filter(consultation_id=theme.consultation_id).values_list("key", "name"))
    by_topic = _rows(topic_counts, topic_names, _("Other"))
    by_area = _rows(area_counts, dict(COMMUNITY_AREA_CHOICES), _("Not given"))
    minimum = settings.RESULTS_MIN_CELL
    if not exact:
        by_topic, by_area = suppress_small_cells(by_topic, minimum), suppress_small_cells(by_area, minimum)
    return ThemeBreakdown(by_topic=by_topic, by_area=by_area, exact=exact, min_cell=minimum)


def theme_concerns(theme: Theme, *, limit: int = 100) -> list[Concern]:
    """The first `limit` concerns of the theme (oldest first) with their topics, in one query."""
    return list(
        Concern.objects.filter(theme_membership__theme=theme)
        .select_related("topic")
        .order_by("created_at", "pk")[:limit]
    )


def theme_export(consultation: Consultation) -> list[dict]:
    """[{"label", "size", "concern_ids"}] of the consultation's themes, largest first; ids ascending. Two queries."""
    themes = list(Theme.objects.filter(consultation=consultation).order_by("position", "pk"))
    members: dict[int, list[int]] = {theme.pk: [] for theme in themes}
    for theme_id, concern_id in (
        ThemeMembership.objects.filter(theme__consultation=consultation)
        .order_by("concern_id")
        .values_list("theme_id", "concern_id")
    ):
        members[theme_id].append(concern_id)
    return [{"label": theme.label, "size": theme.size, "concern_ids": members[theme.pk]} for theme in themes]


def published_quotes(theme_ids: list[int], *, per_theme: int = 3) -> dict[int, list[tuple[str, str]]]:
    """Up to `per_theme` published concerns of each theme: (text exactly as published, its language).

    Concerns of a readable length (40 to 400 characters) are preferred, shortest first, and a text is quoted once
    however many residents sent it (a shared message, pasted by many, is one voice in a report, not three). One
    query: a few more candidates than asked for are read, in case some are the same text.
    """
    length = Length("text")
    readable = Case(
        When(text_length__range=(QUOTE_MIN_LENGTH, QUOTE_MAX_LENGTH), then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    ranked = (
        Concern.objects.filter(theme_membership__theme_id__in=theme_ids, status=Concern.Status.APPROVED)
        .annotate(theme_id=F("theme_membership__theme_id"), text_length=length)
        .annotate(readable=readable)
        .annotate(
            rank=Window(RowNumber(), partition_by=[F("theme_id")], order_by=[F("readable"), F("text_length"), F("pk")])
        )
        .filter(rank__lte=per_theme * QUOTE_CANDIDATES_PER_QUOTE)
        .order_by("theme_id", "rank")
    )
    quotes: dict[int, list[tuple[str, str]]] = {theme_id: [] for theme_id in theme_ids}
    seen: dict[int, set[str]] = {theme_id: set() for theme_id in theme_ids}
    for theme_id, text, language in ranked.values_list("theme_id", "text", "language"):
        same_text = " ".join(text.split()).casefold()
        if len(quotes[theme_id]) < per_theme and same_text not in seen[theme_id]:
            seen[theme_id].add(same_text)
            quotes[theme_id].append((text, language))
    return quotes
