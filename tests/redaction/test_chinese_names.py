"""Names written in Chinese characters are hidden: Chinese is one of the site's languages, and names travel."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feedback.redaction import redact_concern_text
from feedback.redaction.chinese_names import chinese_gazetteer
from feedback.redaction.recognizers import NAME

BRIEFING_TRANSLATIONS = Path(__file__).resolve().parents[2] / "feedback/briefing/data/chicago.pl-zh-ar.json"
CHINESE_CATALOGUE = Path(__file__).resolve().parents[2] / "locale/zh_Hans/LC_MESSAGES/django.po"


def redacted(text: str, language: str = "zh-hans") -> str:
    return redact_concern_text(text=text, language=language).text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我的邻居王伟说他很害怕", "我的邻居[name]说他很害怕"),  # a kin cue: "my neighbour Wang Wei says…"
        ("昨天他们抓走了我丈夫陈建国", "昨天他们抓走了我丈夫[name]"),  # "yesterday they took my husband…"
        ("我叫李明，我住在皮尔森", "我叫[name]，我住在皮尔森"),  # "my name is…": the comma stays
        ("我叫小明", "我叫[name]"),  # a given name alone after "my name is"
        ("他姓王，住在唐人街", "他姓[name]，住在唐人街"),  # "his surname is Wang"
        ("王先生被带走了", "[name]先生被带走了"),  # "Mr Wang was taken away": the title stays
        ("张伟医生帮助了我们", "[name]医生帮助了我们"),  # "Doctor Zhang Wei helped us"
        ("高先生和林女士都在", "[name]先生和[name]女士都在"),
        ("李阿姨每天送孩子上学", "[name]阿姨每天送孩子上学"),  # "Auntie Li takes the children to school"
        ("李建国在工厂工作", "[name]在工厂工作"),  # no cue: a surname and a listed two-character given name
        ("欧阳建国的店关门了", "[name]的店关门了"),  # a compound surname
        ("我的鄰居黃志明很害怕", "我的鄰居[name]很害怕"),  # traditional characters
    ],
)
def test_a_chinese_name_is_hidden(text, expected):
    assert redacted(text) == expected


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("my neighbor 王伟 was taken", "en", "my neighbor [name] was taken"),
        ("se llevaron a mi vecino 陈建国", "es", "se llevaron a mi vecino [name]"),
    ],
)
def test_a_chinese_name_after_a_cue_in_another_language_is_hidden(text, language, expected):
    assert redacted(text, language) == expected


@pytest.mark.parametrize(
    "sentence",
    [
        "我们需要更多的信息和保护",  # "we need more information and protection"
        "学校的老师很好",  # "the school's teachers are good": a title with no name before it
        "我们去看医生",  # "we go to see the doctor"
        "社区的人都很害怕，不敢去医院",
        "如何建立信任",  # "how to build trust": 何 (what) is also a surname
        "警察来了以后，大家都不敢出门",
        "市长应该和社区对话",
    ],
)
def test_ordinary_chinese_keeps_its_words(sentence):
    assert redacted(sentence) == sentence


def test_the_sites_own_chinese_text_names_nobody():
    """The briefing's translations and the interface's catalogue: hundreds of ordinary sentences, none a name."""
    texts = []

    def collect(value):
        if isinstance(value, dict):
            for item in value.values():
                collect(item)
        elif isinstance(value, list):
            for item in value:
                collect(item)
        elif isinstance(value, str) and re.search("[\u4e00-\u9fff]", value):
            texts.append(value)

    collect(json.loads(BRIEFING_TRANSLATIONS.read_text(encoding="utf-8")))
    texts += [m.group(1) for m in re.finditer(r'msgstr "(.+)"', CHINESE_CATALOGUE.read_text(encoding="utf-8"))]
    assert len(texts) > 300
    named = [text for text in texts if NAME in redact_concern_text(text=text, language="zh-hans").counts]
    assert named == []


def test_the_gazetteer_reads_fakers_chinese_providers():
    surnames, given_names = chinese_gazetteer()
    assert {"王", "李", "張", "欧阳", "司马"} <= surnames
    assert {"建国", "秀英", "志明"} <= given_names
    assert "的" not in surnames and "我" not in surnames


_chinese = st.text(alphabet=st.sampled_from(list("王李张伟明建国我叫邻居先生的说很，。 a")), max_size=40)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_chinese)
def test_chinese_text_is_redacted_idempotently_and_only_in_chinese_characters(text):
    first = redact_concern_text(text=text, language="zh-hans")
    assert redacted(first.text) == first.text
    for finding in first.findings:
        assert re.fullmatch("[\u4e00-\u9fff]+", text[finding.start : finding.end]), text
