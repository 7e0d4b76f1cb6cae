"""An advocate's edit is accepted exactly when it only replaced parts of the text by placeholders."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from feedback.redaction.by_hand import ALLOWED_PLACEHOLDERS, HandRedactionRefused, hand_redaction, same_text

ORIGINAL = "My cousin Juan Pérez lives at 2400 S Pulaski Rd; call him at 773-555-0100."


def test_replacing_details_by_placeholders_is_accepted_and_counted():
    redaction = hand_redaction(ORIGINAL, "My cousin [name] lives at [address]; call him at [phone].")
    assert redaction.text == "My cousin [name] lives at [address]; call him at [phone]."
    assert redaction.hidden == {"[name]": 1, "[address]": 1, "[phone]": 1}
    assert redaction.count == 3


def test_the_text_sent_back_unchanged_hides_nothing():
    assert hand_redaction(ORIGINAL, ORIGINAL + "\r\n").count == 0


def test_a_first_name_and_a_surname_may_be_hidden_apart():
    redaction = hand_redaction(ORIGINAL, "My cousin [name] [name] lives at 2400 S Pulaski Rd; call him at [phone].")
    assert redaction.hidden == {"[name]": 2, "[phone]": 1}


def test_a_placeholder_already_in_the_text_is_not_counted_again():
    redaction = hand_redaction("Call [phone] and ask for Ana.", "Call [phone] and ask for [name].")
    assert redaction.hidden == {"[name]": 1}


@pytest.mark.parametrize(
    "edited",
    [
        "My cousin lives at 2400 S Pulaski Rd; call him at 773-555-0100.",  # deleted without a placeholder
        "My cousin [name] lives at 2400 S Pulaski Rd; call him at 773-555-0100!",  # punctuation changed
        "My cousin [name] lives at 2400 S Pulaski Road; call him at 773-555-0100.",  # a word corrected
        "Hello. My cousin [name] lives at 2400 S Pulaski Rd; call him at 773-555-0100.",  # words added
        "My cousin [name]Juan Pérez lives at 2400 S Pulaski Rd; call him at 773-555-0100.",  # hides nothing
        "My cousin [nombre] lives at 2400 S Pulaski Rd; call him at 773-555-0100.",  # not a placeholder
        "call him at [phone]. My cousin [name] lives at 2400 S Pulaski Rd;",  # reordered
    ],
)
def test_any_other_change_is_refused(edited):
    with pytest.raises(HandRedactionRefused):
        hand_redaction(ORIGINAL, edited)


def test_line_breaks_as_a_browser_sends_them_compare_equal():
    assert same_text("one\ntwo", "one\r\ntwo\r\n")
    assert not same_text("one two", "one  two")


@given(
    text=st.text(alphabet="abc .\n", min_size=1, max_size=40),
    cuts=st.lists(st.integers(min_value=0, max_value=40), max_size=6),
    placeholder=st.sampled_from(ALLOWED_PLACEHOLDERS),
)
def test_every_edit_made_only_of_replacements_is_accepted(text, cuts, placeholder):
    text = text.strip() or "a"
    bounds = sorted({min(cut, len(text)) for cut in cuts} | {0, len(text)})
    spans = list(zip(bounds, bounds[1:], strict=False))
    hidden = spans[::2]  # every other span replaced, each at least one character
    edited = "".join(placeholder if (start, end) in hidden else text[start:end] for start, end in spans)
    if not same_text(edited, edited.strip()) or edited != edited.strip():
        return  # a hidden span at an end next to spaces the trim removes: not what a browser sends
    assert hand_redaction(text, edited).text == edited


@given(text=st.text(alphabet="abc ", min_size=2, max_size=30), position=st.integers(min_value=0, max_value=30))
def test_inserting_a_character_outside_placeholders_is_refused(text, position):
    text = text.strip()
    if not text:
        return
    position = min(position, len(text))
    edited = text[:position] + "Z" + text[position:]
    with pytest.raises(HandRedactionRefused):
        hand_redaction(text, edited)
