"""Record exports: approved concerns and endorsements, one row each, with nothing that tells one person's apart.

No contact email, participant id, hash or receipt; times cut to the day; rows ordered by their own shown values
(never by time, nor by which endorsements one person made together). A *shareable* file, the default, is
k-anonymous (`exports.anonymity`): every row is joined to a temporary table saying what its (day, area, role)
cell shows, and a row whose cell is not in that table is not written. An *internal* file is exact, for staff
holding `feedback.export_internal`, and says so in its name and in every row.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.db import connection, connections, router
from django.db.models import BigIntegerField, F
from django.db.models.functions import Cast, TruncDate
from django.utils.translation import gettext as _

from ..community_areas import COMMUNITY_AREA_CHOICES
from ..models import Concern, Consultation, Endorsement, Remedy, Role, Topic
from ..results.rolled_up import endorsement_day_cells
from ..results.tallies import TallyFilters, counted_from, endorsement_count, filtered_concerns
from .anonymity import NOT_SHOWN, Generalisation
from .formats import ExportError, ProgressCallback
from .neutralise import neutralise

RECORD_COLUMNS = {
    "concerns": ("day", "topic", "role", "community_area", "text"),
    "endorsements": ("day", "remedy", "role", "community_area"),
}
# The first column of a CSV record file, and a top-level key of a JSON one: what kind of file this is.
CLASSIFICATION_COLUMN = "classification"
SHAREABLE = "shareable"
INTERNAL = "INTERNAL"
# The temporary table of what each cell shows, for the length of one export (one connection, one transaction).
CELLS_TABLE = "civictrust_export_cells"
CELLS_COLUMNS = ("day", "community_area", "role", "shown_day", "day_sort", "day_level", "shown_area", "shown_role")
# What `records_sql` selects, and in what order the rows come.
RECORDS_SQL_COLUMNS = ("day", "day_sort", "day_level", "item", "area_code", "role_code", "detail")
RECORDS_ORDER = {
    "endorsements": "day_sort, day_level, day, item, area_code, role_code",
    "concerns": "day_sort, day_level, day, item, detail",
}


def record_labels(consultation: Consultation, what: str) -> tuple[dict, dict, dict]:
    """Neutralised labels by id or code: (topics or remedies, roles, community areas), "not shown" included."""
    if what == "concerns":
        items = {topic.pk: topic.name for topic in Topic.objects.filter(consultation=consultation)}
        items[None] = _("Other")
    else:
        items = {remedy.pk: remedy.title for remedy in Remedy.objects.filter(consultation=consultation)}
    given = {"": _("Not given"), NOT_SHOWN: _("not shown")}
    roles = {code: str(label) for code, label in Role.choices} | given
    areas = {code: str(label) for code, label in COMMUNITY_AREA_CHOICES} | given
    return tuple({key: neutralise(str(label)) for key, label in labels.items()} for labels in (items, roles, areas))


def record_queryset(consultation: Consultation, what: str, filters: TallyFilters | None = None):
    """The records before anything is shown: endorsements as groups of identical records, concerns one by one.

    Endorsements: (day, remedy id, role, community area, how many), from the roll-ups; concerns: (day, topic id, role,
    community area, text), approved ones only. Unordered: `records_sql` orders what is shown.
    """
    filters = filters or TallyFilters()
    if what == "endorsements":
        # Summed from the per-day roll-ups (a tenth as many rows, kept in the same transactions as the
        # endorsements, so one snapshot sees both the same); from the rows for a selection by id.
        counted = counted_from(consultation, filters)
        return (
            counted.endorsement_days.values("day", "remedy_id", "role", "community_area")
            .annotate(n=Cast(counted.endorsement_n, BigIntegerField()))
            .values_list("day", "remedy_id", "role", "community_area", "n")
        )
    if what == "concerns":
        return (
            filtered_concerns(consultation, filters)
            .filter(status=Concern.Status.APPROVED)
            .annotate(day=TruncDate("created_at"))
            .order_by()
            .values_list("day", "topic_id", "role", "community_area", "text")
        )
    raise ExportError(_("Unknown records: %(what)s.") % {"what": what})


def records_sql(
    consultation: Consultation, what: str, filters: TallyFilters | None, *, anonymised: bool
) -> tuple[str, list]:
    """SQL of the records as shown, in their order, as codes and ids; the same on PostgreSQL and SQLite.

    Columns (RECORDS_SQL_COLUMNS): day (text), day_sort, day_level, item (topic or remedy id), area_code,
    role_code, and `detail`: the group's size (endorsements) or the text (concerns). Anonymised, each
    record takes what its cell shows from CELLS_TABLE (an inner join: a record of a cell left out is not
    there); exact, its own values. Anonymised endorsements are counted from the roll-ups (a shareable file is
    never a selection by id).
    """
    if what == "endorsements" and anonymised:
        # The roll-up rows themselves, not grouped first: the outer GROUP BY sums them by what their cell shows,
        # and a join of plain rows is one the planner estimates well (grouped by hash, where a join of groups
        # was taken for a few dozen rows and sorted three times).
        records = (
            endorsement_day_cells(consultation, filters)
            .annotate(n=F("endorsements"))
            .values_list("day", "remedy_id", "role", "community_area", "n")
        )
    else:
        records = record_queryset(consultation, what, filters)
    inner_sql, params = records.query.sql_with_params()
    item, last = ("remedy_id", "n") if what == "endorsements" else ("topic_id", "text")
    if anonymised:
        source = (
            f"FROM ({inner_sql}) AS r JOIN {CELLS_TABLE} AS m "
            "ON m.day = r.day AND m.community_area = r.community_area AND m.role = r.role"
        )
        shown = ["m.shown_day", "m.day_sort", "m.day_level", f"r.{item}", "m.shown_area", "m.shown_role"]
    else:
        source = f"FROM ({inner_sql}) AS r"
        day = "to_char(r.day, 'YYYY-MM-DD')" if connection.vendor == "postgresql" else "CAST(r.day AS text)"
        shown = [day, "0", "0", f"r.{item}", "r.community_area", "r.role"]
    named = ", ".join(f"{expression} AS {name}" for expression, name in zip(shown, RECORDS_SQL_COLUMNS, strict=False))
    if what == "endorsements" and anonymised:
        # Groups of different cells that now show the same are one group, written together.
        grouped = ", ".join(shown)
        body = f"SELECT {named}, CAST(SUM(r.n) AS bigint) AS detail {source} GROUP BY {grouped}"  # noqa: S608  # nosec B608
    else:
        body = f"SELECT {named}, r.{last} AS detail {source}"  # noqa: S608  # nosec B608
    # The order of what is shown, never of anything hidden: day (a week after its Monday), then the item, then
    # area and role (endorsements) or the text (concerns). Every piece is the ORM's SQL or fixed text; the
    # values are the ORM's bound parameters.
    return f"SELECT * FROM ({body}) AS shown ORDER BY {RECORDS_ORDER[what]}", params  # noqa: S608  # nosec B608


@contextmanager
def cells_table(generalisation: Generalisation | None) -> Iterator[None]:
    """CELLS_TABLE holding what each kept cell shows, for the duration of the block (nothing if exact)."""
    if generalisation is None:
        yield
        return
    rows = [
        (day.isoformat(), area, role, s.day, s.day_sort, s.day_level, s.community_area, s.role)
        for (day, area, role), s in generalisation.shown.items()
    ]
    postgresql = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {CELLS_TABLE}")
        day_type = "date" if postgresql else "text"
        cursor.execute(
            f"CREATE TEMPORARY TABLE {CELLS_TABLE} (day {day_type}, community_area text, role text, shown_day text, "
            "day_sort integer, day_level integer, shown_area text, shown_role text)"
        )
        if postgresql:
            with cursor.copy(f"COPY {CELLS_TABLE} ({', '.join(CELLS_COLUMNS)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            # A temporary table is never analysed on its own: without statistics the planner takes its
            # thousands of rows for a handful and labels the records by nested loops (a second per million).
            cursor.execute(f"ANALYZE {CELLS_TABLE}")
        else:
            placeholders = ", ".join(["%s"] * len(CELLS_COLUMNS))
            cursor.executemany(f"INSERT INTO {CELLS_TABLE} VALUES ({placeholders})", rows)  # noqa: S608  # nosec B608
    try:
        yield
    finally:
        if connection.connection is not None and not connection.needs_rollback:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {CELLS_TABLE}")


def records_connection(*, anonymised: bool):
    """Where records are read: anonymised, the connection holding CELLS_TABLE, in whose snapshot the cells were
    counted; exact, the replica inside `reading_figures()` when it is healthy."""
    return connection if anonymised else connections[router.db_for_read(Endorsement)]


def _labelled(consultation: Consultation, what: str, filters: TallyFilters | None, *, anonymised: bool):
    """(day, item, role, area) labelled, and the `detail` column, for each row of `records_sql`, in file order."""
    items, roles, areas = record_labels(consultation, what)
    sql, params = records_sql(consultation, what, filters, anonymised=anonymised)
    with records_connection(anonymised=anonymised).chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(5000):
            for day, _sort, _level, item, area, role, last in chunk:
                yield (day, items.get(item, ""), roles.get(role, role), areas.get(area, area)), last


def iter_record_groups(
    consultation: Consultation, filters: TallyFilters | None = None, *, anonymised: bool
) -> Iterable[tuple[tuple, int]]:
    """Endorsement records as (a row of RECORD_COLUMNS["endorsements"], how many identical records), in file order.

    Anonymised, CELLS_TABLE must exist (`cells_table`).
    """
    return _labelled(consultation, "endorsements", filters, anonymised=anonymised)


def iter_records(
    consultation: Consultation, what: str, filters: TallyFilters | None = None, *, anonymised: bool
) -> Iterable[tuple]:
    """Rows of RECORD_COLUMNS[what], labels resolved and every text neutralised, from a server-side cursor.

    Anonymised, CELLS_TABLE must exist (`cells_table`).
    """
    for labelled, last in _labelled(consultation, what, filters, anonymised=anonymised):
        if what == "concerns":
            yield (*labelled, neutralise(last))
        else:
            for _copy in range(last):  # a group of identical records
                yield labelled


def count_records(consultation: Consultation, what: str, filters: TallyFilters | None = None) -> int:
    """How many records an exact export holds."""
    if what == "endorsements":
        return endorsement_count(consultation, filters)
    return record_queryset(consultation, what, filters).count()


class Progress:
    """Calls `on_progress(done, total)` at most every `interval` seconds."""

    def __init__(self, on_progress: ProgressCallback | None, total: int, interval: float = 1.0):
        self.on_progress, self.total, self.interval = on_progress, total, interval
        self.done = 0
        self.last = time.monotonic()

    def advance(self, rows: int) -> None:
        self.done += rows
        if self.on_progress is not None and time.monotonic() - self.last >= self.interval:
            self.last = time.monotonic()
            self.on_progress(min(self.done, self.total), self.total)

    def finish(self) -> None:
        if self.on_progress is not None:
            self.on_progress(self.total, self.total)
