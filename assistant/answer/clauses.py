"""Clauses of cited sentences, and which of a question's words each holds, across languages.

The first line of an answer (``direct.py``) is made of clauses: the ones holding the most of
what the question asks. A clause in the other language is matched through the dictionaries:
CC-CEDICT's senses of its Chinese words and the corpus glossary.

>>> t = "长江发源于青藏高原，全长约6300公里。"
>>> [t[a:b] for a, b in clauses(t, "zh")]
['长江发源于青藏高原，', '全长约6300公里。']
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

from assistant.index.lexical import tokenize
from assistant.language.names import PERSON, PLACE, names
from assistant.language.numbers import dates, normalize_number, values, without_dates
from assistant.question import kinds
from assistant.question.translate import cedict, gloss_stems

PREFIX = 6  # letters two forms of an English word share ('strateg-y', 'strateg-ic')
_OPEN, _CLOSE = "（(《“「【[‘", "）)》”」】]’"
_ZH_BREAK = "，；：。！？"  # 。 inside a sentence: a quotation's own sentences
_EN_BREAK = ",;:"  # a sentence is one already: 'John C. Smith' keeps its initial


def clauses(text: str, lang: str) -> list[tuple[int, int]]:
    """Clause spans of a sentence, each with its closing mark: cut after ，；：。 (or , ; : with a
    space after), never inside brackets or quotation marks (unless they are unbalanced).

    >>> t = "长江（亚洲第一长河，世界第三）全长6300公里，流经11省。"
    >>> [t[a:b] for a, b in clauses(t, "zh")]
    ['长江（亚洲第一长河，世界第三）全长6300公里，', '流经11省。']
    """
    marks = _ZH_BREAK + (_EN_BREAK if lang == "en" or re.search(r"[A-Za-z]{3}", text) else "")
    for nesting in (True, False):
        spans, start, depth = [], 0, 0
        for i, ch in enumerate(text):
            if nesting and ch in _OPEN:
                depth += 1
            elif nesting and ch in _CLOSE:
                depth = max(depth - 1, 0)
            elif ch in marks and not depth and (ord(ch) > 0x2E80 or i + 1 == len(text) or text[i + 1] == " "):
                if text[start:i + 1].strip():
                    spans.append((start, i + 1))
                start = i + 1
        if text[start:].strip():
            spans.append((start, len(text)))
        if depth == 0:
            break
    return spans


@lru_cache(maxsize=100_000)
def _word_stems(word: str) -> frozenset:
    """The English stems of a Chinese word's CC-CEDICT glosses (of its parts, for a compound
    the dictionary lacks)."""
    import jieba

    glosses = cedict().get(word, ())
    if not glosses and len(word) > 2:
        glosses = [g for part in jieba.lcut_for_search(word) if part != word and len(part) > 1
                   for g in cedict().get(part, ())]
    return frozenset(stem for g in glosses for stems in gloss_stems(g) for stem in stems)


# A glossary's Chinese terms by their first character, each with its English phrase's tokens: a
# text is read once, not once per term (a glossary of 1,500 phrases made that a third of an
# English question's time over Chinese text). Kept for the glossaries last seen.
_GLOSSARY_INDEX: dict[int, tuple[dict, dict[str, list[tuple[str, tuple[str, ...]]]]]] = {}


def _by_first_character(glossary: dict) -> dict[str, list[tuple[str, tuple[str, ...]]]]:
    entry = _GLOSSARY_INDEX.get(id(glossary))
    if entry is None or entry[0] is not glossary:
        index: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
        for phrase, terms in glossary.items():
            tokens = tuple(tokenize(phrase))
            for term in terms:
                if term:
                    index.setdefault(term[0], []).append((term, tokens))
        if len(_GLOSSARY_INDEX) >= 8:
            _GLOSSARY_INDEX.clear()
        entry = _GLOSSARY_INDEX[id(glossary)] = (glossary, index)
    return entry[1]


def english_stems(text: str, glossary: dict) -> set[str]:
    """English search stems for the Chinese words of a text: every sense the dictionaries give,
    the corpus glossary's phrases for its terms too. Loose on purpose: it only weighs which
    clause of a cited sentence a question is about, never what to retrieve.

    >>> sorted(english_stems("长江", {}))[:3]
    ['chang', 'jiang', 'river']
    """
    import jieba

    stems: set[str] = set()
    index = _by_first_character(glossary)
    for i, c in enumerate(text):
        for term, tokens in index.get(c, ()):
            if text.startswith(term, i):
                stems.update(tokens)
    for word in jieba.lcut(text):
        if len(word) > 1 or "\u4e00" <= word <= "\u9fff":
            stems |= _word_stems(word)
    return stems


def clean(piece: str) -> str:
    """A run of clauses as a line shows it: no spaces around, no trailing comma or colon."""
    return piece.strip().rstrip("，；：,;: ")


def _figure(value: float) -> str:
    """A figure as the lexical index spells it ('5', '3.5'), so it weighs as its token does."""
    return str(int(value)) if float(value).is_integer() else str(value)


class Asked:
    """What a question asks, as the first line reads it: its search tokens and their weights,
    the kind of answer it wants, the figures, dates and names it states itself.

    >>> a = Asked("How long is the Yangtze?", "en")
    >>> a.kind, sorted(a.matched("长江全长约6300公里", "zh")), a.holds_kind("全长约6300公里", "zh")
    ('number', ['yangtz'], True)
    """

    def __init__(self, text: str, lang: str, idf: dict | None = None, glossary: dict | None = None):
        self.text, self.lang = text, lang
        self.kind = kinds.kind_of(text, lang)
        self.tokens = set(tokenize(text))
        idf = idf or {}
        top = max(idf.values(), default=1.0)
        self.weight = lambda t: idf.get(t, top)
        self.glossary = glossary or {}
        self._stems: set | None = None
        self.values = values(text)
        self.dates = dates(text)
        self.names = {n.lower() for n in names(text, lang)}
        self.digits = set(re.findall(r"\d+", text))

    def matched(self, clause: str, lang: str) -> set[str]:
        """The question's words a clause holds, through the dictionaries when the clause is in
        the other language (as English stems, for a Chinese question over English text)."""
        own = set(tokenize(clause))
        found = self.tokens & own
        # A count the question writes in words ('within three months') is the clause's '3个月'.
        found |= {_figure(v) for v in self.values & values(clause)} if self.values else set()
        if lang != self.lang:
            if self.lang == "en":
                senses = english_stems(clause, self.glossary)
                found |= self.tokens & senses
                # A dictionary sense is one form of a word ('strategy'); the question may use
                # another ('strategic'): long words sharing their first PREFIX letters match.
                heads = {s[:PREFIX] for s in senses if len(s) >= PREFIX}
                found |= {t for t in self.tokens - found if len(t) >= PREFIX and t[:PREFIX] in heads}
            else:
                found |= self.english & own
        return found

    @property
    def english(self) -> set[str]:
        """A Chinese question's words as English stems (see :func:`english_stems`)."""
        if self._stems is None:
            self._stems = english_stems(self.text, self.glossary)
        return self._stems

    def weigh(self, words: set[str]) -> float:
        """The weight of some of the question's words: their idf in the corpus."""
        return math.fsum(map(self.weight, words))  # exact: the same whatever order a set gives

    def holds_kind(self, clause: str, lang: str) -> bool:
        """Whether a clause states a thing of the kind asked for that the question does not."""
        if self.kind == kinds.NUMBER:
            return bool(values(without_dates(clause)) - self.values)
        if self.kind == kinds.DATE:
            return bool(dates(clause) - self.dates)
        if self.kind in (kinds.PERSON, kinds.PLACE):
            tag = PERSON if self.kind == kinds.PERSON else PLACE
            found = {n.lower() for n in names(clause, lang, (tag,))}
            return any(not any(n in q or q in n for q in self.names) for n in found)
        return True


def shorten(text: str, room: int, anchor: int) -> str:
    """At most ``room`` characters of a text around ``anchor``, cut at words where it has them,
    cut sides marked with '…'.

    >>> t = "the old bridge was designed by the engineer John Smith in 1890, then rebuilt"
    >>> shorten(t, 30, t.index("John"))
    '…engineer John Smith in 1890…'
    """
    if len(text) <= room:
        return text
    room = max(room - 2, 1)
    start = max(0, min(anchor - room // 3, len(text) - room))
    end = start + room
    piece = text[start:end]
    if re.search(r"[A-Za-z]", piece):  # no half words at the cuts
        if start and not text[start - 1].isspace() and " " in piece:
            piece = piece[piece.index(" ") + 1:]
        if end < len(text) and not text[end].isspace() and " " in piece:
            piece = piece[:piece.rindex(" ")]
    piece = piece.strip()
    return ("…" if start else "") + (piece.rstrip(",;:，；：") + "…" if end < len(text) else piece)


def cut(text: str, size: int, from_end: bool) -> str:
    """The first (or last) ``size`` characters of a text, at a word boundary when it has words.

    >>> cut("the river rises in the west", 12, False), cut("长江发源于青藏高原", 4, True)
    ('the river', '青藏高原')
    """
    piece = text[-size:] if from_end else text[:size]
    if len(piece) < len(text) and re.search(r"[A-Za-z]", piece):
        m = re.search(r"\s\S*$", piece) if not from_end else re.search(r"^\S*\s", piece)
        if m:
            piece = piece[:m.start()] if not from_end else piece[m.end():]
    return piece.rstrip("，；：,;: ") if not from_end else piece.lstrip()


def where(question: Asked, text: str, room: int | None = None) -> int:
    """Where in a long clause the answer likely is: a thing of the kind asked for that the
    question does not state (a figure, a date, a name), the one with the most of the question's
    words in a window of ``room`` characters around it (a third before the spot, as
    :func:`shorten` cuts), else where such a window holds the most of the question's words, the
    earliest such; without ``room``, the first such thing, else the question's first word."""
    lang = "zh" if re.search(r"[\u4e00-\u9fff]", text) else "en"
    lowered = text.lower()
    # Every place each word is said: the answer is beside the question's words, before or after
    # (a Chinese question's, in English text, as their English stems).
    words = question.english if lang == "en" and question.lang == "zh" else question.tokens
    said = sorted((m.start(), t) for t in words if len(t) > 1
                  for m in re.finditer(rf"\b{re.escape(t)}" if t.isascii() else re.escape(t), lowered))

    def held(spot: int) -> int:
        return len({t for at, t in said if spot - room // 3 <= at < spot + room - room // 3})

    spots: list[int] = []
    if question.kind == kinds.NUMBER or question.kind == kinds.DATE:
        spots = [m.start() for m in re.finditer(r"\d+(?:[.,]\d+)*", text)
                 if float(normalize_number(m.group()).replace(",", "").split(".")[0] or 0) not in question.values]
    elif question.kind in (kinds.PERSON, kinds.PLACE):
        tag = PERSON if question.kind == kinds.PERSON else PLACE
        new = [n for n in names(text, lang, (tag,)) if not any(n in q or q in n for q in question.names)]
        spots = sorted(at for n in new if (at := lowered.find(n)) >= 0)
    if spots:
        return max(spots, key=lambda spot: (held(spot), -spot)) if said and room else spots[0]
    if not said or room is None:
        return said[0][0] if said else 0
    return max((spot for spot, _ in said), key=lambda spot: (held(spot), -spot))
