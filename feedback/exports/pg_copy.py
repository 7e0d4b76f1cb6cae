"""CSV records straight from PostgreSQL's `COPY ... TO STDOUT`: memory does not grow with the rows."""

from __future__ import annotations

from typing import BinaryIO

from django.db import DatabaseError, connections, router, transaction
from psycopg import ClientCursor, pq

from ..models import Consultation, Endorsement
from ..results.tallies import TallyFilters
from .formats import UTF8_BOM
from .neutralise import neutralise_sql
from .records import Progress, record_labels, record_queryset


def copy_statement(consultation: Consultation, what: str, filters: TallyFilters | None) -> str:
    """The whole `COPY (SELECT ...) TO STDOUT` statement, values bound client-side by psycopg.

    The inner query is the ORM's own (same filters as every other path); labels come from small
    VALUES lists joined by hash. Concerns are sorted row by row (their text is part of the order);
    endorsements come as sorted groups of identical records, each written as many times as it counts.
    """
    inner_sql, inner_params = record_queryset(consultation, what, filters).order_by().query.sql_with_params()
    items, roles, areas = record_labels(consultation, what)
    params: list = [items[None]] if what == "concerns" else []  # the "Other" topic, first in the text
    params.extend(inner_params)

    def values(labels: dict, key_type: str) -> str:
        pairs = [(key, label) for key, label in labels.items() if key is not None]
        if not pairs:
            return f"SELECT NULL::{key_type} AS key, NULL::text AS label WHERE false"
        for pair in pairs:
            params.extend(pair)
        return "VALUES " + ", ".join(f"(%s::{key_type}, %s::text)" for _pair in pairs)

    item_values = values(items, "bigint")
    role_values = values(roles, "text")
    area_values = values(areas, "text")
    # The ORM's SELECT names its columns after the fields ("day" is the TruncDate annotation, "n"
    # the size of a group). Every piece below is either the ORM's SQL or a fixed fragment; all
    # values are bound by mogrify.
    item_key = "topic_id" if what == "concerns" else "remedy_id"
    labelled = (
        f"FROM ({inner_sql}) AS r "  # noqa: S608
        f"LEFT JOIN ({item_values}) AS item(key, label) ON item.key = r.{item_key} "
        f"LEFT JOIN ({role_values}) AS role(key, label) ON role.key = r.role "
        f"LEFT JOIN ({area_values}) AS area(key, label) ON area.key = r.community_area"
    )
    role_column = "COALESCE(role.label, r.role) AS role"
    area_column = "COALESCE(area.label, r.community_area) AS community_area"
    if what == "concerns":
        query = (
            f"SELECT r.day, COALESCE(item.label, %s) AS topic, {role_column}, {area_column}, "  # noqa: S608
            f"{neutralise_sql('r.text')} AS text {labelled} ORDER BY r.day, r.topic_id, r.text"
        )
    else:
        # The groups are labelled and sorted (a few thousand rows), then each is written `n` times:
        # the nested loop keeps the groups' order, so PostgreSQL never sorts the million rows.
        group_order = "day, remedy_id, area_key, role_key"
        query = (
            "SELECT g.day, g.remedy, g.role, g.community_area FROM ("  # noqa: S608  # nosec B608  # the ORM's SQL and fixed fragments; values bound by mogrify
            "SELECT r.day, r.remedy_id, r.community_area AS area_key, r.role AS role_key, r.n, "
            f"item.label AS remedy, {role_column}, {area_column} {labelled} "
            f"ORDER BY {group_order}) AS g CROSS JOIN LATERAL generate_series(1, g.n) "
            f"ORDER BY {', '.join('g.' + column for column in group_order.split(', '))}"
        )
    statement = f"COPY ({query}) TO STDOUT WITH (FORMAT csv, HEADER true)"
    connection = _copy_connection()
    connection.ensure_connection()
    return ClientCursor(connection.connection).mogrify(statement, params)


def _copy_connection():
    """The connection records are read from: the replica inside `reading_figures()` when it is healthy."""
    return connections[router.db_for_read(Endorsement)]


def write_csv_copy(consultation, what, filters, out: BinaryIO, progress: Progress) -> int:
    """Stream `COPY ... TO STDOUT` into `out` in blocks of about a megabyte; returns the rows written.

    The rows are read with libpq's own copy call (psycopg's `pq` layer), one C call per row, so
    Python adds little to what PostgreSQL's COPY costs. JIT compilation is turned off for the
    statement: the planner cannot know how many rows a group expands to, overestimates, and would
    spend longer compiling than the query takes to run.
    """
    statement = copy_statement(consultation, what, filters).encode()
    out.write(UTF8_BOM)
    connection = _copy_connection()
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        pgconn = connection.connection.pgconn
        pgconn.send_query(statement)
        result = pgconn.get_result()
        if result.status != pq.ExecStatus.COPY_OUT:
            while pgconn.get_result() is not None:
                pass
            raise DatabaseError((result.error_message or b"COPY did not start").decode(errors="replace"))
        messages = 0
        block = bytearray()
        try:
            while True:
                size, data = pgconn.get_copy_data(0)
                if size < 0:
                    break
                block += data
                messages += 1
                if len(block) >= 1 << 20:
                    out.write(block)
                    block.clear()
                    progress.advance(messages - progress.done)
            out.write(block)
        except BaseException:
            connection.close()  # stopped in the middle of a COPY: this connection cannot be reused
            raise
        final = pgconn.get_result()
        while pgconn.get_result() is not None:
            pass
        if final is None or final.status != pq.ExecStatus.COMMAND_OK:
            message = final.error_message if final is not None else b"COPY ended unexpectedly"
            raise DatabaseError(message.decode(errors="replace"))
    rows = max(messages - 1, 0)  # PostgreSQL sends one message per row, the header first
    progress.advance(rows - progress.done)
    return rows
