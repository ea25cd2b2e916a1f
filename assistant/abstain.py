"""When to say the paper does not answer: checks beyond a low retrieval score.

Plausible unanswerable questions retrieve well (``2024年中欧班列开行多少列？`` finds the
2025 sentence), so scores alone cannot tell them apart. Three checks can:

- a figure the question names (a year, an amount) is not in the evidence;
- the question asks for a quantity and the evidence holds none;
- the question names a place, person or organisation the paper never mentions.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache

from .qtypes import asked_unit, asks_quantity, figures, has_quantity, states_unit
from .translate import glossary, translate

# A figure answers a quantity question only in a sentence that matches at least this share
# of its terms (calibrated on evals/dev.jsonl: unanswerable <= 0.41, answerable >= 0.57).
QUANTITY_COVERAGE = 0.45
# Words jieba tags as names that every question about China uses.
_GENERIC_ZH = {"中国", "我国", "国家", "中央", "党中央", "世界", "全球"}
# Names that are the paper's own vocabulary, not named entities to look up.
_NOT_NAMES = {"Belt", "Road", "China", "Chinese", "The", "What", "How", "Which", "Who", "When", "Where", "Why",
              "According", "In", "On", "For", "Does", "Did", "Is", "Are", "Plan", "Five", "Year", "CPC", "Party",
              "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
              "November", "December", "North", "South", "East", "West", "English", "Abstract", "Proposal",
              "Outline", "Session", "Committee", "Central", "Fifteenth", "Fourteenth", "Twelve"}


@lru_cache(maxsize=1)
def _posseg():
    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    return jieba.posseg


def _names(question: str, lang: str) -> list[str]:
    """Places, people and organisations a question names."""
    if lang == "zh":
        return [w.word for w in _posseg().cut(question) if w.flag in ("ns", "nr", "nt") and len(w.word) > 1
                and w.word not in _GENERIC_ZH and not re.search(r"[哪什谁几何]", w.word)]
    # Names inside a glossary phrase ('China–Europe (Asia) freight trains') are part of a
    # term the paper uses, not places to look for on their own.
    for phrase in sorted(glossary(), key=len, reverse=True):
        question = re.sub(r"(?<![A-Za-z])" + re.escape(phrase) + r"s?(?![A-Za-z])", " ", question, flags=re.I)
    return [m.group() for m in re.finditer(r"(?<![.?!]\s)(?<!^)\b[A-Z][a-z]{2,}\b", question)
            if m.group() not in _NOT_NAMES]


def _mentions(text: str, name: str, lang: str, vocabulary) -> bool | None:
    """Whether ``text`` (whitespace removed) mentions ``name``; None when an English name
    has no known Chinese form and is not written in the text."""
    if name in text or name.lower() in text.lower():
        return True
    if lang == "zh":
        return False
    zh = glossary().get(name.lower()) or list(translate(name, vocabulary)[0])
    if not zh:
        return None
    # Chinese shortens a partner to its first character after 中: 中欧, 中巴, 中哈.
    return any(z in text or f"中{z[0]}" in text for z in zh)


def unknown_names(question: str, lang: str, corpus_text: str, vocabulary) -> list[str]:
    """Names in the question the corpus never mentions.

    Args:
        question: the question.
        lang: its language.
        corpus_text: all documents' text, whitespace removed.
        vocabulary: the corpus's search tokens (for English names' translations).
    """
    out = []
    for name in _names(question, lang):
        # Two-character Chinese place names are mostly abbreviations (中哈, 中巴).
        if lang == "zh" and len(name) < 3:
            continue
        if lang == "en":
            terms, missing = translate(name, vocabulary)
            if name.lower() in corpus_text.lower() or name.lower() in glossary() or not (missing and not terms):
                continue
        elif name in corpus_text:
            continue
        out.append(name)
    return out


def names_missing_from(evidence_text: str, question: str, lang: str, vocabulary) -> list[str]:
    """Names in the question that the evidence passages do not mention (they may be elsewhere)."""
    return [n for n in _names(question, lang) if _mentions(evidence_text, n, lang, vocabulary) is False]


def abstain_reasons(question: str, lang: str, evidence: list[str], passages_text: list[str],
                    coverage: float, corpus_text: str, vocabulary) -> list[str]:
    """Why the evidence does not answer the question (empty when it may).

    Args:
        question: the validated question.
        lang: 'zh' or 'en'.
        evidence: the clean text of the sentences the answer would cite.
        passages_text: the clean text of the chunks those sentences come from.
        coverage: the largest share of the question's terms one evidence sentence holds.
        corpus_text: all documents' text, whitespace removed.
        vocabulary: the corpus's search tokens.
    """
    reasons = []
    absent = figures(question) - figures(" ".join(passages_text))
    if absent:
        reasons.append(f"the evidence never mentions {', '.join(sorted(absent))}")
    if asks_quantity(question, lang):
        unit = asked_unit(question, lang)
        if not any(has_quantity(e) for e in evidence):
            reasons.append("the question asks for a figure and the evidence gives none")
        elif unit and not any(states_unit(e, unit) for e in evidence):
            reasons.append(f"the question asks for a figure in {unit} and the evidence gives none")
        elif coverage < QUANTITY_COVERAGE:
            # A figure about something else: 'How much capital does the Silk Road Fund have?'
            # finds a sentence naming the fund and some unrelated amount.
            reasons.append(f"the evidence with figures matches only {coverage:.0%} of the question's terms")
    names = unknown_names(question, lang, corpus_text, vocabulary)
    if names:
        reasons.append(f"the paper never mentions {', '.join(names)}")
    elif asks_quantity(question, lang):
        # '截至2023年底中国在非洲设立了多少家境外企业？' finds the world-wide figure: a figure
        # answers only for the places and bodies the question names.
        elsewhere = names_missing_from(re.sub(r"\s+", "", " ".join(passages_text)), question, lang, vocabulary)
        if elsewhere:
            reasons.append(f"the evidence does not mention {', '.join(elsewhere)}")
    return reasons
