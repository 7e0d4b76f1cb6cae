"""Reads of the briefing: which consultation, and its published content."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db.models import Prefetch, QuerySet, Value
from django.http import Http404
from modeltranslation.settings import AVAILABLE_LANGUAGES
from modeltranslation.utils import build_localized_fieldname

from ..models import Consultation, Remedy, SiteAbout, Stakeholder, Topic


def default_consultation() -> Consultation | None:
    """The consultation shown at "/": the configured one, else the newest open one."""
    consultations = Consultation.objects.all()
    return (
        consultations.filter(slug=settings.DEFAULT_CONSULTATION_SLUG).first()
        or consultations.filter(status=Consultation.Status.OPEN).first()
        or consultations.first()
    )


def consultation_by_slug(slug: str) -> Consultation:
    try:
        return Consultation.objects.get(slug=slug)
    except Consultation.DoesNotExist:
        raise Http404("No consultation with that address.") from None


def published_topics(consultation: Consultation):
    return Topic.objects.filter(consultation=consultation, is_published=True)


def _in_every_language(field: str) -> list[str]:
    return [build_localized_fieldname(field, language) for language in AVAILABLE_LANGUAGES]


def _names_only(items: QuerySet, name: str) -> QuerySet:
    """Only what a row of figures needs of each item: its key, order and `name` in every language (for the
    fallback). The texts of the briefing, in five languages, made loading a remedy cost more than counting it."""
    return items.only("key", "order", "consultation_id", *_in_every_language(name))


def published_remedy_names(consultation: Consultation) -> QuerySet:
    """The published remedies with their titles only (figures' labels)."""
    return _names_only(published_remedies(consultation), "title")


def published_topic_names(consultation: Consultation) -> QuerySet:
    """The published topics with their names only (figures' labels)."""
    return _names_only(published_topics(consultation), "name")


def published_labels_digest(slug: str) -> str | None:
    """A digest of all that the labels of the consultation `slug`'s public figures show, in one query; None
    when there is no such consultation.

    Its key and title, and for each published remedy and topic the key, order and name in every language: an
    item renamed, reordered or unpublished in the admin changes it, so a page kept under it is never shown stale.
    """
    titles, names = _in_every_language("title"), _in_every_language("name")
    # Not rewritten by modeltranslation, which would list the columns of each SELECT in its own order.
    consultation = Consultation.objects.rewrite(False).filter(slug=slug).order_by()
    remedies = Remedy.objects.rewrite(False).filter(consultation__slug=slug, is_published=True).order_by()
    topics = Topic.objects.rewrite(False).filter(consultation__slug=slug, is_published=True).order_by()
    consultation = consultation.values_list(Value("consultation"), "pk", "slug", "pk", *titles)
    remedies = remedies.values_list(Value("remedy"), "pk", "key", "order", *titles)
    topics = topics.values_list(Value("topic"), "pk", "key", "order", *names)
    rows = sorted(repr(row) for row in consultation.union(remedies, topics, all=True).order_by())
    if not any(row.startswith("('consultation',") for row in rows):
        return None
    return hashlib.sha256("\n".join(rows).encode()).hexdigest()


def published_remedies(consultation: Consultation):
    return Remedy.objects.filter(consultation=consultation, is_published=True)


def briefing_for(consultation: Consultation) -> Consultation:
    """The consultation with its published stakeholders, topics and remedies prefetched."""
    return Consultation.objects.prefetch_related(
        Prefetch(
            "stakeholders", queryset=Stakeholder.objects.filter(is_published=True), to_attr="briefing_stakeholders"
        ),
        Prefetch("topics", queryset=published_topics(consultation), to_attr="briefing_topics"),
        Prefetch("remedies", queryset=published_remedies(consultation), to_attr="briefing_remedies"),
    ).get(pk=consultation.pk)


def site_about() -> SiteAbout | None:
    """The About page's content (one row for the site), or None before `load_briefing` ran."""
    return SiteAbout.objects.order_by("pk").first()
