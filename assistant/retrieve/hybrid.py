"""Hybrid retrieval: FAISS dense scores and BM25 fused, per chunk and per sentence."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from assistant.ingest.chunks import NUMBERED, STANDARD_HEADINGS, Chunk, introductions, item_numbers
from assistant.index.embedders import Embedder
from assistant.index.store import Index
from assistant.index.lexical import tokenize
from assistant.question.qtypes import (ITEM_QUESTION, ORDINAL_WORDS, ZH_NUMERALS, asks_date, asks_quantity, asks_reason, has_date,
                     has_quantity, has_reason, item_number)
from assistant.settings import Settings
from assistant.ingest.sentences import detect_lang
from assistant.question.translate import Lexicon, translate

REFERENCES = re.compile(r"参考文献|引用文献|references|bibliography|works cited", re.I)
TITLE_QUESTION = re.compile(r"题目|标题|题名|篇名|\btitled?\b", re.I)
# 'What is the heading of the third part?', '第三部分的标题是什么？'
HEADING_QUESTION = re.compile(r"\bheadings?\b|\bsection titles?\b|小标题|(?:部分|节|章)的?(?:标题|题目)|"
                              r"\b(?:title|name) of the (?:" + "|".join(ORDINAL_WORDS) + r"|\d+\w*) "
                              r"(?:part|section|chapter)\b", re.I)
# A sentence that sums up what came before ('这是…的重点工作部署。', '…对此进行了详细论述。',
# 'This is the key deployment of…') names the topic of a list, not its items.
SUMMARY = re.compile(r"^(?:这是|这就是|这些是|此即)|^(?:This is|These are)\b|对此|上述")
# A summary passes its score to the sentence before it (at most this many back, in its
# section) that holds at least this share of the question's words the summary lacks.
SUMMARY_REACH = 12
SUMMARY_RESIDUAL = 0.3
# ... and keeps this share of its own score, below the second-sentence ratio.
SUMMARY_DEMOTE = 0.9
_PART_REF = re.compile(r"\b(?:the )?(?:" + "|".join(ORDINAL_WORDS) + r"|\d+\w*) (?:part|section|chapter)\b|"
                       r"\b(?:part|section|chapter) (?:\d+|one|two|three|four|five|six)\b|"
                       r"第[一二三四五六七八九十\d]+(?:部分|节|章)", re.I)


def heading_number(question: str) -> str | None:
    """The Chinese section numeral a heading question names: 'third part' -> '三'."""
    m = re.search(r"\b(" + "|".join(ORDINAL_WORDS) + r")\s+(?:part|section|chapter)", question, re.I)
    if m:
        return ZH_NUMERALS[ORDINAL_WORDS.index(m.group(1).lower())]
    m = re.search(r"(?:part|section|chapter)\s+(\d)", question, re.I) or re.search(r"第(\d)", question)
    if m:
        return ZH_NUMERALS[int(m.group(1)) - 1] if 0 < int(m.group(1)) <= 10 else None
    m = re.search(r"第([一二三四五六七八九十])", question)
    return m.group(1) if m else None


def is_title(sentence) -> bool:
    """A heading that is neither numbered nor a standard part name: the paper's own title."""
    return sentence.heading and not NUMBERED.match(sentence.text) and not STANDARD_HEADINGS.match(sentence.text)


KEYWORDS = re.compile(r"关键词|关键字|\bkey ?words?\b", re.I)
# The abstract's label lines ('关键词：…', 'Keywords: …', '中图分类号：…') list terms rather
# than say things.
LABEL_LINE = re.compile(r"(?:关键词|关键字|key ?words|中图分类号|文献标识码|文章编号|JEL)\s*[:：]", re.I)
ENGLISH_ABSTRACT = re.compile(r"english abstract|英文摘要|abstract in english", re.I)
# 'According to the introduction': the body text before the first numbered section.
INTRODUCTION = re.compile(r"\bintroduct(?:ion|ory)\b|引言|导言|前言|开篇", re.I)
# Questions that name a part of the paper ("according to the English abstract") get
# that part's passages lifted: (pattern, which chunks, bonus).
_SCOPES = (
    (ENGLISH_ABSTRACT, lambda c, s: c.lang == "en", 0.15),
    (re.compile(r"chinese abstract|中文摘要|内容摘要|内容提要", re.I), lambda c, s: "摘要" in c.section, 0.15),
    (re.compile(r"\babstract\b|摘要", re.I), lambda c, s: c.lang == "en" or "摘要" in c.section
     or "abstract" in c.section.lower(), 0.15),
    (re.compile(r"references|bibliography|参考文献", re.I), lambda c, s: bool(REFERENCES.search(c.section)), 0.15),
    (re.compile(r"footnotes?|endnotes?|脚注|注释|尾注", re.I), lambda c, s: s.note, 0.15),
    # 'What is the title?': the paper's unnumbered headings (its titles), not section headings.
    (TITLE_QUESTION, lambda c, s: is_title(s), 0.3),
    # 'Who is the author?' leaves no words to match once 'author' is set aside: the byline
    # note, which gives academic titles, is the answer, so it gets a larger lift.
    # The pattern is cut out of the question's search terms, so it spans the words that
    # only describe the byline note ('在哪个单位工作', 'affiliated with').
    (re.compile(r"作者是谁|作者是哪|谁写|作者简介|作者.*(?:单位|任职|机构)(?:工作|任职)?|"
                r"作者.*(?:哪所|哪个|哪家)(?:大学|高校|学校)(?:工作|任职|任教)|"
                r"(?:哪所|哪个|哪家)(?:大学|高校|学校|单位|机构)的(?:学者|教授|专家)|\bwho (?:is|are|was) the authors?\b|"
                r"\bwho wrote\b|\bauthors? of (?:this|the) (?:paper|article)\b|\babout the authors?\b|"
                r"\bauthor'?s? (?:affiliation|institution|position|background)|"
                r"(?:\b(?:which|what) (?:university|institution|school)\b[^?.]*)?"
                r"(?:\bauthor(?:\s+\w+){0,2}?\s+(?:affiliated|employed|works?|teach(?:es)?|based)\b[^?.]*|\bemploys? the author\b)|"
                r"\bwhere (?:does|did|do) (?:he|she|they|the authors?) (?:work|teach)\b", re.I),
     lambda c, s: bool(re.search(r"教授|研究员|讲师|博士后|[Pp]rofessor|[Rr]esearcher|[Ll]ecturer", s.text)), 0.3),
)


@dataclass(frozen=True)
class Passage:
    """One retrieved chunk with its scores and the score of each of its sentences.

    Shape: ``Passage(rank=1, chunk=Chunk(...), score=0.71, dense=0.62, lexical=0.8,
    sentence_scores=(0.41, 0.77, ...), sentence_lexical=(0.2, 0.9, ...))``
    """

    rank: int
    chunk: Chunk
    score: float
    dense: float
    lexical: float
    sentence_scores: tuple[float, ...]
    sentence_lexical: tuple[float, ...]

    def to_dict(self) -> dict:
        c = self.chunk
        return {"rank": self.rank, "chunk_id": c.id, "source": c.source, "section": c.section, "lang": c.lang,
                "start": c.start, "end": c.end, "score": round(float(self.score), 4), "text": c.text}


@dataclass(frozen=True)
class Query:
    """A query as retrieval sees it: one or more lexical views (weighted search terms and
    the score a perfect match would earn) and the dense vector."""

    text: str
    lang: str
    views: tuple  # ((terms: dict[str, float], bound: float), ...)
    vector: np.ndarray


class Retriever:
    """Fuses dense (FAISS inner product on unit vectors) and BM25 scores.

    A sentence's score is ``w * cosine + (1 - w) * coverage``, where coverage is its
    BM25 score over the best a document could get for the query's terms (terms the
    corpus never uses count in that bound, so a question about something absent
    scores low), plus lifts for naming the part of the paper asked about and for holding
    the kind of answer asked for. A chunk's score mixes its own fused score
    (``chunk_weight``) with its best sentence's.
    """

    def __init__(self, index: Index, embedder: Embedder, settings: Settings):
        self.index = index
        self.embedder = embedder
        self.settings = settings
        bm = index.sentence_bm25
        flat = index.flat_sentences
        self._max_idf = max(bm.idf.values(), default=1.0)
        # A heading names a topic but answers nothing, and notes and reference lists name
        # works rather than saying things: they may lift a chunk but seldom win as evidence.
        # A footnote repeats the event its body sentence reports ('《习近平出席第三次…座谈会…》')
        # in fewer words, so it weighs as little as a heading (dev hit@1 0.883 -> 0.894 against 0.7).
        # The abstract's label lines weigh as headings too, unless the question asks for keywords.
        self._label_line = np.array([bool(LABEL_LINE.match(s.text)) for c, s in flat], dtype=np.float32)
        self._sentence_weight = np.array(
            [0.5 if s.heading or s.note or label else 0.7 if REFERENCES.search(c.section) else 1.0
             for (c, s), label in zip(flat, self._label_line)], dtype=np.float32)
        self._has_date = np.array([has_date(s.text) for c in index.chunks for s in c.sentences], dtype=np.float32)
        self._has_quantity = np.array([has_quantity(s.text) for c in index.chunks for s in c.sentences],
                                      dtype=np.float32)
        self._has_reason = np.array([has_reason(s.text) for c in index.chunks for s in c.sentences], dtype=np.float32)
        self._item = np.array(item_numbers(index.chunks))
        self._summaries = [(i, [j for j in range(max(0, i - SUMMARY_REACH), i)
                                if flat[j][0].section == c.section and not flat[j][1].heading
                                and not SUMMARY.search(flat[j][1].text)])
                           for i, (c, s) in enumerate(flat) if SUMMARY.search(s.text) and not s.heading]
        self._introduction = np.array([s in intro for c, intro in zip(index.chunks, introductions(index.chunks))
                                       for s in c.sentences], dtype=np.float32)

    @cached_property
    def lexicon(self) -> Lexicon:
        """The corpus's Chinese words reached from English (read on the first English question)."""
        return Lexicon.of(self.index.sentence_bm25.idf)

    def query(self, text: str) -> Query:
        """Search terms for a question; English ones get a second, translated view.

        An English question is matched twice, once with its own words (for English
        text) and once with their Chinese translations plus its figures (for Chinese
        text); a passage keeps the better of the two, so a concept counts once whichever
        language states it.
        """
        idf = self.index.sentence_bm25.idf
        lang = detect_lang(text)
        # 'according to the English abstract' says where to look, not what to look for.
        text_terms = HEADING_QUESTION.sub(" ", _PART_REF.sub(" ", text)) if HEADING_QUESTION.search(text) else text
        # A question about the English abstract is answered in English: no Chinese view.
        english_only = bool(ENGLISH_ABSTRACT.search(text))
        text_terms = ITEM_QUESTION.sub(" ", text_terms)
        text_terms = re.sub(r"\bkey words?\b", "keywords", text_terms, flags=re.I)  # as the label writes it
        for pattern in (INTRODUCTION, *(p for p, _, _ in _SCOPES)):
            if pattern.search(text_terms):
                text_terms = pattern.sub(" ", text_terms)
                break
        tokens = dict.fromkeys(tokenize(text_terms), 1.0)
        views = [self._view(tokens, 0)]
        if lang == "en" and not english_only:
            translated, missing = translate(text_terms, idf, self.index.sentence_bm25.postings, self.lexicon)
            # Figures and any Chinese the question quotes ('the “clear path” (路径清晰)')
            # match Chinese text as they are.
            as_is = {t: 1.0 for t in tokens if t[0].isdigit() or ord(t[0]) >= 0x2E80}
            views.append(self._view({**translated, **as_is}, len(missing)))
        return Query(text, lang, tuple(views), self.embedder.encode_query(text))

    @staticmethod
    def _dense(index, q: Query) -> np.ndarray:
        """Cosine of every vector in a FAISS index to the query vector."""
        n = index.ntotal
        sims, ids = index.search(np.ascontiguousarray(q.vector[None, :], dtype=np.float32), n)
        dense = np.zeros(n, np.float32)
        dense[ids[0]] = sims[0]
        return dense

    def asks_heading(self, text: str) -> bool:
        """A question about the paper's title or a section's heading: headings may answer it."""
        return bool(TITLE_QUESTION.search(text) or HEADING_QUESTION.search(text))

    def _scope(self, text: str) -> np.ndarray:
        """Per sentence, the lift for being in the part of the paper the question names."""
        chunks = self.index.chunks
        if HEADING_QUESTION.search(text):
            number = heading_number(text)
            return 0.3 * np.array([s.heading and (number is None or s.text.startswith(number))
                                   for c in chunks for s in c.sentences], np.float32)
        if INTRODUCTION.search(text):
            return 0.15 * self._introduction
        number = item_number(text)
        if number:
            return 0.15 * (self._item == number).astype(np.float32)
        for pattern, inside, bonus in _SCOPES:
            if pattern.search(text):
                return bonus * np.array([inside(c, s) for c in chunks for s in c.sentences], np.float32)
        return np.zeros(self.index.sentence_index.ntotal, np.float32)

    def _dense_weight(self, q: Query) -> float:
        return self.settings.dense_weight if q.lang == "zh" else self.settings.dense_weight_en

    def _view(self, terms: dict[str, float], missing: int) -> tuple[dict[str, float], float]:
        idf = self.index.sentence_bm25.idf
        # tf = 1 at average length scores exactly idf: the best a plain mention earns.
        bound = sum(w * idf.get(t, self._max_idf) for t, w in terms.items()) + self._max_idf * missing
        return terms, bound or 1.0

    @staticmethod
    def _lexical(bm, q: Query) -> np.ndarray:
        """Share of the query's terms a document matches, by the best view, in [0, 1]."""
        return np.max([np.clip(bm.scores(terms) / bound, 0, 1) for terms, bound in q.views], axis=0)

    def sentence_scores(self, q: Query, scope: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(fused, lexical) score of every sentence in the index; lexical is the share of
        the question's terms the sentence holds."""
        idx = self.index
        dense = self._dense(idx.sentence_index, q)
        lexical = self._lexical(idx.sentence_bm25, q)
        w = self._dense_weight(q)
        scope = self._scope(q.text) if scope is None else scope
        weight = np.maximum(self._sentence_weight, scope > 0) if scope.any() else self._sentence_weight
        if KEYWORDS.search(q.text):
            weight = np.maximum(weight, self._label_line)
        fused = weight * (w * dense + (1 - w) * lexical) + scope + self._answer_type(q)
        self._credit_summarised(q, fused)
        return fused, lexical

    def _credit_summarised(self, q: Query, fused: np.ndarray) -> None:
        """A summary that scores best for a question asks about what it sums up ('Which fields
        does the deployment name?' matches 'This is the key deployment…'): the sentence before
        it that holds the question's other words takes its score, and the summary drops below
        it (in place)."""
        top = fused.max(initial=0.0)
        tokens = self.index.sentence_tokens
        for i, before in self._summaries:
            if not before or fused[i] < self.settings.second_sentence_ratio * top:
                continue
            own = set(tokens[i])
            best, share = None, SUMMARY_RESIDUAL
            for terms, _ in q.views:
                rest, bound = self._view({t: w for t, w in terms.items() if t not in own}, 0)
                if not rest:
                    continue
                scores = self.index.sentence_bm25.scores(rest)[before] / bound
                j = int(np.argmax(scores))
                if scores[j] >= share:
                    best, share = before[j], float(scores[j])
            if best is not None:
                fused[best] = max(fused[best], fused[i])
                fused[i] *= SUMMARY_DEMOTE

    def _answer_type(self, q: Query) -> np.ndarray | float:
        """A bonus for sentences that hold what the question asks for: a date for 'when',
        a figure for 'how many', a cause or purpose for 'why'."""
        bonus = self.settings.answer_type_bonus
        if asks_date(q.text, q.lang):
            return bonus * self._has_date
        if asks_quantity(q.text, q.lang):
            return bonus * self._has_quantity
        if asks_reason(q.text):
            return bonus * self._has_reason
        return 0.0

    def search(self, question: str, k: int | None = None) -> list[Passage]:
        """The top ``k`` passages for a question (``k`` defaults to the settings)."""
        return self.search_query(self.query(question), k)

    def search_many(self, questions: list[str], k: int | None = None) -> list[list[Passage]]:
        return [self.search(q, k) for q in questions]

    def search_query(self, q: Query, k: int | None = None) -> list[Passage]:
        idx = self.index
        k = k or self.settings.k
        n = idx.chunk_index.ntotal
        chunk_dense = self._dense(idx.chunk_index, q)
        chunk_lex = self._lexical(idx.chunk_bm25, q)
        w = self._dense_weight(q)
        chunk_fused = w * chunk_dense + (1 - w) * chunk_lex
        scope = self._scope(q.text)
        sent_fused, sent_lexical = self.sentence_scores(q, scope)
        best_sentence = np.full(n, -1.0, np.float32)
        np.maximum.at(best_sentence, idx.sentence_chunk, sent_fused)
        chunk_scope = np.zeros(n, np.float32)
        np.maximum.at(chunk_scope, idx.sentence_chunk, scope)
        a = self.settings.chunk_weight
        # best_sentence already carries the scope lift; the chunk's own score gets it here.
        score = a * (chunk_fused + chunk_scope) + (1 - a) * best_sentence
        order = np.argsort(-score, kind="stable")[:k]
        passages = []
        for rank, ci in enumerate(order, 1):
            first = idx.chunk_first_sentence[ci]
            m = len(idx.chunks[ci].sentences)
            passages.append(Passage(rank, idx.chunks[ci], float(score[ci]), float(chunk_dense[ci]),
                                    float(chunk_lex[ci]), tuple(float(x) for x in sent_fused[first:first + m]),
                                    tuple(float(x) for x in sent_lexical[first:first + m])))
        return passages
