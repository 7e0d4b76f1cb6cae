"""Staff issue batches of one-time participation codes, printed as slips; only keyed hashes are stored."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection

from feedback.models import CodeBatch, ParticipationCode
from feedback.verification.codes import CODE_ALPHABET, code_hash
from feedback.verification.services import issue_codes

CODE = re.compile(rf"^[{CODE_ALPHABET}]{{4}}-[{CODE_ALPHABET}]{{4}}$")


def issue(tmp_path, name: str, count: int = 12, label: str = "Pilsen meeting, 12 Jan") -> str:
    out = io.StringIO()
    call_command(
        "issue_codes", consultation="chicago", count=count, label=label, output=str(tmp_path / name), stdout=out
    )
    return out.getvalue()


def test_codes_are_short_unambiguous_and_stored_only_as_keyed_hashes(briefing):
    issued = issue_codes(consultation=briefing, count=200, label="St. Pius church")

    assert len(set(issued.codes)) == 200
    assert all(CODE.match(code) for code in issued.codes)
    assert not set("".join(issued.codes)) & set("0O1IL")
    stored = set(ParticipationCode.objects.values_list("code_hash", flat=True))
    assert stored == {code_hash(code) for code in issued.codes}
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM feedback_participationcode")
        everything = repr(cursor.fetchall()) + repr(list(CodeBatch.objects.values()))
    for code in issued.codes:
        assert code not in everything and code.replace("-", "") not in everything


def test_the_command_prints_slips_with_the_address_a_qr_code_and_both_languages(briefing, tmp_path):
    output = issue(tmp_path, "slips.html")

    assert "Issued 12 codes for 'chicago' (Pilsen meeting, 12 Jan)" in output
    page = (tmp_path / "slips.html").read_text()
    codes = re.findall(r'<p class="code">([A-Z0-9-]+)</p>', page)
    assert len(codes) == 12 and all(ParticipationCode.objects.filter(code_hash=code_hash(c)).exists() for c in codes)
    assert page.count('class="slip"') == 12
    assert "127.0.0.1:8000/c/chicago/code/" in page
    assert page.count("<svg") == 12 and 'class="qrline"' in page
    assert "Your participation code" in page and "Su código de participación" in page
    assert "http" not in page.split("</style>", 1)[1].replace("http://127.0.0.1:8000/", "").split("<svg")[0]


def test_the_command_writes_a_pdf_or_a_csv_of_the_codes(briefing, tmp_path):
    issue(tmp_path, "slips.pdf", count=3)
    assert (tmp_path / "slips.pdf").read_bytes().startswith(b"%PDF")

    issue(tmp_path, "codes.csv", count=4, label="Clinic")
    rows = list(csv.DictReader(io.StringIO((tmp_path / "codes.csv").read_text(encoding="utf-8-sig"))))
    assert len(rows) == 4 and all(CODE.match(row["code"]) for row in rows)
    assert {row["address"] for row in rows} == {"http://127.0.0.1:8000/c/chicago/code/"}
    assert CodeBatch.objects.count() == 2 and ParticipationCode.objects.count() == 7


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"count": 0}, "between 1 and 5000"),
        ({"count": 5001}, "between 1 and 5000"),
        ({"label": "  "}, "Say where and when"),
        ({"expires": date(2020, 1, 1)}, "cannot be in the past"),
        ({"output": "codes.docx"}, "must end in"),
        ({"consultation": "nowhere"}, "No consultation 'nowhere'"),
    ],
)
def test_a_bad_request_issues_no_code_and_says_why(briefing, tmp_path, options, message):
    arguments = {"consultation": "chicago", "count": 5, "label": "Clinic", "output": str(tmp_path / "codes.csv")}
    arguments.update(options)
    if options.get("output"):
        arguments["output"] = str(tmp_path / options["output"])
    with pytest.raises(CommandError, match=message):
        call_command("issue_codes", **arguments, stdout=io.StringIO())
    assert not ParticipationCode.objects.exists() and not CodeBatch.objects.exists()


def test_an_unwritable_output_issues_no_code(briefing, tmp_path):
    with pytest.raises(CommandError, match="Could not write"):
        issue(tmp_path, "missing-folder/codes.csv")
    assert not ParticipationCode.objects.exists()


def test_the_service_refuses_bad_input_with_messages(briefing):
    with pytest.raises(ValidationError) as refused:
        issue_codes(consultation=briefing, count=-1, label="")
    assert set(refused.value.message_dict) == {"count", "label"}


def test_organizers_issue_codes_in_the_admin_and_download_the_slips_once(client, briefing, organizer):
    client.force_login(organizer)
    form = client.get(f"/admin/feedback/codebatch/add/?consultation={briefing.pk}").content.decode()
    assert "Issue participation codes" in form and f'<option value="{briefing.pk}" selected>' in form

    response = client.post(
        "/admin/feedback/codebatch/add/",
        {"consultation": briefing.pk, "label": "Pilsen", "count": 5, "expires_on": "2099-01-31", "format": "csv"},
    )

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="participation-codes-')
    assert "no-store" in response["Cache-Control"]
    codes = [row["code"] for row in csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))]
    assert len(codes) == 5 and ParticipationCode.objects.count() == 5
    listing = client.get("/admin/feedback/codebatch/").content.decode()
    assert "Pilsen" in listing and not any(code in listing for code in codes)


def test_the_admin_form_explains_mistakes_and_issues_nothing(client, briefing, organizer):
    client.force_login(organizer)
    response = client.post(
        "/admin/feedback/codebatch/add/",
        {"consultation": briefing.pk, "label": "", "count": 0, "expires_on": "2099-01-31", "format": "pdf"},
    )
    assert response.status_code == 200
    assert "No code was issued" in response.content.decode()
    assert not ParticipationCode.objects.exists()


def test_advocates_without_the_permission_cannot_issue_codes(client, briefing, advocate):
    client.force_login(advocate)
    assert client.get("/admin/feedback/codebatch/add/").status_code == 403
    response = client.post(
        "/admin/feedback/codebatch/add/",
        {"consultation": briefing.pk, "label": "x", "count": 5, "expires_on": "2099-01-31", "format": "csv"},
    )
    assert response.status_code == 403 and not ParticipationCode.objects.exists()


def test_the_consultations_list_offers_the_action_that_opens_the_issue_form(client, briefing, organizer):
    client.force_login(organizer)
    response = client.post(
        "/admin/feedback/consultation/",
        {"action": "issue_codes", "_selected_action": [briefing.pk], "index": 0},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/admin/feedback/codebatch/add/?consultation={briefing.pk}"
