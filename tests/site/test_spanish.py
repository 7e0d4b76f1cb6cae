"""Spanish under /es/: resident pages in Spanish, the right lang attribute, a switcher that keeps the page."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import ConcernFactory, concern_form_data

PAGES = [
    ("/es/", "Contexto"),
    ("/es/c/chicago/", "Quién dice qué"),
    ("/es/c/chicago/concerns/new/", "Comparta una inquietud"),
    ("/es/c/chicago/concerns/", "Inquietudes que compartieron los residentes"),
    ("/es/c/chicago/concerns/withdraw/", "Borrar una inquietud que envió"),
    ("/es/c/chicago/remedies/", "Soluciones propuestas"),
    ("/es/c/chicago/results/", "Resultados hasta ahora"),
    ("/es/c/chicago/print/", "Usted es (marque uno)"),
    ("/es/privacy/", "Lo que nunca preguntamos"),
    ("/es/about/", "Acerca de esta consulta"),
]


@pytest.mark.parametrize(("url", "spanish"), PAGES)
def test_each_page_under_es_is_in_spanish(client, briefing, url, spanish):
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="es">' in page
    assert spanish in page
    assert "Saltar al contenido principal" in page and "Skip to main content" not in page


def test_the_spanish_form_explains_mistakes_in_spanish(client, briefing):
    page = client.post("/es/c/chicago/concerns/new/", concern_form_data(text="corto")).content.decode()
    assert "Escriba al menos 10 caracteres (escribió 5)." in page
    assert "Hay un problema con su respuesta" in page


def test_a_concern_sent_from_the_spanish_page_is_recorded_as_spanish(client, briefing):
    from feedback.models import Concern

    response = client.post("/es/c/chicago/concerns/new/", concern_form_data())
    assert response["Location"] == "/es/c/chicago/concerns/sent/"
    assert "Su código de recibo" in client.get(response["Location"]).content.decode()
    assert Concern.objects.get().language == "es"


def test_community_area_names_stay_as_they_are_in_spanish(client, briefing):
    page = client.get("/es/c/chicago/concerns/new/").content.decode()
    assert ">South Lawndale</option>" in page
    assert ">Fuera de Chicago</option>" in page and ">Prefiero no decirlo</option>" in page


def test_the_briefing_content_is_in_spanish(client, briefing):
    remedy = briefing.remedies.first()
    page = client.get("/es/c/chicago/remedies/").content.decode()
    assert remedy.title_es and remedy.title_es in page
    assert "Apoyar" in page


def test_messages_after_an_action_are_in_spanish(client, briefing):
    remedy = briefing.remedies.first()
    response = client.post(f"/es/c/chicago/remedies/{remedy.pk}/endorse/", follow=True)
    assert "Usted apoyó" in response.content.decode()
    ConcernFactory(consultation=briefing)
    assert "Reportar esta inquietud" in client.get("/es/c/chicago/concerns/").content.decode()


@pytest.mark.parametrize(
    ("spanish", "english"),
    [
        ("/es/c/chicago/remedies/", "/c/chicago/remedies/"),
        ("/es/c/chicago/concerns/new/", "/c/chicago/concerns/new/"),
        ("/es/c/chicago/results/", "/c/chicago/results/"),
        ("/es/privacy/", "/privacy/"),
    ],
)
def test_the_language_switcher_keeps_the_page(client, briefing, spanish, english):
    spanish_page = client.get(spanish).content.decode()
    english_page = client.get(english).content.decode()
    to_english = re.search(r'<a href="([^"]+)" hreflang="en" lang="en" rel="nofollow">English</a>', spanish_page)
    to_spanish = re.search(r'<a href="([^"]+)" hreflang="es" lang="es" rel="nofollow">Español</a>', english_page)
    assert client.get(unescape(to_english[1]))["Location"] == english
    assert client.get(unescape(to_spanish[1]))["Location"] == spanish
    assert '<html lang="en">' in english_page


def test_the_spanish_catalogue_has_no_empty_or_fuzzy_entry():
    from babel.messages.pofile import read_po

    with open(Path(settings.BASE_DIR) / "locale/es/LC_MESSAGES/django.po", "rb") as po:
        catalog = read_po(po)
    untranslated = [
        message.id
        for message in catalog
        if message.id
        and (message.fuzzy or not all(message.string if isinstance(message.string, tuple) else [message.string]))
    ]
    assert untranslated == []
