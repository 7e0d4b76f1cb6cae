"""Retention: personal data and export files are deleted when their time is up, and nothing else is."""

from __future__ import annotations

import os
import time
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from feedback.exports.jobs import export_storage_name
from feedback.models import Concern, Endorsement, ExportJob, Report, private_storage
from feedback.retention import purge_expired_personal_data


def days_ago(days: float):
    return timezone.now() - timedelta(days=days)


def concern(consultation, *, received, email="resident@example.org") -> Concern:
    return Concern.objects.create(
        consultation=consultation,
        text="A concern long enough",
        community_area="14",
        contact_email=email,
        contact_consent=bool(email),
        created_at=received,
    )


def test_contact_emails_past_the_retention_period_are_deleted_with_their_consent(briefing, settings):
    settings.CONTACT_EMAIL_RETENTION_DAYS = 90
    old = concern(briefing, received=days_ago(91))
    recent = concern(briefing, received=days_ago(89), email="recent@example.org")

    assert purge_expired_personal_data().contact_emails == 1

    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.contact_email, old.contact_consent, old.text) == ("", False, "A concern long enough")
    assert (recent.contact_email, recent.contact_consent) == ("recent@example.org", True)


def test_the_purge_is_idempotent(briefing):
    concern(briefing, received=days_ago(400))
    assert purge_expired_personal_data().contact_emails == 1
    assert purge_expired_personal_data().as_dict() == {
        "contact_emails": 0,
        "reports": 0,
        "export_files": 0,
        "participant_details": 0,
        "arrival_counts": 0,
    }


def test_old_reports_are_deleted_and_the_report_count_stays(briefing, settings):
    settings.REPORT_PARTICIPANT_RETENTION_DAYS = 180
    flagged = concern(briefing, received=days_ago(300), email="")
    Concern.objects.filter(pk=flagged.pk).update(report_count=2)
    old = Report.objects.create(concern=flagged, participant=uuid.uuid4(), created_at=days_ago(181))
    recent = Report.objects.create(concern=flagged, participant=uuid.uuid4(), created_at=days_ago(10))

    assert purge_expired_personal_data().reports == 1

    assert list(Report.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not Report.objects.filter(participant=old.participant).exists()
    flagged.refresh_from_db()
    assert flagged.report_count == 2


def test_endorsements_are_kept_whatever_their_age(briefing):
    Endorsement.objects.create(remedy=briefing.remedies.first(), participant=uuid.uuid4(), created_at=days_ago(999))
    purge_expired_personal_data()
    assert Endorsement.objects.count() == 1


def built_job(consultation, *, finished) -> ExportJob:
    job = ExportJob.objects.create(consultation=consultation, status="done", finished_at=finished)
    name = export_storage_name(job)
    private_storage.save(name, open(os.devnull, "rb"))
    job.file.name = name
    job.save()
    assert private_storage.exists(name)
    return job


def test_export_files_past_the_retention_period_are_deleted_and_the_job_stays_listed(briefing, settings):
    settings.EXPORT_RETENTION_DAYS = 7
    old = built_job(briefing, finished=days_ago(8))
    recent = built_job(briefing, finished=days_ago(6))
    old_name = old.file.name

    assert purge_expired_personal_data().export_files == 1

    old.refresh_from_db()
    recent.refresh_from_db()
    assert not private_storage.exists(old_name)
    assert (old.status, old.file.name) == ("done", "")
    assert private_storage.exists(recent.file.name)


def test_an_expired_export_shows_as_deleted_and_cannot_be_downloaded(client, briefing, organizer, settings):
    job = built_job(briefing, finished=days_ago(settings.EXPORT_RETENTION_DAYS + 1))
    purge_expired_personal_data()
    client.force_login(organizer)
    assert client.get(f"/admin/feedback/exportjob/{job.pk}/download/").status_code == 404
    assert "Deleted (older than" in client.get("/admin/feedback/exportjob/").content.decode()


@pytest.mark.parametrize(("age_hours", "deleted"), [(30, True), (2, False)])
def test_partial_files_left_by_a_dead_worker_are_deleted_after_a_day(briefing, age_hours, deleted):
    path = private_storage.path("exports/chicago-endorsements-9.csv.part")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    open(path, "wb").close()
    then = time.time() - age_hours * 3600
    os.utime(path, (then, then))
    purge_expired_personal_data()
    assert os.path.exists(path) is not deleted
