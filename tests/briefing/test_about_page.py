"""The About page: who runs the consultation, how to reach them, partners, what they do if asked for data.

Its list of what exists to hand over is the privacy page's own, in every language.
"""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command

from feedback.models import SiteAbout

PAGES = ["/", "/c/chicago/", "/c/chicago/concerns/new/", "/c/chicago/concerns/", "/c/chicago/remedies/"]
PAGES += ["/c/chicago/results/", "/c/chicago/print/", "/c/chicago/concerns/withdraw/", "/privacy/", "/about/"]


def section(page: str, start: str, end: str) -> str:
    return page[page.index(start) : page.index(end, page.index(start))]


def test_load_briefing_gives_the_about_page_chicago_defaults_in_english_and_spanish(briefing):
    about = SiteAbout.objects.get()
    assert about.operator_en == "The civictrust Chicago team" and about.operator_es == "El equipo de civictrust Chicago"
    assert "court order" in about.data_requests_en and "orden judicial" in about.data_requests_es
    assert "situación migratoria" in about.contact_es


def test_a_reload_keeps_what_an_administrator_wrote(briefing):
    SiteAbout.objects.update(operator_en="Pilsen Community Council")
    call_command("load_briefing", stdout=io.StringIO())
    assert SiteAbout.objects.count() == 1
    assert SiteAbout.objects.get().operator_en == "Pilsen Community Council"


@pytest.mark.parametrize(
    ("prefix", "heading", "operator"),
    [("", "Who runs it", "civictrust Chicago team"), ("/es", "Quién la organiza", "equipo de civictrust Chicago")],
)
def test_the_about_page_says_who_runs_it_and_what_they_do_if_asked_for_data(
    client, briefing, prefix, heading, operator
):
    SiteAbout.objects.update(
        partners_en="Pilsen Alliance\n\nBrighton Park Neighborhood Council", partners_es="Pilsen Alliance"
    )
    page = client.get(prefix + "/about/").content.decode()
    assert heading in page and operator in page
    assert 'id="data-requests"' in page
    partners = re.findall(r"<li>([^<]+)</li>", section(page, "<h2>", 'id="data-requests"'))
    assert partners == (
        ["Pilsen Alliance", "Brighton Park Neighborhood Council"] if not prefix else ["Pilsen Alliance"]
    )


@pytest.mark.parametrize(
    ("prefix", "operator", "data_requests"),
    [
        ("/pl", "Zespół civictrust Chicago", "nakazu sądowego"),
        ("/zh-hans", "civictrust 芝加哥团队", "法院命令"),
        ("/ar", "فريق civictrust في شيكاغو", "أمرًا قضائيًا"),
    ],
)
def test_the_about_page_reads_in_polish_chinese_and_arabic_with_no_english_left(
    client, briefing, prefix, operator, data_requests
):
    page = client.get(prefix + "/about/").content.decode()
    assert operator in page and data_requests in page
    assert "court order" not in page and "community meeting" not in page


def test_a_translations_file_cannot_translate_an_about_section_the_briefing_lacks():
    from feedback.briefing.loader import BriefingFileError, merge_translations

    briefing = {"consultation": {"slug": "chicago", "title": {"en": "T"}}}
    with pytest.raises(BriefingFileError, match="about section"):
        merge_translations(briefing, {"consultation": {"slug": "chicago"}, "about": {"contact": {"pl": "x"}}})


@pytest.mark.parametrize("prefix", ["", "/es"])
def test_what_exists_to_hand_over_is_exactly_what_the_privacy_page_lists(client, briefing, prefix):
    about = client.get(prefix + "/about/").content.decode()
    privacy = client.get(prefix + "/privacy/").content.decode()
    kept_on_about = section(about, "<dl>", "</dl>")
    assert kept_on_about == section(privacy, "<dl>", "</dl>")
    assert "<dt>" in kept_on_about
    never_kept = section(privacy, "<ul>", "</ul>")
    assert never_kept in about


def test_the_about_page_is_editable_in_the_admin_but_never_duplicated_or_deleted(client, briefing, superuser):
    client.force_login(superuser)
    about = SiteAbout.objects.get()
    change = client.get(f"/admin/feedback/siteabout/{about.pk}/change/")
    assert change.status_code == 200
    assert 'name="data_requests_en"' in change.content.decode() and 'name="data_requests_es"' in change.content.decode()
    assert client.get("/admin/feedback/siteabout/add/").status_code == 403
    assert client.get(f"/admin/feedback/siteabout/{about.pk}/delete/").status_code == 403


def test_without_any_about_text_the_page_still_lists_what_exists(client, db):
    page = client.get("/about/").content.decode()
    assert "have not described themselves yet" in page
    assert "Your contact email, only if you give it" in page


@pytest.mark.parametrize("prefix", ["", "/es"])
@pytest.mark.parametrize("path", PAGES)
def test_every_footer_links_to_the_about_page(client, briefing, prefix, path):
    page = client.get(prefix + path).content.decode()
    footer = page[page.index('<footer class="site-footer">') :]
    assert f'href="{prefix}/about/"' in footer


def test_the_concern_form_links_to_the_about_page(client, briefing):
    form = client.get("/c/chicago/concerns/new/").content.decode()
    main = form[form.index('<main id="main"') : form.index("</main>")]
    assert 'href="/about/"' in main and "what we do if the police or immigration authorities ask for data" in main
