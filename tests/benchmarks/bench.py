"""civictrust benchmark: `make bench` (full size) or `make bench-quick` (a tenth).

Runs against PostgreSQL (the server named by DATABASE_URL; a fresh database `civictrust_bench`
is created on it) and the production-like stack: gunicorn with civictrust/gunicorn_conf.py,
DEBUG off, Redis cache when REDIS_URL is set. Every load targets 127.0.0.1 only. Rate limits
are turned off for the load phases (RATELIMIT_ENABLE=false), and the concern form's minimum
fill time is set to 0 so simulated residents need not wait; nothing else is relaxed.

Prints a table and writes BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import platform
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

PROJECT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
BENCH_DB = "civictrust_bench"
STAFF_USER = "bench-organizer"
STAFF_PASSWORD = "bench-password-not-secret-1"  # noqa: S105 (a throw-away account in a throw-away database)


@dataclass
class Result:
    target: str
    measured: str
    limit: str
    ok: bool


@dataclass
class Report:
    scale: str
    rows: list[Result] = field(default_factory=list)
    raw: list[str] = field(default_factory=list)
    commands: list[str] = field(default_factory=list)

    def add(self, target: str, measured: str, limit: str, ok: bool) -> None:
        self.rows.append(Result(target, measured, limit, ok))
        print(f"  {'PASS' if ok else 'FAIL'}  {target}: {measured} (target {limit})", flush=True)

    def note(self, line: str) -> None:
        self.raw.append(line)
        print(f"    {line}", flush=True)


def bench_database_url() -> str:
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        sys.exit(
            "make bench needs DATABASE_URL pointing at a PostgreSQL server (a database civictrust_bench is made on it)."
        )
    return with_database(base, BENCH_DB)


def with_database(url: str, name: str) -> str:
    # Built by hand: urlunsplit drops the empty host of socket URLs such as postgres:///db.
    parts = urlsplit(url)
    query = f"?{parts.query}" if parts.query else ""
    return f"{parts.scheme}://{parts.netloc}/{name}{query}"


def admin_url_of(url: str) -> str:
    return with_database(url, "postgres")


def recreate_database(url: str) -> None:
    import psycopg

    with psycopg.connect(admin_url_of(url), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{BENCH_DB}"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Stack:
    """Environment and processes of the production-like stack under test."""

    def __init__(self, database_url: str, workdir: Path):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.workdir = workdir
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "DEBUG": "false",
            "SECRET_KEY": "benchmark-only-secret-key-" + "x" * 40,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto: https",
            "RATELIMIT_ENABLE": "false",
            "CONCERN_MIN_FILL_SECONDS": "0",
            "STATIC_ROOT": str(workdir / "static"),
            "PRIVATE_MEDIA_ROOT": str(workdir / "private"),
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "GUNICORN_ACCESS_LOG": str(workdir / "access.log"),
            "LOG_LEVEL": "WARNING",
        }
        self.env.pop("CELERY_BROKER_URL", None)
        self.gunicorn: subprocess.Popen | None = None

    def manage(self, *args: str, report: Report | None = None, quiet: bool = True) -> float:
        command = [PYTHON, "manage.py", *args]
        if report is not None:
            report.commands.append("python manage.py " + " ".join(args))
        started = time.perf_counter()
        subprocess.run(
            command,
            cwd=PROJECT,
            env=self.env,
            check=True,
            stdout=subprocess.DEVNULL if quiet else None,
        )
        return time.perf_counter() - started

    def start(self) -> None:
        # Figures cached by an earlier phase (Redis outlives gunicorn) must not answer this one.
        self.manage("shell", "-c", "from django.core.cache import cache; cache.clear()")
        self.gunicorn = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "-c", "civictrust/gunicorn_conf.py", "civictrust.wsgi"],
            cwd=PROJECT,
            env=self.env,
            stdout=open(self.workdir / "gunicorn.out", "ab"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start; see " + str(self.workdir / "gunicorn.out"))

    def stop(self) -> None:
        if self.gunicorn and self.gunicorn.poll() is None:
            self.gunicorn.send_signal(signal.SIGTERM)
            try:
                self.gunicorn.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.gunicorn.kill()
        self.gunicorn = None

    def worker_rss_mib(self) -> list[float]:
        """Resident memory of each gunicorn worker (children of the master)."""
        assert self.gunicorn is not None
        children = Path(f"/proc/{self.gunicorn.pid}/task/{self.gunicorn.pid}/children").read_text().split()
        sizes = []
        for pid in children:
            status = Path(f"/proc/{pid}/status").read_text()
            kib = int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1))
            sizes.append(kib / 1024)
        return sizes


# The stack runs as behind a TLS-terminating proxy on localhost: every request carries the header the proxy
# would set, so the production cookies (Secure, __Host- names) and CSRF checks apply unchanged. Client cookie
# jars refuse Secure cookies over plain HTTP, so the clients below keep cookies themselves.
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}


def https_referer(stack: Stack) -> str:
    return f"https://127.0.0.1:{stack.port}/"


def update_cookies(cookies: dict[str, str], set_cookie_headers: list[str]) -> None:
    from http.cookies import SimpleCookie

    for header in set_cookie_headers:
        parsed = SimpleCookie()
        parsed.load(header)
        for name, morsel in parsed.items():
            if morsel["max-age"] == "0" or not morsel.value:
                cookies.pop(name, None)
            else:
                cookies[name] = morsel.value


def cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def staff_session_cookie(stack: Stack) -> str:
    """Log the benchmark organizer in through the admin login form; return the Cookie header to send."""
    import http.client
    import urllib.parse

    cookies: dict[str, str] = {}
    connection = http.client.HTTPConnection("127.0.0.1", stack.port, timeout=30)
    connection.request("GET", "/admin/login/", headers=PROXY_HEADERS)
    response = connection.getresponse()
    page = response.read().decode()
    update_cookies(cookies, response.headers.get_all("Set-Cookie") or [])
    token = CSRF_FIELD.search(page).group(1)
    body = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "username": STAFF_USER, "password": STAFF_PASSWORD, "next": "/admin/"}
    )
    headers = {
        **PROXY_HEADERS,
        "Cookie": cookie_header(cookies),
        "Referer": https_referer(stack),
        "Content-Type": "application/x-www-form-urlencoded",
    }
    connection.request("POST", "/admin/login/", body=body, headers=headers)
    response = connection.getresponse()
    response.read()
    update_cookies(cookies, response.headers.get_all("Set-Cookie") or [])
    connection.close()
    if response.status != 302 or not any(name.endswith("sessionid") for name in cookies):
        raise RuntimeError(f"the benchmark organizer could not log in (HTTP {response.status})")
    return cookie_header(cookies)


def median_latency_ms(stack: Stack, path: str, *, requests: int, cookie: str = "") -> tuple[float, float]:
    """Sequential keep-alive GETs; returns (median ms, first request ms)."""
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", stack.port, timeout=30)
    headers = {**PROXY_HEADERS, "Cookie": cookie} if cookie else PROXY_HEADERS
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        timings.append((time.perf_counter() - started) * 1000)
        if response.status != 200:
            raise RuntimeError(f"GET {path} answered {response.status}")
    connection.close()
    return statistics.median(timings[1:]), timings[0]


def wrk(stack: Stack, path: str, *, seconds: int, connections: int, report: Report, cookie: str = "") -> dict:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-H", "X-Forwarded-Proto: https"]
    command.append(stack.base + path)
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    report.commands.append(" ".join(command))
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    requests_per_second = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    non_2xx = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)) else 0
    errors = re.search(r"Socket errors: (.*)", output)
    p99 = _wrk_ms(re.search(r"99%\s+([\d.]+\w+)", output).group(1))
    p50 = _wrk_ms(re.search(r"50%\s+([\d.]+\w+)", output).group(1))
    return {
        "rps": requests_per_second,
        "non_2xx": non_2xx,
        "p99": p99,
        "p50": p50,
        "errors": errors.group(1) if errors else "",
    }


def _wrk_ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


# --- writes under load ---------------------------------------------------------------------------------------------

# A simulated resident reads for a moment between two actions, as a person on a phone does.
THINK_SECONDS = (0.2, 1.0)
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
HIDDEN_FIELD = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


@dataclass
class ResidentOutcome:
    endorsed: set[int] = field(default_factory=set)
    concerns_sent: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)


async def simulated_resident(
    base: str, remedy_ids: list[int], seconds: float, seed: int, think: tuple[float, float] = THINK_SECONDS
) -> ResidentOutcome:
    """One resident acting for `seconds`, pausing `think` (min, max seconds) between actions; (0, 0): a closed loop."""
    import aiohttp

    rng = random.Random(seed)
    outcome = ResidentOutcome()
    cookies: dict[str, str] = {}
    referer = base.replace("http://", "https://") + "/"
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar(), timeout=timeout) as session:

        async def call(method: str, path: str, data: dict | None = None) -> tuple[int, str]:
            headers = {**PROXY_HEADERS, "Referer": referer, "Cookie": cookie_header(cookies)}
            started = time.perf_counter()
            async with session.request(
                method, base + path, data=data, allow_redirects=False, headers=headers
            ) as response:
                body = await response.text()
                update_cookies(cookies, response.headers.getall("Set-Cookie", []))
            if method == "POST":
                outcome.latencies_ms.append((time.perf_counter() - started) * 1000)
            outcome.statuses[response.status] = outcome.statuses.get(response.status, 0) + 1
            return response.status, body

        _status, page = await call("GET", "/c/chicago/remedies/")
        token = CSRF_FIELD.search(page).group(1)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            await asyncio.sleep(rng.uniform(*think))
            action = rng.random()
            if action < 0.45:
                remedy = rng.choice(remedy_ids)
                status, _ = await call("POST", f"/c/chicago/remedies/{remedy}/endorse/", {"csrfmiddlewaretoken": token})
                if status in (302, 303):
                    outcome.endorsed.add(remedy)
            elif action < 0.75 and outcome.endorsed:
                remedy = rng.choice(sorted(outcome.endorsed))
                status, _ = await call(
                    "POST", f"/c/chicago/remedies/{remedy}/withdraw/", {"csrfmiddlewaretoken": token}
                )
                if status in (302, 303):
                    outcome.endorsed.discard(remedy)
            else:
                _status, form_page = await call("GET", "/c/chicago/concerns/new/")
                fields = dict(HIDDEN_FIELD.findall(form_page))
                fields.update(
                    {
                        "text": f"Benchmark concern {seed}-{rng.randrange(10**9)}: families are afraid to go out.",
                        "role": "resident",
                        "community_area": f"{rng.randint(1, 77):02d}",
                        "topic": "",
                    }
                )
                fields.pop("website", None)
                status, _ = await call("POST", "/c/chicago/concerns/new/", fields)
                if status in (302, 303):
                    outcome.concerns_sent += 1
    return outcome


async def run_residents(
    base: str, remedy_ids: list[int], residents: int, seconds: float, think: tuple[float, float] = THINK_SECONDS
) -> list[ResidentOutcome]:
    return await asyncio.gather(
        *(simulated_resident(base, remedy_ids, seconds, seed=index, think=think) for index in range(residents))
    )


def database_counts(database_url: str) -> tuple[int, int]:
    import psycopg

    with psycopg.connect(database_url) as connection:
        endorsements = connection.execute("SELECT count(*) FROM feedback_endorsement").fetchone()[0]
        concerns = connection.execute("SELECT count(*) FROM feedback_concern").fetchone()[0]
    return endorsements, concerns


def remedy_ids(database_url: str) -> list[int]:
    import psycopg

    with psycopg.connect(database_url) as connection:
        return [row[0] for row in connection.execute("SELECT id FROM feedback_remedy WHERE is_published ORDER BY id")]


def truncate_responses(database_url: str) -> None:
    import psycopg

    with psycopg.connect(database_url) as connection:
        connection.execute(
            "TRUNCATE feedback_endorsement, feedback_report, feedback_moderationevent, feedback_concern RESTART IDENTITY"
        )


def timed(command: list[str], env: dict, report: Report) -> tuple[float, float]:
    """Run a command under /usr/bin/time -v; returns (seconds, peak RSS MiB)."""
    report.commands.append(" ".join(command))
    with tempfile.NamedTemporaryFile("r", suffix=".time") as timing:
        started = time.perf_counter()
        subprocess.run(
            ["/usr/bin/time", "-v", "-o", timing.name, *command],
            cwd=PROJECT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        elapsed = time.perf_counter() - started
        peak_kib = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", timing.read()).group(1))
    return elapsed, peak_kib / 1024


# --- the run -------------------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a tenth of the full size")
    parser.add_argument("--output", default=str(PROJECT / "BENCHMARKS.md"))
    args = parser.parse_args()
    for tool in ("wrk", "/usr/bin/time", "psql"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is missing: `make bench` installs wrk, time and postgresql-client with apt-get.")

    scale = 10 if args.quick else 1
    big_endorsements, big_concerns = 1_000_000 // scale, 100_000 // scale
    small_endorsements, small_concerns = 10_000, 1_000
    report = Report(scale="quick (a tenth)" if args.quick else "full")
    database_url = bench_database_url()
    print(f"civictrust benchmark, {report.scale} size, database {BENCH_DB}", flush=True)
    recreate_database(database_url)

    with tempfile.TemporaryDirectory(prefix="civictrust-bench-") as tmp:
        stack = Stack(database_url, Path(tmp))
        stack.manage("migrate", "--no-input", report=report)
        stack.manage("load_briefing", report=report)
        stack.manage("collectstatic", "--no-input", report=report)
        stack.env["BENCH_STAFF_PASSWORD"] = STAFF_PASSWORD
        stack.manage(
            "createstaff",
            STAFF_USER,
            "--role",
            "organizer",
            "--password-from-env",
            "BENCH_STAFF_PASSWORD",
            report=report,
        )
        try:
            run_phases(
                stack,
                report,
                database_url,
                small=(small_concerns, small_endorsements),
                big=(big_concerns, big_endorsements),
            )
        finally:
            stack.stop()
    write_markdown(report, Path(args.output), quick=args.quick)
    failed = [row for row in report.rows if not row.ok]
    print(f"\n{len(report.rows) - len(failed)} passed, {len(failed)} failed")


def run_phases(
    stack: Stack, report: Report, database_url: str, *, small: tuple[int, int], big: tuple[int, int]
) -> None:
    latency_requests = 200

    # 1. Results and dashboard at the small size.
    stack.manage("generate_demo_data", "--concerns", str(small[0]), "--endorsements", str(small[1]), "--seed", "1")
    stack.start()
    cookie = staff_session_cookie(stack)
    small_results, small_results_cold = median_latency_ms(stack, "/c/chicago/results/", requests=latency_requests)
    small_dashboard, small_dashboard_cold = median_latency_ms(
        stack, "/admin/dashboard/", requests=latency_requests, cookie=cookie
    )
    report.note(
        f"{small[1]:,} endorsements: results median {small_results:.1f} ms (first, uncached {small_results_cold:.1f} ms); "
        f"dashboard median {small_dashboard:.1f} ms (first {small_dashboard_cold:.1f} ms)"
    )
    stack.stop()

    # 2. Data generation at full size, from empty tables.
    truncate_responses(database_url)
    generation_seconds = stack.manage(
        "generate_demo_data", "--concerns", str(big[0]), "--endorsements", str(big[1]), "--seed", "2", report=report
    )
    limit = 40 if big[1] >= 1_000_000 else 4
    report.add(
        f"1. generate_demo_data {big[0]:,} concerns + {big[1]:,} endorsements",
        f"{generation_seconds:.1f} s",
        f"≤ {limit} s",
        generation_seconds <= limit,
    )

    # 3. Results and dashboard at full size.
    stack.start()
    cookie = staff_session_cookie(stack)
    big_results, big_results_cold = median_latency_ms(stack, "/c/chicago/results/", requests=latency_requests)
    big_dashboard, big_dashboard_cold = median_latency_ms(
        stack, "/admin/dashboard/", requests=latency_requests, cookie=cookie
    )
    report.note(
        f"{big[1]:,} endorsements: results median {big_results:.1f} ms (first, uncached {big_results_cold:.1f} ms); "
        f"dashboard median {big_dashboard:.1f} ms (first {big_dashboard_cold:.1f} ms)"
    )
    warm_rss = stack.worker_rss_mib()
    for name, large, small_value in [
        ("results page", big_results, small_results),
        ("admin dashboard", big_dashboard, small_dashboard),
    ]:
        ratio = large / small_value
        report.add(
            f"2. {name} median at {big[1]:,} endorsements",
            f"{large:.1f} ms, {ratio:.2f}× the {small[1]:,} median ({small_value:.1f} ms)",
            "≤ 50 ms and ≤ 1.5×",
            large <= 50 and ratio <= 1.5,
        )

    # 4. Read throughput against Django's own admin login page.
    seconds = 15
    results_load = wrk(stack, "/c/chicago/results/", seconds=seconds, connections=32, report=report)
    login_load = wrk(stack, "/admin/login/", seconds=seconds, connections=32, report=report)
    ratio = results_load["rps"] / login_load["rps"]
    report.note(f"wrk results page: {results_load}")
    report.note(f"wrk /admin/login/: {login_load}")
    report.add(
        "3. results page throughput, 32 connections",
        f"{results_load['rps']:.0f} req/s = {ratio:.0%} of /admin/login/ ({login_load['rps']:.0f} req/s); "
        f"non-2xx {results_load['non_2xx']}; p99 {results_load['p99']:.0f} ms",
        "≥ 80%, 0 non-2xx, p99 ≤ 150 ms",
        ratio >= 0.8 and results_load["non_2xx"] == 0 and results_load["p99"] <= 150,
    )

    # 5. Writes under load: 50 residents for 30 s; the database must hold exactly what succeeded.
    endorsements_before, concerns_before = database_counts(database_url)
    outcomes = asyncio.run(run_residents(stack.base, remedy_ids(database_url), residents=50, seconds=30))
    endorsements_after, concerns_after = database_counts(database_url)
    latencies = sorted(latency for outcome in outcomes for latency in outcome.latencies_ms)
    p99 = latencies[int(len(latencies) * 0.99) - 1] if latencies else float("inf")
    statuses: dict[int, int] = {}
    for outcome in outcomes:
        for status, count in outcome.statuses.items():
            statuses[status] = statuses.get(status, 0) + count
    server_errors = sum(count for status, count in statuses.items() if status >= 500)
    expected_endorsements = endorsements_before + sum(len(outcome.endorsed) for outcome in outcomes)
    expected_concerns = concerns_before + sum(outcome.concerns_sent for outcome in outcomes)
    report.note(f"write load: {len(latencies)} POSTs, statuses {dict(sorted(statuses.items()))}")
    report.note(
        f"endorsements {endorsements_after:,} (expected {expected_endorsements:,}), "
        f"concerns {concerns_after:,} (expected {expected_concerns:,})"
    )
    report.add(
        "4. writes, 50 residents for 30 s",
        f"{len(latencies)} writes, {server_errors} 5xx, p99 {p99:.0f} ms, database "
        + (
            "matches"
            if (endorsements_after, concerns_after) == (expected_endorsements, expected_concerns)
            else "DIFFERS"
        ),
        "0 5xx, p99 ≤ 250 ms, nothing lost",
        server_errors == 0
        and p99 <= 250
        and (endorsements_after, concerns_after) == (expected_endorsements, expected_concerns),
    )

    # 6. Memory after the load phases.
    after_rss = stack.worker_rss_mib()
    growth = max(after / warm for after, warm in zip(after_rss, warm_rss, strict=False))
    report.note(
        f"gunicorn worker RSS after warm-up {[round(m) for m in warm_rss]} MiB, after load {[round(m) for m in after_rss]} MiB"
    )
    report.add("6. gunicorn worker memory after load", f"{(growth - 1):+.0%} of warm-up", "within ±20%", growth <= 1.2)
    stack.stop()

    # 7. Exports.
    run_export_phase(stack, report, database_url)


def export_against_copy(stack: Stack, report: Report, database_url: str) -> tuple[float, float, float, int]:
    """(export seconds, its peak MiB, psql COPY seconds, rows exported) of the endorsement records as CSV."""
    workdir = stack.workdir
    export_command = [
        PYTHON, "manage.py", "export_records", "--consultation", "chicago", "--what", "endorsements",
        "--format", "csv", "--output", str(workdir / "endorsements.csv"),
    ]  # fmt: skip
    export_seconds, export_peak = timed(export_command, stack.env, report)
    statement = subprocess.run(
        [PYTHON, str(Path(__file__).with_name("copy_statement.py")), "chicago"],
        cwd=PROJECT,
        env=stack.env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    psql = ["psql", "-X", "-q", "-d", database_url, "-o", str(workdir / "copy.csv"), "-c", statement]
    copy_seconds, _ = timed(psql, stack.env, report)
    with open(workdir / "endorsements.csv", "rb") as exported:
        rows = sum(1 for _ in exported) - 1
    return export_seconds, export_peak, copy_seconds, rows


def run_export_phase(stack: Stack, report: Report, database_url: str) -> None:
    workdir = stack.workdir
    export_seconds, export_peak, copy_seconds, rows = export_against_copy(stack, report, database_url)
    ratio = export_seconds / copy_seconds
    report.note(
        f"export_records CSV: {rows:,} rows in {export_seconds:.2f} s, peak {export_peak:.0f} MiB; psql COPY {copy_seconds:.2f} s"
    )
    report.add(
        f"5. export_records endorsements CSV ({rows:,} rows)",
        f"{export_seconds:.2f} s = {ratio:.2f}× PostgreSQL COPY ({copy_seconds:.2f} s), peak {export_peak:.0f} MiB",
        "≤ 2× COPY, ≤ 150 MiB",
        ratio <= 2 and export_peak <= 150 and rows == database_counts(database_url)[0],
    )
    comparison_rows = min(200_000, rows)
    comparison_command = [PYTHON, str(Path(__file__).with_name("import_export_comparison.py")), str(comparison_rows)]
    comparison_seconds, comparison_peak = timed(comparison_command, stack.env, report)
    report.note(
        f"comparison: django-import-export EndorsementResource, {comparison_rows:,} rows to CSV in "
        f"{comparison_seconds:.1f} s, peak {comparison_peak:.0f} MiB "
        f"(≈ {comparison_seconds / comparison_rows * rows:.0f} s for all {rows:,} rows)"
    )
    for export_format in ("csv", "xlsx", "json"):
        command = [
            PYTHON, "manage.py", "export_tallies", "--consultation", "chicago", "--format", export_format,
            "--output", str(workdir / f"tallies.{export_format}"),
        ]  # fmt: skip
        seconds, _peak = timed(command, stack.env, report)
        report.add(f"5. export_tallies {export_format}", f"{seconds:.2f} s", "< 2 s", seconds < 2)


def machine_description() -> str:
    cpu = "unknown CPU"
    try:
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        pass
    memory_kib = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    postgres = subprocess.run(["psql", "--version"], capture_output=True, text=True).stdout.strip()
    return (
        f"{os.cpu_count()} cores ({cpu}), {memory_kib / 1024 / 1024:.0f} GiB, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, {postgres}"
    )


def write_markdown(report: Report, path: Path, *, quick: bool) -> None:
    lines = [
        "# Benchmarks",
        "",
        f"Run of `make {'bench-quick' if quick else 'bench'}` on {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC.",
        f"Machine: {machine_description()}.",
        f"Cache: {'Redis (' + os.environ['REDIS_URL'] + ')' if os.environ.get('REDIS_URL') else 'per-process memory'}.",
        "",
        "| target | measured | limit | |",
        "| --- | --- | --- | --- |",
        *[
            f"| {row.target} | {row.measured} | {row.limit} | {'pass' if row.ok else '**FAIL**'} |"
            for row in report.rows
        ],
        "",
        "## Raw figures",
        "",
        *[f"- {line}" for line in report.raw],
        "",
        "## How to reproduce",
        "",
        "```sh",
        "DATABASE_URL=postgres:///postgres REDIS_URL=redis://127.0.0.1:6379/3 make bench   # or make bench-quick",
        "```",
        "",
        "The harness (`tests/benchmarks/bench.py`) creates a fresh database `civictrust_bench` on that server, starts",
        "gunicorn with `civictrust/gunicorn_conf.py` (DEBUG off) on a free 127.0.0.1 port, and runs, in order:",
        "",
        *[f"    {command}" for command in report.commands],
        "",
        "Rate limits are off (`RATELIMIT_ENABLE=false`) and the concern form's minimum fill time is 0 during the load",
        "phases; everything else is the production configuration, as behind a TLS-terminating proxy on localhost",
        "(`SECURE_PROXY_SSL_HEADER`, so Secure `__Host-` cookies and CSRF checks apply). Each simulated resident",
        f"keeps its own cookies and CSRF token and pauses {THINK_SECONDS[0]}–{THINK_SECONDS[1]} s between actions (45% endorse,",
        "30% withdraw, 25% load the concern form and send it); after the phase the harness compares the database",
        "with the successful responses. The cache is emptied before each phase, so each phase's first request is",
        "uncached (shown as 'first' in the raw figures).",
    ]
    history = path.read_text().split("\n## What each change bought\n", 1) if path.exists() else []
    if len(history) == 2:
        lines += ["", "## What each change bought", history[1].rstrip()]
    path.write_text("\n".join(lines) + "\n")
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
