"""Record exports: approved concerns and endorsements, one row each, with nothing that tells one person's apart.

No contact email, participant id, hash or receipt; times cut to the day; rows ordered by their own values.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils.translation import gettext as _

from ..community_areas import COMMUNITY_AREA_CHOICES
from ..models import Concern, Consultation, Remedy, Role, Topic
from ..results.tallies import TallyFilters, endorsement_count, filtered_concerns, filtered_endorsements
from .formats import ExportError, ProgressCallback
from .neutralise import neutralise

RECORD_COLUMNS = {
    "concerns": ("day", "topic", "role", "community_area", "text"),
    "endorsements": ("day", "remedy", "role", "community_area"),
}


def record_labels(consultation: Consultation, what: str) -> tuple[dict, dict, dict]:
    """Neutralised labels by id or code: (topics or remedies, roles, community areas)."""
    if what == "concerns":
        items = {topic.pk: topic.name for topic in Topic.objects.filter(consultation=consultation)}
        items[None] = _("Other")
    else:
        items = {remedy.pk: remedy.title for remedy in Remedy.objects.filter(consultation=consultation)}
    not_given = _("Not given")
    roles = {code: str(label) for code, label in Role.choices} | {"": not_given}
    areas = {code: str(label) for code, label in COMMUNITY_AREA_CHOICES} | {"": not_given}
    return tuple({key: neutralise(str(label)) for key, label in labels.items()} for labels in (items, roles, areas))


def record_queryset(consultation: Consultation, what: str, filters: TallyFilters | None = None):
    if what == "concerns":
        return concern_records(consultation, filters)
    if what == "endorsements":
        return endorsement_records(consultation, filters)
    raise ExportError(_("Unknown records: %(what)s.") % {"what": what})


def iter_records(consultation: Consultation, what: str, filters: TallyFilters | None = None) -> Iterable[tuple]:
    """Rows of RECORD_COLUMNS[what], labels resolved and every text neutralised, from a server-side cursor."""
    items, roles, areas = record_labels(consultation, what)
    rows = record_queryset(consultation, what, filters).iterator(chunk_size=5000)
    if what == "concerns":
        for day, topic_id, role, area, text in rows:
            yield (
                day.isoformat(),
                items.get(topic_id, ""),
                roles.get(role, role),
                areas.get(area, area),
                neutralise(text),
            )
        return
    for day, remedy_id, role, area, how_many in rows:  # groups of identical records
        row = (day.isoformat(), items.get(remedy_id, ""), roles.get(role, role), areas.get(area, area))
        for _copy in range(how_many):
            yield row


def count_records(consultation: Consultation, what: str, filters: TallyFilters | None = None) -> int:
    if what == "endorsements":
        return endorsement_count(consultation, filters)
    return record_queryset(consultation, what, filters).order_by().count()


class Progress:
    """Calls `on_progress(done, total)` at most every `interval` seconds."""

    def __init__(self, on_progress: ProgressCallback | None, total: int, interval: float = 1.0):
        self.on_progress, self.total, self.interval = on_progress, total, interval
        self.done = 0
        self.last = time.monotonic()

    def advance(self, rows: int) -> None:
        self.done += rows
        if self.on_progress is not None and time.monotonic() - self.last >= self.interval:
            self.last = time.monotonic()
            self.on_progress(min(self.done, self.total), self.total)

    def finish(self) -> None:
        if self.on_progress is not None:
            self.on_progress(self.total, self.total)


def endorsement_records(consultation: Consultation, filters: TallyFilters | None = None):
    """(day, remedy id, role, community area, how many) groups of identical endorsement records.

    An endorsement record carries nothing that tells one person's apart, so identical records are
    interchangeable: the export writes each group's row `how many` times. Grouped by the database
    and ordered by every column, so the order of the rows gives away neither the time of day nor
    which endorsements one participant made together, and a million rows need no million-row sort.
    """
    return (
        filtered_endorsements(consultation, filters or TallyFilters())
        .annotate(day=TruncDate("created_at"))
        .values("day", "remedy_id", "role", "community_area")
        .annotate(n=Count("pk"))
        .order_by("day", "remedy_id", "community_area", "role")
        .values_list("day", "remedy_id", "role", "community_area", "n")
    )


def concern_records(consultation: Consultation, filters: TallyFilters | None = None):
    """(day, topic id, role, community area, text) of each approved concern, without contact or receipt.

    Ordered by day, topic and text, so the order of the rows does not give away the time of day.
    """
    return (
        filtered_concerns(consultation, filters or TallyFilters())
        .filter(status=Concern.Status.APPROVED)
        .annotate(day=TruncDate("created_at"))
        .order_by("day", "topic_id", "text")
        .values_list("day", "topic_id", "role", "community_area", "text")
    )
