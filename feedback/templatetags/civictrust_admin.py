"""Template tags of the staff pages (the admin)."""

from __future__ import annotations

from django import template

from feedback.moderation.selectors import moderation_queue_counts
from feedback.reports.rendering import pdf_renderer_problem
from feedback.roles import VIEW_DASHBOARD_PERMISSION

register = template.Library()


@register.simple_tag(takes_context=True)
def staff_overview(context) -> dict:
    """What the admin index shows above the app list: the moderation queue's size and the dashboard link.

    One query (the queue counts), and only for staff who may see concerns.
    """
    user = context["request"].user
    overview = {"dashboard": user.has_perm(VIEW_DASHBOARD_PERMISSION), "queue": None}
    if user.has_perm("feedback.view_concern"):
        overview["queue"] = moderation_queue_counts()
    return overview


@register.simple_tag
def pdf_report_problem() -> str:
    """'' when this server can draw the PDF report, else the one line saying what to install (the dashboard's box)."""
    return pdf_renderer_problem()
