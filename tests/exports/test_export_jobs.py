"""Export jobs in the admin: request, build in the background, watch, download (staff allowed to export only)."""

from __future__ import annotations

import csv
import io
import logging
import time
import uuid
from datetime import timedelta

import pytest
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from feedback.exports.jobs import ExportBusy, JobLock, request_export, run_export_job
from feedback.models import Concern, Endorsement, ExportJob, private_storage
from feedback.results.recount import replace_rollups
from feedback.sweep import sweep_pending_work
from tests.availability import require_postgresql
from tests.celery_broker import CLOSED_PORT_BROKER, celery_broker

ADD_URL = "/admin/feedback/exportjob/add/"
LIST_URL = "/admin/feedback/exportjob/"


@pytest.fixture
def endorsed(briefing):
    remedies = list(briefing.remedies.all())
    Endorsement.objects.bulk_create(
        Endorsement(remedy=remedies[index % 3], participant=uuid.uuid4(), community_area=["14", "30"][index % 2])
        for index in range(30)
    )
    Concern.objects.create(
        consultation=briefing, text="Approved words", status="approved", community_area="14", contact_email="x@y.org",
        contact_consent=True,
    )  # fmt: skip
    replace_rollups(consultation=briefing)  # rows written in bulk get their roll-ups as a bulk load's do
    return briefing


@pytest.fixture
def trusted_organizer(organizer):
    """An organizer an administrator granted exact, internal exports."""
    from django.contrib.auth.models import Permission

    organizer.user_permissions.add(Permission.objects.get(codename="export_internal"))
    return organizer


def request_through_admin(client, consultation, **fields):
    data = {"consultation": consultation.pk, "kind": "tallies", "format": "csv", **fields}
    return client.post(ADD_URL, data)


def download_url(job) -> str:
    return reverse("admin:feedback_exportjob_download", args=[job.pk])


@pytest.fixture
def built_job(endorsed, organizer, django_capture_on_commit_callbacks):
    job = ExportJob(consultation=endorsed, kind="tallies", format="csv")
    with django_capture_on_commit_callbacks(execute=True):
        request_export(job, requested_by=organizer)
    job.refresh_from_db()
    assert job.status == "done"
    return job


def test_an_organizer_requests_an_export_and_it_is_built_after_the_commit(
    client, endorsed, trusted_organizer, django_capture_on_commit_callbacks
):
    client.force_login(trusted_organizer)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = request_through_admin(
            client, endorsed, kind="endorsements", format="xlsx", community_area="14", internal="on"
        )
    assert response.status_code == 302
    assert len(callbacks) == 1
    job = ExportJob.objects.get()
    assert (job.requested_by, job.status, job.progress, job.attempts) == (trusted_organizer, "done", 100, 1)
    assert job.internal and "INTERNAL" in job.readme
    assert job.filters == {"community_area": "14"}
    assert job.enqueued_at is not None
    assert job.row_count == Endorsement.objects.filter(community_area="14").count() == 15
    with job.file.open("rb") as handle:
        assert load_workbook(handle).active.max_row == 16


def test_saving_the_request_does_not_build_before_the_commit(client, endorsed, organizer):
    client.force_login(organizer)
    request_through_admin(client, endorsed)  # the test transaction never commits
    job = ExportJob.objects.get()
    assert (job.status, job.enqueued_at, job.file.name) == ("pending", None, "")


def test_a_bad_date_range_is_refused_and_nothing_saved(client, endorsed, organizer):
    client.force_login(organizer)
    response = request_through_admin(client, endorsed, since="2025-10-10", until="2025-10-01")
    assert response.status_code == 200
    assert "The first day comes after the last day." in response.content.decode()
    assert not ExportJob.objects.exists()


def test_the_list_shows_status_progress_and_a_download_link_when_done(client, built_job, organizer):
    running = ExportJob.objects.create(consultation=built_job.consultation, status="running", progress=40)
    client.force_login(organizer)
    page = client.get(LIST_URL).content.decode()
    assert download_url(built_job) in page
    assert "40 %" in page
    assert download_url(running) not in page
    assert 'http-equiv="refresh"' in page  # reloads while an export is running


def test_the_list_stops_reloading_when_nothing_is_running(client, built_job, organizer):
    client.force_login(organizer)
    assert 'http-equiv="refresh"' not in client.get(LIST_URL).content.decode()


def test_the_list_takes_the_same_queries_for_many_jobs(client, built_job, organizer, django_assert_num_queries):
    client.force_login(organizer)
    client.get(LIST_URL)

    def count_queries() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as context:
            assert client.get(LIST_URL).status_code == 200
        return len(context)

    few = count_queries()
    for _ in range(5):
        ExportJob.objects.create(consultation=built_job.consultation, requested_by=organizer, status="done")
    assert count_queries() == few


def test_a_failed_job_shows_its_reason(client, built_job, organizer):
    ExportJob.objects.create(consultation=built_job.consultation, status="failed", error="Out of time, narrow it")
    client.force_login(organizer)
    assert "Out of time, narrow it" in client.get(LIST_URL).content.decode()


def test_a_requested_export_cannot_be_edited(client, built_job, organizer):
    client.force_login(organizer)
    response = client.post(f"{LIST_URL}{built_job.pk}/change/", {"format": "json"})
    assert response.status_code == 403
    built_job.refresh_from_db()
    assert built_job.format == "csv"


# --- Downloads ---------------------------------------------------------------------------------------


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, built_job):
    response = client.get(download_url(built_job))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_an_advocate_without_the_export_permission_is_refused(client, built_job, advocate):
    client.force_login(advocate)
    assert client.get(download_url(built_job)).status_code == 403


def test_a_non_staff_user_with_the_permission_is_still_sent_to_login(client, built_job, organizer):
    organizer.is_staff = False
    organizer.save()
    client.force_login(organizer)
    assert client.get(download_url(built_job)).status_code == 302


@pytest.mark.parametrize("who", ["organizer", "superuser"])
def test_staff_allowed_to_export_download_the_file_as_an_attachment(client, built_job, who, request):
    client.force_login(request.getfixturevalue(who))
    response = client.get(download_url(built_job))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="civictrust-chicago-tallies-')
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert {"table": "readme", "key": "classification", "label": "shareable"}.items() <= rows[0].items()
    totals = [row for row in rows if row["table"] == "totals"]
    assert {"table": "totals", "key": "endorsements", "count": "30"}.items() <= totals[0].items()


def test_an_unfinished_export_has_nothing_to_download(client, endorsed, organizer):
    job = ExportJob.objects.create(consultation=endorsed)
    client.force_login(organizer)
    assert client.get(download_url(job)).status_code == 404


def test_export_files_are_not_under_any_public_address(client, built_job):
    name = built_job.file.name
    assert private_storage.exists(name)
    for url in (f"/{name}", f"/media/{name}", f"/private_media/{name}", f"/static/{name}"):
        assert client.get(url).status_code == 404


def test_deleting_a_job_deletes_its_file(client, built_job, superuser):
    name = built_job.file.name
    client.force_login(superuser)
    client.post(f"{LIST_URL}{built_job.pk}/delete/", {"post": "yes"})
    assert not ExportJob.objects.exists()
    assert not private_storage.exists(name)


# --- Building: idempotent, retried, failed with a reason ----------------------------------------------


def test_building_a_job_twice_builds_it_once(built_job):
    modified = private_storage.get_modified_time(built_job.file.name)
    assert run_export_job(built_job.pk) is None
    built_job.refresh_from_db()
    assert (built_job.status, built_job.attempts) == ("done", 1)
    assert private_storage.get_modified_time(built_job.file.name) == modified


def test_a_job_whose_worker_died_is_taken_over_by_the_next_delivery(endorsed):
    job = ExportJob.objects.create(
        consultation=endorsed, status="running", attempts=1, progress=30, started_at=timezone.now()
    )
    run_export_job(job.pk)
    job.refresh_from_db()
    assert (job.status, job.attempts, job.progress) == ("done", 2, 100)


def test_a_job_whose_worker_keeps_dying_is_failed_with_a_reason(endorsed, settings):
    job = ExportJob.objects.create(consultation=endorsed, status="running", attempts=settings.EXPORT_MAX_ATTEMPTS)
    assert run_export_job(job.pk) is None
    job.refresh_from_db()
    assert job.status == "failed"
    assert "started 3 times without finishing" in job.error
    assert job.finished_at is not None


def test_a_job_left_running_past_the_time_limit_is_failed_by_the_sweep(endorsed, settings, monkeypatch):
    """Even with its lock still held (a builder hung past its time limit): a dead one is rebuilt instead."""
    long_ago = timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 600)
    stale = ExportJob.objects.create(consultation=endorsed, status="running", attempts=1, started_at=long_ago)
    fresh = ExportJob.objects.create(consultation=endorsed, status="running", attempts=1, started_at=timezone.now())
    monkeypatch.setattr(JobLock, "acquire", lambda self, wait_seconds=5.0: False)  # every builder looks alive
    assert sweep_pending_work()["exports_failed"] == 1
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.status == "failed"
    assert "stopped without finishing" in stale.error
    assert fresh.status == "running"


def test_a_job_too_big_for_xlsx_fails_with_a_message_staff_can_act_on(endorsed, monkeypatch):
    monkeypatch.setattr("feedback.exports.record_files.XLSX_MAX_ROWS", 5)
    job = ExportJob.objects.create(consultation=endorsed, kind="endorsements", format="xlsx")
    run_export_job(job.pk)
    job.refresh_from_db()
    assert job.status == "failed"
    assert "export them as CSV or JSON" in job.error
    assert not job.file


def test_an_unexpected_error_fails_the_job_with_its_kind_only(endorsed, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("resident@example.org wrote something")

    monkeypatch.setattr("feedback.exports.jobs.export_tally_tables", broken)
    job = ExportJob.objects.create(consultation=endorsed)
    run_export_job(job.pk)
    job.refresh_from_db()
    assert job.status == "failed"
    assert job.error == "The export failed unexpectedly (ValueError)."


def test_a_database_error_is_left_to_the_task_to_retry(endorsed, monkeypatch):
    def unreachable(*args, **kwargs):
        raise OperationalError("server closed the connection")

    monkeypatch.setattr("feedback.exports.jobs.export_tally_tables", unreachable)
    job = ExportJob.objects.create(consultation=endorsed)
    with pytest.raises(OperationalError):
        run_export_job(job.pk)
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("running", 1)


def test_a_job_that_keeps_hitting_database_errors_ends_failed_with_a_reason(endorsed, monkeypatch):
    from feedback.tasks import build_export

    def unreachable(*args, **kwargs):
        raise OperationalError("server closed the connection")

    monkeypatch.setattr("feedback.exports.jobs.export_tally_tables", unreachable)
    job = ExportJob.objects.create(consultation=endorsed)
    monkeypatch.setitem(build_export.app.conf, "task_eager_propagates", False)
    build_export.apply(args=[job.pk])  # in-process, the retries run at once, one inside the other
    job.refresh_from_db()
    assert job.status == "failed"
    assert "started 3 times without finishing" in job.error


# --- The broker is down ------------------------------------------------------------------------------


@pytest.fixture
def dead_broker():
    with celery_broker(CLOSED_PORT_BROKER) as app:
        yield app


def test_with_the_broker_down_the_request_succeeds_quickly_and_the_sweep_builds_it_later(
    client, endorsed, organizer, dead_broker, django_capture_on_commit_callbacks, caplog
):
    client.force_login(organizer)
    started = time.monotonic()
    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        response = client.post(ADD_URL, {"consultation": endorsed.pk, "kind": "tallies", "format": "json"})
    assert time.monotonic() - started < 10
    assert response.status_code == 302
    assert "Could not queue feedback.tasks.build_export (OperationalError)" in caplog.text
    job = ExportJob.objects.get()
    assert (job.status, job.enqueued_at) == ("pending", None)

    dead_broker.conf.task_always_eager = True  # the broker is back (tasks run in-process here)
    ExportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(minutes=1))
    assert sweep_pending_work()["exports_queued"] == 1
    job.refresh_from_db()
    assert job.status == "done"
    assert job.enqueued_at is not None


# --- "Export selected" admin actions (django-import-export resources) ----------------------------


def post_action(client, url: str, action: str, ids) -> object:
    return client.post(url, {"action": action, "_selected_action": [str(pk) for pk in ids]})


def test_selected_endorsements_export_exact_records_marked_internal(client, endorsed, trusted_organizer):
    client.force_login(trusted_organizer)
    ids = list(Endorsement.objects.values_list("pk", flat=True)[:4])
    response = post_action(client, "/admin/feedback/endorsement/", "export_selected_endorsements_csv", ids)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="civictrust-endorsements-INTERNAL-')
    text = response.content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 4
    assert list(rows[0]) == ["classification", "day", "remedy", "role", "community_area"]
    assert {row["classification"] for row in rows} == {"INTERNAL"}
    for participant in Endorsement.objects.values_list("participant", flat=True):
        assert str(participant) not in text


def test_export_selected_is_bounded_and_sends_a_larger_selection_to_the_exports_page(
    client, endorsed, superuser, monkeypatch
):
    monkeypatch.setattr("feedback.exports.admin.EXPORT_SELECTED_MAX_ROWS", 3)
    client.force_login(superuser)  # exact records of a selection need feedback.export_internal
    ids = list(Endorsement.objects.values_list("pk", flat=True)[:4])
    response = post_action(client, "/admin/feedback/endorsement/", "export_selected_endorsements_csv", ids)
    assert "Content-Disposition" not in response
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "More than 3 rows are selected. Request an export on the Exports page instead" in page


def test_selected_concerns_export_only_approved_ones_without_contact(client, endorsed, superuser):
    pending = Concern.objects.create(
        consultation=endorsed, text="=cmd pending words", community_area="14", status="pending"
    )
    hostile = Concern.objects.create(
        consultation=endorsed, text="=HYPERLINK(1)", community_area="14", status="approved"
    )
    client.force_login(superuser)
    ids = [*Concern.objects.filter(status="approved").values_list("pk", flat=True), pending.pk]
    response = post_action(client, "/admin/feedback/concern/?moderation=all", "export_selected_concerns_xlsx", ids)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    texts = [row[4] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert sorted(texts) == sorted(["Approved words", "'" + hostile.text])
    assert not [cell for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]
    assert "x@y.org" not in str([list(row) for row in sheet.iter_rows(values_only=True)])


def test_staff_without_the_export_permission_cannot_export_selected_rows(client, endorsed, advocate):
    client.force_login(advocate)
    ids = Concern.objects.values_list("pk", flat=True)
    response = post_action(client, "/admin/feedback/concern/?moderation=all", "export_selected_concerns_csv", ids)
    assert "Content-Disposition" not in response
    assert response.status_code == 302


def test_a_job_a_live_worker_is_building_is_left_to_it(endorsed, django_db_blocker):
    from django.db import connection

    require_postgresql("the builder's lock is a PostgreSQL advisory lock")
    import psycopg

    job = ExportJob.objects.create(consultation=endorsed, status="running", attempts=1, started_at=timezone.now())
    settings_dict = connection.settings_dict
    other = psycopg.connect(
        dbname=settings_dict["NAME"],
        user=settings_dict["USER"] or None,
        host=settings_dict["HOST"] or None,
        port=settings_dict["PORT"] or None,
        password=settings_dict["PASSWORD"] or None,
        autocommit=True,
    )
    try:
        other.execute("SELECT pg_advisory_lock(%s, %s)", [JobLock.NAMESPACE, job.pk])
        with pytest.raises(ExportBusy):
            run_export_job(job.pk)
    finally:
        other.close()
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("running", 1)
    run_export_job(job.pk)  # the other builder is gone: this delivery takes over
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("done", 2)


def test_the_request_form_offers_what_format_and_filters(client, endorsed, trusted_organizer):
    client.force_login(trusted_organizer)
    page = client.get(ADD_URL).content.decode()
    for field in ("consultation", "kind", "format", "internal", "since", "until", "community_area", "role", "source"):
        assert f'name="{field}"' in page
    assert "Approved concerns (anonymised)" in page


def test_without_the_internal_permission_the_form_offers_shareable_exports_of_everything_only(
    client, endorsed, organizer
):
    client.force_login(organizer)
    page = client.get(ADD_URL).content.decode()
    assert 'name="kind"' in page
    for field in ("internal", "since", "until", "community_area", "role", "source"):
        assert f'name="{field}"' not in page
    # A forged filter is refused with the reason, nothing saved; a forged "internal" is not taken.
    refused = request_through_admin(client, endorsed, internal="on", community_area="14")
    assert refused.status_code == 200 and "covers the whole consultation" in refused.content.decode()
    assert not ExportJob.objects.exists()
    assert request_through_admin(client, endorsed, internal="on").status_code == 302
    job = ExportJob.objects.get()
    assert not job.internal and job.filters == {}


def test_an_internal_export_needs_the_permission_to_request_and_to_download(
    client, endorsed, organizer, trusted_organizer, django_capture_on_commit_callbacks
):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        request_export(ExportJob(consultation=endorsed, internal=True), requested_by=None)
    with django_capture_on_commit_callbacks(execute=True):
        job = request_export(
            ExportJob(consultation=endorsed, kind="endorsements", internal=True), requested_by=trusted_organizer
        )
    job.refresh_from_db()
    assert job.status == "done"
    client.force_login(trusted_organizer)
    response = client.get(download_url(job))
    assert 'filename="civictrust-chicago-endorsements-INTERNAL-' in response["Content-Disposition"]
    assert "INTERNAL" in client.get(reverse("admin:feedback_exportjob_readme", args=[job.pk])).content.decode()
    from feedback.models import ExportJob as Job  # the same organizer without the permission

    trusted_organizer.user_permissions.clear()
    client.force_login(Job.objects.get().requested_by)
    assert client.get(download_url(job)).status_code == 403


def test_a_shareable_export_refuses_filters(endorsed, organizer):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="whole consultation"):
        request_export(ExportJob(consultation=endorsed, filters={"community_area": "14"}), requested_by=organizer)
    assert not ExportJob.objects.exists()


def test_an_advocate_cannot_request_exports(client, endorsed, advocate):
    client.force_login(advocate)
    assert client.get(ADD_URL).status_code == 403
    assert request_through_admin(client, endorsed).status_code == 403
    assert not ExportJob.objects.exists()
