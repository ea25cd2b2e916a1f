"""Proper names in text: people, places, organisations and titles, in Chinese and English.

English names are runs of capitalised words (a sentence's first word only when another
capitalised word follows it) and acronyms; Chinese ones are what jieba's part-of-speech
tagger marks as a person (nr), place (ns), organisation (nt) or other proper noun (nz), a
transliterated name with a middle dot, and a title in 《》.

>>> sorted(names("The Panthers beat the Denver Broncos at Levi's Stadium.", "en"))
['denver broncos', "levi's stadium", 'panthers']
>>> sorted(names("贾里德·艾伦效力于丹佛野马队，著有《回忆录》。", "zh"))
['《回忆录》', '丹佛', '贾里德·艾伦']
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache

_FUNCTION = set("a an the this that these those it its in on at of for to by from with as and or but if when while "
                "after before during since until what which who whom whose where why how is are was were be been "
                "do does did has have had can could will would should may might must there here he she they we you "
                "i his her their our your my also however although because so then thus".split())
_EN_NAME = re.compile(r"(?<![A-Za-z0-9'’])[A-Z][A-Za-z0-9'’-]*(?:[ \t]+(?:(?:of|the|de|da|di|von|van|der|le|la|du|and|&)"
                      r"[ \t]+)?[A-Z][A-Za-z0-9'’-]*)*")
_TITLE = re.compile(r"《[^》]{1,40}》")
_DOT = re.compile(r"[\u4e00-\u9fff]+(?:[·•・][\u4e00-\u9fff]+)+")
_ZH_FUNCTION = set("的 是 在 和 与 及 由 被 把 对 向 从 于 为 让 给 跟 同 将 以 了 也 都 而".split())
PERSON, PLACE, ORG, OTHER = "nr", "ns", "nt", "nz"


@lru_cache(maxsize=1)
def _posseg():
    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    return jieba.posseg


@lru_cache(maxsize=50_000)
def tagged_names(text: str) -> tuple[tuple[str, str], ...]:
    """(name, tag) for the Chinese names jieba tags in ``text``: nr, ns, nt or nz (cached: the
    tagger costs about a millisecond a sentence)."""
    out = [(name, PERSON) for name in _dotted(text)]
    out += [(m.group(), OTHER) for m in _TITLE.finditer(text)]
    dotted = "".join(name for name, _ in out)
    for w in _posseg().cut(text):
        if w.flag in (PERSON, PLACE, ORG, OTHER) and len(w.word) > 1 and w.word not in dotted:
            out.append((w.word, w.flag))
    return tuple(out)


def _dotted(text: str) -> list[str]:
    """Transliterated names written with a middle dot ('贾里德·艾伦'): the word before the first
    dot, the parts between, and the word after the last, as jieba cuts the text around them."""
    import jieba

    out = []
    for m in _DOT.finditer(text):
        parts = re.split(r"[·•・]", m.group())
        # The name's first part may be cut in pieces ('贾', '里德'): take words from the end while
        # they could still be one name (four characters at most, no function word).
        head = ""
        for word in reversed(jieba.lcut(parts[0])):
            if len(head) + len(word) > 4 or word in _ZH_FUNCTION:
                break
            head = word + head
        tail = jieba.lcut(parts[-1])[0]
        out.append("·".join([head, *parts[1:-1], tail]))
    return out


def english_names(text: str) -> set[str]:
    """Capitalised runs and acronyms, lowercased; a lone capitalised function word at a
    sentence start ('The', 'In') is not a name."""
    out = set()
    for m in _EN_NAME.finditer(text):
        words = m.group().rstrip(".").split()
        while words and words[0].lower() in _FUNCTION:
            words = words[1:]
        while words and words[-1].lower() in ("of", "the", "and", "&", "de", "von", "van"):
            words = words[:-1]
        if words:
            out.add(" ".join(words).lower())
    return out


def names(text: str, lang: str, kinds: tuple[str, ...] = (PERSON, PLACE, ORG, OTHER)) -> set[str]:
    """The proper names in a text. For Chinese text, ``kinds`` picks which of jieba's tags
    count; English text cannot tell a person from a place by its letters, so every name counts.

    Args:
        text: a sentence or question.
        lang: 'zh' or 'en' (of the text).
        kinds: PERSON, PLACE, ORG, OTHER.
    """
    if lang == "en":
        return english_names(text)
    found = {name for name, tag in tagged_names(text) if tag in kinds}
    return found | english_names(text)  # Latin names inside Chinese text: NFL, CBS
