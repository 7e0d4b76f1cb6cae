"""Polish, Chinese and Arabic readers get every string Spanish readers get, with its placeholders intact."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings

PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}|</?\w+[^>]*>")


def catalogue(language: str) -> dict:
    with open(Path(settings.BASE_DIR) / f"locale/{language}/LC_MESSAGES/django.po", "rb") as po:
        return {message.id: message for message in read_po(po) if message.id}


def strings(message) -> list[str]:
    return list(message.string) if isinstance(message.string, tuple) else [message.string]


def source(message) -> str:
    return message.id[0] if isinstance(message.id, tuple) else message.id


@pytest.mark.parametrize("language", ["pl", "zh_Hans", "ar"])
def test_every_spanish_string_is_translated_in_the_language(language):
    spanish, other = catalogue("es"), catalogue(language)
    missing = sorted(source(spanish[key]) for key in spanish.keys() - other.keys())
    empty = sorted(source(m) for m in other.values() if m.fuzzy or not all(strings(m)))
    assert missing == [] and empty == []


@pytest.mark.parametrize("language", ["es", "pl", "zh_Hans", "ar"])
def test_every_translation_keeps_the_placeholders_and_tags_of_its_english(language):
    """A plural form may leave out the count ("one concern"), never add a placeholder the English lacks."""
    wrong = []
    for message in catalogue(language).values():
        if isinstance(message.id, tuple):
            english = set(PLACEHOLDER.findall(" ".join(message.id)))
            wrong += [(source(message), t) for t in strings(message) if not set(PLACEHOLDER.findall(t)) <= english]
        else:
            english = sorted(PLACEHOLDER.findall(message.id))
            wrong += [(message.id, t) for t in strings(message) if sorted(PLACEHOLDER.findall(t)) != english]
    assert wrong == []
