"""Participation codes as residents see them, and the keyed hashes that are all the database keeps.

A code is 8 characters from an alphabet without look-alikes (no 0/O, 1/I/L), shown as ABCD-EF23:
easy to read aloud and to type on a phone, about 40 bits of chance. The database holds only
HMAC-SHA256 with PARTICIPATION_CODE_SECRET, of the code and of each verified participant.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid

from django.conf import settings

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _position in range(CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def normalize_code(code: str) -> str:
    """The code as typed, in capitals, without spaces or dashes."""
    return "".join(character for character in code.upper() if character.isalnum())


def looks_like_a_code(code: str) -> bool:
    normalized = normalize_code(code)
    return len(normalized) == CODE_LENGTH and all(character in CODE_ALPHABET for character in normalized)


def _keyed_hash(message: str) -> str:
    return hmac.new(settings.PARTICIPATION_CODE_SECRET.encode(), message.encode(), hashlib.sha256).hexdigest()


def code_hash(code: str) -> str:
    """The keyed hash a code is stored and looked up by."""
    return _keyed_hash(f"code:{normalize_code(code)}")


def participant_key(consultation_id: int, participant: uuid.UUID) -> str:
    """The keyed hash that stands for a verified participant of one consultation."""
    return _keyed_hash(f"participant:{consultation_id}:{participant}")
