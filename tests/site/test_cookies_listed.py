"""The privacy page lists every cookie the app sets, with its real lifetime; reading a page sets none that lasts.

Every flow of the site is walked with a browser-like client that enforces CSRF checks, in English and in
Spanish: reading each public page and the API, sending a concern and seeing its receipt, deleting it with the
receipt, reporting a concern, endorsing, withdrawing, saving "about you", forgetting the device, and a staff
sign-in. The cookies those responses set are compared with the table on the privacy page in that language.
"""

from __future__ import annotations

import re
from http.cookies import Morsel

import pytest
from django.conf import settings
from django.test import Client

from tests.factories import ConcernFactory, StaffFactory, concern_form_data

READ = ["/", "/c/chicago/", "/c/chicago/concerns/new/", "/c/chicago/concerns/", "/c/chicago/concerns/withdraw/"]
READ += ["/c/chicago/remedies/", "/c/chicago/results/", "/c/chicago/print/", "/privacy/", "/about/"]
STAFF_PASSWORD = "a long and good staff password"


def is_deletion(morsel: Morsel) -> bool:
    return morsel["max-age"] == 0 or (morsel.value == "" and "1970" in morsel["expires"])


class Browser:
    """A client that remembers every cookie set (not deleted) by every response, and by which kind of step."""

    def __init__(self, prefix: str):
        self.client = Client(enforce_csrf_checks=True)
        self.prefix = prefix
        self.set_when_reading: dict[str, Morsel] = {}
        self.set_when_acting: dict[str, Morsel] = {}

    def _keep(self, response, into: dict) -> None:
        for name, morsel in response.cookies.items():
            if not is_deletion(morsel):
                into[name] = morsel

    def read(self, path: str, *, prefixed: bool = True):
        response = self.client.get((self.prefix if prefixed else "") + path)
        assert response.status_code == 200, path
        self._keep(response, self.set_when_reading)
        return response

    def act(self, path: str, data: dict | None = None, *, prefixed: bool = True):
        token = self.client.cookies[settings.CSRF_COOKIE_NAME].value
        response = self.client.post(
            (self.prefix if prefixed else "") + path, {**(data or {}), "csrfmiddlewaretoken": token}
        )
        assert response.status_code in (200, 302), (path, response.status_code)
        self._keep(response, self.set_when_acting)
        if response.status_code == 302 and response["Location"].startswith("/"):
            follow = self.client.get(response["Location"])
            self._keep(follow, self.set_when_acting)
            return follow
        return response


def walk_every_flow(prefix: str, briefing) -> Browser:
    browser = Browser(prefix)
    for path in READ:
        browser.read(path)
    browser.read("/api/c/chicago/tallies.json", prefixed=False)

    sent = browser.act("/c/chicago/concerns/new/", concern_form_data())
    receipt = re.search(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", sent.content.decode()).group(0)
    browser.read("/c/chicago/concerns/withdraw/")
    browser.act("/c/chicago/concerns/withdraw/", {"receipt_code": receipt})

    published = ConcernFactory(consultation=briefing)
    browser.act(f"/c/chicago/concerns/{published.public_reference}/report/")
    remedy = briefing.remedies.first()
    browser.act("/c/chicago/remedies/about-you/", {"role": "other", "community_area": "55"})
    browser.act(f"/c/chicago/remedies/{remedy.pk}/endorse/")
    browser.act(f"/c/chicago/remedies/{remedy.pk}/withdraw/")
    browser.act("/forget-device/", {"next": prefix + "/privacy/"})
    # Choosing a language with the language links (a link, not a form): the one step that sets the language cookie.
    browser._keep(browser.client.get("/language/pl/", {"next": prefix + "/privacy/"}), browser.set_when_acting)

    user = StaffFactory(username="signing-in")
    user.set_password(STAFF_PASSWORD)
    user.save()
    browser.read("/admin/login/", prefixed=False)
    browser.act("/admin/login/?next=/admin/", {"username": user.username, "password": STAFF_PASSWORD}, prefixed=False)
    assert browser.client.get("/admin/").status_code == 200  # signed in
    return browser


def listed_cookies(page: str) -> dict[str, str]:
    """{name: data-max-age} of the privacy page's cookie table."""
    rows = re.findall(
        r'<tr class="cookie" data-max-age="(\d*)">\s*<th scope="row"><code class="cookie-name">([^<]+)</code>', page
    )
    return {name: max_age for max_age, name in rows}


@pytest.mark.parametrize("prefix", ["", "/es"], ids=["English", "Spanish"])
def test_the_privacy_page_lists_exactly_the_cookies_the_app_sets_with_their_lifetimes(briefing, prefix):
    browser = walk_every_flow(prefix, briefing)
    page = Client().get(prefix + "/privacy/").content.decode()
    listed = listed_cookies(page)
    really_set = {**browser.set_when_reading, **browser.set_when_acting}
    assert set(listed) == set(really_set)
    for name, morsel in really_set.items():
        if listed[name] == "":
            assert not morsel["max-age"] and not morsel["expires"], f"{name} lasts beyond the browser session"
        else:
            assert int(morsel["max-age"]) == int(listed[name]), name


@pytest.mark.parametrize("prefix", ["", "/es"], ids=["English", "Spanish"])
def test_reading_a_page_sets_no_persistent_cookie(briefing, prefix):
    browser = Browser(prefix)
    for path in READ:
        browser.read(path)
    browser.read("/api/c/chicago/tallies.json", prefixed=False)
    assert set(browser.set_when_reading) == {settings.CSRF_COOKIE_NAME}  # only what protects the forms
    for name, morsel in browser.set_when_reading.items():
        assert not morsel["max-age"] and not morsel["expires"], name


def test_the_cookie_table_says_what_each_cookie_is_for_in_the_reader_s_language(client, briefing, settings):
    settings.PARTICIPANT_COOKIE_DAYS = 120
    english = client.get("/privacy/").content.decode()
    spanish = client.get("/es/privacy/").content.decode()
    assert "ct_participant" in english and "ct_participant" in spanish
    assert "120 days" in english and "120 días" in spanish
    assert "until you close the browser" in english and "hasta que cierre el navegador" in spanish
    assert "Protects the forms of this site" in english and "Protege los formularios de este sitio" in spanish
    assert "Protects the forms of this site" not in spanish
