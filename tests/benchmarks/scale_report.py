"""The figures of `make bench-scale` (scale.py) and its section of BENCHMARKS.md, replaced on each run."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from bench import Report, machine_description

HEADING = "## Ten million endorsements (issue 16)"
# The hand-written sizing that follows this section is kept as it is (it cites these figures).
NEXT_HEADING = "\n## Past one machine"
# A phase the run did not reach (stopped, or failed: the raw figures say which).
NOT_MEASURED = "not measured"


@dataclass
class ScaleFigures:
    endorsements: int
    concerns: int
    started: str
    small: dict[str, float] = field(default_factory=dict)
    large: dict[str, float] = field(default_factory=dict)
    generation: float = 0.0
    generation_steps: dict[str, float] = field(default_factory=dict)
    generation_load: str = ""
    reads: dict = field(default_factory=dict)
    reads_replica: dict | None = None
    writes: list[dict] = field(default_factory=list)
    drift: str = ""
    export: dict = field(default_factory=dict)


def rows(figures: ScaleFigures) -> list[tuple[str, str, str, bool]]:
    size = f"{figures.endorsements:,}"
    table = []
    limit = 120 if figures.endorsements >= 10_000_000 else 120 * figures.endorsements / 10_000_000
    rollups = figures.generation_steps.get("roll-ups", 0.0)
    table.append(
        (
            f"generate_demo_data {figures.concerns:,} concerns + {size} endorsements",
            f"{figures.generation:.1f} s (of which roll-up rebuild {rollups:.1f} s)"
            if figures.generation
            else NOT_MEASURED,
            f"≤ {limit:.0f} s",
            0 < figures.generation <= limit,
        )
    )
    for name, large in figures.large.items():
        small = figures.small.get(name, float("nan"))
        ratio = large / small
        table.append(
            (
                f"{name}, uncached median at {size}",
                f"{large:.1f} ms = {ratio:.2f}× the 10,000 median ({small:.1f} ms)",
                "≤ 50 ms and ≤ 1.5×",
                large <= 50 and ratio <= 1.5,
            )
        )
    for write in figures.writes:
        table.append(
            (
                f"freshness, endorsement 302 → staff dashboard (3 workers × {write['threads']})",
                f"p99 {write['fresh_p99']:.0f} ms, p50 {write['fresh_p50']:.0f} ms "
                f"({write['fresh_n']} probes, {write['fresh_timeouts']} over 10 s)",
                "p99 ≤ 2 s",
                write["fresh_p99"] <= 2000 and write["fresh_timeouts"] == 0,
            )
        )
        table.append(
            (
                f"writes, 50 residents closed loop 30 s, 3 workers × {write['threads']} thread(s)",
                f"{write['posts']} POSTs ({write['rate']:.0f}/s), {write['server_errors']} 5xx, "
                f"p50 {write['p50']:.0f} ms, p99 {write['p99']:.0f} ms, database "
                + ("matches" if write["matches"] else "DIFFERS"),
                "0 5xx, nothing lost, p99 ≤ 250 ms",
                write["server_errors"] == 0 and write["matches"] and write["p99"] <= 250,
            )
        )
    for label, reads in (("primary only", figures.reads), ("with the replica", figures.reads_replica)):
        if not reads:
            continue
        results, login = reads["results"], reads["login"]
        table.append(
            (
                f"results page throughput, 32 connections, {label}",
                f"{results['rps']:.0f} req/s = {reads['ratio']:.2f}× /admin/login/ ({login['rps']:.0f} req/s), "
                f"p99 {results['p99']:.0f} ms, non-2xx {results['non_2xx']}",
                "≥ 1.0×, p99 ≤ 150 ms",
                reads["ratio"] >= 1.0 and results["p99"] <= 150 and results["non_2xx"] == 0,
            )
        )
    export = figures.export
    if export:
        ratio = export["seconds"] / export["copy"]
        table.append(
            (
                f"export_records endorsements CSV ({export['rows']:,} rows)",
                f"{export['seconds']:.1f} s = {ratio:.2f}× psql COPY ({export['copy']:.1f} s), "
                f"peak {export['peak']:.0f} MiB",
                "≤ 2× COPY, ≤ 150 MiB",
                ratio <= 2 and export["peak"] <= 150 and export["rows"] == export["total"],
            )
        )
    table.append(
        (
            "check_aggregates after the write load",
            figures.drift or NOT_MEASURED,
            "no drift",
            figures.drift == "no drift",
        )
    )
    return table


def section(figures: ScaleFigures, report: Report, redis_url: str) -> list[str]:
    return [
        HEADING,
        "",
        f"Run of `make bench-scale` on {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, "
        f"{figures.endorsements:,} endorsements and {figures.concerns:,} concerns.",
        f"Machine: {machine_description()}; shared with a CI run ({figures.started} at the start, "
        f"{figures.generation_load or 'the generation not finished'} after the generation). Cache: Redis ({redis_url}).",
        "",
        "| target | measured | limit | |",
        "| --- | --- | --- | --- |",
        *[
            f"| {target} | {measured} | {limit} | {'pass' if ok else '**FAIL**'} |"
            for target, measured, limit, ok in rows(figures)
        ],  # fmt: skip
        "",
        "### Raw figures",
        "",
        *[f"- {line}" for line in report.raw],
        "",
        "### How to reproduce",
        "",
        "```sh",
        "DATABASE_URL=postgres://root@127.0.0.1:5432/postgres make bench-scale   # or BENCH_SCALE_ARGS=--endorsements 100000",
        "```",
        "",
        "`tests/benchmarks/scale.py` creates `civictrust_bench16`, uses Redis db 9 (`SCALE_REDIS_URL`), starts the",
        "stack of bench.py and runs, in order:",
        "",
        *[f"    {command}" for command in report.commands],
        "",
        "Uncached medians: `RESULTS_PUBLISH_SECONDS=0` and `DASHBOARD_CACHE_SECONDS=0` (every request counts its",
        "figures from the roll-ups) and Redis `FLUSHDB` before each of the measured requests, after one warm-up.",
        "Freshness (`scale_probe.py`): one participant endorses and withdraws a remedy of its own while the 50",
        "residents write; from each 302 it asks the dashboard's selector (`dashboard_for(recount=True)`, the page's",
        "\"Count again\") every 20 ms until the remedy's count has changed. Writes: bench.py's residents with no pause",
        "between actions (45% endorse, 30% withdraw, 25% concern form + send); the database is compared with the",
        "successful responses. If p99 misses with sync workers, the phase runs again with `GUNICORN_THREADS=4`",
        "(gthread). Reads: wrk on the results page and `/admin/login/` with the production caching, then again",
        "with `DATABASE_REPLICA_URL` on the streaming replica when one answers on port 5433.",
    ]


def write_section(figures: ScaleFigures, report: Report, path: Path, *, redis_url: str, quiet: bool = False) -> None:
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    new = "\n".join(section(figures, report, redis_url)) + "\n"
    if HEADING in text:
        before, rest = text.split(HEADING, 1)
        after = rest[rest.index(NEXT_HEADING) :] if NEXT_HEADING in rest else ""
        text = before + new + after
    else:
        text = text.rstrip() + "\n\n" + new
    path.write_text(text)
    if quiet:
        return
    for target, measured, limit, ok in rows(figures):
        print(f"  {'PASS' if ok else 'FAIL'}  {target}: {measured} (target {limit})")
    print(f"\nwrote {path}")
