"""Writes for moderators: decisions on concerns, one at a time (version-guarded) or in bulk.

Every decision writes its audit event through `audit.events`, in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from ..aggregates import CONCERN_ROW_FIELDS, ConcernRow, record_concern_changes
from ..audit.events import record_hand_redaction_event, record_moderation_event, record_moderation_events
from ..duplicates.services import record_near_duplicate
from ..models import Concern, ModerationEvent, RejectionReason, start_of_local_day
from ..redaction.by_hand import HandRedaction, HandRedactionRefused, hand_redaction

# Bulk moderation locks and updates concerns in slices of this size (well under SQLite's parameter limit).
BULK_MODERATION_SLICE = 500


class ConcernChangedMeanwhile(Exception):
    """Someone changed the concern since the moderator opened it; nothing was written."""


class RedactionRefused(Exception):
    """The text sent is not the concern's text with parts replaced by placeholders; nothing was written."""


@dataclass(frozen=True)
class ModerationOutcome:
    concern: Concern  # as it stands after the moderation
    event: ModerationEvent | None  # None when the status did not change
    redaction: HandRedaction | None = None  # what a redaction by hand hid (counts only)
    also_decided: int = 0  # near-duplicates decided with it


def _check_moderation_status(to_status: str) -> None:
    if to_status not in Concern.Status.values:
        raise ValidationError({"status": _("Unknown moderation status.")})


# A concern with one of these statuses is not published; its author may see the reason category.
NOT_PUBLISHED_STATUSES = (Concern.Status.REJECTED, Concern.Status.SPAM)


def _reason_category(to_status: str, reason_category: str) -> str:
    """The category kept with the decision: only for a concern not published, and only a known one."""
    if to_status not in NOT_PUBLISHED_STATUSES:
        return ""
    if reason_category and reason_category not in RejectionReason.values:
        raise ValidationError({"reason_category": _("Unknown reason category.")})
    return reason_category


def _lock_concern(concern_id: int, expected_version: int | None) -> Concern:
    concern = Concern.objects.select_for_update().get(pk=concern_id)
    if expected_version is not None and concern.version != expected_version:
        raise ConcernChangedMeanwhile
    if concern.purged_on is not None:
        # Its words are gone and its consultation's figures are final: nothing about it may change.
        raise ValidationError(
            {"status": _("This concern's consultation was purged: its words are deleted and it can no longer change.")}
        )
    return concern


def _update_if_unchanged(concern: Concern, **changes) -> None:
    """Write `changes` and bump the version, only if the row still has the version we read.

    On PostgreSQL the row lock already guarantees it; the version condition also keeps SQLite
    (which has no row locks) from overwriting a change made in between.
    """
    updated = Concern.objects.filter(pk=concern.pk, version=concern.version).update(
        version=F("version") + 1, updated_at=start_of_local_day(), **changes
    )
    if not updated:
        raise ConcernChangedMeanwhile


def moderate_concern(
    *,
    concern_id: int,
    to_status: str,
    actor,
    reason: str = "",
    reason_category: str = "",
    expected_version: int | None = None,
    moderation_note: str | None = None,
) -> ModerationOutcome:
    """Set a concern's status (approve, reject, mark as spam, or back to pending) as `actor`.

    Guarantees, atomically: a real status change writes exactly one ModerationEvent (from, to,
    actor, reason); setting the status it already has writes none. Moderation clears `reported_at`
    (the report was looked at). `moderation_note`, when given, replaces the note. `reason_category`
    (a RejectionReason, the only part of a decision its author may see) is kept for a rejection or
    spam and cleared by any other status; an unknown one is a ValidationError. With
    `expected_version` (the version the moderator's page showed), raises ConcernChangedMeanwhile
    and writes nothing if anyone changed the concern since. Raises Concern.DoesNotExist if the
    concern is gone (withdrawn by its author), ValidationError if its consultation was purged.
    """
    _check_moderation_status(to_status)
    reason = reason.strip()
    category = _reason_category(to_status, reason_category)
    with transaction.atomic():
        concern = _lock_concern(concern_id, expected_version)
        changes = {}
        if to_status != concern.status:
            changes["status"] = to_status
        if category != concern.rejection_reason:
            changes["rejection_reason"] = category
        if concern.reported_at is not None:
            changes["reported_at"] = None
        if moderation_note is not None and moderation_note != concern.moderation_note:
            changes["moderation_note"] = moderation_note
        event = None
        if changes:
            _update_if_unchanged(concern, **changes)
        if "status" in changes:
            row = ConcernRow.of(concern)
            record_concern_changes(before=[row], after=[row._replace(status=to_status)])
            event = record_moderation_event(
                concern=concern, actor=actor, from_status=concern.status, to_status=to_status, reason=reason
            )
        concern.refresh_from_db()
    return ModerationOutcome(concern=concern, event=event)


def moderate_concerns(*, concern_ids, to_status: str, actor, reason: str = "", reason_category: str = "") -> int:
    """Set the status of many concerns at once (the admin's bulk actions); returns how many changed.

    Guarantees, atomically: one ModerationEvent per concern whose status really changed, none for
    the others; `reported_at` is cleared on all of them, and every concern this writes keeps
    `reason_category` as in `moderate_concern`. Rows are locked in primary-key order, so
    two advocates acting on overlapping selections wait for each other instead of deadlocking,
    and each event records the status the concern really had. Concerns of a purged consultation
    are left as they are. The number of queries grows with the number of 500-concern slices, not
    with the number of concerns.
    """
    _check_moderation_status(to_status)
    reason = reason.strip()
    category = _reason_category(to_status, reason_category)
    ids = sorted(set(concern_ids))
    changed = 0
    with transaction.atomic():
        for start in range(0, len(ids), BULK_MODERATION_SLICE):
            rows = list(
                Concern.objects.select_for_update()
                .filter(pk__in=ids[start : start + BULK_MODERATION_SLICE], purged_on__isnull=True)
                .order_by("pk")
                .values_list("pk", "reported_at", *CONCERN_ROW_FIELDS)
            )
            counted = [(pk, reported, ConcernRow(*fields)) for pk, reported, *fields in rows]
            changing = [
                (pk, row.status, row.consultation_id, row.source)
                for pk, _reported, row in counted
                if row.status != to_status
            ]
            looked_at = [pk for pk, reported, row in counted if row.status == to_status and reported is not None]
            now = start_of_local_day()
            if changing:
                Concern.objects.filter(pk__in=[pk for pk, *_rest in changing]).update(
                    status=to_status,
                    reported_at=None,
                    rejection_reason=category,
                    version=F("version") + 1,
                    updated_at=now,
                )
                # Roll-ups before the audit log, as in moderate_concern: writers take the roll-up cells' row locks and
                # then the audit chain's lock in one order, so two moderators wait for each other, never deadlock.
                before = [row for _pk, _reported, row in counted if row.status != to_status]
                record_concern_changes(before=before, after=[row._replace(status=to_status) for row in before])
                record_moderation_events(changes=changing, to_status=to_status, actor=actor, reason=reason)
            if looked_at:
                Concern.objects.filter(pk__in=looked_at).update(
                    reported_at=None, rejection_reason=category, version=F("version") + 1, updated_at=now
                )
            changed += len(changing)
    return changed


def decide_concern(
    *,
    concern_id: int,
    to_status: str,
    actor,
    expected_version: int,
    reason: str = "",
    reason_category: str = "",
    moderation_note: str | None = None,
) -> ModerationOutcome:
    """One moderator's decision from a concern's own page: a new status, or only a new note.

    With `to_status` (approve, reject, spam) it is `moderate_concern`; with an empty `to_status` only
    the note changes (`moderation_note` None keeps it). Either way guarded by `expected_version`:
    raises ConcernChangedMeanwhile, writing nothing, if anyone changed the concern since the page was
    opened, Concern.DoesNotExist if it is gone, ValidationError if it was purged. Atomic.
    """
    if to_status:
        return moderate_concern(
            concern_id=concern_id,
            to_status=to_status,
            actor=actor,
            reason=reason,
            reason_category=reason_category,
            expected_version=expected_version,
            moderation_note=moderation_note,
        )
    with transaction.atomic():
        concern = _lock_concern(concern_id, expected_version)
        if moderation_note is not None and moderation_note != concern.moderation_note:
            _update_if_unchanged(concern, moderation_note=moderation_note)
            concern.refresh_from_db()
    return ModerationOutcome(concern=concern, event=None)


def redact_and_approve(
    *,
    concern_id: int,
    redacted_text: str,
    actor,
    expected_version: int,
    reason: str = "",
    moderation_note: str | None = None,
) -> ModerationOutcome:
    """Publish a concern after hiding, by hand, parts of its text behind placeholders: one step, one event.

    `redacted_text` must be the concern's text with some parts replaced by placeholders ([name], [phone],
    ...; feedback/redaction/by_hand.py): anything else raises RedactionRefused and writes nothing. Then,
    atomically and guarded by `expected_version` like `decide_concern` (ConcernChangedMeanwhile,
    Concern.DoesNotExist): the text is replaced (the original is kept nowhere), the concern is approved,
    its report mark cleared, its near-duplicate keys recomputed from the new text, and one ModerationEvent
    records how many parts each placeholder hid, never the words removed. The same text sent back
    unchanged simply approves it.
    """
    reason = reason.strip()
    with transaction.atomic():
        concern = _lock_concern(concern_id, expected_version)
        try:
            redaction = hand_redaction(concern.text, redacted_text)
        except HandRedactionRefused as refusal:
            raise RedactionRefused(str(refusal)) from None
        changes = {"status": Concern.Status.APPROVED, "reported_at": None, "text": redaction.text}
        if moderation_note is not None:
            changes["moderation_note"] = moderation_note
        _update_if_unchanged(concern, **changes)
        row = ConcernRow.of(concern)
        record_concern_changes(before=[row], after=[row._replace(status=Concern.Status.APPROVED)])
        event = None
        if redaction.count or concern.status != Concern.Status.APPROVED:
            event = record_hand_redaction_event(
                concern=concern,
                from_status=concern.status,
                to_status=Concern.Status.APPROVED,
                actor=actor,
                hidden=redaction.hidden,
                reason=reason,
            )
        concern.refresh_from_db()
        if redaction.count:
            record_near_duplicate(concern=concern)
    return ModerationOutcome(concern=concern, event=event, redaction=redaction)


def decide_with_near_duplicates(
    *,
    concern_id: int,
    to_status: str,
    actor,
    expected_version: int,
    near_duplicate_ids=(),
    reason: str = "",
    reason_category: str = "",
    moderation_note: str | None = None,
) -> ModerationOutcome:
    """`decide_concern`, and the same decision for the chosen pending near-duplicates of the concern, atomically.

    Only concerns of the concern's own near-duplicate group that are still pending are decided with it
    (each with its own audit event); others among `near_duplicate_ids` are left as they are, so a
    concern another advocate decided meanwhile keeps that decision.
    """
    with transaction.atomic():
        outcome = decide_concern(
            concern_id=concern_id,
            to_status=to_status,
            actor=actor,
            reason=reason,
            reason_category=reason_category,
            expected_version=expected_version,
            moderation_note=moderation_note,
        )
        ids = set(near_duplicate_ids) - {concern_id}
        also = 0
        if to_status and ids:
            root = outcome.concern.near_duplicate_of_id or outcome.concern.pk
            group = Concern.objects.filter(
                Q(pk=root) | Q(near_duplicate_of_id=root), pk__in=ids, status=Concern.Status.PENDING
            )
            also = moderate_concerns(
                concern_ids=list(group.values_list("pk", flat=True)),
                to_status=to_status,
                actor=actor,
                reason=reason,
                reason_category=reason_category,
            )
    return ModerationOutcome(concern=outcome.concern, event=outcome.event, also_decided=also)
