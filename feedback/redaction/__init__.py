"""Redaction of identifying details in a concern's free text, before it is stored.

Pure text processing: no Django, no database, no network. Public API::

    from feedback.redaction import redact_concern_text
    result = redact_concern_text(text=concern_text, language="es")
    result.text      # the text with [phone] [email] [A-number] [ID number] [address] [name] placeholders
    result.findings  # tuple of Finding(start, end, kind), in the input's coordinates
    result.changed   # True when anything was hidden

See ``README.md`` in this folder for what is detected, how well (BENCHMARKS.md), and what is not.
"""

from __future__ import annotations

from .recognizers import KINDS, Finding
from .services import PLACEHOLDERS, Redaction, find_identifiers, redact_concern_text

__all__ = ["KINDS", "PLACEHOLDERS", "Finding", "Redaction", "find_identifiers", "redact_concern_text"]
