"""Names written in Arabic script are hidden: Arabic is one of the site's languages, and names travel between texts."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feedback.redaction import redact_concern_text
from feedback.redaction.arabic_names import arabic_fold, arabic_gazetteer


def redacted(text: str, language: str = "ar") -> str:
    return redact_concern_text(text=text, language=language).text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("اعتقلوا جاري محمد أحمد أمس", "اعتقلوا جاري [name] أمس"),  # "they arrested my neighbour M. A. yesterday"
        ("اسمي فاطمة وأعيش في بيلسن", "اسمي [name] وأعيش في بيلسن"),  # "my name is Fatima", a name that starts like "ف"
        ("أخذوا أبو خالد من البيت", "أخذوا أبو [name] من البيت"),  # a kunya: "Abu Khalid"
        ("السيدة أم علي تبيع الخبز", "السيدة أم [name] تبيع الخبز"),  # "Umm Ali sells bread"
        ("زوجي عبد الله الخطيب محتجز", "زوجي [name] محتجز"),  # a compound given name and a family name
        ("رأيت خالد عمر في المحطة", "رأيت [name] في المحطة"),  # two names in a row, no cue
        ("جاري يوسف وَمحمد في العمل", "جاري [name] وَ[name] في العمل"),  # "and" (with its vowel) stays outside
        ("أحمَـد يعمل هنا", "[name] يعمل هنا"),  # vowel marks and tatweel do not hide a name
    ],
)
def test_an_arabic_script_name_is_hidden(text, expected):
    assert redacted(text) == expected


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("my neighbor محمد was taken", "en", "my neighbor [name] was taken"),
        ("se llevaron a mi vecino يوسف", "es", "se llevaron a mi vecino [name]"),
    ],
)
def test_an_arabic_name_after_a_cue_in_another_language_is_hidden(text, language, expected):
    assert redacted(text, language) == expected


def test_given_names_that_are_also_words_stay_words_without_a_cue():
    given, _family, _pairs = arabic_gazetteer()
    words = "جميل سعيد كريم أمل عادل سلام"  # beautiful, happy, generous, hope, just, peace
    assert all(arabic_fold(word) in given for word in words.split()), "the gazetteer no longer lists these words"
    for sentence in (
        "كان الجو جميل وسعيد جدا",  # "the weather was beautiful and very happy"
        "نريد الأمل والعدل والسلام في المجتمع",  # "we want hope, justice and peace in the community"
        "الطفل سعيد جدا لكن أمه خائفة",  # "the child is very happy but his mother is afraid"
        "يجب على المدينة أن تحمي العائلات",
    ):
        assert redacted(sentence) == sentence


def test_the_same_words_after_a_kin_cue_are_hidden():
    assert redacted("جارتي أمل اختفت منذ أسبوع") == "جارتي [name] اختفت منذ أسبوع"


_arabic = st.text(alphabet=st.sampled_from(list("محمدأحمخالعيوسففاطمةجاريابواسمي \u064e\u0640ـ،.")), max_size=60)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_arabic)
def test_arabic_text_is_redacted_idempotently_and_only_in_whole_letters(text):
    first = redact_concern_text(text=text, language="ar")
    assert redacted(first.text) == first.text
    for finding in first.findings:
        assert text[finding.start] not in "\u064e\u0640", "a finding starts on a vowel mark"
