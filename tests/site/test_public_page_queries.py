"""Every public page costs a fixed number of queries, however many concerns and endorsements exist."""

from __future__ import annotations

import pytest

from feedback.models import Concern
from tests.factories import ConcernFactory, EndorsementFactory


def add_data(briefing, count: int) -> None:
    remedies = list(briefing.remedies.all())
    topics = list(briefing.topics.all())
    for number in range(count):
        EndorsementFactory(remedy=remedies[number % len(remedies)], community_area=f"{number % 77 + 1:02d}")
        ConcernFactory(consultation=briefing, topic=topics[number % len(topics)], community_area="30")
    ConcernFactory(consultation=briefing, status=Concern.Status.PENDING)


@pytest.fixture(params=[3, 30], ids=["little data", "more data"])
def data(request, briefing):
    add_data(briefing, request.param)
    return briefing


# (url, queries): each query named.
PAGES = [
    # consultation by slug; the consultation again with its stakeholders, topics and remedies prefetched
    ("/c/chicago/", 5),
    # consultation; published topics for the form
    ("/c/chicago/concerns/new/", 2),
    # consultation; topics for the filter; count for the paginator; the page of concerns with their topics
    ("/c/chicago/concerns/", 4),
    # consultation; remedies with their endorsement counts
    ("/c/chicago/remedies/", 2),
    # consultation; nothing else
    ("/c/chicago/concerns/withdraw/", 1),
    # consultation; topics
    ("/c/chicago/print/", 2),
    # consultation; tallies_for (twelve) when the cache is empty
    ("/c/chicago/results/", 13),
    ("/privacy/", 0),
]


@pytest.mark.parametrize(("url", "queries"), PAGES)
def test_each_public_page_costs_a_fixed_number_of_queries(client, data, django_assert_num_queries, url, queries):
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200


def test_cached_results_cost_one_query(client, data, django_assert_num_queries):
    client.get("/c/chicago/results/")
    with django_assert_num_queries(1):  # the consultation
        client.get("/c/chicago/results/")


def test_a_participant_costs_one_more_query_on_the_lists(client, data, django_assert_num_queries):
    client.post(f"/c/chicago/remedies/{data.remedies.first().pk}/endorse/")
    with django_assert_num_queries(3):  # + the participant's endorsements
        client.get("/c/chicago/remedies/")
    with django_assert_num_queries(5):  # + the participant's reports among the page's concerns
        client.get("/c/chicago/concerns/")
