"""Which questions can be taken: text, not empty, not too long, in Chinese or English."""

from __future__ import annotations

import re
import unicodedata

from assistant.errors import QuestionError
from assistant.language.script import detect_lang

MAX_QUESTION_CHARS = 2000
# Function words of other Latin-script languages, to tell them from English.
_OTHER_LATIN = set("le la les des du de est sont une dans pour que qui quel quelle combien comment pourquoi avec sur "
                   "par au aux il elle nous vous der die das und ist nicht ein eine wie viele was warum wo sind mit "
                   "auf für von zu im el los las del por una con para como cuántos cuántas qué cómo es son em não "
                   "uma os quanto quantos onde il di che della sono".split())
_EN_WORDS = set("the what how which who when where why is are does did was were of in and to".split())
_OTHER_SCRIPTS = re.compile(r"[\u3040-\u30ff\uac00-\ud7af\u0400-\u04ff\u0600-\u06ff\u0900-\u097f\u0e00-\u0e7f]")


def check_question(question: object) -> tuple[str, str]:
    """Validate a question and detect its language.

    Returns:
        (the question stripped, 'zh' or 'en').

    Raises:
        QuestionError: empty, too long, control characters, or not Chinese/English.

    >>> check_question("  长江有多长？ ")
    ('长江有多长？', 'zh')
    """
    if not isinstance(question, str):
        raise QuestionError(f"a question must be text, got {type(question).__name__}")
    q = question.strip()
    if not q:
        raise QuestionError("the question is empty: type a question about the documents in Chinese or English")
    if len(q) > MAX_QUESTION_CHARS:
        raise QuestionError(f"the question is {len(q)} characters long; the limit is {MAX_QUESTION_CHARS}: "
                            "ask a shorter question")
    bad = [c for c in q if unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co") and c not in "\n\t"]
    if bad:
        raise QuestionError(f"the question contains control character U+{ord(bad[0]):04X}; remove it and ask again")
    if _OTHER_SCRIPTS.search(q):
        raise QuestionError("only Chinese and English questions are supported; please ask in 中文 or English")
    if not re.search(r"[A-Za-z\u3400-\u9fff\uf900-\ufaff]", q):
        raise QuestionError("the question has no words in it: ask in Chinese or English")
    lang = detect_lang(q)
    if lang == "en":
        words = [w.lower() for w in re.findall(r"[A-Za-zÀ-ÿ]+", q)]
        if sum(w in _OTHER_LATIN for w in words) >= max(2, sum(w in _EN_WORDS for w in words) + 1) \
                or re.search(r"[À-ÿ]", q) and not any(w in _EN_WORDS for w in words):
            raise QuestionError("only Chinese and English questions are supported; please ask in 中文 or English")
    return q, lang
