"""Keeping the roll-ups (models/rollups.py) in step with the rows they count, in the writer's own transaction.

Every service that creates, deletes or changes an endorsement or a concern reads the rows it is about to change
("before"), makes the change, and hands both states here: the difference is added to the roll-ups with
`counters.add_to_counts` (INSERT … ON CONFLICT DO UPDATE), so two writers adding to one cell both count and no
unique violation is ever logged. The cells are written in one fixed order (endorsements, then participants, each
sorted), so two writers touching the same cells wait for each other instead of deadlocking.

A participant's distinct counts change on the 0→1 and 1→0 transitions of their endorsements in a group, which
depend on their other endorsements: `lock_participant_endorsements` serialises the writers of one participant
in one consultation (a transaction-scoped advisory lock on PostgreSQL; SQLite has one writer at a time anyway)
before reading them, so two tabs endorsing at once cannot both count the same person as new.

The same cells counted from the raw rows, for `check_aggregates` and bulk loads, are in results/recount.py.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple

from django.conf import settings
from django.db import connection
from django.utils import timezone

from .counters import add_to_counts
from .models import (
    Concern,
    ConcernRollup,
    ConcernTotal,
    Endorsement,
    EndorsementRollup,
    EndorsementTotal,
    ParticipantRollup,
)

ENDORSEMENT_KEYS = ("remedy", "community_area", "role", "verified", "day")
CONCERN_KEYS = ("consultation", "topic", "community_area", "role", "source", "status", "verified", "day")
# The same without the day: EndorsementTotal, ConcernTotal.
ENDORSEMENT_TOTAL_KEYS = ENDORSEMENT_KEYS[:-1]
CONCERN_TOTAL_KEYS = CONCERN_KEYS[:-1]
PARTICIPANT_KEYS = ("consultation", "grouping", "community_area", "role", "verified")

# Every combination of the dimensions a participant count can be asked by (the dashboard's filters combine them).
GROUPINGS: tuple[tuple[str, ...], ...] = (
    (),
    ("area",),
    ("role",),
    ("verified",),
    ("area", "role"),
    ("area", "verified"),
    ("role", "verified"),
    ("area", "role", "verified"),
)
GROUPING_FIELDS = {"area": "community_area", "role": "role", "verified": "verified"}


def grouping_name(dimensions: Iterable[str]) -> str:
    """The `grouping` of ParticipantRollup rows kept by these dimensions ("" overall, "area+role", …)."""
    return "+".join(dimensions)


class EndorsementRow(NamedTuple):
    """What an endorsement counts by; the participant's own rows in one consultation, as services read them."""

    remedy_id: int
    community_area: str
    role: str
    verified: bool
    created_at: datetime


class ConcernRow(NamedTuple):
    """What a concern counts by (a Concern has these attributes too)."""

    consultation_id: int
    topic_id: int | None
    community_area: str
    role: str
    source: str
    status: str
    verified: bool
    created_at: datetime

    @classmethod
    def of(cls, concern: Concern) -> ConcernRow:
        return cls(*(getattr(concern, name) for name in cls._fields))


ENDORSEMENT_ROW_FIELDS = ("remedy_id", "community_area", "role", "verified", "created_at")
CONCERN_ROW_FIELDS = ConcernRow._fields


def _participant_lock_key(consultation_id: int, participant: uuid.UUID) -> int:
    # Keyed, so the lock visible in pg_locks while it is held cannot be matched to a participant id.
    digest = hmac.new(settings.SECRET_KEY.encode(), f"{consultation_id}:{participant}".encode(), hashlib.sha256)
    return int.from_bytes(digest.digest()[:8], "big", signed=True)


def lock_participant_endorsements(consultation_id: int, participant: uuid.UUID) -> list[EndorsementRow]:
    """Wait for any other writer of this participant's endorsements in the consultation, then read them.

    Call inside the transaction that changes them: the lock is held until it ends.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_participant_lock_key(consultation_id, participant)])
    rows = Endorsement.objects.filter(remedy__consultation_id=consultation_id, participant=participant)
    return [EndorsementRow(*row) for row in rows.values_list(*ENDORSEMENT_ROW_FIELDS)]


def endorsement_cell(row: EndorsementRow) -> tuple:
    return (row.remedy_id, row.community_area, row.role, row.verified, timezone.localdate(row.created_at))


def participant_groups(community_area: str, role: str, verified: bool) -> list[tuple]:
    """The groups (grouping, area, role, verified) an endorsement with this area, role and "verified" is counted in."""
    values = {"area": community_area, "role": role, "verified": verified}
    return [
        (
            grouping_name(dimensions),
            values["area"] if "area" in dimensions else "",
            values["role"] if "role" in dimensions else "",
            values["verified"] if "verified" in dimensions else False,
        )
        for dimensions in GROUPINGS
    ]


def participant_cells(rows: Iterable[EndorsementRow]) -> set[tuple]:
    """The groups (grouping, area, role, verified) one participant's endorsements put them in."""
    return {group for row in rows for group in participant_groups(row.community_area, row.role, row.verified)}


def record_endorsement_changes(
    *, consultation_id: int, before: list[EndorsementRow], after: list[EndorsementRow]
) -> None:
    """Add to the roll-ups what changed between one participant's endorsements `before` and `after` in a consultation.

    `before` comes from `lock_participant_endorsements` in the same transaction. At most three statements.
    """
    delta = Counter(map(endorsement_cell, after))
    delta.subtract(Counter(map(endorsement_cell, before)))
    was, now = participant_cells(before), participant_cells(after)
    participants = Counter(dict.fromkeys(now - was, 1))
    participants.update(dict.fromkeys(was - now, -1))
    add_endorsement_counts(consultation_id=consultation_id, cells=delta, participants=participants)


def add_endorsement_counts(*, consultation_id: int, cells: Counter, participants: Counter) -> None:
    """Add endorsements per cell (`endorsement_cell` tuples) and participants per group (`participant_groups`
    tuples) to the roll-ups, zeros left out, in the fixed order that keeps writers from deadlocking. Three
    statements at most: one participant's change, or a bulk load of many new participants."""
    add_to_counts(
        EndorsementRollup,
        [dict(zip(ENDORSEMENT_KEYS, cell, strict=True), endorsements=n) for cell, n in sorted(cells.items()) if n],
        keys=ENDORSEMENT_KEYS,
        counts=("endorsements",),
    )
    add_to_counts(
        EndorsementTotal,
        [dict(zip(ENDORSEMENT_TOTAL_KEYS, cell, strict=True), endorsements=n) for cell, n in _without_day(cells)],
        keys=ENDORSEMENT_TOTAL_KEYS,
        counts=("endorsements",),
    )
    add_to_counts(
        ParticipantRollup,
        [
            dict(zip(PARTICIPANT_KEYS, (consultation_id, *group), strict=True), participants=n)
            for group, n in sorted(participants.items())
            if n
        ],
        keys=PARTICIPANT_KEYS,
        counts=("participants",),
    )


def concern_cell(row: ConcernRow) -> tuple:
    return (
        row.consultation_id,
        row.topic_id or 0,
        row.community_area,
        row.role,
        row.source,
        row.status,
        row.verified,
        timezone.localdate(row.created_at),
    )


def record_concern_changes(*, before: Iterable[ConcernRow], after: Iterable[ConcernRow]) -> None:
    """Add to the concern roll-ups what changed between these concerns `before` and `after` a write. Two statements."""
    delta = Counter(map(concern_cell, after))
    delta.subtract(Counter(map(concern_cell, before)))
    add_concern_counts(delta)


def add_concern_counts(cells: Counter) -> None:
    """Add concerns per cell (`concern_cell` tuples) to the concern roll-ups, zeros left out. Two statements."""
    add_to_counts(
        ConcernRollup,
        [dict(zip(CONCERN_KEYS, cell, strict=True), concerns=n) for cell, n in sorted(cells.items()) if n],
        keys=CONCERN_KEYS,
        counts=("concerns",),
    )
    add_to_counts(
        ConcernTotal,
        [dict(zip(CONCERN_TOTAL_KEYS, cell, strict=True), concerns=n) for cell, n in _without_day(cells)],
        keys=CONCERN_TOTAL_KEYS,
        counts=("concerns",),
    )


def _without_day(delta: Counter) -> list[tuple[tuple, int]]:
    """The changes of day cells (the day last) added up per cell without the day, sorted, zeros left out."""
    totals: Counter = Counter()
    for cell, n in delta.items():
        totals[cell[:-1]] += n
    return [(cell, n) for cell, n in sorted(totals.items()) if n]
