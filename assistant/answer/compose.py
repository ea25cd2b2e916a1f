"""Extractive answers: a first line that states the answer (see ``direct.py``), then the
sentences the answer model chose, each cited; or a plain abstention.

>>> Citation(1, "doc-1a2b", "doc.md", "A > B", "en", 10, 24, "It is 300 km.").to_dict()["end"]
24
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from assistant.answer.direct import Quote, first_line
from assistant.index.store import Index
from assistant.ingest.chunks import Chunk, join_sentences
from assistant.ingest.profile import Profile
from assistant.retrieve.hybrid import Passage


@dataclass(frozen=True)
class Citation:
    """One cited span: ``source_text[start:end] == quote``.

    Shape: ``Citation(n=1, chunk_id='yangtze-3f2a9c1e', source='yangtze.md', section='Geography',
    lang='en', start=203, end=238, quote='The river is about 6,300 km long.')``
    """

    n: int
    chunk_id: str
    source: str
    section: str
    lang: str
    start: int
    end: int
    quote: str
    page: int | None = None  # 1-based, for paged documents (PDF)

    def to_dict(self) -> dict:
        return {"n": self.n, "chunk_id": self.chunk_id, "source": self.source, "section": self.section,
                "lang": self.lang, "start": self.start, "end": self.end, "quote": self.quote, "page": self.page}


@dataclass(frozen=True)
class Answer:
    """An answer with its citations and the passages it drew on (the ``ask --json`` schema).

    ``confidence`` is the answer model's belief that the documents answer the question, scaled
    so that below 0.5 the assistant abstains; ``reasons`` say why it abstained, in words.
    """

    question: str
    lang: str
    text: str
    abstained: bool
    citations: tuple[Citation, ...]
    passages: tuple[Passage, ...]
    id: str | None = None
    confidence: float = 0.0
    reasons: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {"id": self.id, "question": self.question, "lang": self.lang, "answer": self.text,
                "abstained": self.abstained, "citations": [c.to_dict() for c in self.citations],
                "passages": [p.to_dict() for p in self.passages], "confidence": round(float(self.confidence), 4)}


@dataclass(frozen=True)
class Pick:
    """Sentences ``first..last`` (inclusive) of a passage's chunk, chosen as evidence."""

    passage: Passage
    first: int
    last: int
    score: float


def select_evidence(cands: list[tuple[Passage, int]], scores: np.ndarray, margin: float,
                    max_sentences: int) -> list[Pick]:
    """The best sentence, and the next best while they score within ``margin`` of it, up to
    ``max_sentences``; a sentence whose text was already picked (documents repeat themselves)
    is skipped."""
    picks: list[Pick] = []
    seen: set[str] = set()
    order = np.argsort(-scores, kind="stable")
    if not len(order):
        return picks
    best = float(scores[order[0]])
    for k in order:
        if len(picks) >= max_sentences or float(scores[k]) < best - margin:
            break
        p, i = cands[k]
        text = p.chunk.sentences[i].text
        if any(text in other or other in text for other in seen):
            continue
        seen.add(text)
        picks.append(Pick(p, i, i, float(scores[k])))
    return picks


def _citations(picks: list[Pick], documents: dict[str, str]) -> list[Citation]:
    """One citation per picked span, adjacent spans of one chunk merged, the best-scoring first."""
    spans: list[list] = []  # [chunk, first, last, best score]
    for pick in sorted(picks, key=lambda p: (p.passage.chunk.source, p.passage.chunk.start, p.first)):
        chunk = pick.passage.chunk
        if spans and spans[-1][0].id == chunk.id and pick.first <= spans[-1][2] + 1:
            spans[-1][2] = max(spans[-1][2], pick.last)
            spans[-1][3] = max(spans[-1][3], pick.score)
        else:
            spans.append([chunk, pick.first, pick.last, pick.score])
    out = []
    for n, (chunk, a, b, _) in enumerate(sorted(spans, key=lambda s: -s[3]), 1):
        start, end = chunk.sentences[a].start, chunk.sentences[b].end
        out.append(Citation(n, chunk.id, chunk.source, chunk.section, chunk.sentences[a].lang, start, end,
                            documents[chunk.source][start:end]))
    return out


def pick_text(pick: Pick) -> str:
    """The clean text of a pick's sentences."""
    return join_sentences(s.text for s in pick.passage.chunk.sentences[pick.first:pick.last + 1])


def leads(profile: Profile) -> dict[str, str]:
    """The words the first line opens with, by question language and evidence language."""
    zh, en = profile.noun("zh"), profile.noun("en")
    return {"zh": f"根据{zh}：", "zh_en": f"根据{zh}（英文原文）：", "en": f"According to {en}:",
            "en_zh": f"From {en} (in Chinese):"}


def abstention_text(lang: str, profile: Profile) -> str:
    if lang == "zh":
        return f"{profile.noun('zh')}中似乎没有这个问题的答案。下面列出了最接近的段落，供参考。"
    return f"No answer to this question was found in {profile.noun('en')}. The closest passages are listed below."


def compose(question: str, lang: str, passages: list[Passage], picks: list[Pick], index: Index, profile: Profile,
            confidence: float, reasons: list[str], qid: str | None = None, parallel_min_cos: float = 0.6) -> Answer:
    """The answer text and citations from the picked evidence, or an abstention when there are
    ``reasons`` to (or nothing to cite)."""
    if reasons or not picks:
        return Answer(question, lang, abstention_text(lang, profile), True, (), tuple(passages), qid, confidence,
                      tuple(reasons) or ("nothing was retrieved",))
    citations = _citations(picks, index.documents)
    by_id = {p.passage.chunk.id: p.passage.chunk for p in picks}
    quotes = [Quote(c.n, c.lang, tuple(s.text for s in by_id[c.chunk_id].sentences
                                       if c.start <= s.start and s.end <= c.end), (c.source, c.start))
              for c in citations]
    evidence_langs = {c.lang for c in citations}
    lead = leads(profile)
    own, other = (lead["zh"], lead["zh_en"]) if lang == "zh" else (lead["en"] + " ", lead["en_zh"] + " ")
    lead_text = own if evidence_langs == {lang} else other
    first = first_line(question, lang, quotes, lead_text, profile.glossary, index.sentence_bm25.idf)
    if lead_text == other and first.opens == lang:
        # The lead says what language the line opens with, not what some citation is in (a
        # shorter lead only leaves the line shorter).
        first = replace(first, text=own + first.text[len(other):])
    # The quotes follow the first line; one it already quotes whole is not repeated.
    rest = [q for q in quotes if q.n not in first.whole]
    if lang == "zh":
        body = "".join(f"{q.text}[{q.n}]" if q.lang == "zh" else f"“{q.text}”[{q.n}]" for q in rest)
    elif evidence_langs == {"en"}:
        body = " ".join(f"{q.text} [{q.n}]" for q in rest)
    else:
        body = "\n".join(f"“{q.text}” [{q.n}]" if q.lang == "zh" else f"{q.text} [{q.n}]" for q in rest)
    text = first.text + ("\n" + body if body else "")
    # A document's own translation of a cited sentence (a Chinese paper's English abstract) is
    # cited too for an English reader; a sentence already quoted is not repeated.
    parallel = [(c, t) for c, t in english_parallels(citations, index, parallel_min_cos)
                if not any(o.source == c.source and o.start < c.end and c.start < o.end for o in citations)
                ] if lang == "en" else []
    if parallel:
        extra = [(replace(c, n=len(citations) + i + 1), t) for i, (c, t) in enumerate(parallel)]
        citations = citations + [c for c, _ in extra]
        text += "\nIn English, the same document says: " + " ".join(f"{t} [{c.n}]" for c, t in extra)
    citations = [replace(c, page=index.page_of(c.source, c.start)) for c in citations]
    return Answer(question, lang, text, False, tuple(citations), tuple(passages), qid, confidence)


def english_parallels(citations: list[Citation], index: Index, min_cos: float = 0.6) -> list[tuple[Citation, str]]:
    """English sentences of the same document that say what the cited Chinese sentences say
    (a bilingual document's own translation), each with its clean text.

    A pair must match both ways: the English sentence is the closest to a cited sentence
    (cosine at least ``min_cos``), and that sentence, or a copy of it, is the closest Chinese
    sentence of the document to the English one.
    """
    vecs = index.sentence_vectors
    flat = index.flat_sentences
    out = []
    for cit in citations:
        if cit.lang != "zh":
            continue
        en_rows = [i for i, (c, s) in enumerate(flat) if c.source == cit.source and s.lang == "en"]
        zh_rows = [i for i, (c, s) in enumerate(flat) if c.source == cit.source and s.lang == "zh" and not s.heading]
        rows = [i for i, (c, s) in enumerate(flat) if c.id == cit.chunk_id and cit.start <= s.start < cit.end]
        if not en_rows or not zh_rows or not rows:
            continue
        sims = vecs[en_rows] @ vecs[rows].T
        best = np.unravel_index(np.argmax(sims), sims.shape)
        if sims[best] < min_cos:
            continue
        english = en_rows[best[0]]
        back = zh_rows[int(np.argmax(vecs[zh_rows] @ vecs[english]))]
        if flat[back][1].text not in {flat[r][1].text for r in rows}:
            continue
        chunk, s = flat[english]
        out.append((Citation(0, chunk.id, chunk.source, chunk.section, "en", s.start, s.end,
                             index.documents[chunk.source][s.start:s.end]), s.text))
    return out
