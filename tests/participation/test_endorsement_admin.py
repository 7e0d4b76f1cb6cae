"""The endorsement list in the admin never puts one person's visit side by side: rows go by their values."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

from django.utils import timezone

from feedback.models import Endorsement
from tests.factories import EndorsementFactory


def listed_rows(client, query: str = "") -> list[tuple[str, str, str]]:
    page = client.get(f"/admin/feedback/endorsement/{query}").content.decode()
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", page, flags=re.S)[1:]
    cells = [re.findall(r'<t[dh] class="field-(\w+)[^"]*"[^>]*>(.*?)</t[dh]>', row, flags=re.S) for row in rows]
    return [tuple(value.strip() for _name, value in row) for row in cells if row]


def test_the_endorsement_list_is_in_the_order_of_its_values_never_newest_first(client, organizer, briefing):
    """Worst case: one resident endorses three remedies in one visit, with a rare role and area."""
    first, second, third = briefing.remedies.all()[:3]
    # Midday, so the minutes before it are the same local day whenever the test runs (not so just after midnight).
    now = timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0)
    visit = uuid.uuid4()
    for remedy in (first, second, third):
        EndorsementFactory(remedy=remedy, participant=visit, role="advocate", community_area="47", created_at=now)
    for minutes, remedy in ((1, first), (2, second), (3, third), (4, first)):
        EndorsementFactory(
            remedy=remedy, role="resident", community_area="14", created_at=now - timedelta(minutes=minutes)
        )
    client.force_login(organizer)

    rows = listed_rows(client)

    assert len(rows) == Endorsement.objects.count() == 7
    # All on one day: grouped by remedy (in the briefing's order), then by area, then by role.
    order = [str(remedy) for remedy in briefing.remedies.all()]
    assert [row[0] for row in rows] == sorted((row[0] for row in rows), key=order.index)
    for remedy in (first, second):
        assert [row[2] for row in rows if row[0] == str(remedy)][-1] == "Burnside"  # area 47 after area 14
    # Newest first would put the visit's three rows at the top, side by side; here no two of them are neighbours.
    visit_rows = [index for index, row in enumerate(rows) if row[2] == "Burnside"]
    assert len(visit_rows) == 3
    assert all(later - earlier > 1 for earlier, later in zip(visit_rows, visit_rows[1:], strict=False))


def test_sorting_by_a_column_is_not_offered_and_asking_for_it_keeps_the_value_order(client, organizer, briefing):
    remedy = briefing.remedies.first()
    for minutes in range(3):
        EndorsementFactory(remedy=remedy, role="resident", created_at=timezone.now() - timedelta(minutes=minutes))
    client.force_login(organizer)
    page = client.get("/admin/feedback/endorsement/").content.decode()
    assert "sortable" not in page and "?o=" not in page
    assert listed_rows(client, "?o=-4") == listed_rows(client)
    assert "/admin/feedback/endorsement/" + str(Endorsement.objects.first().pk) not in page  # rows do not link
