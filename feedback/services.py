"""Writes: every way the domain changes goes through one of these functions.

Views, admin actions, Celery tasks and management commands call them; none of those
edges writes to the models directly.
"""

from __future__ import annotations

import hmac
import secrets
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from .models import Concern, Consultation, Endorsement, ModerationEvent, Remedy, Report, Topic
from .notifications import schedule_moderator_digest

# --- Residents taking part: concerns, receipts, reports, endorsements ---------------------------


class ConsultationClosed(Exception):
    """The consultation no longer accepts new concerns or endorsements."""


CONCERN_MIN_LENGTH = 10
CONCERN_MAX_LENGTH = 2000

# Receipt codes avoid look-alike characters (0/O, 1/I/L) so they are easy to copy by hand.
RECEIPT_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
RECEIPT_LENGTH = 12

# How a withdrawal shows in the moderation log. The status vocabulary has no "withdrawn", so the
# event keeps the concern's last status on both sides and says what happened in its reason.
WITHDRAWN_BY_AUTHOR = "withdrawn by its author"


@dataclass(frozen=True)
class SubmittedConcern:
    concern: Concern
    receipt_code: str  # shown to the resident once, never stored


def new_receipt_code() -> str:
    """A random code such as 7KQM-X3TA-P9RD (about 59 bits of chance)."""
    raw = "".join(secrets.choice(RECEIPT_ALPHABET) for _position in range(RECEIPT_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, RECEIPT_LENGTH, 4))


def normalize_receipt_code(code: str) -> str:
    """The code as typed, without spaces or dashes and in capitals."""
    return "".join(character for character in code.upper() if character.isalnum())


def receipt_hash(code: str) -> str:
    """Keyed hash (HMAC-SHA256 with SECRET_KEY) of a receipt code: all the database keeps of it."""
    return salted_hmac("civictrust.receipt-code", normalize_receipt_code(code), algorithm="sha256").hexdigest()


def submit_concern(
    *,
    consultation: Consultation,
    text: str,
    role: str,
    community_area: str,
    language: str,
    topic: Topic | None = None,
    contact_email: str = "",
    contact_consent: bool = False,
    source: str = Concern.Source.WEB,
) -> SubmittedConcern:
    """Save a new concern, pending moderation, and return it with its one-time receipt code.

    Guarantees: the text is trimmed and 10 to 2,000 characters long; a contact email is kept only
    with consent; only a keyed hash of the receipt code is stored; moderators are notified after
    the commit. Atomic: on any ValidationError nothing is saved. Raises ConsultationClosed for a
    web submission to a consultation that no longer accepts responses (paper, phone and meeting
    answers collected earlier may still be typed in by staff).
    """
    if source == Concern.Source.WEB and not consultation.is_accepting_responses():
        raise ConsultationClosed
    text = text.strip()
    if not CONCERN_MIN_LENGTH <= len(text) <= CONCERN_MAX_LENGTH:
        raise ValidationError({"text": _("A concern is 10 to 2,000 characters long.")})
    if topic is not None and topic.consultation_id != consultation.pk:
        raise ValidationError({"topic": _("Choose one of this consultation's topics.")})
    contact_email = contact_email.strip()
    receipt_code = new_receipt_code()
    concern = Concern(
        consultation=consultation,
        topic=topic,
        text=text,
        role=role,
        community_area=community_area,
        contact_email=contact_email,
        contact_consent=bool(contact_email) and contact_consent,
        language=language,
        source=source,
        receipt_hash=receipt_hash(receipt_code),
    )
    concern.full_clean()
    with transaction.atomic():
        concern.save()
        schedule_moderator_digest()
    return SubmittedConcern(concern=concern, receipt_code=receipt_code)


def withdraw_concern_with_receipt(*, consultation: Consultation, receipt_code: str) -> bool:
    """Delete the concern of `consultation` whose receipt code this is; False when none matches.

    The code is compared through its keyed hash (a database lookup on the hash, then a
    constant-time comparison), so response times say nothing about the code. The moderation log
    keeps one event for the withdrawal (see WITHDRAWN_BY_AUTHOR) that outlives the concern.
    Atomic.
    """
    if len(normalize_receipt_code(receipt_code)) != RECEIPT_LENGTH:
        return False
    digest = receipt_hash(receipt_code)
    with transaction.atomic():
        concern = Concern.objects.select_for_update().filter(consultation=consultation, receipt_hash=digest).first()
        if concern is None or not hmac.compare_digest(concern.receipt_hash, digest):
            return False
        ModerationEvent.objects.create(
            concern=concern,
            concern_number=concern.pk,
            from_status=concern.status,
            to_status=concern.status,
            reason=WITHDRAWN_BY_AUTHOR,
        )
        concern.delete()
    return True


def report_concern(*, concern: Concern, participant: uuid.UUID) -> bool:
    """Flag a published concern for the moderators' attention; True if this is a new report.

    Idempotent per participant: the database's unique constraint keeps one report per participant
    and concern, even for simultaneous requests. A new report increments `report_count` and sets
    `reported_at`, which puts the concern back in front of the moderators. Atomic.
    """
    try:
        with transaction.atomic():
            Report.objects.create(concern=concern, participant=participant)
            Concern.objects.filter(pk=concern.pk).update(report_count=F("report_count") + 1, reported_at=timezone.now())
    except IntegrityError:
        return False
    return True


def endorse_remedy(*, remedy: Remedy, participant: uuid.UUID, role: str = "", community_area: str = "") -> bool:
    """Record the participant's endorsement of `remedy`; True if new, False if it already existed.

    Idempotent: the database's unique constraint on (remedy, participant) leaves exactly one row,
    even when two requests race. Raises ConsultationClosed when the remedy's consultation no
    longer accepts responses.
    """
    if not remedy.consultation.is_accepting_responses():
        raise ConsultationClosed
    try:
        with transaction.atomic():
            Endorsement.objects.create(remedy=remedy, participant=participant, role=role, community_area=community_area)
            Remedy.objects.filter(pk=remedy.pk).update(endorsement_count=F("endorsement_count") + 1)
    except IntegrityError:
        return False
    return True


def withdraw_endorsement(*, remedy: Remedy, participant: uuid.UUID) -> bool:
    """Remove the participant's endorsement of `remedy`; False if there was none.

    Allowed even after the consultation closed: a resident can always take back their support.
    """
    with transaction.atomic():
        deleted, _by_model = Endorsement.objects.filter(remedy=remedy, participant=participant).delete()
        if deleted:
            Remedy.objects.filter(pk=remedy.pk).update(endorsement_count=F("endorsement_count") - deleted)
    return deleted > 0


def recount_endorsements(*, consultation: Consultation | None = None) -> int:
    """Set every remedy's `endorsement_count` to the number of its endorsements; returns how many changed.

    The services keep the counts exact as they go; this repairs them after bulk loads
    (generate_demo_data) and run by the periodic snapshot task as a safety net.
    """
    remedies = Remedy.objects.all() if consultation is None else Remedy.objects.filter(consultation=consultation)
    actual = Subquery(
        Endorsement.objects.filter(remedy=OuterRef("pk"))
        .order_by()
        .values("remedy")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        remedies.annotate(actual=Coalesce(actual, 0))
        .exclude(endorsement_count=F("actual"))
        .update(endorsement_count=Coalesce(actual, 0))
    )


def describe_endorser(*, consultation: Consultation, participant: uuid.UUID, role: str, community_area: str) -> int:
    """Set the optional role and community area on the participant's endorsements in `consultation`.

    Returns how many endorsements changed. Empty values mean "not given". Raises
    ConsultationClosed when the consultation no longer accepts responses (its results are final).
    """
    if not consultation.is_accepting_responses():
        raise ConsultationClosed
    return Endorsement.objects.filter(remedy__consultation=consultation, participant=participant).update(
        role=role, community_area=community_area
    )


# --- Staff moderating: status changes, the audit log, concerns entered on behalf of residents ---

# How a concern typed in by staff shows in the moderation log (with the source code: paper, phone, meeting).
ENTERED_BY_STAFF = "entered by staff on behalf of a resident ({source})"

# Bulk moderation locks and updates concerns in slices of this size (well under SQLite's parameter limit).
BULK_MODERATION_SLICE = 500


class ConcernChangedMeanwhile(Exception):
    """Someone changed the concern since the moderator opened it; nothing was written."""


@dataclass(frozen=True)
class ModerationOutcome:
    concern: Concern  # as it stands after the moderation
    event: ModerationEvent | None  # None when the status did not change


def _check_moderation_status(to_status: str) -> None:
    if to_status not in Concern.Status.values:
        raise ValidationError({"status": _("Unknown moderation status.")})


def _lock_concern(concern_id: int, expected_version: int | None) -> Concern:
    concern = Concern.objects.select_for_update().get(pk=concern_id)
    if expected_version is not None and concern.version != expected_version:
        raise ConcernChangedMeanwhile
    return concern


def _update_if_unchanged(concern: Concern, **changes) -> None:
    """Write `changes` and bump the version, only if the row still has the version we read.

    On PostgreSQL the row lock already guarantees it; the version condition also keeps SQLite
    (which has no row locks) from overwriting a change made in between.
    """
    updated = Concern.objects.filter(pk=concern.pk, version=concern.version).update(
        version=F("version") + 1, updated_at=timezone.now(), **changes
    )
    if not updated:
        raise ConcernChangedMeanwhile


def moderate_concern(
    *,
    concern_id: int,
    to_status: str,
    actor,
    reason: str = "",
    expected_version: int | None = None,
    moderation_note: str | None = None,
) -> ModerationOutcome:
    """Set a concern's status (approve, reject, mark as spam, or back to pending) as `actor`.

    Guarantees, atomically: a real status change writes exactly one ModerationEvent (from, to,
    actor, reason); setting the status it already has writes none. Moderation clears `reported_at`
    (the report was looked at). `moderation_note`, when given, replaces the note. With
    `expected_version` (the version the moderator's page showed), raises ConcernChangedMeanwhile
    and writes nothing if anyone changed the concern since. Raises Concern.DoesNotExist if the
    concern is gone (withdrawn by its author).
    """
    _check_moderation_status(to_status)
    reason = reason.strip()
    with transaction.atomic():
        concern = _lock_concern(concern_id, expected_version)
        changes = {}
        if to_status != concern.status:
            changes["status"] = to_status
        if concern.reported_at is not None:
            changes["reported_at"] = None
        if moderation_note is not None and moderation_note != concern.moderation_note:
            changes["moderation_note"] = moderation_note
        event = None
        if changes:
            _update_if_unchanged(concern, **changes)
        if "status" in changes:
            event = ModerationEvent.objects.create(
                concern=concern,
                concern_number=concern.pk,
                actor=actor,
                from_status=concern.status,
                to_status=to_status,
                reason=reason,
            )
        concern.refresh_from_db()
    return ModerationOutcome(concern=concern, event=event)


def update_moderation_note(*, concern_id: int, moderation_note: str, expected_version: int | None = None) -> Concern:
    """Replace a concern's moderation note (staff-only) without touching its status.

    Same guard as `moderate_concern`: with `expected_version`, raises ConcernChangedMeanwhile and
    writes nothing if the concern changed since the moderator opened it. No audit event (the
    status does not change). Atomic.
    """
    with transaction.atomic():
        concern = _lock_concern(concern_id, expected_version)
        if moderation_note != concern.moderation_note:
            _update_if_unchanged(concern, moderation_note=moderation_note)
            concern.refresh_from_db()
    return concern


def moderate_concerns(*, concern_ids, to_status: str, actor, reason: str = "") -> int:
    """Set the status of many concerns at once (the admin's bulk actions); returns how many changed.

    Guarantees, atomically: one ModerationEvent per concern whose status really changed, none for
    the others; `reported_at` is cleared on all of them. Rows are locked in primary-key order, so
    two advocates acting on overlapping selections wait for each other instead of deadlocking,
    and each event records the status the concern really had. The number of queries grows with
    the number of 500-concern slices, not with the number of concerns.
    """
    _check_moderation_status(to_status)
    reason = reason.strip()
    ids = sorted(set(concern_ids))
    changed = 0
    with transaction.atomic():
        for start in range(0, len(ids), BULK_MODERATION_SLICE):
            rows = list(
                Concern.objects.select_for_update()
                .filter(pk__in=ids[start : start + BULK_MODERATION_SLICE])
                .order_by("pk")
                .values_list("pk", "status", "reported_at")
            )
            changing = [(pk, status) for pk, status, _reported in rows if status != to_status]
            looked_at = [pk for pk, status, reported in rows if status == to_status and reported is not None]
            now = timezone.now()
            if changing:
                Concern.objects.filter(pk__in=[pk for pk, _status in changing]).update(
                    status=to_status, reported_at=None, version=F("version") + 1, updated_at=now
                )
                ModerationEvent.objects.bulk_create(
                    ModerationEvent(
                        concern_id=pk,
                        concern_number=pk,
                        actor=actor,
                        from_status=status,
                        to_status=to_status,
                        reason=reason,
                        created_at=now,
                    )
                    for pk, status in changing
                )
            if looked_at:
                Concern.objects.filter(pk__in=looked_at).update(
                    reported_at=None, version=F("version") + 1, updated_at=now
                )
            changed += len(changing)
    return changed


def enter_concern_on_behalf(
    *,
    consultation: Consultation,
    text: str,
    source: str,
    actor,
    role: str = "undisclosed",
    community_area: str = "undisclosed",
    language: str = "en",
    topic: Topic | None = None,
    contact_email: str = "",
    contact_consent: bool = False,
) -> SubmittedConcern:
    """Save a concern a resident gave on paper, by phone or at a meeting, typed in by `actor`.

    The same checks and the same pending moderation as a web concern (through `submit_concern`,
    without the web form's anti-robot checks, which belong to the form), and the audit log records
    which staff account entered it (an event from "" to pending by `actor`); the public pages never
    show who. Raises ValidationError for the web source or invalid input; atomic.
    """
    if source == Concern.Source.WEB or source not in Concern.Source.values:
        raise ValidationError({"source": _("Choose where the concern came from: paper, phone or meeting.")})
    with transaction.atomic():
        submitted = submit_concern(
            consultation=consultation,
            text=text,
            role=role,
            community_area=community_area,
            language=language,
            topic=topic,
            contact_email=contact_email,
            contact_consent=contact_consent,
            source=source,
        )
        ModerationEvent.objects.create(
            concern=submitted.concern,
            concern_number=submitted.concern.pk,
            actor=actor,
            from_status="",
            to_status=submitted.concern.status,
            reason=ENTERED_BY_STAFF.format(source=source),
        )
    return submitted


# --- Retention and snapshots (run by Celery beat: feedback/tasks.py) -----------------------------
# Imported here rather than at the top so this section stays self-contained.


@dataclass(frozen=True)
class PurgeResult:
    contact_emails: int
    reports: int
    export_files: int

    def as_dict(self) -> dict[str, int]:
        return {"contact_emails": self.contact_emails, "reports": self.reports, "export_files": self.export_files}


def purge_expired_personal_data(*, now=None) -> PurgeResult:
    """Delete what the privacy page promises to delete, once its time has come. Idempotent.

    - Contact emails (and the consent that goes with them) of concerns received more than
      CONTACT_EMAIL_RETENTION_DAYS ago; the concern itself stays.
    - Reports older than REPORT_PARTICIPANT_RETENTION_DAYS (by default the participant cookie's
      lifetime): a report's only personal trace is the participant id, which by then no browser
      carries; the concern keeps its report count.
    - Export files older than EXPORT_RETENTION_DAYS (the job stays listed, without its file),
      and partial files left by a worker that died.
    Endorsements keep their participant id: it is a random number in a cookie, tied to nothing
    else, never exported, and it is what keeps one endorsement per person and counts participants.
    """
    from datetime import timedelta

    from django.conf import settings

    from .exports import delete_expired_export_files

    now = now or timezone.now()
    emails = (
        Concern.objects.filter(created_at__lt=now - timedelta(days=settings.CONTACT_EMAIL_RETENTION_DAYS))
        .exclude(contact_email="", contact_consent=False)
        .update(contact_email="", contact_consent=False)
    )
    reports, _by_model = Report.objects.filter(
        created_at__lt=now - timedelta(days=settings.REPORT_PARTICIPANT_RETENTION_DAYS)
    ).delete()
    return PurgeResult(contact_emails=emails, reports=reports, export_files=delete_expired_export_files(now=now))


def take_tally_snapshots(*, day=None) -> int:
    """Store today's exact tallies of every open consultation; returns how many snapshots it wrote.

    Idempotent per day: one TallySnapshot per consultation and day, replaced by a later run on
    the same day (so the last one of a day holds that day's closing figures).
    """
    from .models import TallySnapshot
    from .selectors import tallies_for

    day = day or timezone.localdate()
    written = 0
    for consultation in Consultation.objects.filter(status=Consultation.Status.OPEN):
        tallies = tallies_for(consultation)

        def by_key(rows) -> dict[str, int]:
            return {row.key or "": row.count for row in rows}

        TallySnapshot.objects.update_or_create(
            consultation=consultation,
            day=day,
            defaults={
                "tallies": {
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
                }
            },
        )
        written += 1
    return written
