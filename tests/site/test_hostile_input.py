"""Hostile input, everywhere residents can send something: never a 5xx, a clear message, nothing half-saved.

Property-based (hypothesis): arbitrary Unicode including NUL, lone surrogates (sent as the invalid UTF-8 a hostile
client can put on the wire), right-to-left overrides and piles of combining marks; very long values; missing,
extra and repeated fields; every method. Then fixed cases for oversized and malformed bodies, and for submitted
text being shown escaped wherever it appears.
"""

from __future__ import annotations

import io
import re
from urllib.parse import quote_from_bytes

import pytest
from django.core import mail
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from feedback.models import Concern, Endorsement, Report
from feedback.notifications.digest import send_moderator_digest
from feedback.participation.forms import form_started_token
from tests.factories import ConcernFactory, concern_form_data

NASTY = [
    "\x00",
    "a\x00b",
    "\ud800",  # lone high surrogate
    "\udfff",  # lone low surrogate
    "\u202e",  # right-to-left override
    "\u2066\u2069",  # isolates
    "e" + "\u0301" * 300,  # a pile of combining marks
    "\r\n",
    "\x1b[2J",
    "\ufeff",
    "\U0001f6a8",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    '=HYPERLINK("http://evil.example")',
    "%00",
    "../../etc/passwd",
    "\u0000" * 10,
]

hostile_text = st.one_of(
    st.sampled_from(NASTY),
    st.text(st.characters(exclude_categories=[]), max_size=40),
    st.builds(
        lambda piece, times: piece * times, st.sampled_from(["x", "é", "\u202e", "a\u0301"]), st.integers(1, 3000)
    ),
    st.builds(lambda a, b: a + b, st.sampled_from(NASTY), st.text(max_size=20)),
)
# A field is absent, present once, or repeated.
field_value = st.one_of(st.none(), hostile_text, st.lists(hostile_text, min_size=2, max_size=3))

CONCERN_FIELDS = [
    "topic",
    "text",
    "role",
    "community_area",
    "contact_email",
    "contact_consent",
    "participation_code",
    "website",
    "started",
]
ENDPOINT_FIELDS = {
    "concern_new": CONCERN_FIELDS,
    "concern_withdraw": ["receipt_code"],
    "concern_report": ["next"],
    "remedy_about_you": ["role", "community_area"],
    "remedy_endorse": ["next"],
    "remedy_withdraw": ["next"],
    "participation_code": ["code", "next"],
    "concerns": ["topic", "page"],
    "results": [],
    "remedies": [],
    "consultation": [],
    "print_form": [],
    "concern_sent": [],
    "concern_sent_hide": [],
    "concern_receipt_image": [],
    "concern_status": ["receipt_code"],
    "privacy": [],
    "about": [],
    "forget_device": ["next"],
    "home": [],
    "api_tallies": ["lang"],
    "choose_language": ["next"],
}


def encode(value: str) -> str:
    """Percent-encode as a client would, keeping lone surrogates as the (invalid) UTF-8 bytes they stand for."""
    return quote_from_bytes(value.encode("utf-8", "surrogatepass"), safe="")


def form_body(fields: dict[str, str | list[str] | None]) -> str:
    pairs = []
    for name, value in fields.items():
        if value is None:
            continue
        for item in value if isinstance(value, list) else [value]:
            pairs.append(f"{encode(name)}={encode(item)}")
    return "&".join(pairs)


@pytest.fixture
def world(briefing, settings):
    """The Chicago consultation with one published concern; rate limits and the fill-time check off."""
    settings.RATELIMIT_ENABLE = False
    settings.CONCERN_MIN_FILL_SECONDS = 0
    published = ConcernFactory(consultation=briefing, text="A published concern")
    remedy = briefing.remedies.first()
    paths = {
        "home": "/",
        "privacy": "/privacy/",
        "about": "/about/",
        "forget_device": "/forget-device/",
        "consultation": "/c/chicago/",
        "concerns": "/c/chicago/concerns/",
        "concern_new": "/c/chicago/concerns/new/",
        "concern_sent": "/c/chicago/concerns/sent/",
        "concern_sent_hide": "/c/chicago/concerns/sent/hide/",
        "concern_receipt_image": "/c/chicago/concerns/sent/receipt.png",
        "concern_status": "/c/chicago/concerns/status/",
        "concern_withdraw": "/c/chicago/concerns/withdraw/",
        "concern_report": f"/c/chicago/concerns/{published.public_reference}/report/",
        "remedies": "/c/chicago/remedies/",
        "remedy_about_you": "/c/chicago/remedies/about-you/",
        "remedy_endorse": f"/c/chicago/remedies/{remedy.pk}/endorse/",
        "remedy_withdraw": f"/c/chicago/remedies/{remedy.pk}/withdraw/",
        "participation_code": "/c/chicago/code/",
        "results": "/c/chicago/results/",
        "print_form": "/c/chicago/print/",
        "api_tallies": "/api/c/chicago/tallies.json",
        "choose_language": "/language/ar/",
    }
    return paths


def test_the_fuzzed_endpoints_are_every_public_route(world):
    """A new public route must be added to the fuzzing below (and to ENDPOINT_FIELDS)."""
    from django.urls import get_resolver

    from feedback import urls as feedback_urls

    names = {pattern.name for pattern in feedback_urls.urlpatterns} | {"api_tallies", "choose_language"}
    assert names == set(world) == set(ENDPOINT_FIELDS)
    assert "api_tallies" in get_resolver().reverse_dict and "choose_language" in get_resolver().reverse_dict


def counts() -> tuple[int, int, int]:
    return Concern.objects.count(), Endorsement.objects.count(), Report.objects.count()


def assert_nothing_half_saved(name: str, response, before: tuple[int, int, int]) -> None:
    concerns, endorsements, reports = counts()
    redirected = response.status_code == 302
    if name == "concern_new" and redirected and response["Location"].endswith("/concerns/sent/"):
        assert concerns == before[0] + 1
    elif name == "concern_withdraw" and redirected:
        assert concerns == before[0] - 1
    else:
        assert concerns == before[0], f"{name} {response.status_code} changed the concerns"
    if not (name in {"remedy_endorse", "remedy_withdraw"} and redirected):
        assert endorsements == before[1], name
    if not (name == "concern_report" and redirected):
        assert reports == before[2], name
    for text, email in Concern.objects.values_list("text", "contact_email"):
        assert "\x00" not in text and "\x00" not in email
        assert len(text) <= 2000


FUZZ = hypothesis_settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


@FUZZ
@given(
    name=st.sampled_from(sorted(ENDPOINT_FIELDS)),
    method=st.sampled_from(["POST", "POST", "POST", "GET", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"]),
    data=st.data(),
)
def test_arbitrary_requests_to_every_public_endpoint_never_fail_and_save_nothing_half_way(
    client, world, name, method, data
):
    client.cookies.clear()  # each example a new visitor: an earlier one's language or receipt cookie must not carry
    fields = {field: data.draw(field_value, label=field) for field in ENDPOINT_FIELDS[name]}
    extra = data.draw(st.dictionaries(hostile_text, field_value, max_size=3), label="extra fields")
    body = form_body({**fields, **extra})
    before = counts()

    if method in {"GET", "HEAD", "OPTIONS"}:
        response = client.generic(method, f"{world[name]}?{body}")
    else:
        response = client.generic(method, world[name], body, content_type="application/x-www-form-urlencoded")

    assert response.status_code < 500, (name, method, body[:200])
    assert_nothing_half_saved(name, response, before)
    assert_every_stored_value_fits_its_column()


@FUZZ
@given(
    field=st.sampled_from(CONCERN_FIELDS),
    value=field_value,
    extra=st.dictionaries(hostile_text, field_value, max_size=2),
)
def test_a_valid_concern_with_one_hostile_field_is_saved_whole_or_refused_with_a_message(
    client, world, field, value, extra
):
    """Start from a valid concern so the hostile value reaches the deepest checks (forms and services)."""
    fields = {**concern_form_data(started=form_started_token(0)), field: value, **extra}
    before = counts()
    response = client.generic(
        "POST", world["concern_new"], form_body(fields), content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code in (200, 302), response.status_code
    assert_nothing_half_saved("concern_new", response, before)
    if response.status_code == 200:
        assert 'id="error-summary"' in response.content.decode()  # the resident is told what to fix


# The staff sign-in page is public too ---------------------------------------------------------------------------

LOGIN_FIELDS = ["username", "password", "otp_device", "otp_token", "otp_challenge", "next", "this_is_the_login_form"]


def assert_every_stored_value_fits_its_column() -> None:
    """No row holds a text longer than its column: PostgreSQL would have refused it with a 500 (SQLite does not)."""
    from django.apps import apps
    from django.db import models
    from django.db.models.functions import Length

    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.CharField) and field.max_length:
                too_long = model._default_manager.annotate(_length=Length(field.attname)).filter(
                    _length__gt=field.max_length
                )
                assert not too_long.exists(), f"{model._meta.label}.{field.name} holds more than {field.max_length}"


@FUZZ
@given(
    method=st.sampled_from(["POST", "POST", "POST", "GET", "PUT", "DELETE", "HEAD"]),
    accept=st.one_of(
        st.none(), st.builds(lambda piece, times: piece * times, st.just("text/html,"), st.integers(1, 300))
    ),
    data=st.data(),
)
def test_arbitrary_sign_in_attempts_never_fail_and_store_only_what_fits(client, world, method, accept, data):
    fields = {field: data.draw(field_value, label=field) for field in LOGIN_FIELDS}
    extra = data.draw(st.dictionaries(hostile_text, field_value, max_size=2), label="extra fields")
    body = form_body({**fields, **extra})
    headers = {"HTTP_ACCEPT": accept} if accept else {}
    if method in {"GET", "HEAD"}:
        response = client.generic(method, f"/admin/login/?{body}", **headers)
    else:
        response = client.generic(
            method, "/admin/login/", body, content_type="application/x-www-form-urlencoded", **headers
        )
    assert response.status_code < 500, (method, body[:200])
    assert_every_stored_value_fits_its_column()


@pytest.mark.parametrize("length", [255, 256, 1000])
def test_a_very_long_username_at_sign_in_is_refused_with_a_message_not_a_database_error(client, world, length):
    response = client.post("/admin/login/", {"username": "u" * length, "password": "x"})
    assert response.status_code == 200
    assert "at most 150 characters" in response.content.decode()
    assert_every_stored_value_fits_its_column()


@pytest.mark.parametrize("text", ["Families are afraid \x00 to call", "\x00" * 20])
def test_a_nul_character_in_a_concern_is_refused_with_a_message_not_a_database_error(client, world, text):
    response = client.post(world["concern_new"], concern_form_data(text=text))
    assert response.status_code == 200
    assert "Null characters are not allowed." in response.content.decode()
    assert Concern.objects.filter(status="pending").count() == 0


def test_a_concern_in_right_to_left_script_with_combining_marks_is_saved_exactly(client, world):
    text = "العائلات خائفة \u202e من الاتصال بالشرطة e\u0301\u0301"
    response = client.post(world["concern_new"], concern_form_data(text=text))
    assert response.status_code == 302
    assert Concern.objects.get(status="pending").text == text


def test_invalid_utf8_is_read_as_replacement_characters_not_an_error(client, world):
    body = form_body({**concern_form_data(), "text": "Lone \ud800 surrogate and more words"})
    response = client.generic("POST", world["concern_new"], body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 302
    assert Concern.objects.get(status="pending").text == "Lone \ufffd\ufffd\ufffd surrogate and more words"


@pytest.mark.parametrize("target", ["foo", "a\x00b", "javascript:alert(1)", "//evil.example/", "https://evil.example/"])
def test_a_report_whose_next_is_not_a_path_on_this_site_goes_back_to_the_list(client, world, target):
    response = client.post(world["concern_report"], {"next": target})
    assert response.status_code == 302
    assert response["Location"].startswith("/c/chicago/concerns/#concern-")


# Oversized and malformed bodies ------------------------------------------------------------------------------------

POST_ENDPOINTS = [
    "concern_new",
    "concern_withdraw",
    "concern_report",
    "remedy_about_you",
    "remedy_endorse",
    "forget_device",
]


@pytest.fixture
def browser_client(world, settings):
    """A client that, like a browser against production, holds a CSRF cookie and must send its token."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.get(world["concern_new"])
    client.defaults["HTTP_X_CSRFTOKEN"] = client.cookies[settings.CSRF_COOKIE_NAME].value
    return client


@pytest.mark.parametrize("name", POST_ENDPOINTS)
def test_a_body_over_the_upload_limit_is_a_400_and_saves_nothing(browser_client, world, settings, name):
    before = counts()
    body = "text=" + "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = browser_client.generic("POST", world[name], body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert counts() == before


@pytest.mark.parametrize("name", POST_ENDPOINTS)
def test_too_many_fields_is_a_400_and_saves_nothing(browser_client, world, name):
    before = counts()
    body = "&".join(f"f{number}=1" for number in range(1200))
    response = browser_client.generic("POST", world[name], body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert counts() == before


def test_the_csrf_token_is_checked_so_a_valid_post_from_that_client_works(browser_client, world):
    assert browser_client.post(world["remedy_endorse"]).status_code == 302
    assert Endorsement.objects.count() == 1


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("multipart/form-data; boundary=xyz", b'--xyz\r\nContent-Disposition: form-data; name="text"\r\n\r\nno end'),
        ("multipart/form-data", b"no boundary at all"),
        ("application/json", b'{"text": "a concern as JSON", "role": "resident"}'),
        ("text/plain", b"\xff\xfe\x00\x00garbage"),
        ("application/x-www-form-urlencoded; charset=utf-16", "text=hello".encode("utf-16")),
        ("application/x-www-form-urlencoded; charset=no-such-charset", b"text=hello"),
    ],
)
def test_malformed_bodies_get_a_4xx_or_the_form_again_and_save_nothing(client, world, content_type, body):
    before = counts()
    response = client.generic("POST", world["concern_new"], body, content_type=content_type)
    assert response.status_code < 500
    assert counts() == before


def test_an_uploaded_file_is_ignored_and_never_stored(client, world, tmp_path, settings):
    upload = io.BytesIO(b"MZ\x90\x00 not a concern")
    upload.name = "payload.exe"
    response = client.post(world["concern_new"], {**concern_form_data(), "attachment": upload})
    assert response.status_code == 302
    assert not any(tmp_path.rglob("payload*"))


# Submitted text is shown escaped everywhere ------------------------------------------------------------------------

PAYLOAD = '<script>alert("xss")</script><img src=x onerror=alert(1)>'
ESCAPED = "&lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"


def assert_escaped(html: str, where: str) -> None:
    assert PAYLOAD not in html, where
    assert "<script>alert" not in html and "<img src=x" not in html, where


def test_a_script_in_a_concern_is_shown_escaped_in_the_public_list_admin_and_dashboard(
    client, world, django_user_model
):
    assert client.post(world["concern_new"], concern_form_data(text=PAYLOAD)).status_code == 302
    concern = Concern.objects.get(status="pending")

    staff = django_user_model.objects.create_superuser("ada", "ada@example.org", "unused-password-123")
    admin = type(client)()
    admin.force_login(staff)
    for path in [
        "/admin/feedback/concern/",
        "/admin/feedback/concern/?status__exact=pending",
        f"/admin/feedback/concern/{concern.pk}/change/",
        "/admin/dashboard/",
    ]:
        response = admin.get(path)
        assert response.status_code == 200, path
        assert_escaped(response.content.decode(), path)
    assert ESCAPED in admin.get(f"/admin/feedback/concern/{concern.pk}/change/").content.decode()

    Concern.objects.filter(pk=concern.pk).update(status=Concern.Status.APPROVED)
    for path in ["/c/chicago/concerns/", "/es/c/chicago/concerns/", "/c/chicago/results/"]:
        assert_escaped(client.get(path).content.decode(), path)
    assert ESCAPED in client.get("/c/chicago/concerns/").content.decode()


def test_emails_to_moderators_never_carry_what_a_resident_wrote(client, world, django_user_model, settings):
    django_user_model.objects.create_superuser("ada", "ada@example.org", "unused-password-123")
    client.post(world["concern_new"], concern_form_data(text=PAYLOAD + " families are afraid"))
    send_moderator_digest()
    assert mail.outbox, "the digest was sent"
    for message in mail.outbox:
        everything = message.subject + message.body + "".join(str(part) for part, _type in message.alternatives)
        assert "families are afraid" not in everything and "<script>" not in everything


def test_a_script_in_a_staff_edited_remedy_title_is_shown_escaped_on_the_public_pages(client, world, briefing):
    remedy = briefing.remedies.first()
    remedy.title = PAYLOAD
    remedy.save()
    assert client.post(world["remedy_endorse"]).status_code == 302  # its success message quotes the title
    for path in ["/", "/c/chicago/remedies/", "/c/chicago/results/", "/es/c/chicago/remedies/"]:
        html = client.get(path).content.decode()
        assert_escaped(html, path)


# Guessing ---------------------------------------------------------------------------------------------------------


def test_guessing_receipt_codes_is_stopped_by_the_rate_limit_even_for_the_right_code(client, world, settings):
    settings.RATELIMIT_ENABLE = True
    settings.RATELIMIT_RECEIPTS = "5/h"
    client.post(world["concern_new"], concern_form_data())
    sent = client.get("/c/chicago/concerns/sent/").content.decode()
    code = re.search(r'id="receipt-code"><code>([A-Z2-9-]+)</code>', sent).group(1)
    for guess in range(5):
        assert client.post(world["concern_withdraw"], {"receipt_code": f"AAAA-BBBB-CCC{guess}"}).status_code == 200
    assert client.post(world["concern_withdraw"], {"receipt_code": code}).status_code == 429
    assert Concern.objects.filter(status="pending").exists()


def test_a_receipt_code_is_checked_by_keyed_hash_with_a_constant_time_comparison(world, monkeypatch):
    import hmac

    from feedback.participation.services import submit_concern, withdraw_concern_with_receipt

    compared = []
    real = hmac.compare_digest
    monkeypatch.setattr(hmac, "compare_digest", lambda a, b: compared.append((a, b)) or real(a, b))
    submitted = submit_concern(
        consultation=Concern.objects.first().consultation,
        text="Families are afraid to call the police.",
        role="resident",
        community_area="30",
        language="en",
    )
    assert submitted.concern.receipt_hash != submitted.receipt_code  # only a keyed hash is stored
    assert withdraw_concern_with_receipt(
        consultation=submitted.concern.consultation, receipt_code=submitted.receipt_code
    )
    assert compared and compared[-1][0] == compared[-1][1]


def test_pressing_report_many_times_is_stopped_by_the_rate_limit(client, world, settings):
    settings.RATELIMIT_ENABLE = True
    settings.RATELIMIT_REPORTS = "3/h"
    statuses = [client.post(world["concern_report"]).status_code for _press in range(5)]
    assert statuses == [302, 302, 302, 429, 429]
    assert Report.objects.count() == 1
