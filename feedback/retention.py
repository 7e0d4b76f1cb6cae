"""Retention and snapshots, run by Celery beat (feedback/tasks.py): personal data is deleted when its time comes.

`purge_consultation` is the end of a consultation's personal data: it deletes what could identify or link the
people who took part and keeps every figure as it was (see its docstring).
"""

from __future__ import annotations

import logging
import random
import uuid
from dataclasses import asdict, dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from .bursts.arrivals import purge_old_arrivals
from .exports.jobs import delete_expired_export_files
from .models import (
    Concern,
    Consultation,
    Endorsement,
    ParticipantDetails,
    ParticipantRollup,
    PurgeSnapshot,
    Remedy,
    Report,
    TallySnapshot,
    VerifiedParticipant,
)
from .results.tallies import Tallies, participant_counts, tallies_for

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PurgeResult:
    contact_emails: int
    reports: int
    export_files: int
    participant_details: int = 0
    arrival_counts: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "contact_emails": self.contact_emails,
            "reports": self.reports,
            "export_files": self.export_files,
            "participant_details": self.participant_details,
            "arrival_counts": self.arrival_counts,
        }


def purge_expired_personal_data(*, now=None) -> PurgeResult:
    """Delete what the privacy page promises to delete, once its time has come. Idempotent.

    - Contact emails (and the consent that goes with them) of concerns received more than
      CONTACT_EMAIL_RETENTION_DAYS ago; the concern itself stays.
    - Reports older than REPORT_PARTICIPANT_RETENTION_DAYS (by default the participant cookie's
      lifetime): a report's only personal trace is the participant id, which by then no browser
      carries; the concern keeps its report count.
    - Export files older than EXPORT_RETENTION_DAYS (the job stays listed, without its file),
      and partial files left by a worker that died.
    - The "about you" details of participants whose cookie has expired (PARTICIPANT_COOKIE_DAYS
      after it was last renewed): no browser can ask for them any more.
    - Per-minute arrival counts older than BURST_WINDOW_RETENTION_DAYS (feedback/bursts/): they hold
      no participant id, but they are the only record of arrivals finer than the day.
    Endorsements keep their participant id: it is a random number in a cookie, tied to nothing
    else, never exported, and it is what keeps one endorsement per person and counts participants.
    """
    now = now or timezone.now()
    emails = (
        Concern.objects.filter(created_at__lt=now - timedelta(days=settings.CONTACT_EMAIL_RETENTION_DAYS))
        .exclude(contact_email="", contact_consent=False)
        .update(contact_email="", contact_consent=False)
    )
    reports, _by_model = Report.objects.filter(
        created_at__lt=now - timedelta(days=settings.REPORT_PARTICIPANT_RETENTION_DAYS)
    ).delete()
    details, _by_model = ParticipantDetails.objects.filter(
        saved_on__lt=timezone.localdate(now) - timedelta(days=settings.PARTICIPANT_COOKIE_DAYS)
    ).delete()
    return PurgeResult(
        contact_emails=emails,
        reports=reports,
        export_files=delete_expired_export_files(now=now),
        participant_details=details,
        arrival_counts=purge_old_arrivals(now=now),
    )


def take_tally_snapshots(*, day=None) -> int:
    """Store today's exact tallies of every open consultation; returns how many snapshots it wrote.

    Idempotent per day: one TallySnapshot per consultation and day, replaced by a later run on
    the same day (so the last one of a day holds that day's closing figures).
    """
    day = day or timezone.localdate()
    written = 0
    for consultation in Consultation.objects.filter(status=Consultation.Status.OPEN, purged_on__isnull=True):
        TallySnapshot.objects.update_or_create(
            consultation=consultation, day=day, defaults={"tallies": tally_counts(tallies_for(consultation))}
        )
        written += 1
    return written


def tally_counts(tallies: Tallies) -> dict:
    """Every figure of `tallies` as plain JSON (counts by key), as snapshots keep them."""

    def by_key(rows) -> dict[str, int]:
        return {row.key or "": row.count for row in rows}

    return {
        "total_endorsements": tallies.total_endorsements,
        "total_participants": tallies.total_participants,
        "total_concerns": tallies.total_concerns,
        "concerns_by_status": tallies.concerns_by_status,
        "endorsements_per_remedy": by_key(tallies.endorsements_per_remedy),
        "concerns_per_topic": by_key(tallies.concerns_per_topic),
        "endorsements_by_area": by_key(tallies.endorsements_by_area),
        "endorsements_by_role": by_key(tallies.endorsements_by_role),
        "concerns_by_area": by_key(tallies.concerns_by_area),
        "concerns_by_role": by_key(tallies.concerns_by_role),
        "per_day": [[row.day.isoformat(), row.concerns, row.endorsements] for row in tallies.per_day],
    }


# --- Purging a consultation that has ended ---------------------------------------------------------------------


class ConsultationStillOpen(Exception):
    """Only a closed consultation can be purged: an open one still takes responses."""


@dataclass(frozen=True)
class ConsultationPurge:
    already_purged: bool
    concern_texts: int  # concerns never published whose words were deleted
    contact_emails: int
    receipts: int
    reports: int
    endorsements: int  # endorsements given a fresh participant id

    def as_dict(self) -> dict:
        return asdict(self)


def purge_consultation(*, consultation: Consultation) -> ConsultationPurge:
    """Delete what could identify or link the people who took part in a closed consultation; keep every figure.

    Refuses (ConsultationStillOpen) a consultation that has not closed. Otherwise, atomically:
    - its exact figures are stored first (PurgeSnapshot: every tally, and the distinct participants overall, per
      community area, role and both), so every public and staff figure stays exactly as it was;
    - concerns never published (pending, rejected, spam) lose their words and their moderation note
      (`purged_on` says when); published ones keep their words, which are public already;
    - every contact email (and its consent) and every receipt hash is deleted, so is every report;
    - endorsements are written again in a random order, each with a fresh random participant id: nothing links
      one person's endorsements to one another any more (not the id, not the order of the rows), while each
      keeps its remedy, day, role, community area and "verified", so the counts (and their roll-ups) do not move;
      its participant roll-ups go, as its people are counted by the PurgeSnapshot from then on;
    - the consultation is marked purged and never accepts responses again.
    Idempotent: a purged consultation is left as it is (`already_purged`). After the commit, the touched tables
    are rewritten on PostgreSQL (rewrite_tables) so the deleted values leave its data files.
    """
    with transaction.atomic():
        consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
        if consultation.purged_on is not None:
            return ConsultationPurge(True, 0, 0, 0, 0, 0)
        if not consultation.has_closed():
            raise ConsultationStillOpen
        PurgeSnapshot.objects.create(
            consultation=consultation,
            day=timezone.localdate(),
            tallies=tally_counts(tallies_for(consultation)),
            participants=participant_counts(consultation),
        )
        concerns = Concern.objects.filter(consultation=consultation)
        texts = (
            concerns.exclude(status=Concern.Status.APPROVED)
            .exclude(purged_on__isnull=False)
            .update(text="", moderation_note="", purged_on=timezone.localdate())
        )
        emails = concerns.exclude(contact_email="", contact_consent=False).update(
            contact_email="", contact_consent=False
        )
        receipts = concerns.exclude(receipt_hash="").update(receipt_hash="")
        reports, _by_model = Report.objects.filter(concern__consultation=consultation).delete()
        endorsements = _unlink_endorsements(consultation)
        # Every endorsement now counts as its own participant; the people are in the PurgeSnapshot instead.
        ParticipantRollup.objects.filter(consultation=consultation).delete()
        # Keyed hashes of participant ids that no endorsement carries any more (each keeps its "verified").
        VerifiedParticipant.objects.filter(consultation=consultation).delete()
        consultation.purged_on = timezone.localdate()
        consultation.save(update_fields=["purged_on"])
        transaction.on_commit(lambda: rewrite_tables(models=[Concern, Endorsement, Report]))
    return ConsultationPurge(False, texts, emails, receipts, reports, endorsements)


def _unlink_endorsements(consultation: Consultation) -> int:
    """Write the consultation's endorsements again, shuffled, each with a fresh participant id; returns how many.

    On PostgreSQL one statement (DELETE … RETURNING into INSERT … ORDER BY random()); elsewhere in Python.
    """
    remedies = Remedy.objects.filter(consultation=consultation)
    if connection.vendor == "postgresql":
        table, remedy_table = Endorsement._meta.db_table, Remedy._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                WITH old AS (
                    DELETE FROM {table} AS e USING {remedy_table} AS r
                    WHERE e.remedy_id = r.id AND r.consultation_id = %s
                    RETURNING e.remedy_id, e.role, e.community_area, e.created_at, e.verified
                )
                INSERT INTO {table} (remedy_id, participant, role, community_area, created_at, verified)
                SELECT remedy_id, gen_random_uuid(), role, community_area, created_at, verified FROM old
                ORDER BY random()
                """,  # noqa: S608  # nosec B608  # table names from the models, the one value bound
                [consultation.pk],
            )
            return cursor.rowcount
    endorsements = Endorsement.objects.filter(remedy__in=remedies)
    rows = list(endorsements.values_list("remedy_id", "role", "community_area", "created_at", "verified"))
    random.SystemRandom().shuffle(rows)
    endorsements.delete()
    Endorsement.objects.bulk_create(
        Endorsement(
            remedy_id=remedy_id,
            participant=uuid.uuid4(),
            role=role,
            community_area=area,
            created_at=day,
            verified=verified,
        )
        for remedy_id, role, area, day, verified in rows
    )
    return len(rows)


def consultations_due_for_purge(*, today: date | None = None) -> list[Consultation]:
    """Closed consultations whose purge day (purge_due_on) has come and that are not purged yet."""
    today = today or timezone.localdate()
    candidates = Consultation.objects.filter(purged_on__isnull=True, closes_at__isnull=False)
    return [c for c in candidates if c.has_closed() and c.purge_due_on() <= today]


def purge_closed_consultations(*, today: date | None = None) -> dict[str, dict]:
    """Purge every consultation whose purge day has come (the beat's daily run); returns each one's counts by slug."""
    return {c.slug: purge_consultation(consultation=c).as_dict() for c in consultations_due_for_purge(today=today)}


def rewrite_concerns_table() -> list[str]:
    """After a concern was withdrawn: its words leave the concerns table's data files (see rewrite_tables)."""
    return rewrite_tables(models=[Concern])


def rewrite_tables(*, models: list[type[Model]]) -> list[str]:
    """Rewrite these models' tables (and their indexes) on PostgreSQL with VACUUM FULL; returns the tables rewritten.

    A deleted or updated row stays in PostgreSQL's data files until its space is reused, even after a plain VACUUM;
    VACUUM FULL writes the live rows into new files and drops the old ones. It needs an exclusive lock: it waits at
    most 5 seconds for it (never queueing residents' requests behind it for long) and otherwise gives up with a log
    line, to be done by the next withdrawal or purge. Nothing to do on other databases, or inside a transaction
    (VACUUM cannot run there). What PostgreSQL's write-ahead log and backups keep is in README ("What is kept").
    """
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return []
    done = []
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '5s'")
        try:
            for model in models:
                table = model._meta.db_table
                try:
                    cursor.execute(f"VACUUM FULL {connection.ops.quote_name(table)}")
                except Exception as error:  # a lock not granted in time, or the database going away: try next time
                    logger.warning(
                        "Could not rewrite %s (%s); the next purge or withdrawal will.", table, type(error).__name__
                    )
                    continue
                done.append(table)
        finally:
            cursor.execute("RESET lock_timeout")
    return done
