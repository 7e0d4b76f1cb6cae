"""`verify_certificate` recounts and names each figure that differs: deleted rows, edited events, edited files."""

from __future__ import annotations

import io
import json
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from feedback.models import Endorsement, ModerationEvent
from feedback.participation.services import endorse_remedy


@pytest.fixture
def certificate(activity, tmp_path):
    path = tmp_path / "cert.json"
    call_command("certify_tallies", consultation="chicago", output=str(path), stdout=io.StringIO())
    return path


def verify(path) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("verify_certificate", str(path), stdout=out)
    except CommandError as error:
        return error.returncode, out.getvalue() + str(error)
    return 0, out.getvalue()


def test_an_untouched_database_matches_its_certificate(certificate):
    assert verify(certificate) == (0, "Everything the certificate states still matches the database.\n")


def test_an_endorsement_row_deleted_in_sql_is_named(certificate, activity):
    first = activity["first"]
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM feedback_endorsement WHERE id = %s", [Endorsement.objects.filter(remedy=first).first().pk]
        )

    code, output = verify(certificate)

    assert code == 1
    assert f"Differs: tallies.endorsements_per_remedy[{first.key}].count: certificate 2, database 1" in output
    assert "Differs: tallies.totals[endorsements].count: certificate 2, database 1" in output
    assert f"Differs: ledger.endorsements.by_remedy.{first.key}.unaccounted: certificate 0, database 1" in output
    assert "Differs: ledger.endorsements.balanced: certificate True, database False" in output


def test_a_moderation_event_edited_in_sql_is_named_as_the_broken_link(certificate):
    event = ModerationEvent.objects.order_by("pk")[2]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE feedback_moderationevent SET to_status = 'approved' WHERE id = %s", [event.pk])

    code, output = verify(certificate)

    assert code == 1
    assert f"Differs: audit_log: the chain is broken at event #{event.pk} (concern #{event.concern_number}" in output
    assert "was changed after it was written" in output


def test_an_edited_certificate_file_fails_its_digest(certificate):
    document = json.loads(certificate.read_text())
    document["tallies"]["totals"][0]["count"] += 100
    certificate.write_text(json.dumps(document))
    code, output = verify(certificate)
    assert code == 1 and "Differs: digest: the certificate file was changed after it was issued" in output
    assert "tallies.totals[endorsements].count: certificate 102, database 2" in output


def test_the_file_may_be_reformatted_without_breaking_its_digest(certificate):
    certificate.write_text(json.dumps(json.loads(certificate.read_text()), indent=None, sort_keys=False))
    assert verify(certificate)[0] == 0


def test_an_endorsement_made_since_is_reported_as_a_difference(certificate, activity):
    endorse_remedy(remedy=activity["first"], participant=uuid.uuid4())
    code, output = verify(certificate)
    assert code == 1 and f"endorsements_per_remedy[{activity['first'].key}].count: certificate 2, database 3" in output


def test_the_last_event_removed_in_sql_is_found_through_the_certified_head(certificate):
    last = ModerationEvent.objects.order_by("pk").last()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM feedback_moderationevent WHERE id = %s", [last.pk])
    code, output = verify(certificate)
    assert code == 1 and f"audit_log.last_hash: event #{last.pk} is missing" in output


@pytest.mark.parametrize("content", ["not json", '{"format": "something else"}', "[]"])
def test_a_file_that_is_not_a_certificate_exits_2_with_a_reason(db, tmp_path, content):
    path = tmp_path / "cert.json"
    path.write_text(content)
    code, output = verify(path)
    assert code == 2 and "cannot be checked" in output


def test_a_missing_file_exits_2(db, tmp_path):
    assert verify(tmp_path / "absent.json")[0] == 2
