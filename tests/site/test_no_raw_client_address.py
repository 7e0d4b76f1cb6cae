"""Taking part leaves no trace of the client's internet address: not in any table, not in any log line."""

from __future__ import annotations

import logging
import re

from django.db import connection

from tests.factories import ConcernFactory, concern_form_data

ADDRESS = "203.0.113.199"
IPV6_ADDRESS = "2001:db8:dead:beef::1"


def every_stored_string() -> list[tuple[str, str]]:
    """(table, value) for every text value in every table of the database."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - names from introspection
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, memoryview | bytes):
                        value = bytes(value).decode("utf-8", "replace")
                    if value is not None and not isinstance(value, int | float):
                        found.append((table, str(value)))
    return found


def take_part_from(client, briefing, address: str) -> None:
    remedy = briefing.remedies.first()
    approved = ConcernFactory(consultation=briefing)
    client.get("/c/chicago/concerns/new/", REMOTE_ADDR=address)
    sent = client.post("/c/chicago/concerns/new/", concern_form_data(), REMOTE_ADDR=address)
    client.get(sent["Location"], REMOTE_ADDR=address)
    client.post("/c/chicago/concerns/new/", concern_form_data(text="short"), REMOTE_ADDR=address)
    client.post(f"/c/chicago/remedies/{remedy.pk}/endorse/", REMOTE_ADDR=address)
    client.post("/c/chicago/remedies/about-you/", {"role": "resident", "community_area": "30"}, REMOTE_ADDR=address)
    client.post(f"/c/chicago/concerns/{approved.public_reference}/report/", REMOTE_ADDR=address)
    client.post("/c/chicago/concerns/withdraw/", {"receipt_code": "AAAA-BBBB-CCCC"}, REMOTE_ADDR=address)
    for url in ["/c/chicago/remedies/", "/c/chicago/concerns/", "/c/chicago/results/", "/c/chicago/print/"]:
        client.get(url, REMOTE_ADDR=address)
    # Over the limit: the refusal is logged (with the keyed hash).
    client.post("/c/chicago/concerns/new/", concern_form_data(), REMOTE_ADDR=address)


def test_no_table_and_no_log_line_holds_the_client_address(client, briefing, settings, caplog):
    settings.RATELIMIT_CONCERNS = "2/h"
    with caplog.at_level(logging.DEBUG):
        take_part_from(client, briefing, ADDRESS)
        take_part_from(client, briefing, IPV6_ADDRESS)

    assert any("Rate limit concerns reached" in record.getMessage() for record in caplog.records)
    stored = every_stored_string()
    assert any(table == "feedback_endorsement" for table, _value in stored)  # the scan does see the data
    pattern = re.compile(r"203\.0\.113\.199|2001:db8:dead:beef", re.IGNORECASE)
    assert [(table, value) for table, value in stored if pattern.search(value)] == []
    assert not pattern.search(caplog.text)
    for record in caplog.records:
        assert not pattern.search(repr(record.__dict__)), record.getMessage()
