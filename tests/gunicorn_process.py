"""Run the app as production does (gunicorn with civictrust/gunicorn_conf.py, DEBUG off) for a test.

The server listens on a free 127.0.0.1 port, behind a pretend TLS-terminating proxy: requests carry
`X-Forwarded-Proto: https` and the app trusts it (SECURE_PROXY_SSL_HEADER), as README's deployment describes.
Its access log and error log (which also holds the app's own log lines) are files the test can read.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

PROJECT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def manage(environment: dict[str, str], *args: str) -> None:
    """Run `manage.py *args` in a fresh interpreter with exactly `environment`."""
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        env=environment,
        check=True,
        capture_output=True,
        timeout=300,
    )


def production_environment(**extra: str) -> dict[str, str]:
    return {
        "PATH": os.environ["PATH"],
        "SECRET_KEY": "gunicorn-test-secret-key-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto: https",
        "CONCERN_MIN_FILL_SECONDS": "0",
        **extra,
    }


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: str


@dataclass
class Browser:
    """A tiny HTTP client that keeps cookies, speaks from `source_address` and sends the proxy's headers."""

    port: int
    source_address: str = "127.0.0.1"
    extra_headers: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)

    def request(self, method: str, path: str, data: dict | None = None, **headers: str) -> Response:
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=30, source_address=(self.source_address, 0)
        )
        body = urlencode(data or {}, doseq=True) if method == "POST" else None
        sent = {"Host": f"127.0.0.1:{self.port}", "X-Forwarded-Proto": "https", **self.extra_headers, **headers}
        if body is not None:
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            sent["Referer"] = f"https://127.0.0.1:{self.port}{path}"
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        try:
            connection.request(method, path, body=body, headers=sent)
            raw = connection.getresponse()
            text = raw.read().decode("utf-8", "replace")
            for header in raw.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            return Response(raw.status, dict(raw.headers.items()), text)
        finally:
            connection.close()

    def get(self, path: str, **headers: str) -> Response:
        return self.request("GET", path, **headers)

    def post(self, path: str, data: dict, **headers: str) -> Response:
        return self.request("POST", path, data, **headers)


@dataclass
class Gunicorn:
    port: int
    access_log: Path
    error_log: Path
    process: subprocess.Popen

    def logs(self) -> str:
        return self.access_log.read_text(errors="replace") + self.error_log.read_text(errors="replace")

    def browser(self, **kwargs) -> Browser:
        return Browser(self.port, **kwargs)


@contextmanager
def gunicorn(environment: dict[str, str], log_dir: Path, *, threads: int = 4) -> Iterator[Gunicorn]:
    """gunicorn with the project's config, one worker, until the block ends; the block starts once it answers."""
    port = free_port()
    access_log, error_log = log_dir / "access.log", log_dir / "error.log"
    env = {
        **environment,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "1",
        "GUNICORN_THREADS": str(threads),
        "GUNICORN_ACCESS_LOG": str(access_log),
    }
    with error_log.open("w") as stderr:
        process = subprocess.Popen(
            # No control socket: test servers must not take over (or collide on) the machine's default one.
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                "civictrust/gunicorn_conf.py",
                "--no-control-socket",
                "civictrust.wsgi",
            ],
            cwd=PROJECT,
            env=env,
            stdout=stderr,
            stderr=stderr,
        )
    server = Gunicorn(port, access_log, error_log, process)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{error_log.read_text()}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn did not start:\n{error_log.read_text()}") from None
                time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
