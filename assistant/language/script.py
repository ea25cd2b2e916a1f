"""Scripts and languages: which characters are Chinese, and which language a text is in."""

from __future__ import annotations

import re

_LATIN_WORD = re.compile(r"[A-Za-z]+")
# Everything that is not a Han character (the ranges of is_cjk): what count_han drops.
_NOT_HAN = re.compile("[^\u4e00-\u9fff\u3400-\u4dbf\uf900-\ufaff\U00020000-\U0002fa1f]+")


def is_cjk(ch: str) -> bool:
    """True for Han characters (the ones Chinese words are made of)."""
    o = ord(ch)
    return 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF or 0x20000 <= o <= 0x2FA1F


def is_wide(ch: str) -> bool:
    """Han characters and full-width punctuation: no space belongs next to them."""
    return ord(ch) >= 0x2E80


def count_han(text: str) -> int:
    """The number of Han characters in ``text``.

    >>> count_han("长江 6300 公里")
    4
    """
    return len(_NOT_HAN.sub("", text))


def detect_lang(text: str) -> str:
    """'zh' when Han characters outweigh Latin words, else 'en'.

    >>> detect_lang("长江全长 6300 公里"), detect_lang("The Yangtze (长江) is long")
    ('zh', 'en')
    """
    han = count_han(text)
    words = len(_LATIN_WORD.findall(text))
    # A Latin word carries about as much as two Han characters.
    return "zh" if han >= 2 * words and han > 0 else "en"


_HAN_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_EN_WORD = re.compile(r"[a-z0-9]+")


def bigrams(text: str) -> frozenset:
    """Adjacent pairs a phrase match is made of: Han character pairs, and pairs of lowercase
    English words.

    >>> sorted(bigrams("长江流域 the Yangtze river"))
    ['the yangtze', 'yangtze river', '江流', '流域', '长江']
    """
    out = {run[i:i + 2] for run in _HAN_RUN.findall(text) for i in range(len(run) - 1)}
    words = _EN_WORD.findall(text.lower())
    out |= {f"{a} {b}" for a, b in zip(words, words[1:])}
    return frozenset(out)
