"""A repeated endorsement or report is no database error, so PostgreSQL's log never gets a participant id.

PostgreSQL logs every failed statement with the duplicated key (`Key (remedy_id, participant)=(1, 04659e94-…)`).
The writes that may meet a unique constraint use `INSERT … ON CONFLICT DO NOTHING`: no statement fails at all.
"""

from __future__ import annotations

import uuid

import pytest
from django.db import transaction
from django.db.backends.utils import CursorWrapper

from feedback.models import Endorsement, Report
from feedback.participation.services import endorse_remedy, report_concern
from tests.factories import ConcernFactory
from tests.participation.test_endorse import needs_postgresql, run_in_parallel


@pytest.fixture
def failed_statements(monkeypatch):
    """Every statement the database refused, from any thread and connection, during the test."""
    failed = []
    execute = CursorWrapper._execute

    def recording(self, sql, params, *ignored):
        try:
            return execute(self, sql, params, *ignored)
        except Exception as error:
            failed.append((sql, type(error).__name__))
            raise

    monkeypatch.setattr(CursorWrapper, "_execute", recording)
    return failed


def test_a_double_click_on_endorse_keeps_one_endorsement_and_no_statement_fails(client, briefing, failed_statements):
    remedy = briefing.remedies.first()
    client.post(f"/c/chicago/remedies/{remedy.pk}/endorse/")
    client.post(f"/c/chicago/remedies/{remedy.pk}/endorse/")
    assert Endorsement.objects.filter(remedy=remedy).count() == 1
    assert failed_statements == []


def test_reporting_twice_keeps_one_report_and_no_statement_fails(client, briefing, failed_statements):
    concern = ConcernFactory(consultation=briefing)
    client.post(f"/c/chicago/concerns/{concern.public_reference}/report/")
    client.post(f"/c/chicago/concerns/{concern.public_reference}/report/")
    assert Report.objects.filter(concern=concern).count() == 1
    concern.refresh_from_db()
    assert concern.report_count == 1
    assert failed_statements == []


def test_a_repeat_inside_a_larger_transaction_leaves_that_transaction_usable(briefing, failed_statements):
    remedy = briefing.remedies.select_related("consultation").first()
    participant = uuid.uuid4()
    with transaction.atomic():
        assert endorse_remedy(remedy=remedy, participant=participant) is True
        assert endorse_remedy(remedy=remedy, participant=participant) is False
        assert report_concern(concern=ConcernFactory(consultation=briefing), participant=participant) is True
    remedy.refresh_from_db()
    assert remedy.endorsement_count == 1
    assert failed_statements == []


@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_repeats_on_postgresql_leave_one_row_and_no_failed_statement(briefing, failed_statements):
    needs_postgresql()
    remedy = briefing.remedies.select_related("consultation").first()
    participant = uuid.uuid4()
    results = run_in_parallel([lambda: endorse_remedy(remedy=remedy, participant=participant)] * 20)
    assert sorted(results) == [False] * 19 + [True]
    assert Endorsement.objects.filter(remedy=remedy, participant=participant).count() == 1
    assert failed_statements == []
