"""Verified figures beside the totals: what participants who entered a participation code sent.

"Verified" means: sent by a participant who typed a one-time participation code handed out in
person (at a meeting, clinic or church), or written on a paper form with such a code. It shows the
numbers are not one person clearing cookies, without anyone giving a name (README, "Defensible numbers").
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

from ..models import Consultation, Topic
from .tallies import (
    COUNTED_CONCERN_STATUSES,
    TallyFilters,
    TallyRow,
    counted_from,
    distinct_participants,
)

VERIFIED_MEANS = _(
    "“Verified” counts what was sent by participants who entered a one-time participation code handed out in "
    "person, at a meeting, clinic or church. Nobody gives a name for it, and nothing links a code to the person "
    "who used it; it shows these are many different people, not one person sending again and again."
)


@dataclass
class VerifiedTallies:
    endorsements: int = 0
    participants: int | None = 0  # None: a purged consultation narrowed to some of its days (purged_participants)
    concerns: int = 0  # counted concerns (pending and approved), as the public totals
    concerns_received: int = 0  # every status, as the dashboard's total
    per_remedy: dict[str, int] = field(default_factory=dict)  # by remedy key
    per_topic: dict[str, int] = field(default_factory=dict)  # by topic key ("": no topic)


def verified_tallies(consultation: Consultation, filters: TallyFilters | None = None) -> VerifiedTallies:
    """The verified figures of the totals, per remedy and per topic, in three queries (from the roll-ups)."""
    verified = replace(filters or TallyFilters(), verified_only=True)
    counted = counted_from(consultation, verified)
    per_remedy = dict(counted.endorsements.values_list("remedy__key").annotate(n=counted.endorsement_n))
    per_topic: dict[str, int] = {}
    received = 0
    topic_key = Subquery(Topic.objects.filter(pk=OuterRef("topic")).values("key")[:1])
    concerns = counted.concerns.annotate(topic_key=topic_key).values_list("topic_key", "status")
    for key, status, n in concerns.annotate(n=counted.concern_n):
        received += n
        if status in COUNTED_CONCERN_STATUSES:
            per_topic[key or ""] = per_topic.get(key or "", 0) + n
    return VerifiedTallies(
        endorsements=sum(per_remedy.values()),
        # Of a purged consultation, from its snapshot (results.tallies.purged_participants).
        participants=distinct_participants(consultation, verified),
        concerns=sum(per_topic.values()),
        concerns_received=received,
        per_remedy=per_remedy,
        per_topic=per_topic,
    )


def verified_figures(
    per_remedy: dict[int, int] | None = None,
    per_topic: dict[int, int] | None = None,
    remedy_ids=(),
    topic_ids=(),
    participants: int = 0,
) -> dict:
    """The public figures' verified part, JSON-ready: what `count_published_figures` publishes.

    `per_remedy` and `per_topic` are the verified endorsements per remedy id and counted concerns per topic id
    (0: none), summed from the roll-ups by the caller, and `participants` the verified participants; with none,
    all zeros.
    """
    if per_remedy is None or per_topic is None:
        return {"remedies": [], "topics": [], "other_topic": 0, "endorsements": 0, "participants": 0, "concerns": 0}
    shown_topics = set(topic_ids)
    return {
        "remedies": [[pk, per_remedy.get(pk, 0)] for pk in remedy_ids],
        "topics": [[pk, per_topic.get(pk, 0)] for pk in topic_ids],
        "other_topic": sum(n for pk, n in per_topic.items() if pk not in shown_topics),
        "endorsements": sum(per_remedy.get(pk, 0) for pk in remedy_ids),
        "participants": participants,
        "concerns": sum(per_topic.values()),
    }


def with_verified(rows: list[TallyRow], counts: dict[str, int]) -> list[TallyRow]:
    """Set each row's `verified` from `counts` ({remedy or topic key: n}); returns the rows."""
    for row in rows:
        row.verified = counts.get(row.key, 0)
    return rows
