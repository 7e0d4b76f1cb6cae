"""Writes: building a consultation's themes from its concerns, and staff renaming a theme.

The engine (engine.py) knows nothing of the database; this module feeds it the consultation's published
and pending concerns, with the consultation's topics as anchors, and stores what it found.
"""

from __future__ import annotations

import importlib
import time
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import queue
from ..duplicates.services import record_missing_near_duplicates
from ..models import Concern, Consultation, Theme, ThemeMembership, Topic
from .labels import PreviousTheme, carried_labels

if TYPE_CHECKING:
    from .engine import Anchor

# The concerns themes are built from: what advocates and organizers read (rejected and spam ones never).
THEMED_STATUSES = (Concern.Status.PENDING, Concern.Status.APPROVED)
DEFAULT_MAX_THEMES = 10
MEMBERSHIP_BATCH = 5_000
LABEL_MAX_LENGTH = 120


@dataclass(frozen=True)
class ThemeBuild:
    consultation: Consultation
    themes: int
    concerns: int
    labels_kept: int
    near_duplicates_computed: int
    seconds: float


def _engine():
    """The themes engine (engine.py), imported when a build first needs it.

    It loads scikit-learn and SciPy, about 5 seconds on a loaded 2-core machine; imported with this module it
    slowed the start of every process that loads the admin (each web worker, every management command such as
    consultation_report), while only theme builds use it.
    """
    return importlib.import_module("feedback.themes.engine")


def topic_anchor(topic: Topic) -> Anchor:
    """A topic as an anchor: its name and description in every site language (English and Spanish at least)."""
    parts = []
    for code, _name in settings.LANGUAGES:
        parts += [getattr(topic, f"name_{code}", "") or "", getattr(topic, f"description_{code}", "") or ""]
    text = "; ".join(part for part in parts if part)
    return _engine().Anchor(key=topic.key, label=topic.name_en or topic.name, text=text or topic.name)


def rebuild_themes(*, consultation: Consultation, max_themes: int = DEFAULT_MAX_THEMES) -> ThemeBuild:
    """Replace the themes of `consultation` with new ones built from its pending and published concerns.

    Guarantees: every such concern is in exactly one theme (none when there are no concerns); a label
    staff edited is kept on the new theme that clearly continues the old one (labels.py); concerns
    loaded without near-duplicate keys get them first. The replacement is atomic: readers see the old
    themes or the new ones, never a mix, and two builds of one consultation write one after the other
    (the consultation row is locked). Nothing leaves the server: the engine runs in this process.
    """
    started = time.monotonic()
    duplicates = record_missing_near_duplicates(consultation=consultation)
    rows = list(
        Concern.objects.filter(consultation=consultation, status__in=THEMED_STATUSES)
        .order_by("pk")
        .values_list("pk", "text", "language")
    )
    topics = list(Topic.objects.filter(consultation=consultation).order_by("order", "pk"))
    anchors = [topic_anchor(topic) for topic in topics]
    with warnings.catch_warnings():
        # On a handful of concerns scikit-learn's SVD divides by a zero variance while reporting how much it
        # explains; the themes are still right, and a warning in a worker's log would only alarm.
        warnings.filterwarnings("ignore", category=RuntimeWarning, module="sklearn")
        engine = _engine()
        found = engine.build_themes(
            [engine.ConcernText(pk, text, language) for pk, text, language in rows],
            anchors=anchors,
            max_themes=max(max_themes, len(anchors)),
        )
    # The engine names a theme seeded by an anchor after it: that is how a theme finds its topic again.
    topic_by_label = {anchor.label: topic.pk for anchor, topic in zip(anchors, topics, strict=True)}
    built_at = timezone.now()
    with transaction.atomic():
        Consultation.objects.select_for_update().filter(pk=consultation.pk).first()
        previous = _previous_themes(consultation)
        kept = carried_labels(previous, [theme.concern_ids for theme in found])
        # A concern withdrawn by its author while the engine ran is left out.
        still_there = set(Concern.objects.filter(consultation=consultation).values_list("pk", flat=True))
        ThemeMembership.objects.filter(theme__consultation=consultation).delete()
        Theme.objects.filter(consultation=consultation).delete()
        kept_themes = []
        for index, theme in enumerate(found):
            ids = [pk for pk in theme.concern_ids if pk in still_there]
            if ids:
                label = kept.get(index, theme.label)[:LABEL_MAX_LENGTH]
                kept_themes.append((theme, label, index in kept, ids))
        created = Theme.objects.bulk_create(
            Theme(
                consultation=consultation,
                label=label,
                label_edited=edited,
                anchor_id=topic_by_label.get(theme.label),
                keywords=list(theme.keywords),
                size=len(ids),
                position=position,
                built_at=built_at,
            )
            for position, (theme, label, edited, ids) in enumerate(kept_themes)
        )
        members = [
            ThemeMembership(theme_id=stored.pk, concern_id=pk)
            for stored, (_theme, _label, _edited, ids) in zip(created, kept_themes, strict=True)
            for pk in ids
        ]
        ThemeMembership.objects.bulk_create(members, batch_size=MEMBERSHIP_BATCH)
    return ThemeBuild(
        consultation=consultation,
        themes=len(created),
        concerns=len(members),
        labels_kept=sum(edited for _theme, _label, edited, _ids in kept_themes),
        near_duplicates_computed=duplicates,
        seconds=time.monotonic() - started,
    )


def _previous_themes(consultation: Consultation) -> list[PreviousTheme]:
    themes = {
        pk: (label, edited)
        for pk, label, edited in Theme.objects.filter(consultation=consultation).values_list(
            "pk", "label", "label_edited"
        )
    }
    members: dict[int, set[int]] = {pk: set() for pk in themes}
    for theme_id, concern_id in ThemeMembership.objects.filter(theme__consultation=consultation).values_list(
        "theme_id", "concern_id"
    ):
        members[theme_id].add(concern_id)
    return [PreviousTheme(label, frozenset(members[pk]), edited) for pk, (label, edited) in sorted(themes.items())]


def rename_theme(*, theme_id: int, label: str) -> Theme:
    """Give a theme the label staff chose; it is then kept across rebuilds while the theme persists.

    The label is trimmed and must be 1 to 120 characters (ValidationError otherwise, nothing saved).
    Raises Theme.DoesNotExist when a rebuild replaced the theme meanwhile. Atomic.
    """
    label = " ".join(label.split())
    if not 1 <= len(label) <= LABEL_MAX_LENGTH:
        raise ValidationError({"label": _("A theme's label is 1 to 120 characters long.")})
    with transaction.atomic():
        theme = Theme.objects.select_for_update().get(pk=theme_id)
        theme.label, theme.label_edited = label, True
        theme.save(update_fields=["label", "label_edited"])
    return theme


def rebuild_themes_of(*, consultation_id: int) -> int:
    """`rebuild_themes` for the consultation with this id (a task's argument); how many themes it now has.

    0, and nothing written, when the consultation no longer exists.
    """
    consultation = Consultation.objects.filter(pk=consultation_id).first()
    return rebuild_themes(consultation=consultation).themes if consultation else 0


def request_theme_rebuild(*, consultation: Consultation) -> None:
    """Ask a worker to rebuild the consultation's themes once the current transaction commits.

    If the broker cannot be reached the request is dropped (logged): the periodic rebuild catches up.
    """
    queue.enqueue_after_commit(queue.BUILD_THEMES, consultation.pk)


def rebuild_due_themes(*, min_new_concerns: int) -> list[str]:
    """Rebuild the themes of every open consultation that received `min_new_concerns` or more since its last build.

    Returns the slugs rebuilt. One count per open consultation, then one build for each that is due.
    """
    rebuilt = []
    for consultation in Consultation.objects.filter(status=Consultation.Status.OPEN).order_by("pk"):
        last = Theme.objects.filter(consultation=consultation).aggregate(last=Max("built_at"))["last"]
        received = Concern.objects.filter(consultation=consultation)
        if last is not None:
            received = received.filter(created_at__gt=last)
        if received.count() >= max(1, min_new_concerns):
            rebuild_themes(consultation=consultation)
            rebuilt.append(consultation.slug)
    return rebuilt
