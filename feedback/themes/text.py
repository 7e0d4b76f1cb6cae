"""Text normalisation for the themes engine: English and Spanish words to shared concept tokens.

``concept_tokens(text)`` lower-cases, removes accents, replaces glossary phrases and words by their concept
(``CONCEPT_KEY`` in upper case) and returns them; ``word_tokens(text)`` returns the remaining content words
(stop words, place names and concept words removed), lightly stemmed. Both are pure functions of the text:
the same text always gives the same tokens, in the order they appear. The per-word look-ups are cached, so a
corpus of 100,000 concerns costs one dictionary look-up per word after the first time a word is seen.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from .glossary import CONCEPTS, PLACE_WORDS

_WORD = re.compile(r"[a-z0-9']+")

SPANISH_STOP_WORDS = frozenset(
    """a al algo algun alguna algunas alguno algunos ante antes aqui asi aun aunque bien cada casi como con
    contra cual cuales cuando de del desde donde dos el ella ellas ello ellos en entre era eran eres es esa esas
    ese eso esos esta estaba estaban estamos estan estar estas este esto estos estoy fue fueron ha hace hacen
    hacer han hasta hay la las le les lo los mas me mi mis mucha muchas mucho muchos muy nada ni no nos nosotros
    nuestra nuestras nuestro nuestros o otra otras otro otros para pero poco por porque que quien quienes se sea
    ser si sido siempre sin sobre solo somos son su sus tambien tan tanto te tenemos tener tengo ti tiene tienen
    todo todos todas toda tu tus un una unas uno unos usted ustedes va vamos van ya yo he hemos hay pues pa
    q x k tmb xq pq ahora ahorita dia dias vez veces cosa cosas gente persona personas nadie alguien mismo misma
    puede pueden poder quiero queremos necesitamos necesito deberia deben debe sabe saben se saber creo
    parece sigue siguen estan estuvo tuvo tuve dijo dicen dice ver vi hizo hicieron ir vino salir sale
    mejor peor mal bueno buena otra vez mes meses semana semanas ano anos hoy ayer manana nunca tampoco
    the and""".split()
)

EXTRA_ENGLISH_STOP_WORDS = frozenset(
    """just like really even get got getting know think want need people person don't can't won't i'm it's
    we're they're that's there's i've we've didn't doesn't isn't aren't wasn't one two also still lot lots
    going go goes went say says said thing things way day days week weeks month months year years time times
    today now ago since every make made right good bad new old many much tell told see saw feel feels felt
    ask asked let us use used""".split()
)


def strip_accents(text: str) -> str:
    """Lower-case ``text`` and remove combining accents (é → e, ñ → n, ü → u); other characters are kept."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _build_tables() -> tuple[dict[str, str], dict[str, str], list[tuple[str, str]]]:
    exact: dict[str, str] = {}
    prefixes: dict[str, str] = {}
    phrases: list[tuple[str, str]] = []
    for key, (_label, entries) in CONCEPTS.items():
        for raw in entries.split():
            entry = strip_accents(raw)
            if "_" in entry:
                phrases.append((entry.replace("_", " "), key))
            elif entry.endswith("*"):
                prefixes.setdefault(entry[:-1], key)
            else:
                exact.setdefault(entry, key)
    for raw in PLACE_WORDS.split():
        entry = strip_accents(raw)
        if "_" in entry:
            phrases.append((entry.replace("_", " "), ""))
        else:
            exact[entry] = ""
    phrases.sort(key=lambda item: -len(item[0]))  # longest phrase first, so "la villita" beats "la"
    return exact, prefixes, phrases


_EXACT, _PREFIXES, _PHRASES = _build_tables()
_PHRASE_RE = re.compile(r"\b(" + "|".join(re.escape(p) for p, _ in _PHRASES) + r")\b")
_PHRASE_CONCEPT = dict(_PHRASES)
_STOP = frozenset(ENGLISH_STOP_WORDS) | SPANISH_STOP_WORDS | EXTRA_ENGLISH_STOP_WORDS
_MAX_PREFIX = max(len(p) for p in _PREFIXES)


@lru_cache(maxsize=200_000)
def concept_of(word: str) -> str | None:
    """The concept key of an accent-free lower-case ``word``; "" for a place word; ``None`` if it has none."""
    if word in _EXACT:
        return _EXACT[word]
    for length in range(min(len(word), _MAX_PREFIX), 2, -1):
        key = _PREFIXES.get(word[:length])
        if key is not None:
            return key
    return None


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    """A light, language-agnostic stem: drop a plural ending so "clinicas"/"clinica" and "shops"/"shop" meet."""
    for suffix in ("es", "s"):
        if len(word) > 4 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def split_tokens(text: str) -> tuple[list[str], list[str]]:
    """(concept tokens, content words) of ``text`` in one pass; see :func:`concept_tokens`, :func:`word_tokens`."""
    return _split(text)


def _split(text: str) -> tuple[list[str], list[str]]:
    clean = strip_accents(text).replace("\u2019", "'")
    concepts: list[str] = []

    def _phrase(match: re.Match[str]) -> str:
        key = _PHRASE_CONCEPT[match.group(0)]
        if key:
            concepts.append(key)
        return " "

    clean = _PHRASE_RE.sub(_phrase, clean)
    words: list[str] = []
    for word in _WORD.findall(clean):
        word = word.strip("'")
        if len(word) < 2:
            continue
        key = concept_of(word)
        if key is not None:
            if key:
                concepts.append(key)
        elif word not in _STOP and not word.isdigit():
            words.append(_stem(word))
    return concepts, words


def concept_tokens(text: str) -> list[str]:
    """The glossary concepts found in ``text`` (one token per occurrence), e.g. ``["SCHOOL", "FEAR"]``."""
    return _split(text)[0]


def word_tokens(text: str) -> list[str]:
    """The content words of ``text`` that no glossary concept covers, stop words and place names removed."""
    return _split(text)[1]


def concept_label(key: str) -> str:
    """The bilingual display label of a concept key, or the key itself when it is not a concept."""
    entry = CONCEPTS.get(key)
    return entry[0] if entry else key
