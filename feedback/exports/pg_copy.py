"""CSV concern records straight from PostgreSQL's `COPY ... TO STDOUT`: memory does not grow with the rows."""

from __future__ import annotations

from typing import BinaryIO

from django.db import DatabaseError, transaction
from psycopg import ClientCursor, pq

from ..models import Consultation
from ..results.tallies import TallyFilters
from .formats import UTF8_BOM
from .neutralise import neutralise_sql
from .records import CLASSIFICATION_COLUMN, RECORDS_ORDER, Progress, record_labels, records_connection, records_sql


def copy_statement(
    consultation: Consultation, filters: TallyFilters | None, *, anonymised: bool, classification: str
) -> str:
    """The whole `COPY (SELECT ...) TO STDOUT` statement of the concern records, values bound client-side.

    The rows are `records.records_sql`'s (the same filters, the same anonymity, the same order as every
    other path), sorted row by row (their text is part of the order); labels come from small VALUES lists,
    and every row starts with the file's classification. Endorsements, groups of identical records, are
    written by `record_files` from the groups instead.
    """
    base_sql, base_params = records_sql(consultation, "concerns", filters, anonymised=anonymised)
    items, roles, areas = record_labels(consultation, "concerns")
    params: list = [classification, items[None]]  # the "Other" topic, next in the text
    params.extend(base_params)

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
    # Every piece below is either records_sql's SQL or a fixed fragment; all values are bound by mogrify.
    query = (
        f"SELECT %s AS {CLASSIFICATION_COLUMN}, r.day, COALESCE(item.label, %s) AS topic, "  # noqa: S608  # nosec B608  # records_sql and fixed fragments; values bound by mogrify
        "COALESCE(role.label, r.role_code) AS role, COALESCE(area.label, r.area_code) AS community_area, "
        f"{neutralise_sql('r.detail')} AS text "
        f"FROM ({base_sql}) AS r "
        f"LEFT JOIN ({item_values}) AS item(key, label) ON item.key = r.item "
        f"LEFT JOIN ({role_values}) AS role(key, label) ON role.key = r.role_code "
        f"LEFT JOIN ({area_values}) AS area(key, label) ON area.key = r.area_code "
        f"ORDER BY {', '.join('r.' + column for column in RECORDS_ORDER['concerns'].split(', '))}"
    )
    statement = f"COPY ({query}) TO STDOUT WITH (FORMAT csv, HEADER true)"
    connection = records_connection(anonymised=anonymised)
    connection.ensure_connection()
    return ClientCursor(connection.connection).mogrify(statement, params)


def write_csv_copy(
    consultation, filters, out: BinaryIO, progress: Progress, *, anonymised: bool, classification: str
) -> int:
    """Stream `COPY ... TO STDOUT` into `out` in blocks of about a megabyte; returns the rows written.

    The rows are read with libpq's own copy call (psycopg's `pq` layer), one C call per row, so
    Python adds little to what PostgreSQL's COPY costs. JIT compilation is turned off for the
    statement: it would spend longer compiling than the query takes to run.
    """
    statement = copy_statement(consultation, filters, anonymised=anonymised, classification=classification).encode()
    out.write(UTF8_BOM)
    connection = records_connection(anonymised=anonymised)
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
