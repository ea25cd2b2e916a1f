"""The facade: load (or build) the index once, then retrieve and answer questions.

question → analysis (``question/``) → candidates (``retrieve/``) → answer model (``answer/``)
→ citations or an abstention.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from assistant.answer.compose import Answer, compose, select_evidence
from assistant.answer.features import (ANSWERABLE_FEATURES, Facts, Spread, answerable_vector, candidates,
                                       evidence_matrix, part_chunks)
from assistant.answer.model import AnswerModel, logit, model_for, sigmoid
from assistant.answer.reasons import reasons_for, say
from assistant.index.embedders import load_embedder
from assistant.index.lexical import tokenize
from assistant.index import threads
from assistant.index.store import Index, open_index
from assistant.ingest.profile import Profile
from assistant.question.analysis import Analyzer, QuestionAnalysis
from assistant.question.check import check_question
from assistant.question.followup import (SHORT_FOLLOWUP, Resolution, needs_context, own_words, rewrite,
                                         topic_swaps, with_topic)
from assistant.ingest.sentences import detect_lang
from assistant.retrieve.hybrid import Passage, Retriever
from assistant.settings import Settings


def make_retriever(index: Index, embedder, settings: Settings, progress: bool = True, log=print) -> Retriever:
    """The retriever of ``settings.backend``: the index's own FAISS files, or Milvus."""
    from assistant.index.vectors import is_exact
    from assistant.retrieve.candidates import CandidateRetriever, FaissService

    if settings.backend == "milvus":
        from assistant.retrieve.milvus import MilvusService

        return CandidateRetriever(index, embedder, settings, MilvusService.open(index, settings, progress, log))
    if not (is_exact(index.sentence_index) and is_exact(index.chunk_index)):
        # An approximate FAISS index (a large corpus): its best matches, scored exactly.
        return CandidateRetriever(index, embedder, settings, FaissService(index))
    return Retriever(index, embedder, settings)


@dataclass(frozen=True)
class Examination:
    """Everything the answer is decided from, for one question (what ``calibrate`` fits on).

    Shape: ``Examination(question=QuestionAnalysis(…), passages=[Passage…], spread=Spread(…),
    candidates=[(Passage, 3), …], x=array (n, len(EVIDENCE_FEATURES)))``
    """

    question: QuestionAnalysis
    passages: list[Passage]
    spread: Spread
    candidates: list[tuple[Passage, int]]
    x: np.ndarray

    facts: Facts

    def signals(self, evidence_logits: np.ndarray) -> np.ndarray:
        """The question-level signals, given the candidates' evidence logits."""
        return answerable_vector(self.question, self.passages, self.spread, evidence_logits, self.x, self.facts)


class Assistant:
    """Question answering over the indexed corpus.

    >>> bot = Assistant.load()                                      # doctest: +SKIP
    >>> a = bot.ask("How long is the river?")                        # doctest: +SKIP
    >>> a.citations[0].quote                                         # doctest: +SKIP
    'The river is about 6,300 km long.'
    """

    def __init__(self, index: Index, settings: Settings, model: AnswerModel | None = None):
        self.index = index
        self.settings = settings
        self.embedder = load_embedder(settings.embedder)
        threads.for_queries()  # one thread per question, the embedder's pools too: see index/threads.py
        self.retriever = make_retriever(index, self.embedder, settings)
        self.profile = Profile.load(settings.corpus_dir).for_documents(len(index.documents))
        self.analyzer = Analyzer(index.sentence_bm25.idf, index.sentence_bm25.postings, self.profile.glossary)
        self.facts = Facts(index, self.analyzer.translator)  # the glossary read once, for both
        self.model = model or model_for(settings.corpus_dir, settings.embedder)

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

    # ----- stages -----
    def examine(self, question: str) -> Examination:
        """Analyse a question, gather candidate passages and read their sentences' signals.

        Raises:
            QuestionError: for empty, oversized, garbled or non-Chinese/English questions.
        """
        q, lang = check_question(question)
        analysis = self.analyzer.analyze(q, lang)
        passages, scores = self.retriever.search(analysis, max(self.settings.candidates, self.settings.k))
        passages, scores = self.retriever.with_chunks(analysis, passages, scores,
                                                      part_chunks(analysis, passages, self.facts))
        return Examination(analysis, passages, Spread.of(scores, self.facts), candidates(passages),
                           evidence_matrix(analysis, passages, self.facts), self.facts)

    def _ranked(self, exam: Examination, z: np.ndarray, k: int) -> list[Passage]:
        """The candidate passages reordered by their best sentence's evidence score, the best
        ``k``; a passage's score is how likely its best sentence is against the best one (1.0
        for the first)."""
        best: dict[str, float] = {}
        for (p, _), score in zip(exam.candidates, z):
            best[p.chunk.id] = max(best.get(p.chunk.id, -np.inf), float(score))
        top = max(best.values(), default=0.0)
        order = sorted(exam.passages, key=lambda p: (-best.get(p.chunk.id, -np.inf), p.rank))[:k]
        return [replace(p, rank=r, score=float(np.exp(best.get(p.chunk.id, -np.inf) - top)))
                for r, p in enumerate(order, 1)]

    def retrieve(self, question: str, k: int | None = None) -> list[Passage]:
        """The top ``k`` passages for a question, best first."""
        exam = self.examine(question)
        z = self.model.evidence.logits(exam.x) if len(exam.x) else np.zeros(0)
        return self._ranked(exam, z, k or self.settings.k)

    def ask(self, question: str, k: int | None = None, id: str | None = None) -> Answer:
        """Answer from the documents with citations, or abstain when they do not answer.

        Raises:
            QuestionError: for empty, oversized, garbled or non-Chinese/English questions.
        """
        exam = self.examine(question)
        q = exam.question
        if not len(exam.x):
            return compose(q.text, q.lang, [], [], self.index, self.profile, 0.0, [say(q.lang, "nothing")], id)
        z = self.model.evidence.logits(exam.x)
        passages_out = self._ranked(exam, z, k or self.settings.k)
        signals = exam.signals(z)
        p_answer = float(sigmoid(self.model.answerable.logits(signals))[0])
        best = exam.candidates[int(np.argmax(z))]
        direction = f"{q.lang}→{self.facts.lang[best[0].first + best[1]]}"
        threshold = self.settings.abstain_threshold if self.settings.abstain_threshold >= 0 \
            else self.model.threshold(direction)
        # Scaled so that 0.5 is the threshold of this direction: one number means the same everywhere.
        confidence = float(sigmoid(logit(p_answer) - logit(threshold)))
        reasons = [] if p_answer >= threshold else reasons_for(
            q, dict(zip(ANSWERABLE_FEATURES, signals)), {"zh": self.profile.noun("zh"), "en": self.profile.noun("en")})
        picks = select_evidence(exam.candidates, z, self.model.cite_margin, self.model.max_sentences)
        return compose(q.text, q.lang, passages_out, picks, self.index, self.profile, confidence, reasons, id,
                       self.settings.parallel_min_cos)

    def ask_followup(self, question: str, history: list[str],
                     previous: Answer | None = None) -> tuple[Answer, Resolution]:
        """Answer a question in a conversation: resolved against the history in the ways it can
        be read (the rules' rewrite, another topic in the previous question's frame, the previous
        topic joined to a short question, the question as typed), keeping the answer whose
        evidence is strongest. A follow-up with nothing before it gets a request to ask in full.

        Args:
            question: the new question.
            history: earlier questions of the conversation, oldest first (as resolved).
            previous: the answer the last of them got, when the caller keeps it (the chat does);
                without it, that question is asked again when the follow-up names a new topic.

        Returns:
            (Answer, Resolution): the answer, and how the question was understood.

        Raises:
            QuestionError: for a question the assistant cannot take.
        """
        if not any(h and h.strip() for h in history) and needs_context(question):
            return self._clarify(question), Resolution(question, question.strip(), "clarify")
        res = rewrite(question, history)
        # The readings of the question, the rules' first: the evidence decides between them.
        readings = [res]
        first = self.ask(res.resolved)
        before: set = set()  # what the previous question's answer cites, when the follow-up names a new topic
        topic: set = set()  # the follow-up's own words (a translation's senses are too loose to tell)
        if res.rule != "slot" or first.abstained:
            # Another topic in the same frame ('那投资呢？' after a question on trade): which of
            # the previous question's topics it replaces is for the evidence to say.
            swaps = topic_swaps(question, history)
            readings += [Resolution(question, swapped, "swap") for swapped in swaps]
            if swaps:
                # A reading that keeps the old topic ('Which Serbian project … Africa?') answers the
                # previous question again, and confidently: its evidence is what that one cited,
                # and it does not name the new topic (a sentence on both may answer both).
                if previous is None:
                    previous = self.ask(next(h for h in reversed(history) if h and h.strip()))
                before = {(c.source, c.start, c.end) for c in previous.citations}
                topic = set(tokenize(question))
        if res.rule == "standalone":
            # A short question taken as standalone may still lean on the one before ('同比增长了多少？').
            joined = with_topic(question, history)
            readings += [Resolution(question, joined, "context")] if joined else []
        if res.changed and any(not t[0].isdigit() for t in tokenize(question)):
            # A rewrite is a guess: the question as typed may find firmer evidence ('What about 2025?'
            # has no words of its own to search for).
            readings.append(Resolution(question, question.strip(), "standalone"))
        # A question of at most two words of its own leans on the conversation: a reading that
        # brings the conversation in beats the question as typed whenever it is answered, for
        # '哪年出版的？' alone finds some year confidently, just not the one meant.
        typed = question.strip()
        short = own_words(question) <= SHORT_FOLLOWUP

        def rank(answer: Answer, reading: Resolution) -> tuple:
            cited = {(c.source, c.start, c.end) for c in answer.citations}
            new = (not before or not cited <= before
                   or any(topic & set(tokenize(c.quote)) for c in answer.citations))
            return (not answer.abstained, new, short and reading.resolved != typed, answer.confidence)

        best, chosen = first, res
        asked = {res.resolved}
        for reading in readings[1:]:
            if reading.resolved in asked:  # a swap may read as the question typed: asked once
                continue
            asked.add(reading.resolved)
            answer = self.ask(reading.resolved)
            if rank(answer, reading) > rank(best, chosen):
                best, chosen = answer, reading
        return best, chosen

    def _clarify(self, question: str) -> Answer:
        """The reply to a follow-up with nothing before it: what is meant, rather than a guess."""
        lang = detect_lang(question)
        text = say(lang, "clarify")
        return Answer(question.strip(), lang, text, True, (), (), None, 0.0, ())

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
                "built_at": m["built_at"], "chunk_size": m["chunker"]["chunk_size"]}
