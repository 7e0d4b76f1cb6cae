"""A resident shares a concern: the form explains every mistake and saves nothing until all is right."""

from __future__ import annotations

import re
import time

import pytest
from django.utils import timezone

from feedback.models import Concern
from feedback.participation.forms import form_started_token
from feedback.participation.services import receipt_hash, submit_concern
from tests.factories import concern_form_data

NEW = "/c/chicago/concerns/new/"


def send(client, **overrides):
    return client.post(NEW, concern_form_data(**overrides))


def test_the_form_asks_only_topic_concern_role_area_optional_email_and_optional_code(client, briefing):
    page = client.get(NEW).content.decode()
    form = page[page.index("<form") : page.index("</form>")]
    names = set(re.findall(r'name="([a-z_]+)"', form)) - {"csrfmiddlewaretoken", "send"}
    assert names == {
        "topic",
        "text",
        "role",
        "community_area",
        "contact_email",
        "contact_consent",
        "participation_code",
        "website",
        "started",
        "shown_redaction",
    }
    assert "name" not in names and "immigration" not in " ".join(names)
    assert re.search(r'<label\s+for="id_text"', page)
    assert "Choose a topic" in page and ">Other</option>" in page


def test_the_topic_list_offers_only_published_topics(client, briefing):
    hidden = briefing.topics.first()
    hidden.is_published = False
    hidden.save()
    page = client.get(NEW).content.decode()
    assert f'value="{hidden.pk}"' not in page
    assert briefing.topics.filter(is_published=True).first().name in page


def test_a_valid_concern_is_saved_pending_with_a_hashed_receipt(client, briefing, django_capture_on_commit_callbacks):
    topic = briefing.topics.first()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = send(client, topic=str(topic.pk), text="  Families are afraid to call the police.  ")
    assert response.status_code == 302
    concern = Concern.objects.get()
    assert concern.status == Concern.Status.PENDING
    assert concern.text == "Families are afraid to call the police."
    assert concern.topic == topic
    assert concern.community_area == "30" and concern.role == "resident"
    assert concern.language == "en" and concern.source == Concern.Source.WEB
    assert len(concern.receipt_hash) == 64
    assert len(callbacks) == 1  # the moderators' notice, queued after the commit


def test_other_topic_is_saved_without_a_topic(client, briefing):
    send(client, topic="other")
    assert Concern.objects.get().topic is None


def test_the_confirmation_shows_the_receipt_code_and_what_happens_next(client, briefing):
    response = send(client)
    assert "concerns/sent/" in response["Location"]
    assert not re.search(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", response["Location"])
    first = client.get(response["Location"])
    page = first.content.decode()
    code = re.search(r'<p class="receipt-code" id="receipt-code"><code>([A-Z2-9-]+)</code>', page).group(1)
    assert re.fullmatch(r"[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}", code)
    assert "What happens next" in page
    assert "no-store" in first["Cache-Control"]
    assert Concern.objects.get().receipt_hash == receipt_hash(code)
    assert code not in str(Concern.objects.values_list().get())

    # Reloaded or reached again with Back: the same code (tests/participation/test_receipt_code.py for the rest).
    assert code in client.get(response["Location"]).content.decode()


def test_an_email_with_consent_is_kept(client, briefing):
    send(client, contact_email="ana@example.org", contact_consent="on")
    concern = Concern.objects.get()
    assert concern.contact_email == "ana@example.org" and concern.contact_consent


def test_consent_without_an_email_keeps_nothing(client, briefing):
    send(client, contact_consent="on")
    concern = Concern.objects.get()
    assert concern.contact_email == "" and not concern.contact_consent


BAD_INPUTS = [
    pytest.param({"text": "Too short"}, "Write at least 10 characters (you wrote 9).", id="too short"),
    pytest.param({"text": "  short    "}, "Write at least 10 characters (you wrote 5).", id="too short once trimmed"),
    pytest.param({"text": "x" * 2001}, "Write at most 2000 characters (you wrote 2001).", id="too long"),
    pytest.param({"text": ""}, "Write your concern.", id="empty"),
    pytest.param(
        {"contact_email": "ana@", "contact_consent": "on"},
        "Enter an email address like name@example.org, or leave this empty.",
        id="bad email",
    ),
    pytest.param(
        {"contact_email": "ana@example.org"},
        "Tick this box to let organizers contact you, or remove your email.",
        id="email without consent",
    ),
    pytest.param({"topic": "99999"}, "Choose one of the listed topics, or “Other”.", id="unknown topic"),
    pytest.param({"community_area": "78"}, "Choose a community area from the list.", id="unknown area"),
    pytest.param({"community_area": ""}, "Choose a community area, or “Prefer not to say”.", id="no area"),
    pytest.param({"role": "citizen"}, "Choose one of the listed options.", id="unknown role"),
    pytest.param(
        {"website": "http://spam.example"},
        "This field must stay empty. Please clear it and send again.",
        id="honeypot filled",
    ),
    pytest.param(
        {"started": "shown just now"},
        "That was very quick. Please check your concern, then press “Send my concern” again.",
        id="too fast",
    ),
    pytest.param(
        {"started": "forged"},
        "This form was open for a long time. Please check your concern and send it again.",
        id="forged or stale clock",
    ),
]


@pytest.mark.parametrize(("overrides", "message"), BAD_INPUTS)
def test_each_bad_input_gets_its_message_and_saves_nothing(client, briefing, overrides, message):
    if overrides.get("started") == "shown just now":
        overrides = {"started": form_started_token(time.time())}
    response = send(client, **overrides)
    assert response.status_code == 200
    page = response.content.decode().replace("&#x27;", "'")
    summary = page[page.index('id="error-summary"') : page.index("</div>", page.index('id="error-summary"'))]
    assert message in summary
    if "started" not in overrides:  # the form clock is a hidden field: its message is in the summary only
        assert page.count(message) == 2  # once in the summary at the top, once next to the field
    assert Concern.objects.count() == 0
    assert "<title>Error:" in page


def test_the_error_summary_links_to_each_invalid_field(client, briefing):
    page = send(client, text="short", community_area="78", role="citizen").content.decode()
    summary = page[page.index('id="error-summary"') : page.index("</div>", page.index('id="error-summary"'))]
    assert "There are 3 problems with your answers" in summary
    for anchor in ["#id_text", "#id_role_0", "#id_community_area"]:
        assert f'href="{anchor}"' in summary
    assert summary.index("#id_text") < summary.index("#id_role_0") < summary.index("#id_community_area")


def test_a_form_shown_again_after_an_error_keeps_what_was_written(client, briefing):
    page = send(client, text="Still here!", contact_email="bad").content.decode()
    assert "Still here!" in page


def test_the_too_quick_form_can_be_sent_again_once_the_time_has_passed(client, briefing, settings):
    settings.CONCERN_MIN_FILL_SECONDS = 3
    started = form_started_token(time.time())
    assert send(client, started=started).status_code == 200
    settings.CONCERN_MIN_FILL_SECONDS = 0
    assert send(client, started=started).status_code == 302
    assert Concern.objects.count() == 1


def test_a_closed_consultation_refuses_new_concerns(client, briefing):
    briefing.status = briefing.Status.CLOSED
    briefing.save()
    assert "no longer accepts new concerns" in client.get(NEW).content.decode()
    response = send(client)
    assert response.status_code == 403
    assert "no longer accepts new concerns" in response.content.decode()
    assert Concern.objects.count() == 0


def test_a_consultation_past_its_closing_time_refuses_new_concerns(client, briefing):
    briefing.closes_at = timezone.now() - timezone.timedelta(minutes=1)
    briefing.save()
    assert send(client).status_code == 403
    assert Concern.objects.count() == 0


def test_the_service_refuses_a_topic_of_another_consultation(briefing):
    from django.core.exceptions import ValidationError

    from feedback.models import Consultation, Topic

    other = Consultation.objects.create(title="Other", slug="other", summary="s", source_citation="c")
    foreign = Topic.objects.create(consultation=other, key="t", name="T", group="governance")
    with pytest.raises(ValidationError):
        submit_concern(
            consultation=briefing,
            text="A concern long enough",
            topic=foreign,
            role="resident",
            community_area="30",
            language="en",
        )
    assert Concern.objects.count() == 0


def test_a_stale_form_is_shown_again_with_a_fresh_clock_and_can_then_be_sent(client, briefing, settings):
    settings.CONCERN_MIN_FILL_SECONDS = 0
    page = send(client, started="stale").content.decode()
    fresh = re.search(r'name="started" value="([^"]+)"', page).group(1)
    assert fresh != "stale"
    assert send(client, started=fresh).status_code == 302
    assert Concern.objects.count() == 1
