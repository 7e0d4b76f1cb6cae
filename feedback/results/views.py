"""Results pages: the public results (published in batches, suppressed) and the staff dashboard (exact)."""

from __future__ import annotations

import hashlib

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from civictrust.db import reads_figures

from ..briefing.selectors import consultation_by_slug, default_consultation, published_labels_digest
from ..bursts.detection import unusual_bursts
from ..community_areas import COMMUNITY_AREA_CHOICES
from ..languages import is_right_to_left
from ..models import Concern, Consultation, Role
from ..roles import VIEW_DASHBOARD_PERMISSION
from ..widgets import PlainSelect
from .caching import cached, keep, kept
from .dashboard import dashboard_for
from .public import PublicResults
from .public_charts import results_charts
from .publication import current_window, published_results
from .tallies import TallyFilters
from .verified import VERIFIED_MEANS


@reads_figures
def results(request, slug: str):
    page_key = _shared_page_key(request, slug)
    if page_key is not None and (page := kept(page_key)) is not None:
        return HttpResponse(page)
    consultation = consultation_by_slug(slug)
    published = published_results(consultation)
    if published.window is None:
        results_html = _render_results(published)
    else:
        # The charts and tables are drawn once per set of figures and language, not per visitor: the key is the
        # figures themselves, so a new batch or a remedy unpublished in the admin shows at once.
        digest = hashlib.sha256(repr(published).encode()).hexdigest()[:32]
        results_html = cached(
            f"civictrust:results-page:{consultation.pk}:{get_language()}:{digest}",
            settings.RESULTS_PUBLISH_SECONDS * 2,
            lambda: _render_results(published),
        )
    response = render(
        request,
        "feedback/results.html",
        {"consultation": consultation, "results_html": results_html, "verified_means": VERIFIED_MEANS},
    )
    if page_key is not None and published.window is not None:
        keep(page_key, response.content, settings.RESULTS_PUBLISH_SECONDS * 2)
    return response


def _shared_page_key(request, slug: str) -> str | None:
    """The key of the results page as every visitor sees it in this publication window, in this language; None
    when this request's page is its own: figures counted for it alone (RESULTS_PUBLISH_SECONDS = 0), a query
    string (the language links carry it), a message waiting for this visitor, or no such consultation.

    A kept page costs one query (the labels' digest) instead of four and the labelling of every figure: the
    figures of a window never change once counted, and the digest changes with anything the admin edits.
    """
    if settings.RESULTS_PUBLISH_SECONDS <= 0 or request.GET or len(messages.get_messages(request)):
        return None
    labels = published_labels_digest(slug)
    if labels is None:
        return None
    page = f"{request.scheme}://{request.get_host()}{request.path}|{get_language()}|{current_window()}|{labels}"
    return f"civictrust:shared-results-page:{hashlib.sha256(page.encode()).hexdigest()}"


def _render_results(results: PublicResults) -> str:
    return render_to_string(
        "feedback/includes/results_body.html",
        {
            "results": results,
            "charts": results_charts(results, right_to_left=is_right_to_left(get_language())),
            "counted_at": timezone.now(),
            "publish_seconds": settings.RESULTS_PUBLISH_SECONDS,
            "verified_means": VERIFIED_MEANS,
        },
    )


class DashboardFilterForm(forms.Form):
    """The dashboard's filters, read from the query string; every field may be left empty."""

    consultation = forms.ModelChoiceField(
        label=_("Consultation"),
        queryset=Consultation.objects.order_by("-opens_at"),
        required=False,
        to_field_name="slug",
        empty_label=_("Default consultation"),
    )
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    community_area = forms.ChoiceField(
        label=_("Community area"),
        required=False,
        choices=[("", _("All areas")), *COMMUNITY_AREA_CHOICES],
        widget=PlainSelect,
    )
    role = forms.ChoiceField(label=_("Role"), required=False, choices=[("", _("All roles")), *Role.choices])
    source = forms.ChoiceField(
        label=_("Source"),
        required=False,
        choices=[("", _("All sources")), *Concern.Source.choices],
        help_text=_("Concerns only: endorsements are always made on the web."),
    )

    def clean(self):
        cleaned_data = super().clean()
        since, until = cleaned_data.get("since"), cleaned_data.get("until")
        if since and until and since > until:
            raise forms.ValidationError(_("The start date is after the end date."))
        return cleaned_data

    def tally_filters(self) -> TallyFilters:
        data = self.cleaned_data
        return TallyFilters(
            since=data["since"],
            until=data["until"],
            community_area=data["community_area"],
            role=data["role"],
            source=data["source"],
        )


@reads_figures
def dashboard(request):
    """Per-consultation totals and breakdowns for staff with `feedback.view_dashboard` (no suppression).

    Wrapped in `admin.site.admin_view` (civictrust/urls.py): only signed-in staff reach it. The
    figures may be up to DASHBOARD_CACHE_SECONDS old; `?recount=1` (the "Count again" link) recounts.
    The unusual bursts of the consultation (whatever the filters) are always current.
    """
    if not request.user.has_perm(VIEW_DASHBOARD_PERMISSION):
        raise PermissionDenied
    form = DashboardFilterForm(request.GET or None)
    filters, consultation = TallyFilters(), None
    if form.is_bound:
        if form.is_valid():
            filters, consultation = form.tally_filters(), form.cleaned_data["consultation"]
        else:
            messages.error(request, gettext("Some filters could not be used, so no filter is applied: see below."))
    consultation = consultation or default_consultation()
    recount = request.GET.get("recount") == "1"
    recount_query = request.GET.copy()
    recount_query["recount"] = "1"
    context = {
        **admin.site.each_context(request),
        "title": gettext("Results dashboard"),
        "subtitle": None,
        "form": form,
        "consultation": consultation,
        "dashboard": dashboard_for(consultation, filters, recount=recount) if consultation else None,
        # Never cached: an organizer who just excluded a burst sees it so (one query when there is none).
        "bursts": unusual_bursts(consultation) if consultation else [],
        "recount_url": f"?{recount_query.urlencode()}",
        "cache_seconds": settings.DASHBOARD_CACHE_SECONDS,
        "verified_means": VERIFIED_MEANS,
        "burst_settings": {
            "min_arrivals": settings.BURST_MIN_ARRIVALS,
            "baseline_hours": settings.BURST_BASELINE_HOURS,
            "mad_factor": settings.BURST_MAD_FACTOR,
            "new_percent": settings.BURST_MIN_NEW_PERCENT,
            "retention_days": settings.BURST_WINDOW_RETENTION_DAYS,
        },
    }
    return TemplateResponse(request, "admin/dashboard.html", context)
