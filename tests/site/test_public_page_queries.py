"""Every public page costs a fixed number of queries, however many concerns and endorsements exist."""

from __future__ import annotations

import pytest
from django.db import connection

from feedback.models import Concern
from feedback.results.publication import published_figures
from tests.factories import ConcernFactory, EndorsementFactory


def add_data(briefing, count: int) -> None:
    remedies = list(briefing.remedies.all())
    topics = list(briefing.topics.all())
    for number in range(count):
        EndorsementFactory(remedy=remedies[number % len(remedies)], community_area=f"{number % 77 + 1:02d}")
        ConcernFactory(consultation=briefing, topic=topics[number % len(topics)], community_area="30")
    ConcernFactory(consultation=briefing, status=Concern.Status.PENDING)


@pytest.fixture(params=[3, 30], ids=["little data", "more data"])
def data(request, briefing, settings, monkeypatch):
    """The data, with this publication window's figures already counted (as on a site with visitors)."""
    add_data(briefing, request.param)
    settings.RESULTS_PUBLISH_SECONDS = 60
    monkeypatch.setattr("feedback.results.publication.time.time", lambda: 1_000_000_000.0)
    published_figures(briefing)
    return briefing


# (url, queries): each query named.
PAGES = [
    # consultation by slug; the consultation again with its stakeholders, topics and remedies prefetched
    ("/c/chicago/", 5),
    # consultation; published topics for the form
    ("/c/chicago/concerns/new/", 2),
    # consultation; topics for the filter; count for the paginator; the page of concerns with their topics
    ("/c/chicago/concerns/", 4),
    # consultation; this window's published counts; the published remedies
    ("/c/chicago/remedies/", 3),
    # consultation; nothing else
    ("/c/chicago/concerns/withdraw/", 1),
    # consultation; topics
    ("/c/chicago/print/", 2),
    # the labels' digest (the key of the page as drawn for this window); then, drawing it: the consultation, this
    # window's published counts, the published remedies and topics that label them. Later requests: the digest.
    ("/c/chicago/results/", 5),
    # consultation; nothing else
    ("/c/chicago/code/", 1),
    ("/privacy/", 0),
    # the About page's one row
    ("/about/", 1),
]


@pytest.mark.parametrize(("url", "queries"), PAGES)
def test_each_public_page_costs_a_fixed_number_of_queries(client, data, django_assert_num_queries, url, queries):
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200


def test_the_first_request_of_a_window_counts_the_figures_once(client, data, django_assert_num_queries):
    later = 1_000_000_000.0 + 60
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("feedback.results.publication.time.time", lambda: later)
        # + this window's claim (a savepoint, the insert, its release), the count (nine queries on PostgreSQL, where
        # the concern cells are scanned once for all their breakdowns; eleven elsewhere), storing it, finding the
        # count on show and deleting older ones
        with django_assert_num_queries(19 if connection.vendor == "postgresql" else 21):
            client.get("/c/chicago/results/")
        with django_assert_num_queries(1):  # the page as drawn for this window
            client.get("/c/chicago/results/")


def test_a_participant_costs_one_or_two_more_queries_on_the_lists(client, data, django_assert_num_queries):
    client.post(f"/c/chicago/remedies/{data.remedies.first().pk}/endorse/")
    with django_assert_num_queries(6):  # + the participant's endorsements, "about you" details, whether verified
        client.get("/c/chicago/remedies/")
    with django_assert_num_queries(5):  # + the participant's reports among the page's concerns
        client.get("/c/chicago/concerns/")
