"""Organizers exclude an unusual burst from certified tallies with a reason; nothing is deleted, nothing silently."""

from __future__ import annotations

import uuid
from types import SimpleNamespace
from urllib.parse import unquote

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from feedback.bursts.detection import unusual_bursts
from feedback.bursts.services import exclude_burst
from feedback.certification.document import build_document
from feedback.models import BurstExclusion, Endorsement
from feedback.participation.services import endorse_remedy


@pytest.fixture
def burst(briefing, monkeypatch):
    moment = timezone.now().replace(second=5, microsecond=0)
    monkeypatch.setattr("feedback.bursts.arrivals.timezone", SimpleNamespace(now=lambda: moment))
    remedy = briefing.remedies.select_related("consultation").first()
    for _ in range(60):
        endorse_remedy(remedy=remedy, participant=uuid.uuid4())
    (found,) = unusual_bursts(briefing)
    return found


def test_excluding_a_burst_from_the_dashboard_asks_a_reason_and_deletes_nothing(client, briefing, burst, organizer):
    client.force_login(organizer)
    page = client.get("/admin/dashboard/").content.decode()
    query = page.split('href="/admin/feedback/burstexclusion/add/?', 1)[1].split('"', 1)[0]
    url = "/admin/feedback/burstexclusion/add/?" + unquote(query.replace("&amp;", "&")).replace("+", "%2B")
    confirm = client.get(url).content.decode()
    assert "60 arrivals" in confirm and "100% from participants new" in confirm

    refused = client.post(url, {"reason": " "}).content.decode()
    assert "Say why this burst is left out." in refused and not BurstExclusion.objects.exists()

    response = client.post(url, {"reason": "Scripted: one address, fresh cookies, 60 in a minute."}, follow=True)

    assert "The burst is excluded from certified tallies; nothing was deleted." in response.content.decode()
    exclusion = BurstExclusion.objects.get()
    assert (exclusion.arrivals, exclusion.from_new_participants, exclusion.excluded_by) == (60, 60, organizer)
    assert Endorsement.objects.count() == 60
    assert "Excluded: Scripted" in client.get("/admin/dashboard/").content.decode()


def test_the_certificate_lists_the_exclusion_and_the_figures_without_it(briefing, burst, organizer):
    exclude_burst(
        consultation=briefing,
        kind=burst.kind,
        subject=burst.subject,
        starts_at=burst.starts_at,
        ends_at=burst.ends_at,
        reason="Scripted",
        actor=organizer,
    )
    document = build_document(briefing)
    remedy = briefing.remedies.first()
    (excluded,) = document["excluded_bursts"]
    assert (excluded["key"], excluded["arrivals"], excluded["reason"]) == (remedy.key, 60, "Scripted")
    assert document["bursts"][0]["excluded"] and document["bursts"][0]["exclusion_reason"] == "Scripted"
    figures = document["ledger"]["endorsements"]["by_remedy"][remedy.key]
    assert (figures["counted"], figures["excluded_in_bursts"], figures["counted_without_excluded"]) == (60, 60, 0)


def test_only_a_listed_burst_can_be_excluded_and_only_once(briefing, burst, organizer):
    window = dict(kind=burst.kind, subject=burst.subject, starts_at=burst.starts_at, ends_at=burst.ends_at)
    with pytest.raises(ValidationError, match="No unusual burst has exactly this window"):
        exclude_burst(consultation=briefing, **{**window, "subject": burst.subject + 1}, reason="x", actor=organizer)
    exclude_burst(consultation=briefing, **window, reason="Scripted", actor=organizer)
    with pytest.raises(ValidationError, match="already excluded"):
        exclude_burst(consultation=briefing, **window, reason="Again", actor=organizer)
    assert BurstExclusion.objects.count() == 1


def test_nobody_can_delete_or_change_an_exclusion_in_the_admin(client, briefing, burst, superuser):
    exclusion = exclude_burst(
        consultation=briefing,
        kind=burst.kind,
        subject=burst.subject,
        starts_at=burst.starts_at,
        ends_at=burst.ends_at,
        reason="Scripted",
        actor=superuser,
    )
    client.force_login(superuser)
    assert client.post(f"/admin/feedback/burstexclusion/{exclusion.pk}/delete/", {"post": "yes"}).status_code == 403
    assert BurstExclusion.objects.count() == 1


def test_advocates_cannot_exclude_bursts(client, briefing, burst, advocate):
    client.force_login(advocate)
    assert client.get("/admin/feedback/burstexclusion/add/").status_code == 403
