"""Behaviour of feedback.redaction: what is hidden, what is kept, and the quality gate on the labelled set."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feedback.redaction import PLACEHOLDERS, Redaction, redact_concern_text

LABELLED = Path(__file__).with_name("labelled_concerns.json")


def _quality_module():
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "redaction_quality.py"
    spec = importlib.util.spec_from_file_location("redaction_quality", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("redaction_quality", module)
    spec.loader.exec_module(module)
    return module


def redacted(text: str, language: str = "en") -> str:
    return redact_concern_text(text=text, language=language).text


@pytest.mark.parametrize(
    "phone",
    ["(773) 555-0142", "773.555.0198", "773 555 0110", "+1 312 555 0177", "1-872-555-0133", "3125550164",
     "+52 55 5555 1234", "+502 5555-1234", "555-0123", "+1(773)555-0101"],
)  # fmt: skip
def test_a_phone_number_in_any_common_format_is_hidden(phone):
    assert redacted(f"Call me at {phone} tonight.") == "Call me at [phone] tonight."


def test_a_phone_number_with_dots_is_hidden():
    assert redacted("Text me at 773.555.0198 please") == "Text me at [phone] please"


def test_a_phone_extension_is_hidden_with_its_number():
    assert redacted("call 773-555-0199 ext 12 and ask") == "call [phone] and ask"


def test_an_email_is_hidden_also_when_spelled_out():
    assert redacted("Write to ana.r@example.net now") == "Write to [email] now"
    assert redacted("escríbeme a rosa.m arroba example punto org", "es") == "escríbeme a [email]"


@pytest.mark.parametrize("a_number", ["A123456789", "A-123-456-789", "A# 12345678", "A 098 765 432", "a123456789"])
def test_an_a_number_is_hidden(a_number):
    assert redacted(f"His number is {a_number}.") == "His number is [A-number]."


def test_an_a_number_announced_in_spanish_is_hidden():
    assert redacted("mi número de extranjero es 212345678 y", "es") == "mi número de extranjero es [A-number] y"


@pytest.mark.parametrize("number", ["321-54-9876", "912-70-1234", "987 65 4321"])
def test_an_ssn_or_itin_is_hidden(number):
    assert redacted(f"My ITIN is {number}, is that safe?") == "My ITIN is [ID number], is that safe?"


@pytest.mark.parametrize(
    ("address", "language"),
    [("2345 S Pulaski Rd", "en"), ("1800 W. Cermak Road", "en"), ("3120 W 26th St", "en"), ("2812 w cermak rd", "en"),
     ("5120 south Wolcott ave", "en"), ("3300 N Elston", "en"), ("avenida Kedzie #4100", "es")],
)  # fmt: skip
def test_a_street_address_is_hidden(address, language):
    assert redacted(f"They came to {address} at 5am.", language) == "They came to [address] at 5am."


def test_a_spanish_street_then_number_is_hidden():
    assert redacted("Vinieron a la calle Cullerton número 2020 ayer.", "es") == "Vinieron a la [address] ayer."


def test_an_address_and_its_flat_are_hidden_as_one():
    assert redacted("I live at 4815 N Kedzie Ave, Apt 2F and") == "I live at [address] and"


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("My neighbor Juan Pérez was taken.", "en", "My neighbor [name] was taken."),
        ("Maria Lopez was taken at the stop.", "en", "[name] was taken at the stop."),
        ("mi hermano Carlos fue detenido", "es", "mi hermano [name] fue detenido"),
        ("La señora Guadalupe vio todo.", "es", "La señora [name] vio todo."),
        ("Mrs. Kowalski saw it.", "en", "Mrs. [name] saw it."),
        ("mi vecino pedro ramirez tiene miedo", "es", "mi vecino [name] tiene miedo"),
    ],
)
def test_a_persons_name_is_hidden(text, language, expected):
    assert redacted(text, language) == expected


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("ICE agents were outside the Walgreens on 26th Street in Little Village on Monday.", "en"),
        ("CPD and DHS met at the Chicago Police district in Humboldt Park and Lower West Side.", "en"),
        ("There were arrests on the 2600 block of S Pulaski in Back of the Yards in March.", "en"),
        ("En la iglesia de Nuestra Señora de Guadalupe en Pilsen nos ayudan los martes.", "es"),
        ("Los niños de la secundaria Benito Juárez lloran en clase desde enero.", "es"),
        ("Call 911? No. The 311 app keeps your location from 2019 2024.", "en"),
    ],
)
def test_ordinary_words_are_kept(text, language):
    result = redact_concern_text(text=text, language=language)
    assert result.text == text
    assert not result.changed
    assert result.findings == ()


def test_the_result_says_what_was_hidden_and_where():
    text = "Call 773-555-0142 or email juan@example.org"
    result = redact_concern_text(text=text, language="en")
    assert isinstance(result, Redaction)
    assert result.changed
    assert [(f.kind, text[f.start : f.end]) for f in result.findings] == [
        ("phone", "773-555-0142"),
        ("email", "juan@example.org"),
    ]
    assert result.counts == {"phone": 1, "email": 1}


def test_an_unknown_language_applies_every_languages_rules():
    assert redacted("mi tío Ramiro y my cousin Luis", "pl") == "mi tío [name] y my cousin [name]"


def test_the_labelled_set_meets_the_goals():
    quality_module = _quality_module()
    quality = quality_module.measure(quality_module.load_labelled())
    assert quality.meets_goals() == []


def test_the_labelled_set_is_large_and_in_both_languages():
    items = json.loads(LABELLED.read_text(encoding="utf-8"))
    assert len(items) >= 200
    assert sum(i["language"] == "en" for i in items) >= 100
    assert sum(i["language"] == "es" for i in items) >= 100
    assert all(span["text"] in item["text"] for item in items for span in item["spans"])


@pytest.mark.parametrize("item", json.loads(LABELLED.read_text(encoding="utf-8")), ids=lambda item: item["text"][:40])
def test_no_labelled_identifier_survives_except_some_names(item):
    output = redacted(item["text"], item["language"])
    for span in item["spans"]:
        if span["kind"] != "name":
            assert span["text"] not in output


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(), language=st.sampled_from(["en", "es", "pl", "", "zh-CN"]))
def test_redaction_never_raises_and_is_idempotent(text, language):
    first = redact_concern_text(text=text, language=language)
    again = redact_concern_text(text=first.text, language=language)
    assert again.text == first.text
    assert again.findings == ()
    assert first.changed == (first.text != text)


_identifier_parts = st.sampled_from(
    ["(773) 555-0142", "juan@example.org", "A-123-456-789", "912-70-1234", "2345 S Pulaski Rd", "+52 55 5555 1234"]
)


@settings(max_examples=200, deadline=None)
@given(
    before=st.text(alphabet=st.characters(codec="utf-8", categories=["L", "Zs", "P"]), max_size=40),
    identifier=_identifier_parts,
    after=st.text(alphabet=st.characters(codec="utf-8", categories=["L", "Zs", "P"]), max_size=40),
)
def test_an_identifier_never_survives_whatever_surrounds_it(before, identifier, after):
    text = f"{before} {identifier} {after}"
    output = redacted(text, "es")
    assert identifier not in output
    assert any(placeholder in output for placeholder in PLACEHOLDERS.values())


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list("0123456789 -.()+#Aa[]phone")), max_size=60))
def test_digit_soup_is_redacted_idempotently(text):
    first = redacted(text)
    assert redacted(first) == first


def test_a_failing_recognizer_does_not_stop_the_others_and_logs_no_text(monkeypatch, caplog):
    from feedback.redaction import services

    def find_nothing_but_fail(text, pack):
        raise ValueError(f"could not parse {text!r}")

    monkeypatch.setattr(services, "RECOGNIZERS", (find_nothing_but_fail, *services.RECOGNIZERS))
    secret = "Llámeme al 312-555-0143, vivo en 4100 W 26th St"

    with caplog.at_level("ERROR", logger="feedback.redaction.services"):
        result = redact_concern_text(text=secret, language="es")

    assert "312-555-0143" not in result.text and "4100 W 26th" not in result.text
    assert "find_nothing_but_fail" in caplog.text
    assert "312" not in caplog.text and "26th" not in caplog.text
