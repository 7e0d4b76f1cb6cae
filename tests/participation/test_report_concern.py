"""Reporting a published concern brings it back to the moderators; one report per participant."""

from __future__ import annotations

from feedback.models import Concern, Report
from feedback.participation.participants import COOKIE_NAME
from tests.factories import ConcernFactory


def report_url(concern) -> str:
    return f"/c/chicago/concerns/{concern.public_reference}/report/"


def test_a_report_flags_the_concern_for_the_moderators(client, briefing):
    concern = ConcernFactory(consultation=briefing)
    response = client.post(report_url(concern), {"next": "/c/chicago/concerns/?page=1"})
    assert response.status_code == 302
    assert response["Location"] == f"/c/chicago/concerns/?page=1#concern-{concern.public_reference}"
    concern.refresh_from_db()
    assert concern.report_count == 1 and concern.reported_at is not None
    assert Report.objects.count() == 1
    page = client.get(response["Location"]).content.decode()
    assert "The moderators will look at this concern again." in page
    assert "You reported this concern to the moderators." in page


def test_a_participant_reports_a_concern_only_once(client, briefing):
    concern = ConcernFactory(consultation=briefing)
    client.post(report_url(concern))
    response = client.post(report_url(concern), follow=True)
    assert "You have already reported this concern." in response.content.decode()
    concern.refresh_from_db()
    assert concern.report_count == 1
    assert Report.objects.count() == 1


def test_two_participants_make_two_reports(client, briefing):
    from django.test import Client

    concern = ConcernFactory(consultation=briefing)
    client.post(report_url(concern))
    Client().post(report_url(concern))
    concern.refresh_from_db()
    assert concern.report_count == 2


def test_the_report_sets_a_signed_http_only_participant_cookie(client, briefing):
    concern = ConcernFactory(consultation=briefing)
    response = client.post(report_url(concern))
    cookie = response.cookies[COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert cookie["max-age"] == 180 * 24 * 60 * 60


def test_an_unpublished_concern_cannot_be_reported(client, briefing):
    concern = ConcernFactory(consultation=briefing, status=Concern.Status.PENDING)
    assert client.post(report_url(concern)).status_code == 404
    assert Report.objects.count() == 0


def test_reporting_needs_a_post(client, briefing):
    concern = ConcernFactory(consultation=briefing)
    assert client.get(report_url(concern)).status_code == 405


def test_a_report_never_redirects_to_another_site(client, briefing):
    concern = ConcernFactory(consultation=briefing)
    response = client.post(report_url(concern), {"next": "https://evil.example/"})
    assert response["Location"].startswith("/c/chicago/concerns/")
