"""A real civictrust worker with one fault injected: an unexpected error when its broker connection comes back.

`python tests/worker_with_a_fault.py -A civictrust worker [options]`, Celery's own command line with one more step
(tests/celery_worker.py starts it so). Only the integration
tests run it, to see what a worker does on an error nobody foresaw: exit, with a non-zero status.
"""

from __future__ import annotations

import sys

from celery import bootsteps
from celery.bin.celery import main

from civictrust.celery import app


class FailOnReconnect(bootsteps.StartStopStep):
    requires = ("celery.worker.consumer.tasks:Tasks",)
    starts = 0

    def start(self, consumer) -> None:
        FailOnReconnect.starts += 1
        if FailOnReconnect.starts > 1:
            raise RuntimeError("a fault injected by the test, on reconnecting")


if __name__ == "__main__":
    app.steps["consumer"].add(FailOnReconnect)
    sys.exit(main())
