"""The results page is drawn once per publication window and language, then served as drawn to every visitor.

What a visitor must never notice: a label the admin changed still showing, another visitor's message, a page in
another language or with another visitor's address in its links, or figures that move within a window.
"""

from __future__ import annotations

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import EndorsementFactory
from tests.results.conftest import PERIOD, START

RESULTS = "/c/chicago/results/"


def page(client, path: str = RESULTS, **headers) -> str:
    response = client.get(path, **headers)
    assert response.status_code == 200
    return response.content.decode()


def test_a_kept_page_costs_one_query_and_is_the_page_first_drawn(client, briefing, clock):
    EndorsementFactory.create_batch(3, remedy=briefing.remedies.first())
    first = page(client)
    with CaptureQueriesContext(connection) as queries:
        again = page(Client())
    assert again == first
    assert len(queries) == 1, [query["sql"] for query in queries]


def test_figures_stay_put_within_a_window_and_move_with_the_windows(client, briefing, clock):
    remedy = briefing.remedies.first()
    EndorsementFactory(remedy=remedy)
    assert "<strong>1</strong> endorsement given" in page(client)
    EndorsementFactory(remedy=remedy)
    clock["t"] = START + 50
    assert "<strong>1</strong> endorsement given" in page(client)
    clock["t"] = START + PERIOD + 1  # counted now, shown from the next window
    assert "<strong>1</strong> endorsement given" in page(client)
    clock["t"] = START + 2 * PERIOD + 1
    assert "<strong>2</strong> endorsements given" in page(client)


def test_a_remedy_unpublished_or_renamed_in_the_admin_changes_the_page_at_once(client, briefing, clock):
    unpublished, renamed = briefing.remedies.all()[:2]
    assert unpublished.title in page(client) and renamed.title in page(client)
    unpublished.is_published = False
    unpublished.save()
    renamed.title_es = "Un nombre nuevo para esta medida"
    renamed.save()
    assert unpublished.title not in page(client)
    assert "Un nombre nuevo para esta medida" in page(client, "/es/c/chicago/results/")


def test_a_topic_renamed_in_the_admin_changes_the_page_at_once(client, briefing, clock):
    topic = briefing.topics.first()
    assert topic.name in page(client)
    old_name, topic.name_en = topic.name, "Trust between neighbours and the police"
    topic.save()
    shown = page(client)
    assert "Trust between neighbours and the police" in shown and old_name not in shown


def test_each_language_has_its_own_page(client, briefing, clock):
    english = page(client)
    spanish = page(Client(), "/es/c/chicago/results/")
    assert 'lang="en"' in english and 'lang="es"' in spanish
    assert page(Client()) == english


def test_a_message_for_one_visitor_is_neither_kept_nor_shown_to_another(client, briefing, clock):
    page(Client())  # the page is already kept for this window
    remedy = briefing.remedies.first()
    client.post(f"/c/chicago/remedies/{remedy.pk}/endorse/")  # the redirect is not followed: the message waits
    assert "You endorsed" in page(client)
    assert "You endorsed" not in page(Client())
    assert "You endorsed" not in page(client)  # shown once, as every message


def test_the_language_links_keep_this_visitor_s_own_query_and_host(client, briefing, clock, settings):
    settings.ALLOWED_HOSTS = ["testserver", "civictrust.example"]
    page(client)
    with_query = page(Client(), RESULTS + "?from=flyer")
    assert "next=%2Fc%2Fchicago%2Fresults%2F%3Ffrom%3Dflyer" in with_query
    assert "flyer" not in page(Client())
    other_host = page(Client(), HTTP_HOST="civictrust.example")
    assert 'href="http://civictrust.example/c/chicago/results/"' in other_host
    assert "civictrust.example" not in page(Client())


def test_an_unknown_consultation_is_not_found(client, briefing, clock):
    page(client)
    assert client.get("/c/elsewhere/results/").status_code == 404
