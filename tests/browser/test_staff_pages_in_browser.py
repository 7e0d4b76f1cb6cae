"""The admin pages advocates and organizers use, in a real browser: axe finds no serious or critical problem at 1280 px
and on a tablet, the queue's text column stays readable, and a queue is cleared with the access keys alone."""

from __future__ import annotations

import pytest
from django.utils import timezone

from feedback.duplicates.services import record_near_duplicate
from feedback.models import Concern, Theme
from feedback.themes.services import rebuild_themes
from tests.factories import ConcernFactory, EndorsementFactory, StaffFactory

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"
TABLET = {"width": 820, "height": 1180}
TEXT = "Since the raids my neighbours keep their children home from school, and the clinic is empty on Mondays."


@pytest.fixture
def workload(site):
    """A queue with a reported concern and a near-duplicate, endorsements, and built themes."""
    from feedback.models import Consultation, Remedy

    consultation = Consultation.objects.get(slug="chicago")
    topic = consultation.topics.first()
    for number in range(3):
        concern = ConcernFactory(
            consultation=consultation, status="pending", topic=topic, community_area="30", text=f"{TEXT} ({number})"
        )
        record_near_duplicate(concern=concern)
    ConcernFactory(consultation=consultation, status="approved", text=TEXT, reported_at=timezone.now(), report_count=1)
    for remedy in Remedy.objects.filter(consultation=consultation)[:3]:
        for _ in range(6):
            EndorsementFactory(remedy=remedy, community_area="30", role="resident")
    rebuild_themes(consultation=consultation)
    return consultation


def sign_in(context, site, role: str):
    user = StaffFactory(username=f"{role}-in-browser", role=role)
    user.set_password(PASSWORD)
    user.save()
    # Staff pages count every figure afresh on their first load; give a busy CI machine time for that.
    context.set_default_timeout(60_000)
    page = context.new_page()
    page.goto(site.url + "/admin/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(site.url + "/admin/")
    return page


def staff_pages(consultation) -> dict[str, str]:
    first = Concern.objects.filter(status="pending").order_by("created_at", "pk").first()
    theme = Theme.objects.filter(consultation=consultation).order_by("position").first()
    return {
        "home": "/admin/",
        "queue": "/admin/feedback/concern/",
        "a concern to moderate": f"/admin/feedback/concern/{first.pk}/change/",
        "audit log": "/admin/feedback/moderationevent/",
        "dashboard": "/admin/dashboard/",
        "themes": "/admin/feedback/theme/",
        "a theme": f"/admin/feedback/theme/{theme.pk}/change/",
        "a theme, internal figures": f"/admin/feedback/theme/{theme.pk}/change/?internal=1",
        "printable report": "/admin/report/?consultation=chicago&language=en&format=html",
        "printable report, internal": "/admin/report/?consultation=chicago&language=es&format=html&internal=on",
    }


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, TABLET], ids=["1280", "tablet"])
@pytest.mark.parametrize("role", ["advocate", "organizer"])
def test_no_staff_page_has_a_serious_accessibility_violation(browser, site, workload, axe_report, viewport, role):
    # A plain context: axe-core itself applies styles while it measures contrast, which the CSP guard of the other
    # contexts would count; these pages' own CSP is checked in test_admin_under_csp.py.
    context = browser.new_context(viewport=viewport, locale="en-US")
    problems = []
    try:
        page = sign_in(context, site, role)
        for name, path in staff_pages(workload).items():
            response = page.goto(site.url + path)
            assert response.status == 200, (name, response.status)
            report = axe_report(page)
            if report:
                problems.append(f"{name} ({page.url}):\n{report}")
    finally:
        context.close()
    assert not problems, "accessibility problems on\n" + "\n".join(problems)


def wordings_of_waiting():
    """What the queue's "waiting" column says of concerns that arrived 36 minutes to 11 months ago."""
    from datetime import timedelta

    from django.contrib.admin.sites import site as admin_site

    queue = admin_site._registry[Concern]
    now = timezone.now()
    ages = (timedelta(minutes=36), timedelta(hours=23), timedelta(days=6), timedelta(weeks=3), timedelta(days=330))
    return [queue.age(Concern(created_at=now - age)) for age in ages]


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, TABLET], ids=["1280", "tablet"])
def test_the_queue_keeps_every_column_on_screen_and_the_text_readable(browser, request, site, workload, viewport):
    from tests.browser.conftest import _open_context

    for context in _open_context(browser, request, site, viewport):
        page = sign_in(context, site, "advocate")
        page.goto(site.url + "/admin/feedback/concern/")
        text_width = page.locator("#result_list .field-summary").first.bounding_box()["width"]
        table = page.locator("#result_list").bounding_box()
        for column in ("status", "reported", "topic", "community_area", "role", "source", "age"):
            header = page.locator(f"#result_list th.column-{column}").bounding_box()
            assert header["x"] + header["width"] <= viewport["width"] + 1, f"{column} is off-screen"
        assert text_width >= 250, f"the text column is {text_width:.0f}px wide"
        assert table["x"] + table["width"] <= viewport["width"] + 1
        # The wording of "waiting" depends on the hour the test runs: try the widest ones the queue can show.
        for wording in wordings_of_waiting():
            page.evaluate(
                "t => document.querySelectorAll('#result_list td.field-age').forEach(c => c.textContent = t)", wording
            )
            age = page.locator("#result_list th.column-age").bounding_box()
            assert age["x"] + age["width"] <= viewport["width"] + 1, f"waiting is off-screen when it reads {wording!r}"
        assert page.locator("#result_list .ct-tag-reported").count() == 1
        assert page.locator("#result_list img").count() == 0  # no red (or green) icon on any row


def test_an_advocate_clears_the_queue_by_keyboard_without_javascript(browser, site, workload):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=False)
    page = sign_in(context, site, "advocate")
    page.goto(site.url + "/admin/feedback/concern/")
    page.locator("a.ct-start-queue").focus()  # "Moderate one by one, oldest first" (access key M)
    page.keyboard.press("Enter")
    page.wait_for_url("**/change/")
    for _ in range(4):  # three pending and one reported concern
        current = page.url
        page.locator("input[name=_approve][accesskey=a]").focus()  # "Approve and next" (access key A)
        page.keyboard.press("Enter")
        page.wait_for_url(lambda url, current=current: url != current)
    assert "The moderation queue is empty" in page.content()
    assert not Concern.objects.filter(status="pending").exists()
    assert not Concern.objects.filter(reported_at__isnull=False).exists()
    context.close()
