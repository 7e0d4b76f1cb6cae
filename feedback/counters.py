"""Counters kept in rows of their own: add to a count, creating its row if needed, in one statement.

`INSERT … ON CONFLICT (keys) DO UPDATE SET n = n + excluded.n` (PostgreSQL, and SQLite 3.24+) never
raises a unique violation, so PostgreSQL's log never fills with them, and two transactions adding to
the same new row at once both count (the second waits for the first, then adds to it).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection


def add_to_counts(model, rows: Iterable[dict], *, keys: tuple[str, ...], counts: tuple[str, ...]) -> None:
    """For each row ({field: value} of `keys` and `counts`), add its counts to the row with those keys.

    `keys` must be exactly the fields of one of the model's unique constraints. One statement per
    call (executemany for several rows); call inside the caller's transaction.
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
    params = [
        [field.get_db_prep_value(row[field.name], connection, prepared=False) for field in fields] for row in rows
    ]
    if not params:
        return
    with connection.cursor() as cursor:
        if len(params) == 1:
            cursor.execute(sql, params[0])
        else:
            cursor.executemany(sql, params)
