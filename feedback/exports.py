"""Exports for organizers: exact tallies, anonymised records, and the export jobs that build them.

- Tallies (`render_tallies`) are counted by the database (`selectors.tallies_for` and two
  cross-tabulations) and laid out with tablib as CSV, XLSX or JSON. They carry exact figures: they
  are for staff allowed to export, never for the public.
- Records (`write_records`) are the approved concerns and the endorsements, one row each, with
  nothing that tells one person's rows apart: no contact email, participant id, hash or receipt,
  times cut to the day, and rows ordered by their own values. They are streamed: PostgreSQL's
  `COPY ... TO STDOUT` for CSV, a server-side cursor otherwise, so memory does not grow with rows.
- Every text cell of every CSV and XLSX goes through one rule, `neutralise` (or its SQL twin in
  the COPY path): a cell that a spreadsheet would read as a formula gets a leading apostrophe.
- Export jobs (`request_export`, `run_export_job`) are how the admin builds files in the
  background; files live in private storage and are served only by a staff-only view.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import BinaryIO

import tablib
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from . import selectors
from .background import enqueue_after_commit
from .community_areas import COMMUNITY_AREA_CHOICES
from .models import Concern, Consultation, ExportJob, Remedy, Role, Topic, private_storage
from .selectors import TallyFilters

logger = logging.getLogger(__name__)

FORMATS = ("csv", "xlsx", "json")
RECORD_KINDS = ("concerns", "endorsements")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}
# Excel only reads a CSV as UTF-8 (accents in Spanish text) when it starts with this mark.
UTF8_BOM = b"\xef\xbb\xbf"
# An XLSX sheet holds 1,048,576 rows, one of which is the header.
XLSX_MAX_ROWS = 1_048_575

ProgressCallback = Callable[[int, int], None]  # (done, total)


class ExportError(Exception):
    """An export that cannot be built as asked; the message is safe to show to staff."""


class ExportBusy(Exception):
    """Another live worker is building this job right now; try the message again later."""


# --- Spreadsheet formula injection: the one rule ---------------------------------------------------

# A spreadsheet reads a cell that starts with one of these as a formula (OWASP "CSV injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """The value with a leading apostrophe if it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _neutralise_sql(column: str) -> str:
    """SQL twin of `neutralise` for the COPY path (PostgreSQL)."""
    triggers = ", ".join(f"chr({ord(character)})" for character in FORMULA_TRIGGERS)
    return f"CASE WHEN left({column}, 1) IN ({triggers}) THEN '''' || {column} ELSE {column} END"


def _xlsx_cell(value):
    """A value openpyxl stores as plain data: neutralised, without the control characters XLSX forbids."""
    value = neutralise(value)
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("\N{REPLACEMENT CHARACTER}", value)
    return value


# --- Tallies -----------------------------------------------------------------------------------------

TALLY_HEADERS = ("table", "key", "label", "group_key", "group", "count")
AREA_LABELS = dict(COMMUNITY_AREA_CHOICES)
ROLE_LABELS = dict(Role.choices)
STATUS_LABELS = dict(Concern.Status.choices)


@dataclass
class TallyTable:
    """One table of the tallies: rows of (key, label, group key, group label, count)."""

    name: str
    rows: list[tuple[str, str, str, str, int]]


def _label(labels: dict, value: str) -> str:
    return str(labels.get(value, value)) if value else _("Not given")


def _sum_by(cube: dict[tuple, int], *positions: int, where=None) -> dict:
    """Add up a cube's counts by the key parts at `positions` (one part: plain keys)."""
    sums: dict = {}
    for key, n in cube.items():
        if where is not None and not where(key):
            continue
        part = key[positions[0]] if len(positions) == 1 else tuple(key[position] for position in positions)
        sums[part] = sums.get(part, 0) + n
    return sums


def _breakdown_rows(counts: dict, labels: dict) -> list[tuple[str, str, str, str, int]]:
    """Rows of a breakdown, largest first, "Not given" last (as the results pages order them)."""
    rows = sorted(
        ((value, _label(labels, value), n) for value, n in counts.items() if value), key=lambda r: (-r[2], r[1])
    )
    if counts.get(""):
        rows.append(("", _label(labels, ""), counts[""]))
    return [(value, label, "", "", n) for value, label, n in rows]


def tally_tables(
    consultation: Consultation, filters: TallyFilters | None = None, on_progress: ProgressCallback | None = None
) -> list[TallyTable]:
    """Every tally of the consultation, exactly, as tables; eight or nine queries whatever the data.

    Endorsements per remedy overall, by community area and by role; concerns per topic (those
    that count: pending and approved), per topic and status (all), by status, area and role;
    per-day counts; totals. The database counts each table once, grouped by every dimension
    (`selectors.endorsement_cube`, `concern_cube`), and the breakdowns are sums of those exact
    counts. Remedy tables list the published remedies, in their order.
    """
    filters = filters or TallyFilters()
    progress = on_progress or (lambda done, total: None)
    steps = 5
    remedies = list(selectors.published_remedies(consultation))
    topics = list(Topic.objects.filter(consultation=consultation))
    endorsements = selectors.endorsement_cube(consultation, filters)  # (remedy, area, role)
    progress(1, steps)
    participants = selectors.distinct_participants(consultation, filters)
    progress(2, steps)
    concerns = selectors.concern_cube(consultation, filters)  # (topic, status, area, role)
    progress(3, steps)
    endorsement_days, concern_days = selectors.export_day_counts(consultation, filters)
    progress(4, steps)

    def counted(key: tuple) -> bool:
        return key[1] in selectors.COUNTED_CONCERN_STATUSES

    per_remedy = _sum_by(endorsements, 0)
    remedy_by_area = _sum_by(endorsements, 0, 1)
    remedy_by_role = _sum_by(endorsements, 0, 2)
    per_topic = _sum_by(concerns, 0, where=counted)
    topic_by_status = _sum_by(concerns, 0, 1)
    by_status = _sum_by(concerns, 1)

    def per_remedy_and(counts: dict, values: Iterable[str], labels: dict) -> list[tuple[str, str, str, str, int]]:
        return [
            (remedy.key, remedy.title, value, _label(labels, value), counts[(remedy.pk, value)])
            for remedy in remedies
            for value in values
            if counts.get((remedy.pk, value))
        ]

    area_order = ["", *AREA_LABELS]
    role_order = ["", *ROLE_LABELS]
    topic_rows = [(topic.key, topic.name, "", "", per_topic.get(topic.pk, 0)) for topic in topics]
    if per_topic.get(None):
        topic_rows.append(("", _("Other"), "", "", per_topic[None]))
    topic_status_rows = [
        (topic.key if topic else "", topic.name if topic else _("Other"), status, _label(STATUS_LABELS, status), n)
        for topic in [*topics, None]
        for status in Concern.Status.values
        if (n := topic_by_status.get((topic.pk if topic else None, status)))
    ]
    days = sorted(set(endorsement_days) | set(concern_days))
    tables = [
        TallyTable(
            "totals",
            [
                ("endorsements", _("Endorsements"), "", "", sum(endorsements.values())),
                ("participants", _("Participants who endorsed"), "", "", participants),
                ("concerns", _("Concerns received"), "", "", sum(concerns.values())),
            ],
        ),
        TallyTable(
            "endorsements_per_remedy",
            [(remedy.key, remedy.title, "", "", per_remedy.get(remedy.pk, 0)) for remedy in remedies],
        ),
        TallyTable("endorsements_by_remedy_and_area", per_remedy_and(remedy_by_area, area_order, AREA_LABELS)),
        TallyTable("endorsements_by_remedy_and_role", per_remedy_and(remedy_by_role, role_order, ROLE_LABELS)),
        TallyTable("endorsements_by_area", _breakdown_rows(_sum_by(endorsements, 1), AREA_LABELS)),
        TallyTable("endorsements_by_role", _breakdown_rows(_sum_by(endorsements, 2), ROLE_LABELS)),
        TallyTable("concerns_per_topic", topic_rows),
        TallyTable("concerns_by_topic_and_status", topic_status_rows),
        TallyTable(
            "concerns_by_status",
            [
                (status, _label(STATUS_LABELS, status), "", "", by_status[status])
                for status in Concern.Status.values
                if status in by_status
            ],
        ),
        TallyTable("concerns_by_area", _breakdown_rows(_sum_by(concerns, 2, where=counted), AREA_LABELS)),
        TallyTable("concerns_by_role", _breakdown_rows(_sum_by(concerns, 3, where=counted), ROLE_LABELS)),
        TallyTable(
            "endorsements_per_day",
            [(day.isoformat(), day.isoformat(), "", "", endorsement_days.get(day, 0)) for day in days],
        ),
        TallyTable(
            "concerns_per_day", [(day.isoformat(), day.isoformat(), "", "", concern_days.get(day, 0)) for day in days]
        ),
    ]
    progress(steps, steps)
    return tables


def tally_dataset(tables: list[TallyTable]) -> tablib.Dataset:
    """All tables in one long dataset (one row per figure), every text cell neutralised."""
    dataset = tablib.Dataset(headers=list(TALLY_HEADERS), title="tallies")
    for table in tables:
        for row in table.rows:
            dataset.append(
                [value if isinstance(value, int) else neutralise(str(value)) for value in (table.name, *row)]
            )
    return dataset


def tally_databook(tables: list[TallyTable]) -> tablib.Databook:
    """One sheet per table (sheet names are the table names, at most 31 characters), neutralised."""
    sheets = []
    for table in tables:
        sheet = tablib.Dataset(headers=list(TALLY_HEADERS[1:]), title=table.name[:31])
        for row in table.rows:
            sheet.append([value if isinstance(value, int) else _xlsx_cell(str(value)) for value in row])
        sheets.append(sheet)
    return tablib.Databook(sheets)


def render_tallies(
    consultation: Consultation,
    fmt: str,
    filters: TallyFilters | None = None,
    on_progress: ProgressCallback | None = None,
) -> bytes:
    """The exact tallies as a CSV, XLSX or JSON file's bytes (small: one row per figure)."""
    if fmt not in FORMATS:
        raise ExportError(_("Unknown format: %(format)s.") % {"format": fmt})
    return tallies_file(tally_tables(consultation, filters, on_progress), fmt)


def tallies_file(tables: list[TallyTable], fmt: str) -> bytes:
    """The tables as a CSV or JSON long table, or an XLSX workbook of one sheet per table."""
    if fmt == "xlsx":
        return tally_databook(tables).export("xlsx")
    return dataset_file(tally_dataset(tables), fmt)


def dataset_file(dataset: tablib.Dataset, fmt: str) -> bytes:
    """A tablib dataset whose cells are already neutralised, as a CSV, XLSX or JSON file's bytes."""
    if fmt == "csv":
        return UTF8_BOM + dataset.export("csv").encode("utf-8")
    if fmt == "xlsx":
        clean = tablib.Dataset(headers=dataset.headers, title=dataset.title)
        for row in dataset:
            clean.append([_xlsx_cell(value) for value in row])
        return clean.export("xlsx")
    return dataset.export("json").encode("utf-8")


# --- Records -----------------------------------------------------------------------------------------

RECORD_COLUMNS = {
    "concerns": ("day", "topic", "role", "community_area", "text"),
    "endorsements": ("day", "remedy", "role", "community_area"),
}


def _record_labels(consultation: Consultation, what: str) -> tuple[dict, dict, dict]:
    """Neutralised labels by id or code: (topics or remedies, roles, community areas)."""
    if what == "concerns":
        items = {topic.pk: topic.name for topic in Topic.objects.filter(consultation=consultation)}
        items[None] = _("Other")
    else:
        items = {remedy.pk: remedy.title for remedy in Remedy.objects.filter(consultation=consultation)}
    not_given = _("Not given")
    roles = {code: str(label) for code, label in Role.choices} | {"": not_given}
    areas = {code: str(label) for code, label in COMMUNITY_AREA_CHOICES} | {"": not_given}
    return tuple({key: neutralise(str(label)) for key, label in labels.items()} for labels in (items, roles, areas))


def record_queryset(consultation: Consultation, what: str, filters: TallyFilters | None = None):
    if what == "concerns":
        return selectors.concern_records(consultation, filters)
    if what == "endorsements":
        return selectors.endorsement_records(consultation, filters)
    raise ExportError(_("Unknown records: %(what)s.") % {"what": what})


def iter_records(consultation: Consultation, what: str, filters: TallyFilters | None = None) -> Iterable[tuple]:
    """Rows of RECORD_COLUMNS[what], labels resolved and every text neutralised, from a server-side cursor."""
    items, roles, areas = _record_labels(consultation, what)
    rows = record_queryset(consultation, what, filters).iterator(chunk_size=5000)
    if what == "concerns":
        for day, topic_id, role, area, text in rows:
            yield (
                day.isoformat(),
                items.get(topic_id, ""),
                roles.get(role, role),
                areas.get(area, area),
                neutralise(text),
            )
        return
    for day, remedy_id, role, area, how_many in rows:  # groups of identical records
        row = (day.isoformat(), items.get(remedy_id, ""), roles.get(role, role), areas.get(area, area))
        for _copy in range(how_many):
            yield row


def count_records(consultation: Consultation, what: str, filters: TallyFilters | None = None) -> int:
    if what == "endorsements":
        return selectors.endorsement_count(consultation, filters)
    return record_queryset(consultation, what, filters).order_by().count()


class _Progress:
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


def _copy_statement(consultation: Consultation, what: str, filters: TallyFilters | None) -> str:
    """The whole `COPY (SELECT ...) TO STDOUT` statement, values bound client-side by psycopg.

    The inner query is the ORM's own (same filters as every other path); labels come from small
    VALUES lists joined by hash. Concerns are sorted row by row (their text is part of the order);
    endorsements come as sorted groups of identical records, each written as many times as it counts.
    """
    from psycopg import ClientCursor

    inner_sql, inner_params = record_queryset(consultation, what, filters).order_by().query.sql_with_params()
    items, roles, areas = _record_labels(consultation, what)
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
            f"{_neutralise_sql('r.text')} AS text {labelled} ORDER BY r.day, r.topic_id, r.text"
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
    connection.ensure_connection()
    return ClientCursor(connection.connection).mogrify(statement, params)


def _write_csv_copy(consultation, what, filters, out: BinaryIO, progress: _Progress) -> int:
    """Stream `COPY ... TO STDOUT` into `out` in blocks of about a megabyte; returns the rows written.

    The rows are read with libpq's own copy call (psycopg's `pq` layer), one C call per row, so
    Python adds little to what PostgreSQL's COPY costs. JIT compilation is turned off for the
    statement: the planner cannot know how many rows a group expands to, overestimates, and would
    spend longer compiling than the query takes to run.
    """
    from psycopg import pq

    statement = _copy_statement(consultation, what, filters).encode()
    out.write(UTF8_BOM)
    with transaction.atomic(), connection.cursor() as cursor:
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


def _write_csv_rows(rows: Iterable[tuple], columns, out: BinaryIO, progress: _Progress) -> int:
    out.write(UTF8_BOM)
    text = io.TextIOWrapper(out, encoding="utf-8", errors="replace", newline="", write_through=True)
    try:
        writer = csv.writer(text)
        writer.writerow(columns)
        count = 0
        for row in rows:
            writer.writerow(row)
            count += 1
            if count % 1000 == 0:
                progress.advance(1000)
        return count
    finally:
        text.detach()  # leave `out` open for the caller


def _write_json_rows(rows: Iterable[tuple], columns, out: BinaryIO, progress: _Progress) -> int:
    """A JSON array of objects, written one object at a time."""
    out.write(b"[")
    count = 0
    for row in rows:
        item = json.dumps(dict(zip(columns, row, strict=True)), ensure_ascii=False)
        out.write((b",\n" if count else b"\n") + item.encode("utf-8", errors="replace"))
        count += 1
        if count % 1000 == 0:
            progress.advance(1000)
    out.write(b"\n]\n")
    return count


def _write_xlsx_rows(rows: Iterable[tuple], columns, out: BinaryIO, progress: _Progress, title: str) -> int:
    """openpyxl's write-only mode streams rows to a temporary file, then zips it into `out`."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title)
    sheet.append(list(columns))
    count = 0
    for row in rows:
        sheet.append([_xlsx_cell(value) for value in row])
        count += 1
        if count % 1000 == 0:
            progress.advance(1000)
    workbook.save(out)
    return count


def write_records(
    *,
    consultation: Consultation,
    what: str,
    fmt: str,
    out: BinaryIO,
    filters: TallyFilters | None = None,
    on_progress: ProgressCallback | None = None,
) -> int:
    """Stream the anonymised records into `out`; returns the number of rows (header excluded).

    Memory does not grow with the number of rows: CSV on PostgreSQL is written chunk by chunk
    from `COPY ... TO STDOUT`; every other case reads a server-side cursor in chunks. XLSX needs
    a seekable `out` and refuses more rows than a sheet holds (ExportError).
    """
    if what not in RECORD_KINDS:
        raise ExportError(_("Unknown records: %(what)s.") % {"what": what})
    if fmt not in FORMATS:
        raise ExportError(_("Unknown format: %(format)s.") % {"format": fmt})
    columns = RECORD_COLUMNS[what]
    needs_total = on_progress is not None or fmt == "xlsx"
    total = count_records(consultation, what, filters) if needs_total else 0
    if fmt == "xlsx" and total > XLSX_MAX_ROWS:
        raise ExportError(
            _("%(rows)d rows do not fit in one XLSX sheet (at most %(max)d); export them as CSV or JSON.")
            % {"rows": total, "max": XLSX_MAX_ROWS}
        )
    progress = _Progress(on_progress, total)
    if fmt == "csv" and connection.vendor == "postgresql":
        count = _write_csv_copy(consultation, what, filters, out, progress)
    else:
        rows = iter_records(consultation, what, filters)
        if fmt == "csv":
            count = _write_csv_rows(rows, columns, out, progress)
        elif fmt == "json":
            count = _write_json_rows(rows, columns, out, progress)
        else:
            count = _write_xlsx_rows(rows, columns, out, progress, title=what)
    progress.finish()
    return count


# --- Export jobs -------------------------------------------------------------------------------------


def filters_from_json(data: dict | None) -> TallyFilters:
    """The TallyFilters an ExportJob's `filters` describe (dates as ISO strings); unknown keys ignored."""
    data = data or {}

    def day(name: str) -> date | None:
        value = data.get(name)
        return date.fromisoformat(value) if value else None

    return TallyFilters(
        since=day("since"),
        until=day("until"),
        community_area=data.get("community_area", "") or "",
        role=data.get("role", "") or "",
        source=data.get("source", "") or "",
    )


def filters_to_json(filters: TallyFilters) -> dict:
    """The non-empty fields of `filters`, JSON-ready (inverse of `filters_from_json`)."""
    data = {
        "since": filters.since.isoformat() if filters.since else "",
        "until": filters.until.isoformat() if filters.until else "",
        "community_area": filters.community_area,
        "role": filters.role,
        "source": filters.source,
    }
    return {key: value for key, value in data.items() if value}


def can_download_exports(user) -> bool:
    """Who may download export files: active staff with the "view export" permission."""
    return bool(user.is_active and user.is_staff and user.has_perm("feedback.view_exportjob"))


def request_export(job: ExportJob, *, requested_by=None) -> ExportJob:
    """Save a new export job (pending) and queue its building once the transaction commits.

    If the broker is down the job is saved all the same, with `enqueued_at` empty, and the
    periodic sweep queues it later. Raises ValidationError (nothing saved) on invalid fields.
    """
    job.requested_by = requested_by
    job.status = ExportJob.Status.PENDING
    job.full_clean()
    filters_from_json(job.filters)  # refuse filters that cannot be read before anything is saved
    with transaction.atomic():
        job.save()
        from .tasks import build_export

        enqueue_after_commit(build_export, job.pk, on_queued=lambda: mark_export_queued(job.pk))
    return job


def mark_export_queued(job_id: int) -> None:
    ExportJob.objects.filter(pk=job_id, enqueued_at__isnull=True).update(enqueued_at=timezone.now())


def mark_export_failed(job_id: int, reason: str) -> bool:
    """Mark a pending or running job failed with `reason`; False if it had already ended."""
    updated = ExportJob.objects.filter(
        pk=job_id, status__in=(ExportJob.Status.PENDING, ExportJob.Status.RUNNING)
    ).update(status=ExportJob.Status.FAILED, error=reason, finished_at=timezone.now())
    return bool(updated)


def export_storage_name(job: ExportJob) -> str:
    """Where a job's file lives in private storage: fixed per job, so a retry overwrites its own file."""
    return f"exports/{job.consultation.slug}-{job.kind}-{job.pk}.{job.format}"


def download_filename(job: ExportJob) -> str:
    day = timezone.localtime(job.finished_at or job.created_at).date().isoformat()
    return f"civictrust-{job.consultation.slug}-{job.kind}-{day}.{job.format}"


class _JobLock:
    """A PostgreSQL session advisory lock held while a job is built.

    It dies with the connection of the process holding it, so a second delivery of the same job
    can tell a live builder (lock held: leave it) from a dead one (lock free: take over). SQLite
    runs tasks in the web process only, one at a time, and needs no lock.
    """

    NAMESPACE = 0x0C1C  # first key of the two-key advisory lock, "civic"

    def __init__(self, job_id: int):
        self.job_id = job_id
        self.held = False

    def acquire(self, wait_seconds: float = 5.0) -> bool:
        """Take the lock, waiting a little: a killed builder's connection takes a moment to close."""
        if connection.vendor != "postgresql":
            self.held = True
            return True
        deadline = time.monotonic() + wait_seconds
        while True:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [self.NAMESPACE, self.job_id])
                self.held = bool(cursor.fetchone()[0])
            if self.held or time.monotonic() >= deadline:
                return self.held
            time.sleep(0.25)

    def release(self) -> None:
        if self.held and connection.vendor == "postgresql":
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [self.NAMESPACE, self.job_id])
            except DatabaseError:
                pass  # the connection is gone, and the lock with it
        self.held = False


def _start_job(job_id: int) -> ExportJob | None:
    """Mark the job running (one more attempt), or None if there is nothing to do."""
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().select_related("consultation").filter(pk=job_id).first()
        if job is None or job.status in (ExportJob.Status.DONE, ExportJob.Status.FAILED):
            return None
        if job.attempts >= settings.EXPORT_MAX_ATTEMPTS:
            job.status = ExportJob.Status.FAILED
            job.error = _(
                "The export was started %(attempts)d times without finishing (its worker stopped, or the "
                "database could not be reached). Request it again, or a smaller one (filters)."
            ) % {"attempts": job.attempts}
            job.finished_at = timezone.now()
            job.save(update_fields=["status", "error", "finished_at"])
            return None
        job.status = ExportJob.Status.RUNNING
        job.attempts += 1
        job.progress = 0
        job.error = ""
        job.started_at = timezone.now()
        job.save(update_fields=["status", "attempts", "progress", "error", "started_at"])
    return job


def _build_file(job: ExportJob, on_progress: ProgressCallback) -> int:
    """Write the job's file into private storage (atomically: a partial file never shows); rows written."""
    filters = filters_from_json(job.filters)
    name = export_storage_name(job)
    path = private_storage.path(name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    partial = path + ".part"
    with open(partial, "wb") as out:
        if job.kind == ExportJob.Kind.TALLIES:
            tables = tally_tables(job.consultation, filters, on_progress)
            out.write(tallies_file(tables, job.format))
            rows = sum(len(table.rows) for table in tables)
        else:
            rows = write_records(
                consultation=job.consultation,
                what=job.kind,
                fmt=job.format,
                out=out,
                filters=filters,
                on_progress=on_progress,
            )
    os.replace(partial, path)
    return rows


def run_export_job(job_id: int) -> ExportJob | None:
    """Build one export job's file; idempotent and safe to deliver more than once.

    A done or failed job is left as it is; a job another live worker is building raises
    ExportBusy (the task tries again later, by when it is done); a job whose builder died is taken
    over, up to EXPORT_MAX_ATTEMPTS attempts, then failed with a reason. Progress is saved as it
    goes. Errors that a retry may cure (the database went away) propagate for the task to retry;
    any other error, and running out of time, fail the job with a message staff can read.
    Returns the job as it ended, or None if there was nothing to do.
    """
    lock = _JobLock(job_id)
    if not lock.acquire():
        raise ExportBusy(job_id)
    try:
        job = _start_job(job_id)
        if job is None:
            return None
        attempt = job.attempts
        this_attempt = ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.RUNNING, attempts=attempt)

        def on_progress(done: int, total: int) -> None:
            percent = min(99, int(done * 100 / total)) if total else 0
            this_attempt.update(progress=percent)

        try:
            rows = _build_file(job, on_progress)
        except (SoftTimeLimitExceeded, ExportError) as error:
            reason = (
                _("The export took longer than the time limit (%(seconds)d seconds); narrow it with filters.")
                % {"seconds": settings.CELERY_TASK_SOFT_TIME_LIMIT}
                if isinstance(error, SoftTimeLimitExceeded)
                else str(error)
            )
            this_attempt.update(status=ExportJob.Status.FAILED, error=reason, finished_at=timezone.now())
            return ExportJob.objects.get(pk=job.pk)
        except DatabaseError:
            raise  # the task retries with backoff
        except Exception as error:
            logger.exception("Export job %s failed.", job_id)
            this_attempt.update(
                status=ExportJob.Status.FAILED,
                error=_("The export failed unexpectedly (%(error)s).") % {"error": type(error).__name__},
                finished_at=timezone.now(),
            )
            return ExportJob.objects.get(pk=job.pk)
        finished = this_attempt.update(
            status=ExportJob.Status.DONE,
            progress=100,
            row_count=rows,
            file=export_storage_name(job),
            finished_at=timezone.now(),
        )
        if not finished:  # the sweep gave up on this attempt meanwhile: its file is not wanted
            logger.warning("Export job %s finished after it was marked failed; file discarded.", job_id)
            private_storage.delete(export_storage_name(job))
        return ExportJob.objects.get(pk=job.pk)
    finally:
        lock.release()


def stale_running_cutoff(now: datetime) -> datetime:
    """Jobs running since before this have outlived the hard time limit: their worker is gone."""
    return now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 120)


def fail_stale_export_jobs(*, now: datetime | None = None) -> int:
    """Fail (with a reason) jobs still "running" long after any worker would have been stopped.

    Catches a worker killed as a whole (its message then waits for the broker's visibility
    timeout) or a pool without time limits. Returns how many jobs it failed.
    """
    now = now or timezone.now()
    return ExportJob.objects.filter(status=ExportJob.Status.RUNNING, started_at__lt=stale_running_cutoff(now)).update(
        status=ExportJob.Status.FAILED,
        error=_(
            "The worker building this export stopped without finishing (restarted, or out of memory). Request it again."
        ),
        finished_at=now,
    )


def delete_export_files(jobs) -> int:
    """Delete the files of these jobs from private storage and forget them; returns how many."""
    deleted = 0
    for job in jobs.exclude(file=""):
        job.file.delete(save=False)
        deleted += 1
    jobs.exclude(file="").update(file="")
    return deleted


def delete_expired_export_files(*, now: datetime | None = None) -> int:
    """Delete export files older than EXPORT_RETENTION_DAYS, and partial files left by dead workers."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.EXPORT_RETENTION_DAYS)
    deleted = delete_export_files(ExportJob.objects.filter(finished_at__lt=cutoff))
    directory = private_storage.path("exports")
    if os.path.isdir(directory):
        for entry in os.scandir(directory):
            if entry.name.endswith(".part") and entry.stat().st_mtime < (now - timedelta(days=1)).timestamp():
                os.remove(entry.path)
                deleted += 1
    return deleted


def write_to_output(
    render: Callable[[BinaryIO], object], output: str, stdout_binary: BinaryIO | None, *, seekable: bool = False
) -> None:
    """Run `render(out)` into the file `output` (atomically) or, for "-", into `stdout_binary`.

    A format that needs a seekable file (XLSX) reaches standard output through a temporary file.
    """
    if output != "-":
        directory = os.path.dirname(os.path.abspath(output))
        with tempfile.NamedTemporaryFile("wb", dir=directory, delete=False, suffix=".part") as out:
            try:
                render(out)
            except BaseException:
                out.close()
                os.remove(out.name)
                raise
        os.replace(out.name, output)
        return
    if stdout_binary is None:
        raise ExportError(_("Standard output cannot take binary data here; give --output PATH."))
    if not seekable:
        render(stdout_binary)
        stdout_binary.flush()
        return
    with tempfile.TemporaryFile() as buffer:
        render(buffer)
        buffer.seek(0)
        while chunk := buffer.read(1 << 20):
            stdout_binary.write(chunk)
    stdout_binary.flush()
