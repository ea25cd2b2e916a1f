"""The facade: load (or build) the index once, then retrieve and answer questions."""

from __future__ import annotations

import re

from assistant.answer.abstain import abstain_reasons, say
from assistant.answer.compose import Answer, check_question, compose, confidence_of, pick_text, select_evidence
from assistant.index.embedders import load_embedder
from assistant.index.lexical import tokenize
from assistant.index.store import Index, open_index
from assistant.retrieve.hybrid import Passage, Retriever
from assistant.question.followup import Resolution, rewrite
from assistant.settings import Settings


class Assistant:
    """Question answering over the indexed corpus.

    >>> bot = Assistant.load()                                      # doctest: +SKIP
    >>> a = bot.ask("2025年中欧（亚）班列发车数达到多少列？")             # doctest: +SKIP
    >>> a.citations[0].quote                                         # doctest: +SKIP
    '2025年中欧（亚）班列发车数达到12000列。'
    """

    def __init__(self, index: Index, settings: Settings):
        self.index = index
        self.settings = settings
        self.embedder = load_embedder(settings.embedder)
        self.retriever = Retriever(index, self.embedder, settings)
        self._corpus_text = re.sub(r"\s+", "", "".join(index.documents.values()))

    @classmethod
    def load(cls, settings: Settings | None = None, rebuild: bool = True, progress: bool = True,
             log=print, **overrides) -> "Assistant":
        """Open the index for the settings, building it first when missing, stale or corrupt.

        Args:
            settings: defaults to :meth:`Settings.from_env`.
            rebuild: when False, a missing or stale index raises ``IndexStateError``.
            progress: show a progress bar while building.
            log: where build messages go.
            **overrides: settings fields to replace (``embedder='st:…'``, ``k=10``).
        """
        settings = (settings or Settings.from_env()).with_overrides(**overrides)
        return cls(open_index(settings, rebuild=rebuild, progress=progress, log=log), settings)

    def retrieve(self, question: str, k: int | None = None) -> list[Passage]:
        """The top ``k`` passages for a question, best first."""
        q, _ = check_question(question)
        return self.retriever.search(q, k)

    def ask(self, question: str, k: int | None = None, id: str | None = None) -> Answer:
        """Answer from the paper with citations, or abstain when the evidence is too weak.

        Raises:
            QuestionError: for empty, oversized, garbled or non-Chinese/English questions.
        """
        q, lang = check_question(question)
        passages = self.retriever.search(q, k)
        picks = select_evidence(q, lang, passages, self.settings, headings=self.retriever.asks_heading(q))
        confidence = confidence_of(passages)
        threshold = self.settings.abstain_threshold if lang == "zh" else self.settings.abstain_threshold_en
        coverage = max((p.passage.sentence_lexical[i] for p in picks for i in range(p.first, p.last + 1)),
                       default=0.0)
        reasons = abstain_reasons(q, lang, [pick_text(p) for p in picks], [p.passage.chunk.clean for p in picks],
                                  coverage, self._corpus_text, self.index.sentence_bm25.idf)
        if confidence < threshold:
            reasons.insert(0, say(lang, "low_score", x=f"{confidence:.2f}", y=f"{threshold:.2f}"))
        return compose(q, lang, passages, picks, self.index, self.settings, confidence, reasons, id)

    def ask_followup(self, question: str, history: list[str]) -> tuple[Answer, Resolution]:
        """Answer a question in a conversation: resolved against the history, and asked as typed
        too when the rewrite changed it, keeping the answer whose evidence is stronger.

        A rewrite is a guess; when the question as typed already finds firmer evidence than the
        rewrite does, the guess was not needed.

        Args:
            question: the new question.
            history: earlier questions of the conversation, oldest first (as resolved).

        Returns:
            (Answer, Resolution): the answer, and how the question was understood.

        Raises:
            QuestionError: for a question the assistant cannot take.
        """
        res = rewrite(question, history)
        answer = self.ask(res.resolved)
        # Only a question with words of its own can stand alone ('What about 2025?' cannot), and
        # one that points back (rule 'context') never does.
        if res.changed and res.rule != "context" and sum(not t[0].isdigit() for t in tokenize(question)) >= 2:
            alone = self.ask(question)
            if not alone.abstained and (answer.abstained or alone.confidence > answer.confidence):
                return alone, Resolution(question, question.strip(), "standalone")
        return answer, res

    def ask_many(self, questions: list[str]) -> list[Answer]:
        return [self.ask(q) for q in questions]

    def as_langchain_retriever(self, k: int | None = None):
        """This assistant's retrieval as a LangChain ``BaseRetriever`` returning ``Document``s."""
        from assistant.app.langchain import PaperRetriever

        return PaperRetriever.from_assistant(self, k=k or self.settings.k)

    @property
    def info(self) -> dict:
        """Facts about the loaded index, for people and the chat's info panel."""
        m = self.index.manifest
        return {"documents": [d["source"] for d in m["documents"]], **m["counts"], "embedder": m["embedder_id"],
                "built_at": m["built_at"], "index_dir": str(self.settings.index_dir),
                "chunk_size": m["chunker"]["chunk_size"]}
