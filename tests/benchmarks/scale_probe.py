"""Freshness probe of `make bench-scale`: how long after an endorsement's 302 the staff dashboard counts it.

`python tests/benchmarks/scale_probe.py PORT SECONDS` with the stack's environment (DATABASE_URL, REDIS_URL...).
Run by scale.py beside the write load. A remedy of its own ("Benchmark freshness probe", which no simulated
resident endorses) makes every change of its count this probe's: one participant endorses it over HTTP, and from
the 302 on the probe asks the dashboard's own selector (`dashboard_for(..., recount=True)`, what "Count again" on
the page does) until the remedy's count is 1; then withdraws and waits for 0. Prints one JSON line:
{"endorse_ms": [...], "withdraw_ms": [...], "timeouts": n}.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import sys
import time
import urllib.parse
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
PROBE_KEY = "bench-freshness-probe"
PROBE_TITLE = "Benchmark freshness probe"
GIVE_UP_SECONDS = 10
POLL_SECONDS = 0.02
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def setup_django() -> None:
    sys.path.insert(0, str(PROJECT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civictrust.settings")
    import django

    django.setup()


def probe_remedy():
    from feedback.models import Consultation, Remedy

    consultation = Consultation.objects.get(slug="chicago")
    remedy, _created = Remedy.objects.get_or_create(
        consultation=consultation,
        key=PROBE_KEY,
        defaults={"kind": "approach", "title": PROBE_TITLE, "proposed_by": "benchmark", "is_published": True},
    )
    return consultation, remedy


def dashboard_count(consultation) -> int:
    from feedback.results.dashboard import dashboard_for

    rows = dashboard_for(consultation, recount=True).tallies.endorsements_per_remedy
    return next(row.count for row in rows if row.label == PROBE_TITLE)


class Browser:
    """One resident's browser: keeps its cookies, sends what the proxy in front of gunicorn would add."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, str]:
        from http.cookies import SimpleCookie

        headers = {
            "X-Forwarded-Proto": "https",
            "Referer": f"https://127.0.0.1:{self.port}/",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        encoded = None
        if body is not None:
            encoded = urllib.parse.urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=encoded, headers=headers)
        response = self.connection.getresponse()
        text = response.read().decode()
        for header in response.headers.get_all("Set-Cookie") or []:
            parsed = SimpleCookie()
            parsed.load(header)
            for name, morsel in parsed.items():
                self.cookies[name] = morsel.value
        return response.status, text


def wait_for(consultation, expected: int, since: float) -> float | None:
    while time.perf_counter() - since < GIVE_UP_SECONDS:
        if dashboard_count(consultation) == expected:
            return (time.perf_counter() - since) * 1000
        time.sleep(POLL_SECONDS)
    return None


def main() -> None:
    port, seconds = int(sys.argv[1]), float(sys.argv[2])
    setup_django()
    consultation, remedy = probe_remedy()
    browser = Browser(port)
    _status, page = browser.request("GET", "/c/chicago/remedies/")
    token = CSRF_FIELD.search(page).group(1)
    outcome: dict[str, list[float] | int] = {"endorse_ms": [], "withdraw_ms": [], "timeouts": 0}
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for action, expected, key in (("endorse", 1, "endorse_ms"), ("withdraw", 0, "withdraw_ms")):
            path = f"/c/chicago/remedies/{remedy.pk}/{action}/"
            status, _body = browser.request("POST", path, {"csrfmiddlewaretoken": token})
            answered = time.perf_counter()
            if status not in (302, 303):
                raise SystemExit(f"POST {path} answered {status}")
            waited = wait_for(consultation, expected, answered)
            if waited is None:
                outcome["timeouts"] += 1
            else:
                outcome[key].append(waited)
    print(json.dumps(outcome))


if __name__ == "__main__":
    main()
