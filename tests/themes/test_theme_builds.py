"""Themes built from a consultation's concerns: stored, exported as JSON, rebuilt keeping edited labels."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import translation
from sklearn.metrics import adjusted_rand_score

from feedback.models import Concern, Consultation, Theme, ThemeMembership, Topic
from feedback.themes.services import rebuild_due_themes, rebuild_themes, rename_theme
from tests.factories import ConcernFactory

LABELLED = Path(__file__).with_name("labelled_concerns.json")

# The labelled set's eight themes as a consultation's topics, named and described in English and Spanish.
TOPICS = {
    "police_reporting": (
        ("Fear of reporting crimes to police", "fear of calling the police, reporting crimes"),
        ("Miedo a denunciar a la policía", "miedo de llamar a la policía, denunciar delitos"),
    ),
    "schools_children": (
        ("Schools and children", "schools, students and children"),
        ("Escuelas y niños", "escuelas, alumnos y niños"),
    ),
    "family_detention": (
        ("Family separation and detention", "families separated, parents detained or deported"),
        ("Separación familiar y detención", "familias separadas, padres detenidos o deportados"),
    ),
    "profiling_id": (
        ("Racial profiling and ID checks", "racial profiling, ID and papers checked at work or on transit"),
        ("Perfil racial y revisión de papeles", "perfil racial, piden papeles en el trabajo o el tren"),
    ),
    "city_federal": (
        ("Federal-local relations", "city and federal government, sanctuary ordinance, coordination"),
        ("Relaciones federales y locales", "gobierno de la ciudad y federal, ciudad santuario, coordinación"),
    ),
    "services_strain": (
        ("Strain on local services", "clinics, shelters and food pantries overwhelmed"),
        ("Presión sobre los servicios", "clínicas, albergues y despensas saturadas"),
    ),
    "rights_legal_help": (
        ("Know-your-rights and legal help", "know your rights information, workshops, lawyers"),
        ("Derechos y ayuda legal", "conozca sus derechos, talleres, abogados"),
    ),
    "economy_work": (
        ("Economic impact on businesses and workers", "businesses, customers, workers and income"),
        ("Impacto económico en negocios y trabajadores", "negocios, clientes, trabajadores e ingresos"),
    ),
}


@pytest.fixture
def labelled(db):
    """The 304 labelled concerns (English and Spanish) in a consultation whose topics are their eight themes."""
    consultation = Consultation.objects.create(title="Labelled", slug="labelled", summary="s", source_citation="c")
    for order, (key, ((name_en, about_en), (name_es, about_es))) in enumerate(TOPICS.items()):
        Topic.objects.create(
            consultation=consultation,
            key=key.replace("_", "-"),
            order=order,
            group=Topic.Group.COMMUNITY_IMPACT,
            name_en=name_en,
            description_en=about_en,
            name_es=name_es,
            description_es=about_es,
        )
    items = json.loads(LABELLED.read_text(encoding="utf-8"))
    concerns = Concern.objects.bulk_create(
        Concern(
            consultation=consultation,
            text=item["text"],
            language=item["language"],
            community_area="30",
            status=Concern.Status.APPROVED,
        )
        for item in items
    )
    truth = {concern.pk: (item["theme"], item["language"]) for concern, item in zip(concerns, items, strict=True)}
    return consultation, truth


def exported(slug: str) -> list[dict]:
    out = io.StringIO()
    call_command("export_themes", consultation=slug, format="json", stdout=out)
    return json.loads(out.getvalue())


def test_export_themes_on_the_labelled_set_reaches_the_agreement_goals(labelled):
    consultation, truth = labelled
    call_command("build_themes", consultation=consultation.slug, stdout=io.StringIO())

    themes = exported(consultation.slug)

    predicted = {pk: index for index, theme in enumerate(themes) for pk in theme["concern_ids"]}
    assert sorted(predicted) == sorted(truth)  # every concern in exactly one theme
    assert [set(theme) for theme in themes] == [{"label", "size", "concern_ids"}] * len(themes)
    assert all(theme["size"] == len(theme["concern_ids"]) for theme in themes)
    scores = {}
    for language in ("en", "es", None):
        ids = [pk for pk, (_theme, lang) in truth.items() if language in (None, lang)]
        scores[language or "both"] = adjusted_rand_score([truth[pk][0] for pk in ids], [predicted[pk] for pk in ids])
    assert scores["en"] >= 0.5 and scores["es"] >= 0.5 and scores["both"] >= 0.4, scores


def test_only_published_and_pending_concerns_are_themed(briefing):
    kept = [
        ConcernFactory(consultation=briefing, status=status, text=f"Families are afraid of the raids ({status}).")
        for status in ("approved", "pending")
    ]
    ConcernFactory(consultation=briefing, status="rejected", text="Rejected words about raids.")
    ConcernFactory(consultation=briefing, status="spam", text="Spam about raids and more.")

    build = rebuild_themes(consultation=briefing)

    assert build.concerns == 2
    assert set(ThemeMembership.objects.values_list("concern_id", flat=True)) == {c.pk for c in kept}
    assert sum(Theme.objects.values_list("size", flat=True)) == 2


def test_a_consultation_without_concerns_has_no_themes(briefing):
    assert rebuild_themes(consultation=briefing).themes == 0
    assert exported(briefing.slug) == []


def test_a_theme_seeded_by_a_topic_reads_with_the_topic_name_in_each_language(briefing):
    ConcernFactory.create_batch(
        3, consultation=briefing, text="Tengo miedo a la deportación de mi familia, deportan a los padres."
    )
    rebuild_themes(consultation=briefing)
    theme = Theme.objects.select_related("anchor").get()
    assert theme.anchor is not None
    with translation.override("es"):
        assert theme.display_label == theme.anchor.name_es
    with translation.override("en"):
        assert theme.display_label == theme.anchor.name_en


def test_rebuilding_replaces_the_themes_and_keeps_a_label_staff_edited(labelled):
    consultation, truth = labelled
    rebuild_themes(consultation=consultation)
    largest = Theme.objects.filter(consultation=consultation).order_by("position").first()
    members = set(largest.memberships.values_list("concern_id", flat=True))
    rename_theme(theme_id=largest.pk, label="  Calling the police  ")
    # New concerns arrive; one of the theme's concerns is rejected meanwhile.
    ConcernFactory.create_batch(5, consultation=consultation, status="pending", text="I will not call the police.")
    Concern.objects.filter(pk=min(members)).update(status="rejected")

    rebuild_themes(consultation=consultation)

    assert not Theme.objects.filter(pk=largest.pk).exists()
    renamed = Theme.objects.get(consultation=consultation, label="Calling the police")
    assert renamed.label_edited and renamed.display_label == "Calling the police"
    again = set(renamed.memberships.values_list("concern_id", flat=True))
    assert len(again & members) / len(again | members) >= 0.5
    assert Theme.objects.filter(consultation=consultation, label_edited=True).count() == 1


def test_an_edited_label_is_dropped_when_its_theme_does_not_persist(briefing):
    first = ConcernFactory(consultation=briefing, text="The police came to the school and children cried.")
    rebuild_themes(consultation=briefing)
    rename_theme(theme_id=Theme.objects.get().pk, label="School visits")
    first.delete()  # its only concern was withdrawn
    ConcernFactory(consultation=briefing, text="Rent went up and the shop lost its customers.")

    rebuild_themes(consultation=briefing)

    assert not Theme.objects.filter(label="School visits").exists()


@pytest.mark.parametrize("label", ["", "   ", "x" * 121])
def test_a_label_must_be_1_to_120_characters(briefing, label):
    ConcernFactory(consultation=briefing)
    rebuild_themes(consultation=briefing)
    theme = Theme.objects.get()
    with pytest.raises(ValidationError):
        rename_theme(theme_id=theme.pk, label=label)
    assert Theme.objects.get().label == theme.label


def test_beat_rebuilds_only_when_enough_new_concerns_arrived(briefing):
    ConcernFactory.create_batch(2, consultation=briefing)
    assert rebuild_due_themes(min_new_concerns=3) == []
    ConcernFactory(consultation=briefing)
    assert rebuild_due_themes(min_new_concerns=3) == ["chicago"]
    assert sum(Theme.objects.values_list("size", flat=True)) == 3
    ConcernFactory.create_batch(2, consultation=briefing)
    assert rebuild_due_themes(min_new_concerns=3) == []  # two since the last build


def test_the_beat_task_reads_its_threshold_from_the_settings(briefing, settings):
    from feedback.tasks import rebuild_themes_when_due

    settings.THEMES_REBUILD_AFTER_CONCERNS = 1
    ConcernFactory(consultation=briefing)
    assert rebuild_themes_when_due() == ["chicago"]
    assert "rebuild-themes" in settings.CELERY_BEAT_SCHEDULE


def test_the_commands_name_an_unknown_consultation(db):
    with pytest.raises(CommandError, match="No consultation 'nowhere'"):
        call_command("build_themes", consultation="nowhere")
    with pytest.raises(CommandError, match="No consultation 'nowhere'"):
        call_command("export_themes", consultation="nowhere")


def test_export_themes_writes_a_file(briefing, tmp_path):
    ConcernFactory.create_batch(2, consultation=briefing)
    rebuild_themes(consultation=briefing)
    target = tmp_path / "themes.json"
    call_command("export_themes", consultation="chicago", output=str(target))
    themes = json.loads(target.read_text(encoding="utf-8"))
    assert sum(theme["size"] for theme in themes) == 2
