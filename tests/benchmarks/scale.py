"""civictrust at ten million endorsements (issue 16): `make bench-scale`, or `--endorsements 100000` to try it.

Same production-like stack as bench.py (gunicorn with civictrust/gunicorn_conf.py, DEBUG off, rate limits off,
no minimum fill time), on a fresh database `civictrust_bench16` of the DATABASE_URL server and Redis db 9
(SCALE_REDIS_URL). When a streaming replica of that server answers on TEST_REPLICA_PORT (default 5433), the
read phase runs again with DATABASE_REPLICA_URL pointing at it. Writes the section "Ten million endorsements
(issue 16)" of BENCHMARKS.md (scale_report.py) and drops its database at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import http.client
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import bench
from bench import (
    PROJECT,
    PYTHON,
    STAFF_PASSWORD,
    STAFF_USER,
    Report,
    Stack,
    export_against_copy,
    staff_session_cookie,
    wrk,
)
from scale_report import ScaleFigures, write_section

BENCH_DB = "civictrust_bench16"
REDIS_URL = os.environ.get("SCALE_REDIS_URL", "redis://127.0.0.1:6379/9")
REPLICA_PORT = int(os.environ.get("TEST_REPLICA_PORT", "5433"))
PROBE_KEY = "bench-freshness-probe"
MEASURED_PATHS = {
    "results page": "/c/chicago/results/",
    "dashboard": "/admin/dashboard/",
    "dashboard, area + role filter": "/admin/dashboard/?community_area=22&role=resident",
    "dashboard, last 30 days": "/admin/dashboard/?since={since}",
    "API tallies.json": "/api/c/chicago/tallies.json",
}
# Every figure counted on every request: the published batch and the dashboard's short cache are both off, and
# Redis is emptied before each measured request, so nothing but the roll-ups stands between a request and the data.
UNCACHED = {"RESULTS_PUBLISH_SECONDS": "0", "DASHBOARD_CACHE_SECONDS": "0"}


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f}"


def sql(url: str, statement: str, *params) -> list[tuple]:
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        cursor = connection.execute(statement, params or None)
        return cursor.fetchall() if cursor.description else []


def recreate_database(url: str) -> None:
    admin = bench.admin_url_of(url)
    sql(admin, f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
    sql(admin, f'CREATE DATABASE "{BENCH_DB}"')


def replica_url(url: str) -> str | None:
    """The same database on the streaming replica, if one answers on REPLICA_PORT and replays this server."""
    if not shutil.which("pg_isready"):
        return None
    if subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1", "-p", str(REPLICA_PORT)]).returncode != 0:
        return None
    candidate = f"postgres://root@127.0.0.1:{REPLICA_PORT}/{BENCH_DB}"
    try:
        in_recovery = sql(candidate, "SELECT pg_is_in_recovery()")[0][0]
    except Exception:  # a server on that port that is not a replica of this one (no such database)
        return None
    return candidate if in_recovery else None


def wait_for_replica(primary: str, replica: str, report: Report) -> None:
    target = sql(primary, "SELECT pg_current_wal_lsn()::text")[0][0]
    started = time.monotonic()
    while time.monotonic() - started < 600:
        if sql(replica, "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", target)[0][0]:
            report.note(f"replica caught up with the primary in {time.monotonic() - started:.1f} s")
            return
        time.sleep(1)
    report.note("replica still behind after 600 s: the router reads from the primary")


def flush_cache() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def uncached_median_ms(stack: Stack, path: str, *, requests: int, cookie: str) -> float:
    """Median of `requests` GETs (after one warm-up of the worker's code paths), Redis emptied before each."""
    connection = http.client.HTTPConnection("127.0.0.1", stack.port, timeout=60)
    headers = {**bench.PROXY_HEADERS, "Cookie": cookie} if cookie else bench.PROXY_HEADERS
    timings = []
    for _ in range(requests + 1):
        flush_cache()
        started = time.perf_counter()
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        timings.append((time.perf_counter() - started) * 1000)
        if response.status != 200:
            raise RuntimeError(f"GET {path} answered {response.status}")
    connection.close()
    return statistics.median(timings[1:])


def start(stack: Stack) -> None:
    """Start gunicorn and wait until every worker answers (on a loaded machine a worker may boot for a minute)."""
    stack.start()
    deadline = time.monotonic() + 180
    answered = 0
    while answered < 6 and time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", stack.port, timeout=60)
            connection.request("GET", "/admin/login/", headers=bench.PROXY_HEADERS)
            answered += connection.getresponse().status == 200
            connection.close()
        except OSError:
            time.sleep(1)


def measure_pages(stack: Stack, requests: int) -> dict[str, float]:
    stack.env.update(UNCACHED)
    start(stack)
    try:
        cookie = staff_session_cookie(stack)
        since = (dt.date.today() - dt.timedelta(days=30)).isoformat()
        return {
            name: uncached_median_ms(
                stack, path.format(since=since), requests=requests, cookie=cookie if "dashboard" in name else ""
            )
            for name, path in MEASURED_PATHS.items()
        }
    finally:
        stack.stop()
        for name in UNCACHED:
            stack.env.pop(name)


def generate(stack: Stack, report: Report, *, concerns: int, endorsements: int, seed: int) -> tuple[float, dict]:
    args = ["generate_demo_data", "--concerns", str(concerns), "--endorsements", str(endorsements)]
    args += ["--seed", str(seed), "--verbosity", "2"]
    report.commands.append("python manage.py " + " ".join(args))
    started = time.perf_counter()
    output = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=PROJECT, env=stack.env, check=True, capture_output=True, text=True
    ).stdout
    seconds = time.perf_counter() - started
    steps = {label: float(value) for label, value in re.findall(r"^\s+(.+?): ([\d.]+) s$", output, re.M)}
    return seconds, steps


def read_phase(stack: Stack, report: Report, label: str, seconds: int) -> dict:
    start(stack)
    try:
        # Not measured: each worker's first request of a page compiles its templates and loads its catalogues.
        for path in ("/c/chicago/results/", "/admin/login/"):
            wrk(stack, path, seconds=2, connections=32, report=Report(scale="warm-up"))
        results = wrk(stack, "/c/chicago/results/", seconds=seconds, connections=32, report=report)
        login = wrk(stack, "/admin/login/", seconds=seconds, connections=32, report=report)
    finally:
        stack.stop()
    report.note(f"wrk {label}: results {results}; /admin/login/ {login}; {load()}")
    return {"results": results, "login": login, "ratio": results["rps"] / login["rps"]}


def counts(url: str) -> tuple[int, int]:
    endorsements = sql(
        url,
        "SELECT count(*) FROM feedback_endorsement e JOIN feedback_remedy r ON r.id = e.remedy_id WHERE r.key <> %s",
        PROBE_KEY,
    )[0][0]
    return endorsements, sql(url, "SELECT count(*) FROM feedback_concern")[0][0]


def write_phase(stack: Stack, report: Report, url: str, *, threads: int, seconds: int) -> dict:
    """50 residents without pauses for `seconds` on 3 workers × `threads`, the freshness probe beside them."""
    stack.env.update({"GUNICORN_WORKERS": "3", "GUNICORN_THREADS": str(threads)})
    start(stack)
    try:
        # The probe adds its own remedy first, so the residents' list (read next) never holds it.
        probe = subprocess.Popen(
            [PYTHON, str(Path(__file__).with_name("scale_probe.py")), str(stack.port), str(seconds)],
            cwd=PROJECT,
            env=stack.env,
            stdout=subprocess.PIPE,
            text=True,
        )
        time.sleep(3)
        remedies = [
            row[0] for row in sql(url, "SELECT id FROM feedback_remedy WHERE is_published AND key <> %s", PROBE_KEY)
        ]
        before = counts(url)
        outcomes = asyncio.run(bench.run_residents(stack.base, remedies, residents=50, seconds=seconds, think=(0, 0)))
        probe_output = json.loads(probe.communicate(timeout=120)[0].strip().splitlines()[-1])
        after = counts(url)
        rss = stack.worker_rss_mib()
    finally:
        stack.stop()
        stack.env.pop("GUNICORN_THREADS")
    latencies = sorted(latency for outcome in outcomes for latency in outcome.latencies_ms)
    statuses: dict[int, int] = {}
    for outcome in outcomes:
        for status, number in outcome.statuses.items():
            statuses[status] = statuses.get(status, 0) + number
    expected = (
        before[0] + sum(len(outcome.endorsed) for outcome in outcomes),
        before[1] + sum(outcome.concerns_sent for outcome in outcomes),
    )
    fresh = sorted(probe_output["endorse_ms"])
    figures = {
        "threads": threads,
        "posts": len(latencies),
        "rate": len(latencies) / seconds,
        "p50": percentile(latencies, 0.50),
        "p99": percentile(latencies, 0.99),
        "server_errors": sum(number for status, number in statuses.items() if status >= 500),
        "matches": after == expected,
        "fresh_p50": percentile(fresh, 0.50),
        "fresh_p99": percentile(fresh, 0.99),
        "fresh_n": len(fresh),
        "fresh_timeouts": probe_output["timeouts"],
    }
    report.note(
        f"writes, 3 workers × {threads} thread(s): {len(latencies)} POSTs, statuses {dict(sorted(statuses.items()))}, "
        f"endorsements {after[0]:,} (expected {expected[0]:,}), concerns {after[1]:,} (expected {expected[1]:,}), "
        f"worker RSS {[round(m) for m in rss]} MiB; freshness {len(fresh)} probes, "
        f"p50 {figures['fresh_p50']:.0f} ms, p99 {figures['fresh_p99']:.0f} ms, "
        f"{probe_output['timeouts']} over 10 s; {load()}"
    )
    return figures


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("inf")
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * fraction + 0.5) - 1)]


def check_aggregates(stack: Stack, report: Report) -> str:
    report.commands.append("python manage.py check_aggregates")
    done = subprocess.run(
        [PYTHON, "manage.py", "check_aggregates"], cwd=PROJECT, env=stack.env, capture_output=True, text=True
    )
    lines = (done.stdout + done.stderr).strip().splitlines()
    return lines[-1] if lines else f"exit {done.returncode}"


def export_phase(stack: Stack, report: Report, url: str) -> dict:
    export_seconds, export_peak, copy_seconds, rows = export_against_copy(stack, report, url)
    report.commands[-1] = "psql -X -q -d … -o copy.csv -c 'COPY (the same columns) TO STDOUT WITH (FORMAT csv, HEADER)'"
    total = sql(url, "SELECT count(*) FROM feedback_endorsement")[0][0]
    figures = {"seconds": export_seconds, "peak": export_peak, "copy": copy_seconds, "rows": rows, "total": total}
    report.note(
        f"export_records CSV {rows:,} rows ({total:,} in the table) in {export_seconds:.1f} s, peak "
        f"{export_peak:.0f} MiB; psql COPY {copy_seconds:.1f} s ({rows / copy_seconds:,.0f} rows/s); {load()}"
    )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--endorsements", type=int, default=10_000_000)
    parser.add_argument("--concerns", type=int, default=None, help="default: a tenth of --endorsements")
    parser.add_argument("--requests", type=int, default=30, help="uncached requests per page and size")
    parser.add_argument("--seconds", type=int, default=30, help="length of the write load")
    parser.add_argument("--output", default=str(PROJECT / "BENCHMARKS.md"))
    parser.add_argument("--keep-database", action="store_true")
    args = parser.parse_args()
    for tool in ("wrk", "/usr/bin/time", "psql"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is missing: `make bench-tools` installs wrk, time and postgresql-client.")
    concerns = args.concerns if args.concerns is not None else args.endorsements // 10
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        sys.exit("make bench-scale needs DATABASE_URL pointing at a PostgreSQL server.")
    url = bench.with_database(base, BENCH_DB)
    report = Report(scale=f"{args.endorsements:,} endorsements")
    figures = ScaleFigures(endorsements=args.endorsements, concerns=concerns, started=load())
    print(f"civictrust scale benchmark: {report.scale}, database {BENCH_DB}, {REDIS_URL}; {figures.started}")
    recreate_database(url)
    try:
        with tempfile.TemporaryDirectory(prefix="civictrust-scale-") as tmp:
            stack = Stack(url, Path(tmp))
            stack.env["REDIS_URL"] = REDIS_URL
            stack.env["BENCH_STAFF_PASSWORD"] = STAFF_PASSWORD
            for command in (
                ("migrate", "--no-input"),
                ("load_briefing",),
                ("collectstatic", "--no-input"),
                ("createstaff", STAFF_USER, "--role", "organizer", "--password-from-env", "BENCH_STAFF_PASSWORD"),
            ):
                stack.manage(*command, report=report)
            run(stack, report, url, figures, args, concerns)
    finally:
        if not args.keep_database:
            sql(bench.admin_url_of(url), f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
    write_section(figures, report, Path(args.output), redis_url=REDIS_URL)


def run(stack: Stack, report: Report, url: str, figures: ScaleFigures, args, concerns: int) -> None:
    """Every phase in turn; one that fails is noted and the others still run, and the section is rewritten after
    each, so a run stopped half-way (a shared machine) still leaves its figures in BENCHMARKS.md."""
    output = Path(args.output)

    def phase(name: str, action) -> None:
        try:
            action()
        except Exception as error:  # one broken phase must not cost the figures of the others
            report.note(f"{name} FAILED: {error!r}")
            stack.stop()
        write_section(figures, report, output, redis_url=REDIS_URL, quiet=True)

    def small() -> None:
        generate(stack, report, concerns=1_000, endorsements=10_000, seed=1)
        figures.small = measure_pages(stack, args.requests)
        report.note(f"10,000 endorsements, uncached medians: {rounded(figures.small)}; {load()}")

    def generation() -> None:
        figures.generation, figures.generation_steps = generate(
            stack, report, concerns=concerns, endorsements=args.endorsements, seed=2
        )
        figures.generation_load = load()
        report.note(
            f"generation {figures.generation:.1f} s, steps {figures.generation_steps}; {figures.generation_load}"
        )

    def large() -> None:
        figures.large = measure_pages(stack, args.requests)
        report.note(f"{args.endorsements:,} endorsements, uncached medians: {rounded(figures.large)}; {load()}")

    def reads() -> None:
        figures.reads = read_phase(stack, report, "primary only", 15)
        replica = replica_url(url)
        if not replica:
            report.note(f"no streaming replica answers on port {REPLICA_PORT}: the replica read phase is skipped")
            return
        wait_for_replica(url, replica, report)
        stack.env["DATABASE_REPLICA_URL"] = replica
        try:
            figures.reads_replica = read_phase(stack, report, f"with replica on port {REPLICA_PORT}", 15)
        finally:
            stack.env.pop("DATABASE_REPLICA_URL")

    def writes() -> None:
        figures.writes.append(write_phase(stack, report, url, threads=1, seconds=args.seconds))
        if figures.writes[-1]["p99"] > 250:
            # The cheap lever: gthread workers (4 threads each), from the environment through gunicorn_conf.py.
            figures.writes.append(write_phase(stack, report, url, threads=4, seconds=args.seconds))

    def drift() -> None:
        figures.drift = check_aggregates(stack, report)
        report.note(f"check_aggregates after the write load: {figures.drift}; {load()}")

    def export() -> None:
        figures.export = export_phase(stack, report, url)

    for name, action in [
        ("10,000 endorsements", small),
        ("generation", generation),
        ("large pages", large),
        ("reads", reads),
        ("writes", writes),
        ("check_aggregates", drift),
        ("export", export),
    ]:
        print(f"-- {name}; {load()}", flush=True)
        phase(name, action)


def rounded(medians: dict[str, float]) -> dict[str, float]:
    return {name: round(value, 1) for name, value in medians.items()}


if __name__ == "__main__":
    main()
