"""The Chicago briefing in Polish, Simplified Chinese and Arabic: merged from the file beside chicago.json."""

from __future__ import annotations

import io
import json
import shutil

import pytest
from django.core.management import CommandError, call_command

from feedback.briefing.loader import BRIEFING_DIR, load_briefing, read_briefing_file
from feedback.models import Consultation, Remedy, Stakeholder, Topic

pytestmark = pytest.mark.django_db

TRANSLATIONS = json.loads((BRIEFING_DIR / "chicago.pl-zh-ar.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(("file_key", "field_suffix"), [("pl", "pl"), ("zh_Hans", "zh_hans"), ("ar", "ar")])
def test_every_translated_field_is_loaded_in_each_new_language(file_key, field_suffix):
    load_briefing(read_briefing_file(BRIEFING_DIR / "chicago.json"))
    consultation = Consultation.objects.get(slug="chicago")
    assert getattr(consultation, f"title_{field_suffix}") == TRANSLATIONS["consultation"]["title"][file_key]
    for section, model in [("stakeholders", Stakeholder), ("topics", Topic), ("remedies", Remedy)]:
        for item in TRANSLATIONS[section]:
            row = model.objects.get(consultation=consultation, key=item["key"])
            for name, texts in item.items():
                if name != "key":
                    assert getattr(row, f"{name}_{field_suffix}") == texts[file_key], (section, item["key"], name)


def test_the_english_and_spanish_text_is_unchanged_by_the_translations():
    load_briefing(read_briefing_file(BRIEFING_DIR / "chicago.json"))
    remedy = Remedy.objects.get(key="transparent-communication")
    assert (remedy.title_en, remedy.title_es) == ("Transparent Communication", "Comunicación transparente")


def test_the_command_loads_the_translations_and_a_second_run_writes_nothing():
    call_command("load_briefing", stdout=io.StringIO())
    assert Topic.objects.get(key="impact-on-immigrant-communities").name_zh_hans
    out = io.StringIO()
    call_command("load_briefing", stdout=out)
    assert "0 created, 0 updated" in out.getvalue()


def test_a_polish_page_shows_the_polish_briefing(client, briefing):
    page = client.get("/pl/c/chicago/").content.decode()
    assert TRANSLATIONS["consultation"]["title"]["pl"] in page
    assert TRANSLATIONS["stakeholders"][0]["stance"]["pl"] in page


def test_a_translation_file_naming_an_unknown_item_is_a_clear_error_and_loads_nothing(tmp_path):
    shutil.copy(BRIEFING_DIR / "chicago.json", tmp_path / "chicago.json")
    wrong = json.loads(json.dumps(TRANSLATIONS))
    wrong["topics"][0]["key"] = "no-such-topic"
    (tmp_path / "chicago.pl-zh-ar.json").write_text(json.dumps(wrong), encoding="utf-8")
    with pytest.raises(CommandError, match="no item 'no-such-topic'"):
        call_command("load_briefing", str(tmp_path / "chicago.json"))
    assert Consultation.objects.count() == 0


def test_a_translation_of_a_field_the_briefing_does_not_translate_is_refused(tmp_path):
    shutil.copy(BRIEFING_DIR / "chicago.json", tmp_path / "chicago.json")
    wrong = json.loads(json.dumps(TRANSLATIONS))
    wrong["topics"][0]["group"] = {"pl": "rząd"}
    (tmp_path / "chicago.pl-zh-ar.json").write_text(json.dumps(wrong), encoding="utf-8")
    with pytest.raises(CommandError, match="group is not a translated field"):
        call_command("load_briefing", str(tmp_path / "chicago.json"))
