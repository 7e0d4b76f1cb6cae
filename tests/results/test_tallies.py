import uuid

import pytest
from django.db import connection

from feedback.models import Concern, Endorsement
from feedback.results.recount import replace_rollups
from feedback.results.suppression import suppress_small_cells
from feedback.results.tallies import TallyFilters, TallyRow, tallies_for


def endorse(remedy, *, area="", role="", count=1):
    Endorsement.objects.bulk_create(
        Endorsement(remedy=remedy, participant=uuid.uuid4(), community_area=area, role=role) for _ in range(count)
    )
    replace_rollups(consultation=remedy.consultation)  # rows written in bulk get their roll-ups as a bulk load's do


def concern(consultation, *, topic=None, status=Concern.Status.PENDING, area="undisclosed", role="resident"):
    made = Concern.objects.create(
        consultation=consultation,
        topic=topic,
        text="A concern long enough",
        status=status,
        community_area=area,
        role=role,
    )
    replace_rollups(consultation=consultation)
    return made


def test_tallies_count_endorsements_per_remedy_and_by_area(briefing):
    first, second = briefing.remedies.all()[:2]
    endorse(first, area="14", role="resident", count=3)
    endorse(first, area="30", count=2)
    endorse(second, area="14", count=1)

    tallies = tallies_for(briefing)

    per_remedy = {row.key: row.count for row in tallies.endorsements_per_remedy}
    assert per_remedy[first.key] == 5
    assert per_remedy[second.key] == 1
    assert sum(per_remedy.values()) == tallies.total_endorsements == 6
    by_area = {row.label: row.count for row in tallies.endorsements_by_area}
    assert by_area == {"Albany Park": 4, "South Lawndale": 2}
    assert {row.label: row.count for row in tallies.endorsements_by_role} == {"Resident": 3, "Not given": 3}


def test_spam_and_rejected_concerns_do_not_count_in_the_topic_tallies(briefing):
    topic = briefing.topics.first()
    concern(briefing, topic=topic)
    concern(briefing, topic=topic, status=Concern.Status.APPROVED)
    concern(briefing, topic=topic, status=Concern.Status.SPAM)
    concern(briefing, topic=topic, status=Concern.Status.REJECTED)
    concern(briefing, topic=None)

    tallies = tallies_for(briefing)

    per_topic = {row.key: row.count for row in tallies.concerns_per_topic}
    assert per_topic[topic.key] == 2
    assert per_topic[""] == 1
    assert tallies.concerns_by_status == {"pending": 2, "approved": 1, "spam": 1, "rejected": 1}


def test_filters_narrow_every_figure(briefing):
    remedy = briefing.remedies.first()
    endorse(remedy, area="14", role="resident", count=2)
    endorse(remedy, area="30", role="advocate", count=3)
    tallies = tallies_for(briefing, TallyFilters(community_area="30"))
    assert tallies.total_endorsements == 3
    assert [row.label for row in tallies.endorsements_by_role] == ["Advocate"]


def test_the_query_count_does_not_grow_with_the_data(briefing, django_assert_num_queries):
    # On PostgreSQL each table's cells are scanned once for all their breakdowns (GROUPING SETS).
    queries = 7 if connection.vendor == "postgresql" else 11
    with django_assert_num_queries(queries):
        tallies_for(briefing)
    for remedy in briefing.remedies.all():
        endorse(remedy, area="14", count=3)
    concern(briefing, topic=briefing.topics.first())
    with django_assert_num_queries(queries):
        tallies_for(briefing)


def test_a_small_cell_is_hidden_and_a_second_cell_with_it_so_it_cannot_be_derived():
    rows = [TallyRow("A", 40), TallyRow("B", 12), TallyRow("C", 2), TallyRow("D", 0)]
    shown = suppress_small_cells(rows, minimum=5)
    assert [(row.label, row.count, row.suppressed) for row in shown] == [
        ("A", 40, False),
        ("B", None, True),
        ("C", None, True),
        ("D", 0, False),
    ]


@pytest.mark.parametrize("counts", [[5, 6, 7], [1, 2, 30], [0, 0, 9]])
def test_no_shown_cell_is_below_the_minimum(counts):
    shown = suppress_small_cells([TallyRow(str(n), n) for n in counts], minimum=5)
    assert all(row.count is None or row.count == 0 or row.count >= 5 for row in shown)
    hidden = [row for row in shown if row.suppressed]
    assert len(hidden) != 1
