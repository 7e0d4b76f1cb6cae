"""Done when (issue 12): after realistic traffic on PostgreSQL, what the server keeps identifies and links nobody.

The app runs as production does (gunicorn with its config, DEBUG off) on the test database and a Redis cache of its
own prefix. The traffic: every concern of the redaction set (through the confirmation step where something is
hidden), endorsements with a double-click, a repeated report, a withdrawal, a paper entry and decisions in the admin,
from several client addresses. Then a dump of the database (pg_dump), the gunicorn access and error logs (the app's
own lines included), every cache entry and PostgreSQL's log are read as someone who seized the server would.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection

from feedback.models import Concern, Consultation, Endorsement
from feedback.participation.services import (
    endorse_remedy,
    report_concern,
    submit_concern,
    withdraw_concern_with_receipt,
)
from feedback.redaction import redact_concern_text
from feedback.retention import rewrite_concerns_table
from tests.availability import unavailable as _unavailable
from tests.celery_worker import database_url
from tests.factories import ConcernFactory
from tests.gunicorn_process import gunicorn, production_environment
from tests.participation.test_endorse import run_in_parallel
from tests.site.test_logging_privacy import hidden_inputs

pytestmark = pytest.mark.integration

PROJECT = Path(__file__).resolve().parents[2]
# Every concern of the redaction set that holds an identifier, and one in five of the others (for time).
LABELLED = [
    concern
    for index, concern in enumerate(
        json.loads((PROJECT / "tests" / "redaction" / "labelled_concerns.json").read_text())
    )
    if concern["spans"] or index % 5 == 0
]
ADDRESSES = ["127.0.0.61", "127.0.0.62", "127.0.0.63"]
WITHDRAWN = "Los agentes esperaban junto a la panadería Tlacuache del callejón Quetzalli"
WITHDRAWN_WORDS = ("Tlacuache", "Quetzalli", "panadería Tlacuache")
CONTACT = "vecina.planted@example.org"
WINDOW_SECONDS = 8


def dump() -> str:
    """The whole test database as pg_dump writes it, with times in the site's zone."""
    from django.conf import settings

    database = connection.settings_dict
    command = ["pg_dump", "--data-only", "-h", database["HOST"] or "127.0.0.1", "-U", database["USER"] or "root"]
    if database.get("PORT"):
        command += ["-p", str(database["PORT"])]
    environment = {**os.environ, "PGTZ": settings.TIME_ZONE}
    if database.get("PASSWORD"):
        environment["PGPASSWORD"] = database["PASSWORD"]
    result = subprocess.run(
        [*command, database["NAME"]], capture_output=True, text=True, check=True, timeout=120, env=environment
    )
    return result.stdout


def copy_rows(dumped: str, table: str) -> list[dict[str, str]]:
    """The rows of `table` in a pg_dump, as {column: text}."""
    match = re.search(rf"^COPY public\.{table} \((.*?)\) FROM stdin;\n(.*?)^\\\.$", dumped, re.M | re.S)
    columns = [name.strip().strip('"') for name in match.group(1).split(",")]
    return [dict(zip(columns, line.split("\t"), strict=True)) for line in match.group(2).splitlines()]


def cache_contents(client, prefix: str) -> str:
    """Every key of this site in Redis, with its raw value."""
    found = []
    for key in client.scan_iter(f"{prefix}:*"):
        value = client.get(key) if client.type(key) == b"string" else b""
        found.append(key.decode() + " " + (value or b"").decode("latin-1"))
    return "\n".join(found)


def form_post(browser, path: str, data: dict):
    form = browser.get(path)
    return browser.post(path, {**hidden_inputs(form.body), **data})


def send_concern(browser, form: dict, text: str, language: str) -> str:
    """Send one concern as a resident would (confirming what is hidden, if anything); returns its receipt code."""
    prefix = "/es" if language == "es" else ""
    data = {**form, "text": text, "role": "resident", "community_area": "55", "topic": "other"}
    response = browser.post(f"{prefix}/c/chicago/concerns/new/", data)
    if response.status == 200:
        assert "Send it as shown" in response.body or "Enviarla tal como se muestra" in response.body, response.body
        response = browser.post(f"{prefix}/c/chicago/concerns/new/", {**data, **hidden_inputs(response.body)})
    assert response.status == 302, response.status
    sent = browser.get(response.headers["Location"])
    return re.search(r'id="receipt-code"><code>([A-Z2-9-]+)</code>', sent.body).group(1)


def decide_in_the_admin(staff, concern_id: int, button: str) -> None:
    path = f"/admin/feedback/concern/{concern_id}/change/"
    page = staff.get(path)
    version = re.search(r'name="expected_version" value="(\d+)"', page.body).group(1)
    data = {**hidden_inputs(page.body), "expected_version": version, "moderation_note": "", "reason": "", button: "x"}
    assert staff.post(path, data).status == 302


@pytest.fixture
def redis_client(real_services):
    import redis

    client = redis.Redis.from_url(real_services)
    yield client
    client.close()


def test_after_realistic_traffic_nothing_kept_identifies_or_links_anyone_and_purge_keeps_every_figure(
    static_root, tmp_path, real_services, redis_client, briefing, superuser, settings
):
    prefix = f"kept-{uuid.uuid4().hex[:8]}"
    secret_key, client_hash_secret = "kept-secret-key-" + "x" * 40, "kept-client-hash-secret"
    rate = f"5000/{WINDOW_SECONDS}s"
    environment = production_environment(
        STATIC_ROOT=str(static_root),
        SECRET_KEY=secret_key,
        CLIENT_HASH_SECRET=client_hash_secret,
        DATABASE_URL=database_url(connection.settings_dict),
        DATABASE_CONN_MAX_AGE="0",
        REDIS_URL=real_services,
        CACHE_KEY_PREFIX=prefix,
        RESULTS_CACHE_SECONDS="0",
        **{f"RATELIMIT_{group}": rate for group in ("CONCERNS", "ENDORSEMENTS", "REPORTS", "RECEIPTS")},
    )
    baseline = dump()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]  # one gunicorn's settings know
    superuser.set_password("kept-staff-password-1")
    superuser.save()
    remedies = list(briefing.remedies.filter(is_published=True).values_list("pk", flat=True))
    seen_cache = ""

    with gunicorn(environment, tmp_path) as server:
        residents = [server.browser(source_address=address) for address in ADDRESSES]
        forms = [hidden_inputs(resident.get("/c/chicago/concerns/new/").body) for resident in residents]
        for index, concern in enumerate(LABELLED):
            n = index % len(residents)
            send_concern(residents[n], forms[n], concern["text"], concern["language"])
        code = send_concern(residents[0], forms[0], WITHDRAWN, "es")
        contact_form = {**forms[1], "contact_email": CONTACT, "contact_consent": "on"}
        send_concern(residents[1], contact_form, "Please call me back about the meeting at the library.", "en")
        tokens = [{"csrfmiddlewaretoken": form["csrfmiddlewaretoken"]} for form in forms]
        for n, resident in enumerate(residents):
            for remedy in remedies[n : n + 3]:
                assert resident.post(f"/c/chicago/remedies/{remedy}/endorse/", tokens[n]).status == 302
            assert resident.post(f"/c/chicago/remedies/{remedies[n]}/endorse/", tokens[n]).status == 302  # again
            about_you = {**tokens[n], "role": "other", "community_area": "55"}
            assert resident.post("/c/chicago/remedies/about-you/", about_you).status == 302

        staff = server.browser(source_address="127.0.0.64")
        login = form_post(staff, "/admin/login/", {"username": superuser.username, "password": "kept-staff-password-1"})
        assert login.status == 302
        paper = {"consultation": briefing.pk, "topic": "", "role": "resident", "community_area": "55"}
        paper |= {"language": "en", "source": "paper", "contact_email": ""}
        paper["text"] = "On paper: my cousin Rosa Delgado at 4410 W 26th St was followed, call 773-555-0199."
        assert form_post(staff, "/admin/feedback/concern/add/", paper).status == 302
        pending = list(Concern.objects.order_by("pk").values_list("pk", flat=True))
        for concern_id in pending[:-3]:
            decide_in_the_admin(staff, concern_id, "_approve")
        decide_in_the_admin(staff, pending[-3], "_reject")
        published = Concern.objects.get(pk=pending[0]).public_reference
        for _twice in range(2):
            assert residents[2].post(f"/c/chicago/concerns/{published}/report/", tokens[2]).status == 302
        assert residents[0].post("/c/chicago/concerns/withdraw/", {**tokens[0], "receipt_code": code}).status == 302
        seen_cache = cache_contents(redis_client, prefix)
        before_purge_api = json.loads(residents[0].get("/api/c/chicago/tallies.json").body)
        time.sleep(WINDOW_SECONDS + 1)  # every rate-limit window of the traffic is over
        after_windows_cache = cache_contents(redis_client, prefix)

    dumped = dump()
    logs = server.logs()
    planted = [span["text"] for concern in LABELLED for span in concern["spans"]]
    planted += ["Rosa Delgado", "4410 W 26th St", "773-555-0199", *ADDRESSES]
    kept_texts = " ".join(redact_concern_text(text=c["text"], language=c["language"]).text for c in LABELLED)
    assert "ratelimit" in seen_cache and len(planted) > 130  # the checks below do see the cache and the planted set

    # The dump, the logs and the cache: none of the planted identifiers, none of the withdrawn words.
    for identifier in planted:
        expected = baseline.count(identifier) + kept_texts.count(identifier)  # e.g. "Virgen de Guadalupe", unlabelled
        assert dumped.count(identifier) == expected, identifier
        for place, text in (("logs", logs), ("cache", seen_cache)):
            assert identifier not in text, (place, identifier)
    for word in WITHDRAWN_WORDS:
        for place, text in (("dump", dumped), ("logs", logs), ("cache", seen_cache)):
            assert word not in text, (place, word)
    for path in ("/endorse/", "/report/", "/concerns/new/", "/withdraw/", "/es/"):
        assert path not in server.access_log.read_text(), path

    # No two rows can be joined by time: everything residents did keeps only its (Chicago) day.
    for table in ("feedback_concern", "feedback_endorsement", "feedback_report"):
        for row in copy_rows(dumped, table):
            for column in ("created_at", "updated_at", "reported_at", "moderators_notified_at"):
                if row.get(column, r"\N") != r"\N":
                    assert re.fullmatch(r"\d{4}-\d\d-\d\d 00:00:00-0[56]", row[column]), (table, column, row[column])

    # Old address hashes cannot be recomputed: each window's key is gone with its window, and nothing on the server
    # (SECRET_KEY, CLIENT_HASH_SECRET) gives the hashes that were in the cache.
    hashes = set(re.findall(r"civictrust:ratelimit:\w+:\d+:([0-9a-f]{64})", seen_cache))
    assert hashes and "ratelimit-key" in seen_cache
    assert "ratelimit" not in after_windows_cache
    for secret in (secret_key, client_hash_secret, secret_key + client_hash_secret):
        for address in ADDRESSES:
            assert hmac.new(secret.encode(), address.encode(), hashlib.sha256).hexdigest() not in hashes

    # The purge: every figure kept (public API, staff export), every link removed.
    Consultation.objects.filter(pk=briefing.pk).update(status=Consultation.Status.CLOSED)
    exported = {}
    for moment in ("before", "after"):
        if moment == "after":
            call_command("purge_consultation", "chicago", "--no-input", stdout=open(os.devnull, "w"))
        output = tmp_path / f"tallies-{moment}.json"
        call_command("export_tallies", consultation="chicago", format="json", output=str(output))
        exported[moment] = json.loads(output.read_text())
    assert exported["after"] == exported["before"]
    (tmp_path / "after").mkdir()
    with gunicorn(environment, tmp_path / "after") as server:
        after_purge_api = json.loads(server.browser().get("/api/c/chicago/tallies.json").body)
    before_purge_api["consultation"]["status"] = "closed"
    assert after_purge_api == before_purge_api
    purged = dump()
    assert CONTACT not in purged and CONTACT in dumped
    assert all(row["receipt_hash"] == "" for row in copy_rows(purged, "feedback_concern"))
    assert copy_rows(purged, "feedback_report") == []
    participants = [row["participant"] for row in copy_rows(purged, "feedback_endorsement")]
    assert len(participants) == Endorsement.objects.count() == 9 and len(set(participants)) == 9


# PostgreSQL's own files ---------------------------------------------------------------------------------------------


def needs_postgresql() -> None:
    if connection.vendor != "postgresql":
        _unavailable("this test reads PostgreSQL's own files (set DATABASE_URL)")


def server_setting(name: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SHOW {name}")
        return cursor.fetchone()[0]


def postgres_log() -> Path | None:
    """The file PostgreSQL's server writes its log to, if this machine can read it.

    With `logging_collector` on, `pg_current_logfile()` names it; Debian's clusters (CI's) write to their own file,
    which `pg_lsclusters` lists for the server's port. Elsewhere (another host, a container) there is none to read.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_current_logfile()")
            current = cursor.fetchone()[0]
    except DatabaseError:
        current = None
    if current:
        path = Path(current) if current.startswith("/") else Path(server_setting("data_directory")) / current
        return path if os.access(path, os.R_OK) else None
    if shutil.which("pg_lsclusters"):
        listed = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True, timeout=30).stdout
        for line in listed.splitlines():
            fields = line.split()
            if len(fields) >= 7 and fields[2] == server_setting("port") and os.access(fields[6], os.R_OK):
                return Path(fields[6])
    return None


def read_new_lines(log: Path, start: int, marker: str) -> str:
    """What the server logged since `start`, once `marker` (a line the test caused) has arrived."""
    deadline = time.monotonic() + 20
    while True:
        text = log.read_bytes()[start:].decode("utf-8", "replace")
        if marker in text or time.monotonic() > deadline:
            return text
        time.sleep(0.2)


def test_postgresql_logs_no_participant_id_from_a_double_click_or_a_repeated_report(transactional_db, briefing):
    needs_postgresql()
    log = postgres_log()
    if log is None:
        _unavailable("PostgreSQL's log file cannot be read from here (README, 'What is kept', says what it holds)")
    start = log.stat().st_size
    remedy = briefing.remedies.select_related("consultation").first()
    concern = ConcernFactory(consultation=briefing)
    participant = uuid.uuid4()

    assert endorse_remedy(remedy=remedy, participant=participant) is True
    assert endorse_remedy(remedy=remedy, participant=participant) is False
    assert run_in_parallel([lambda: endorse_remedy(remedy=remedy, participant=participant)] * 20) == [False] * 20
    assert report_concern(concern=concern, participant=participant) is True
    assert report_concern(concern=concern, participant=participant) is False
    marker = f"civictrust_log_probe_{uuid.uuid4().hex}"
    with pytest.raises(DatabaseError), connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {marker}")  # noqa: S608 - on purpose: proves this is the log the server writes

    logged = read_new_lines(log, start, marker)
    assert marker in logged
    assert str(participant) not in logged and participant.hex not in logged


def relation_bytes(table: str) -> bytes:
    """Everything in the data files of `table` and its TOAST table, as written at the last checkpoint."""
    data_directory = Path(server_setting("data_directory"))
    with connection.cursor() as cursor:
        cursor.execute("CHECKPOINT")
        cursor.execute(
            "SELECT pg_relation_filepath(c.oid), pg_relation_filepath(NULLIF(c.reltoastrelid, 0)) "
            "FROM pg_class c WHERE c.relname = %s",
            [table],
        )
        paths = [path for path in cursor.fetchone() if path]
    found = b""
    for relative in paths:
        for segment in sorted((data_directory / relative).parent.glob(Path(relative).name + "*")):
            found += segment.read_bytes()
    return found


def test_a_withdrawal_leaves_its_words_in_no_data_file_of_postgresql(transactional_db, briefing):
    needs_postgresql()
    if not os.access(server_setting("data_directory"), os.R_OK | os.X_OK):
        _unavailable("PostgreSQL's data directory cannot be read from here")
    submitted = submit_concern(
        consultation=briefing, text=WITHDRAWN, role="resident", community_area="55", language="es"
    )
    assert WITHDRAWN_WORDS[0].encode() in relation_bytes("feedback_concern")  # the words are on disk while it lives

    assert withdraw_concern_with_receipt(consultation=briefing, receipt_code=submitted.receipt_code)

    # Rewritten after the commit (retention.rewrite_tables). VACUUM FULL still copies a deleted row that a
    # transaction begun before the deletion might see, anywhere on the server (a shared test server has some):
    # it goes with the next rewrite once those have ended (README, "What is kept").
    deadline = time.monotonic() + 120
    while any(word.encode() in relation_bytes("feedback_concern") for word in WITHDRAWN_WORDS):
        if time.monotonic() > deadline:
            _unavailable("a transaction older than the withdrawal kept running on this PostgreSQL server for 2 min")
        time.sleep(2)
        rewrite_concerns_table()
