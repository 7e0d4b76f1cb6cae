"""Counters kept in rows of their own: add to a count, creating its row if needed, in one statement.

`INSERT … ON CONFLICT (keys) DO UPDATE SET n = n + excluded.n` (PostgreSQL, and SQLite 3.24+) never
raises a unique violation, so PostgreSQL's log never fills with them, and two transactions adding to
the same new row at once both count (the second waits for the first, then adds to it).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction

# From this many rows on, PostgreSQL gets them by COPY and adds them with one statement: an executemany of
# upserts costs about 0.2 ms a row (a bulk load of 200,000 arrival counts took 45 s).
BULK_ROWS = 1000


def add_to_counts(model, rows: Iterable[dict], *, keys: tuple[str, ...], counts: tuple[str, ...]) -> None:
    """For each row ({field: value} of `keys` and `counts`), add its counts to the row with those keys.

    `keys` must be exactly the fields of one of the model's unique constraints; values are plain Python
    values (integers, text, booleans, dates, aware datetimes; a foreign key's id). One statement per call
    (executemany for several rows); call inside the caller's transaction.
    """
    meta = model._meta
    quote = connection.ops.quote_name
    fields = [meta.get_field(name) for name in (*keys, *counts)]
    table = quote(meta.db_table)
    columns = ", ".join(quote(field.column) for field in fields)
    conflict = ", ".join(quote(meta.get_field(name).column) for name in keys)
    additions = ", ".join(
        f"{quote(column)} = {table}.{quote(column)} + excluded.{quote(column)}"
        for column in (meta.get_field(name).column for name in counts)
    )
    placeholders = ", ".join(["%s"] * len(fields))
    # Identifiers come from the model's metadata, values are parameters.
    sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) ON CONFLICT ({conflict}) DO UPDATE SET {additions}"  # noqa: S608  # nosec B608
    rows = list(rows)
    if not rows:
        return
    if connection.vendor == "postgresql" and len(rows) >= BULK_ROWS:
        # COPY adapts plain values (integers, text, booleans, dates, aware datetimes: all a counter's keys and
        # counts are) itself; preparing each one through its field cost more than the rest of a bulk load.
        _add_copied_rows(meta, fields, keys, counts, [[row[field.name] for field in fields] for row in rows])
        return
    params = [
        [field.get_db_prep_value(row[field.name], connection, prepared=False) for field in fields] for row in rows
    ]
    with connection.cursor() as cursor:
        if len(params) == 1:
            cursor.execute(sql, params[0])
        else:
            cursor.executemany(sql, params)


def _add_copied_rows(meta, fields, keys: tuple[str, ...], counts: tuple[str, ...], params: list[list]) -> None:
    """add_to_counts for many rows on PostgreSQL: COPY into a temporary table, then one INSERT … SELECT.

    Rows with the same keys are summed first (one statement cannot update a row twice); the SELECT comes in
    key order, so two bulk writers lock the rows they share in the same order.
    """
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    staging = quote(f"civictrust_adding_{meta.db_table}")
    columns = [quote(field.column) for field in fields]
    key_columns = columns[: len(keys)]
    count_columns = columns[len(keys) :]
    summed = ", ".join([*key_columns, *(f"SUM({column})" for column in count_columns)])
    grouped = ", ".join(key_columns)
    additions = ", ".join(f"{column} = {table}.{column} + excluded.{column}" for column in count_columns)
    listed = ", ".join(columns)
    # Identifiers come from the model's metadata; the values travel by COPY.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE {staging} ON COMMIT DROP AS SELECT {listed} FROM {table} WITH NO DATA")  # noqa: S608  # nosec B608
        with cursor.copy(f"COPY {staging} ({listed}) FROM STDIN") as copy:
            for row in params:
                copy.write_row(row)
        cursor.execute(
            f"INSERT INTO {table} ({listed}) SELECT {summed} FROM {staging} GROUP BY {grouped} ORDER BY {grouped} "  # noqa: S608  # nosec B608
            f"ON CONFLICT ({grouped}) DO UPDATE SET {additions}"
        )
        cursor.execute(f"DROP TABLE {staging}")
