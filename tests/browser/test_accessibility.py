"""axe-core finds no serious or critical accessibility problem on any public page, in English or Spanish.

Each page is checked on a phone-sized screen, in the states a resident meets: empty, with errors, after an action.
"""

from __future__ import annotations

import uuid

import pytest

from feedback.models import Concern, Endorsement, Remedy

pytestmark = pytest.mark.browser


def send_empty_form(page) -> None:
    page.locator("main form [type=submit]").last.click()
    page.locator("#error-summary").wait_for()


def send_a_concern(page) -> None:
    page.locator("#id_text").fill("The operation makes families afraid to go to school.")
    page.locator("main form [type=submit]").last.click()
    page.locator("#receipt-code").wait_for()


def enter_a_wrong_receipt_code(page) -> None:
    page.locator("#id_receipt_code").fill("AAAA-BBBB-CCCC")
    page.locator("main form [type=submit]").last.click()
    page.locator("#error-summary").wait_for()


def endorse_the_first_remedy(page) -> None:
    page.locator(".remedy form[action$='/endorse/'] button").first.click()
    page.locator(".remedy form[action$='/withdraw/']").first.wait_for()


PAGES = {
    "briefing": ("/", None),
    "consultation briefing": ("/c/chicago/", None),
    "privacy": ("/privacy/", None),
    "concern form": ("/c/chicago/concerns/new/", None),
    "concern form with errors": ("/c/chicago/concerns/new/", send_empty_form),
    "concern receipt": ("/c/chicago/concerns/new/", send_a_concern),
    "withdraw form": ("/c/chicago/concerns/withdraw/", None),
    "withdraw form with an error": ("/c/chicago/concerns/withdraw/", enter_a_wrong_receipt_code),
    "concerns list": ("/c/chicago/concerns/", None),
    "remedies": ("/c/chicago/remedies/", None),
    "remedies after endorsing": ("/c/chicago/remedies/", endorse_the_first_remedy),
    "results": ("/c/chicago/results/", None),
    "print form": ("/c/chicago/print/", None),
    "not found": ("/c/no-such-consultation/", None),
}


@pytest.fixture
def participation(site):
    """A published concern and enough endorsements that lists, charts and tables have content."""
    remedies = list(Remedy.objects.filter(consultation__slug="chicago", is_published=True))
    Concern.objects.create(
        consultation=remedies[0].consultation,
        text="People are afraid to report crimes since the operation began.",
        role="resident",
        community_area="30",
        status=Concern.Status.APPROVED,
    )
    Endorsement.objects.bulk_create(
        Endorsement(remedy=remedy, participant=uuid.uuid4(), role="resident", community_area="30")
        for remedy in remedies[:2]
        for _ in range(6)
    )


@pytest.mark.parametrize("language", ["", "/es"], ids=["en", "es"])
@pytest.mark.parametrize("name", list(PAGES))
def test_a_public_page_has_no_serious_accessibility_violation(
    phone, site, participation, assert_accessible, name, language
):
    path, prepare = PAGES[name]
    phone.goto(site.url + language + path)
    if prepare:
        prepare(phone)
    assert phone.locator("html").get_attribute("lang") == (language.strip("/") or "en")

    assert_accessible(phone)
