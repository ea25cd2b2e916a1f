"""Hybrid retrieval: FAISS dense scores and BM25 fused, per chunk and per sentence."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .chunking import Chunk
from .embedders import Embedder
from .index import Index
from .lexical import tokenize
from .settings import Settings
from .text import detect_lang
from .translate import translate


@dataclass(frozen=True)
class Passage:
    """One retrieved chunk with its scores and the score of each of its sentences.

    Shape: ``Passage(rank=1, chunk=Chunk(...), score=0.71, dense=0.62, lexical=0.8,
    sentence_scores=(0.41, 0.77, ...))``
    """

    rank: int
    chunk: Chunk
    score: float
    dense: float
    lexical: float
    sentence_scores: tuple[float, ...]
    sentence_dense: tuple[float, ...]

    def to_dict(self) -> dict:
        c = self.chunk
        return {"rank": self.rank, "chunk_id": c.id, "source": c.source, "section": c.section, "lang": c.lang,
                "start": c.start, "end": c.end, "score": round(float(self.score), 4), "text": c.text}


@dataclass(frozen=True)
class Query:
    """A query as retrieval sees it: weighted search terms, the lexical score a perfect
    match would earn (``bound``), and the dense vector."""

    text: str
    lang: str
    terms: dict
    bound: float
    vector: np.ndarray


class Retriever:
    """Fuses dense (FAISS inner product on unit vectors) and BM25 scores.

    A sentence's score is ``w * cosine + (1 - w) * coverage``, where coverage is its
    BM25 score over the best a document could get for the query's terms (terms the
    corpus never uses count in that bound, so a question about something absent
    scores low). A chunk scores the mean of its own fused score and its best sentence's.
    """

    def __init__(self, index: Index, embedder: Embedder, settings: Settings):
        self.index = index
        self.embedder = embedder
        self.settings = settings
        bm = index.sentence_bm25
        self._max_idf = max(bm.idf.values(), default=1.0)
        self._sentence_is_zh = np.array([s.lang == "zh" for c in index.chunks for s in c.sentences])
        self._chunk_is_zh = np.array([c.lang == "zh" for c in index.chunks])

    def _align_languages(self, dense: np.ndarray, is_zh: np.ndarray, q: Query) -> np.ndarray:
        """Shift each language's cosines so its mean matches the question language's.

        A multilingual encoder scores same-language pairs higher across the board, so an
        English question would otherwise always prefer the English abstract to the
        Chinese body that holds the answer.
        """
        if not self.settings.align_languages or is_zh.all() or not is_zh.any():
            return dense
        mean_zh, mean_en = float(dense[is_zh].mean()), float(dense[~is_zh].mean())
        target = mean_zh if q.lang == "zh" else mean_en
        return dense + np.where(is_zh, target - mean_zh, target - mean_en).astype(np.float32)

    def query(self, text: str) -> Query:
        """Search terms for a question; English ones also get Chinese translations."""
        idf = self.index.sentence_bm25.idf
        terms = dict.fromkeys(tokenize(text), 1.0)
        missing: list[str] = []
        lang = detect_lang(text)
        if lang == "en":
            translated, missing = translate(text, idf)
            # English words the corpus lacks are expected (its body is Chinese): only
            # words whose translations are absent too count against the match.
            terms = {t: w for t, w in terms.items() if t in idf}
            for t, w in translated.items():
                terms[t] = max(terms.get(t, 0.0), w)
        # tf = 1 at average length scores exactly idf: the best a plain mention earns.
        bound = sum(w * idf.get(t, self._max_idf) for t, w in terms.items()) + self._max_idf * len(missing)
        return Query(text, lang, terms, bound or 1.0, self.embedder.encode_query(text))

    def sentence_scores(self, q: Query) -> tuple[np.ndarray, np.ndarray]:
        """(fused, dense) score of every sentence in the index."""
        idx = self.index
        n = idx.sentence_index.ntotal
        sims, ids = idx.sentence_index.search(q.vector[None, :].astype(np.float32), n)
        dense = np.zeros(n, np.float32)
        dense[ids[0]] = sims[0]
        dense = self._align_languages(dense, self._sentence_is_zh, q)
        lexical = np.clip(idx.sentence_bm25.scores(q.terms) / q.bound, 0, 1)
        w = self.settings.dense_weight
        return w * dense + (1 - w) * lexical, dense

    def search(self, question: str, k: int | None = None) -> list[Passage]:
        """The top ``k`` passages for a question (``k`` defaults to the settings)."""
        return self.search_query(self.query(question), k)

    def search_many(self, questions: list[str], k: int | None = None) -> list[list[Passage]]:
        return [self.search(q, k) for q in questions]

    def search_query(self, q: Query, k: int | None = None) -> list[Passage]:
        idx = self.index
        k = k or self.settings.k
        n = idx.chunk_index.ntotal
        sims, ids = idx.chunk_index.search(q.vector[None, :].astype(np.float32), n)
        chunk_dense = np.zeros(n, np.float32)
        chunk_dense[ids[0]] = sims[0]
        chunk_dense = self._align_languages(chunk_dense, self._chunk_is_zh, q)
        chunk_lex = np.clip(idx.chunk_bm25.scores(q.terms) / q.bound, 0, 1)
        w = self.settings.dense_weight
        chunk_fused = w * chunk_dense + (1 - w) * chunk_lex
        sent_fused, sent_dense = self.sentence_scores(q)
        best_sentence = np.full(n, -1.0, np.float32)
        np.maximum.at(best_sentence, idx.sentence_chunk, sent_fused)
        a = self.settings.chunk_weight
        score = a * chunk_fused + (1 - a) * best_sentence
        order = np.argsort(-score, kind="stable")[:k]
        passages = []
        for rank, ci in enumerate(order, 1):
            first = idx.chunk_first_sentence[ci]
            m = len(idx.chunks[ci].sentences)
            passages.append(Passage(rank, idx.chunks[ci], float(score[ci]), float(chunk_dense[ci]),
                                    float(chunk_lex[ci]), tuple(float(x) for x in sent_fused[first:first + m]),
                                    tuple(float(x) for x in sent_dense[first:first + m])))
        return passages
