"""How the receipt code reaches the confirmation page, and stays there while the resident needs it.

The database keeps only a keyed hash of a receipt code (services.receipt_hash), so the code exists in exactly
one place: the resident's confirmation page. That page must survive a language switch and the Back button, yet
the code must never be in a URL (addresses end up in logs and browser history), and never readable from the
phone's cookie store or the server alone. So it is split in two halves that each say nothing:

- the server cache keeps a random one-time pad for RECEIPT_DISPLAY_MINUTES, under a random handle;
- the browser keeps the code XOR that pad (and the handle), in a signed, HttpOnly, SameSite=Lax cookie that
  only the confirmation page's own address receives, for the same time: one cookie per language
  (ct_receipt_en on /c/chicago/concerns/sent/, ct_receipt_es on /es/c/chicago/concerns/sent/, ...), since
  a cookie has one path and no path covers the five addresses but "/".

XOR with a random pad of the same length is a one-time pad: the cookie on its own is noise, and the pad on its
own is noise. Once the pad expires (or the resident presses "Hide the code"), what the phone still holds is
worthless. Nothing of it is logged.
"""

from __future__ import annotations

import base64
import logging
import re
import secrets

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import translation

from ..models import Consultation

logger = logging.getLogger(__name__)

COOKIE_PREFIX = "ct_receipt_"
COOKIE_SALT = "civictrust.receipt-handoff"
PAD_KEY = "civictrust:receipt-pad:"
RECEIPT_CODE_SHAPE = re.compile(r"[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}")


def display_seconds() -> int:
    return settings.RECEIPT_DISPLAY_MINUTES * 60


def cookie_name(language: str) -> str:
    """The hand-over cookie of the confirmation page in `language`: "ct_receipt_en", "ct_receipt_zh_hans"."""
    return COOKIE_PREFIX + language.replace("-", "_")


def confirmation_pages(consultation: Consultation) -> dict[str, str]:
    """{cookie name: the confirmation page's address} in every language: where each cookie may go, and only there."""
    pages = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            pages[cookie_name(code)] = reverse("concern_sent", args=[consultation.slug])
    return pages


def _xor(data: bytes, pad: bytes) -> bytes:
    return bytes(a ^ b for a, b in zip(data, pad, strict=True))


def hand_over(response: HttpResponse, request: HttpRequest, *, consultation: Consultation, receipt_code: str) -> bool:
    """Keep `receipt_code` for the confirmation page (see the module's docstring); False if the cache is down.

    When False, nothing was set and the caller must show the code in the response itself.
    """
    code = receipt_code.encode("ascii")
    handle, pad = secrets.token_urlsafe(18), secrets.token_bytes(len(code))
    try:
        cache.set(PAD_KEY + handle, pad, display_seconds())
    except Exception as error:  # each cache client raises its own kind; the resident must still get the code
        logger.warning("Cache unreachable (%s); the receipt code is shown without a hand-over.", type(error).__name__)
        return False
    value = signing.dumps({"h": handle, "x": base64.urlsafe_b64encode(_xor(code, pad)).decode()}, salt=COOKIE_SALT)
    for name, path in confirmation_pages(consultation).items():
        response.set_cookie(
            name,
            value,
            max_age=display_seconds(),
            path=path,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure() or settings.PARTICIPANT_COOKIE_SECURE,
        )
    return True


def _handed_over(request: HttpRequest) -> tuple[str, bytes] | None:
    """(handle, ciphertext) of the hand-over cookie this page received (the browser sends only its own)."""
    for name, value in request.COOKIES.items():
        if not name.startswith(COOKIE_PREFIX):
            continue
        try:
            data = signing.loads(value, salt=COOKIE_SALT, max_age=display_seconds())
            return str(data["h"]), base64.urlsafe_b64decode(str(data["x"]))
        except (signing.BadSignature, KeyError, TypeError, ValueError):
            continue
    return None


def receipt_code_from(request: HttpRequest) -> str:
    """The receipt code handed over to this confirmation page, or "" (none, expired, hidden, tampered with)."""
    handed = _handed_over(request)
    if handed is None:
        return ""
    handle, cipher = handed
    try:
        pad = cache.get(PAD_KEY + handle)
    except Exception as error:  # see hand_over
        logger.warning("Cache unreachable (%s); the receipt code cannot be shown again.", type(error).__name__)
        return ""
    if not isinstance(pad, bytes) or len(pad) != len(cipher):
        return ""
    code = _xor(cipher, pad).decode("ascii", errors="replace")
    return code if RECEIPT_CODE_SHAPE.fullmatch(code) else ""


def forget(response: HttpResponse, request: HttpRequest, *, consultation: Consultation) -> None:
    """Make the handed-over code unreadable at once: its pad deleted, its cookies removed."""
    handed = _handed_over(request)
    if handed is not None:
        try:
            cache.delete(PAD_KEY + handed[0])
        except Exception as error:  # the pad then simply expires
            logger.warning("Cache unreachable (%s); the receipt pad will expire by itself.", type(error).__name__)
    for name, path in confirmation_pages(consultation).items():
        response.delete_cookie(name, path=path, samesite="Lax")
