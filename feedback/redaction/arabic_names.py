"""Names of people written in Arabic script, found without any statistical model.

Arabic script has no capitals, and many given names are also words ("جميل" beautiful, "سعيد" happy, "أمل" hope),
so the shape that `names.py` reads in Latin script is missing. What remains, run on every text whatever its language
(names travel: "my neighbor محمد"):

* a **cue** just before: "اسمه", "يدعى", "السيد", "أبو"… (a *naming* cue: the next word is a name, whatever it is)
  or kinship and neighbours, "جاري", "أخي", "زوجتي", and the Latin-script cues of the text's language pack (a
  *kin* cue: the next word is a name if the gazetteer knows it);
* the **gazetteer**: the given names and family names of Faker's Arabic person providers (ar_AA, ar_SA, ar_PS,
  ar_DZ), read as data;
* **two names in a row** with no cue ("خالد عمر"), or one of the names below that are never ordinary words.

A name goes on over the following words the gazetteer knows ("محمد أحمد الخطيب"), over "بن", "بنت", "ابن" and
"أبو" before a known name, and over the second word of a compound name ("عبد الله", "نور الدين"), four words at
most. A proclitic "و", "ف", "ب", "ل" or "ك" ("ومحمد", "and Muhammad") stays outside the finding.

Guaranteed: never raises on any ``str``, and reports only spans of Arabic letters.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from .languages import LanguagePack, faker_person_names, fold
from .recognizers import NAME, Finding

ARABIC_LOCALES = ("ar_AA", "ar_SA", "ar_PS", "ar_DZ")

_LETTERS = "\u0620-\u064a\u066e-\u06d3\u06d5\u06fa-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufefc"
_MARKS = "\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640"  # diacritics, Quranic marks, tatweel
_WORD = re.compile(f"[{_LETTERS}][{_LETTERS}{_MARKS}]*")
_PROCLITICS = "وفبلك"
_FIRST_LETTER = re.compile(f"[{_LETTERS}][{_MARKS}]*")


def arabic_fold(word: str) -> str:
    """`fold` (hamza on alef, madda and vowel marks dropped), and tatweel removed: "أحمَـد" and "احمد" match."""
    return fold(word).replace("\u0640", "")


def _folded(words: str) -> frozenset[str]:
    return frozenset(arabic_fold(word) for word in words.split())


#: After these, the next word is a name whatever it is: "named", "my name is", titles, "Abu"/"Umm" of a kunya.
NAMING_CUES = _folded(
    "اسمه اسمها اسمي اسمى اسمهم يدعى تدعى يسمى تسمى المدعو المدعوة المسمى السيد السيدة الاستاذ الأستاذ الأستاذة "
    "الحاج الحاجة الحجة الشيخ الشيخة الدكتور الدكتورة أبو ابو أبي"
)
#: After these, the next word is a name if the gazetteer knows it: kin, neighbours, friends, "son of".
KIN_CUES = _folded(
    "جاري جارتي جارنا جارتنا جيراني جارهم أخي أخويا أخوي اخي أختي اختي أخوه أخته ابني ابنتي بنتي ولدي زوجي زوجتي "
    "زوجها زوجته عمي عمتي خالي خالتي أمي ابن ابنة بنت صديقي صديقتي صاحبي زميلي زميلتي أم"
)
#: Words inside a name before the next known name: "محمد بن سلمان", "خالد أبو علي".
_CONNECTORS = _folded("بن بنت ابن أبو ابو آل")
#: Given names that are not ordinary words: hidden even with no cue and alone.
DISTINCTIVE = _folded(
    "محمد أحمد محمود مصطفى إبراهيم إسماعيل يوسف خالد عمر عثمان حسين فاطمة خديجة عائشة مريم زينب ياسين طارق وليد "
    "هشام بلال حمزة عبدالله يحيى زكريا سليمان رشيد نادية سميرة ليلى رانيا ياسمين عبدالرحمن مروان أسامة"
)
#: Cues and grammar words that are never the name itself, though a provider may list them.
_NEVER = (
    NAMING_CUES
    | KIN_CUES
    | _folded("في من على إلى الى عن مع هو هي هم هذا هذه ذلك التي الذي كان كانت قال قالت لا لم لن ما أن إن قد ثم أو أم")
)


@lru_cache(maxsize=1)
def arabic_gazetteer() -> tuple[frozenset[str], frozenset[str], frozenset[tuple[str, str]]]:
    """``(given names, family names, compound pairs)``, folded, from Faker's Arabic person providers."""
    given: set[str] = set(DISTINCTIVE)
    family: set[str] = set()
    pairs: set[tuple[str, str]] = set()
    for locale in ARABIC_LOCALES:
        for entries, target in zip(faker_person_names(locale), (given, family), strict=True):
            for entry in entries:
                parts = [arabic_fold(part) for part in str(entry).split()]
                target.add(parts[0])  # "تاج الدّين", "عبد الله": the first part starts a name, the pairs continue it
                pairs.update(zip(parts, parts[1:], strict=False))
    return frozenset(given - _NEVER), frozenset(family - _NEVER), frozenset(pairs)


@dataclass(frozen=True)
class _Word:
    start: int
    end: int
    key: str  # folded
    bare: str  # folded, without a proclitic (or the key when it has none)
    clitic: bool
    name_start: int  # where the name begins in the text: after the proclitic and its marks


def _words(text: str, names: frozenset[str]) -> list[_Word]:
    """The Arabic words of ``text``; a first letter is a proclitic only when the word is no name and the rest is one
    ("فاطمة" is Fatima, "ومحمد" is "and Muhammad")."""
    words = []
    for match in _WORD.finditer(text):
        key = arabic_fold(match.group())
        clitic = len(key) > 3 and key[0] in _PROCLITICS and key not in names and key[1:] in names
        name_start = match.start() + (len(_FIRST_LETTER.match(match.group()).group()) if clitic else 0)
        words.append(_Word(match.start(), match.end(), key, key[1:] if clitic else key, clitic, name_start))
    return words


def _latin_words(text: str) -> list[tuple[int, int, str]]:
    """The Latin-script words of the text (start, end, folded): a pack's cue may stand before an Arabic name."""
    return [(m.start(), m.end(), fold(m.group())) for m in re.finditer(r"[A-Za-zÀ-ɏ]+", text)]


def _adjacent(text: str, left_end: int, right_start: int) -> bool:
    between = text[left_end:right_start]
    return between.strip(" \t\u200f\u200e") == "" and len(between) <= 3


def _known(word: _Word, given: frozenset[str], family: frozenset[str]) -> bool:
    return word.key in given or word.key in family


def find_arabic_script_names(text: str, pack: LanguagePack) -> Iterator[Finding]:
    """Runs of Arabic-script words that name a person (see the module docstring for the rules)."""
    if not _WORD.search(text):
        return
    given, family, pairs = arabic_gazetteer()
    words = _words(text, given | family)
    latin = _latin_words(text)
    i = 0
    while i < len(words):
        word = words[i]
        cue = _cue_before(text, words, latin, i, pack)
        starts = word.key not in _NEVER and (
            (cue == "naming" and len(word.key) > 1) or (cue == "kin" and word.bare in given) or word.bare in DISTINCTIVE
        )
        end = _run_end(text, words, i, given, family, pairs)
        if not starts and end - i >= 2 and word.bare in given:
            starts = True  # two or more names in a row: "خالد عمر"
        if not starts:
            i += 1
            continue
        yield Finding(word.name_start, words[end - 1].end, NAME)
        i = end


def _cue_before(text: str, words: list[_Word], latin: list[tuple[int, int, str]], i: int, pack: LanguagePack):
    """ "naming", "kin" or None: the cue right before word ``i`` (Arabic, or a Latin-script cue of the pack)."""
    if i > 0 and _adjacent(text, words[i - 1].end, words[i].start):
        before = words[i - 1].key
        if before in NAMING_CUES:
            return "naming"
        if before in KIN_CUES:
            return "kin"
    for _start, end, key in reversed(latin):
        if end <= words[i].start:
            if _adjacent(text, end, words[i].start) and key in pack.person_cues:
                return "kin"
            break
    return None


def _run_end(text: str, words: list[_Word], i: int, given, family, pairs) -> int:
    """Index after the last word of a name starting at ``i``: known names, connectors before a known name, and the
    second word of a compound name; four words at most."""
    j = i + 1
    while j < len(words) and j - i < 4 and _adjacent(text, words[j - 1].end, words[j].start):
        word, previous = words[j], words[j - 1]
        if word.clitic:
            break  # "ومحمد": "and" starts another name
        if (previous.key, word.key) in pairs or (word.key not in _NEVER and _known(word, given, family)):
            j += 1
        elif word.key in _CONNECTORS and j + 1 < len(words) and _known(words[j + 1], given, family):
            j += 2
        else:
            break
    return min(j, len(words))
