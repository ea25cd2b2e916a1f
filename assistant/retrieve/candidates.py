"""Retrieval through a search service that returns only the best matches (Milvus, an
approximate FAISS index): the same fused scores as :class:`Retriever`, worked out exactly for
the candidates the searches return.

Per question:

1. the service's dense search and its BM25 search each return their ``top`` best sentences
   and chunks; a row neither returns gets the lowest score its search returned (the most it
   can have), or 0 when the search returned fewer than ``top`` rows (then it matched nothing);
2. the chunks are ranked on those scores as the exact retriever ranks them, and the best
   ``REFINE`` times as many as asked for are scored again exactly, with the index's own
   vectors and BM25 (the service finds the candidates, the scores are the exact retriever's);
   only those can be returned;
3. the spread of the question's cosine over the whole corpus (its mean and standard
   deviation, which the answer model reads) comes from the vectors' first and second moments,
   worked out once: ``mean = q·μ`` and ``E[cos²] = qᵀ S q``.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import numpy as np

from assistant.index.embedders import Embedder
from assistant.index.store import Index
from assistant.question.analysis import QuestionAnalysis
from assistant.retrieve.hybrid import Passage, Retriever, Scores
from assistant.settings import Settings

TOP = 64  # rows each search returns
REFINE = 4  # chunks scored exactly, per chunk asked for
LEVELS = ("sentence", "chunk")
_POOL = ThreadPoolExecutor(max_workers=8, thread_name_prefix="search")  # searches of questions in flight


def moments(vectors: np.ndarray, batch: int = 65536) -> tuple[np.ndarray, np.ndarray]:
    """The mean vector and the second-moment matrix ``VᵀV / n`` of unit vectors, in batches.

    >>> m, s = moments(np.eye(2, dtype=np.float32)); m.tolist(), s.tolist()
    ([0.5, 0.5], [[0.5, 0.0], [0.0, 0.5]])
    """
    n, d = vectors.shape
    total, second = np.zeros(d, np.float64), np.zeros((d, d), np.float64)
    for i in range(0, n, batch):
        block = np.asarray(vectors[i:i + batch], dtype=np.float64)
        total += block.sum(axis=0)
        second += block.T @ block
    return total / max(n, 1), second / max(n, 1)


def spread(query: np.ndarray, mean: np.ndarray, second: np.ndarray) -> tuple[float, float]:
    """The mean and standard deviation of ``query``'s cosine over the vectors with these moments."""
    q = query.astype(np.float64)
    m = float(q @ mean)
    return m, float(np.sqrt(max(float(q @ second @ q) - m * m, 0.0)))


class SearchService:
    """What a candidate retriever needs from the service that holds the vectors and the text.

    ``level`` is ``"sentence"`` (rows are the index's flat sentences) or ``"chunk"``.
    """

    name = "service"

    def dense(self, level: str, vector: np.ndarray, top: int) -> tuple[np.ndarray, np.ndarray]:
        """The ``top`` rows nearest ``vector`` and their cosines, best first."""
        raise NotImplementedError

    def lexical(self, level: str, queries: list[list[str]], top: int) -> list[tuple[np.ndarray, np.ndarray]]:
        """Per query (a list of terms), the ``top`` rows with the best BM25 scores and the
        scores, best first; rows that match no term are left out."""
        raise NotImplementedError

    def scale(self, level: str, terms: dict[str, float]) -> float:
        """How much larger this service's BM25 scores for ``terms`` run than the index's own
        (whose statistics a view's bound is in): 1 when they are the index's."""
        return 1.0


class CandidateRetriever(Retriever):
    """A :class:`Retriever` over a :class:`SearchService`: exact for the chunks it returns.

    Args:
        index: the loaded index (its chunks, and the vectors the moments come from).
        embedder: the embedder the index was built with.
        settings: as for :class:`Retriever`.
        service: the searches.
        top: rows each search returns.
    """

    def __init__(self, index: Index, embedder: Embedder, settings: Settings, service: SearchService,
                 top: int = TOP):
        super().__init__(index, embedder, settings)
        self.service = service
        self.top = top
        self.moments = {"sentence": moments(index.sentence_vectors), "chunk": moments(index.chunk_vectors)}
        self.size = {"sentence": len(index.flat_sentences), "chunk": len(index.chunks)}

    def _filled(self, level: str, rows: np.ndarray, values: np.ndarray) -> np.ndarray:
        """A full array: ``values`` at ``rows``, elsewhere the most a row left out can have."""
        floor = float(values[-1]) if len(rows) >= self.top and len(values) else 0.0
        out = np.full(self.size[level], floor, np.float32)
        out[rows] = values
        return out

    def _lexical(self, level: str, q: QuestionAnalysis, found: list) -> np.ndarray:
        """Per row, the best coverage of the question's views by the service's BM25 search
        (its score over the view's bound, at most 1; the terms' weights are left to the
        exact scoring)."""
        out = [np.zeros(self.size[level], np.float32)]
        for (terms, bound), (rows, scores) in zip([v for v in q.views if v[0]], found):
            cover = np.clip(np.asarray(scores, np.float32) / (bound * self.service.scale(level, terms)), 0, 1)
            out.append(self._filled(level, np.asarray(rows, np.int64), cover))
        return np.max(out, axis=0)

    def _search(self, q: QuestionAnalysis, vector: np.ndarray):
        """Every search of one question, at once: they wait on the service, not on a core."""
        queries = [list(terms) for terms, _ in q.views if terms]
        jobs = {("dense", level): (self.service.dense, level, vector, self.top) for level in LEVELS}
        jobs.update({("lexical", level): (self.service.lexical, level, queries, self.top) for level in LEVELS})
        futures = {key: _POOL.submit(*job) for key, job in jobs.items()}
        return {key: f.result() for key, f in futures.items()}

    def _exact_lexical(self, bm25, q: QuestionAnalysis, rows: np.ndarray) -> np.ndarray:
        """The exact retriever's coverage of ``rows`` (the index's own BM25)."""
        return np.max([np.clip(bm25.scores(terms)[rows] / bound, 0, 1) for terms, bound in q.views], axis=0)

    def scores(self, q: QuestionAnalysis, vector: np.ndarray | None = None, n: int | None = None) -> Scores:
        idx, w, a = self.index, self.settings.dense_weight, self.settings.chunk_weight
        vector = self.embedder.encode_query(q.text) if vector is None else vector
        found = self._search(q, vector)
        dense = {level: self._filled(level, *found["dense", level]) for level in LEVELS}
        lexical = {level: self._lexical(level, q, found["lexical", level]) for level in LEVELS}
        s_fused = w * dense["sentence"] + (1 - w) * lexical["sentence"]
        best = np.full(len(idx.chunks), -1.0, np.float32)
        np.maximum.at(best, idx.sentence_chunk, s_fused)
        chunk = a * (w * dense["chunk"] + (1 - w) * lexical["chunk"]) + (1 - a) * best
        # The best chunks again, exactly; no other can be returned.
        n = n or max(self.settings.candidates, self.settings.k)
        chosen = np.sort(np.argsort(-chunk, kind="stable")[:REFINE * n])
        final = np.full(len(idx.chunks), -np.inf, np.float32)
        self._refine(q, vector, chosen, dense["sentence"], lexical["sentence"], s_fused, dense["chunk"],
                     lexical["chunk"], final)
        spreads = {level: spread(vector, *self.moments[level]) for level in LEVELS}
        return Scores(dense["sentence"], lexical["sentence"], s_fused, dense["chunk"], lexical["chunk"], final,
                      query=np.asarray(vector, np.float32), moments=spreads)

    def _refine(self, q: QuestionAnalysis, vector: np.ndarray, chosen: np.ndarray, s_dense: np.ndarray,
                s_lexical: np.ndarray, s_fused: np.ndarray, c_dense: np.ndarray, c_lexical: np.ndarray,
                chunk: np.ndarray) -> None:
        """Set, in place, the exact retriever's scores of the chunks ``chosen`` (sorted) and of
        their sentences."""
        idx, w, a = self.index, self.settings.dense_weight, self.settings.chunk_weight
        rows = np.concatenate([np.arange(idx.chunk_first_sentence[c], idx.chunk_first_sentence[c]
                                         + len(idx.chunks[c].sentences)) for c in chosen])
        s_dense[rows] = idx.sentence_vectors[rows] @ vector
        s_lexical[rows] = self._exact_lexical(idx.sentence_bm25, q, rows)
        s_fused[rows] = w * s_dense[rows] + (1 - w) * s_lexical[rows]
        c_dense[chosen] = idx.chunk_vectors[chosen] @ vector
        c_lexical[chosen] = self._exact_lexical(idx.chunk_bm25, q, chosen)
        best = np.full(len(idx.chunks), -1.0, np.float32)
        np.maximum.at(best, idx.sentence_chunk[rows], s_fused[rows])
        chunk[chosen] = a * (w * c_dense[chosen] + (1 - w) * c_lexical[chosen]) + (1 - a) * best[chosen]

    def exact(self, q: QuestionAnalysis, scores: Scores, chunks: list[int]) -> Scores:
        """``scores`` with the exact retriever's values for ``chunks`` and their sentences."""
        names = ("sentence_dense", "sentence_lexical", "sentence_fused", "chunk_dense", "chunk_lexical", "chunk")
        arrays = {name: getattr(scores, name).copy() for name in names}
        self._refine(q, scores.query, np.asarray(sorted(chunks), np.int64), *arrays.values())
        return replace(scores, **arrays)

    def search(self, q: QuestionAnalysis, n: int) -> tuple[list[Passage], Scores]:
        scores = self.scores(q, n=n)
        return self.passages(scores, n), scores


class FaissService(SearchService):
    """The index's own FAISS vectors and BM25 as a search service: what the candidate
    retriever is checked against, and its path for an approximate FAISS index."""

    name = "faiss"

    def __init__(self, index: Index):
        self.index = index
        self._faiss = {"sentence": index.sentence_index, "chunk": index.chunk_index}
        self._bm25 = {"sentence": index.sentence_bm25, "chunk": index.chunk_bm25}

    def dense(self, level, vector, top):
        faiss_index = self._faiss[level]
        sims, ids = faiss_index.search(np.ascontiguousarray(vector[None, :], dtype=np.float32),
                                       min(top, faiss_index.ntotal))
        keep = ids[0] >= 0
        return ids[0][keep], sims[0][keep]

    def lexical(self, level, queries, top):
        out = []
        for terms in queries:
            scores = self._bm25[level].scores(terms)
            order = np.argsort(-scores, kind="stable")[:top]
            order = order[scores[order] > 0]
            out.append((order, scores[order]))
        return out
