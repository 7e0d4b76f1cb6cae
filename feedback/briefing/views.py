"""Public pages about the consultation itself: the briefing."""

from __future__ import annotations

from django.shortcuts import render
from django.templatetags.static import static

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
    # The summary's first paragraph is the page's short summary (and its link preview); the rest is background.
    paragraphs = [paragraph.strip() for paragraph in briefing.summary.split("\n\n") if paragraph.strip()] or [""]
    return render(
        request,
        "feedback/briefing.html",
        {
            "consultation": briefing,
            "topic_groups": topic_groups,
            "summary_lead": paragraphs[0],
            "summary_rest": paragraphs[1:],
            "og_image": request.build_absolute_uri(static("img/civictrust-card.png")),
        },
    )
