"""The sheet of cut-out slips a batch of participation codes is printed on: printable HTML, PDF or CSV.

Each slip carries one code, the address where to type it and a QR code of that address (drawn here
by segno: no third-party request), in English and Spanish. The QR code never holds the code itself,
so a code is not kept in a browser's history or a server's log when someone scans it.
"""

from __future__ import annotations

import csv
import io

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from ..printing import html_to_pdf
from .services import IssuedBatch

# Extension -> content type of each way to get the slips.
SLIP_FORMATS = {"html": "text/html; charset=utf-8", "pdf": "application/pdf", "csv": "text/csv; charset=utf-8"}


def code_entry_url(consultation) -> str:
    """The absolute address of the page where a code is typed in (SITE_URL and the default language)."""
    with translation.override(settings.LANGUAGE_CODE):
        path = reverse("participation_code", args=[consultation.slug])
    return settings.SITE_URL.rstrip("/") + path


def slips_html(issued: IssuedBatch) -> str:
    """A self-contained page of slips, ten to a page, style and QR code inline (nothing is fetched)."""
    url = code_entry_url(issued.batch.consultation)
    return render_to_string(
        "verification/code_slips.html",
        {
            "batch": issued.batch,
            "codes": issued.codes,
            "address": url.split("://", 1)[-1],
            "qr_svg": segno.make(url, error="m").svg_inline(scale=2, border=0),
        },
    )


def slips_csv(issued: IssuedBatch) -> bytes:
    """One code a line, with its last valid day (UTF-8 with a byte-order mark, for spreadsheets)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["code", "valid_until", "address"])
    address = code_entry_url(issued.batch.consultation)
    for code in issued.codes:
        writer.writerow([code, issued.batch.expires_on.isoformat(), address])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def render_slips(issued: IssuedBatch, fmt: str) -> bytes:
    """The slips as `fmt` (html, pdf or csv); pdf raises printing.PdfUnavailable without WeasyPrint."""
    if fmt == "csv":
        return slips_csv(issued)
    html = slips_html(issued)
    return html_to_pdf(html) if fmt == "pdf" else html.encode("utf-8")
