"""A real Celery worker process for the integration tests (tests/integration), and waiting for it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

PROJECT = Path(__file__).resolve().parents[1]


def database_url(settings_dict: dict) -> str:
    """A DATABASE_URL for the database this test process is connected to (the test database)."""
    user = quote(settings_dict.get("USER") or "")
    password = quote(settings_dict.get("PASSWORD") or "")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or ""
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"postgres://{credentials}{host}{port}/{quote(settings_dict['NAME'])}"


def process_children(pid: int) -> list[int]:
    """Ids of the processes whose parent is `pid` (Linux /proc)."""
    children = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        # The command name, in parentheses, may hold spaces: the parent id is the 2nd field after it.
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            children.append(int(entry))
    return children


class CeleryWorker:
    """One `celery worker` process (prefork, one pool process), in its own process group."""

    # How the worker is started: Celery's own command line, or a script of the tests' (tests/worker_with_a_fault.py).
    PROGRAM = ("-m", "celery", "-A", "civictrust")

    def __init__(self, env: dict[str, str], log_path: Path, program: tuple[str, ...] = PROGRAM):
        self.env = env
        self.log_path = log_path
        self.program = program
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> CeleryWorker:
        self.log_path.write_text("")
        log = self.log_path.open("ab")
        command = [sys.executable, *self.program, "worker", "--pool=prefork", "--concurrency=1"]
        command += ["--loglevel=INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"]
        command += ["--hostname", f"test-{uuid.uuid4().hex[:8]}@%h", "--queues", self.env["CELERY_QUEUE"]]
        self.process = subprocess.Popen(
            command,
            cwd=PROJECT,
            env={"PYTHONPATH": str(PROJECT), **self.env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if " ready." in self.log():
                return self
            if self.process.poll() is not None:
                raise AssertionError(f"The worker exited at start:\n{self.log()}")
            time.sleep(0.2)
        raise AssertionError(f"The worker was not ready after {timeout} s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def pool_processes(self) -> list[int]:
        return process_children(self.process.pid)

    def kill_pool_process(self) -> None:
        """SIGKILL the pool process running the task, as the kernel's out-of-memory killer would."""
        [child] = self.pool_processes()
        os.kill(child, signal.SIGKILL)

    def kill(self) -> None:
        """SIGKILL the whole worker (main and pool processes), as a lost machine would."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()


def wait_for(condition, *, timeout: float, what: str, worker: CeleryWorker | None = None, interval: float = 0.3):
    """Poll `condition()` until it returns something true; fail with the worker's log after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    log = worker.log()[-6000:] if worker else ""
    raise AssertionError(f"Timed out after {timeout} s waiting for {what}.\n{log}")
