"""Inserting a row that may already exist, without the database ever raising (and logging) a unique violation."""

from __future__ import annotations

from django.db import connections, models, router


def insert_unless_present(instance: models.Model, *, unique_fields: tuple[str, ...]) -> bool:
    """Insert `instance` as a new row unless one with the same `unique_fields` exists; True if it was inserted.

    One `INSERT … ON CONFLICT (…) DO NOTHING RETURNING id` (PostgreSQL and SQLite ≥ 3.35). A duplicate is then not
    an error, so PostgreSQL writes nothing to its log: a failed insert would log the whole statement and the
    duplicated key (`Key (remedy_id, participant)=(…)`), i.e. a participant id, with the time. Django's
    `bulk_create(ignore_conflicts=True)` says nothing about whether the row was new, hence this. Sets
    `instance.pk` when it inserted; saves no related rows and sends no signals (none are used for these models).
    `unique_fields` must be the fields of a unique constraint of the model.
    """
    opts = instance._meta
    connection = connections[router.db_for_write(type(instance))]
    fields = [field for field in opts.local_concrete_fields if field is not opts.pk]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    target = ", ".join(quote(opts.get_field(name).column) for name in unique_fields)
    values = [field.get_db_prep_save(field.pre_save(instance, add=True), connection) for field in fields]
    sql = (
        f"INSERT INTO {quote(opts.db_table)} ({columns}) VALUES ({', '.join(['%s'] * len(fields))}) "  # noqa: S608  # nosec B608  # names from the model's own metadata, values bound
        f"ON CONFLICT ({target}) DO NOTHING RETURNING {quote(opts.pk.column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    if row is None:
        return False
    instance.pk = row[0]
    instance._state.adding = False
    instance._state.db = connection.alias
    return True
