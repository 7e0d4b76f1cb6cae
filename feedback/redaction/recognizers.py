"""Pattern recognizers: phone numbers, emails, A-numbers, SSN/ITIN and other ID numbers, street addresses.

Each recognizer is a function ``(text, pack) -> Iterable[Finding]`` with offsets into ``text``. They are allowed to
overlap one another; :mod:`feedback.redaction.services` resolves overlaps by :data:`PRIORITY`. No recognizer
touches the network or raises on any ``str`` input.

Phone numbers come from Google's libphonenumber (the ``phonenumbers`` package, region US, leniency POSSIBLE, so
any +country number is found too) and from a digit-group pattern of our own that also catches local and 7-digit
forms. Any other run of 7 or more digits is hidden as an ID number: in a concern it is almost never anything else.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import phonenumbers

from .languages import LanguagePack, fold

PHONE = "phone"
EMAIL = "email"
A_NUMBER = "a_number"
ID_NUMBER = "id_number"
ADDRESS = "address"
NAME = "name"

KINDS = (PHONE, EMAIL, A_NUMBER, ID_NUMBER, ADDRESS, NAME)
#: Internal: a bare run of 7+ digits. It yields to a phone number, and is reported (and hidden) as an ID number.
LONG_NUMBER = "long_number"

#: When two findings overlap, the one whose kind comes first here decides the placeholder.
PRIORITY = {EMAIL: 0, A_NUMBER: 1, ID_NUMBER: 2, PHONE: 3, LONG_NUMBER: 4, ADDRESS: 5, NAME: 6}


@dataclass(frozen=True, order=True)
class Finding:
    """One identifier: ``text[start:end]`` is of ``kind`` (one of :data:`KINDS`). ``0 <= start < end``."""

    start: int
    end: int
    kind: str


Recognizer = Callable[[str, LanguagePack], Iterable[Finding]]

# --- emails -------------------------------------------------------------------------------------------------------

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,24}\b")
# "rosa (at) example.org", "rosa arroba gmail punto com": written out so that forms do not flag them.
_EMAIL_SPELLED = re.compile(
    r"(?<![\w.+-])[\w.+-]+\s*(?:\(at\)|\[at\]|\{at\}|\s(?:at|arroba)\s|@)\s*[\w-]+"
    r"(?:\s*(?:\.|\(dot\)|\[dot\]|\s(?:dot|punto)\s)\s*[\w-]+)*"
    r"\s*(?:\.|\(dot\)|\[dot\]|\s(?:dot|punto)\s)\s*(?:com|org|net|edu|gov|mx|us|info|io|co|es|me)\b",
    re.IGNORECASE,
)


def find_emails(text: str, pack: LanguagePack) -> Iterator[Finding]:
    """Plain addresses and the spelled-out "(at)" / "arroba ... punto com" forms."""
    for pattern in (_EMAIL, _EMAIL_SPELLED):
        for m in pattern.finditer(text):
            yield Finding(m.start(), m.end(), EMAIL)


# --- A-numbers ------------------------------------------------------------------------------------------------------

_DIGITS_8_9 = r"\d(?:[ \t-]?\d){7,8}(?![ \t-]?\d)"
_A_PREFIXED = re.compile(rf"(?<![\w#])[Aa][ \t]?(?:#|-|:|No\.?|Nº)?[ \t]?(?:{_DIGITS_8_9})")
_A_CUE = re.compile(
    r"\b(?:a[ \t-]?(?:number|num|no|n[úu]mero|#)|alien[ \t]+(?:registration[ \t]+)?(?:number|no|#)"
    r"|registration[ \t]+number|n[úu]mero[ \t]+(?:a|de[ \t]+(?:extranjero|registro|a))|registro[ \t]+de[ \t]+extranjero"
    r"|uscis[ \t]*(?:#|number|no|n[úu]mero)?)\b"
    rf"[^\d\n]{{0,30}}?(?P<number>(?:[Aa][ \t-]?)?{_DIGITS_8_9})",
    re.IGNORECASE,
)


def find_a_numbers(text: str, pack: LanguagePack) -> Iterator[Finding]:
    """A + 8 or 9 digits (dashes, spaces, "#" allowed), or 8-9 digits shortly after "A-number", "número A"."""
    for m in _A_PREFIXED.finditer(text):
        yield Finding(m.start(), m.end(), A_NUMBER)
    for m in _A_CUE.finditer(text):
        yield Finding(m.start("number"), m.end("number"), A_NUMBER)


# --- SSN / ITIN and other ID numbers ------------------------------------------------------------------------------

_SSN = re.compile(r"(?<![\w-])\d{3}([ \t.-]?)\d{2}\1\d{4}(?![\w-])")
_LONG_DIGITS = re.compile(r"(?<![\w])\d(?:[ .-]?\d){6,}(?!\w)")


def find_id_numbers(text: str, pack: LanguagePack) -> Iterator[Finding]:
    """SSN/ITIN shapes (###-##-####, spaces or dots too) and any other run of 7+ digits (single separators)."""
    for m in _SSN.finditer(text):
        yield Finding(m.start(), m.end(), ID_NUMBER)
    for m in _LONG_DIGITS.finditer(text):
        digits = sum(c.isdigit() for c in m.group())
        if 10 <= digits <= 15 and not re.search(r"[ .-]\d[ .-]", m.group()):
            continue  # grouped 10-15 digits: the phone recognizers decide
        if _DATE_OR_RANGE.fullmatch(m.group()):
            continue  # "2019 2024", "12-05-2024"
        yield Finding(m.start(), m.end(), LONG_NUMBER)


# --- phone numbers ------------------------------------------------------------------------------------------------

_PHONE_GROUPS = re.compile(
    r"(?<![\w+])(?:\+[ \t]?\d{1,3}[ \t.-]?)?(?:1[ \t.-])?(?:\([ \t]?\d{2,4}[ \t]?\)[ \t.-]?)?"
    r"\d{2,4}(?:[ \t.-]\d{2,4}){1,4}(?![\w])"
    r"|(?<![\w+])\+?[ \t]?(?:\d{1,3}[ \t]?)?\([ \t]?\d{2,4}[ \t]?\)[ \t.-]?\d{3,4}[ \t.-]?\d{3,4}(?!\w)"
    r"|(?<![\w+])\+\d{7,15}(?!\w)"
)
_EXTENSION = re.compile(r"[ \t]*(?:,[ \t]*)?(?:ext\.?|extension|extensi[óo]n|x)[ \t]*\d{1,5}\b", re.IGNORECASE)
_DATE_OR_RANGE = re.compile(r"\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|(?:19|20)\d\d[ \t.-]+(?:19|20)\d\d")


def _with_extension(text: str, end: int) -> int:
    m = _EXTENSION.match(text, end)
    return m.end() if m else end


def find_phones(text: str, pack: LanguagePack) -> Iterator[Finding]:
    """libphonenumber's matches (US region, POSSIBLE leniency) plus digit groups totalling 7-15 digits."""
    try:
        matches = list(phonenumbers.PhoneNumberMatcher(text, "US", leniency=phonenumbers.Leniency.POSSIBLE))
    except Exception:  # noqa: BLE001 - a library bug must not let an identifier through; the patterns still run
        matches = []
    for match in matches:
        yield Finding(match.start, _with_extension(text, match.end), PHONE)
    for m in _PHONE_GROUPS.finditer(text):
        digits = sum(c.isdigit() for c in m.group())
        if not 7 <= digits <= 15 or _DATE_OR_RANGE.fullmatch(m.group().strip()):
            continue
        yield Finding(m.start(), _with_extension(text, m.end()), PHONE)


# --- street addresses ---------------------------------------------------------------------------------------------

_DIRECTION = r"(?:N|S|E|W|NW|NE|SW|SE|North|South|East|West|Norte|Sur|Oeste|Este)\.?"
_STREET_WORD = r"(?:\d{1,3}(?:st|nd|rd|th)|[^\W\d_][\w'’.-]*)"
_SUFFIX = (
    r"(?:St|Street|Ave|Av|Avenue|Rd|Road|Blvd|Boulevard|Dr|Drive|Ct|Court|Pl|Place|Pkwy|Parkway|Ln|Lane|Ter|Terrace"
    r"|Way|Hwy|Highway|Expy|Expressway)\b\.?"
)
_HOUSE_NUMBER = r"(?<![\w#$.,])(?P<number>\d{1,5}[A-Za-z]?)"
_ADDRESS_SUFFIXED = re.compile(
    rf"{_HOUSE_NUMBER}[ \t]+(?P<direction>{_DIRECTION}[ \t]+)?(?P<name>{_STREET_WORD}(?:[ \t]+{_STREET_WORD}){{0,2}}?)"
    rf"[ \t]+(?P<suffix>{_SUFFIX})",
    re.IGNORECASE,
)
# Chicago's grid: "2345 S Pulaski", "3300 N. Elston" say where a house is without any suffix.
_ADDRESS_GRID = re.compile(
    rf"{_HOUSE_NUMBER}[ \t]+(?P<direction>{_DIRECTION})[ \t]+(?P<name>{_STREET_WORD}(?:[ \t]+(?-i:[A-Z])[\w'’.-]*)?)",
    re.IGNORECASE,
)
# "la calle Cullerton número 2020", "avenida Kedzie #4100", "el 1800 de la Cermak".
_ADDRESS_SPANISH = re.compile(
    r"\b(?:calle|avenida|av\.|ave\.|bulevar)[ \t]+(?P<name>[^\W\d_][\w'’.-]*(?:[ \t]+(?-i:[A-Z])[\w'’.-]*){0,2})"
    r"[ \t,]+(?:#|n[úu]mero|num\.?|no\.?|n[º°])?[ \t]*(?P<number>\d{1,5}[A-Za-z]?)\b"
    r"|(?<![\w#$.,])(?P<number2>\d{3,5})[ \t]+de[ \t]+la[ \t]+(?:calle[ \t]+)?(?P<name2>(?-i:[A-Z])[\w'’.-]*)",
    re.IGNORECASE,
)
_UNIT = re.compile(
    r"(?<![\w])(?:apt|apartment|unit|suite|ste|depto|departamento|apto|apartamento|dept)\.?[ \t]*(?:#|no\.?)?[ \t]*"
    r"(?=[\w-]{0,5}\d)[\w-]{1,6}\b"
    r"|(?<=[\w.])[ \t,]*#[ \t]?\d{1,4}[A-Za-z]?\b",
    re.IGNORECASE,
)
_NOT_STREET_WORDS = frozenset(
    fold(w)
    for w in "block blocks of and y e the el la in en at on hours horas minutes minutos years años kids niños people "
    "times veces days días weeks semanas agents agentes men women hombres mujeres families familias my mi".split()
)


def _plausible_street(name: str, number: str, has_direction: bool, has_suffix: bool) -> bool:
    words = name.split()
    if any(fold(w) in _NOT_STREET_WORDS for w in words):
        return False
    capitalised = any(w[0].isupper() or w[0].isdigit() for w in words)
    digits = sum(c.isdigit() for c in number)
    if has_direction and (has_suffix or capitalised or digits >= 3):
        return True
    return has_suffix and (capitalised or digits >= 3)


def find_addresses(text: str, pack: LanguagePack) -> Iterator[Finding]:
    """House number + optional direction + street name (+ suffix), Spanish "calle X 123" forms, and units."""
    for m in _ADDRESS_SUFFIXED.finditer(text):
        if _plausible_street(m.group("name"), m.group("number"), bool(m.group("direction")), True):
            yield Finding(m.start(), m.end(), ADDRESS)
    for m in _ADDRESS_GRID.finditer(text):
        direction = m.group("direction").rstrip(".")
        if len(direction) <= 2 and direction[0].islower():
            continue  # "5 s" "4 e": a lower-case one-letter word is not a direction
        if _plausible_street(m.group("name"), m.group("number"), True, False):
            yield Finding(m.start(), m.end(), ADDRESS)
    for m in _ADDRESS_SPANISH.finditer(text):
        name = m.group("name") or m.group("name2") or ""
        if fold(name.split()[0]) not in _NOT_STREET_WORDS:
            yield Finding(m.start(), m.end(), ADDRESS)
    for m in _UNIT.finditer(text):
        start = m.start()
        while start < m.end() and text[start] in " \t,":
            start += 1
        yield Finding(start, m.end(), ADDRESS)


PATTERN_RECOGNIZERS: tuple[Recognizer, ...] = (
    find_emails,
    find_a_numbers,
    find_id_numbers,
    find_phones,
    find_addresses,
)
