"""civictrust behind a real PgBouncer (Debian's package) in transaction pooling mode: every resident's path works,
parallel endorsements still leave one row, and an export job's session lock goes to PostgreSQL itself."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.availability import unavailable as _unavailable
from tests.gunicorn_process import PROJECT, free_port, gunicorn, production_environment

DATABASE = "civictrust_pgbouncer_test"
pytestmark = pytest.mark.integration


def direct(sql: str, database: str = DATABASE):
    import psycopg

    with psycopg.connect(f"host=127.0.0.1 port=5432 dbname={database} user=root", autocommit=True) as connection:
        cursor = connection.execute(sql)
        return cursor.fetchall() if cursor.description else None


@pytest.fixture(scope="module")
def pgbouncer():
    binary = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
    if not os.path.exists(binary):
        _unavailable("PgBouncer is not installed (apt-get install pgbouncer; .ci/run does)")
    try:
        direct("SELECT 1", "postgres")
    except Exception:
        _unavailable("no PostgreSQL on 127.0.0.1:5432")
    # Outside pytest's private temporary folders: PgBouncer runs as the postgres user and must reach its files.
    folder = Path(tempfile.mkdtemp(prefix="civictrust-pgbouncer-"))
    folder.chmod(0o777)
    port = free_port()
    (folder / "users.txt").write_text('"root" ""\n')
    (folder / "pgbouncer.ini").write_text(
        "[databases]\n* = host=127.0.0.1 port=5432\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = trust\nauth_file = {folder / 'users.txt'}\n"
        "pool_mode = transaction\ndefault_pool_size = 5\nmax_client_conn = 200\n"
        "ignore_startup_parameters = extra_float_digits,options\n"
        f"logfile = {folder / 'pgbouncer.log'}\npidfile = {folder / 'pgbouncer.pid'}\n"
    )
    for name in ("users.txt", "pgbouncer.ini"):
        (folder / name).chmod(0o644)
    user = ["-u", "postgres"] if os.geteuid() == 0 else []  # PgBouncer refuses to run as root
    process = subprocess.Popen([binary, *user, str(folder / "pgbouncer.ini")], stderr=subprocess.PIPE)
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"PgBouncer did not start: {process.stderr.read().decode()}") from None
            time.sleep(0.2)
    direct(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)', "postgres")
    direct(f'CREATE DATABASE "{DATABASE}"', "postgres")
    try:
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)
        direct(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)', "postgres")
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def pooled_environment(pgbouncer, static_root):
    env = production_environment(
        DATABASE_URL=f"postgres://root@127.0.0.1:{pgbouncer}/{DATABASE}",
        DATABASE_POOLER="pgbouncer",
        DATABASE_DIRECT_URL=f"postgres://root@127.0.0.1:5432/{DATABASE}",
        STATIC_ROOT=str(static_root),
        RATELIMIT_ENABLE="false",
    )
    for command in (["migrate", "--no-input"], ["load_briefing"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=PROJECT, env=env, check=True, capture_output=True)
    return env


def csrf_token(page: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def test_a_resident_reads_sends_a_concern_endorses_and_sees_results_through_pgbouncer(pooled_environment, tmp_path):
    with gunicorn(pooled_environment, tmp_path, threads=8) as server:
        resident = server.browser()
        assert resident.get("/").status == 200
        form = resident.get("/c/chicago/concerns/new/")
        sent = resident.post(
            "/c/chicago/concerns/new/",
            {
                "csrfmiddlewaretoken": csrf_token(form.body),
                "topic": "other",
                "text": "Families are afraid to call the police after the raids.",
                "role": "resident",
                "community_area": "30",
                "contact_email": "",
                "website": "",
                "started": re.search(r'name="started" value="([^"]+)"', form.body).group(1),
            },
        )
        assert sent.status == 302, sent.body[:500]
        assert resident.get(sent.headers["Location"]).status == 200
        remedies = resident.get("/c/chicago/remedies/")
        remedy_id = re.search(r"/remedies/(\d+)/endorse/", remedies.body).group(1)
        token = csrf_token(remedies.body)
        first = resident.post(f"/c/chicago/remedies/{remedy_id}/endorse/", {"csrfmiddlewaretoken": token})
        assert first.status == 302

        def double_click(_):
            return resident.post(f"/c/chicago/remedies/{remedy_id}/endorse/", {"csrfmiddlewaretoken": token}).status

        with ThreadPoolExecutor(max_workers=8) as pool:
            statuses = list(pool.map(double_click, range(20)))
        assert set(statuses) == {302}
        assert server.browser().get("/c/chicago/results/").status == 200
        assert server.browser().get("/api/c/chicago/tallies.json").status == 200
        assert "Traceback" not in server.logs()
    assert direct("SELECT count(*) FROM feedback_endorsement") == [(1,)]
    assert direct("SELECT count(*) FROM feedback_concern") == [(1,)]


def test_an_export_job_is_built_through_pgbouncer_with_its_lock_on_postgresql_itself(pooled_environment, tmp_path):
    code = (
        "import django; django.setup();"
        "from feedback.models import Consultation, ExportJob;"
        "from feedback.exports.jobs import _JobLock, run_export_job;"
        "job = ExportJob.objects.create(consultation=Consultation.objects.get(slug='chicago'), kind='endorsements');"
        "lock = _JobLock(job.pk); print(lock.connection.alias, lock.connection.settings_dict['PORT']);"
        "print(run_export_job(job.pk).status)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT,
        env={
            **pooled_environment,
            "DJANGO_SETTINGS_MODULE": "civictrust.settings",
            "PRIVATE_MEDIA_ROOT": str(tmp_path),
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    lock_database, status = result.stdout.strip().splitlines()
    assert lock_database == "direct 5432"  # PostgreSQL itself, not PgBouncer's port
    assert status == "done"
    assert list((tmp_path / "exports").glob("chicago-endorsements-*.csv"))
