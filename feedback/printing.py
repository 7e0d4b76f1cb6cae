"""Printable documents as PDF (participation code slips, certificates), from the same HTML as their printable page."""

from __future__ import annotations


class PdfUnavailable(Exception):
    """WeasyPrint (or the Pango libraries it needs) is not installed here; the HTML form still works."""


def html_to_pdf(html: str) -> bytes:
    """The PDF of a self-contained HTML document: nothing is fetched but inline `data:` resources."""
    try:
        # Imported on first use: WeasyPrint loads Pango through cffi, which is slow and which a
        # machine without Debian's Pango libraries cannot do; nothing else needs it.
        from weasyprint import HTML
        from weasyprint.urls import URLFetcher
    except (ImportError, OSError) as error:
        raise PdfUnavailable(str(error)) from None
    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"})).write_pdf()
