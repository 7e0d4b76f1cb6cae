"""Putting demo rows into the database fast: COPY with indexes rebuilt after (PostgreSQL), bulk_create elsewhere.

All or nothing: one transaction. Used by `generate_demo_data` and the benchmarks.
"""

from __future__ import annotations

import secrets
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Max
from django.utils import timezone
from psycopg import IntegrityError as PsycopgIntegrityError

from ..audit.chain import event_hash, lock_chain
from ..briefing.selectors import default_consultation
from ..bursts.arrivals import add_arrivals, minute_of
from ..counters import add_to_counts
from ..models import (
    ArrivalCount,
    ArrivalKind,
    Concern,
    ConcernIntake,
    ConcernRollup,
    ConcernTotal,
    Consultation,
    Endorsement,
    EndorsementRollup,
    EndorsementTotal,
    ModerationEvent,
    ParticipantRollup,
    Remedy,
    Report,
    Topic,
)
from .generator import (
    CONCERN_COLUMNS,
    ENDORSEMENT_COLUMNS,
    EVENT_COLUMNS,
    REPORT_COLUMNS,
    DemoDataGenerator,
    DemoRows,
    EndorserVisit,
)
from .rollups import add_counted_rows, endorsement_counts_from_rollups

ANALYZED_AFTER_A_LOAD = (
    Concern,
    Endorsement,
    ModerationEvent,
    Report,
    Remedy,
    ArrivalCount,
    ConcernIntake,
    EndorsementRollup,
    EndorsementTotal,
    ConcernRollup,
    ConcernTotal,
    ParticipantRollup,
)

BATCH = 5_000  # rows per bulk_create batch (SQLite) and per COPY write (PostgreSQL)
# PostgreSQL: from this many new rows (and at least as many as the table holds), indexes are rebuilt.
BULK_LOAD_MIN_ROWS = 50_000


class DemoDataError(Exception):
    """The demo data cannot be added as asked; nothing was added. The message is for the operator."""


@dataclass
class DemoLoadResult:
    consultation: Consultation
    rows: DemoRows
    seed: int
    seconds: float
    timings: list[tuple[str, float]] = field(default_factory=list)


class _NoProgress:
    def update(self, n: int) -> None:
        pass


def demo_consultation(slug: str | None) -> Consultation:
    """The consultation to fill: `slug`, else the open one shown at "/", else any open one."""
    if slug:
        consultation = Consultation.objects.filter(slug=slug).first()
        if consultation is None:
            raise DemoDataError(f"No consultation with the slug {slug!r}.")
        return consultation
    consultation = default_consultation()
    if consultation is None or consultation.status != Consultation.Status.OPEN:
        consultation = Consultation.objects.filter(status=Consultation.Status.OPEN).first()
    if consultation is None:
        raise DemoDataError(
            "There is no open consultation: run `manage.py load_briefing` first, or pass --consultation SLUG."
        )
    return consultation


def load_demo_data(
    *, consultation: Consultation, concerns: int, endorsements: int, seed: int | None = None, progress=None
) -> DemoLoadResult:
    """Add `concerns` synthetic concerns and `endorsements` endorsements to `consultation`, atomically.

    Raises DemoDataError (nothing added) for negative counts, a consultation without remedies to endorse,
    or rows that clash with existing ones (the same seed used before). The roll-ups get the new rows' counts
    (counted as they are generated), each remedy's endorsement count is summed from them and, on PostgreSQL,
    the tables are analysed afterwards. `progress` (e.g. tqdm) gets `update(rows)`.
    As the services would, it chains the audit events, counts the concerns received and endorsements made
    (the certified ledger), and adds the last BURST_WINDOW_RETENTION_DAYS to the per-minute arrival counts.
    """
    if concerns < 0 or endorsements < 0:
        raise DemoDataError("--concerns and --endorsements must be zero or more.")
    topics = list(Topic.objects.filter(consultation=consultation, is_published=True).order_by("pk"))
    remedies = list(Remedy.objects.filter(consultation=consultation, is_published=True).order_by("pk"))
    if endorsements and not remedies:
        raise DemoDataError(f"The consultation {consultation.slug!r} has no published remedy to endorse.")
    seed = secrets.randbelow(2**31) if seed is None else seed
    loader = _DemoLoader(progress or _NoProgress(), consultation)
    started = time.monotonic()
    generator = DemoDataGenerator(seed=seed, consultation=consultation, topics=topics, remedies=remedies)
    try:
        with loader.timed("commit"), transaction.atomic():
            with loader.timed("generate concerns"):
                rows = generator.generate(
                    concern_ids=loader.reserve_concern_ids(concerns), endorsements=endorsements, now=timezone.now()
                )
                rows.events = chained_events(rows.events)
            if connection.vendor == "postgresql":
                loader.copy_rows(rows, loader.progress)
            else:
                loader.bulk_create_rows(rows, loader.progress)
            with loader.timed("counters and arrivals"):
                loader.save_counters(rows)
            with loader.timed("roll-ups"):
                loader.save_rollups(rows)
            with loader.timed("endorsement counts"):
                endorsement_counts_from_rollups(consultation)
    except (IntegrityError, PsycopgIntegrityError) as error:
        raise DemoDataError(
            f"Nothing was added: the rows clash with existing ones ({error.__class__.__name__}). "
            "Was this seed used on this database before? Use another --seed."
        ) from None
    if connection.vendor == "postgresql":
        with loader.timed("analyze"), connection.cursor() as cursor:
            # Fresh statistics, so the dashboard's query plans fit the new size of the tables. The remedies too:
            # a dozen rows changed is below autovacuum's threshold, and a planner that thinks the consultation has
            # one remedy reads the endorsements once per remedy by index instead of once in all.
            for model in ANALYZED_AFTER_A_LOAD:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    return DemoLoadResult(
        consultation=consultation, rows=rows, seed=seed, seconds=time.monotonic() - started, timings=loader.timings
    )


def chained_events(events: list[tuple]) -> list[tuple]:
    """The events (EVENT_COLUMNS tuples) with their audit-chain hashes, in the order they will be inserted.

    Takes the chain's lock for the rest of the transaction, as every writer of the audit log does.
    """
    previous = lock_chain()
    chained = []
    for row in events:
        fields = dict(zip(EVENT_COLUMNS, row, strict=True))
        fields["previous_hash"] = previous
        fields["entry_hash"] = previous = event_hash(previous, fields)
        chained.append(tuple(fields[column] for column in EVENT_COLUMNS))
    return chained


def _copy_value(value) -> str:
    """One value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


class _DemoLoader:
    def __init__(self, progress, consultation: Consultation):
        self.progress = progress
        self.timings: list[tuple[str, float]] = []
        self.consultation = consultation
        self.kept_since = timezone.now() - timedelta(days=settings.BURST_WINDOW_RETENTION_DAYS)
        self.made: Counter[int] = Counter()
        # Endorsements per (remedy, area, role, verified, created_at), and visits per (area, role): every demo
        # participant is new and makes one visit, so each visit counts one person in each of its groups.
        self.endorsed: Counter[tuple] = Counter()
        self.visitors: Counter[tuple[str, str]] = Counter()
        self.arrivals: Counter[tuple[str, int, datetime]] = Counter()
        self.new_arrivals: Counter[tuple[str, int, datetime]] = Counter()

    def note_visit(self, visit: EndorserVisit) -> None:
        """Count a visit's endorsements as made and, if recent, as arrivals (its first from a new participant)."""
        self.made.update(visit.remedy_ids)
        self.visitors[(visit.community_area, visit.role)] += 1
        for remedy_id in visit.remedy_ids:
            self.endorsed[(remedy_id, visit.community_area, visit.role, False, visit.created_at)] += 1
        if visit.arrived_at >= self.kept_since:
            minute = minute_of(visit.arrived_at)
            for position, remedy_id in enumerate(visit.remedy_ids):
                self.arrivals[(ArrivalKind.ENDORSEMENT, remedy_id, minute)] += 1
                self.new_arrivals[(ArrivalKind.ENDORSEMENT, remedy_id, minute)] += position == 0

    def save_counters(self, rows: DemoRows) -> None:
        """What the services count as they go: concerns received, endorsements made, arrivals per minute."""
        for moment, topic in rows.concern_arrivals:
            if moment >= self.kept_since:
                key = (ArrivalKind.CONCERN, topic, minute_of(moment))
                self.arrivals[key] += 1
                self.new_arrivals[key] += 1  # a web concern without a participant cookie
        add_arrivals(
            (self.consultation.pk, kind, subject, minute, n, self.new_arrivals[(kind, subject, minute)])
            for (kind, subject, minute), n in self.arrivals.items()
        )
        received = Counter(row[CONCERN_COLUMNS.index("source")] for row in rows.concerns)
        add_to_counts(
            ConcernIntake,
            [{"consultation": self.consultation.pk, "source": source, "received": n} for source, n in received.items()],
            keys=("consultation", "source"),
            counts=("received",),
        )
        for remedy_id, n in self.made.items():
            Remedy.objects.filter(pk=remedy_id).update(endorsements_made=F("endorsements_made") + n)

    def save_rollups(self, rows: DemoRows) -> None:
        """Add the new rows to the roll-ups, counted as they were generated (`demo.rollups`)."""
        add_counted_rows(self.consultation, self.endorsed, self.visitors, rows.concerns)

    @contextmanager
    def timed(self, label: str):
        """Time a phase (the outer "commit" includes the inner ones)."""
        started = time.monotonic()
        try:
            yield
        finally:
            self.timings.append((label, time.monotonic() - started))

    def reserve_concern_ids(self, count: int) -> list[int]:
        """Primary keys for the new concerns, known in advance so their events and reports can point at them."""
        if not count:
            return []
        table = Concern._meta.db_table
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
                )
                return [row[0] for row in cursor.fetchall()]
        # Elsewhere (SQLite, for development) the numbers after the highest one; ids given explicitly
        # do not disturb SQLite's own numbering, which continues after the highest id.
        first = (Concern.objects.aggregate(highest=Max("pk"))["highest"] or 0) + 1
        return list(range(first, first + count))

    def copy_rows(self, rows: DemoRows, progress) -> None:
        with connection.cursor() as cursor:
            # Index builds sort in memory instead of on disk (this transaction only).
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            # Run the foreign-key checks still pending in this transaction now: a table with pending
            # checks cannot be altered (see _bulk_load). Deferred again at the end, as Django has them.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            with self.timed("copy concerns"), self._bulk_load(cursor, Concern, len(rows.concerns)):
                self._copy(cursor, Concern, CONCERN_COLUMNS, self._lines(rows.concerns, progress))
            with self.timed("copy events and reports"), self._bulk_load(cursor, ModerationEvent, len(rows.events)):
                self._copy(cursor, ModerationEvent, EVENT_COLUMNS, self._lines(rows.events))
                self._copy(cursor, Report, REPORT_COLUMNS, self._lines(rows.reports))
            with (
                self.timed("generate and copy endorsements"),
                self._bulk_load(cursor, Endorsement, rows.endorsement_count),
            ):
                self._copy(cursor, Endorsement, ENDORSEMENT_COLUMNS, self._endorsement_lines(rows.visits, progress))
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")

    @contextmanager
    def _bulk_load(self, cursor, model, row_count: int):
        """Load a large batch without maintaining indexes and checking foreign keys row by row.

        When the new rows are many (BULK_LOAD_MIN_ROWS or more, and at least as many as the table
        holds), the table's secondary indexes, unique and foreign-key constraints are dropped
        before the COPY and re-created, exactly as they were, after it: a sorted index build and
        one foreign-key validation query are much faster than a million single updates and checks.
        Everything is checked again when re-created (a duplicate fails the whole run), and it all
        happens inside the command's transaction, which holds the table locked meanwhile.
        """
        table = model._meta.db_table
        cursor.execute("SELECT GREATEST(reltuples, 0) FROM pg_class WHERE oid = %s::regclass", [table])
        if row_count < max(BULK_LOAD_MIN_ROWS, cursor.fetchone()[0]):
            yield
            return
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('f', 'u') ORDER BY conname",
            [table],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT index_class.relname, pg_get_indexdef(index.indexrelid) FROM pg_index index "
            "JOIN pg_class index_class ON index_class.oid = index.indexrelid "
            "WHERE index.indrelid = %s::regclass AND NOT index.indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conindid = index.indexrelid) ORDER BY 1",
            [table],
        )
        indexes = cursor.fetchall()
        quoted = connection.ops.quote_name(table)
        for name, _definition in constraints:
            cursor.execute(f"ALTER TABLE {quoted} DROP CONSTRAINT {connection.ops.quote_name(name)}")
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        yield
        for _name, definition in indexes:
            cursor.execute(definition)
        for name, definition in constraints:
            cursor.execute(f"ALTER TABLE {quoted} ADD CONSTRAINT {connection.ops.quote_name(name)} {definition}")

    @staticmethod
    def _lines(rows: list[tuple], progress=None) -> Iterator[str]:
        for start in range(0, len(rows), BATCH):
            batch = rows[start : start + BATCH]
            yield "".join("\t".join(map(_copy_value, row)) + "\n" for row in batch)
            if progress is not None:
                progress.update(len(batch))

    def _endorsement_lines(self, visits: Iterator[EndorserVisit], progress) -> Iterator[str]:
        """COPY text of the endorsements, a batch at a time; one visit's rows share all but the remedy."""
        lines: list[str] = []
        days: dict[datetime, str] = {}  # a visit's day as COPY text; there are about sixty
        for visit in visits:
            self.note_visit(visit)
            day = days.get(visit.created_at) or days.setdefault(visit.created_at, visit.created_at.isoformat())
            rest = f"\t{visit.participant}\t{visit.role}\t{visit.community_area}\t{day}\n"
            lines.extend(f"{remedy_id}{rest}" for remedy_id in visit.remedy_ids)
            if len(lines) >= BATCH:
                yield "".join(lines)
                progress.update(len(lines))
                lines = []
        if lines:
            yield "".join(lines)
            progress.update(len(lines))

    @staticmethod
    def _copy(cursor, model, columns: tuple[str, ...], chunks: Iterator[str]) -> None:
        table = connection.ops.quote_name(model._meta.db_table)
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for chunk in chunks:
                copy.write(chunk)

    def bulk_create_rows(self, rows: DemoRows, progress) -> None:
        for model, columns, row_list, counted in (
            (Concern, CONCERN_COLUMNS, rows.concerns, True),
            (ModerationEvent, EVENT_COLUMNS, rows.events, False),
            (Report, REPORT_COLUMNS, rows.reports, False),
        ):
            for start in range(0, len(row_list), BATCH):
                batch = row_list[start : start + BATCH]
                model.objects.bulk_create(model(**dict(zip(columns, row, strict=True))) for row in batch)
                if counted:
                    progress.update(len(batch))
        batch = []
        for visit in rows.visits:
            self.note_visit(visit)
            batch.extend(
                Endorsement(
                    remedy_id=remedy_id,
                    participant=visit.participant,
                    role=visit.role,
                    community_area=visit.community_area,
                    created_at=visit.created_at,
                )
                for remedy_id in visit.remedy_ids
            )
            if len(batch) >= BATCH:
                Endorsement.objects.bulk_create(batch)
                progress.update(len(batch))
                batch = []
        if batch:
            Endorsement.objects.bulk_create(batch)
            progress.update(len(batch))
