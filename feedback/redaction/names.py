"""Names of people, found without any statistical model.

Three signals, combined per run of capitalised words:

* a **cue** just before the run: kinship, neighbours, titles ("my neighbor", "mi tío", "la señora", "Mrs.",
  "named", "se llama"). After a cue, a capitalised word is a name unless it is a function word; a lower-case word
  is a name only if the gazetteer knows it ("mi vecino pedro ramirez").
* the **gazetteer**: first names and surnames from Faker's person providers (en_US, es_MX, es_ES, pl_PL; more come
  with each language pack) plus a short list of Latino nicknames. Faker is a data package here: nothing is
  generated, the lists are only read.
* the **shape**: capitalised, not a common word of the language (places of Chicago, agencies, days, months), not
  part of an institution ("Benito Juárez Community Academy", "Gads Hill Center", "Nuestra Señora de Guadalupe").

Guaranteed: the recognizer never raises on any ``str``, and only ever reports whole words.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from .languages import LANGUAGE_PACKS, LanguagePack, faker_person_names, fold
from .recognizers import NAME, Finding

#: Latin-script Faker locales read for the gazetteer, whatever the text's language: names travel.
GAZETTEER_LOCALES = ("en_US", "es_MX", "es_ES", "pl_PL")

#: Short forms a Faker list does not hold but residents write ("mi compadre Beto", "don Chuy").
NICKNAMES = frozenset(
    fold(w)
    for w in "Chuy Beto Lupe Lupita Chela Pancho Paco Nacho Memo Lalo Toño Tere Lety Yoli Chayo Pepe Quique Rigo "
    "Chente Goyo Moncho Maru Paty Mari Lucha Conchita Chelo Chava Poncho Gaby Yesenia Karla Kevin Brayan "
    "Fatima Fátima Wei Mohammed Mohamed Ahmed Ali Omar Yusuf Kateryna Svetlana Olena Oksana Li Wang Zhang".split()
)

_WORD = re.compile(r"[^\W\d_]+(?:['’.-][^\W\d_]+)*")
_CONNECTORS = frozenset({"de", "del", "la", "las", "los", "van", "von", "da", "di", "du", "bin", "ibn", "al", "el"})
#: Words that may stand between a cue and the name: "mi vecina, la señora Guadalupe", "a man named", "se llama".
_BRIDGES = frozenset(
    fold(w) for w in "the a an el la los las un una un tal se is es in law was de named called llamado llamada".split()
)
_NOT_AFTER_PLACE = frozenset(fold(w) for w in "san santa saint st sto escuela parroquia iglesia colegio".split())
_SENTENCE_END = re.compile(r"(?:^|[.!?¡¿:;\n\"“”(\[•*-])\s*$")


@lru_cache(maxsize=1)
def gazetteer() -> tuple[frozenset[str], frozenset[str]]:
    """``(first_names, surnames)``, folded, from Faker's person providers of every registered language."""
    locales = dict.fromkeys(GAZETTEER_LOCALES + tuple(loc for p in LANGUAGE_PACKS.values() for loc in p.faker_locales))
    first: set[str] = set(NICKNAMES)
    last: set[str] = set()
    for locale in locales:
        for entries, target in zip(faker_person_names(locale), (first, last), strict=True):
            for entry in entries:
                for part in str(entry).split():
                    if len(part) > 1:
                        target.add(fold(part))
    return frozenset(first), frozenset(last)


@dataclass(frozen=True)
class _Token:
    start: int
    end: int
    text: str
    key: str

    @property
    def capitalised(self) -> bool:
        return self.text[:1].isupper()


def _tokens(text: str) -> list[_Token]:
    return [_Token(m.start(), m.end(), m.group(), fold(m.group())) for m in _WORD.finditer(text)]


def _adjacent(text: str, left: _Token, right: _Token) -> bool:
    """Only blanks (one line) between the two tokens, so that "Juan, Carlos" or "Pérez. Then" split."""
    between = text[left.end : right.start]
    return between.strip(" \t") == "" and len(between) <= 3


def _sentence_initial(text: str, tokens: list[_Token], i: int, pack: LanguagePack) -> bool:
    if i > 0 and tokens[i - 1].key in pack.person_cues:
        return False  # "Mrs. Kowalski": the full stop ends the title, not a sentence
    return bool(_SENTENCE_END.search(text[max(0, tokens[i].start - 40) : tokens[i].start]))


def _cue_before(text: str, tokens: list[_Token], i: int, pack: LanguagePack) -> bool:
    """A person cue among the (at most 3) tokens before ``i``, with only bridge words and ", . :" in between."""
    j = i - 1
    while j >= 0 and i - j <= 4:
        gap = text[tokens[j].end : tokens[j + 1].start]
        if gap.strip(" \t,.:") != "" or "\n" in gap:
            return False
        if tokens[j].key in pack.person_cues:
            # "Nuestra Señora de Guadalupe", "Our Lady of ..." name a church, not a neighbour.
            return not (j > 0 and tokens[j - 1].key in {"nuestra", "our"} and tokens[j].key in {"senora", "lady"})
        if tokens[j].key not in _BRIDGES:
            return False
        j -= 1
    return False


def _run_end(text: str, tokens: list[_Token], i: int, pack: LanguagePack, lower: bool) -> int:
    """Index after the last token of the name that starts at ``i``: capitalised tokens, or lower-case known names."""
    first, last = gazetteer()
    j = i + 1
    while j < len(tokens) and _adjacent(text, tokens[j - 1], tokens[j]):
        token = tokens[j]
        if token.key in _CONNECTORS and j + 1 < len(tokens) and tokens[j + 1].capitalised and not lower:
            if _adjacent(text, token, tokens[j + 1]) and tokens[j + 1].key in last:
                j += 2
                continue
        if lower:
            if token.capitalised or token.key not in (first | last) or token.key in pack.common_words:
                break
        elif not token.capitalised or token.key in pack.function_words:
            break
        j += 1
    return j


def _institution_follows(tokens: list[_Token], end: int, pack: LanguagePack, text: str) -> bool:
    if end < len(tokens) and _adjacent(text, tokens[end - 1], tokens[end]):
        nxt = tokens[end]
        return nxt.capitalised and nxt.key in pack.institution_words
    return False


def find_names(text: str, pack: LanguagePack) -> Iterator[Finding]:
    """Runs of words that name a person (see the module docstring for the rules)."""
    first, last = gazetteer()
    tokens = _tokens(text)
    i = 0
    while i < len(tokens):
        token = tokens[i]
        cue = _cue_before(text, tokens, i, pack)
        if token.key in pack.person_cues or token.key in pack.function_words:
            i += 1
            continue
        if not token.capitalised:
            if cue and token.key in first and token.key not in pack.common_words:
                end = _run_end(text, tokens, i, pack, lower=True)
                yield Finding(token.start, tokens[end - 1].end, NAME)
                i = end
            else:
                i += 1
            continue
        end = _run_end(text, tokens, i, pack, lower=False)
        run = tokens[i:end]
        # Trim common words (places, institutions) off the end: "Carlos Pilsen" is not one name.
        while len(run) > 1 and run[-1].key in pack.common_words and not cue:
            run.pop()
        keys = [t.key for t in run]
        known = [k in first or k in last for k in keys]
        common = [k in pack.common_words for k in keys]
        after_place = i > 0 and tokens[i - 1].key in _NOT_AFTER_PLACE and _adjacent(text, tokens[i - 1], token)
        institution = _institution_follows(tokens, i + len(run), pack, text) or after_place
        if cue and not institution:
            is_name = not all(common) or any(k in first for k in keys)
        elif institution or all(common) or any(k in pack.institution_words for k in keys):
            is_name = False
        elif any(c for c, k in zip(common, known, strict=True) if not k):
            is_name = False  # "Little Village", "Home Depot": an unknown common word in the run
        elif len(run) >= 2:
            is_name = sum(known) >= 1 and not (common[0] and not known[0])
        else:
            key = keys[0]
            if common[0]:
                is_name = False
            elif _sentence_initial(text, tokens, i, pack):
                is_name = key in first and (end >= len(tokens) or not tokens[end].capitalised)
            else:
                is_name = key in first or key in last
        if is_name:
            yield Finding(run[0].start, run[-1].end, NAME)
        i += max(1, len(run)) if is_name else 1
