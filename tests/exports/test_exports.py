"""Exports for organizers: exact tallies, anonymised records, formula neutralisation, the commands."""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone
from openpyxl import load_workbook

from feedback.exports.formats import FORMATS, RECORD_KINDS, UTF8_BOM
from feedback.exports.neutralise import FORMULA_TRIGGERS, neutralise
from feedback.exports.record_files import write_records
from feedback.exports.tallies import TALLY_HEADERS, render_tallies
from feedback.models import Concern, Consultation, Endorsement
from feedback.results.recount import replace_rollups
from feedback.results.tallies import TallyFilters
from tests.availability import postgresql_only

ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

HOSTILE_TEXTS = [
    '=HYPERLINK("http://evil.example","click")',
    "+1+1 is a formula too",
    "-2+3 also a formula",
    "@SUM(A1:A2) at sign",
    "\tstarts with a tab",
    "\rstarts with a carriage return",
]


@pytest.fixture
def populated(briefing):
    """Endorsements with known participants and concerns in every status, some with contact emails."""
    remedies = list(briefing.remedies.all())
    topics = list(briefing.topics.all())
    participants = [uuid.uuid4() for _ in range(12)]
    endorsements = []
    for index, participant in enumerate(participants):
        for remedy in remedies[: 1 + index % 4]:
            endorsements.append(
                Endorsement(
                    remedy=remedy,
                    participant=participant,
                    role=["resident", "advocate", ""][index % 3],
                    community_area=["14", "30", "", "outside"][index % 4],
                    created_at=timezone.now() - timedelta(days=index % 3, hours=index),
                )
            )
    Endorsement.objects.bulk_create(endorsements)
    statuses = [Concern.Status.APPROVED, Concern.Status.PENDING, Concern.Status.REJECTED, Concern.Status.SPAM]
    emails = []
    for index in range(16):
        email = f"resident{index}@example.org" if index % 2 == 0 else ""
        emails += [email] if email else []
        Concern.objects.create(
            consultation=briefing,
            topic=topics[index % len(topics)] if index % 5 else None,
            text=HOSTILE_TEXTS[index % len(HOSTILE_TEXTS)] if index < 6 else f"An ordinary concern number {index}.",
            status=statuses[index % 4] if index >= 6 else Concern.Status.APPROVED,
            role=["resident", "organization"][index % 2],
            community_area=["14", "30"][index % 2],
            contact_email=email,
            contact_consent=bool(email),
            receipt_hash=f"{index:064x}",
            created_at=timezone.now() - timedelta(days=index % 2, minutes=index),
        )
    replace_rollups(consultation=briefing)  # rows written in bulk get their roll-ups as a bulk load's do
    return {"consultation": briefing, "participants": participants, "emails": emails}


def read_csv(data: bytes) -> list[dict]:
    """The rows of a CSV export; a record file's classification column is checked and left out."""
    assert data.startswith(UTF8_BOM)
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    for row in rows:
        if "classification" in row:
            assert row.pop("classification") in ("INTERNAL", "shareable")
    return rows


def read_xlsx_sheets(data: bytes):
    return load_workbook(io.BytesIO(data))


def records(consultation, what: str, fmt: str, filters=None, *, internal: bool = True) -> bytes:
    """An exact (internal) record file by default: these tests check figures; the shareable ones are in
    test_k_anonymous_records.py."""
    out = io.BytesIO()
    write_records(consultation=consultation, what=what, fmt=fmt, out=out, filters=filters, internal=internal)
    return out.getvalue()


def json_records(data: bytes) -> list[dict]:
    document = json.loads(data)
    assert document["classification"] in ("INTERNAL", "shareable") and document["readme"]
    return document["records"]


def exact_tallies(consultation, fmt: str, filters=None) -> bytes:
    return render_tallies(consultation, fmt, filters, internal=True)


def tally_figures_from_rows(rows) -> dict[tuple[str, str, str], int]:
    return {
        (row["table"], row["key"], row["group_key"]): int(row["count"])
        for row in rows
        if row["table"] != "readme" and row["count"] not in ("", None)
    }


def independent_counts(consultation) -> dict[tuple[str, str, str], int]:
    """The figures counted one by one with plain queries, not through the selectors."""
    expected = {}
    endorsements = Endorsement.objects.filter(remedy__consultation=consultation)
    for remedy in consultation.remedies.filter(is_published=True):
        expected[("endorsements_per_remedy", remedy.key, "")] = endorsements.filter(remedy=remedy).count()
        for area in ["14", "30", "", "outside"]:
            n = endorsements.filter(remedy=remedy, community_area=area).count()
            if n:
                expected[("endorsements_by_remedy_and_area", remedy.key, area)] = n
        for role in ["resident", "advocate", ""]:
            n = endorsements.filter(remedy=remedy, role=role).count()
            if n:
                expected[("endorsements_by_remedy_and_role", remedy.key, role)] = n
    concerns = Concern.objects.filter(consultation=consultation)
    for topic in consultation.topics.all():
        expected[("concerns_per_topic", topic.key, "")] = concerns.filter(
            topic=topic, status__in=["pending", "approved"]
        ).count()
        for status in Concern.Status.values:
            n = concerns.filter(topic=topic, status=status).count()
            if n:
                expected[("concerns_by_topic_and_status", topic.key, status)] = n
    for status in Concern.Status.values:
        n = concerns.filter(status=status).count()
        if n:
            expected[("concerns_by_status", status, "")] = n
    expected[("totals", "endorsements", "")] = endorsements.count()
    expected[("totals", "participants", "")] = endorsements.values("participant").distinct().count()
    expected[("totals", "concerns", "")] = concerns.count()
    return expected


def assert_figures_match(figures: dict, expected: dict) -> None:
    for key, count in expected.items():
        assert figures.get(key, 0) == count, key


def test_csv_tallies_equal_independent_counts(populated):
    consultation = populated["consultation"]
    rows = read_csv(exact_tallies(consultation, "csv"))
    assert list(rows[0]) == list(TALLY_HEADERS)
    assert_figures_match(tally_figures_from_rows(rows), independent_counts(consultation))


def test_json_tallies_equal_independent_counts(populated):
    consultation = populated["consultation"]
    rows = json.loads(exact_tallies(consultation, "json"))
    assert_figures_match(tally_figures_from_rows(rows), independent_counts(consultation))


def test_xlsx_tallies_have_one_sheet_per_table_and_equal_independent_counts(populated):
    consultation = populated["consultation"]
    workbook = read_xlsx_sheets(exact_tallies(consultation, "xlsx"))
    figures = {}
    for sheet in workbook.worksheets:
        header, *body = sheet.iter_rows(values_only=True)
        assert header == TALLY_HEADERS[1:]
        if sheet.title == "readme":
            continue
        for key, _label, group_key, _group, count, _verified in body:
            figures[(sheet.title, key or "", group_key or "")] = count
    assert {"totals", "endorsements_per_remedy", "endorsements_by_remedy_and_area", "concerns_per_day"} <= set(
        workbook.sheetnames
    )
    assert_figures_match(figures, independent_counts(consultation))


def test_per_day_tallies_add_up_to_the_counted_totals(populated):
    consultation = populated["consultation"]
    rows = read_csv(exact_tallies(consultation, "csv"))
    per_day = sum(int(row["count"]) for row in rows if row["table"] == "endorsements_per_day")
    assert per_day == Endorsement.objects.filter(remedy__consultation=consultation).count()
    concern_days = sum(int(row["count"]) for row in rows if row["table"] == "concerns_per_day")
    assert concern_days == Concern.objects.filter(status__in=["pending", "approved"]).count()


def test_tally_filters_narrow_the_figures(populated):
    consultation = populated["consultation"]
    rows = read_csv(exact_tallies(consultation, "csv", TallyFilters(community_area="14")))
    figures = tally_figures_from_rows(rows)
    assert figures[("totals", "endorsements", "")] == Endorsement.objects.filter(community_area="14").count()


def test_tallies_take_a_fixed_number_of_queries(populated, django_assert_num_queries):
    # published remedies, topics, the endorsement cube, distinct participants, the concern cube, endorsements and
    # concerns per day (each from the roll-ups); then the same for verified participants only
    with django_assert_num_queries(14):
        exact_tallies(populated["consultation"], "csv")


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("what", RECORD_KINDS)
def test_no_record_export_carries_personal_data(populated, what, fmt):
    data = records(populated["consultation"], what, fmt)
    text = data.decode("utf-8", errors="replace") if fmt != "xlsx" else _xlsx_text(data)
    for email in populated["emails"]:
        assert email not in text
    for participant in populated["participants"]:
        assert str(participant) not in text
        assert participant.hex not in text
    for receipt_hash in Concern.objects.values_list("receipt_hash", flat=True):
        assert receipt_hash not in text
    assert "example.org" not in text


def _xlsx_text(data: bytes) -> str:
    workbook = load_workbook(io.BytesIO(data))
    return "\n".join(
        str(value) for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True) for value in row
    )


def test_concern_records_are_the_approved_concerns_with_day_only(populated):
    consultation = populated["consultation"]
    rows = read_csv(records(consultation, "concerns", "csv"))
    assert list(rows[0]) == ["day", "topic", "role", "community_area", "text"]
    assert len(rows) == Concern.objects.filter(status="approved").count()
    days = {timezone.localdate(c.created_at).isoformat() for c in Concern.objects.filter(status="approved")}
    assert {row["day"] for row in rows} == days
    assert {row["role"] for row in rows} <= {"Resident", "Community organization"}
    assert {row["community_area"] for row in rows} <= {"Albany Park", "South Lawndale"}
    assert "Other" in {row["topic"] for row in rows}


def test_endorsement_records_are_ordered_by_their_own_values_not_by_time(populated):
    rows = read_csv(records(populated["consultation"], "endorsements", "csv"))
    assert len(rows) == Endorsement.objects.count()
    assert list(rows[0]) == ["day", "remedy", "role", "community_area"]
    days = [row["day"] for row in rows]
    assert days == sorted(days)
    assert all(len(day) == 10 for day in days)


@pytest.mark.parametrize("fmt", FORMATS)
def test_record_formats_carry_the_same_rows(populated, fmt):
    consultation = populated["consultation"]
    data = records(consultation, "endorsements", fmt)
    if fmt == "csv":
        rows = [tuple(row.values()) for row in read_csv(data)]
    elif fmt == "json":
        rows = [tuple(row.values()) for row in json_records(data)]
    else:
        _header, *body = load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True)
        rows = [tuple(value or "" for value in row) for row in body]
    assert sorted(rows) == expected_endorsement_rows()


def expected_endorsement_rows() -> list[tuple[str, str, str, str]]:
    """The anonymised endorsement records, worked out from the rows themselves (not by the code under test)."""
    return sorted(
        (
            timezone.localdate(endorsement.created_at).isoformat(),
            endorsement.remedy.title,
            endorsement.get_role_display() or "Not given",
            endorsement.get_community_area_display() or "Not given",
        )
        for endorsement in Endorsement.objects.select_related("remedy")
    )


def test_record_filters_narrow_the_rows(populated):
    rows = read_csv(records(populated["consultation"], "endorsements", "csv", TallyFilters(role="advocate")))
    assert len(rows) == Endorsement.objects.filter(role="advocate").count()
    assert {row["role"] for row in rows} == {"Advocate"}


def test_record_export_queries_do_not_grow_with_rows(populated, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        records(populated["consultation"], "endorsements", "json")


# --- Formula injection -----------------------------------------------------------------------------


@pytest.mark.parametrize("text", HOSTILE_TEXTS)
def test_neutralise_prefixes_every_formula_trigger(text):
    assert neutralise(text) == "'" + text
    assert neutralise("A plain sentence") == "A plain sentence"
    assert neutralise(42) == 42


def test_concern_text_is_neutralised_in_csv(populated):
    rows = read_csv(records(populated["consultation"], "concerns", "csv"))
    texts = {row["text"] for row in rows}
    for text in HOSTILE_TEXTS:
        # csv reading turns a lone carriage return inside quotes into a newline on some platforms
        assert ("'" + text) in texts or ("'" + text.replace("\r", "\n")) in texts
    assert not any(value.startswith(FORMULA_TRIGGERS) for row in rows for value in row.values())


def test_no_xlsx_cell_is_a_formula(populated):
    consultation = populated["consultation"]
    remedy = consultation.remedies.first()
    remedy.title = "=1+2 a remedy renamed in the admin"
    remedy.save()
    for data in (records(consultation, "concerns", "xlsx"), exact_tallies(consultation, "xlsx")):
        workbook = load_workbook(io.BytesIO(data))
        cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
        assert cells
        assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
        assert not [cell.value for cell in cells if isinstance(cell.value, str) and cell.value.startswith("=")]


def test_tally_csv_neutralises_labels(populated):
    consultation = populated["consultation"]
    topic = consultation.topics.first()
    topic.name = "@cmd a topic renamed in the admin"
    topic.save()
    rows = read_csv(exact_tallies(consultation, "csv"))
    assert "'@cmd a topic renamed in the admin" in {row["label"] for row in rows}
    assert not any(value.startswith(FORMULA_TRIGGERS) for row in rows for value in row.values())


def test_control_characters_do_not_break_an_xlsx_export(populated):
    Concern.objects.create(
        consultation=populated["consultation"],
        text="bell \x07 and escape \x1b inside",
        status="approved",
        community_area="14",
    )
    workbook = load_workbook(io.BytesIO(records(populated["consultation"], "concerns", "xlsx")))
    texts = [row[4] for row in workbook.active.iter_rows(min_row=2, values_only=True)]
    assert "bell \N{REPLACEMENT CHARACTER} and escape \N{REPLACEMENT CHARACTER} inside" in texts


# --- Commands ----------------------------------------------------------------------------------------


def test_export_tallies_writes_a_file_a_script_can_read(populated, tmp_path):
    path = tmp_path / "tallies.csv"
    stderr = io.StringIO()
    call_command("export_tallies", "--consultation", "chicago", "--format", "csv", "--output", str(path), stderr=stderr)
    rows = read_csv(path.read_bytes())
    assert tally_figures_from_rows(rows)[("totals", "endorsements", "")] == Endorsement.objects.count()
    assert "written to" in stderr.getvalue()
    assert not list(tmp_path.glob("*.part"))


def test_export_tallies_to_standard_output(populated):
    stdout = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    call_command("export_tallies", "--consultation", "chicago", "--format", "json", "--output", "-", stdout=stdout)
    stdout.flush()
    rows = json.loads(stdout.buffer.getvalue())
    # Shareable by default: the published figures, where concerns count while pending or approved.
    published = Concern.objects.filter(status__in=["pending", "approved"]).count()
    assert tally_figures_from_rows(rows)[("totals", "concerns", "")] == published


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_records_writes_every_format(populated, tmp_path, fmt):
    path = tmp_path / f"concerns.{fmt}"
    call_command(
        "export_records",
        *("--consultation", "chicago", "--what", "concerns", "--format", fmt, "--output", str(path), "--internal"),
        stderr=io.StringIO(),
    )
    assert path.stat().st_size > 0
    approved = Concern.objects.filter(status="approved").count()
    if fmt == "csv":
        assert len(read_csv(path.read_bytes())) == approved
    elif fmt == "json":
        assert len(json_records(path.read_bytes())) == approved
    else:
        assert load_workbook(path).active.max_row == approved + 1


def test_export_records_xlsx_to_standard_output(populated):
    stdout = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    call_command(
        "export_records",
        *("--consultation", "chicago", "--what", "endorsements", "--format", "xlsx", "--output", "-", "--internal"),
        stdout=stdout,
    )
    stdout.flush()
    workbook = load_workbook(io.BytesIO(stdout.buffer.getvalue()))
    assert workbook.worksheets[0].max_row == Endorsement.objects.count() + 1
    assert "INTERNAL" in str(list(workbook["readme"].iter_rows(values_only=True)))


def test_an_unknown_consultation_is_a_clear_error(populated, tmp_path):
    with pytest.raises(CommandError, match="No consultation 'nowhere'.*chicago"):
        call_command("export_tallies", "--consultation", "nowhere", "--format", "csv", "--output", str(tmp_path / "x"))


def test_too_many_rows_for_xlsx_is_a_clear_error_and_leaves_no_file(populated, tmp_path, monkeypatch):
    monkeypatch.setattr("feedback.exports.record_files.XLSX_MAX_ROWS", 3)
    path = tmp_path / "endorsements.xlsx"
    with pytest.raises(CommandError, match="do not fit in one XLSX sheet"):
        call_command(
            "export_records",
            *("--consultation", "chicago", "--what", "endorsements", "--format", "xlsx", "--output", str(path)),
        )
    assert not list(tmp_path.iterdir())


def test_since_after_until_is_refused(populated, tmp_path):
    with pytest.raises(CommandError, match="--since comes after --until"):
        call_command(
            "export_tallies",
            *("--consultation", "chicago", "--format", "csv", "--output", str(tmp_path / "t.csv")),
            *("--since", "2025-10-02", "--until", "2025-10-01"),
        )


def test_per_day_counts_follow_the_local_calendar_day(briefing):
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    midnight = datetime.combine(
        timezone.localdate() - timedelta(days=3), time(0, 0), tzinfo=ZoneInfo(settings.TIME_ZONE)
    )
    remedy = briefing.remedies.first()
    for minutes in (-10, -1, 0, 14, 15, 16):
        Endorsement.objects.create(
            remedy=remedy, participant=uuid.uuid4(), created_at=midnight + timedelta(minutes=minutes)
        )
    replace_rollups(consultation=briefing)
    rows = read_csv(exact_tallies(briefing, "csv"))
    per_day = {row["key"]: int(row["count"]) for row in rows if row["table"] == "endorsements_per_day"}
    before = (midnight - timedelta(days=1)).date().isoformat()
    assert per_day == {before: 2, midnight.date().isoformat(): 4}


def test_per_day_counts_equal_the_dashboard_selector(populated):
    from feedback.results.tallies import tallies_for

    consultation = populated["consultation"]
    rows = read_csv(exact_tallies(consultation, "csv"))
    exported = {(row["table"], row["key"]): int(row["count"]) for row in rows if row["table"].endswith("_per_day")}
    for day in tallies_for(consultation).per_day:
        assert exported[("endorsements_per_day", day.day.isoformat())] == day.endorsements
        assert exported[("concerns_per_day", day.day.isoformat())] == day.concerns


def test_participants_are_counted_per_consultation_when_several_exist(populated):
    from feedback.models import Consultation, Remedy

    other = Consultation.objects.create(title="Other", slug="other", summary="s", source_citation="c")
    remedy = Remedy.objects.create(consultation=other, key="r", kind="approach", title="R", proposed_by="p")
    shared = populated["participants"][0]
    Endorsement.objects.create(remedy=remedy, participant=shared)
    Endorsement.objects.create(remedy=remedy, participant=uuid.uuid4())
    replace_rollups(consultation=other)
    rows = read_csv(exact_tallies(populated["consultation"], "csv"))
    assert tally_figures_from_rows(rows)[("totals", "participants", "")] == len(populated["participants"])
    other_rows = read_csv(exact_tallies(other, "csv"))
    assert tally_figures_from_rows(other_rows)[("totals", "participants", "")] == 2


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_endorsement_records_are_exactly_the_endorsements_one_row_each(populated, fmt):
    from collections import Counter

    expected = Counter(
        (
            timezone.localdate(e.created_at).isoformat(),
            e.remedy.title,
            e.get_role_display() or "Not given",
            e.get_community_area_display() or "Not given",
        )
        for e in Endorsement.objects.select_related("remedy")
    )
    data = records(populated["consultation"], "endorsements", fmt)
    rows = read_csv(data) if fmt == "csv" else json_records(data)
    assert Counter(tuple(row.values()) for row in rows) == expected
    assert [tuple(row.values()) for row in rows] == sorted(
        (tuple(row.values()) for row in rows), key=lambda row: row[0]
    )


class FullDisk(io.BytesIO):
    def write(self, data):
        if self.tell() > 10:
            raise OSError(28, "No space left on device")
        return super().write(data)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_an_export_stopped_midway_leaves_the_database_usable(tmp_path):
    call_command("load_briefing", stdout=io.StringIO())
    consultation = Consultation.objects.get(slug="chicago")
    remedy = consultation.remedies.first()
    Endorsement.objects.bulk_create(Endorsement(remedy=remedy, participant=uuid.uuid4()) for _ in range(50_000))
    replace_rollups(consultation=consultation)  # rows written in bulk get their roll-ups
    with pytest.raises(OSError, match="No space left"):
        write_records(consultation=consultation, what="endorsements", fmt="csv", out=FullDisk(), internal=True)
    assert Endorsement.objects.count() == 50_000  # a fresh connection, no cursor left half-read
    out = io.BytesIO()
    assert (
        write_records(consultation=consultation, what="endorsements", fmt="csv", out=out, internal=True).rows == 50_000
    )
    # One group of 50,000 identical records, written in pieces: every one of them is in the file, whole.
    header, *records = csv.reader(io.StringIO(out.getvalue().decode("utf-8-sig")))
    assert header[0] == "classification" and len(records) == 50_000
    assert {tuple(record) for record in records} == {tuple(records[0])}
    assert records[0][2] == remedy.title
