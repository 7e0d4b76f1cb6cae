"""Staff use the Django admin in a real browser under the site's Content Security Policy.

The browser fixtures fail a test on any CSP violation the browser reports, and on any asset that fails to load.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"


@pytest.fixture
def staff_page(desktop, site, django_user_model):
    django_user_model.objects.create_superuser("ada", "ada@example.org", PASSWORD)
    desktop.goto(site.url + "/admin/")
    desktop.fill("#id_username", "ada")
    desktop.fill("#id_password", PASSWORD)
    desktop.click("input[type=submit]")
    desktop.wait_for_url(site.url + "/admin/")
    return desktop


def test_staff_sign_in_through_the_login_form_with_the_production_cookies(staff_page, site):
    cookie_names = {cookie["name"] for cookie in staff_page.context.cookies()}
    assert {"__Host-sessionid", "__Host-csrftoken"} <= cookie_names
    assert staff_page.locator("#user-tools").is_visible()


@pytest.mark.parametrize(
    "path",
    [
        "/admin/",
        "/admin/dashboard/",
        "/admin/feedback/concern/",
        "/admin/feedback/concern/add/",
        "/admin/feedback/theme/",
        "/admin/report/?consultation=chicago&language=en&format=html",
        "/admin/feedback/moderationevent/",
        "/admin/feedback/exportjob/",
        "/admin/feedback/exportjob/add/",
        "/admin/feedback/endorsement/",
        "/admin/axes/accessattempt/",
        "/admin/feedback/consultation/",
        "/admin/feedback/consultation/1/change/",
        "/admin/feedback/remedy/add/",
        "/admin/auth/user/",
        "/admin/otp_totp/totpdevice/add/",
    ],
)
def test_admin_pages_work_without_breaking_the_content_security_policy(staff_page, site, path):
    response = staff_page.goto(site.url + path)
    assert response.status == 200
    # The printable report is a document of its own, not an admin page: its main part is what must show.
    main_part = "body.ct-report main" if "format=html" in path else "#content"
    assert staff_page.locator(main_part).is_visible()
