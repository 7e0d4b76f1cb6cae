"""Writing record exports: CSV (COPY on PostgreSQL), JSON and XLSX, streamed in constant memory."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import BinaryIO

from django.db import connection
from django.utils.translation import gettext as _
from openpyxl import Workbook

from ..models import Consultation
from ..results.tallies import TallyFilters
from .formats import FORMATS, RECORD_KINDS, UTF8_BOM, XLSX_MAX_ROWS, ExportError, ProgressCallback
from .neutralise import xlsx_cell
from .pg_copy import write_csv_copy
from .records import RECORD_COLUMNS, Progress, count_records, iter_records


def _write_csv_rows(rows: Iterable[tuple], columns, out: BinaryIO, progress: Progress) -> int:
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


def _write_json_rows(rows: Iterable[tuple], columns, out: BinaryIO, progress: Progress) -> int:
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


def _write_xlsx_rows(rows: Iterable[tuple], columns, out: BinaryIO, progress: Progress, title: str) -> int:
    """openpyxl's write-only mode streams rows to a temporary file, then zips it into `out`."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title)
    sheet.append(list(columns))
    count = 0
    for row in rows:
        sheet.append([xlsx_cell(value) for value in row])
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
    progress = Progress(on_progress, total)
    if fmt == "csv" and connection.vendor == "postgresql":
        count = write_csv_copy(consultation, what, filters, out, progress)
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
