"""What every export file shares: the formats, their content types, and how a file reaches its reader."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from typing import BinaryIO

import tablib
from django.utils.translation import gettext as _

from .neutralise import xlsx_cell

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


def dataset_file(dataset: tablib.Dataset, fmt: str) -> bytes:
    """A tablib dataset whose cells are already neutralised, as a CSV, XLSX or JSON file's bytes."""
    if fmt == "csv":
        return UTF8_BOM + dataset.export("csv").encode("utf-8")
    if fmt == "xlsx":
        clean = tablib.Dataset(headers=dataset.headers, title=dataset.title)
        for row in dataset:
            clean.append([xlsx_cell(value) for value in row])
        return clean.export("xlsx")
    return dataset.export("json").encode("utf-8")


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
