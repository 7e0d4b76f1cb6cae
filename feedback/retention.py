"""Retention and snapshots, run by Celery beat (feedback/tasks.py): personal data is deleted when its time comes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from .exports.jobs import delete_expired_export_files
from .models import Concern, Consultation, ParticipantDetails, Report, TallySnapshot
from .results.tallies import tallies_for


@dataclass(frozen=True)
class PurgeResult:
    contact_emails: int
    reports: int
    export_files: int
    participant_details: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "contact_emails": self.contact_emails,
            "reports": self.reports,
            "export_files": self.export_files,
            "participant_details": self.participant_details,
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
    )


def take_tally_snapshots(*, day=None) -> int:
    """Store today's exact tallies of every open consultation; returns how many snapshots it wrote.

    Idempotent per day: one TallySnapshot per consultation and day, replaced by a later run on
    the same day (so the last one of a day holds that day's closing figures).
    """
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
