"""Receipt codes: what a resident keeps to delete their concern or check its status, and its keyed hash."""

from __future__ import annotations

import secrets

from django.utils.crypto import salted_hmac

# Receipt codes avoid look-alike characters (0/O, 1/I/L) so they are easy to copy by hand.
RECEIPT_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
RECEIPT_LENGTH = 12


def new_receipt_code() -> str:
    """A random code such as 7KQM-X3TA-P9RD (about 59 bits of chance)."""
    raw = "".join(secrets.choice(RECEIPT_ALPHABET) for _position in range(RECEIPT_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, RECEIPT_LENGTH, 4))


def normalize_receipt_code(code: str) -> str:
    """The code as typed, without spaces or dashes and in capitals."""
    return "".join(character for character in code.upper() if character.isalnum())


def receipt_hash(code: str) -> str:
    """Keyed hash (HMAC-SHA256 with SECRET_KEY) of a receipt code: all the database keeps of it."""
    return salted_hmac("civictrust.receipt-code", normalize_receipt_code(code), algorithm="sha256").hexdigest()
