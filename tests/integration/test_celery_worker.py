"""End to end on real services: PostgreSQL, a Redis broker and a Celery worker process.

Run with the rest of the suite when DATABASE_URL points at PostgreSQL and Redis is up; CI always
runs them (`.ci/run`).
"""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from feedback.models import Concern, Consultation, Endorsement, ExportJob
from feedback.participation.services import submit_concern
from feedback.results.recount import replace_rollups
from feedback.sweep import SWEEP_GRACE, sweep_pending_work
from tests.celery_broker import CLOSED_PORT_BROKER, celery_broker
from tests.celery_worker import wait_for
from tests.factories import ConcernFactory, StaffFactory

pytestmark = [
    pytest.mark.integration,
    # Checked when each test starts (the `real_services` fixture), so CI fails rather than skips without PostgreSQL.
    # The worker only sees committed rows. (The staff groups come back after the flush: feedback/apps.py.)
    pytest.mark.django_db(transaction=True),
]

ADD_URL = "/admin/feedback/exportjob/add/"


@pytest.fixture
def consultation(real_services) -> Consultation:
    call_command("load_briefing", stdout=io.StringIO())
    return Consultation.objects.get(slug="chicago")


def add_endorsements(consultation: Consultation, count: int) -> None:
    """`count` endorsements spread over remedies, areas, roles and 30 days, inserted by the database."""
    remedy_ids = list(consultation.remedies.values_list("pk", flat=True))
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO feedback_endorsement (remedy_id, participant, role, community_area, created_at)
            SELECT (%s::bigint[])[1 + i %% cardinality(%s::bigint[])],
                   md5(random()::text || i)::uuid,
                   (ARRAY['resident', 'advocate', ''])[1 + i %% 3],
                   (ARRAY['14', '30', '', 'outside'])[1 + i %% 4],
                   now() - (i %% 30) * interval '1 day'
            FROM generate_series(1, %s) AS i
            """,
            [remedy_ids, remedy_ids, count],
        )
    replace_rollups(consultation=consultation)  # as generate_demo_data does after its bulk load


def request_export(client, consultation, **fields) -> ExportJob:
    response = client.post(ADD_URL, {"consultation": consultation.pk, "kind": "tallies", "format": "csv", **fields})
    assert response.status_code == 302, response.content.decode()[:2000]
    return ExportJob.objects.order_by("-pk").first()


def finished(job: ExportJob):
    job.refresh_from_db()
    return job if job.status in ("done", "failed") else None


def downloaded(client, job) -> bytes:
    response = client.get(reverse("admin:feedback_exportjob_download", args=[job.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    return b"".join(response.streaming_content)


def test_an_export_requested_in_the_admin_is_built_by_the_worker_and_its_numbers_equal_the_database(
    client, consultation, celery_worker
):
    add_endorsements(consultation, 2000)
    ConcernFactory(consultation=consultation, text="Approved", status="approved", community_area="14")
    organizer = StaffFactory(username="olivia", role="organizer")
    from django.contrib.auth.models import Permission

    organizer.user_permissions.add(Permission.objects.get(codename="export_internal"))  # the exact tallies
    client.force_login(organizer)
    celery_worker.start()

    csv_job = request_export(client, consultation, format="csv", internal="on")
    xlsx_job = request_export(client, consultation, format="xlsx", internal="on")
    for job in (csv_job, xlsx_job):
        assert job.enqueued_at is not None  # handed to the real broker
        wait_for(lambda job=job: finished(job), timeout=60, what=f"export job {job.pk}", worker=celery_worker)
        assert (job.status, job.progress, job.error) == ("done", 100, "")

    rows = list(csv.DictReader(io.StringIO(downloaded(client, csv_job).decode("utf-8-sig"))))
    figures = {(row["table"], row["key"], row["group_key"]): int(row["count"]) for row in rows if row["count"]}
    endorsements = Endorsement.objects.filter(remedy__consultation=consultation)
    assert figures[("totals", "endorsements", "")] == endorsements.count() == 2000
    assert figures[("totals", "concerns", "")] == 1
    for remedy in consultation.remedies.all():
        assert figures[("endorsements_per_remedy", remedy.key, "")] == endorsements.filter(remedy=remedy).count()
        assert figures[("endorsements_by_remedy_and_area", remedy.key, "14")] == (
            endorsements.filter(remedy=remedy, community_area="14").count()
        )

    workbook = load_workbook(io.BytesIO(downloaded(client, xlsx_job)))
    sheet = workbook["totals"].iter_rows(min_row=2, values_only=True)
    totals = {key: count for key, _label, _gk, _g, count, _verified in sheet}
    assert totals["endorsements"] == 2000
    per_day = sum(row[4] for row in workbook["endorsements_per_day"].iter_rows(min_row=2, values_only=True))
    assert per_day == 2000


def test_the_moderator_digest_lands_in_the_mailbox_without_the_residents_words(
    consultation, celery_worker, worker_env, settings
):
    settings.MODERATOR_DIGEST_SECONDS = 1  # the digest is queued this long after the first new concern
    StaffFactory(username="alice", email="alice@staff.example", role="advocate")
    celery_worker.start()

    submit_concern(
        consultation=consultation,
        text="Words only moderators may read, never in an email.",
        role="resident",
        community_area="30",
        language="en",
        contact_email="resident@example.org",
        contact_consent=True,
    )

    mailbox = Path(worker_env["EMAIL_FILE_PATH"])
    [message_file] = wait_for(
        lambda: list(mailbox.iterdir()), timeout=60, what="the digest email", worker=celery_worker
    )
    message = message_file.read_text()
    assert "To: alice@staff.example" in message
    assert "1 new concern to moderate" in message
    assert "/admin/feedback/concern/?status__exact=pending" in message
    assert "Words only moderators" not in message
    assert "resident@example.org" not in message


def test_with_the_broker_down_nothing_is_lost_and_a_worker_that_starts_later_does_the_work(
    client, consultation, celery_worker, worker_env
):
    StaffFactory(username="alice", email="alice@staff.example", role="advocate")
    client.force_login(StaffFactory(username="olivia", role="organizer"))

    with celery_broker(CLOSED_PORT_BROKER):  # the web side cannot reach Redis
        started = time.monotonic()
        submit_concern(
            consultation=consultation,
            text="Sent while Redis was down.",
            role="resident",
            community_area="14",
            language="en",
        )
        job = request_export(client, consultation, format="json")
        assert time.monotonic() - started < 15  # neither request hangs on the dead broker
    concern = Concern.objects.get()
    assert concern.moderators_notified_at is None
    assert (job.status, job.enqueued_at) == ("pending", None)

    # Redis is back; a worker starts and sweeps up what was recorded meanwhile.
    time.sleep(SWEEP_GRACE.total_seconds() + 0.5)
    celery_worker.start()
    wait_for(
        lambda: finished(job), timeout=60, what="the export recorded while the broker was down", worker=celery_worker
    )
    assert job.status == "done"
    assert job.enqueued_at is not None
    wait_for(
        lambda: Concern.objects.filter(moderators_notified_at__isnull=False).exists(),
        timeout=60,
        what="the concern to be announced",
        worker=celery_worker,
    )
    assert len(list(Path(worker_env["EMAIL_FILE_PATH"]).iterdir())) == 1


def running_with_progress(job: ExportJob):
    job.refresh_from_db()
    return job if job.status == "running" and job.progress > 0 else None


def test_an_export_whose_worker_process_is_killed_is_retried_and_finishes(client, consultation, celery_worker):
    add_endorsements(consultation, 150_000)
    client.force_login(StaffFactory(username="olivia", role="organizer"))
    celery_worker.start()

    job = request_export(client, consultation, kind="endorsements", format="xlsx")
    wait_for(lambda: running_with_progress(job), timeout=60, what="the export to be under way", worker=celery_worker)
    celery_worker.kill_pool_process()  # as the out-of-memory killer would, in the middle of the export

    # Generous: on a busy 2-core machine the second attempt builds the whole file again.
    wait_for(lambda: finished(job), timeout=300, what="the export to be retried", worker=celery_worker)
    assert job.status == "done", job.error
    assert job.attempts == 2
    assert job.row_count == 150_000
    assert "WorkerLostError" in celery_worker.log()
    sheet = load_workbook(job.file.path, read_only=True).active
    assert sum(1 for _row in sheet.iter_rows(values_only=True)) == 150_001


def test_an_export_whose_whole_worker_was_killed_is_built_again_at_the_next_sweep_not_left_running(
    client, consultation, celery_worker
):
    add_endorsements(consultation, 150_000)
    client.force_login(StaffFactory(username="olivia", role="organizer"))
    celery_worker.start()

    job = request_export(client, consultation, kind="endorsements", format="xlsx")
    wait_for(lambda: running_with_progress(job), timeout=60, what="the export to be under way", worker=celery_worker)
    celery_worker.kill()  # main process and pool: its message waits in Redis for the visibility timeout (an hour)

    job.refresh_from_db()
    assert job.status == "running"
    # The next sweep (beat runs it every minute) sees the builder's advisory lock free: the builder is dead.
    counts = wait_for(
        lambda: (counts := sweep_pending_work())["exports_requeued"] and counts,
        timeout=30,
        what="the dead builder's lock to be released",
    )
    assert counts["exports_queued"] == 1
    celery_worker.start()  # restarted, as systemd or docker compose would
    wait_for(lambda: finished(job), timeout=300, what="the export to be built again", worker=celery_worker)
    assert job.status == "done", job.error
    assert job.attempts == 2
    assert job.row_count == 150_000
