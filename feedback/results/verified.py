"""Verified figures beside the totals: what participants who entered a participation code sent.

"Verified" means: sent by a participant who typed a one-time participation code handed out in
person (at a meeting, clinic or church), or written on a paper form with such a code. It shows the
numbers are not one person clearing cookies, without anyone giving a name (README, "Defensible numbers").
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from ..models import Consultation
from .tallies import (
    COUNTED_CONCERN_STATUSES,
    TallyFilters,
    TallyRow,
    filtered_concerns,
    filtered_endorsements,
    purged_participants,
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
    """The verified figures of the totals, per remedy and per topic, in three queries (four once purged)."""
    filters = filters or TallyFilters()
    endorsements = filtered_endorsements(consultation, filters).filter(verified=True)
    concerns = filtered_concerns(consultation, filters).filter(verified=True)
    per_remedy = dict(endorsements.order_by().values_list("remedy__key").annotate(n=Count("pk")))
    per_topic: dict[str, int] = {}
    received = 0
    for key, status, n in concerns.order_by().values_list("topic__key", "status").annotate(n=Count("pk")):
        received += n
        if status in COUNTED_CONCERN_STATUSES:
            per_topic[key or ""] = per_topic.get(key or "", 0) + n
    totals = endorsements.aggregate(n=Count("pk"), participants=Count("participant", distinct=True))
    if consultation.purged_on is not None:  # its rows no longer say who endorsed together: the snapshot does
        totals["participants"] = purged_participants(consultation, replace(filters, verified_only=True))
    return VerifiedTallies(
        endorsements=totals["n"],
        participants=totals["participants"],
        concerns=sum(per_topic.values()),
        concerns_received=received,
        per_remedy=per_remedy,
        per_topic=per_topic,
    )


def verified_figures(endorsements=None, concerns=None, remedy_ids=(), topic_ids=()) -> dict:
    """The public figures' verified part, JSON-ready: what `count_published_figures` publishes. Three queries.

    `endorsements` and `concerns` are the querysets the public figures count; with none, all zeros.
    """
    if endorsements is None or concerns is None:
        return {"remedies": [], "topics": [], "other_topic": 0, "endorsements": 0, "participants": 0, "concerns": 0}
    endorsements = endorsements.filter(verified=True)
    per_remedy = dict(endorsements.values_list("remedy").annotate(n=Count("pk")))
    per_topic = dict(concerns.filter(verified=True).values_list("topic").annotate(n=Count("pk")))
    shown_topics = set(topic_ids)
    return {
        "remedies": [[pk, per_remedy.get(pk, 0)] for pk in remedy_ids],
        "topics": [[pk, per_topic.get(pk, 0)] for pk in topic_ids],
        "other_topic": sum(n for pk, n in per_topic.items() if pk not in shown_topics),
        "endorsements": sum(per_remedy.values()),
        "participants": endorsements.aggregate(n=Count("participant", distinct=True))["n"],
        "concerns": sum(per_topic.values()),
    }


def with_verified(rows: list[TallyRow], counts: dict[str, int]) -> list[TallyRow]:
    """Set each row's `verified` from `counts` ({remedy or topic key: n}); returns the rows."""
    for row in rows:
        row.verified = counts.get(row.key, 0)
    return rows
