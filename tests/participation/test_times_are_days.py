"""What residents do is kept with its day only, so no two rows (nor a row and a log line) can be matched by time.

Worst case: one person sends a concern, endorses three remedies and reports a concern within a minute, in a rare
community area. With exact times the database alone would link the concern to the endorsements.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from feedback.models import Concern, Endorsement, ModerationEvent, Report, start_of_local_day
from feedback.moderation.services import moderate_concern
from feedback.notifications.digest import send_moderator_digest
from tests.factories import ConcernFactory, StaffFactory, concern_form_data

CHICAGO = ZoneInfo("America/Chicago")


def is_local_midnight(moment: datetime) -> bool:
    local = timezone.localtime(moment)
    return (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0)


def test_the_start_of_the_local_day_is_chicago_midnight_whatever_the_hour_in_utc(settings):
    late_evening = datetime(2026, 12, 1, 23, 59, 59, 999999, tzinfo=CHICAGO)  # already 2 December in UTC
    assert start_of_local_day(late_evening) == datetime(2026, 12, 1, tzinfo=CHICAGO)
    summer = datetime(2026, 7, 4, 0, 0, 1, tzinfo=CHICAGO)
    assert start_of_local_day(summer).utcoffset() == timedelta(hours=-5)


def test_one_persons_concern_endorsements_and_report_keep_only_their_day(client, briefing):
    published = ConcernFactory(consultation=briefing, community_area="55")
    client.post("/c/chicago/concerns/new/", concern_form_data(community_area="55"))
    for remedy in briefing.remedies.all()[:3]:
        client.post(f"/c/chicago/remedies/{remedy.pk}/endorse/")
    client.post("/c/chicago/remedies/about-you/", {"role": "resident", "community_area": "55"})
    client.post(f"/c/chicago/concerns/{published.public_reference}/report/")

    concern = Concern.objects.exclude(pk=published.pk).get()
    published.refresh_from_db()
    times = [concern.created_at, concern.updated_at, published.reported_at]
    times += list(Endorsement.objects.values_list("created_at", flat=True))
    times += list(Report.objects.values_list("created_at", flat=True))
    assert len(times) == 7
    assert all(is_local_midnight(moment) for moment in times)
    assert set(times) == {start_of_local_day()}


def test_moderation_and_the_digest_keep_days_too(briefing, advocate):
    concern = ConcernFactory(consultation=briefing, status=Concern.Status.PENDING)
    StaffFactory(username="mo", email="mo@staff.example", role="advocate")
    send_moderator_digest()
    moderate_concern(concern_id=concern.pk, to_status=Concern.Status.APPROVED, actor=advocate)
    concern.refresh_from_db()
    assert is_local_midnight(concern.moderators_notified_at)
    assert is_local_midnight(concern.updated_at)


def test_a_withdrawal_is_logged_with_its_day_only(client, briefing):
    sent = client.post("/c/chicago/concerns/new/", concern_form_data())
    code = re.search(r'id="receipt-code"><code>([A-Z2-9-]+)</code>', client.get(sent["Location"]).content.decode())
    client.post("/c/chicago/concerns/withdraw/", {"receipt_code": code.group(1)})
    assert is_local_midnight(ModerationEvent.objects.get().created_at)


def test_the_moderation_queue_is_ordered_by_day_then_number(client, briefing, advocate):
    today, yesterday = start_of_local_day(), start_of_local_day() - timedelta(days=1)
    second = ConcernFactory(consultation=briefing, status="pending", created_at=today)
    first = ConcernFactory(consultation=briefing, status="pending", created_at=yesterday)
    third = ConcernFactory(consultation=briefing, status="pending", created_at=today)
    client.force_login(advocate)
    page = client.get("/admin/feedback/concern/").content.decode()
    links = [int(number) for number in re.findall(r"/admin/feedback/concern/(\d+)/change/", page)]
    shown = list(dict.fromkeys(links))  # the "one by one, oldest first" link also opens the first of the queue
    assert shown == [first.pk, second.pk, third.pk]


@pytest.mark.django_db(transaction=True)
def test_the_migration_cuts_existing_times_to_their_day_and_takes_the_words_out_of_the_admin_history():
    before = [("feedback", "0008_what_is_kept"), ("admin", "0003_logentry_add_action_flag_choices")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    apps = executor.loader.project_state(before).apps
    Consultation = apps.get_model("feedback", "Consultation")
    Remedy = apps.get_model("feedback", "Remedy")
    OldConcern = apps.get_model("feedback", "Concern")
    OldEndorsement = apps.get_model("feedback", "Endorsement")
    LogEntry = apps.get_model("admin", "LogEntry")
    ContentType = apps.get_model("contenttypes", "ContentType")
    User = apps.get_model("auth", "User")

    consultation = Consultation.objects.create(title="t", slug="t", summary="s", source_citation="c")
    remedy = Remedy.objects.create(consultation=consultation, key="r", title="r", proposed_by="p", kind="approach")
    evening = datetime(2026, 11, 30, 20, 21, 46, 800000, tzinfo=CHICAGO)
    concern = OldConcern.objects.create(
        consultation=consultation,
        text="La migra detuvo a mi vecino cerca de la escuela",
        community_area="55",
        created_at=evening,
        updated_at=evening,
        reported_at=evening + timedelta(hours=5),  # the next day in Chicago
    )
    OldEndorsement.objects.create(remedy=remedy, participant=uuid.uuid4(), created_at=evening + timedelta(seconds=40))
    concern_type, _created = ContentType.objects.get_or_create(app_label="feedback", model="concern")
    LogEntry.objects.create(
        user=User.objects.create(username="advocate"),
        content_type=concern_type,
        object_id=str(concern.pk),
        object_repr=f"#{concern.pk} La migra detuvo a mi vecino cerca de la esc",
        action_flag=2,
        change_message="[]",
    )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    concern = Concern.objects.get(pk=concern.pk)
    midnight = datetime(2026, 11, 30, tzinfo=CHICAGO)
    assert (concern.created_at, concern.updated_at) == (midnight, midnight)
    assert concern.reported_at == datetime(2026, 12, 1, tzinfo=CHICAGO)
    assert Endorsement.objects.get().created_at == midnight
    from django.contrib.admin.models import LogEntry as CurrentLogEntry

    assert CurrentLogEntry.objects.get().object_repr == f"Concern #{concern.pk}"
