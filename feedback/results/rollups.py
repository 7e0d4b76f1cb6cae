"""Checking the roll-ups against the raw rows, and repairing them: `check_aggregates` and its hourly task.

The services keep the roll-ups exact as they write (feedback/aggregates.py); this is the proof, and the safety
net for whatever wrote rows around them (a restore, a hand-made SQL fix, a topic or remedy deleted in the admin).
The recount itself is in results/recount.py.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import connection, transaction

from ..counters import add_to_counts
from ..models import Consultation
from .recount import ROLLUP_COUNTS, ROLLUP_KEYS, ROLLUP_MODELS, lock_rollups, recount_cells, stored_cells

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Drift:
    """One roll-up cell whose stored count is not what the raw rows count."""

    consultation: str  # its slug
    table: str  # "endorsements", "concerns" or "participants"
    cell: dict  # the cell's key, field by field
    stored: int
    counted: int

    def __str__(self) -> str:
        where = ", ".join(f"{name}={value}" for name, value in self.cell.items())
        return f"{self.consultation}: {self.table} [{where}]: stored {self.stored}, counted {self.counted}"


@dataclass(frozen=True)
class RollupCheck:
    drifts: list[Drift]
    repaired: bool  # every drift found was corrected


def _drifts(consultation: Consultation) -> list[Drift]:
    counted, stored = recount_cells(consultation), stored_cells(consultation)
    found = []
    for table, keys in ROLLUP_KEYS.items():
        for cell in sorted(set(counted[table]) | set(stored[table]), key=repr):
            should, has = counted[table].get(cell, 0), stored[table].get(cell, 0)
            if should != has:
                found.append(Drift(consultation.slug, table, dict(zip(keys, cell, strict=True)), has, should))
    return found


def _snapshot_drifts(consultations: list[Consultation]) -> list[Drift]:
    """The drifts, counted in one snapshot of the database, blocking no writer.

    On PostgreSQL the transaction is REPEATABLE READ: every recount and every roll-up read see the same
    committed state, and since each writer changes its rows and their roll-ups in one transaction, that state is
    consistent: a write in flight during the check is no drift. (Inside an outer transaction, as in tests, the
    isolation is the outer one's.)
    """
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        return [drift for consultation in consultations for drift in _drifts(consultation)]


def check_rollups(*, consultation: Consultation | None = None, repair: bool = False) -> RollupCheck:
    """Recount every roll-up of `consultation` (default: every consultation) from the raw rows; list each drift.

    The check blocks no writer (see `_snapshot_drifts`). With `repair`, and only when something drifted, the
    roll-ups are then locked against writers (aggregates.lock_rollups: they wait, readers do not), recounted
    again under the lock, and each drifted cell set to the recount by adding the difference, in one
    transaction: a repair never loses an endorsement written while it runs. Idempotent.
    """
    consultations = [consultation] if consultation is not None else list(Consultation.objects.order_by("pk"))
    drifts = _snapshot_drifts(consultations)
    if not drifts or not repair:
        return RollupCheck(drifts=drifts, repaired=False)
    with transaction.atomic():
        lock_rollups()
        drifted = {drift.consultation for drift in drifts}
        for current in consultations:
            if current.slug in drifted:
                _repair(_drifts(current))
    for drift in drifts:
        logger.warning("Roll-up drift repaired: %s", drift)
    return RollupCheck(drifts=drifts, repaired=True)


def _repair(drifts: list[Drift]) -> None:
    for table, model in ROLLUP_MODELS.items():
        rows = [
            {**drift.cell, ROLLUP_COUNTS[table]: drift.counted - drift.stored}
            for drift in drifts
            if drift.table == table
        ]
        add_to_counts(model, rows, keys=ROLLUP_KEYS[table], counts=(ROLLUP_COUNTS[table],))
