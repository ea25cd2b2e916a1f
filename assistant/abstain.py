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

from .qtypes import asks_quantity, figures, has_quantity
from .translate import glossary, translate

# A figure answers a quantity question only in a sentence that matches at least this share
# of its terms (calibrated on evals/dev.jsonl: unanswerable <= 0.41, answerable >= 0.57).
QUANTITY_COVERAGE = 0.45
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


def unknown_names(question: str, lang: str, corpus_text: str, vocabulary) -> list[str]:
    """Places, people and organisations the question names but the corpus never mentions.

    Args:
        question: the question.
        lang: its language.
        corpus_text: all documents' text, whitespace removed.
        vocabulary: the corpus's search tokens (for English names' translations).
    """
    if lang == "zh":
        # Two-character place names are mostly abbreviations (中哈, 中巴): only longer ones count.
        names = [w.word for w in _posseg().cut(question)
                 if w.flag in ("ns", "nr", "nt") and len(w.word) > 2 and not re.search(r"[哪什谁几何]", w.word)]
        return [n for n in names if n not in corpus_text]
    names = [m.group() for m in re.finditer(r"(?<![.?!]\s)(?<!^)\b[A-Z][a-z]{2,}\b", question)
             if m.group() not in _NOT_NAMES]
    out = []
    for name in names:
        if name.lower() in corpus_text.lower() or name.lower() in glossary():
            continue
        terms, missing = translate(name, vocabulary)
        if missing and not terms:
            out.append(name)
    return out


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
        if not any(has_quantity(e) for e in evidence):
            reasons.append("the question asks for a figure and the evidence gives none")
        elif coverage < QUANTITY_COVERAGE:
            # A figure about something else: 'How much capital does the Silk Road Fund have?'
            # finds a sentence naming the fund and some unrelated amount.
            reasons.append(f"the evidence with figures matches only {coverage:.0%} of the question's terms")
    names = unknown_names(question, lang, corpus_text, vocabulary)
    if names:
        reasons.append(f"the paper never mentions {', '.join(names)}")
    return reasons
