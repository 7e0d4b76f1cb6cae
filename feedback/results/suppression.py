"""Small-cell suppression: no published breakdown shows a group of fewer than RESULTS_MIN_CELL people."""

from __future__ import annotations

from .tallies import TallyRow


def suppress_small_cells(rows: list[TallyRow], minimum: int) -> list[TallyRow]:
    """Hide counts of fewer than `minimum` people in a breakdown.

    When exactly one cell is hidden, the next smallest is hidden too: otherwise the
    breakdown's overall total minus the shown cells would give the hidden one away.
    """
    hidden = [row for row in rows if row.count and row.count < minimum]
    if len(hidden) == 1:
        shown = [row for row in rows if row.count and row.count >= minimum]
        if shown:
            hidden.append(min(shown, key=lambda row: row.count))
    hidden_ids = {id(row) for row in hidden}
    return [
        TallyRow(label=row.label, count=None, key=row.key, suppressed=True) if id(row) in hidden_ids else row
        for row in rows
    ]
