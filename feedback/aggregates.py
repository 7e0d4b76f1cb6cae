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

`recounted_*` are the same cells counted from the raw rows: what `check_aggregates` compares with, and what
`replace_rollups` (bulk loads, repair) writes with INSERT … SELECT … GROUP BY.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime
from typing import NamedTuple

from django.conf import settings
from django.db import connection
from django.db.models import Count, QuerySet, Value
from django.db.models.functions import TruncDate
from django.utils import timezone

from .counters import add_to_counts
from .models import Concern, ConcernRollup, Consultation, Endorsement, EndorsementRollup, ParticipantRollup

ENDORSEMENT_KEYS = ("remedy", "community_area", "role", "verified", "day")
CONCERN_KEYS = ("consultation", "topic", "community_area", "role", "source", "status", "verified", "day")
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


def participant_cells(rows: Iterable[EndorsementRow]) -> set[tuple]:
    """The groups (grouping, area, role, verified) one participant's endorsements put them in."""
    cells = set()
    for row in rows:
        values = {"area": row.community_area, "role": row.role, "verified": row.verified}
        for dimensions in GROUPINGS:
            cells.add(
                (
                    grouping_name(dimensions),
                    values["area"] if "area" in dimensions else "",
                    values["role"] if "role" in dimensions else "",
                    values["verified"] if "verified" in dimensions else False,
                )
            )
    return cells


def record_endorsement_changes(
    *, consultation_id: int, before: list[EndorsementRow], after: list[EndorsementRow]
) -> None:
    """Add to the roll-ups what changed between one participant's endorsements `before` and `after` in a consultation.

    `before` comes from `lock_participant_endorsements` in the same transaction. At most two statements.
    """
    delta = Counter(map(endorsement_cell, after))
    delta.subtract(Counter(map(endorsement_cell, before)))
    add_to_counts(
        EndorsementRollup,
        [dict(zip(ENDORSEMENT_KEYS, cell, strict=True), endorsements=n) for cell, n in sorted(delta.items()) if n],
        keys=ENDORSEMENT_KEYS,
        counts=("endorsements",),
    )
    was, now = participant_cells(before), participant_cells(after)
    changes = sorted([(cell, 1) for cell in now - was] + [(cell, -1) for cell in was - now])
    add_to_counts(
        ParticipantRollup,
        [dict(zip(PARTICIPANT_KEYS, (consultation_id, *cell), strict=True), participants=n) for cell, n in changes],
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
    """Add to the concern roll-ups what changed between these concerns `before` and `after` a write. One statement."""
    delta = Counter(map(concern_cell, after))
    delta.subtract(Counter(map(concern_cell, before)))
    add_to_counts(
        ConcernRollup,
        [dict(zip(CONCERN_KEYS, cell, strict=True), concerns=n) for cell, n in sorted(delta.items()) if n],
        keys=CONCERN_KEYS,
        counts=("concerns",),
    )


# --- The same cells, counted from the raw rows ---------------------------------------------------------


def recounted_endorsements(consultation: Consultation) -> QuerySet:
    """(remedy id, area, role, verified, day, n) of the consultation's endorsements, one row per non-empty cell."""
    return (
        Endorsement.objects.filter(remedy__consultation=consultation)
        .annotate(day=TruncDate("created_at"))
        .order_by()
        .values_list("remedy_id", "community_area", "role", "verified", "day")
        .annotate(n=Count("pk"))
    )


def recounted_concerns(consultation: Consultation) -> QuerySet:
    """(topic id, area, role, source, status, verified, day, n) of the consultation's concerns, per cell."""
    return (
        Concern.objects.filter(consultation=consultation)
        .annotate(day=TruncDate("created_at"))
        .order_by()
        .values_list("topic_id", "community_area", "role", "source", "status", "verified", "day")
        .annotate(n=Count("pk"))
    )


def recounted_participants(consultation: Consultation, dimensions: tuple[str, ...]) -> QuerySet:
    """(the grouping's fields…, n distinct participants) of the consultation's endorsements, for one grouping."""
    fields = [GROUPING_FIELDS[name] for name in dimensions]
    endorsements = Endorsement.objects.filter(remedy__consultation=consultation).order_by()
    if not fields:
        # Grouped by a constant: one row, every participant of the consultation.
        return (
            endorsements.annotate(everyone=Value(1))
            .values_list("everyone")
            .annotate(n=Count("participant", distinct=True))
        )
    return endorsements.values_list(*fields).annotate(n=Count("participant", distinct=True))


def participant_cell(dimensions: tuple[str, ...], values: tuple) -> tuple:
    """The (grouping, area, role, verified) key of a `recounted_participants` row's values."""
    given = dict(zip(dimensions, values, strict=False))
    return (grouping_name(dimensions), given.get("area", ""), given.get("role", ""), bool(given.get("verified", False)))


def recount_cells(consultation: Consultation) -> dict[str, dict[tuple, int]]:
    """Every roll-up cell of the consultation as the raw rows count it now: {table: {cell key: n}}.

    Ten queries. The participants of a purged consultation are not recounted: its purge gave each endorsement a
    fresh participant id, its people are in its PurgeSnapshot, and it keeps no participant roll-up.
    """
    endorsements = {
        (remedy_id, area, role, verified, _as_date(day)): n
        for remedy_id, area, role, verified, day, n in recounted_endorsements(consultation)
    }
    concerns = {
        (consultation.pk, topic_id or 0, area, role, source, status, verified, _as_date(day)): n
        for topic_id, area, role, source, status, verified, day, n in recounted_concerns(consultation)
    }
    participants: dict[tuple, int] = {}
    if consultation.purged_on is None:
        for dimensions in GROUPINGS:
            for *values, n in recounted_participants(consultation, dimensions):
                participants[(consultation.pk, *participant_cell(dimensions, tuple(values[: len(dimensions)])))] = n
    return {"endorsements": endorsements, "concerns": concerns, "participants": participants}


def stored_cells(consultation: Consultation) -> dict[str, dict[tuple, int]]:
    """Every non-zero roll-up cell of the consultation as stored: the same shape as `recount_cells`. Three queries."""
    return {
        "endorsements": {
            tuple(row[:-1]): row[-1]
            for row in EndorsementRollup.objects.filter(remedy__consultation=consultation)
            .exclude(endorsements=0)
            .values_list(*ENDORSEMENT_KEYS, "endorsements")
        },
        "concerns": {
            tuple(row[:-1]): row[-1]
            for row in ConcernRollup.objects.filter(consultation=consultation)
            .exclude(concerns=0)
            .values_list(*CONCERN_KEYS, "concerns")
        },
        "participants": {
            tuple(row[:-1]): row[-1]
            for row in ParticipantRollup.objects.filter(consultation=consultation)
            .exclude(participants=0)
            .values_list(*PARTICIPANT_KEYS, "participants")
        },
    }


def _as_date(day) -> date:
    # SQLite hands TruncDate back as a string when it is grouped on.
    return day if isinstance(day, date) else date.fromisoformat(str(day))


ROLLUP_MODELS = {"endorsements": EndorsementRollup, "concerns": ConcernRollup, "participants": ParticipantRollup}
ROLLUP_KEYS = {"endorsements": ENDORSEMENT_KEYS, "concerns": CONCERN_KEYS, "participants": PARTICIPANT_KEYS}
ROLLUP_COUNTS = {"endorsements": "endorsements", "concerns": "concerns", "participants": "participants"}


def lock_rollups() -> None:
    """Hold every roll-up still until the transaction ends: writers wait, readers do not (PostgreSQL).

    EXCLUSIVE mode waits for every writer that already added to a roll-up to commit, and makes new ones wait,
    so a recount taken after it sees exactly the rows the roll-ups have counted. SQLite has one writer anyway.
    """
    if connection.vendor != "postgresql":
        return
    tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in ROLLUP_MODELS.values())
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {tables} IN EXCLUSIVE MODE")  # noqa: S608  # nosec B608  # names from the models


def replace_rollups(*, consultation: Consultation) -> None:
    """Replace the consultation's roll-ups by a recount of its raw rows, in the caller's transaction.

    For rows written in bulk (generate_demo_data's COPY) and for repairs: the roll-ups are locked (lock_rollups),
    the old rows deleted and the new ones written by INSERT … SELECT … GROUP BY, so no row travels through
    Python: one statement for endorsements, one for concerns, one per grouping for participants (none for a
    purged consultation).
    """
    lock_rollups()
    EndorsementRollup.objects.filter(remedy__consultation=consultation).delete()
    ConcernRollup.objects.filter(consultation=consultation).delete()
    ParticipantRollup.objects.filter(consultation=consultation).delete()
    pk = int(consultation.pk)
    _insert_from(
        EndorsementRollup,
        (*ENDORSEMENT_KEYS, "endorsements"),
        recounted_endorsements(consultation),
        lambda c: [c["remedy_id"], c["community_area"], c["role"], c["verified"], c["day"], c["n"]],
    )
    _insert_from(
        ConcernRollup,
        (*CONCERN_KEYS, "concerns"),
        recounted_concerns(consultation),
        lambda c: (
            [str(pk), f"COALESCE({c['topic_id']}, 0)"]
            + [c[name] for name in ("community_area", "role", "source", "status", "verified", "day", "n")]
        ),
    )
    if consultation.purged_on is not None:
        return
    for dimensions in GROUPINGS:
        given = set(dimensions)
        _insert_from(
            ParticipantRollup,
            (*PARTICIPANT_KEYS, "participants"),
            recounted_participants(consultation, dimensions),
            lambda c, given=given, dimensions=dimensions: [
                str(pk),
                f"'{grouping_name(dimensions)}'",
                c["community_area"] if "area" in given else "''",
                c["role"] if "role" in given else "''",
                c["verified"] if "verified" in given else "FALSE",
                c["n"],
            ],
        )


def _insert_from(model, fields: tuple[str, ...], queryset: QuerySet, select) -> None:
    """INSERT INTO the model's table (fields) SELECT `select(columns)` FROM the queryset: one statement.

    The queryset's columns are named c0, c1, … by position in a CTE; `select` gets {queryset name: "t.cN"} and
    returns the SQL of each inserted value (those names, or literals made here from integers and fixed names).
    """
    meta, quote = model._meta, connection.ops.quote_name
    inner, params = queryset.query.sql_with_params()
    names = list(queryset.query.values_select) + list(queryset.query.annotation_select)
    columns = {name: f"t.c{i}" for i, name in enumerate(names)}
    target = ", ".join(quote(meta.get_field(name).column) for name in fields)
    renamed = ", ".join(f"c{i}" for i in range(len(names)))
    values = ", ".join(select(columns))
    sql = f"WITH t ({renamed}) AS ({inner}) INSERT INTO {quote(meta.db_table)} ({target}) SELECT {values} FROM t"  # noqa: S608  # nosec B608  # names from the models and this module, values bound
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
