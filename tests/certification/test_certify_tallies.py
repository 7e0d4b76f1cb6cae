"""A certificate: every tally (verified and total), the ledger, bursts, the audit log's head, a SHA-256 digest."""

from __future__ import annotations

import hashlib
import io
import json

from django.core.management import call_command

from feedback.certification.document import canonical_bytes
from feedback.exports.tallies import tally_tables
from feedback.models import Certificate


def certify(tmp_path, *extra: str) -> dict:
    call_command(
        "certify_tallies",
        "--consultation",
        "chicago",
        "--output",
        str(tmp_path / "cert.json"),
        *extra,
        stdout=io.StringIO(),
    )
    return json.loads((tmp_path / "cert.json").read_text(encoding="utf-8"))


def test_the_certificate_holds_every_tally_table_with_verified_and_total(activity, tmp_path):
    document = certify(tmp_path)

    assert set(document["tallies"]) == {table.name for table in tally_tables(activity["briefing"])}
    per_remedy = {row["key"]: row for row in document["tallies"]["endorsements_per_remedy"]}
    assert (per_remedy[activity["first"].key]["count"], per_remedy[activity["first"].key]["verified"]) == (2, 0)
    totals = {row["key"]: row["count"] for row in document["tallies"]["totals"]}
    assert totals == {"endorsements": 2, "participants": 2, "concerns": 6}
    assert document["bursts"] == [] and document["excluded_bursts"] == []
    assert document["consultation"]["slug"] == "chicago" and document["code_version"]
    assert set(document["time_range"]) == {"first_day", "last_day", "certified_at"}
    assert document["audit_log"]["intact"] and document["audit_log"]["events"] == 6


def test_the_digest_is_sha256_of_the_canonical_form(activity, tmp_path):
    document = certify(tmp_path)
    body = {key: value for key, value in document.items() if key != "digest"}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    assert canonical_bytes(document) == canonical
    assert document["digest"] == {"algorithm": "sha256", "value": hashlib.sha256(canonical).hexdigest()}
    assert Certificate.objects.get().digest == document["digest"]["value"]


def test_the_ledger_accounts_for_every_concern_by_source_and_every_endorsement(activity, tmp_path):
    ledger = certify(tmp_path)["ledger"]

    concerns = ledger["concerns"]["by_source"]
    assert concerns["web"] == {
        "received": 5,
        "pending": 1,
        "published": 1,
        "rejected": 1,
        "spam": 1,
        "withdrawn": 1,
        "purged": 0,
        "unaccounted": 0,
    }
    assert (concerns["paper"]["received"], concerns["paper"]["pending"]) == (1, 1)
    assert (concerns["phone"]["received"], concerns["phone"]["purged"], concerns["phone"]["pending"]) == (1, 1, 0)
    assert concerns["meeting"]["received"] == 0
    assert ledger["concerns"]["total"]["received"] == 7 and ledger["concerns"]["balanced"]
    remedies = ledger["endorsements"]["by_remedy"]
    first, second = activity["first"].key, activity["second"].key
    assert {name: remedies[first][name] for name in ("made", "withdrawn", "counted")} == {
        "made": 2,
        "withdrawn": 0,
        "counted": 2,
    }
    assert {name: remedies[second][name] for name in ("made", "withdrawn", "counted")} == {
        "made": 1,
        "withdrawn": 1,
        "counted": 0,
    }
    assert ledger["endorsements"]["balanced"]


def test_the_printable_form_as_html_and_pdf(activity, tmp_path):
    certify(tmp_path, "--printable", str(tmp_path / "cert.html"))
    page = (tmp_path / "cert.html").read_text()
    digest = json.loads((tmp_path / "cert.json").read_text())["digest"]["value"]
    assert "Certificate of tallies" in page and digest in page
    assert "received = pending + published + rejected + spam + withdrawn by their author + purged" in page
    assert "The ledger balances" in page and "<script" not in page and "http" not in page
    certify(tmp_path, "--printable", str(tmp_path / "cert.pdf"))
    assert (tmp_path / "cert.pdf").read_bytes().startswith(b"%PDF")


def test_organizers_certify_in_the_admin_and_download_every_form(client, activity, organizer):
    client.force_login(organizer)
    briefing = activity["briefing"]
    action = client.post(
        "/admin/feedback/consultation/", {"action": "certify", "_selected_action": [briefing.pk], "index": 0}
    )
    assert action["Location"] == f"/admin/feedback/certificate/add/?consultation={briefing.pk}"
    response = client.post("/admin/feedback/certificate/add/", {"consultation": briefing.pk})
    certificate = Certificate.objects.get()
    assert response["Location"] == f"/admin/feedback/certificate/{certificate.pk}/change/"
    page = client.get(response["Location"]).content.decode()
    assert certificate.digest in page and "Check against the database" in page

    downloaded = client.get(f"/admin/feedback/certificate/{certificate.pk}/download/json/")
    assert json.loads(downloaded.content)["digest"]["value"] == certificate.digest
    assert downloaded["Content-Disposition"].startswith('attachment; filename="certificate-chicago-')
    assert client.get(f"/admin/feedback/certificate/{certificate.pk}/download/pdf/").content.startswith(b"%PDF")
    assert (
        b"Certificate of tallies" in client.get(f"/admin/feedback/certificate/{certificate.pk}/download/html/").content
    )
    checked = client.get(f"/admin/feedback/certificate/{certificate.pk}/check/", follow=True).content.decode()
    assert "Everything this certificate states still matches the database." in checked


def test_advocates_cannot_certify(client, activity, advocate):
    client.force_login(advocate)
    assert client.get("/admin/feedback/certificate/add/").status_code == 403
