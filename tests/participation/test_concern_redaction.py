"""Identifying details are hidden before a concern is stored, and the resident sees what will be hidden first.

The confirmation step needs no JavaScript: the form comes back with the text as it will be stored, and the words
as written travel only in the form the browser posts again, never in a cookie, the session, the cache or a log.
"""

from __future__ import annotations

import logging
import re

from django.contrib.sessions.models import Session
from django.core.cache import cache

from feedback.models import Concern
from feedback.participation.services import enter_concern_on_behalf, submit_concern
from tests.factories import concern_form_data

NEW = "/c/chicago/concerns/new/"
WRITTEN = "La migra detuvo a mi vecino Juan Pérez en 2315 S Kedzie Ave. Llámenme al 773-555-0142."
STORED = "La migra detuvo a mi vecino [name] en [address] Llámenme al [phone]."  # "Ave." is the address's
IDENTIFIERS = ("Juan", "Pérez", "2315", "Kedzie", "773-555-0142", "555-0142")


def shown_token(page: str) -> str:
    return re.search(r'name="shown_redaction" value="([0-9a-f]*)"', page).group(1)


def test_a_concern_with_identifying_details_is_shown_as_it_will_be_stored_and_nothing_is_saved(client, briefing):
    response = client.post(NEW, concern_form_data(text=WRITTEN))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Before we store your concern, we hide details that could identify someone" in page
    shown = re.search(r'<blockquote class="redacted-text">(.*?)</blockquote>', page).group(1)
    assert shown == (
        "La migra detuvo a mi vecino <mark>[name]</mark> en <mark>[address]</mark> Llámenme al <mark>[phone]</mark>."
    )
    hidden = re.search(r'<ul class="hidden-summary">(.*?)</ul>', page).group(1)
    assert re.findall(r"<li>(.*?)</li>", hidden) == ["1 phone number", "1 street address", "1 name"]
    assert "Send it as shown" in page
    assert "Juan Pérez" in page  # the words as written, in the form only, for the resident to edit
    assert response.headers["Cache-Control"].count("no-store") == 1
    assert Concern.objects.count() == 0


def test_sending_it_as_shown_stores_exactly_what_was_shown_and_never_the_words_as_written(client, briefing):
    shown = client.post(NEW, concern_form_data(text=WRITTEN)).content.decode()
    response = client.post(NEW, concern_form_data(text=WRITTEN, shown_redaction=shown_token(shown)))
    assert response.status_code == 302
    concern = Concern.objects.get()
    assert concern.text == STORED
    assert not any(identifier in concern.text for identifier in IDENTIFIERS)


def test_text_edited_on_the_confirmation_step_is_shown_again_when_something_is_still_hidden(client, briefing):
    shown = client.post(NEW, concern_form_data(text=WRITTEN)).content.decode()
    edited = "La migra detuvo a mi vecino. Escríbanme a vecina@example.org."
    again = client.post(NEW, concern_form_data(text=edited, shown_redaction=shown_token(shown)))
    assert again.status_code == 200
    assert "<mark>[email]</mark>" in again.content.decode()
    assert Concern.objects.count() == 0
    client.post(NEW, concern_form_data(text=edited, shown_redaction=shown_token(again.content.decode())))
    assert Concern.objects.get().text == "La migra detuvo a mi vecino. Escríbanme a [email]."


def test_text_edited_to_hold_nothing_identifying_is_sent_at_once(client, briefing):
    shown = client.post(NEW, concern_form_data(text=WRITTEN)).content.decode()
    edited = "La migra detuvo a un vecino cerca de la escuela."
    assert client.post(NEW, concern_form_data(text=edited, shown_redaction=shown_token(shown))).status_code == 302
    assert Concern.objects.get().text == edited


def test_a_concern_with_nothing_to_hide_is_sent_without_a_confirmation_step(client, briefing):
    response = client.post(NEW, concern_form_data(text="Families are afraid to call the police after the raids."))
    assert response.status_code == 302
    assert Concern.objects.get().text == "Families are afraid to call the police after the raids."


def test_a_made_up_proof_of_confirmation_does_not_skip_the_step(client, briefing):
    response = client.post(NEW, concern_form_data(text=WRITTEN, shown_redaction="0" * 64))
    assert response.status_code == 200 and "Send it as shown" in response.content.decode()
    assert Concern.objects.count() == 0


def test_the_words_as_written_are_in_no_cookie_session_cache_or_log_line(client, briefing, caplog):
    with caplog.at_level(logging.DEBUG):
        shown = client.post(NEW, concern_form_data(text=WRITTEN))
        sent = client.post(NEW, concern_form_data(text=WRITTEN, shown_redaction=shown_token(shown.content.decode())))
        client.get(sent["Location"])
    cookies = " ".join(f"{morsel.key}={morsel.value}" for morsel in client.cookies.values())
    sessions = " ".join(session.session_data for session in Session.objects.all())
    cached = repr({key: cache._cache[key] for key in cache._cache})  # locmem: every key and pickled value
    for identifier in IDENTIFIERS:
        for place in (cookies, sessions, cached, caplog.text):
            assert identifier not in place
    for record in caplog.records:
        assert "Kedzie" not in repr(record.__dict__)


def test_the_confirmation_step_speaks_spanish_on_spanish_pages(client, briefing):
    page = client.post("/es" + NEW, concern_form_data(text=WRITTEN)).content.decode()
    assert "Antes de guardar su inquietud, ocultamos los datos que podrían identificar a alguien" in page
    assert "Enviarla tal como se muestra" in page
    assert "1 número de teléfono" in page


def test_the_service_stores_the_redacted_text_and_says_how_many_details_it_hid(briefing):
    submitted = submit_concern(consultation=briefing, text=WRITTEN, role="resident", community_area="30", language="es")
    assert submitted.concern.text == STORED
    assert submitted.hidden == {"name": 1, "address": 1, "phone": 1}
    assert Concern.objects.get().text == STORED


def test_a_paper_concern_typed_in_by_staff_is_redacted_before_it_is_stored(briefing, advocate):
    submitted = enter_concern_on_behalf(
        consultation=briefing, text=WRITTEN, source=Concern.Source.PAPER, actor=advocate, language="es"
    )
    assert Concern.objects.get(pk=submitted.concern.pk).text == STORED


def test_the_admin_says_what_it_hid_from_a_paper_concern_by_kind_never_by_word(client, briefing, advocate):
    client.force_login(advocate)
    response = client.post(
        "/admin/feedback/concern/add/",
        {
            "consultation": briefing.pk,
            "text": WRITTEN,
            "topic": "",
            "role": "resident",
            "community_area": "30",
            "language": "es",
            "source": "paper",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "Before it was stored, these details were hidden: 1 phone number, 1 street address, 1 name." in page
    assert Concern.objects.get().text == STORED
    for identifier in IDENTIFIERS:
        assert identifier not in page


def test_a_concern_written_in_chinese_is_stored_without_the_names_in_it(briefing):
    written = "昨天他们在学校门口抓走了我的邻居王伟，陈先生也看到了。"  # "…took my neighbour Wang Wei; Mr Chen saw it"
    submitted = submit_concern(
        consultation=briefing, text=written, role="resident", community_area="34", language="zh-hans"
    )
    assert submitted.hidden == {"name": 2}
    stored = Concern.objects.get().text
    assert stored == "昨天他们在学校门口抓走了我的邻居[name]，[name]先生也看到了。"
    assert "王伟" not in stored and "陈" not in stored
