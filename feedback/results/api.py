"""Public read-only JSON: the same figures as the public results page, for journalists' and partners' scripts.

The numbers come from `results.publication.published_results`, so they are the page's own: the same batch
(published at most every RESULTS_PUBLISH_SECONDS), the same breakdowns by people with small-cell
suppression (RESULTS_MIN_CELL). Exact figures exist only in the staff area.
"""

from __future__ import annotations

from django.conf import settings
from django.http import JsonResponse
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import require_safe

from civictrust.db import reads_figures

from ..models import Consultation
from .publication import published_results
from .tallies import TallyRow
from .verified import VERIFIED_MEANS


def _rows(rows: list[TallyRow]) -> list[dict]:
    """A breakdown as JSON: a hidden cell has `count: null` and `suppressed: true`; exact rows add `verified`."""
    return [
        {"key": row.key, "label": row.label, "count": row.count, "suppressed": row.suppressed}
        | ({"verified": row.verified} if row.verified is not None else {})
        for row in rows
    ]


def _language(request) -> str:
    requested = request.GET.get("lang", "")
    return requested if requested in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


@require_safe
@reads_figures
def tallies_json(request, slug: str):
    """`/api/c/<slug>/tallies.json[?lang=es]`: the public tallies of one consultation."""
    language = _language(request)
    consultation = Consultation.objects.filter(slug=slug).first()
    if consultation is None:
        return JsonResponse({"error": "No consultation with that address."}, status=404)
    with translation.override(language):
        results = published_results(consultation)
        body = {
            "consultation": {
                "slug": consultation.slug,
                "title": consultation.title,
                "status": consultation.status,
            },
            "language": language,
            "min_cell": results.min_cell,
            "totals": {
                "endorsements": results.total_endorsements,
                "participants": results.total_participants,
                "concerns": results.total_concerns,
            },
            "verified": {
                "endorsements": results.verified_endorsements,
                "participants": results.verified_participants,
                "concerns": results.verified_concerns,
            },
            "verified_means": str(VERIFIED_MEANS),
            "endorsements_per_remedy": _rows(results.endorsements_per_remedy),
            "concerns_per_topic": _rows(results.concerns_per_topic),
            "participants_by_area": _rows(results.participants_by_area),
            "participants_by_role": _rows(results.participants_by_role),
            "concerns_by_area": _rows(results.concerns_by_area),
            "concerns_by_role": _rows(results.concerns_by_role),
        }
    response = JsonResponse(body, json_dumps_params={"ensure_ascii": False})
    patch_cache_control(response, public=True, max_age=settings.RESULTS_PUBLISH_SECONDS)
    patch_vary_headers(response, ["Accept-Encoding"])
    # Read-only public figures: any site may fetch them (no cookies are sent or read).
    response["Access-Control-Allow-Origin"] = "*"
    return response
