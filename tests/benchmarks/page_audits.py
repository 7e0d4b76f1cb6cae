"""civictrust page audits: `make audit-pages` (Lighthouse and the Nu HTML checker on the public pages).

Starts the app as production does (gunicorn with civictrust/gunicorn_conf.py, DEBUG off, whitenoise serving the
collected static files from a temporary folder, a fresh SQLite database with the Chicago briefing and seeded demo
data), behind the same pretend TLS-terminating proxy as the tests (tests/gunicorn_process.py: requests carry
`X-Forwarded-Proto: https`). Every request goes to 127.0.0.1 only. Then:

- Lighthouse (mobile, Debian's Chromium) on the briefing, concern form, remedies, results and privacy pages in every
  language: accessibility, best practices and SEO must be 100 and performance at least 95.
- The Nu HTML checker on every public page in every language: no error (warnings are listed, they do not fail).

Writes the scores to the "Page audits" section of BENCHMARKS.md and exits non-zero when a target is missed, naming
the failing audits and the checker's errors. It lives beside bench.py because it is a measurement, like the
benchmarks: too slow for CI (README, "Development"), and it starts the app with the tests' own production harness.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(PROJECT))

from tests.gunicorn_process import gunicorn, manage, production_environment  # noqa: E402

LIGHTHOUSE = PROJECT / "node_modules" / ".bin" / "lighthouse"
VNU_JAR = PROJECT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
CHROME_FLAGS = "--headless --no-sandbox --disable-gpu --disable-background-networking"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
TARGETS = {"performance": 95, "accessibility": 100, "best-practices": 100, "seo": 100}
# The URL prefix of each language (settings.LANGUAGES; English, the default, has none: prefix_default_language=False).
LANGUAGES = {"en": "", "es": "/es", "pl": "/pl", "zh-hans": "/zh-hans", "ar": "/ar"}
LIGHTHOUSE_PAGES = {
    "briefing": "/c/chicago/",
    "concern form": "/c/chicago/concerns/new/",
    "remedies": "/c/chicago/remedies/",
    "results": "/c/chicago/results/",
    "privacy": "/privacy/",
}
HTML_PAGES = {
    **LIGHTHOUSE_PAGES,
    "home": "/",
    "concern list": "/c/chicago/concerns/",
    "receipt status": "/c/chicago/concerns/status/",
    "withdraw": "/c/chicago/concerns/withdraw/",
    "print form": "/c/chicago/print/",
    "participation code": "/c/chicago/code/",
    "about": "/about/",
    "not found (404)": "/c/no-such-consultation/",
}
SECTION = "## Page audits (issue 14)"
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}


@dataclass
class LighthouseRun:
    page: str
    language: str
    scores: dict[str, int]
    benchmark_index: int
    failing: list[str] = field(default_factory=list)

    def missed(self) -> list[str]:
        return [c for c in CATEGORIES if self.scores.get(c, 0) < TARGETS[c]]


@dataclass
class CheckerMessage:
    page: str
    language: str
    kind: str
    text: str
    extract: str


def lighthouse_report(url: str, output: Path) -> dict:
    """One Lighthouse run (mobile form factor); Chromium under load sometimes loses the trace, so try three times."""
    command = [
        str(LIGHTHOUSE),
        url,
        "--quiet",
        "--form-factor=mobile",
        f"--only-categories={','.join(CATEGORIES)}",
        "--output=json",
        f"--output-path={output}",
        f"--chrome-flags={CHROME_FLAGS}",
        f"--extra-headers={json.dumps(PROXY_HEADERS)}",
    ]
    environment = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    for attempt in range(3):
        output.unlink(missing_ok=True)
        finished = subprocess.run(command, env=environment, timeout=300, check=False)
        report = json.loads(output.read_text()) if finished.returncode == 0 and output.exists() else {}
        if report and not report.get("runtimeError"):
            return report
        print(f"  Lighthouse failed on {url} (attempt {attempt + 1} of 3)", flush=True)
    raise RuntimeError(f"Lighthouse could not audit {url}")


def run_lighthouse(url: str, page: str, language: str, workdir: Path, *, runs: int = 1) -> LighthouseRun:
    """The median of `runs` Lighthouse runs by performance score (Lighthouse's advice against its own variance),
    with the audits that lost points in the categories that missed their target."""
    reports = [lighthouse_report(url, workdir / f"lighthouse-{n}.json") for n in range(runs)]
    reports.sort(key=lambda r: r["categories"]["performance"]["score"] or 0)
    report = reports[len(reports) // 2]
    scores = {name: round((category["score"] or 0) * 100) for name, category in report["categories"].items()}
    run = LighthouseRun(page, language, scores, benchmark_index=round(report["environment"]["benchmarkIndex"]))
    for name in run.missed():
        for reference in report["categories"][name]["auditRefs"]:
            audit = report["audits"][reference["id"]]
            # Audits that cost points: scored below 1 with a weight (informative and manual ones never count).
            if audit.get("score") is not None and audit["score"] < 1 and reference.get("weight", 0):
                run.failing.append(f"{name}: {audit['id']} ({audit['title']}; score {audit['score']})")
            elif audit.get("scoreDisplayMode") == "error":
                run.failing.append(f"{name}: {audit['id']} could not run: {audit.get('errorMessage', '')}")
    return run


def fetch_page(url: str) -> str:
    """The page's HTML as a resident's browser gets it; the 404 page's body too."""
    request = urllib.request.Request(url, headers={**PROXY_HEADERS, "Accept-Language": "en"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 (always http://127.0.0.1)
            return response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        if error.code != 404:
            raise
        return error.read().decode("utf-8")


def check_html(base: str, languages: dict[str, str], workdir: Path) -> list[CheckerMessage]:
    """Every public page in every language through the Nu checker, in one Java process."""
    files: dict[str, tuple[str, str]] = {}
    pages = workdir / "html"
    pages.mkdir()
    for language, prefix in languages.items():
        for page, path in HTML_PAGES.items():
            target = pages / f"{language}-{len(files):02d}.html"
            target.write_text(fetch_page(base + prefix + path), encoding="utf-8")
            files[target.resolve().name] = (page, language)
    result = subprocess.run(
        [
            "java",
            "-jar",
            str(VNU_JAR),
            "--format",
            "json",
            "--exit-zero-always",
            *sorted(str(p) for p in pages.iterdir()),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    messages = []
    for message in json.loads(result.stderr or result.stdout)["messages"]:
        # vnu names each file by a file: URL whose spelling varies (file:/tmp/… or file:///tmp/…): match the name.
        page, language = files.get(message.get("url", "").rsplit("/", 1)[-1], ("?", "?"))
        kind = "error" if message["type"] in ("error", "non-document-error") else "warning"
        extract = " ".join((message.get("extract") or "").split())[:120]
        messages.append(CheckerMessage(page, language, kind, message.get("message", ""), extract))
    return messages


def machine_description() -> str:
    chromium = subprocess.run(
        [os.environ.get("CHROME_PATH", "/usr/bin/chromium"), "--version"], capture_output=True, text=True
    ).stdout.strip()
    lighthouse = subprocess.run([str(LIGHTHOUSE), "--version"], capture_output=True, text=True).stdout.strip()
    java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0]
    return (
        f"{os.cpu_count()} cores, {platform.system()} {platform.release()}, Python {platform.python_version()}, "
        f"{chromium}, Lighthouse {lighthouse}, {java.strip()}; load average at the end "
        f"{' '.join(f'{load:.1f}' for load in os.getloadavg())} "
        f"(above {os.cpu_count()}, other work was sharing the cores)"
    )


def markdown(
    runs: list[LighthouseRun], messages: list[CheckerMessage], languages: dict[str, str], repeats: int
) -> list[str]:
    errors = [m for m in messages if m.kind == "error"]
    warnings = [m for m in messages if m.kind == "warning"]
    lines = [
        SECTION,
        "",
        f"Run of `make audit-pages` on {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC.",
        f"Machine: {machine_description()}.",
        "",
        "Lighthouse, mobile form factor (its simulated slow 4G and 4× CPU slowdown), "
        + (f"the median of {repeats} runs per page by performance. " if repeats > 1 else "one run per page. ")
        + "Targets: performance ≥ 95, accessibility, best practices and SEO 100. *CPU index* is Lighthouse's",
        "benchmarkIndex of the machine during that run (higher is faster; it falls when other work shares the cores).",
        "",
        "| page | language | performance | accessibility | best practices | SEO | CPU index | |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
        *[
            f"| {run.page} | {run.language} | "
            + " | ".join(str(run.scores.get(c, "–")) for c in CATEGORIES)
            + f" | {run.benchmark_index} | {'**FAIL**' if run.missed() else 'pass'} |"
            for run in runs
        ],
        "",
        f"Nu HTML checker on {len(HTML_PAGES)} public pages × {len(languages)} languages "
        f"({', '.join(HTML_PAGES)}): {len(errors)} errors, {len(warnings)} warnings.",
    ]
    for message in errors:
        lines.append(f"- error, {message.page} ({message.language}): {message.text} `{message.extract}`")
    # Warnings grouped by what they say: the same one (e.g. crispy-forms' `<input … />`) recurs on many pages.
    grouped: dict[str, list[str]] = {}
    for message in warnings:
        where = f"{message.page} ({message.language})"
        grouped.setdefault(message.text, [])
        if where not in grouped[message.text]:
            grouped[message.text].append(where)
    for text, places in grouped.items():
        lines.append(f"- warning: {text} — {', '.join(places)}")
    lines += [
        "",
        "### How to reproduce",
        "",
        "```sh",
        "apt-get install npm chromium default-jre-headless   # Node.js, Debian's Chromium, Java for the Nu checker",
        "make audit-pages",
        "```",
        "",
        "`make audit-pages` installs `lighthouse` and `vnu-jar` from `package-lock.json` (`npm ci --ignore-scripts`",
        "into ./node_modules) and runs `tests/benchmarks/page_audits.py`. It starts gunicorn with",
        "`civictrust/gunicorn_conf.py` and DEBUG off on a free 127.0.0.1 port, static files collected into a",
        "temporary folder and served by whitenoise, a fresh SQLite database with `load_briefing` and",
        "`generate_demo_data --concerns 500 --endorsements 5000 --seed 1` (so the results and concern list have",
        "content), behind a pretend TLS proxy (`X-Forwarded-Proto: https`; the app's own HTTPS redirect is off,",
        "since Lighthouse asks for robots.txt without that header). One Lighthouse run at a time, flags",
        f"`{CHROME_FLAGS}`, Chromium from `CHROME_PATH` (default /usr/bin/chromium). It exits non-zero",
        "when a score misses its target (naming the audits that lost points) or the checker reports an error.",
    ]
    return lines


def write_section(path: Path, lines: list[str]) -> None:
    """Replace this section of BENCHMARKS.md (or append it), keeping everything else as it is."""
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    before, _, after = text.partition("\n" + SECTION + "\n")
    rest = after.split("\n## ", 1)
    tail = "\n## " + rest[1] if after and len(rest) == 2 else ""
    path.write_text(before.rstrip("\n") + "\n\n" + "\n".join(lines) + "\n" + tail)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", default=str(PROJECT / "BENCHMARKS.md"))
    parser.add_argument("--language", action="append", choices=list(LANGUAGES), help="only these (repeatable)")
    parser.add_argument("--page", action="append", choices=list(LIGHTHOUSE_PAGES), help="Lighthouse only on these")
    parser.add_argument("--runs", type=int, default=1, help="Lighthouse runs per page; the median counts")
    parser.add_argument("--no-write", action="store_true", help="print only; leave BENCHMARKS.md alone")
    args = parser.parse_args()
    if not shutil.which("java"):
        sys.exit("java is missing: apt-get install default-jre-headless (the Nu HTML checker needs it)")
    if not LIGHTHOUSE.exists() or not VNU_JAR.exists():
        sys.exit("lighthouse or vnu-jar is missing: run `make audit-pages` (it runs npm ci)")
    languages = {code: LANGUAGES[code] for code in args.language or LANGUAGES}

    with tempfile.TemporaryDirectory(prefix="civictrust-audit-") as tmp:
        workdir = Path(tmp)
        environment = production_environment(
            DATABASE_URL=f"sqlite:///{workdir / 'audit.sqlite3'}",
            STATIC_ROOT=str(workdir / "static"),
            PRIVATE_MEDIA_ROOT=str(workdir / "private"),
            LOG_LEVEL="WARNING",
            # Lighthouse fetches robots.txt without its extra headers, so the app would answer it with the HTTPS
            # redirect that the TLS-terminating proxy makes in production; the pages themselves still arrive as HTTPS.
            SECURE_SSL_REDIRECT="false",
        )
        print("Preparing the app (migrate, load_briefing, demo data, collectstatic)…", flush=True)
        manage(environment, "migrate", "--no-input")
        manage(environment, "load_briefing")
        manage(environment, "generate_demo_data", "--concerns", "500", "--endorsements", "5000", "--seed", "1")
        manage(environment, "collectstatic", "--no-input")
        runs: list[LighthouseRun] = []
        with gunicorn(environment, workdir) as server:
            base = f"http://127.0.0.1:{server.port}"
            print("Nu HTML checker…", flush=True)
            messages = check_html(base, languages, workdir)
            for language, prefix in languages.items():
                for page, path in LIGHTHOUSE_PAGES.items():
                    if args.page and page not in args.page:
                        continue
                    run = run_lighthouse(base + prefix + path, page, language, workdir, runs=args.runs)
                    runs.append(run)
                    scores = " ".join(f"{c}={run.scores.get(c)}" for c in CATEGORIES)
                    print(f"  {'FAIL' if run.missed() else 'pass'}  {page} ({language}): {scores}", flush=True)

    errors = [m for m in messages if m.kind == "error"]
    for message in messages:
        print(f"{message.kind.upper()}: {message.page} ({message.language}): {message.text}  [{message.extract}]")
    for run in runs:
        for line in run.failing:
            print(f"MISSED: {run.page} ({run.language}): {line}")
    if not args.no_write:
        write_section(Path(args.output), markdown(runs, messages, languages, args.runs))
        print(f"wrote {args.output}")
    missed = [run for run in runs if run.missed()]
    print(f"{len(runs) - len(missed)} of {len(runs)} Lighthouse runs met the targets; {len(errors)} HTML errors.")
    return 1 if missed or errors else 0


if __name__ == "__main__":
    sys.exit(main())
