"""axe-core finds no serious or critical accessibility problem on any public page, in English or Spanish.

Each page is checked on a 360 px phone screen (where it must not scroll sideways either), in the states a resident
meets: empty, with errors, after an action. Then every page is walked with the Tab key on a desktop screen.
"""

from __future__ import annotations

import uuid

import pytest

from feedback.models import Concern, Consultation, Endorsement, Remedy
from feedback.results.recount import replace_rollups

pytestmark = pytest.mark.browser


def send_empty_form(page, settings) -> None:
    page.locator("main form [type=submit]").last.click()
    page.locator("#error-summary").wait_for()


def send_a_concern(page, settings) -> None:
    page.locator("#id_text").fill("The operation makes families afraid to go to school.")
    page.locator("main form [type=submit]").last.click()
    page.locator("#receipt-code").wait_for()


def enter_a_wrong_receipt_code(page, settings) -> None:
    page.locator("#id_receipt_code").fill("AAAA-BBBB-CCCC")
    page.locator("main form [type=submit]").last.click()
    page.locator("#error-summary").wait_for()


def endorse_the_first_remedy(page, settings) -> None:
    page.locator(".remedy form[action$='/endorse/'] button").first.click()
    page.locator(".remedy form[action$='/withdraw/']").first.wait_for()


def guess_receipt_codes_too_often(page, settings) -> None:
    from django.core.cache import cache

    cache.clear()  # counts from earlier states of this walk
    settings.RATELIMIT_RECEIPTS = "1/h"
    for _ in range(2):
        page.locator("#id_receipt_code").fill("AAAA-BBBB-CCCC")
        page.locator("main form [type=submit]").last.click()
    assert page.locator("main form").count() == 0, page.url  # the "please wait" page has no form


def send_a_concern_and_check_its_status(page, settings) -> None:
    send_a_concern(page, settings)
    page.locator(".receipt-actions form button").click()
    page.locator(".status-result").wait_for()


def close_the_consultation(page, settings) -> None:
    Consultation.objects.filter(slug="chicago").update(status=Consultation.Status.CLOSED)
    page.reload()
    page.locator("main [role=alert]").wait_for()
    assert page.locator("main form").count() == 0, "a closed consultation still shows the concern form"


PAGES = {
    "briefing": ("/", None),
    "consultation briefing": ("/c/chicago/", None),
    "privacy": ("/privacy/", None),
    "about": ("/about/", None),
    "concern form": ("/c/chicago/concerns/new/", None),
    "concern form with errors": ("/c/chicago/concerns/new/", send_empty_form),
    "concern receipt": ("/c/chicago/concerns/new/", send_a_concern),
    "concern status after checking": ("/c/chicago/concerns/new/", send_a_concern_and_check_its_status),
    "status form": ("/c/chicago/concerns/status/", None),
    "withdraw form": ("/c/chicago/concerns/withdraw/", None),
    "withdraw form with an error": ("/c/chicago/concerns/withdraw/", enter_a_wrong_receipt_code),
    "concerns list": ("/c/chicago/concerns/", None),
    "remedies": ("/c/chicago/remedies/", None),
    "remedies after endorsing": ("/c/chicago/remedies/", endorse_the_first_remedy),
    "results": ("/c/chicago/results/", None),
    "print form": ("/c/chicago/print/", None),
    "not found": ("/c/no-such-consultation/", None),
    "too many attempts": ("/c/chicago/concerns/withdraw/", guess_receipt_codes_too_often),
    # Last: the consultation stays closed for the rest of the test.
    "concern form of a closed consultation": ("/c/chicago/concerns/new/", close_the_consultation),
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
    replace_rollups(consultation=remedies[0].consultation)  # rows written in bulk get their roll-ups


@pytest.mark.parametrize("language", ["", "/es", "/pl", "/zh-hans", "/ar"], ids=["en", "es", "pl", "zh-hans", "ar"])
def test_no_public_page_has_a_serious_accessibility_violation_or_scrolls_sideways(
    phone_context, desktop_context, site, settings, participation, axe_report, language
):
    """Every page and state, in one language, on a 360 px phone and a 1280 px desktop (Arabic: right to left)."""
    problems = []
    for (name, (path, prepare)), context in [
        (item, c) for c in (phone_context, desktop_context) for item in PAGES.items()
    ]:
        # The last state closes the consultation; each screen size starts with it open.
        Consultation.objects.filter(slug="chicago").update(status=Consultation.Status.OPEN)
        page = context.new_page()
        page.goto(site.url + language + path)
        if prepare:
            prepare(page, settings)
        settings.RATELIMIT_RECEIPTS = "30/h"
        assert page.locator("html").get_attribute("lang") == (language.strip("/") or "en"), page.url
        assert page.locator("html").get_attribute("dir") == ("rtl" if language == "/ar" else None), page.url

        report = axe_report(page)
        width = page.evaluate("document.scrollingElement.scrollWidth")
        if width > page.viewport_size["width"]:
            report += f"\n- the page is {width}px wide: a phone must scroll sideways to read it"

        if report:
            problems.append(f"{name} ({page.url}):\n{report}")
        else:
            page.close()  # pages left open are the ones screenshotted if the test fails
    assert not problems, "accessibility problems on\n" + "\n".join(problems)


KEYBOARD_PAGES = [
    "/",
    "/privacy/",
    "/about/",
    "/c/no-such-consultation/",
    "/c/chicago/concerns/new/",
    "/c/chicago/concerns/withdraw/",
    "/c/chicago/concerns/",
    "/c/chicago/remedies/",
    "/c/chicago/results/",
    "/c/chicago/print/",
]


def test_every_link_and_control_shows_where_the_keyboard_focus_is(desktop_context, site, participation, focus_report):
    problems = []
    for path in KEYBOARD_PAGES:
        page = desktop_context.new_page()
        page.goto(site.url + path)

        stops, invisible = focus_report(page)

        assert stops >= 4, f"only {stops} Tab stops on {page.url}"
        if invisible:
            problems.append(f"{page.url}:\n{invisible}")
        else:
            page.close()
    assert not problems, "no visible focus indicator on\n" + "\n".join(problems)
