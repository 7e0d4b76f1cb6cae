"""Spreadsheet formula injection: the one rule every text cell of every CSV and XLSX goes through.

A cell that a spreadsheet would read as a formula gets a leading apostrophe (OWASP "CSV injection").
`neutralise_sql` is its twin for the PostgreSQL COPY path; `xlsx_cell` also drops what XLSX forbids.
"""

from __future__ import annotations

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """The value with a leading apostrophe if it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def neutralise_sql(column: str) -> str:
    """SQL twin of `neutralise` for the COPY path (PostgreSQL)."""
    triggers = ", ".join(f"chr({ord(character)})" for character in FORMULA_TRIGGERS)
    return f"CASE WHEN left({column}, 1) IN ({triggers}) THEN '''' || {column} ELSE {column} END"


def xlsx_cell(value):
    """A value openpyxl stores as plain data: neutralised, without the control characters XLSX forbids."""
    value = neutralise(value)
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("\N{REPLACEMENT CHARACTER}", value)
    return value
