"""The roll-ups' cells counted from the raw rows, and written from that count (bulk loads, the first migration).

`recount_cells` is what `check_aggregates` compares the stored cells (`stored_cells`) with; `replace_rollups`
writes the same recount with INSERT … SELECT … GROUP BY (generate_demo_data after its COPY; the migration that
made the roll-ups). Both are exact: they count what the services would have counted row by row.
"""

from __future__ import annotations

from datetime import date

from django.db import connection, transaction
from django.db.models import Count, QuerySet, Sum, Value
from django.db.models.functions import TruncDate

from ..aggregates import (
    CONCERN_KEYS,
    CONCERN_TOTAL_KEYS,
    ENDORSEMENT_KEYS,
    ENDORSEMENT_TOTAL_KEYS,
    GROUPING_FIELDS,
    GROUPINGS,
    PARTICIPANT_KEYS,
    grouping_name,
)
from ..models import (
    Concern,
    ConcernRollup,
    ConcernTotal,
    Consultation,
    Endorsement,
    EndorsementRollup,
    EndorsementTotal,
    ParticipantRollup,
    Remedy,
)


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


def participant_cube_sql(consultation: Consultation) -> tuple[str, list]:
    """PostgreSQL: (grouping, area, role, verified, n) of every grouping at once, one scan (GROUP BY CUBE).

    Each participant's distinct (area, role, verified) are taken first, so the distinct counts of the eight
    groupings sort that much less; about twice as fast as the eight queries of `recounted_participants`.
    """
    quote = connection.ops.quote_name
    endorsement, remedy = quote(Endorsement._meta.db_table), quote(Remedy._meta.db_table)
    present = " ".join(
        f"CASE WHEN GROUPING({column}) = 0 THEN '{name}' END," for name, column in GROUPING_FIELDS.items()
    ).rstrip(",")
    sql = f"""
        SELECT concat_ws('+', {present}),
               CASE WHEN GROUPING(community_area) = 0 THEN community_area ELSE '' END,
               CASE WHEN GROUPING(role) = 0 THEN role ELSE '' END,
               CASE WHEN GROUPING(verified) = 0 THEN verified ELSE FALSE END,
               COUNT(DISTINCT participant)
        FROM (
            SELECT DISTINCT e.participant, e.community_area, e.role, e.verified
            FROM {endorsement} AS e JOIN {remedy} AS r ON r.id = e.remedy_id
            WHERE r.consultation_id = %s
        ) AS people
        GROUP BY CUBE (community_area, role, verified)
    """  # noqa: S608  # nosec B608  # names from the models and this module, the one value bound
    return sql, [consultation.pk]


def recount_cells(consultation: Consultation) -> dict[str, dict[tuple, int]]:
    """Every roll-up cell of the consultation as the raw rows count it now: {table: {cell key: n}}.

    Three queries on PostgreSQL, ten elsewhere. The participants of a purged consultation are not recounted: its
    purge gave each endorsement a fresh participant id, its people are in its PurgeSnapshot, and it keeps no
    participant roll-up.
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
    if consultation.purged_on is None and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(*participant_cube_sql(consultation))
            for grouping, area, role, verified, n in cursor.fetchall():
                participants[(consultation.pk, grouping, area, role, verified)] = n
    elif consultation.purged_on is None:
        for dimensions in GROUPINGS:
            for *values, n in recounted_participants(consultation, dimensions):
                participants[(consultation.pk, *participant_cell(dimensions, tuple(values[: len(dimensions)])))] = n
    return {
        "endorsements": endorsements,
        "endorsement_totals": _without_days(endorsements),
        "concerns": concerns,
        "concern_totals": _without_days(concerns),
        "participants": participants,
    }


def _without_days(cells: dict[tuple, int]) -> dict[tuple, int]:
    """Cells keyed with their day last, added up without it: what the *_totals roll-ups should hold."""
    totals: dict[tuple, int] = {}
    for cell, n in cells.items():
        totals[cell[:-1]] = totals.get(cell[:-1], 0) + n
    return totals


def stored_cells(consultation: Consultation) -> dict[str, dict[tuple, int]]:
    """Every non-zero roll-up cell of the consultation as stored: the same shape as `recount_cells`. Five queries."""
    return {
        "endorsement_totals": {
            tuple(row[:-1]): row[-1]
            for row in EndorsementTotal.objects.filter(remedy__consultation=consultation)
            .exclude(endorsements=0)
            .values_list(*ENDORSEMENT_TOTAL_KEYS, "endorsements")
        },
        "concern_totals": {
            tuple(row[:-1]): row[-1]
            for row in ConcernTotal.objects.filter(consultation=consultation)
            .exclude(concerns=0)
            .values_list(*CONCERN_TOTAL_KEYS, "concerns")
        },
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


# In the order every writer takes them (aggregates.py): two repairs never wait for each other crosswise.
ROLLUP_MODELS = {
    "endorsements": EndorsementRollup,
    "endorsement_totals": EndorsementTotal,
    "participants": ParticipantRollup,
    "concerns": ConcernRollup,
    "concern_totals": ConcernTotal,
}
ROLLUP_KEYS = {
    "endorsements": ENDORSEMENT_KEYS,
    "endorsement_totals": ENDORSEMENT_TOTAL_KEYS,
    "participants": PARTICIPANT_KEYS,
    "concerns": CONCERN_KEYS,
    "concern_totals": CONCERN_TOTAL_KEYS,
}
ROLLUP_COUNTS = {
    "endorsements": "endorsements",
    "endorsement_totals": "endorsements",
    "participants": "participants",
    "concerns": "concerns",
    "concern_totals": "concerns",
}


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


@transaction.atomic
def replace_rollups(*, consultation: Consultation) -> None:
    """Replace the consultation's roll-ups by a recount of its raw rows; atomic (in the caller's transaction if any).

    For rows written in bulk (generate_demo_data's COPY) and for repairs: the roll-ups are locked (lock_rollups),
    the old rows deleted and the new ones written by INSERT … SELECT … GROUP BY, so no row travels through
    Python: one statement for endorsements and one for concerns (per day; their totals then summed from those
    cells), one for participants on PostgreSQL (GROUP BY CUBE) and one per grouping elsewhere (none for a purged
    consultation).
    """
    lock_rollups()
    for model in (EndorsementRollup, EndorsementTotal):
        model.objects.filter(remedy__consultation=consultation).delete()
    for model in (ConcernRollup, ConcernTotal, ParticipantRollup):
        model.objects.filter(consultation=consultation).delete()
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
    # The totals from the day cells just written: a sum over cells, not rows.
    _insert_from(
        EndorsementTotal,
        (*ENDORSEMENT_TOTAL_KEYS, "endorsements"),
        EndorsementRollup.objects.filter(remedy__consultation=consultation)
        .order_by()
        .values_list("remedy_id", "community_area", "role", "verified")
        .annotate(n=Sum("endorsements")),
        lambda c: [c["remedy_id"], c["community_area"], c["role"], c["verified"], c["n"]],
    )
    _insert_from(
        ConcernTotal,
        (*CONCERN_TOTAL_KEYS, "concerns"),
        ConcernRollup.objects.filter(consultation=consultation)
        .order_by()
        .values_list("topic", "community_area", "role", "source", "status", "verified")
        .annotate(n=Sum("concerns")),
        lambda c: (
            [str(pk)] + [c[name] for name in ("topic", "community_area", "role", "source", "status", "verified", "n")]
        ),
    )
    if consultation.purged_on is not None:
        return
    if connection.vendor == "postgresql":
        cube, params = participant_cube_sql(consultation)
        meta, quote = ParticipantRollup._meta, connection.ops.quote_name
        target = ", ".join(quote(meta.get_field(name).column) for name in (*PARTICIPANT_KEYS, "participants"))
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {quote(meta.db_table)} ({target}) SELECT {pk}, * FROM ({cube}) AS cube",  # noqa: S608  # nosec B608
                params,
            )
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
