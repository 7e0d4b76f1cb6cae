"""Who may do what in the admin: every role against every moderation ability, through HTTP."""

from __future__ import annotations

import pytest
from django.urls import reverse

from feedback.models import Concern, ModerationEvent
from feedback.moderation.services import moderate_concern
from tests.factories import ConcernFactory, StaffFactory

EMAIL = "maria.contact@example.org"
SECRET_TEXT = "Someone followed my cousin home from the bus stop."

ABILITIES = (
    "see_queue",
    "approve",
    "reject",
    "delete",
    "see_contact_email",
    "see_audit_log",
    "edit_audit_log",
    "see_dashboard",
)
ALLOWED = {
    "anonymous": set(),
    "advocate": {"see_queue", "approve", "reject", "see_audit_log", "see_dashboard"},
    "organizer": {"see_queue", "see_audit_log", "see_dashboard"},
    "superuser": {"see_queue", "approve", "reject", "delete", "see_contact_email", "see_audit_log", "see_dashboard"},
}


@pytest.fixture
def concern(briefing):
    return ConcernFactory(
        consultation=briefing, status="pending", text=SECRET_TEXT, contact_email=EMAIL, contact_consent=True
    )


@pytest.fixture
def event(concern):
    moderator = StaffFactory(username="moderator")
    return moderate_concern(concern_id=concern.pk, to_status="spam", actor=moderator, reason="test").event


def is_login_redirect(response) -> bool:
    return response.status_code == 302 and reverse("admin:login") in response.url


def denied(response) -> bool:
    """Refused: the login page for the anonymous, 403 for staff without the permission."""
    return is_login_redirect(response) or response.status_code == 403


def see_queue(client, concern, event) -> bool:
    response = client.get(reverse("admin:feedback_concern_changelist"), {"moderation": "all"})
    if denied(response):
        return False
    assert response.status_code == 200
    return SECRET_TEXT in response.content.decode()


def approve(client, concern, event) -> bool:
    client.post(
        reverse("admin:feedback_concern_changelist") + "?moderation=all",
        {"action": "approve", "_selected_action": [concern.pk], "index": 0},
    )
    concern.refresh_from_db()
    return concern.status == Concern.Status.APPROVED


def reject(client, concern, event) -> bool:
    concern.refresh_from_db()
    response = client.post(
        reverse("admin:feedback_concern_change", args=[concern.pk]),
        {"_reject": "Reject", "expected_version": concern.version, "moderation_note": "", "reason": "off topic"},
    )
    concern.refresh_from_db()
    if concern.status == Concern.Status.REJECTED:
        return True
    assert denied(response)
    return False


def delete(client, concern, event) -> bool:
    response = client.post(reverse("admin:feedback_concern_delete", args=[concern.pk]), {"post": "yes"})
    if Concern.objects.filter(pk=concern.pk).exists():
        assert denied(response)
        return False
    return True


def see_contact_email(client, concern, event) -> bool:
    pages = [
        client.get(reverse("admin:feedback_concern_changelist"), {"moderation": "all"}),
        client.get(reverse("admin:feedback_concern_change", args=[concern.pk])),
    ]
    if all(denied(page) for page in pages):
        return False
    shown = [EMAIL in page.content.decode() for page in pages]
    searched = client.get(reverse("admin:feedback_concern_changelist"), {"moderation": "all", "q": "maria.contact"})
    found_by_email = SECRET_TEXT in searched.content.decode()
    assert shown[0] == shown[1] == found_by_email, "the list, the page and the search must agree"
    return shown[0]


def see_audit_log(client, concern, event) -> bool:
    response = client.get(reverse("admin:feedback_moderationevent_changelist"))
    if denied(response):
        return False
    assert response.status_code == 200
    return f"#{concern.pk}" in response.content.decode()


def edit_audit_log(client, concern, event) -> bool:
    attempts = [
        client.post(reverse("admin:feedback_moderationevent_change", args=[event.pk]), {"reason": "rewritten"}),
        client.post(reverse("admin:feedback_moderationevent_delete", args=[event.pk]), {"post": "yes"}),
        client.post(reverse("admin:feedback_moderationevent_add"), {"concern_number": 1, "to_status": "approved"}),
        client.post(
            reverse("admin:feedback_moderationevent_changelist"),
            {"action": "delete_selected", "_selected_action": [event.pk], "index": 0, "post": "yes"},
        ),
    ]
    event_rows = list(ModerationEvent.objects.values_list("pk", "reason"))
    if event_rows != [(event.pk, "test")]:
        return True
    # The add, change and delete pages refuse outright; the list simply offers no delete action.
    assert all(denied(attempt) for attempt in attempts[:3]), [attempt.status_code for attempt in attempts]
    return False


def see_dashboard(client, concern, event) -> bool:
    response = client.get(reverse("admin_dashboard"))
    if denied(response):
        return False
    assert response.status_code == 200
    return "Endorsements per remedy" in response.content.decode()


CHECKS = {name: globals()[name] for name in ABILITIES}


@pytest.mark.parametrize("role", list(ALLOWED))
@pytest.mark.parametrize("ability", ABILITIES)
def test_permission_matrix(client, concern, event, role, ability, request):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))

    did_it = CHECKS[ability](client, concern, event)

    assert did_it == (ability in ALLOWED[role])


def test_staff_without_a_role_see_neither_queue_nor_dashboard(client, concern):
    client.force_login(StaffFactory(username="nobody"))
    assert client.get(reverse("admin:feedback_concern_changelist")).status_code == 403
    assert client.get(reverse("admin_dashboard")).status_code == 403


def test_an_organizer_sees_a_concern_read_only_without_decision_buttons(client, concern, organizer):
    client.force_login(organizer)
    page = client.get(reverse("admin:feedback_concern_change", args=[concern.pk])).content.decode()
    assert SECRET_TEXT in page
    assert 'name="_approve"' not in page and 'name="expected_version"' not in page


def test_an_organizer_is_offered_no_moderation_action(client, concern, organizer):
    client.force_login(organizer)
    page = client.get(reverse("admin:feedback_concern_changelist")).content.decode()
    assert 'value="approve"' not in page and 'value="reject"' not in page


def test_an_advocate_enters_paper_concerns_without_contact_fields(client, briefing, advocate):
    client.force_login(advocate)
    page = client.get(reverse("admin:feedback_concern_add")).content.decode()
    assert 'name="text"' in page and 'name="source"' in page
    assert 'name="contact_email"' not in page


def test_granting_view_contact_shows_the_email_to_an_advocate(client, concern, advocate):
    from django.contrib.auth.models import Permission

    advocate.user_permissions.add(Permission.objects.get(codename="view_contact"))
    client.force_login(advocate)
    page = client.get(reverse("admin:feedback_concern_change", args=[concern.pk])).content.decode()
    assert EMAIL in page


def test_even_a_superuser_is_offered_no_way_to_edit_the_audit_log(client, event, superuser):
    client.force_login(superuser)
    page = client.get(reverse("admin:feedback_moderationevent_change", args=[event.pk])).content.decode()
    assert 'name="_save"' not in page and 'name="reason"' not in page
    listing = client.get(reverse("admin:feedback_moderationevent_changelist")).content.decode()
    assert "delete_selected" not in listing
    assert reverse("admin:feedback_moderationevent_add") not in listing
