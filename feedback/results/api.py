"""Public read-only JSON: the same figures as the public results page, for journalists' and partners' scripts.

The numbers come from `results.public.public_results`, so they carry the same small-cell suppression
(RESULTS_MIN_CELL) and the same short cache (RESULTS_CACHE_SECONDS, computed afresh if the cache
is down) as the page. Staff exports (feedback/exports.py) are the place for exact figures.
"""

from __future__ import annotations

from django.conf import settings
from django.http import JsonResponse
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import require_safe

from civictrust.db import reads_figures

from ..models import Consultation
from .public import public_results
from .tallies import TallyRow


def _rows(rows: list[TallyRow]) -> list[dict]:
    """A breakdown as JSON: a hidden cell has `count: null` and `suppressed: true`."""
    return [{"key": row.key, "label": row.label, "count": row.count, "suppressed": row.suppressed} for row in rows]


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
        results = public_results(consultation)
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
            "endorsements_per_remedy": _rows(results.endorsements_per_remedy),
            "concerns_per_topic": _rows(results.concerns_per_topic),
            "endorsements_by_area": _rows(results.endorsements_by_area),
            "endorsements_by_role": _rows(results.endorsements_by_role),
            "concerns_by_area": _rows(results.concerns_by_area),
            "concerns_by_role": _rows(results.concerns_by_role),
        }
    response = JsonResponse(body, json_dumps_params={"ensure_ascii": False})
    patch_cache_control(response, public=True, max_age=settings.RESULTS_CACHE_SECONDS)
    patch_vary_headers(response, ["Accept-Encoding"])
    # Read-only public figures: any site may fetch them (no cookies are sent or read).
    response["Access-Control-Allow-Origin"] = "*"
    return response
