"""The human form of a certificate: one printable HTML page, and the same as PDF."""

from __future__ import annotations

from django.template.loader import render_to_string

from ..models import Concern
from ..printing import html_to_pdf
from .ledger import CONCERN_PARTS


def certificate_html(document: dict) -> str:
    """A self-contained page (style inline, nothing fetched) to print or keep with the JSON file.

    In the active language; the names of remedies and topics are the certificate's own (English).
    """
    source_labels = dict(Concern.Source.choices)
    tallies = document["tallies"]
    labels = {row["key"]: row["label"] for row in tallies.get("endorsements_per_remedy", [])}
    endorsements = document["ledger"]["endorsements"]
    concerns = document["ledger"]["concerns"]
    context = {
        "document": document,
        "totals": tallies.get("totals", []),
        "remedies": tallies.get("endorsements_per_remedy", []),
        "topics": tallies.get("concerns_per_topic", []),
        "remedy_ledger": [(labels.get(key, key), figures) for key, figures in endorsements["by_remedy"].items()],
        "endorsement_total": endorsements["total"],
        "concern_parts": CONCERN_PARTS,
        "concern_ledger": [
            (
                source_labels.get(source, source),
                [figures["received"], *(figures[part] for part in CONCERN_PARTS), figures["unaccounted"]],
            )
            for source, figures in concerns["by_source"].items()
        ],
        "concern_total": [
            concerns["total"]["received"],
            *(concerns["total"][part] for part in CONCERN_PARTS),
            concerns["total"]["unaccounted"],
        ],
    }
    return render_to_string("certification/certificate.html", context)


def certificate_pdf(document: dict) -> bytes:
    """The printable page as PDF; raises printing.PdfUnavailable where WeasyPrint cannot run."""
    return html_to_pdf(certificate_html(document))
