"""Writes for residents taking part: concerns and their receipts, reports, endorsements.

Every way a concern or an endorsement comes into being or goes away is one of these functions;
views, the admin's paper entry and management commands call them, never the models directly.
"""

from __future__ import annotations

import hmac
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils.translation import gettext_lazy as _

from .. import queue
from ..aggregates import (
    ConcernRow,
    EndorsementRow,
    lock_participant_endorsements,
    record_concern_changes,
    record_endorsement_changes,
)
from ..audit.events import record_moderation_event
from ..bursts.arrivals import record_arrival
from ..counters import add_to_counts
from ..duplicates.services import record_near_duplicate
from ..models import (
    ArrivalKind,
    Concern,
    ConcernIntake,
    Consultation,
    Endorsement,
    Remedy,
    Report,
    Topic,
    start_of_local_day,
)
from ..models.inserts import insert_unless_present
from ..notifications.digest import schedule_moderator_digest
from ..redaction import redact_concern_text
from ..verification.selectors import REFUSALS, is_verified
from ..verification.services import redeem_code
from .participants import AboutYou, Participant, save_about
from .receipt_codes import RECEIPT_LENGTH, new_receipt_code, normalize_receipt_code, receipt_hash
from .selectors import participant_standing


class ConsultationClosed(Exception):
    """The consultation no longer accepts new concerns or endorsements."""


CONCERN_MIN_LENGTH = 10
CONCERN_MAX_LENGTH = 2000

# How a withdrawal shows in the moderation log. The status vocabulary has no "withdrawn", so the
# event keeps the concern's last status on both sides and says what happened in its reason.
WITHDRAWN_BY_AUTHOR = "withdrawn by its author"


@dataclass(frozen=True)
class SubmittedConcern:
    concern: Concern
    receipt_code: str  # shown to the resident once, never stored
    hidden: dict[str, int]  # how many details of each kind redaction replaced by a placeholder (none: empty)


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
    participant: Participant | None = None,
    participation_code: str = "",
) -> SubmittedConcern:
    """Save a new concern, pending moderation, and return it with its one-time receipt code.

    Guarantees: the text is trimmed and 10 to 2,000 characters long as written; before it is stored,
    every identifying detail the redaction engine finds (phone, email, A-number, SSN/ITIN, street
    address, a person's name) is replaced by its placeholder, so the words as written are never
    saved (`hidden` says how many of each kind). A contact email is kept only with consent; only a
    keyed hash of the receipt code is stored; the concern's time is its day (start_of_local_day);
    a concern that nearly repeats an earlier one is linked to it for the moderators (duplicates.services);
    moderators are notified after the commit. Atomic: on any ValidationError nothing is saved.
    Raises ConsultationClosed for a web submission to a consultation that no longer accepts
    responses (paper, phone and meeting answers collected earlier may still be typed in by staff,
    until the consultation is purged: its figures are final then).

    The concern counts as verified when `participant` (the sender's cookie, if any) is verified in
    the consultation, or when a `participation_code` comes with it: the code is redeemed in the same
    transaction (for `participant`, or for nobody when staff type in a paper form), and a refused code
    is a ValidationError on `participation_code` that leaves the code and everything else unchanged.
    The consultation's count of concerns received from the source goes up (the certified ledger's);
    a web concern also adds to its topic's arrival count for the minute (feedback/bursts/), as from
    a new participant when the request carried no participant cookie.
    """
    if consultation.purged_on is not None:
        raise ConsultationClosed
    if source == Concern.Source.WEB and not consultation.is_accepting_responses():
        raise ConsultationClosed
    text = text.strip()
    if not CONCERN_MIN_LENGTH <= len(text) <= CONCERN_MAX_LENGTH:
        raise ValidationError({"text": _("A concern is 10 to 2,000 characters long.")})
    redaction = redact_concern_text(text=text, language=language)
    if topic is not None and topic.consultation_id != consultation.pk:
        raise ValidationError({"topic": _("Choose one of this consultation's topics.")})
    contact_email = contact_email.strip()
    receipt_code = new_receipt_code()
    concern = Concern(
        consultation=consultation,
        topic=topic,
        text=redaction.text,
        role=role,
        community_area=community_area,
        contact_email=contact_email,
        contact_consent=bool(contact_email) and contact_consent,
        language=language,
        source=source,
        receipt_hash=receipt_hash(receipt_code),
        created_at=start_of_local_day(),
        updated_at=start_of_local_day(),
    )
    concern.full_clean()
    with transaction.atomic():
        if participation_code:
            outcome = redeem_code(
                consultation=consultation, code=participation_code, participant=participant.id if participant else None
            )
            if outcome in REFUSALS:
                raise ValidationError({"participation_code": REFUSALS[outcome]})
            concern.verified = True
        elif participant is not None:
            concern.verified = is_verified(consultation.pk, participant.id)
        concern.save()
        record_concern_changes(before=[], after=[ConcernRow.of(concern)])
        record_near_duplicate(concern=concern)
        # The certified ledger's "received", per source (ConcernIntake).
        add_to_counts(
            ConcernIntake,
            [{"consultation": consultation.pk, "source": source, "received": 1}],
            keys=("consultation", "source"),
            counts=("received",),
        )
        if source == Concern.Source.WEB:
            record_arrival(
                consultation_id=consultation.pk,
                kind=ArrivalKind.CONCERN,
                subject=topic.pk if topic else 0,
                new_participant=participant is None or participant.is_new,
            )
        schedule_moderator_digest()
    return SubmittedConcern(concern=concern, receipt_code=receipt_code, hidden=redaction.counts)


def withdraw_concern_with_receipt(*, consultation: Consultation, receipt_code: str) -> bool:
    """Delete the concern of `consultation` whose receipt code this is; False when none matches.

    The code is compared through its keyed hash (a database lookup on the hash, then a
    constant-time comparison), so response times say nothing about the code. The moderation log
    keeps one event for the withdrawal (see WITHDRAWN_BY_AUTHOR), dated by its day only, that
    outlives the concern and holds none of its words. Atomic; after the commit the concerns table
    is rewritten (retention.rewrite_tables, on PostgreSQL) so the deleted words leave its data files.
    """
    if len(normalize_receipt_code(receipt_code)) != RECEIPT_LENGTH:
        return False
    digest = receipt_hash(receipt_code)
    with transaction.atomic():
        concern = Concern.objects.select_for_update().filter(consultation=consultation, receipt_hash=digest).first()
        if concern is None or not hmac.compare_digest(concern.receipt_hash, digest):
            return False
        # Roll-ups before the audit log, in every writer: one lock order, so concurrent writers never deadlock.
        record_concern_changes(before=[ConcernRow.of(concern)], after=[])
        record_moderation_event(
            concern=concern,
            from_status=concern.status,
            to_status=concern.status,
            reason=WITHDRAWN_BY_AUTHOR,
            created_at=start_of_local_day(),
        )
        concern.delete()
        queue.enqueue_after_commit(queue.REWRITE_CONCERNS)
    return True


def report_concern(*, concern: Concern, participant: uuid.UUID) -> bool:
    """Flag a published concern for the moderators' attention; True if this is a new report.

    Idempotent per participant: the database's unique constraint keeps one report per participant
    and concern, even for simultaneous requests, and a repeat is no error (insert_unless_present),
    so nothing about it reaches the database's log. A new report increments `report_count` and sets
    `reported_at` (to the day), which puts the concern back in front of the moderators. Atomic.
    """
    with transaction.atomic():
        report = Report(concern=concern, participant=participant, created_at=start_of_local_day())
        if not insert_unless_present(report, unique_fields=("concern", "participant")):
            return False
        Concern.objects.filter(pk=concern.pk).update(
            report_count=F("report_count") + 1, reported_at=start_of_local_day()
        )
    return True


def endorse_remedy(*, remedy: Remedy, participant: uuid.UUID, role: str = "", community_area: str = "") -> bool:
    """Record the participant's endorsement of `remedy`; True if new, False if it already existed.

    Idempotent: the database's unique constraint on (remedy, participant) leaves exactly one row,
    even when two requests race, and the second is no error (insert_unless_present), so a
    double-click writes no participant id into the database's log. The endorsement's time is its
    day. Raises ConsultationClosed when the remedy's consultation no longer accepts responses.
    Atomic. In the same transaction: the endorsement is verified when the participant is; the
    remedy's counters (shown, and made, for the certified ledger) go up; and the minute's arrival
    count goes up, as from a new participant when this is their first endorsement in the
    consultation (feedback/bursts/).
    """
    if not remedy.consultation.is_accepting_responses():
        raise ConsultationClosed
    endorsement = Endorsement(
        remedy=remedy,
        participant=participant,
        role=role,
        community_area=community_area,
        created_at=start_of_local_day(),
    )
    with transaction.atomic():
        before = lock_participant_endorsements(remedy.consultation_id, participant)
        endorsed_before, endorsement.verified = participant_standing(remedy.consultation_id, participant)
        if not insert_unless_present(endorsement, unique_fields=("remedy", "participant")):
            return False
        Remedy.objects.filter(pk=remedy.pk).update(
            endorsement_count=F("endorsement_count") + 1, endorsements_made=F("endorsements_made") + 1
        )
        made = EndorsementRow(
            remedy_id=remedy.pk,
            community_area=community_area,
            role=role,
            verified=endorsement.verified,
            created_at=endorsement.created_at,
        )
        record_endorsement_changes(consultation_id=remedy.consultation_id, before=before, after=[*before, made])
        record_arrival(
            consultation_id=remedy.consultation_id,
            kind=ArrivalKind.ENDORSEMENT,
            subject=remedy.pk,
            new_participant=not endorsed_before,
        )
    return True


def withdraw_endorsement(*, remedy: Remedy, participant: uuid.UUID) -> bool:
    """Remove the participant's endorsement of `remedy`; False if there was none.

    Allowed even after the consultation closed: a resident can always take back their support. Atomic. A count
    that drifted below the truth (a bulk load, until `recount_endorsements` repairs it) stops at zero rather than
    breaking the database's "never negative" constraint.
    The remedy's withdrawn counter (the certified ledger's) goes up in the same transaction.
    """
    with transaction.atomic():
        before = lock_participant_endorsements(remedy.consultation_id, participant)
        deleted, _by_model = Endorsement.objects.filter(remedy=remedy, participant=participant).delete()
        if deleted:
            Remedy.objects.filter(pk=remedy.pk).update(
                endorsement_count=Greatest(F("endorsement_count") - deleted, Value(0)),
                endorsements_withdrawn=F("endorsements_withdrawn") + deleted,
            )
            after = [row for row in before if row.remedy_id != remedy.pk]
            record_endorsement_changes(consultation_id=remedy.consultation_id, before=before, after=after)
    return deleted > 0


def recount_endorsements(*, consultation: Consultation | None = None) -> int:
    """Set every remedy's `endorsement_count` to the number of its endorsements; returns how many changed.

    The services keep the counts exact as they go; this repairs them after bulk loads
    (generate_demo_data) and run by the periodic snapshot task as a safety net. Atomic, and it never overwrites an
    endorsement or withdrawal running at the same time: the remedies are locked first (waiting for any such
    transaction to commit, and holding new ones until this one does), then counted in a statement of its own, which
    under READ COMMITTED sees everything committed before the locks were granted.
    """
    remedies = Remedy.objects.all() if consultation is None else Remedy.objects.filter(consultation=consultation)
    actual = Subquery(
        Endorsement.objects.filter(remedy=OuterRef("pk"))
        .order_by()
        .values("remedy")
        .annotate(n=Count("pk"))
        .values("n")
    )
    with transaction.atomic():
        list(remedies.select_for_update().order_by("pk").values_list("pk", flat=True))
        return (
            remedies.annotate(actual=Coalesce(actual, 0))
            .exclude(endorsement_count=F("actual"))
            .update(endorsement_count=Coalesce(actual, 0))
        )


def describe_endorser(*, consultation: Consultation, participant: uuid.UUID, role: str, community_area: str) -> int:
    """Keep the participant's optional role and community area, and set them on their endorsements in `consultation`.

    The details are kept server-side under a keyed hash of the participant id (never in the cookie), for
    their later endorsements. Returns how many endorsements changed. Empty values mean "not given".
    Atomic. Raises ConsultationClosed when the consultation no longer accepts responses (its results are
    final); nothing is changed then.
    """
    if not consultation.is_accepting_responses():
        raise ConsultationClosed
    details = AboutYou(role=role, community_area=community_area).cleaned()
    with transaction.atomic():
        save_about(participant_id=participant, details=details)
        before = lock_participant_endorsements(consultation.pk, participant)
        changed = Endorsement.objects.filter(remedy__consultation=consultation, participant=participant).update(
            role=details.role, community_area=details.community_area
        )
        after = [row._replace(role=details.role, community_area=details.community_area) for row in before]
        record_endorsement_changes(consultation_id=consultation.pk, before=before, after=after)
        return changed


# How a concern typed in by staff shows in the moderation log (with the source code: paper, phone, meeting).
ENTERED_BY_STAFF = "entered by staff on behalf of a resident ({source})"


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
    participation_code: str = "",
) -> SubmittedConcern:
    """Save a concern a resident gave on paper, by phone or at a meeting, typed in by `actor`.

    The same checks and the same pending moderation as a web concern (through `submit_concern`,
    without the web form's anti-robot checks, which belong to the form), and the audit log records
    which staff account entered it (an event from "" to pending by `actor`); the public pages never
    show who. A participation code written on the form is redeemed and makes the concern verified.
    Raises ValidationError for the web source, invalid input or a refused code; atomic.
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
            participation_code=participation_code,
        )
        record_moderation_event(
            concern=submitted.concern,
            actor=actor,
            from_status="",
            to_status=submitted.concern.status,
            reason=ENTERED_BY_STAFF.format(source=source),
        )
    return submitted
