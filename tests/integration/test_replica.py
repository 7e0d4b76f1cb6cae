"""A real PostgreSQL streaming replica (started by .ci/run with pg_basebackup): figures read from it, and from the
primary whenever it is stopped or behind; a resident's own state always from the primary."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.availability import unavailable as _unavailable

PROJECT = Path(__file__).resolve().parents[2]
REPLICA_PORT = os.environ.get("TEST_REPLICA_PORT", "")
REPLICA_CLUSTER = os.environ.get("CIVICTRUST_PG_REPLICA_CLUSTER", "")
DATABASE = "civictrust_replica_test"

pytestmark = pytest.mark.integration


def admin_connection(port: str = "5432"):
    import psycopg

    return psycopg.connect(f"host=127.0.0.1 port={port} dbname=postgres user=root", autocommit=True, connect_timeout=3)


def scenario(env: dict[str, str], step: str) -> dict:
    result = subprocess.run(
        [sys.executable, "tests/integration/replica_scenario.py", step],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return {**json.loads(result.stdout.strip().splitlines()[-1]), "log": result.stderr}


def replica_count(sql: str):
    import psycopg

    with psycopg.connect(f"host=127.0.0.1 port={REPLICA_PORT} dbname={DATABASE} user=root", connect_timeout=3) as c:
        return c.execute(sql).fetchone()[0]


def wait_until(check, seconds: float = 30.0):
    deadline = time.monotonic() + seconds
    while True:
        try:
            if check():
                return
        except Exception:  # the database may not exist on the replica yet
            if time.monotonic() > deadline:
                raise
        if time.monotonic() > deadline:
            raise AssertionError("the replica did not catch up in time")
        time.sleep(0.3)


@pytest.fixture(scope="module")
def replicated():
    if not REPLICA_PORT:
        _unavailable("no streaming replica (TEST_REPLICA_PORT); .ci/run starts one")
    with admin_connection() as primary:
        primary.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        primary.execute(f'CREATE DATABASE "{DATABASE}"')
    env = {
        "PATH": os.environ["PATH"],
        "DEBUG": "true",
        "SECRET_KEY": "replica-test-secret-" + "x" * 40,
        "DATABASE_URL": f"postgres://root@127.0.0.1:5432/{DATABASE}",
        "DATABASE_REPLICA_URL": f"postgres://root@127.0.0.1:{REPLICA_PORT}/{DATABASE}",
        "DATABASE_CONN_MAX_AGE": "0",
        "REPLICA_MAX_LAG_SECONDS": "2",
        "REPLICA_CHECK_SECONDS": "0",
    }
    for command in (["migrate", "--no-input"], ["load_briefing"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=PROJECT, env=env, check=True, capture_output=True)
    wait_until(lambda: replica_count("SELECT count(*) FROM feedback_remedy") > 0)
    yield env
    with admin_connection(REPLICA_PORT) as replica:
        replica.execute("SELECT pg_wal_replay_resume()")
    with admin_connection() as primary:
        primary.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


def test_figures_come_from_the_replica_once_it_has_replayed_the_endorsement(replicated):
    made = scenario(replicated, "endorse")
    assert made["own_state_from"] == "default" and made["sees_own"]
    wait_until(lambda: replica_count("SELECT count(*) FROM feedback_endorsement") >= 1)
    figures = scenario(replicated, "figures")
    assert figures["figures_from"] == "replica"
    assert figures["endorsements"] == replica_count("SELECT count(*) FROM feedback_endorsement")


def test_a_replica_that_falls_behind_is_left_for_the_primary_and_the_log_says_why(replicated):
    with admin_connection(REPLICA_PORT) as replica:
        replica.execute("SELECT pg_wal_replay_pause()")
        try:
            scenario(replicated, "endorse")
            time.sleep(3)  # past REPLICA_MAX_LAG_SECONDS=2 while the replica replays nothing
            behind = scenario(replicated, "figures")
        finally:
            replica.execute("SELECT pg_wal_replay_resume()")
    assert behind["figures_from"] == "default"
    assert "behind, more than REPLICA_MAX_LAG_SECONDS" in behind["log"]
    wait_until(lambda: scenario(replicated, "figures")["figures_from"] == "replica")


def test_with_the_replica_stopped_figures_come_from_the_primary_without_an_error(replicated):
    if not REPLICA_CLUSTER:
        _unavailable("CIVICTRUST_PG_REPLICA_CLUSTER names the replica cluster to stop (.ci/run sets it)")
    version, name = REPLICA_CLUSTER.split()
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, name, "stop", "-m", "fast"], check=True)
    try:
        stopped = scenario(replicated, "figures")
    finally:
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, name, "start"], check=True)
    assert stopped["figures_from"] == "default"
    assert stopped["endorsements"] >= 1
    assert "Replica not used for figures (unreachable" in stopped["log"]
    wait_until(lambda: scenario(replicated, "figures")["figures_from"] == "replica")
