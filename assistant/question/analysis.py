"""One record per question, built once: its language, its search terms in both languages, the
kind of answer it asks for, and the figures, dates and names it states.

>>> from assistant.index.lexical import BM25, tokenize
>>> bm = BM25([tokenize("长江全长6300公里"), tokenize("The Yangtze river is long")], ["zh", "en"])
>>> a = Analyzer(bm.idf, bm.postings).analyze("How long is the Yangtze river?", "en")
>>> a.kind, sorted(a.terms), a.known
('number', ['long', 'river', 'yangtz'], 1.0)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.index.lexical import tokenize
from assistant.language.names import names
from assistant.language.numbers import dates, figure_values, values
from assistant.language.script import bigrams
from assistant.language.sounds import name_runs
from assistant.question.kinds import kind_of, languages_named, ordinals_named, parts_named
from assistant.question.translate import Translator


@dataclass(frozen=True)
class QuestionAnalysis:
    """What a question asks, as the later stages read it.

    ``views`` are the lexical queries: ``(terms, bound)`` pairs where ``terms`` maps a search
    token to its weight and ``bound`` is the score a sentence holding every term once would
    earn (terms the corpus never uses count in it, so a question about something absent scores
    low). The first view is the question's own words, the second its translation.

    Shape: ``QuestionAnalysis(text='长江有多长？', lang='zh', kind='number', parts=(), views=(…),
    missing=('…',), known=0.9, figures=frozenset(), values=frozenset(), dates=frozenset(),
    names=frozenset({'长江'}))``
    """

    text: str
    lang: str
    kind: str
    parts: tuple[str, ...]
    views: tuple[tuple[dict, float], ...]
    missing: tuple[str, ...]  # words the corpus uses in neither language
    salient: tuple[str, ...]  # those of them that look like names: what the question is about
    known: float  # share of the question's term weight the corpus uses, by its best view
    figures: frozenset  # the figures it states (years, amounts), as values
    values: frozenset
    dates: frozenset
    names: frozenset
    name_forms: tuple = ()  # (name, its search tokens in the other language, whether a dictionary knows it)
    bigrams: frozenset = frozenset()  # adjacent character / word pairs, for phrase matches
    languages: frozenset = frozenset()  # the languages of text it asks about ('the English abstract')
    ordinals: frozenset = frozenset()  # the numbered parts or points it names ('the third part': 3)
    untranslated: tuple[str, ...] = ()  # words no dictionary translates into the other language

    @property
    def terms(self) -> dict:
        """The question's own search tokens."""
        return self.views[0][0]

    @property
    def all_terms(self) -> set:
        """Every search token of every view."""
        return {t for terms, _ in self.views for t in terms}


class Analyzer:
    """Builds :class:`QuestionAnalysis` records for one corpus.

    Args:
        idf: the corpus's token -> idf (sentence BM25): which words it uses, and how rare.
        postings: which sentences hold each token (:class:`~assistant.index.lexical.Postings`),
            for choosing translations by co-occurrence.
        glossary: the corpus's English phrase -> Chinese terms, from its profile.
    """

    def __init__(self, idf: dict, postings=None, glossary: dict | None = None):
        self.idf = idf
        self.max_idf = max(idf.values(), default=1.0)
        self.translator = Translator(idf, postings, glossary)

    def _view(self, terms: dict[str, float], missing: int = 0) -> tuple[dict, float]:
        # tf = 1 at average length scores exactly idf: the best a plain mention earns.
        bound = sum(w * self.idf.get(t, self.max_idf) for t, w in terms.items()) + self.max_idf * missing
        return terms, bound or 1.0

    def _known(self, view: tuple[dict, float]) -> float:
        terms, bound = view
        return sum(w * self.idf[t] for t, w in terms.items() if t in self.idf) / bound if terms else 0.0

    def analyze(self, question: str, lang: str) -> QuestionAnalysis:
        """Analyse a validated question (see :func:`assistant.question.check.check_question`)."""
        tokens = dict.fromkeys(tokenize(question), 1.0)
        own = self._view(tokens)
        if lang == "en":
            translated, missing, untranslated = self.translator.to_zh(question)
            # Figures and any Chinese the question quotes match Chinese text as they are.
            as_is = {t: 1.0 for t in tokens if t[0].isdigit() or ord(t[0]) >= 0x2E80}
        else:
            translated, missing, untranslated = self.translator.to_en(question)
            # Figures and Latin words ('NFL', 'DNA') match English text as they are.
            as_is = {t: 1.0 for t in tokens if t.isascii()}
        # A word no dictionary translates still belongs to the question: it counts in the bound
        # as a word the corpus lacks, so a translation of only its generic words matches weakly.
        other = self._view({**translated, **as_is}, len(missing) + len(untranslated))
        views = (own, other)
        unknown_own = [t for t in tokens if t not in self.idf and not t[0].isdigit()]
        absent = tuple(missing) if self._known(other) >= self._known(own) else tuple(unknown_own)
        question_names = frozenset(names(question, lang))
        kind = kind_of(question, lang)
        to_other = self.translator.to_zh if lang == "en" else self.translator.to_en
        # A run of sound-writing characters the name tagger missed may still write a name (纽卡斯尔).
        runs = [r for r in name_runs(question) if not any(r in n for n in question_names)] if lang == "zh" else []
        forms = tuple((n, tuple(to_other(n)[0]), self.translator.translatable(n))
                      for n in sorted(question_names) + runs)
        return QuestionAnalysis(
            text=question, lang=lang, kind=kind, parts=parts_named(question), views=views,
            missing=absent, salient=tuple(w for w in absent if _salient(w, question, question_names)),
            known=round(max(self._known(v) for v in views), 4),
            figures=frozenset(figure_values(question)), values=frozenset(values(question)),
            dates=frozenset(dates(question)), names=question_names,
            name_forms=forms,
            bigrams=bigrams(_QUESTION_WORDS.sub(" ", question)), languages=languages_named(question),
            ordinals=ordinals_named(question), untranslated=tuple(untranslated))


# Question words and particles: phrase matches are about what the question names.
_QUESTION_WORDS = re.compile(r"什么|多少|哪些|哪个|哪里|哪儿|哪一|哪|谁|何时|何地|为什么|为何|怎么|怎样|如何|是否|几|吗|呢|"
                             r"\b(?:what|which|who|whom|whose|when|where|why|how|many|much|did|does|do|is|are|was|"
                             r"were)\b", re.I)


def _salient(word: str, question: str, question_names: frozenset) -> bool:
    """Whether a word the corpus lacks looks like a name rather than a turn of phrase: one the
    tagger reads as a name, a Chinese word the segmenter's dictionary does not hold, an English
    word the word list lacks or the question capitalises."""
    if any(word in n or n in word for n in question_names):
        return True
    if ord(word[0]) >= 0x2E80:
        import jieba

        return word not in jieba.dt.FREQ
    from assistant.question.translate import word_list

    return word not in word_list() or bool(re.search(rf"\b{re.escape(word[:1].upper() + word[1:])}", question))
