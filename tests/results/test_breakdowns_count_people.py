"""Public breakdowns count people, not endorsements: one person from a rare area with many endorsements stays hidden.

The worst case: one resident of Hegewisch (community area 55, one of the smallest) who says their role is
"Other" and endorses five remedies. Counting rows would publish "Hegewisch 5" and "Other 5".
"""

from __future__ import annotations

import re
import uuid

import pytest

from feedback.models import Endorsement
from tests.factories import EndorsementFactory

RESULTS = "/c/chicago/results/"
API = "/api/c/chicago/tallies.json"


def table(page: str, chart_id: str) -> dict[str, str]:
    """{label: shown count} of the accessible table of the chart `chart_id`."""
    chart = page[page.index(f'id="{chart_id}-caption"') :]
    chart = chart[: chart.index("</figure>")]
    return dict(re.findall(r'<th scope="row">([^<]+)</th>\s*<td class="text-end">([^<]+)</td>', chart))


@pytest.fixture
def one_person_from_hegewisch(client, briefing):
    """The worst case, through the pages a resident uses, among 13 other people."""
    remedies = list(briefing.remedies.all())
    client.post("/c/chicago/remedies/about-you/", {"role": "other", "community_area": "55"})
    for remedy in remedies[:5]:
        client.post(f"/c/chicago/remedies/{remedy.pk}/endorse/")
    for _person in range(7):
        EndorsementFactory(remedy=remedies[0], participant=uuid.uuid4(), community_area="30", role="advocate")
    for _person in range(6):
        EndorsementFactory(remedy=remedies[1], participant=uuid.uuid4(), community_area="14", role="resident")
    assert Endorsement.objects.filter(community_area="55", role="other").count() == 5
    return briefing


def test_the_results_page_does_not_show_one_person_as_five(client, one_person_from_hegewisch):
    page = client.get(RESULTS).content.decode()
    by_area = table(page, "chart-participants-area")
    by_role = table(page, "chart-participants-role")
    assert by_area["Hegewisch"] == "hidden"
    assert by_role["Other"] == "hidden"
    # Hegewisch alone would be hidden, so the next smallest group (6 in Albany Park) is hidden with it.
    assert by_area == {"South Lawndale": "7", "Albany Park": "hidden", "Hegewisch": "hidden"}
    assert by_role == {"Advocate": "7", "Other": "hidden", "Resident": "hidden"}
    assert "<strong>14</strong> participants" in page


def test_the_api_does_not_show_one_person_as_five(client, one_person_from_hegewisch):
    data = client.get(API).json()
    by_area = {row["key"]: row for row in data["participants_by_area"]}
    by_role = {row["key"]: row for row in data["participants_by_role"]}
    assert by_area["55"] == {"key": "55", "label": "Hegewisch", "count": None, "suppressed": True}
    assert by_role["other"]["count"] is None and by_role["other"]["suppressed"] is True
    shown = [row["count"] for row in data["participants_by_area"] + data["participants_by_role"] if row["count"]]
    assert shown == [7, 7]
    assert data["totals"]["participants"] == 14


def test_five_people_from_hegewisch_show_as_five_people_however_many_endorsements(client, briefing):
    remedies = list(briefing.remedies.all())
    for _person in range(5):
        participant = uuid.uuid4()
        for remedy in remedies[:4]:
            EndorsementFactory(remedy=remedy, participant=participant, community_area="55", role="resident")
    for _person in range(9):
        EndorsementFactory(remedy=remedies[0], participant=uuid.uuid4(), community_area="30", role="advocate")
    data = client.get(API).json()
    assert {row["key"]: row["count"] for row in data["participants_by_area"]} == {"30": 9, "55": 5}
    assert {row["key"]: row["count"] for row in data["participants_by_role"]} == {"advocate": 9, "resident": 5}
    assert data["totals"] == {"endorsements": 29, "participants": 14, "concerns": 0}
    page = client.get(RESULTS).content.decode()
    assert table(page, "chart-participants-area")["Hegewisch"] == "5"
