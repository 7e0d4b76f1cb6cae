"""Redaction by hand, as an advocate does it while moderating: check that an edit only hid parts of a text.

Pure: no Django, no database. `hand_redaction(original, edited)` accepts `edited` exactly when it is
`original` with some of its parts (each at least one character) replaced by placeholders (PLACEHOLDERS:
[name], [phone], ...), and returns the redacted text built from the original, with how many parts each
placeholder hid. Anything else (a word added, a word deleted without a placeholder, a typo fixed) raises
HandRedactionRefused: the advocate may hide a resident's words, never change them.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from .services import PLACEHOLDERS

ALLOWED_PLACEHOLDERS: tuple[str, ...] = tuple(PLACEHOLDERS.values())
_PLACEHOLDER = re.compile("|".join(re.escape(placeholder) for placeholder in ALLOWED_PLACEHOLDERS))


class HandRedactionRefused(ValueError):
    """The edited text is not the original with some parts replaced by placeholders; nothing may be saved."""


@dataclass(frozen=True)
class HandRedaction:
    """The redacted `text` and, per placeholder, how many parts of the original it now hides."""

    text: str
    hidden: Counter = field(default_factory=Counter)

    @property
    def count(self) -> int:
        return sum(self.hidden.values())


def _plain_lines(text: str) -> str:
    """Browsers send a textarea's line breaks as CR LF; compare texts with LF only."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def hand_redaction(original: str, edited: str) -> HandRedaction:
    """The original with the parts the advocate replaced by placeholders; raises HandRedactionRefused otherwise.

    Each placeholder of `edited` stands for a non-empty part of `original`; the text between placeholders
    must appear in `original` unchanged and in the same order. A placeholder already in the original and
    left as it was hides nothing new and is not counted. Matching places each piece of kept text as early
    as it fits, which finds a way whenever one exists.
    """
    original, edited = _plain_lines(original).strip(), _plain_lines(edited).strip()
    pieces = _PLACEHOLDER.split(edited)
    placeholders = _PLACEHOLDER.findall(edited)
    if not placeholders:
        if edited != original:
            raise HandRedactionRefused("changed without a placeholder")
        return HandRedaction(text=original)
    first, *middle, last = pieces
    if not original.startswith(first) or not original.endswith(last):
        raise HandRedactionRefused("start or end changed")
    end_of_last = len(original) - len(last)
    position = len(first)
    spans = []
    for piece in middle:
        found = original.find(piece, position + 1)  # the part a placeholder hides is never empty
        if found < 0 or found + len(piece) > end_of_last:
            raise HandRedactionRefused("kept text not found in order")
        spans.append((position, found))
        position = found + len(piece)
    if end_of_last - position < 1:
        raise HandRedactionRefused("a placeholder hides nothing")
    spans.append((position, end_of_last))
    hidden = Counter(
        placeholder
        for placeholder, (start, end) in zip(placeholders, spans, strict=True)
        if original[start:end] != placeholder
    )
    return HandRedaction(text=edited, hidden=hidden)


def same_text(first: str, second: str) -> bool:
    """Whether two texts are equal once line breaks are LF and the ends are trimmed (as a textarea sends them)."""
    return _plain_lines(first).strip() == _plain_lines(second).strip()
