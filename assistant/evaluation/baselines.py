"""Baselines scored beside the assistant: BM25 only, dense only, and a tutorial LangChain pipeline.

Each returns predictions in the ``ask --json`` schema, so one scorer scores every system.
None of them abstains: the answer is the top passage's text and the only citation is that
whole passage, which is what a naive retrieve-then-show pipeline gives its user.
"""

from __future__ import annotations

import time
from typing import Callable

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.ingest.chunks import Chunk
from assistant.index.embedders import Embedder
from assistant.errors import AssistantError
from assistant.index.store import Index
from assistant.index.lexical import tokenize
from assistant.ingest.sentences import detect_lang

# The splitter settings of the LangChain RAG tutorial.
TUTORIAL_CHUNK_SIZE = 500
TUTORIAL_CHUNK_OVERLAP = 50
BATCH = 32

Search = Callable[[str, int], list[dict]]


def _chunk_passage(rank: int, chunk: Chunk, score: float) -> dict:
    return {"rank": rank, "chunk_id": chunk.id, "source": chunk.source, "section": chunk.section,
            "lang": chunk.lang, "start": chunk.start, "end": chunk.end, "score": round(float(score), 4),
            "text": chunk.text}


def bm25_search(index: Index) -> Search:
    """BM25 over the assistant's chunks, with the assistant's tokenizer."""
    def search(question: str, k: int) -> list[dict]:
        scores = index.chunk_bm25.scores(tokenize(question))
        order = np.argsort(-scores, kind="stable")[:k]
        return [_chunk_passage(rank, index.chunks[i], scores[i]) for rank, i in enumerate(order, 1)]
    return search


def dense_search(index: Index, embedder: Embedder) -> Search:
    """FAISS inner product over the assistant's chunk vectors, with the same embedder."""
    def search(question: str, k: int) -> list[dict]:
        query = embedder.encode_query(question)[None, :].astype(np.float32)
        sims, ids = index.chunk_index.search(query, k)
        return [_chunk_passage(rank, index.chunks[i], s) for rank, (s, i) in enumerate(zip(sims[0], ids[0]), 1)
                if i >= 0]
    return search


class EmbedderEmbeddings(Embeddings):
    """The project's embedder as a LangChain ``Embeddings``, so the tutorial pipeline uses the same model."""

    def __init__(self, embedder: Embedder):
        self.embedder = embedder

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return np.concatenate([self.embedder.encode(texts[i:i + BATCH]) for i in range(0, len(texts), BATCH)]
                              ).tolist() if texts else []

    def embed_query(self, text: str) -> list[float]:
        return self.embedder.encode_query(text).tolist()


def _split(documents: dict[str, str]) -> list[dict]:
    """Tutorial chunks of every document, each with its exact offsets in the source text."""
    try:
        from langchain_text_splitters import RecursiveCharacterTextSplitter
    except ImportError:
        raise AssistantError("the LangChain baseline needs langchain-text-splitters: "
                             "pip install langchain-text-splitters (or run eval without --baselines)") from None
    splitter = RecursiveCharacterTextSplitter(chunk_size=TUTORIAL_CHUNK_SIZE, chunk_overlap=TUTORIAL_CHUNK_OVERLAP,
                                              add_start_index=True)
    out = []
    for source, text in documents.items():
        for n, doc in enumerate(splitter.create_documents([text], metadatas=[{"source": source}])):
            start = doc.metadata["start_index"]
            if text[start:start + len(doc.page_content)] != doc.page_content:
                start = text.find(doc.page_content)  # the splitter's guess can miss on repeated text
            out.append({"chunk_id": f"langchain-{n}", "source": source, "section": "",
                        "lang": detect_lang(doc.page_content), "start": start,
                        "end": start + len(doc.page_content), "text": doc.page_content})
    return out


def langchain_search(documents: dict[str, str], embedder: Embedder) -> Search:
    """The LangChain tutorial pipeline: RecursiveCharacterTextSplitter(500, 50), the same embedder,
    a flat FAISS inner-product index."""
    import faiss

    chunks = _split(documents)
    embeddings = EmbedderEmbeddings(embedder)
    vectors = np.asarray(embeddings.embed_documents([c["text"] for c in chunks]), dtype=np.float32)
    flat = faiss.IndexFlatIP(vectors.shape[1])  # unit vectors: inner product == cosine
    flat.add(vectors)

    def search(question: str, k: int) -> list[dict]:
        query = np.asarray([embeddings.embed_query(question)], dtype=np.float32)
        sims, ids = flat.search(query, k)
        return [dict(chunks[i], rank=rank, score=round(float(s), 4))
                for rank, (s, i) in enumerate(zip(sims[0], ids[0]), 1) if i >= 0]
    return search


def predict_with(search: Search, qa_records: list[dict], k: int, desc: str = "", progress: bool = True) -> list[dict]:
    """Predictions of a search-only system: the top passage is the answer and its one citation.

    Args:
        search: ``search(question, k) -> passage dicts``, best first.
        qa_records: the questions.
        k: passages to keep per question.
        desc: progress bar label.
        progress: show a progress bar on stderr.

    Returns:
        One record per question in the ``ask --json`` schema, plus ``latency_ms``.
    """
    from tqdm.auto import tqdm

    out = []
    for qa in tqdm(qa_records, desc=desc, unit="q", disable=not progress, leave=False):
        started = time.perf_counter()
        passages = search(qa["question"], k)
        latency = (time.perf_counter() - started) * 1000
        top = passages[0] if passages else None
        citations = [{"n": 1, "quote": top["text"], **{f: top[f] for f in
                      ("chunk_id", "source", "section", "lang", "start", "end")}}] if top else []
        out.append({"id": qa["id"], "question": qa["question"], "lang": qa["lang"],
                    "answer": top["text"] if top else "", "abstained": False, "citations": citations,
                    "passages": passages, "latency_ms": round(latency, 3)})
    return out


def run_baselines(index: Index, embedder: Embedder, qa_records: list[dict], k: int = 5,
                  progress: bool = True) -> dict[str, list[dict]]:
    """Predictions of every baseline.

    Args:
        index: the assistant's loaded index (BM25 and dense baselines reuse it).
        embedder: the assistant's embedder.
        qa_records: the questions.
        k: passages per question (use the assistant's ``k`` for a fair comparison).
        progress: show progress bars on stderr.

    Returns:
        ``{"bm25": predictions, "dense": predictions, "langchain": predictions}``.
    """
    systems = {"bm25": bm25_search(index), "dense": dense_search(index, embedder),
               "langchain": langchain_search(index.documents, embedder)}
    return {name: predict_with(search, qa_records, k, f"Baseline {name}", progress)
            for name, search in systems.items()}
