"""Hybrid retrieval: FAISS dense scores and BM25 coverage fused, per sentence and per chunk.

A sentence's score is ``w * cosine + (1 - w) * coverage``, where coverage is its BM25 score
over the best a sentence could get for the question's terms, by the better of the question's
two views (its own words, its translation), so a concept counts once whichever language states
it. A chunk's score mixes its own fused score (``chunk_weight``) with its best sentence's. This
stage only gathers candidates; ``answer/`` decides which sentence answers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assistant.index.embedders import Embedder
from assistant.index.store import Index
from assistant.ingest.chunks import Chunk
from assistant.question.analysis import QuestionAnalysis
from assistant.settings import Settings


@dataclass(frozen=True)
class Passage:
    """One retrieved chunk with its scores and the scores of each of its sentences.

    Shape: ``Passage(rank=1, chunk=Chunk(...), score=0.71, dense=0.62, lexical=0.8,
    sentence_scores=(0.41, 0.77, ...), sentence_lexical=(0.2, 0.9, ...), sentence_dense=(…),
    first=112)``; ``first`` is the flat index of the chunk's first sentence.
    """

    rank: int
    chunk: Chunk
    score: float
    dense: float
    lexical: float
    sentence_scores: tuple[float, ...]
    sentence_lexical: tuple[float, ...]
    sentence_dense: tuple[float, ...] = ()
    first: int = -1
    page: int | None = None  # the 1-based page the chunk starts on, for paged documents (PDF)

    def to_dict(self) -> dict:
        c = self.chunk
        return {"rank": self.rank, "chunk_id": c.id, "source": c.source, "section": c.section, "lang": c.lang,
                "start": c.start, "end": c.end, "score": round(float(self.score), 4), "text": c.text,
                "page": self.page}


@dataclass(frozen=True)
class Scores:
    """Every sentence's and chunk's scores for one question (arrays in index order)."""

    sentence_dense: np.ndarray
    sentence_lexical: np.ndarray
    sentence_fused: np.ndarray
    chunk_dense: np.ndarray
    chunk_lexical: np.ndarray
    chunk: np.ndarray
    # Set when the arrays hold exact values only for a search's candidates (see
    # retrieve/candidates.py): the query vector, and the mean and standard deviation of the
    # question's cosine over every sentence and every chunk, worked out from the vectors' moments.
    query: np.ndarray | None = None
    moments: dict | None = None  # {"sentence": (mean, std), "chunk": (mean, std)}


class Retriever:
    """Scores every sentence and chunk of an index for a question.

    Args:
        index: the loaded index.
        embedder: the embedder the index was built with (for the query vector).
        settings: ``dense_weight`` and ``chunk_weight``.
    """

    def __init__(self, index: Index, embedder: Embedder, settings: Settings):
        self.index = index
        self.embedder = embedder
        self.settings = settings

    @staticmethod
    def _dense(faiss_index, vector: np.ndarray) -> np.ndarray:
        """Cosine of every vector in a FAISS index to the query vector (unit vectors)."""
        n = faiss_index.ntotal
        sims, ids = faiss_index.search(np.ascontiguousarray(vector[None, :], dtype=np.float32), n)
        dense = np.zeros(n, np.float32)
        dense[ids[0]] = sims[0]
        return dense

    @staticmethod
    def _lexical(bm25, q: QuestionAnalysis) -> np.ndarray:
        """Share of the question's terms a document matches, by the better view, in [0, 1]."""
        return np.max([np.clip(bm25.scores(terms) / bound, 0, 1) for terms, bound in q.views], axis=0)

    def scores(self, q: QuestionAnalysis, vector: np.ndarray | None = None) -> Scores:
        """Dense, lexical and fused scores of every sentence and chunk."""
        idx = self.index
        vector = self.embedder.encode_query(q.text) if vector is None else vector
        w = self.settings.dense_weight
        s_dense = self._dense(idx.sentence_index, vector)
        s_lex = self._lexical(idx.sentence_bm25, q)
        s_fused = w * s_dense + (1 - w) * s_lex
        c_dense = self._dense(idx.chunk_index, vector)
        c_lex = self._lexical(idx.chunk_bm25, q)
        best = np.full(len(idx.chunks), -1.0, np.float32)
        np.maximum.at(best, idx.sentence_chunk, s_fused)
        a = self.settings.chunk_weight
        chunk = a * (w * c_dense + (1 - w) * c_lex) + (1 - a) * best
        return Scores(s_dense, s_lex, s_fused, c_dense, c_lex, chunk)

    def passages(self, scores: Scores, n: int) -> list[Passage]:
        """The ``n`` best chunks as passages, best first."""
        order = np.argsort(-scores.chunk, kind="stable")[:n]
        return [self.passage(scores, int(ci), rank) for rank, ci in enumerate(order, 1)]

    def passage(self, scores: Scores, ci: int, rank: int) -> Passage:
        """Chunk ``ci`` as a passage of rank ``rank``, with its scores and its sentences'."""
        idx = self.index
        first = int(idx.chunk_first_sentence[ci])
        window = slice(first, first + len(idx.chunks[ci].sentences))
        return Passage(rank, idx.chunks[ci], float(scores.chunk[ci]), float(scores.chunk_dense[ci]),
                       float(scores.chunk_lexical[ci]), tuple(map(float, scores.sentence_fused[window])),
                       tuple(map(float, scores.sentence_lexical[window])),
                       tuple(map(float, scores.sentence_dense[window])), first,
                       idx.page_of(idx.chunks[ci].source, idx.chunks[ci].start))

    def exact(self, q: QuestionAnalysis, scores: Scores, chunks: list[int]) -> Scores:
        """``scores`` with exact values for ``chunks`` and their sentences (these already are)."""
        return scores

    def with_chunks(self, q: QuestionAnalysis, passages: list[Passage], scores: Scores,
                    chunks: list[int]) -> tuple[list[Passage], Scores]:
        """The passages and, after them, those of ``chunks`` not among them yet (ranked on)."""
        have = {p.chunk.id for p in passages}
        new = list(dict.fromkeys(ci for ci in chunks if self.index.chunks[ci].id not in have))
        if not new:
            return passages, scores
        scores = self.exact(q, scores, new)
        return passages + [self.passage(scores, ci, len(passages) + k) for k, ci in enumerate(new, 1)], scores

    def search(self, q: QuestionAnalysis, n: int) -> tuple[list[Passage], Scores]:
        """The ``n`` best passages for a question, and the scores they were chosen by."""
        scores = self.scores(q)
        return self.passages(scores, n), scores
