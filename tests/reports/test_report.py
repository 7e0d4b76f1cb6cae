"""The report for City Hall: the site's figures, small groups hidden unless internal, PDF or printable HTML."""

from __future__ import annotations

import importlib
import io
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from feedback.models import Concern, Endorsement, Remedy, Theme, ThemeMembership
from feedback.reports import rendering
from feedback.reports.contents import report_for
from feedback.reports.rendering import INSTALL_HINT, render_report_html, report_document
from feedback.results.public import count_published_figures, label_results
from feedback.results.tallies import tallies_for
from feedback.themes.selectors import published_quotes
from feedback.themes.services import rebuild_themes
from tests.factories import ConcernFactory, EndorsementFactory

REPORT = reverse("admin_report")
QUOTE = "Since the raids my mother will not go to the clinic, and nobody answers the parish phone."


@pytest.fixture
def chicago(briefing):
    """Worst case for privacy: one person from Hegewisch (a rare area) endorsing three remedies, plus a crowd."""
    remedies = list(Remedy.objects.filter(consultation=briefing, is_published=True))
    lonely = uuid.uuid4()
    for remedy in remedies[:3]:
        EndorsementFactory(remedy=remedy, participant=lonely, community_area="55", role="other")
    for _ in range(12):
        EndorsementFactory(remedy=remedies[0], community_area="30", role="resident")
    ConcernFactory(consultation=briefing, status="approved", text=QUOTE, community_area="30")
    ConcernFactory(consultation=briefing, status="pending", text="Pending words never quoted in the report.")
    ConcernFactory(consultation=briefing, status="rejected", text="Rejected words never quoted anywhere.")
    rebuild_themes(consultation=briefing)
    return briefing


def test_the_report_shows_the_exact_totals_of_the_tallies(chicago):
    tallies = tallies_for(chicago)
    report = report_for(chicago)
    figures = {row.key: row.total for row in report.participation}
    assert figures == {"participants": 13, "endorsements": 15, "concerns": 2, "published": 1}
    assert figures["participants"] == tallies.total_participants
    assert [row.count for row in report.remedies] == sorted((row.count for row in report.remedies), reverse=True)
    assert sum(row.count for row in report.remedies) == tallies.total_endorsements


def test_the_public_version_hides_small_groups_exactly_as_the_results_page(chicago):
    report = report_for(chicago)
    public = label_results(chicago, count_published_figures(chicago))
    assert report.endorsements_by_area == public.participants_by_area
    assert report.concerns_by_role == public.concerns_by_role
    hegewisch = next(row for row in report.endorsements_by_area if row.key == "55")
    assert hegewisch.suppressed and hegewisch.count is None
    page = render_report_html(report, language="en", standalone=True)
    assert "Hegewisch" in page and "Internal" not in page and "internal: contains" not in page


def test_the_internal_version_is_exact_and_marked_on_every_page(chicago):
    report = report_for(chicago, internal=True)
    hegewisch = next(row for row in report.endorsements_by_area if row.key == "55")
    assert (hegewisch.count, hegewisch.suppressed) == (1, False)  # one person, though three endorsements
    page = render_report_html(report, language="en", standalone=True)
    assert "(internal: contains small groups)</title>" in page
    assert 'class="ct-internal-banner"' in page


def test_themes_quote_published_concerns_word_for_word_and_nothing_else(chicago):
    page = render_report_html(report_for(chicago), language="en", standalone=True)
    assert f"“{QUOTE}”" in page
    assert "Pending words" not in page and "Rejected words" not in page


def test_no_verified_column_until_participation_codes_exist(chicago):
    report = report_for(chicago)
    assert not report.has_verified
    assert ">Verified<" not in render_report_html(report, language="en", standalone=True)


def test_the_report_speaks_spanish_with_spanish_labels_and_numbers(chicago):
    document = report_document(chicago, language="es", fmt="html")
    page = document.content.decode()
    assert '<html lang="es">' in page
    with translation.override("es"):
        remedy = Remedy.objects.filter(consultation=chicago).first()
        assert remedy.title in page
    assert "Cómo se calculan estas cifras" in page
    assert document.filename.endswith("-es.html")


def test_the_pdf_is_a_few_pages(chicago):
    import weasyprint

    report = report_for(chicago)
    html = render_report_html(report, language="en", standalone=True)
    pages = weasyprint.HTML(string=html, url_fetcher=rendering._refuse_fetching).render().pages
    assert 2 <= len(pages) <= 8
    assert report_document(chicago, language="en").content.startswith(b"%PDF")


def test_the_command_writes_pdf_and_standalone_html(chicago, tmp_path):
    call_command(
        "consultation_report", consultation="chicago", lang="en", output=str(tmp_path / "r.pdf"), stdout=io.StringIO()
    )
    call_command(
        "consultation_report",
        consultation="chicago",
        lang="es",
        output=str(tmp_path / "r.html"),
        internal=True,
        stdout=io.StringIO(),
    )
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "<style>" in html and "ct-internal-banner" in html
    with pytest.raises(CommandError, match=r"\.pdf or \.html"):
        call_command("consultation_report", consultation="chicago", output=str(tmp_path / "r.docx"))


@pytest.fixture
def without_pango(monkeypatch):
    """WeasyPrint present but Pango missing, as on a laptop that only ran `make run`."""
    real = importlib.import_module

    def import_module(name, *args, **kwargs):
        if name == "weasyprint":
            raise OSError("cannot load library 'libpango-1.0-0': libpango-1.0-0: cannot open shared object file")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(rendering.importlib, "import_module", import_module)


def test_without_pango_the_command_says_what_to_install_and_html_still_works(chicago, tmp_path, without_pango):
    with pytest.raises(CommandError) as refused:
        call_command("consultation_report", consultation="chicago", output=str(tmp_path / "r.pdf"))
    assert str(refused.value) == INSTALL_HINT and "apt-get install" in INSTALL_HINT and "\n" not in INSTALL_HINT
    assert not (tmp_path / "r.pdf").exists()
    call_command("consultation_report", consultation="chicago", output=str(tmp_path / "r.html"), stdout=io.StringIO())
    assert (tmp_path / "r.html").exists()


def test_without_pango_the_dashboard_says_so_in_one_line_and_keeps_working(client, chicago, organizer, without_pango):
    client.force_login(organizer)
    page = client.get(reverse("admin_dashboard")).content.decode()
    assert INSTALL_HINT in page
    assert 'value="pdf"' not in page and 'value="html"' in page
    response = client.get(REPORT, {"consultation": "chicago", "language": "en", "format": "pdf"})
    assert response.status_code == 302
    assert INSTALL_HINT in client.get(response.url).content.decode()
    assert client.get(REPORT, {"consultation": "chicago", "language": "en", "format": "html"}).status_code == 200


def test_an_organizer_downloads_the_pdf_from_the_dashboard(client, chicago, organizer):
    client.force_login(organizer)
    dashboard = client.get(reverse("admin_dashboard")).content.decode()
    assert f'action="{REPORT}"' in dashboard and 'value="pdf"' in dashboard

    response = client.get(REPORT, {"consultation": "chicago", "language": "es", "format": "pdf", "internal": "on"})

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="chicago-report-')
    assert response["Content-Disposition"].endswith('-es-internal.pdf"')
    assert response.content.startswith(b"%PDF")


def test_the_printable_page_links_its_stylesheet_and_has_no_inline_style(client, chicago, advocate):
    client.force_login(advocate)
    response = client.get(REPORT, {"consultation": "chicago", "language": "en", "format": "html"})
    page = response.content.decode()
    assert response.status_code == 200
    assert '<link rel="stylesheet" href="/static/css/report.css">' in page
    assert "<style" not in page and "style=" not in page


def test_bad_choices_go_back_to_the_dashboard_with_a_message(client, chicago, organizer):
    client.force_login(organizer)
    response = client.get(REPORT, {"consultation": "nowhere", "language": "xx", "format": "doc"})
    assert response.status_code == 302
    assert "The report could not be made" in client.get(response.url).content.decode()


def test_staff_without_a_role_get_no_report(client, chicago, django_user_model):
    client.force_login(django_user_model.objects.create(username="nobody", is_staff=True))
    assert client.get(REPORT, {"consultation": "chicago", "language": "en", "format": "html"}).status_code == 403


def test_the_report_takes_the_same_number_of_queries_whatever_the_data(client, chicago, organizer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(organizer)
    query = {"consultation": "chicago", "language": "en", "format": "html"}
    with CaptureQueriesContext(connection) as small:
        client.get(REPORT, query)
    call_command("generate_demo_data", concerns=300, endorsements=2000, seed=4, stdout=io.StringIO())
    rebuild_themes(consultation=chicago)
    with CaptureQueriesContext(connection) as large:
        client.get(REPORT, query)
    assert len(large) == len(small)
    assert Concern.objects.count() > 300 and Endorsement.objects.count() > 2000


def test_a_text_many_residents_sent_is_quoted_once(briefing):
    shared = "Please keep ICE out of our schools and clinics, our children are afraid to go."
    other = "Nobody has explained to the families on our block what their rights are now, or who to call."
    theme = Theme.objects.create(consultation=briefing, label="Schools and clinics", size=5)
    for text in (shared, shared, " ".join(shared.upper().split()), f"{shared}  ", other):
        ThemeMembership.objects.create(theme=theme, concern=ConcernFactory(consultation=briefing, text=text))
    assert published_quotes([theme.pk], per_theme=2) == {theme.pk: [(shared, "en"), (other, "en")]}
