"""Writing record exports: CSV (COPY on PostgreSQL), JSON and XLSX, streamed in constant memory.

A shareable file (the default) is k-anonymous with k = RESULTS_MIN_CELL (`exports.anonymity`); an internal
one is exact and says INTERNAL in every row (CSV), its readme sheet (XLSX) or its top level (JSON).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import BinaryIO

from django.conf import settings
from django.db import connection, transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook

from ..models import Consultation
from ..results.tallies import TallyFilters
from .anonymity import Generalisation, concern_cells, endorsement_cells, generalise
from .formats import FORMATS, RECORD_KINDS, UTF8_BOM, XLSX_MAX_ROWS, ExportError, ProgressCallback
from .neutralise import xlsx_cell
from .pg_copy import write_csv_copy
from .readme import records_readme
from .records import (
    CLASSIFICATION_COLUMN,
    INTERNAL,
    RECORD_COLUMNS,
    SHAREABLE,
    Progress,
    cells_table,
    count_records,
    iter_record_groups,
    iter_records,
)

# PostgreSQL's memory for one export's sorts and groupings (one connection at a time builds an export).
EXPORT_WORK_MEM = "64MB"
# At most this many identical records are written to the file at once (a group can be a whole day's endorsements).
GROUP_WRITE_RECORDS = 10_000


@dataclass(frozen=True)
class RecordsFile:
    """What `write_records` wrote: how many records, and the file's readme lines."""

    rows: int
    readme: list[str]
    internal: bool


def _write_csv_rows(rows: Iterable[tuple], columns, out: BinaryIO, progress: Progress, classification: str) -> int:
    out.write(UTF8_BOM)
    text = io.TextIOWrapper(out, encoding="utf-8", errors="replace", newline="", write_through=True)
    try:
        writer = csv.writer(text)
        writer.writerow((CLASSIFICATION_COLUMN, *columns))
        count = 0
        for row in rows:
            writer.writerow((classification, *row))
            count += 1
            if count % 1000 == 0:
                progress.advance(1000)
        return count
    finally:
        text.detach()  # leave `out` open for the caller


def _write_csv_groups(
    groups: Iterable[tuple[tuple, int]], columns, out: BinaryIO, progress: Progress, classification: str
) -> int:
    """CSV of groups of identical records: each group's line is written once and repeated as many times as it counts.

    A million endorsement records are about a hundred thousand groups, so this costs what the groups cost.
    """
    line = io.StringIO()
    writer = csv.writer(line)

    def encoded(row: tuple) -> bytes:
        line.seek(0)
        line.truncate()
        writer.writerow(row)
        return line.getvalue().encode("utf-8", errors="replace")

    out.write(UTF8_BOM + encoded((CLASSIFICATION_COLUMN, *columns)))
    count = 0
    for row, n in groups:
        record = encoded((classification, *row))
        for start in range(0, n, GROUP_WRITE_RECORDS):
            out.write(record * min(GROUP_WRITE_RECORDS, n - start))
        count += n
        progress.advance(n)
    return count


def _write_json_rows(rows: Iterable[tuple], columns, out: BinaryIO, progress: Progress, head: dict) -> int:
    """A JSON object: the classification and readme first, then `records`, an array written one object at a time."""
    out.write(json.dumps(head, ensure_ascii=False, indent=1)[:-2].encode("utf-8") + b',\n "records": [')
    count = 0
    for row in rows:
        item = json.dumps(dict(zip(columns, row, strict=True)), ensure_ascii=False)
        out.write((b",\n" if count else b"\n") + item.encode("utf-8", errors="replace"))
        count += 1
        if count % 1000 == 0:
            progress.advance(1000)
    out.write(b"\n ]\n}\n")
    return count


def _write_xlsx_rows(rows: Iterable[tuple], columns, out: BinaryIO, progress: Progress, title: str, readme) -> int:
    """openpyxl's write-only mode streams rows to a temporary file, then zips it into `out`; a readme sheet after."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title)
    sheet.append(list(columns))
    count = 0
    for row in rows:
        sheet.append([xlsx_cell(value) for value in row])
        count += 1
        if count % 1000 == 0:
            progress.advance(1000)
    notes = workbook.create_sheet(title="readme")
    for line in readme:
        notes.append([xlsx_cell(line)])
    workbook.save(out)
    return count


@contextmanager
def _one_snapshot() -> Iterator[None]:
    """A transaction in which the cells counted and the records written are the same rows.

    When it is the outermost transaction on PostgreSQL, it is REPEATABLE READ: an endorsement withdrawn
    between counting the cells and writing the rows cannot shrink a group below k.
    """
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                if outermost:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                # Counting the people of every cell groups the endorsements by participant: with PostgreSQL's
                # default 4 MB that grouping spills to disk from a few hundred thousand endorsements on.
                cursor.execute(f"SET LOCAL work_mem = '{EXPORT_WORK_MEM}'")
        yield


def _generalisation(consultation: Consultation, what: str, filters: TallyFilters) -> Generalisation:
    k = settings.RESULTS_MIN_CELL
    cells = endorsement_cells if what == "endorsements" else concern_cells
    return generalise(cells(consultation, filters, k), k)


def write_records(
    *,
    consultation: Consultation,
    what: str,
    fmt: str,
    out: BinaryIO,
    filters: TallyFilters | None = None,
    on_progress: ProgressCallback | None = None,
    internal: bool = False,
) -> RecordsFile:
    """Stream the records into `out`: shareable (k-anonymous, the whole consultation) or `internal` (exact).

    Memory does not grow with the number of rows: endorsements as CSV are groups of identical records read from
    a server-side cursor, each line written as many times as it counts; concerns as CSV on PostgreSQL are
    written chunk by chunk from `COPY ... TO STDOUT`; every other case reads a server-side cursor in chunks.
    XLSX needs a seekable `out` and refuses more rows than a sheet holds. A shareable export refuses filters and
    selections (ExportError): two differently narrowed k-anonymous files could be compared to single someone out.
    Who may ask for an internal file is the caller's to check (`jobs.can_export_internal`).
    """
    if what not in RECORD_KINDS:
        raise ExportError(_("Unknown records: %(what)s.") % {"what": what})
    if fmt not in FORMATS:
        raise ExportError(_("Unknown format: %(format)s.") % {"format": fmt})
    filters = filters or TallyFilters()
    if not internal and filters != TallyFilters():
        raise ExportError(
            _(
                "A shareable export covers the whole consultation: filters and selections are only for exact, "
                "internal exports, which need the permission to export internal records."
            )
        )
    columns = RECORD_COLUMNS[what]
    classification = INTERNAL if internal else SHAREABLE
    with _one_snapshot():
        generalisation = None if internal else _generalisation(consultation, what, filters)
        if generalisation is not None:
            total = generalisation.rows_kept
        else:
            total = count_records(consultation, what, filters) if on_progress is not None or fmt == "xlsx" else 0
        if fmt == "xlsx" and total > XLSX_MAX_ROWS:
            raise ExportError(
                _("%(rows)d rows do not fit in one XLSX sheet (at most %(max)d); export them as CSV or JSON.")
                % {"rows": total, "max": XLSX_MAX_ROWS}
            )
        progress = Progress(on_progress, total)
        anonymised = generalisation is not None
        with cells_table(generalisation):
            if fmt == "csv" and what == "endorsements":
                groups = iter_record_groups(consultation, filters, anonymised=anonymised)
                count = _write_csv_groups(groups, columns, out, progress, classification)
            elif fmt == "csv" and connection.vendor == "postgresql":
                count = write_csv_copy(
                    consultation, filters, out, progress, anonymised=anonymised, classification=classification
                )
            else:
                rows = iter_records(consultation, what, filters, anonymised=anonymised)
                readme = records_readme(consultation=consultation, what=what, generalisation=generalisation)
                if fmt == "csv":
                    count = _write_csv_rows(rows, columns, out, progress, classification)
                elif fmt == "json":
                    head = {CLASSIFICATION_COLUMN: classification, "readme": readme, "columns": list(columns)}
                    count = _write_json_rows(rows, columns, out, progress, head)
                else:
                    count = _write_xlsx_rows(rows, columns, out, progress, what, readme)
    progress.finish()
    readme = records_readme(consultation=consultation, what=what, generalisation=generalisation)
    return RecordsFile(rows=count, readme=readme, internal=internal)
