"""Names of people written in Chinese characters, found without any statistical model.

Chinese has no spaces and no capitals: a name is a surname of one character (two for "欧阳", "司马"…) and a given
name of one or two, run together with the words around it. Many surnames are also everyday characters ("王" king,
"高" tall, "何" what), so a character is taken for a surname only where something says a person is named. Run on
every text whatever its language (names travel: "my neighbor 王伟"):

* after a **naming cue** ("我叫", "名叫", "他姓"…), the name that follows, with or without a surname;
* before a **title** ("先生", "女士", "阿姨", "老师"…), the surname and given name just before it ("王先生",
  "张伟医生"): the title stays, the name goes;
* after a **kin cue** ("邻居", "我丈夫", "朋友"…, or the pack's Latin-script cues: "my neighbor", "mi vecino"), a
  surname and the given name after it;
* with no cue, a surname followed by a two-character given name that Faker's Chinese providers list ("李建国").

A given name stops before the characters that never end one here: particles, pronouns and common verbs ("王伟说",
"李明的"). Surnames and given names are Faker's zh_CN and zh_TW person providers', read as data.

Guaranteed: never raises on any ``str``, and reports only spans of Chinese characters.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from .languages import LanguagePack, faker_person_names, fold
from .recognizers import NAME, Finding

CHINESE_LOCALES = ("zh_CN", "zh_TW")

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUN = re.compile(f"[{_HAN}]+")

#: Surnames of two characters; Faker lists only "欧阳".
COMPOUND_SURNAMES = frozenset(
    "欧阳 歐陽 司马 司馬 上官 诸葛 諸葛 东方 東方 皇甫 尉迟 尉遲 公孙 公孫 慕容 司徒 夏侯 令狐 宇文 长孙 長孫".split()
)
#: After these, what follows is a name: "my name is", "is called", "surnamed".
NAMING_CUES = (
    "我叫",
    "他叫",
    "她叫",
    "名叫",
    "叫做",
    "名字是",
    "名字叫",
    "姓名是",
    "名为",
    "名為",
    "他姓",
    "她姓",
    "我姓",
)
#: After these, a surname and given name are a person: family, neighbours, friends, landlords.
KIN_CUES = (
    "邻居",
    "鄰居",
    "朋友",
    "同事",
    "丈夫",
    "老公",
    "妻子",
    "太太",
    "老婆",
    "儿子",
    "兒子",
    "女儿",
    "女兒",
    "哥哥",
    "姐姐",
    "弟弟",
    "妹妹",
    "表哥",
    "表姐",
    "表弟",
    "表妹",
    "堂哥",
    "堂姐",
    "爸爸",
    "妈妈",
    "媽媽",
    "父亲",
    "父親",
    "母亲",
    "母親",
    "叔叔",
    "阿姨",
    "舅舅",
    "房东",
    "房東",
    "老板",
    "老闆",
)
#: After a name: the title stays visible, the name before it is hidden.
TITLES = (
    "先生",
    "女士",
    "太太",
    "小姐",
    "老师",
    "老師",
    "阿姨",
    "叔叔",
    "医生",
    "醫生",
    "律师",
    "律師",
    "师傅",
    "師傅",
    "大哥",
    "大姐",
    "奶奶",
    "爷爷",
    "爺爺",
    "同学",
    "同學",
    "经理",
    "經理",
)
#: Never inside a given name: particles, pronouns, and the verbs that follow a name most ("王伟说").
_STOPS = frozenset(
    "的了是在说說和与與跟也很不就都还還又被把给給对對从從到去来來会會要有没沒们們他她我你您吗嗎呢吧啊这這那个個"
    "和及或但而因为為所以如果已经經正在每些呀么麼先住走叫告诉訴看想知问問打找让讓帮幫回今昨"
)


@lru_cache(maxsize=1)
def chinese_gazetteer() -> tuple[frozenset[str], frozenset[str]]:
    """``(surnames, given names)`` from Faker's Chinese person providers, and the compound surnames above."""
    surnames: set[str] = set(COMPOUND_SURNAMES)
    given: set[str] = set()
    for locale in CHINESE_LOCALES:
        first_names, last_names = faker_person_names(locale)
        given.update(str(name) for name in first_names)
        surnames.update(str(name) for name in last_names)
    return frozenset(surnames - _STOPS), frozenset(name for name in given if not set(name) & _STOPS)


def _pair(run: str, i: int) -> str | None:
    """The two characters at ``run[i]``, None where the run ends sooner."""
    return run[i : i + 2] if i + 2 <= len(run) else None


def _surname_at(run: str, i: int, surnames: frozenset[str]) -> int:
    """The length of the surname starting at ``run[i]`` (2 for a compound one), 0 if none starts there."""
    if _pair(run, i) in surnames:
        return 2
    return 1 if run[i] in surnames else 0


def _given_length(run: str, i: int, given: frozenset[str]) -> int:
    """How many characters (0 to 2) of a given name start at ``run[i]``: a listed two-character name, else up to two
    characters before a stop or a title."""
    if _pair(run, i) in given:
        return 2
    length = 0
    while length < 2 and i + length < len(run) and run[i + length] not in _STOPS:
        if any(run.startswith(title, i + length) for title in TITLES):
            break
        length += 1
    return length


def _after_cue(run: str, i: int, surnames, given, *, naming: bool) -> int:
    """The end of a name starting at ``run[i]``, just after a cue; ``i`` if there is none."""
    surname = _surname_at(run, i, surnames) if i < len(run) and run[i] not in _STOPS else 0
    if surname:
        return i + surname + _given_length(run, i + surname, given)
    if naming and i < len(run):
        return i + _given_length(run, i, given)  # "我叫小明": a given name alone
    return i


def _cue_ending_at(run: str, i: int, cues: tuple[str, ...]) -> bool:
    return any(run.endswith(cue, 0, i) for cue in cues)


def _title_names(run: str, surnames, given) -> Iterator[tuple[int, int]]:
    """(start, end) of the names just before a title: the longest surname + given name (up to two) that ends there."""
    for title in TITLES:
        for match in re.finditer(re.escape(title), run):
            end = match.start()
            for start in range(max(0, end - 4), end):
                surname = _surname_at(run, start, surnames)
                rest = run[start + surname : end]
                if surname and len(rest) <= 2 and not set(rest) & _STOPS and (len(rest) < 2 or rest in given):
                    yield start, end
                    break


def _spans(run: str, latin_cue_before: bool, surnames, given) -> list[tuple[int, int]]:
    spans = list(_title_names(run, surnames, given))
    i = 0
    while i < len(run):
        end = i
        if _cue_ending_at(run, i, NAMING_CUES):
            end = _after_cue(run, i, surnames, given, naming=True)
        elif _cue_ending_at(run, i, KIN_CUES) or (i == 0 and latin_cue_before):
            end = _after_cue(run, i, surnames, given, naming=False)
        else:
            surname = _surname_at(run, i, surnames)
            if surname and _pair(run, i + surname) in given:
                end = i + surname + 2
        if end > i:
            spans.append((i, end))
            i = end
        else:
            i += 1
    return spans


def _latin_cue_before(text: str, start: int, pack: LanguagePack) -> bool:
    """Whether a Latin-script cue of the pack ("my neighbor") stands right before ``start``."""
    match = re.search(r"([A-Za-zÀ-ɏ]+)[ \t]{0,2}$", text[:start])
    return match is not None and fold(match.group(1)) in pack.person_cues


def find_chinese_names(text: str, pack: LanguagePack) -> Iterator[Finding]:
    """Spans of Chinese characters that name a person (see the module docstring for the rules)."""
    if not _RUN.search(text):
        return
    surnames, given = chinese_gazetteer()
    for match in _RUN.finditer(text):
        run = match.group()
        for start, end in _spans(run, _latin_cue_before(text, match.start(), pack), surnames, given):
            yield Finding(match.start() + start, match.start() + end, NAME)
