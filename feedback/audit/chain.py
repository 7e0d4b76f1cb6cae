"""The audit log as a hash chain: each ModerationEvent carries the hash of the one before it and its own.

An event's hash is SHA-256 over the previous event's hash and the event's own fields, in a fixed
canonical form (`event_hash`). Events follow each other in primary-key order; the first one follows
the empty hash. Changing any hashed field of a row, removing a row or inserting one breaks the chain
at that point, and `check_chain` names the first broken link. Someone who can rewrite the table could
recompute every later hash; a certificate (feedback/certification/) records the hash of the last event
it saw, which such a rewrite would change.

The concern link (`concern_id`) is not hashed: it is set to NULL, legitimately, when an author
withdraws their concern; `concern_number` keeps which concern it was.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connection

from ..models import ModerationEvent

GENESIS = ""
# pg_advisory_xact_lock's two keys: "civic" (as exports.jobs) and the audit chain.
CHAIN_LOCK_KEYS = (0x0C1C, 0x0A0D17)
HASHED_FIELDS = (
    "concern_number",
    "consultation_number",
    "concern_source",
    "actor_id",
    "from_status",
    "to_status",
    "reason",
    "created_at",
)


def _canonical_time(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def event_hash(previous_hash: str, fields: dict) -> str:
    """SHA-256 (hex) of the previous hash and the event's HASHED_FIELDS, as compact sorted JSON."""
    values = {name: fields[name] for name in HASHED_FIELDS}
    values["created_at"] = _canonical_time(values["created_at"])
    payload = json.dumps([previous_hash, values], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def lock_chain() -> str:
    """Take the chain's write lock (until the transaction ends) and return the hash of its last event.

    On PostgreSQL a transaction-scoped advisory lock serialises every writer of the audit log, so two
    events written at once never follow the same predecessor; the head is read after the lock is
    held. SQLite serialises writes itself. Call inside a transaction.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", list(CHAIN_LOCK_KEYS))
    head = ModerationEvent.objects.order_by("-pk").values_list("entry_hash", flat=True).first()
    return head or GENESIS


def seal(events: Iterable[ModerationEvent], previous_hash: str) -> str:
    """Set `previous_hash` and `entry_hash` on unsaved events, in the order they will be inserted.

    Returns the hash of the last one (the new head).
    """
    for event in events:
        event.previous_hash = previous_hash
        event.entry_hash = event_hash(previous_hash, {name: getattr(event, name) for name in HASHED_FIELDS})
        previous_hash = event.entry_hash
    return previous_hash


@dataclass(frozen=True)
class BrokenLink:
    event_id: int
    concern_number: int
    created_at: datetime
    problem: str  # "altered" (its own fields changed) or "missing-before" (it does not follow the event before)
    previous_id: int | None

    def describe(self) -> str:
        where = f"event #{self.event_id} (concern #{self.concern_number}, {_canonical_time(self.created_at)})"
        if self.problem == "altered":
            return f"{where} was changed after it was written: its hash no longer matches its contents"
        before = f"event #{self.previous_id}" if self.previous_id is not None else "the start of the log"
        return f"{where} does not follow {before}: an event between them was removed, or {before} was changed"


@dataclass(frozen=True)
class ChainCheck:
    events: int
    head_id: int | None
    head_hash: str
    first_broken: BrokenLink | None
    # {event id: stored entry hash} of the events asked for by `check_chain(remember=...)`.
    remembered: dict[int, str]


def check_chain(*, remember: Iterable[int] = ()) -> ChainCheck:
    """Walk the whole audit log in order, recomputing every hash; read-only, one streamed query."""
    wanted = set(remember)
    remembered: dict[int, str] = {}
    expected_previous, previous_id = GENESIS, None
    first_broken = None
    count, head_id, head_hash = 0, None, GENESIS
    rows = ModerationEvent.objects.order_by("pk").values("pk", "previous_hash", "entry_hash", *HASHED_FIELDS)
    for row in rows.iterator(chunk_size=5000):
        count += 1
        if row["pk"] in wanted:
            remembered[row["pk"]] = row["entry_hash"]
        recomputed = event_hash(row["previous_hash"], row)
        if first_broken is None:
            problem = None
            if row["previous_hash"] != expected_previous:
                problem = "missing-before"
            elif recomputed != row["entry_hash"]:
                problem = "altered"
            if problem:
                first_broken = BrokenLink(row["pk"], row["concern_number"], row["created_at"], problem, previous_id)
        expected_previous, previous_id = recomputed, row["pk"]
        head_id, head_hash = row["pk"], row["entry_hash"]
    return ChainCheck(
        events=count, head_id=head_id, head_hash=head_hash, first_broken=first_broken, remembered=remembered
    )
