"""Shareable record exports are k-anonymous on (day, community area, role), k = RESULTS_MIN_CELL, and say so.

Worst case: one resident of Hegewisch (area 55) whose role is "Other" endorses five remedies on one day.
Exact records would show their five rows as one small group tied to that day, area and role.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone
from openpyxl import load_workbook

from feedback.exports.formats import ExportError
from feedback.exports.record_files import write_records
from feedback.models import Endorsement
from feedback.results.tallies import TallyFilters
from tests.factories import ConcernFactory, EndorsementFactory

ALONE = uuid.UUID(int=55)


def monday(weeks_ago: int = 2) -> datetime:
    today = timezone.localdate()
    day = today - timedelta(days=today.weekday() + 7 * weeks_ago)
    return datetime(day.year, day.month, day.day, 12, tzinfo=ZoneInfo(settings.TIME_ZONE))


def shareable(consultation, what: str = "endorsements", fmt: str = "csv"):
    out = io.BytesIO()
    written = write_records(consultation=consultation, what=what, fmt=fmt, out=out)
    data = out.getvalue()
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
        assert {row.pop("classification") for row in rows} <= {"shareable"}
    elif fmt == "json":
        document = json.loads(data)
        assert document["classification"] == "shareable" and document["readme"] == written.readme
        rows = document["records"]
    else:
        workbook = load_workbook(io.BytesIO(data))
        header, *body = workbook.worksheets[0].iter_rows(values_only=True)
        rows = [dict(zip(header, row, strict=True)) for row in body]
        assert [line for (line,) in workbook["readme"].iter_rows(values_only=True)] == written.readme
    return rows, written


def endorse(remedy, *, participant=None, area: str, role: str, at: datetime):
    return EndorsementFactory(
        remedy=remedy, participant=participant or uuid.uuid4(), community_area=area, role=role, created_at=at
    )


@pytest.fixture
def hegewisch(briefing):
    """Six residents of South Lawndale on a Monday, and the one person from Hegewisch with five endorsements."""
    remedies = list(briefing.remedies.all())
    for _person in range(6):
        endorse(remedies[0], area="30", role="resident", at=monday())
    alone = uuid.uuid4()
    for remedy in remedies[:5]:
        endorse(remedy, participant=alone, area="55", role="other", at=monday())
    return briefing


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
def test_one_person_from_hegewisch_is_never_a_group_of_their_own(hegewisch, fmt):
    rows, written = shareable(hegewisch, fmt=fmt)
    assert len(rows) == 6 == written.rows
    assert {(row["day"], row["role"], row["community_area"]) for row in rows} == {
        (monday().date().isoformat(), "Resident", "South Lawndale")
    }
    assert "5 are left out" in " ".join(written.readme)
    assert "no combination of day, community area and role" in " ".join(written.readme)


def test_small_groups_of_one_week_are_shown_by_week_with_area_and_role_not_shown(hegewisch):
    remedies = list(hegewisch.remedies.all())
    for offset, (area, role) in enumerate([("14", "resident"), ("22", "advocate"), ("24", ""), ("outside", "other")]):
        endorse(remedies[6], area=area, role=role, at=monday() + timedelta(days=offset + 1))
    rows, written = shareable(hegewisch)
    week = f"{monday().isocalendar()[0]}-W{monday().isocalendar()[1]:02d}"
    generalised = [row for row in rows if row["day"] == week]
    assert len(generalised) == 9  # Hegewisch's five and the four others, five people in that week
    assert {(row["role"], row["community_area"]) for row in generalised} == {("not shown", "not shown")}
    assert not [row for row in rows if row["community_area"] in ("Hegewisch", "Albany Park", "Logan Square")]
    assert written.rows == 15


def test_a_person_in_two_small_cells_of_a_week_counts_once(briefing):
    remedies = list(briefing.remedies.all())
    twice = uuid.uuid4()
    endorse(remedies[0], participant=twice, area="14", role="resident", at=monday())
    endorse(remedies[1], participant=twice, area="14", role="resident", at=monday() + timedelta(days=1))
    for _person in range(3):
        endorse(remedies[2], area="14", role="resident", at=monday())
    rows, _written = shareable(briefing)
    # Four people, five rows: counting rows would have shown "Albany Park, Resident" for that week.
    assert not [row for row in rows if row["community_area"] == "Albany Park"]
    endorse(remedies[3], area="14", role="resident", at=monday() + timedelta(days=1))  # a fifth person
    rows, _written = shareable(briefing)
    assert {(row["role"], row["community_area"]) for row in rows} == {("Resident", "Albany Park")}
    assert len(rows) == 6 and all("-W" in row["day"] for row in rows)


def test_five_people_each_endorsing_a_different_remedy_are_five_people(briefing):
    remedies = list(briefing.remedies.all())
    for remedy in remedies[:5]:  # no remedy of the cell reaches k on its own
        endorse(remedy, area="14", role="resident", at=monday())
    for remedy in remedies[:4]:  # one person, four endorsements on another day: one person, not four
        endorse(remedy, participant=ALONE, area="14", role="resident", at=monday() + timedelta(days=1))
    rows, written = shareable(briefing)
    assert [row["day"] for row in rows] == [monday().date().isoformat()] * 5
    assert {(row["role"], row["community_area"]) for row in rows} == {("Resident", "Albany Park")}
    assert written.rows == 5


def test_a_cell_the_roll_ups_keep_and_the_rows_do_not_is_left_out(hegewisch):
    remedies = list(hegewisch.remedies.all())
    for remedy in remedies[:3]:
        endorse(remedy, area="14", role="resident", at=monday())
    Endorsement.objects.filter(community_area="14").delete()  # behind the roll-ups' back: they drifted
    rows, written = shareable(hegewisch)
    assert {row["community_area"] for row in rows} == {"South Lawndale"} and written.rows == 6


def test_a_concern_from_a_rare_area_and_role_is_not_shared_alone(briefing):
    ConcernFactory(consultation=briefing, community_area="55", role="other", text="Written in Hegewisch alone.")
    for number in range(5):
        ConcernFactory(consultation=briefing, community_area="30", role="resident", text=f"Lawndale number {number}.")
    rows, written = shareable(briefing, what="concerns")
    assert len(rows) == 5 and written.rows == 5
    assert "Written in Hegewisch alone." not in str(rows)


def test_a_shareable_export_refuses_filters_and_selections(hegewisch, tmp_path):
    for filters in (TallyFilters(community_area="55"), TallyFilters(only_ids=(1, 2))):
        with pytest.raises(ExportError, match="whole consultation"):
            write_records(consultation=hegewisch, what="endorsements", fmt="csv", out=io.BytesIO(), filters=filters)
    with pytest.raises(CommandError, match="whole consultation"):
        call_command(
            "export_records",
            *("--consultation", "chicago", "--what", "endorsements", "--format", "csv"),
            *("--output", str(tmp_path / "e.csv"), "--community-area", "55"),
        )


def test_the_command_writes_a_readme_beside_a_csv(hegewisch, tmp_path):
    path = tmp_path / "endorsements.csv"
    call_command(
        "export_records",
        *("--consultation", "chicago", "--what", "endorsements", "--format", "csv", "--output", str(path)),
        stderr=io.StringIO(),
    )
    readme = (tmp_path / "endorsements.csv.readme.txt").read_text()
    assert "Shareable" in readme and "left out" in readme
    assert "Hegewisch" not in path.read_text(encoding="utf-8-sig")


def test_an_internal_export_is_exact_and_says_internal_in_every_row(hegewisch):
    out = io.BytesIO()
    written = write_records(consultation=hegewisch, what="endorsements", fmt="csv", out=out, internal=True)
    rows = list(csv.DictReader(io.StringIO(out.getvalue().decode("utf-8-sig"))))
    assert written.rows == len(rows) == 11
    assert {row["classification"] for row in rows} == {"INTERNAL"}
    assert sum(row["community_area"] == "Hegewisch" for row in rows) == 5
    assert "INTERNAL" in written.readme[1]
