"""A resident on a phone takes part in a real browser: a concern and its receipt, endorsements, reports, results."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from feedback.models import Concern, Endorsement, Remedy, Report, Topic

pytestmark = pytest.mark.browser

NO_HORIZONTAL_SCROLL = "() => document.scrollingElement.scrollWidth <= window.innerWidth"
CONCERN_TEXT = "Since the raids my neighbours no longer call the police when something happens."


def first_remedy() -> Remedy:
    return Remedy.objects.filter(consultation__slug="chicago", is_published=True).order_by("order", "pk").first()


def test_a_resident_on_a_phone_sends_a_concern_with_the_keyboard_and_deletes_it_with_the_receipt_code(phone, site):
    phone.goto(site.url + "/")
    phone.get_by_role("navigation", name="Consultation").get_by_role("link", name="Share a concern").click()
    expect(phone).to_have_url(site.url + "/c/chicago/concerns/new/")
    assert phone.evaluate(NO_HORIZONTAL_SCROLL)

    phone.get_by_label("Topic (optional)").focus()
    phone.keyboard.press("ArrowDown")  # the first topic
    phone.keyboard.press("Tab")
    expect(phone.get_by_label("Your concern")).to_be_focused()
    phone.keyboard.type(CONCERN_TEXT)
    phone.keyboard.press("Tab")
    expect(phone.get_by_label("Prefer not to say", exact=True)).to_be_focused()
    phone.keyboard.press("ArrowDown")  # wraps round to the first choice
    expect(phone.get_by_label("Resident", exact=True)).to_be_checked()
    phone.keyboard.press("Tab")
    expect(phone.get_by_label("Community area")).to_be_focused()
    phone.keyboard.type("South Lawndale")
    expect(phone.get_by_label("Community area")).to_have_value("30")
    send = phone.get_by_role("button", name="Send my concern")
    for _ in range(5):  # email, consent, then the button: the hidden trap field is skipped
        if send.evaluate("element => element === document.activeElement"):
            break
        phone.keyboard.press("Tab")
    expect(send).to_be_focused()
    phone.keyboard.press("Enter")

    expect(phone).to_have_url(site.url + "/c/chicago/concerns/sent/")
    code = phone.locator("#receipt-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9-]{8,40}", code), code
    concern = Concern.objects.get()
    first_topic = Topic.objects.filter(consultation__slug="chicago", is_published=True).order_by("order", "pk")[0]
    assert (concern.text, concern.topic, concern.role, concern.community_area, concern.status) == (
        CONCERN_TEXT,
        first_topic,
        "resident",
        "30",
        Concern.Status.PENDING,
    )
    assert code not in concern.receipt_hash

    phone.get_by_role("main").get_by_role("link", name="Delete a concern you sent").click()
    phone.get_by_label("Receipt code").focus()
    phone.keyboard.type(code.lower())
    phone.keyboard.press("Enter")

    expect(phone.get_by_role("status")).to_contain_text("Your concern has been deleted")
    assert not Concern.objects.exists()
    # Back on the confirmation page the code is still there (RECEIPT_DISPLAY_MINUTES) until the resident hides it.
    phone.goto(site.url + "/c/chicago/concerns/sent/")
    expect(phone.locator("#receipt-code")).to_have_text(code)
    phone.get_by_role("button", name="I have kept it: hide the code on this phone now").click()
    expect(phone.locator("#receipt-code")).to_have_count(0)


def test_an_empty_concern_form_announces_its_errors_and_links_each_one_to_its_field(phone, site):
    phone.goto(site.url + "/c/chicago/concerns/new/")
    phone.get_by_role("button", name="Send my concern").click()

    summary = phone.locator("#error-summary")
    expect(summary).to_be_visible()
    assert summary.get_attribute("role") == "alert" or summary.evaluate("e => e === document.activeElement")
    assert phone.title().startswith("Error:")
    links = summary.get_by_role("link")
    assert links.count() >= 1
    for number in range(links.count()):
        target_id = links.nth(number).get_attribute("href").removeprefix("#")
        field = phone.locator(f"[id='{target_id}']")
        expect(field).to_have_count(1)
        expect(field).to_have_attribute("aria-invalid", "true")
        described_by = field.get_attribute("aria-describedby").split()
        error_text = links.nth(number).inner_text()
        assert any(error_text in phone.locator(f"[id='{item}']").inner_text() for item in described_by), error_text

    links.first.click()
    expect(phone.get_by_label("Your concern")).to_be_focused()
    assert not Concern.objects.exists()


def test_a_resident_on_a_phone_endorses_a_remedy_and_withdraws_the_endorsement(phone, site):
    remedy = first_remedy()
    phone.goto(site.url + "/c/chicago/remedies/")
    assert phone.evaluate(NO_HORIZONTAL_SCROLL)
    item = phone.locator(f"#remedy-{remedy.key}")
    count = phone.locator(f"#remedy-{remedy.pk}-count")
    expect(count).to_have_text("0 endorsements")

    item.get_by_role("button", name=re.compile(r"^Endorse")).click()

    expect(count).to_have_text("1 endorsement")
    expect(phone.get_by_role("status")).to_contain_text("You endorsed")
    expect(item).to_contain_text("You endorse this remedy.")
    assert Endorsement.objects.filter(remedy=remedy).count() == 1

    withdraw = item.get_by_role("button", name=re.compile(r"^Withdraw"))
    withdraw.focus()
    phone.keyboard.press("Enter")

    expect(count).to_have_text("0 endorsements")
    expect(phone.get_by_role("status")).to_contain_text("You withdrew your endorsement")
    expect(item.get_by_role("button", name=re.compile(r"^Endorse"))).to_be_visible()
    assert not Endorsement.objects.exists()


def test_a_resident_reports_a_published_concern_once(phone, site):
    consultation = first_remedy().consultation
    concern = Concern.objects.create(
        consultation=consultation,
        text="Someone posted a neighbour's name here.",
        role="resident",
        community_area="undisclosed",
        status=Concern.Status.APPROVED,
    )
    phone.goto(site.url + "/c/chicago/concerns/")
    item = phone.locator(f"#concern-{concern.public_reference}")
    expect(item).to_contain_text("Someone posted a neighbour's name here.")
    assert phone.evaluate(NO_HORIZONTAL_SCROLL)

    item.get_by_role("button", name="Report this concern").click()

    expect(phone.get_by_role("status")).to_contain_text("The moderators will look at this concern again")
    expect(item).to_contain_text("You reported this concern")
    expect(item.get_by_role("button", name="Report this concern")).to_have_count(0)
    assert Report.objects.filter(concern=concern).count() == 1


def test_the_language_link_shows_the_same_page_in_spanish_and_back(phone, site):
    remedy = first_remedy()
    phone.goto(site.url + "/c/chicago/remedies/")
    assert phone.locator("html").get_attribute("lang") == "en"

    phone.get_by_role("navigation", name="Language").get_by_role("link", name="Español").click()

    expect(phone).to_have_url(site.url + "/es/c/chicago/remedies/")
    expect(phone.locator("html")).to_have_attribute("lang", "es")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Soluciones propuestas")
    assert remedy.title_es and remedy.title_es != remedy.title_en
    expect(phone.locator(f"#remedy-{remedy.key} h2")).to_have_text(remedy.title_es)
    assert phone.evaluate(NO_HORIZONTAL_SCROLL)

    phone.locator("nav.language-switcher a[hreflang=en]").click()
    expect(phone).to_have_url(site.url + "/c/chicago/remedies/")
    expect(phone.locator("html")).to_have_attribute("lang", "en")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Proposed remedies")
    expect(phone.locator(f"#remedy-{remedy.key} h2")).to_have_text(remedy.title_en)


def test_a_spanish_speaking_resident_sends_a_concern_and_endorses_a_remedy_in_spanish(phone, site):
    remedy = first_remedy()
    phone.goto(site.url + "/es/c/chicago/concerns/new/")
    phone.get_by_label("Su inquietud").fill("Desde las redadas mis vecinos ya no llaman a la policía.")
    phone.get_by_role("button", name="Enviar mi inquietud").click()

    expect(phone.get_by_role("heading", level=1)).to_have_text("Gracias: recibimos su inquietud")
    expect(phone.get_by_role("heading", name="Su código de recibo")).to_be_visible()
    assert Concern.objects.get().language == "es"

    phone.get_by_role("navigation", name="Consulta").get_by_role("link", name="Soluciones").click()
    phone.locator(f"#remedy-{remedy.key}").get_by_role("button", name=re.compile(r"^Apoyar")).click()

    expect(phone.locator(f"#remedy-{remedy.pk}-count")).to_have_text("1 apoyo")
    expect(phone.locator("html")).to_have_attribute("lang", "es")
    assert Endorsement.objects.filter(remedy=remedy).count() == 1


def test_a_resident_sees_the_results_with_their_endorsement_counted(phone, site):
    remedy = first_remedy()
    phone.goto(site.url + "/c/chicago/remedies/")
    phone.locator(f"#remedy-{remedy.key}").get_by_role("button", name=re.compile(r"^Endorse")).click()
    expect(phone.locator(f"#remedy-{remedy.pk}-count")).to_have_text("1 endorsement")

    phone.get_by_role("navigation", name="Consultation").get_by_role("link", name="Results").click()

    expect(phone).to_have_url(site.url + "/c/chicago/results/")
    expect(phone.get_by_role("heading", level=1)).to_be_visible()
    remedies_chart = phone.locator("#chart-remedies-caption").locator("xpath=..")
    remedies_chart.locator("summary").click()  # the table is one tap away, under the bars
    remedies_table = remedies_chart.get_by_role("table")
    expect(remedies_table.get_by_role("row", name=re.compile(re.escape(remedy.title)))).to_contain_text("1")
    assert phone.evaluate(NO_HORIZONTAL_SCROLL)
