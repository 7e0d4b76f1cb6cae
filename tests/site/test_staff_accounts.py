"""Staff sign in to the admin: lockout by username that remembers no client, two-factor codes, expiring sessions."""

from __future__ import annotations

import io
import logging
import time

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.core.management.base import CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from civictrust.middleware import SESSION_SEEN_KEY, SESSION_STARTED_KEY

LOGIN = "/admin/login/?next=/admin/"
PASSWORD = "a long and good staff password"
CLIENT_ADDRESS = "203.0.113.77"
FORWARDED_ADDRESS = "198.51.100.23"
USER_AGENT = "ProbeBrowser/9.9 (privacy test)"
CLIENT = {"REMOTE_ADDR": CLIENT_ADDRESS, "HTTP_X_FORWARDED_FOR": FORWARDED_ADDRESS, "HTTP_USER_AGENT": USER_AGENT}


@pytest.fixture
def alice(django_user_model):
    return django_user_model.objects.create_user("alice", "alice@example.org", PASSWORD, is_staff=True)


def sign_in(client, username="alice", password=PASSWORD, **extra):
    return client.post(LOGIN, {"username": username, "password": password, **extra}, **CLIENT)


def current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def is_signed_in(client) -> bool:
    return client.get("/admin/").status_code == 200


# Lockout -------------------------------------------------------------------------------------------------------------


def test_five_wrong_passwords_lock_the_account_even_against_the_right_password(client, alice):
    for _attempt in range(4):
        response = sign_in(client, password="wrong password")
        assert response.status_code == 200
        assert "Please enter the correct username and password" in response.content.decode()
    locked = sign_in(client, password="wrong password")
    assert locked.status_code == 429
    assert "too many failed sign-in attempts" in locked.content.decode()

    assert sign_in(client).status_code == 429
    assert not is_signed_in(client)


def test_the_lockout_is_by_username_so_another_staff_member_at_the_same_address_still_signs_in(
    client, alice, django_user_model
):
    django_user_model.objects.create_user("bob", "bob@example.org", PASSWORD, is_staff=True)
    for _attempt in range(5):
        sign_in(client, password="wrong password")
    assert sign_in(client, username="bob").status_code == 302
    assert is_signed_in(client)


def test_a_locked_account_opens_again_after_an_administrator_resets_it(client, alice):
    for _attempt in range(5):
        sign_in(client, password="wrong password")
    call_command("axes_reset_username", "alice", stdout=io.StringIO())
    assert sign_in(client).status_code == 302


def test_lockout_records_no_client_address_and_no_user_agent_anywhere_in_the_database(client, alice):
    for _attempt in range(6):
        sign_in(client, password="wrong password")
    call_command("axes_reset_username", "alice", stdout=io.StringIO())
    assert sign_in(client).status_code == 302
    client.post("/admin/logout/", **CLIENT)

    for _attempt in range(3):
        sign_in(client, password="wrong password")
    attempt = AccessAttempt.objects.get(username="alice")
    assert attempt.ip_address is None and attempt.user_agent == ""
    assert attempt.failures_since_start == 3
    assert not AccessLog.objects.exists() and not AccessFailureLog.objects.exists()

    everything = io.StringIO()
    call_command("dumpdata", stdout=everything)
    sessions = "".join(str(session.get_decoded()) for session in Session.objects.all())
    for trace in (CLIENT_ADDRESS, FORWARDED_ADDRESS, USER_AGENT, "ProbeBrowser"):
        assert trace not in everything.getvalue()
        assert trace not in sessions


def test_failed_and_locked_out_sign_ins_are_logged_without_the_client(client, alice, caplog):
    caplog.set_level(logging.DEBUG)
    for _attempt in range(6):
        sign_in(client, password="wrong password")
    assert "Locking out" in caplog.text
    for trace in (CLIENT_ADDRESS, FORWARDED_ADDRESS, USER_AGENT, "ProbeBrowser"):
        assert trace not in caplog.text


# Session id and expiry -----------------------------------------------------------------------------------------------


def test_signing_in_gives_the_browser_a_new_session_id(client, alice, settings):
    before = client.session.session_key  # a session that existed before signing in (e.g. planted by someone)
    assert sign_in(client).status_code == 302
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()
    assert is_signed_in(client)


def shift_session_clocks(client, *, started_ago: int, seen_ago: int) -> None:
    session = client.session
    now = int(time.time())
    session[SESSION_STARTED_KEY] = now - started_ago
    session[SESSION_SEEN_KEY] = now - seen_ago
    session.save()


def test_a_staff_session_idle_longer_than_the_idle_timeout_is_signed_out(client, alice, settings):
    settings.SESSION_IDLE_TIMEOUT_MINUTES = 30
    sign_in(client)
    shift_session_clocks(client, started_ago=31 * 60, seen_ago=31 * 60)

    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    page = client.get(response["Location"]).content.decode()
    assert "You were signed out because your session expired" in page
    assert not is_signed_in(client)


def test_activity_within_the_idle_timeout_keeps_the_session_and_moves_its_clock(client, alice, settings):
    settings.SESSION_IDLE_TIMEOUT_MINUTES = 30
    sign_in(client)
    shift_session_clocks(client, started_ago=29 * 60, seen_ago=29 * 60)

    assert is_signed_in(client)
    assert int(time.time()) - client.session[SESSION_SEEN_KEY] < 5
    assert is_signed_in(client)


def test_a_staff_session_older_than_the_absolute_lifetime_is_signed_out_even_when_active(client, alice, settings):
    settings.SESSION_ABSOLUTE_TIMEOUT_HOURS = 12
    sign_in(client)
    shift_session_clocks(client, started_ago=12 * 3600 + 1, seen_ago=10)

    assert client.get("/admin/").status_code == 302
    assert not is_signed_in(client)


def test_a_page_view_within_a_minute_of_the_last_costs_no_session_write(client, alice):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sign_in(client)
    with CaptureQueriesContext(connection) as queries:
        assert is_signed_in(client)
    writes = [query["sql"] for query in queries if not query["sql"].lstrip().upper().startswith("SELECT")]
    assert writes == []


# Two-factor sign-in --------------------------------------------------------------------------------------------------


@pytest.fixture
def alice_device(alice):
    return TOTPDevice.objects.create(user=alice, name="phone", confirmed=True)


def test_a_staff_member_with_an_authenticator_cannot_sign_in_with_the_password_alone(client, alice_device):
    response = sign_in(client)
    assert response.status_code == 200
    assert "Enter the 6-digit code from your authenticator app" in response.content.decode()
    assert not is_signed_in(client)


def test_a_wrong_code_is_refused(client, alice_device):
    wrong = "000000" if current_code(alice_device) != "000000" else "111111"
    response = sign_in(client, otp_token=wrong)
    assert "That code is not right" in response.content.decode()
    assert not is_signed_in(client)


def test_the_password_and_the_current_code_sign_in(client, alice_device):
    assert sign_in(client, otp_token=current_code(alice_device)).status_code == 302
    assert is_signed_in(client)


def test_the_login_page_asks_for_the_code_in_a_labelled_field(client, db):
    page = client.get(LOGIN).content.decode()
    assert 'name="otp_token"' in page and 'autocomplete="one-time-code"' in page
    assert '<label for="id_otp_token">' in page


def test_when_two_factor_is_required_a_staff_member_without_an_authenticator_cannot_sign_in(client, alice, settings):
    settings.STAFF_REQUIRE_2FA = True
    response = sign_in(client)
    assert response.status_code == 200
    assert "your account has no authenticator yet" in response.content.decode()
    assert not is_signed_in(client)


def test_when_two_factor_is_required_a_session_without_a_verified_code_is_not_staff(client, alice, settings):
    settings.STAFF_REQUIRE_2FA = True
    client.force_login(alice)  # signed in some other way than the admin login: no code was checked
    assert client.get("/admin/").status_code == 302


def test_when_two_factor_is_required_the_password_and_code_sign_in(client, alice_device, settings):
    settings.STAFF_REQUIRE_2FA = True
    assert sign_in(client, otp_token=current_code(alice_device)).status_code == 302
    assert is_signed_in(client)


def test_a_superuser_sets_up_an_authenticator_with_a_command_and_the_staff_member_signs_in_with_it(client, alice):
    out = io.StringIO()
    call_command("add_totp_device", "alice", stdout=out)
    device = TOTPDevice.objects.get(user=alice)
    assert device.confirmed
    assert "otpauth://totp/civictrust%3Aalice?secret=" in out.getvalue()

    assert sign_in(client).status_code == 200  # the password alone no longer does
    assert sign_in(client, otp_token=current_code(device)).status_code == 302


def test_replacing_a_lost_authenticator_removes_the_old_one(alice_device):
    call_command("add_totp_device", "alice", "--replace", "--no-qr", stdout=io.StringIO())
    assert TOTPDevice.objects.filter(user=alice_device.user).count() == 1
    assert not TOTPDevice.objects.filter(pk=alice_device.pk).exists()


def test_the_command_refuses_an_account_that_is_not_staff(django_user_model):
    django_user_model.objects.create_user("resident", password=PASSWORD)
    with pytest.raises(CommandError, match="not a staff account"):
        call_command("add_totp_device", "resident", stdout=io.StringIO())


def test_a_superuser_can_show_a_new_authenticator_as_a_qr_code_in_the_admin(client, alice_device, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.org", PASSWORD))
    config = client.get(f"/admin/otp_totp/totpdevice/{alice_device.pk}/config/")
    assert config.status_code == 200
    qr = client.get(f"/admin/otp_totp/totpdevice/{alice_device.pk}/qrcode/")
    assert qr.status_code == 200 and qr["Content-Type"] == "image/svg+xml"
    assert b"<svg" in qr.content


# Bounded input -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("length", [151, 256, 5000])
def test_a_username_longer_than_any_account_is_refused_with_a_message_and_stores_nothing(client, alice, length):
    response = sign_in(client, username="u" * length)
    assert response.status_code == 200
    assert "Ensure this value has at most 150 characters" in response.content.decode()
    assert AccessAttempt.objects.count() == 0
    assert not is_signed_in(client)


def test_a_failed_sign_in_is_stored_under_a_username_that_fits_its_column(rf, db):
    """Another way in to authenticate() (not the login form) still cannot hand django-axes an unstorable username."""
    from django.contrib.auth import authenticate

    request = rf.post(LOGIN)
    assert authenticate(request, username="v" * 400, password="wrong") is None
    [attempt] = AccessAttempt.objects.all()
    assert attempt.username == "v" * AccessAttempt._meta.get_field("username").max_length
