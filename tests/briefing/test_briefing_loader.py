import io
import json

import pytest
from django.core.management import CommandError, call_command

from feedback.briefing.loader import BRIEFING_DIR, load_briefing, read_briefing_file
from feedback.models import Consultation, Remedy, Stakeholder, Topic

pytestmark = pytest.mark.django_db

CHICAGO = read_briefing_file(BRIEFING_DIR / "chicago.json")


def row_counts():
    return (Consultation.objects.count(), Stakeholder.objects.count(), Topic.objects.count(), Remedy.objects.count())


def test_it_loads_every_item_of_the_article():
    load_briefing(CHICAGO)
    consultation = Consultation.objects.get(slug="chicago")
    assert consultation.stakeholders.count() == 4
    assert consultation.topics.count() == 9
    assert consultation.remedies.count() == 13
    assert set(consultation.remedies.filter(kind=Remedy.Kind.APPROACH).values_list("title_en", flat=True)) == {
        "Transparent Communication",
        "Cultural Sensitivity Training",
        "Protective Enforcement Protocols",
        "Joint Public Messaging",
    }
    approach = consultation.remedies.get(key="joint-public-messaging")
    assert approach.benefit_en == "Mitigates misinformation"
    assert approach.recommended_implementation_en == "Issue coordinated press releases"
    profiling = consultation.topics.get(key="risk-of-racial-profiling")
    assert profiling.possible_outcome_en == "Unjust targeting of minorities"
    assert profiling.community_demand_en == "Robust accountability and oversight"
    governor = consultation.stakeholders.get(key="governor")
    assert governor.stance_en == "Opposes Operation"
    assert governor.primary_concern_en == "Ensuring public safety and civil liberties"
    assert governor.main_concern_en == "Safety and inclusivity"
    assert governor.suggested_remedy_en == "Implement immigrant-protective policies"


def test_it_loads_spanish_text_for_every_item():
    load_briefing(CHICAGO)
    for topic in Topic.objects.all():
        assert topic.name_es and topic.name_es != topic.name_en or topic.name_en == "ICE"
    assert Consultation.objects.get().summary_es.startswith("El Servicio de Inmigración")


def test_loading_twice_changes_nothing():
    load_briefing(CHICAGO)
    before = row_counts()
    report = load_briefing(CHICAGO)
    assert row_counts() == before
    assert report.created == 0
    assert report.updated == 0


def test_the_command_can_run_twice_without_duplicating_rows():
    call_command("load_briefing", stdout=io.StringIO())
    before = row_counts()
    out = io.StringIO()
    call_command("load_briefing", stdout=out)
    assert row_counts() == before == (1, 4, 9, 13)
    assert "0 created, 0 updated" in out.getvalue()


def test_a_reload_keeps_an_edit_made_in_the_admin_and_applies_new_file_text_elsewhere():
    load_briefing(CHICAGO)
    remedy = Remedy.objects.get(key="transparent-communication")
    remedy.benefit_en = "Builds trust on both sides (edited by an advocate)"
    remedy.save()

    newer = json.loads(json.dumps(CHICAGO))
    for item in newer["remedies"]:
        if item["key"] == "transparent-communication":
            item["benefit"]["en"] = "A newer benefit from the file"
            item["recommended_implementation"]["en"] = "Meet every month, in public"
    report = load_briefing(newer)

    remedy.refresh_from_db()
    assert remedy.benefit_en == "Builds trust on both sides (edited by an advocate)"
    assert remedy.recommended_implementation_en == "Meet every month, in public"
    assert "remedies.transparent-communication.benefit_en" in report.kept_edits


def test_a_reload_keeps_an_item_an_advocate_unpublished_hidden():
    load_briefing(CHICAGO)
    Remedy.objects.filter(key="maintain-enforcement").update(is_published=False)
    load_briefing(CHICAGO)
    assert Remedy.objects.get(key="maintain-enforcement").is_published is False


def test_a_missing_or_broken_file_is_a_clear_error(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="not valid JSON"):
        call_command("load_briefing", str(broken))
    with pytest.raises(CommandError, match="No briefing file"):
        call_command("load_briefing", str(tmp_path / "missing.json"))
    assert Consultation.objects.count() == 0
