"""Organizers and advocates read themes in the admin: label, size, share by topic and area, the exact concerns."""

from __future__ import annotations

import pytest
from django.urls import reverse

from feedback.models import Theme
from feedback.themes.services import rebuild_themes
from tests.factories import ConcernFactory

CHANGELIST = reverse("admin:feedback_theme_changelist")
DEPORTATION = "Tengo miedo a la deportación de mi familia; deportan a los padres de mis vecinos."


@pytest.fixture
def themed(briefing):
    """Six concerns on deportation fears: five from one community area, one from a rare area."""
    for area in ("30", "30", "30", "30", "30", "55"):
        ConcernFactory(consultation=briefing, community_area=area, text=f"{DEPORTATION} ({area})")
    ConcernFactory(consultation=briefing, status="pending", community_area="30", text=DEPORTATION + " pending")
    rebuild_themes(consultation=briefing)
    return Theme.objects.get()


def change_url(theme: Theme) -> str:
    return reverse("admin:feedback_theme_change", args=[theme.pk])


@pytest.mark.parametrize("role", ["advocate", "organizer"])
def test_both_roles_see_the_themes_with_size_and_share(client, themed, role, request):
    client.force_login(request.getfixturevalue(role))
    page = client.get(CHANGELIST).content.decode()
    assert themed.display_label in page
    assert ">7<" in page and "100%" in page


def test_a_theme_page_hides_small_groups_as_the_public_results_do(client, themed, organizer):
    client.force_login(organizer)
    page = client.get(change_url(themed)).content.decode()
    assert "South Lawndale" in page and "Hegewisch" in page
    # One hidden cell would be given away by the total, so the next smallest is hidden too.
    assert page.count('<td class="numeric" colspan="2">hidden</td>') == 2
    assert "Internal: contains small groups" not in page


def test_the_internal_version_shows_exact_figures_and_says_so(client, themed, organizer):
    client.force_login(organizer)
    page = client.get(change_url(themed), {"internal": "1"}).content.decode()
    assert "Internal: contains small groups" in page
    assert ">hidden</td>" not in page
    assert '<td class="numeric">6</td>' in page and '<td class="numeric">1</td>' in page


def test_the_page_lists_the_exact_concerns_of_the_theme_and_links_them_all(client, themed, advocate):
    client.force_login(advocate)
    page = client.get(change_url(themed)).content.decode()
    for concern in themed.concerns.all():
        assert concern.text in page
    response = client.get(reverse("admin:feedback_concern_changelist"), {"theme": themed.pk, "moderation": "all"})
    assert response.content.decode().count('class="action-select"') == 7


def test_editing_the_label_keeps_it_as_staff_wrote_it(client, themed, organizer):
    client.force_login(organizer)
    response = client.post(change_url(themed), {"label": "Families fear deportation"})
    assert response.status_code == 302
    themed.refresh_from_db()
    assert (themed.label, themed.label_edited) == ("Families fear deportation", True)


def test_saving_the_label_unchanged_does_not_mark_it_edited(client, themed, organizer):
    client.force_login(organizer)
    client.post(change_url(themed), {"label": themed.display_label})
    themed.refresh_from_db()
    assert not themed.label_edited


def test_themes_are_neither_added_nor_deleted_by_hand(client, themed, superuser):
    client.force_login(superuser)
    assert client.get(reverse("admin:feedback_theme_add")).status_code == 403
    assert client.get(reverse("admin:feedback_theme_delete", args=[themed.pk])).status_code == 403


def test_the_build_button_builds_the_themes_again(client, briefing, organizer, django_capture_on_commit_callbacks):
    ConcernFactory.create_batch(3, consultation=briefing, text=DEPORTATION)
    client.force_login(organizer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:feedback_theme_rebuild"), {"consultation": briefing.pk})
    assert response.status_code == 302
    assert sum(Theme.objects.values_list("size", flat=True)) == 3  # tasks run in-process without a broker
    assert "are being built again" in client.get(response.url).content.decode()


def test_the_build_button_refuses_nonsense(client, briefing, organizer):
    client.force_login(organizer)
    response = client.post(reverse("admin:feedback_theme_rebuild"), {"consultation": "abc"})
    assert "Choose a consultation" in client.get(response.url).content.decode()
    assert client.get(reverse("admin:feedback_theme_rebuild")).status_code == 405


def test_the_theme_page_takes_a_fixed_number_of_queries(client, briefing, themed, organizer, django_assert_num_queries):
    client.force_login(organizer)
    client.get(change_url(themed))
    # Session, user, the theme (for the breakdown, then the admin's own), counts by topic and by area, topic
    # names, the theme's concerns, permissions (2), the theme's topic and consultation for the form.
    with django_assert_num_queries(12):
        client.get(change_url(themed))
