"""Redact a concern's text before it is stored: :func:`redact_concern_text`.

Guarantees, for any ``str`` input and any ``language`` string:

* it never raises and never touches the network;
* every identifier found is replaced by its typed placeholder (:data:`PLACEHOLDERS`); text outside the findings is
  kept byte for byte;
* it is idempotent: ``redact_concern_text(text=r.text, ...)`` returns ``r.text`` unchanged with no findings. The
  recognizers are re-run on their own output until nothing more is found, and a finding that touches an existing
  placeholder swallows it ("Juan [name]" becomes "[name]"), so each round hides at least one more character of
  the input and the loop ends;
* ``findings`` are in the coordinates of the input text, sorted, and do not overlap.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, field

from .arabic_names import find_arabic_script_names
from .chinese_names import find_chinese_names
from .languages import LanguagePack, pack_for
from .names import find_names
from .recognizers import (
    A_NUMBER,
    ADDRESS,
    EMAIL,
    ID_NUMBER,
    LONG_NUMBER,
    NAME,
    PATTERN_RECOGNIZERS,
    PHONE,
    PRIORITY,
    Finding,
    Recognizer,
)

logger = logging.getLogger(__name__)

PLACEHOLDERS: dict[str, str] = {
    PHONE: "[phone]",
    EMAIL: "[email]",
    A_NUMBER: "[A-number]",
    ID_NUMBER: "[ID number]",
    ADDRESS: "[address]",
    NAME: "[name]",
}
_PLACEHOLDER_OF = {**PLACEHOLDERS, LONG_NUMBER: PLACEHOLDERS[ID_NUMBER]}
_PLACEHOLDER = re.compile("|".join(re.escape(p) for p in PLACEHOLDERS.values()))
RECOGNIZERS: tuple[Recognizer, ...] = (*PATTERN_RECOGNIZERS, find_names, find_arabic_script_names, find_chinese_names)
_MAX_ROUNDS = 50


@dataclass(frozen=True)
class Redaction:
    """The outcome of one redaction.

    ``text`` is the redacted text; ``findings`` what was hidden, as :class:`Finding` (kind, start, end) in the input
    text's coordinates; ``changed`` is True exactly when ``text`` differs from the input.
    """

    text: str
    findings: tuple[Finding, ...] = field(default=())
    changed: bool = False

    @property
    def counts(self) -> dict[str, int]:
        """How many identifiers of each kind were hidden (kinds with none are left out)."""
        return dict(Counter(f.kind for f in self.findings))


def _detect(text: str, pack: LanguagePack) -> list[Finding]:
    found: list[Finding] = []
    for recognizer in RECOGNIZERS:
        try:
            found.extend(f for f in recognizer(text, pack) if 0 <= f.start < f.end <= len(text))
        except Exception as error:  # noqa: BLE001 - one faulty recognizer must not stop the others from hiding
            # Names only, no traceback: an exception's message can quote the text we are hiding.
            name = getattr(recognizer, "__name__", "recognizer")
            logger.error("redaction %s failed (%s); the other recognizers still ran", name, type(error).__name__)
    return found


def _resolve(text: str, found: list[Finding]) -> list[Finding]:
    """Non-overlapping findings: overlapping ones merge, the highest-priority kind names the merged span; a finding
    is widened over any placeholder it touches; findings wholly inside a placeholder are dropped."""
    placeholders = [(m.start(), m.end()) for m in _PLACEHOLDER.finditer(text)]
    widened: list[Finding] = []
    for f in found:
        start, end = f.start, f.end
        if any(s <= start and end <= e for s, e in placeholders):
            continue
        for s, e in placeholders:
            if s <= end and start <= e:  # touching counts, so "Juan [name]" merges
                start, end = min(start, s), max(end, e)
        widened.append(Finding(start, end, f.kind))
    widened.sort(key=lambda f: (f.start, -f.end))
    merged: list[Finding] = []
    for f in widened:
        if merged and f.start < merged[-1].end:
            last = merged[-1]
            kind = min(last.kind, f.kind, key=PRIORITY.__getitem__)
            merged[-1] = Finding(last.start, max(last.end, f.end), kind)
        elif merged and f.kind == merged[-1].kind == ADDRESS and text[merged[-1].end : f.start].strip(" ,") == "":
            merged[-1] = Finding(merged[-1].start, f.end, ADDRESS)  # "1800 W. Cermak Road, Apt 3B" is one address
        else:
            merged.append(f)
    return merged


def _apply(text: str, origin: list[tuple[int, int]], findings: list[Finding]) -> tuple[str, list, list[Finding]]:
    """Replace ``findings``; return the new text, its character-to-input map and the findings in input coordinates."""
    pieces: list[str] = []
    new_origin: list[tuple[int, int]] = []
    in_input: list[Finding] = []
    position = 0
    for f in findings:
        pieces.append(text[position : f.start])
        new_origin.extend(origin[position : f.start])
        span = (origin[f.start][0], origin[f.end - 1][1])
        placeholder = _PLACEHOLDER_OF[f.kind]
        pieces.append(placeholder)
        new_origin.extend([span] * len(placeholder))
        in_input.append(Finding(span[0], span[1], ID_NUMBER if f.kind == LONG_NUMBER else f.kind))
        position = f.end
    pieces.append(text[position:])
    new_origin.extend(origin[position:])
    return "".join(pieces), new_origin, in_input


def _merge_input_findings(findings: list[Finding]) -> tuple[Finding, ...]:
    merged: list[Finding] = []
    for f in sorted(findings, key=lambda f: (f.start, -f.end)):
        if merged and f.start < merged[-1].end:
            last = merged[-1]
            # A later round swallowed an earlier placeholder: the later (outer) finding names the whole span.
            merged[-1] = Finding(last.start, max(last.end, f.end), f.kind if f.end >= last.end else last.kind)
        else:
            merged.append(f)
    return tuple(merged)


def redact_concern_text(*, text: str, language: str) -> Redaction:
    """Hide phones, emails, A-numbers, SSN/ITIN and ID numbers, street addresses and people's names in ``text``.

    ``language`` is the concern's language code ("en", "es", "es-MX"...); an unknown one applies every language's
    rules. See the module docstring for what is guaranteed.
    """
    if not isinstance(text, str) or not text:
        return Redaction(text=text if isinstance(text, str) else "", findings=(), changed=False)
    pack = pack_for(language if isinstance(language, str) else "")
    current = text
    origin = [(i, i + 1) for i in range(len(text))]
    all_findings: list[Finding] = []
    for _ in range(_MAX_ROUNDS):
        findings = _resolve(current, _detect(current, pack))
        if not findings:
            break
        current, origin, in_input = _apply(current, origin, findings)
        all_findings.extend(in_input)
    return Redaction(text=current, findings=_merge_input_findings(all_findings), changed=current != text)


def find_identifiers(*, text: str, language: str) -> tuple[Finding, ...]:
    """The spans of ``text`` that :func:`redact_concern_text` hides, without redacting (for review screens)."""
    return redact_concern_text(text=text, language=language).findings
