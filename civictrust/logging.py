"""Log formatting that keeps one record on one line, whatever text a request carried.

Messages often quote what a client sent (a path, a form value, a header). Without escaping, a newline in
that text would start what looks like a second, forged log record (OWASP ASVS 16.4.1).
"""

from __future__ import annotations

import logging
import re

# Control characters (C0, DEL, C1 including NEL), Unicode line and paragraph separators, and the bidirectional
# controls that can make a log line read differently from what it holds.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def escape_for_log(text: str) -> str:
    """`text` with every control, line-breaking and bidirectional character written as a visible escape."""

    def replace(match: re.Match[str]) -> str:
        char = match.group()
        if char in _NAMED:
            return _NAMED[char]
        code = ord(char)
        return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"

    return _UNSAFE.sub(replace, text)


class SafeFormatter(logging.Formatter):
    """A Formatter whose message (with its arguments filled in) is always a single escaped line.

    A traceback or stack that follows the message keeps its lines, each prefixed with "  | " and escaped, so no
    line of it can pass for the start of a record.
    """

    continuation = "  | "

    def format(self, record: logging.LogRecord) -> str:
        original = record.msg, record.args
        try:
            record.msg, record.args = escape_for_log(record.getMessage()), None
        except Exception:  # a malformed message: let the standard formatter report it as usual
            return super().format(record)
        try:
            text = super().format(record)
        finally:
            record.msg, record.args = original
        head, newline, tail = text.partition("\n")
        if not newline:
            return head
        return head + "\n" + "\n".join(self.continuation + escape_for_log(line) for line in tail.split("\n"))


def logging_settings(*, level: str) -> dict:
    """The LOGGING setting: one console handler, every line through SafeFormatter, no mail to admins."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        # SafeFormatter escapes newlines and control characters, so submitted text cannot forge a log line.
        "formatters": {
            "plain": {
                "()": "civictrust.logging.SafeFormatter",
                "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
            }
        },
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # django.request logs the request line; client addresses never reach it (see README, privacy).
            "django.server": {"handlers": ["console"], "level": "WARNING", "propagate": False},
            # Replaces Django's default handlers: its mail_admins handler would email the request's address and agent.
            "django": {"handlers": [], "level": "INFO", "propagate": True},
            # The PDF report's renderer reports every step at INFO.
            "weasyprint": {"level": "WARNING"},
            "fontTools": {"level": "WARNING"},
        },
    }
