"""Verified and total side by side: the results page, the public API, the dashboard and the tally exports."""

from __future__ import annotations

import csv
import io
import uuid

import pytest

from feedback.exports.tallies import render_tallies
from feedback.participation.participants import Participant
from feedback.participation.services import endorse_remedy, submit_concern
from feedback.verification.services import issue_codes, redeem_code


@pytest.fixture
def mixed(briefing):
    """Three verified participants and five others endorse the first remedy; one verified concern of two."""
    first = briefing.remedies.select_related("consultation").first()
    codes = issue_codes(consultation=briefing, count=3, label="Pilsen").codes
    for code in codes:
        person = uuid.uuid4()
        redeem_code(consultation=briefing, code=code, participant=person)
        endorse_remedy(remedy=first, participant=person)
    for _ in range(5):
        endorse_remedy(remedy=first, participant=uuid.uuid4())
    topic = briefing.topics.first()
    extra = issue_codes(consultation=briefing, count=1, label="Clinic").codes[0]
    for code in (extra, ""):
        submit_concern(
            consultation=briefing,
            text="A concern about the operation.",
            role="resident",
            community_area="30",
            language="en",
            topic=topic,
            participant=Participant(id=uuid.uuid4()) if code else None,
            participation_code=code,
        )
    return briefing


def test_the_results_page_shows_verified_beside_the_totals_and_how_we_count(client, mixed):
    page = client.get("/c/chicago/results/").content.decode()
    assert "Verified — endorsements: 3, participants: 3, concerns: 1." in page
    first = mixed.remedies.first()
    row = page[page.index(f'<th scope="row">{first.title}</th>') :].split("</tr>", 1)[0]
    assert '<td class="text-end">8</td>' in row and '<td class="text-end">3</td>' in row
    assert '<a href="#how-we-count">How we count</a>' in page and 'id="how-we-count"' in page
    assert "participation code handed out in person" in page


def test_the_public_api_gives_verified_and_total_and_what_verified_means(client, mixed):
    data = client.get("/api/c/chicago/tallies.json").json()
    assert data["totals"] == {"endorsements": 8, "participants": 8, "concerns": 2}
    assert data["verified"] == {"endorsements": 3, "participants": 3, "concerns": 1}
    first = mixed.remedies.first()
    row = next(row for row in data["endorsements_per_remedy"] if row["key"] == first.key)
    assert (row["count"], row["verified"]) == (8, 3)
    assert "participation code" in data["verified_means"]
    assert all("verified" not in row for row in data["participants_by_area"])


def test_the_dashboard_shows_verified_and_total(client, mixed, organizer):
    client.force_login(organizer)
    page = client.get("/admin/dashboard/").content.decode()
    assert '<td class="numeric" data-verified="endorsements">3</td><td class="numeric">8</td>' in page
    assert '<td class="numeric" data-verified="concerns">1</td><td class="numeric">2</td>' in page
    assert "participation code handed out in person" in page


def test_every_tally_export_row_has_its_verified_count(mixed):
    rows = list(csv.DictReader(io.StringIO(render_tallies(mixed, "csv").decode("utf-8-sig"))))
    by_figure = {(row["table"], row["key"], row["group_key"]): row for row in rows}
    first = mixed.remedies.first()
    assert by_figure[("totals", "endorsements", "")]["verified"] == "3"
    assert by_figure[("totals", "participants", "")]["verified"] == "3"
    assert by_figure[("totals", "concerns", "")]["verified"] == "1"
    assert (
        by_figure[("endorsements_per_remedy", first.key, "")]["count"],
        by_figure[("endorsements_per_remedy", first.key, "")]["verified"],
    ) == ("8", "3")
    with_verified = [row for row in rows if row["table"] in {"totals", "endorsements_per_remedy", "concerns_per_topic"}]
    assert all(row["verified"].isdigit() and int(row["verified"]) <= int(row["count"]) for row in with_verified)
    # Breakdowns publish no verified figure: left empty, never a false 0.
    assert all(row["verified"] == "" for row in rows if row not in with_verified)
