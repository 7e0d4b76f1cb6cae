"""Public pages about the consultation itself: the briefing and the privacy page."""

from __future__ import annotations

from django.shortcuts import render

from . import selectors


def home(request):
    consultation = selectors.default_consultation()
    if consultation is None:
        return render(request, "feedback/no_consultation.html", status=404)
    return _render_briefing(request, consultation)


def consultation_detail(request, slug: str):
    return _render_briefing(request, selectors.consultation_by_slug(slug))


def _render_briefing(request, consultation):
    briefing = selectors.briefing_for(consultation)
    topic_groups = {}
    for topic in briefing.briefing_topics:
        topic_groups.setdefault(topic.get_group_display(), []).append(topic)
    return render(
        request,
        "feedback/briefing.html",
        {"consultation": briefing, "topic_groups": topic_groups},
    )
