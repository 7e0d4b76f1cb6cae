"""The harness of the tests that race real transactions: one PostgreSQL guard, calls started at one moment."""

from __future__ import annotations

import threading

from django.db import connections

from tests.availability import require_postgresql


def needs_postgresql() -> None:
    require_postgresql("the parallel tests (SQLite serialises all writes)")


def run_in_parallel(calls) -> list:
    """Start every call at the same moment, each on its own thread and database connection."""
    barrier = threading.Barrier(len(calls))
    results, errors = [], []

    def run(call):
        try:
            barrier.wait(timeout=20)
            results.append(call())
        except Exception as error:  # collected and asserted by the caller
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [], errors
    return results
