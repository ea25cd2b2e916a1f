"""LangChain adapter: the hybrid retriever as a ``BaseRetriever`` (the only LangChain import).

>>> from assistant import Assistant                                    # doctest: +SKIP
>>> retriever = PaperRetriever.from_assistant(Assistant.load(), k=3)   # doctest: +SKIP
>>> docs = retriever.invoke("How many China-Europe freight trains ran in 2025?")  # doctest: +SKIP
>>> sorted(docs[0].metadata)                                           # doctest: +SKIP
['best_sentence', 'chunk_id', 'end', 'lang', 'page', 'rank', 'score', 'section', 'source', 'start']
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever

from assistant.retrieve.hybrid import Passage


def passage_to_document(p: Passage) -> Document:
    """A LangChain ``Document`` with the chunk's exact text and its metadata (``page``: the 1-based
    page a PDF's chunk starts on, None for other files)."""
    c = p.chunk
    best = max(range(len(c.sentences)), key=lambda i: p.sentence_scores[i])
    return Document(
        page_content=c.text,
        id=c.id,
        metadata={"chunk_id": c.id, "source": c.source, "section": c.section, "lang": c.lang, "start": c.start,
                  "end": c.end, "page": p.page, "score": p.score, "rank": p.rank,
                  "best_sentence": c.sentences[best].text},
    )


class PaperRetriever(BaseRetriever):
    """Hybrid (FAISS + BM25) retrieval over the paper, for LangChain chains and agents."""

    assistant: Any
    """A loaded :class:`assistant.Assistant`."""
    k: int = 5
    """How many documents to return."""

    @classmethod
    def from_assistant(cls, assistant, k: int = 5) -> "PaperRetriever":
        return cls(assistant=assistant, k=k)

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        return [passage_to_document(p) for p in self.assistant.retrieve(query, self.k)]
