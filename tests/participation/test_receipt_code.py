"""The receipt code: kept on the confirmation page through language switches and Back, never readable elsewhere."""

from __future__ import annotations

import base64
import logging
import re
from html import unescape

import pytest
from django.conf import settings
from django.core import signing
from django.core.cache import cache

from feedback.models import Concern
from feedback.participation import receipts
from tests.factories import concern_form_data

CODE = re.compile(r'id="receipt-code"><code>([A-Z2-9-]+)</code>')
LANGUAGE_PREFIXES = ["", "/es", "/pl", "/zh-hans", "/ar"]


def send(client) -> tuple[str, object]:
    response = client.post("/c/chicago/concerns/new/", concern_form_data())
    assert response.status_code == 302
    return response["Location"], response


def shown_code(client, path: str) -> str | None:
    match = CODE.search(client.get(path).content.decode())
    return match[1] if match else None


def test_the_code_survives_every_language_switch_and_going_back(client, briefing):
    here, _response = send(client)
    code = shown_code(client, here)
    assert code
    # English -> Spanish -> Polish -> Chinese -> Arabic -> English, each time with the page's own language link.
    for language in ["es", "pl", "zh-hans", "ar", "en"]:
        page = client.get(here).content.decode()
        link = re.search(rf'<a href="([^"]+)" hreflang="{language}"', page)
        here = client.get(unescape(link[1]))["Location"]
        assert here == ("" if language == "en" else f"/{language}") + "/c/chicago/concerns/sent/"
        assert shown_code(client, here) == code, language
    assert shown_code(client, here) == code  # Back: the page is fetched again (no-store) and still shows it


def test_the_code_is_in_no_address_and_no_cookie_can_be_read_for_it(client, briefing):
    sent, response = send(client)
    code = shown_code(client, sent)
    assert code not in response["Location"]
    morsel = response.cookies[receipts.cookie_name("en")]
    raw = morsel.value
    assert code not in raw and code.replace("-", "") not in raw
    payload = signing.loads(raw, salt=receipts.COOKIE_SALT)
    cipher = base64.urlsafe_b64decode(payload["x"])
    assert code.encode() not in cipher and cipher != code.encode()
    assert morsel["httponly"] and morsel["samesite"] == "Lax"
    assert int(morsel["max-age"]) == settings.RECEIPT_DISPLAY_MINUTES * 60


def test_each_hand_over_cookie_goes_only_to_the_confirmation_page_in_its_language(client, briefing):
    _sent, response = send(client)
    paths = {name: morsel["path"] for name, morsel in response.cookies.items() if name.startswith("ct_receipt_")}
    assert paths == {
        "ct_receipt_en": "/c/chicago/concerns/sent/",
        "ct_receipt_es": "/es/c/chicago/concerns/sent/",
        "ct_receipt_pl": "/pl/c/chicago/concerns/sent/",
        "ct_receipt_zh_hans": "/zh-hans/c/chicago/concerns/sent/",
        "ct_receipt_ar": "/ar/c/chicago/concerns/sent/",
    }


def test_without_the_servers_half_the_cookie_shows_nothing(client, briefing):
    sent, _response = send(client)
    assert shown_code(client, sent)
    cache.clear()  # the pad expired after RECEIPT_DISPLAY_MINUTES
    page = client.get(sent).content.decode()
    assert not CODE.search(page)
    assert "shown only for a while" in page


def test_a_forged_or_altered_cookie_shows_nothing(client, briefing):
    sent, _response = send(client)
    # The test client sends every cookie whatever its path, so all five are altered.
    for name in receipts.confirmation_pages(briefing):
        value = client.cookies[name].value
        client.cookies[name] = value[:-3] + ("AAA" if not value.endswith("AAA") else "BBB")
    assert shown_code(client, sent) is None


def test_hiding_the_code_makes_it_unreadable_at_once(client, briefing):
    sent, _response = send(client)
    assert shown_code(client, sent)
    handle = signing.loads(client.cookies[receipts.cookie_name("en")].value, salt=receipts.COOKIE_SALT)["h"]
    response = client.post("/c/chicago/concerns/sent/hide/")
    assert response.status_code == 302 and response["Location"] == "/c/chicago/concerns/sent/"
    assert cache.get(receipts.PAD_KEY + handle) is None
    assert shown_code(client, sent) is None


def test_the_code_can_be_saved_as_an_image(client, briefing):
    sent, _response = send(client)
    code = shown_code(client, sent)
    page = client.get(sent).content.decode()
    assert 'href="/c/chicago/concerns/sent/receipt.png" download' in page
    image = client.get("/c/chicago/concerns/sent/receipt.png")
    assert image.status_code == 200
    assert image["Content-Type"] == "image/png" and image.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert image["Content-Disposition"] == 'attachment; filename="civictrust-receipt.png"'
    assert "no-store" in image["Cache-Control"]
    assert code.encode() not in image.content  # drawn, not written in the file's text


def test_there_is_no_image_once_the_code_is_gone(client, briefing):
    assert client.get("/c/chicago/concerns/sent/receipt.png").status_code == 404


def test_the_page_prints_the_receipt_without_javascript(client, briefing):
    sent, _response = send(client)
    page = client.get(sent).content.decode()
    assert "only the receipt is printed" in page
    assert 'class="print-only"' in page and "/c/chicago/concerns/status/" in page
    assert "<script>" not in page  # the Print button is an enhancement from a file (CSP), never needed


def test_the_code_never_reaches_a_log(client, briefing, caplog):
    with caplog.at_level(logging.DEBUG):
        sent, _response = send(client)
        code = shown_code(client, sent)
        client.get("/language/es/", {"next": sent})
        client.get("/es/c/chicago/concerns/sent/")
        client.get("/c/chicago/concerns/sent/receipt.png")
    assert code and code not in caplog.text and code.replace("-", "") not in caplog.text


def test_the_code_is_stored_nowhere_in_the_database(client, briefing):
    sent, _response = send(client)
    code = shown_code(client, sent)
    assert code not in str(list(Concern.objects.values_list()))


@pytest.mark.parametrize("prefix", LANGUAGE_PREFIXES)
def test_the_confirmation_and_status_pages_exist_in_every_language(client, briefing, prefix):
    client.post(f"{prefix}/c/chicago/concerns/new/", concern_form_data())
    page = client.get(f"{prefix}/c/chicago/concerns/sent/").content.decode()
    assert CODE.search(page)
    assert f'<html lang="{prefix.strip("/") or "en"}"' in page
