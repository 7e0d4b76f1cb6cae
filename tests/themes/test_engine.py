"""Behaviour of the themes engine (feedback/themes/engine.py) on small inputs and on the labelled set."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from sklearn.metrics import adjusted_rand_score

from feedback.themes import Anchor, ConcernText, Theme, build_themes

LABELLED = Path(__file__).with_name("labelled_concerns.json")
BENCHMARK = Path(__file__).parents[1] / "benchmarks" / "themes_quality.py"


def _benchmark():
    spec = importlib.util.spec_from_file_location("themes_quality", BENCHMARK)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def labelled() -> list[dict]:
    return json.loads(LABELLED.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def concerns(labelled) -> list[ConcernText]:
    return [ConcernText(1000 + n, item["text"], item["language"]) for n, item in enumerate(labelled)]


def _theme_of(themes: list[Theme]) -> dict[int, int]:
    return {cid: index for index, theme in enumerate(themes) for cid in theme.concern_ids}


def test_the_labelled_set_is_balanced_and_bilingual(labelled):
    assert len(labelled) >= 300
    languages = [item["language"] for item in labelled]
    assert languages.count("en") >= 150 and languages.count("es") >= 150
    assert 6 <= len({item["theme"] for item in labelled}) <= 10
    assert len({item["text"] for item in labelled}) == len(labelled)


def test_concerns_about_schools_in_both_languages_share_a_theme(concerns):
    school = [
        ConcernText(
            1,
            "My daughter is scared to go to school in Pilsen since the raids; her teacher says half the class is out.",
            "en",
        ),
        ConcernText(
            2, "Mi hija tiene miedo de ir a la escuela, la maestra dice que faltan muchos alumnos del salon.", "es"
        ),
        ConcernText(
            3, "Los niños ya no quieren ir a clases, CPS tiene que hacer algo en las escuelas de La Villita.", "es"
        ),
    ]
    themes = build_themes([*concerns, *school])
    theme_of = _theme_of(themes)
    assert theme_of[1] == theme_of[2] == theme_of[3]


def test_every_concern_is_in_exactly_one_theme(concerns):
    for anchors in ((), _benchmark().ANCHORS):
        themes = build_themes(concerns, anchors=anchors, max_themes=8)
        ids = [cid for theme in themes for cid in theme.concern_ids]
        assert sorted(ids) == sorted(c.id for c in concerns)
        assert 1 <= len(themes) <= 8
        assert all(theme.concern_ids and theme.label for theme in themes)
        assert len({theme.label for theme in themes}) == len(themes)


def test_themes_have_short_readable_labels_and_keywords(concerns):
    for theme in build_themes(concerns):
        assert 0 < len(theme.label) <= 80
        assert theme.keywords and all(isinstance(word, str) and word for word in theme.keywords)


def test_anchored_themes_carry_the_anchor_labels(concerns):
    anchors = _benchmark().ANCHORS
    labels = {theme.label for theme in build_themes(concerns, anchors=anchors)}
    assert labels <= {anchor.label for anchor in anchors}


def test_the_same_input_gives_the_same_themes(concerns):
    assert build_themes(concerns) == build_themes(concerns)
    anchors = _benchmark().ANCHORS
    assert build_themes(concerns, anchors=anchors) == build_themes(concerns, anchors=anchors)


@pytest.mark.parametrize(
    "texts",
    [
        [],
        ["ICE"],
        ["", "   "],
        ["the and of", "de la que"],
        ["school", "school", "school"],
        ["Tengo miedo", "I am scared"],
        ["raids in Pilsen", "redadas en Pilsen", "the mayor must act"],
    ],
)
def test_empty_and_tiny_inputs_give_no_error(texts):
    concerns = [ConcernText(n, text, "en") for n, text in enumerate(texts)]
    for anchors in ((), (Anchor("s", "Schools", "schools escuelas"),)):
        themes = build_themes(concerns, anchors=anchors, max_themes=3)
        assert sorted(cid for theme in themes for cid in theme.concern_ids) == list(range(len(texts)))
        assert (themes == []) == (texts == [])


def test_max_themes_is_respected(concerns):
    assert len(build_themes(concerns, max_themes=3)) <= 3
    assert len(build_themes(concerns, max_themes=1)) == 1


def test_the_labelled_set_meets_the_agreement_goals(labelled):
    """Quality gate: ARI ≥ 0.5 within English and within Spanish, ≥ 0.4 across both (with the topics as anchors)."""
    scores = _benchmark().engine_agreement(labelled, anchors=_benchmark().ANCHORS)
    assert scores["en"] >= 0.5, scores
    assert scores["es"] >= 0.5, scores
    assert scores["both"] >= 0.4, scores


def test_themes_mix_languages_rather_than_splitting_them(labelled, concerns):
    themes = build_themes(concerns, anchors=_benchmark().ANCHORS)
    language = {c.id: c.language for c in concerns}
    for theme in themes:
        if len(theme.concern_ids) >= 10:
            share_es = sum(language[cid] == "es" for cid in theme.concern_ids) / len(theme.concern_ids)
            assert 0.2 <= share_es <= 0.8, (theme.label, share_es)


def test_unanchored_themes_still_agree_with_the_labels(labelled, concerns):
    truth = {c.id: item["theme"] for c, item in zip(concerns, labelled, strict=True)}
    themes = build_themes(concerns, max_themes=8)
    predicted = _theme_of(themes)
    ids = sorted(truth)
    assert adjusted_rand_score([truth[i] for i in ids], [predicted[i] for i in ids]) >= 0.4
