"""Writes for certificates: certify a consultation's tallies (the document is kept as issued)."""

from __future__ import annotations

from ..models import Certificate, Consultation
from .document import build_document


def certify_tallies(*, consultation: Consultation, actor=None) -> Certificate:
    """Count everything a certificate states, seal it with its digest and keep it; returns the Certificate.

    Read-only for everything but the new Certificate row (one insert). An unbalanced ledger or a
    broken audit log is not refused: the certificate states it, for the organizers to explain.
    """
    document = build_document(consultation)
    return Certificate.objects.create(
        consultation=consultation, digest=document["digest"]["value"], document=document, issued_by=actor
    )
