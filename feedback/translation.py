"""Fields of the briefing and the About page that carry an English and a Spanish text (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from .models import Consultation, Remedy, SiteAbout, Stakeholder, Topic


@register(Consultation)
class ConsultationTranslation(TranslationOptions):
    fields = ("title", "summary", "source_citation")


@register(Topic)
class TopicTranslation(TranslationOptions):
    fields = ("name", "description", "raised_by", "possible_outcome", "community_demand")


@register(Remedy)
class RemedyTranslation(TranslationOptions):
    fields = ("title", "benefit", "recommended_implementation", "proposed_by", "description")


@register(Stakeholder)
class StakeholderTranslation(TranslationOptions):
    fields = ("name", "stance", "primary_concern", "main_concern", "suggested_remedy")


@register(SiteAbout)
class SiteAboutTranslation(TranslationOptions):
    fields = ("operator", "operator_details", "contact", "partners", "data_requests")
