"""Where an answer's markers point, and the text around each place, cleaned for display (no gradio here).

>>> text = "前文。2020年长江干线港口货物吞吐量达到12000万吨。后文。"
>>> ctx = context_of(text, 3, text.index("后文"), "一、长江")
>>> ctx.sentence, ctx.percent
('2020年长江干线港口货物吞吐量达到12000万吨。', 9)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from assistant.answer.compose import Answer
from assistant.ingest.chunks import join_sentences, size
from assistant.ingest.sentences import Paragraph, Sentence, clean, is_cjk, split_document

CONTEXT_CHARS = 200  # document text shown either side of a cited sentence
PREVIEW_CHARS = 40  # and in the hover preview
MIN_SHOWN_SENTENCE = 10  # Chinese-character units: shorter sentences are list heads ('具体有：')
SECTION_PART_CHARS = 36  # a long heading is cut in the breadcrumb (the full path is its tooltip)
CLOSEST = 3  # passages an abstention lists


@dataclass(frozen=True)
class Context:
    """A cited span in its surroundings, cleaned of markdown for display.

    Shape: ``Context(before='…', sentence='2025年…12000列。', after='…', start=10220, end=10244,
    percent=70, section='三、… > 3.…')``
    """

    before: str
    sentence: str
    after: str
    start: int
    end: int
    percent: int
    section: str
    page: int | None = None


@dataclass(frozen=True)
class Cited:
    """A place an answer's marker points to: ``documents[source][start:end]``.

    Shape: ``Cited(label='1', source='paper.md', start=10220, end=10244, section='三、… > 3.…', page=None)``;
    an abstention's closest passages are labelled 'P1', 'P2', ….
    """

    label: str
    source: str
    start: int
    end: int
    section: str
    page: int | None = None


def cited_places(answer: Answer) -> dict[str, Cited]:
    """Every place the answer's markers point to, by label."""
    if answer.abstained:
        return {c.label: c for c in passage_places(answer)}
    return {str(c.n): Cited(str(c.n), c.source, c.start, c.end, c.section, c.page) for c in answer.citations}


def passage_places(answer: Answer, limit: int = CLOSEST) -> list[Cited]:
    """The best sentence of each of the top passages (what an abstention shows)."""
    out = []
    for i, p in enumerate(answer.passages[:limit], 1):
        start, end = _best_sentence(p)
        out.append(Cited(f"P{i}", p.chunk.source, start, end, p.chunk.section, p.page))
    return out


def _best_sentence(passage) -> tuple[int, int]:
    """The passage's best-scoring sentence, skipping list heads such as '具体有：' that say nothing alone."""
    sentences = passage.chunk.sentences
    if not sentences:
        return passage.chunk.start, passage.chunk.end
    scores = list(passage.sentence_scores) + [0.0] * len(sentences)
    order = sorted(range(len(sentences)), key=lambda i: -scores[i])
    best = next((i for i in order if size(sentences[i].text) >= MIN_SHOWN_SENTENCE), order[0])
    return sentences[best].start, sentences[best].end


def closest(answer: Answer, documents: dict[str, str], limit: int = CLOSEST,
            width: int = CONTEXT_CHARS) -> list[Context]:
    """Contexts of the best sentence of each of the top passages (what an abstention shows)."""
    return [context_of(documents[c.source], c.start, c.end, c.section, width, c.page)
            for c in passage_places(answer, limit)]


@lru_cache(maxsize=8)  # a click re-reads the same few documents; str hashes are cached, so lookups are cheap
def document_paragraphs(document: str) -> tuple[Paragraph, ...]:
    return tuple(split_document(document))


def cited_sentences(document: str, start: int, end: int) -> list[Sentence]:
    """The document's sentences within ``document[start:end]``, as the index split them.

    A sentence that a page break cut in two spans the footnotes printed between its halves;
    those notes are not part of it, so a sentence lying inside another one is left out.
    """
    inside = [s for p in document_paragraphs(document) if p.start < end and p.end > start
              for s in p.sentences if s.start < end and s.end > start]
    return [s for s in inside if not any(o is not s and o.start <= s.start and s.end <= o.end for o in inside)]


def visible_text(document: str, start: int, end: int) -> str:
    """What a reader sees of ``document[start:end]``: clean sentences, without the notes a page break left inside."""
    return join_sentences(s.text for s in cited_sentences(document, start, end)) or _display(document[start:end])


def _display(raw: str) -> str:
    raw = re.sub(r"^[ \t]*#{1,6}[ \t]+|^[ \t]*(?:-{3,}|\*{3,})[ \t]*$", "", raw, flags=re.M)
    return clean(raw)


def _spaced(left: str, right: str, gap: str) -> bool:
    """Whether cleaned pieces need the space between words that the source had there."""
    return bool(left and right and gap and not gap.strip() and not (is_cjk(left[-1]) or is_cjk(right[0])))


def context_of(document: str, start: int, end: int, section: str, width: int = CONTEXT_CHARS,
               page: int | None = None) -> Context:
    """The sentence ``document[start:end]`` with about ``width`` characters either side."""
    a, b = max(0, start - width), min(len(document), end + width)
    # English is cut between words, not inside one ('…ion with' → '…with').
    while 0 < a < start and document[a - 1].isascii() and document[a - 1].isalnum() and not document[a].isspace():
        a += 1
    while end < b < len(document) and document[b].isascii() and document[b].isalnum() and document[b - 1].isalnum():
        b -= 1
    before, sentence, after = _display(document[a:start]), visible_text(document, start, end), _display(document[end:b])
    before += " " if _spaced(before, sentence, document[start - 1:start]) else ""
    after = (" " if _spaced(sentence, after, document[end:end + 1]) else "") + after
    percent = round(100 * start / max(1, len(document)))
    return Context(("…" if a else "") + before, sentence, after + ("…" if b < len(document) else ""),
                   start, end, percent, section, page)


def position(ctx: Context, ui: str = "both") -> str:
    """'chars 10220–10244 · 70% into the document' in the interface language."""
    zh = f"第 {ctx.start}–{ctx.end} 字符 · 位于全文 {ctx.percent}% 处"
    en = f"chars {ctx.start}–{ctx.end} · {ctx.percent}% into the document"
    if ctx.page is not None:  # a PDF's page first: what a reader looks for in the file
        zh, en = f"第 {ctx.page} 页 · {zh}", f"p. {ctx.page} · {en}"
    return zh if ui == "zh" else en if ui == "en" else f"{en} · 位于全文 {ctx.percent}% 处"


def section_path(section: str) -> str:
    parts = [p if len(p) <= SECTION_PART_CHARS else p[:SECTION_PART_CHARS] + "…" for p in section.split(" > ")]
    return " › ".join(parts)

