"""The report as HTML (prints from any browser) and as PDF (WeasyPrint, which needs Debian's Pango libraries).

WeasyPrint is imported only when a PDF is asked for: a machine without Pango (a laptop running `make run`)
still serves the dashboard and the HTML report, and the PDF link says in one line what to install.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation

from ..models import Consultation
from .contents import ConsultationReport, report_for

REPORT_TEMPLATE = "reports/consultation_report.html"
REPORT_STYLESHEET = "css/report.css"
# What WeasyPrint's documentation lists for Debian 12 (wheels in a virtual environment), and fonts to draw with.
PDF_PACKAGES = "libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core"
INSTALL_HINT = f"PDF reports need Pango: sudo apt-get install -y {PDF_PACKAGES} (the HTML report works without it)."


class PdfRendererMissing(Exception):
    """WeasyPrint or the system libraries it loads are missing; `str()` is the one line saying what to install."""


def _stylesheet_path() -> Path:
    found = finders.find(REPORT_STYLESHEET)
    if not found:  # collected static files only (a deployment without the source folders)
        found = str(Path(settings.STATIC_ROOT) / REPORT_STYLESHEET)
    return Path(found)


def render_report_html(report: ConsultationReport, *, language: str, standalone: bool = False) -> str:
    """The report as one HTML page in `language`. `standalone` puts the stylesheet inside the page (a file to
    open or print anywhere); otherwise the page links it from the site's static files (the strict CSP allows no
    inline style)."""
    with translation.override(language):
        return render_to_string(
            REPORT_TEMPLATE,
            {
                "report": report,
                "language": language,
                "standalone": standalone,
                "stylesheet": _stylesheet_path().read_text(encoding="utf-8") if standalone else "",
            },
        )


def _weasyprint():
    try:
        return importlib.import_module("weasyprint")
    except (ImportError, OSError) as error:  # OSError: "cannot load library 'libpango-1.0-0'"
        raise PdfRendererMissing(INSTALL_HINT) from error


def pdf_renderer_problem() -> str:
    """'' when PDFs can be made here, else the one line that says what to install."""
    try:
        _weasyprint()
    except PdfRendererMissing as missing:
        return str(missing)
    return ""


def _refuse_fetching(url: str, *args, **kwargs):
    """The report embeds everything it shows; it never fetches a file or an address while rendering."""
    raise ValueError(f"The report does not load {url!r}.")


def render_report_pdf(report: ConsultationReport, *, language: str) -> bytes:
    """The report as a PDF in `language`, drawn by WeasyPrint on this server (no request leaves it).

    Raises PdfRendererMissing (with the one line saying what to install) when WeasyPrint cannot load.
    """
    weasyprint = _weasyprint()
    html = render_report_html(report, language=language, standalone=True)
    document = weasyprint.HTML(string=html, url_fetcher=_refuse_fetching, base_url=str(settings.BASE_DIR))
    return document.write_pdf()


FORMATS = ("pdf", "html")


@dataclass(frozen=True)
class ReportDocument:
    content: bytes
    content_type: str
    filename: str


def report_document(
    consultation: Consultation, *, language: str, internal: bool = False, fmt: str = "pdf", standalone: bool = True
) -> ReportDocument:
    """The report of `consultation` counted now, in `language` (labels, dates and numbers), as PDF or HTML.

    HTML is `standalone` (its stylesheet inside, to save or print anywhere) unless the site serves it, where
    it links the stylesheet. Raises PdfRendererMissing for a PDF when WeasyPrint cannot load, and ValueError
    for an unknown language or format.
    """
    if language not in dict(settings.LANGUAGES) or fmt not in FORMATS:
        raise ValueError(f"Unknown language {language!r} or format {fmt!r}.")
    with translation.override(language):
        report = report_for(consultation, internal=internal)
    suffix = "-internal" if internal else ""
    filename = f"{consultation.slug}-report-{report.generated_at:%Y-%m-%d}-{language}{suffix}.{fmt}"
    if fmt == "pdf":
        return ReportDocument(render_report_pdf(report, language=language), "application/pdf", filename)
    html = render_report_html(report, language=language, standalone=standalone)
    return ReportDocument(html.encode("utf-8"), "text/html; charset=utf-8", filename)
