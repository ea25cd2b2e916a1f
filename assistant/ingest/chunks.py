"""Chunks: whole sentences of one section and one language, merged to a target size."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from assistant.ingest.read import Document
from assistant.question.qtypes import zh_number
from assistant.ingest.sentences import Sentence, is_cjk, split_document

# An English word carries about as much as 2.5 Chinese characters.
WORD_UNITS = 2.5
# Section headings: numbered ('一、…', '4、…', '（二）…') or a standard part name; any other
# heading standing alone is a document's title.
NUMBERED = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[）)]|\d+[、.．])")
STANDARD_HEADINGS = re.compile(r"^(?:内容摘要|摘要|内容提要|参考文献|注释|附录|abstract|references|keywords|"
                               r"introduction|conclusion|引言|结论|结语)\W*$", re.I)
_ABSTRACT_SECTION = re.compile(r"摘要|提要|关键词|abstract|keywords", re.I)


@dataclass(frozen=True)
class Chunk:
    """A retrievable passage.

    ``source_text[start:end] == text`` always holds; ``sentences`` carry their own
    offsets into the same source text, and ``clean`` is what search sees.

    Shape: ``Chunk(id='chen-2026-…-3f2a9c1e', source='chen-2026-….md', lang='zh',
    section='一、十二年回顾：… > …', start=1203, end=1502, text='…', sentences=(…))``
    """

    id: str
    source: str
    lang: str
    section: str
    start: int
    end: int
    text: str
    sentences: tuple[Sentence, ...]

    @property
    def clean(self) -> str:
        return join_sentences(s.text for s in self.sentences)


def section_heading(section: str) -> str:
    """The heading a section's sentences are about: its deepest one, or '' when the section
    is only the document's title (which is about everything).

    >>> section_heading("三、路径 > 6.加强海外利益保护"), section_heading("向新而行：展望")
    ('6.加强海外利益保护', '')
    """
    parts = section.split(" > ")
    if len(parts) == 1 and not NUMBERED.match(parts[0]) and not STANDARD_HEADINGS.match(parts[0]):
        return ""
    return parts[-1]


def introductions(chunks: list[Chunk]) -> list[set]:
    """Per chunk, its sentences that belong to its document's introduction: body text (no
    heading, note, abstract or keywords) before the document's first numbered section."""
    out, numbered = [], set()
    for c in chunks:
        numbered |= {c.source} if NUMBERED.match(c.section) else set()
        before = c.source not in numbered and not _ABSTRACT_SECTION.search(c.section)
        out.append({s for s in c.sentences if before and not s.heading and not s.note})
    return out


_SUBSECTION_NUMBER = re.compile(r"^(?:(\d{1,2})[、.．]|[（(]([一二三四五六七八九十]{1,2})[)）])")
_ITEM_HEAD = re.compile(r"^([一二三四五六七八九十]{1,2})是")


def item_numbers(chunks: list[Chunk]) -> list[int]:
    """Per sentence (flat order), the number of the list item it belongs to, or 0: its
    subsection's number, else the number of the '六是…' paragraph head it follows."""
    out = []
    for c in chunks:
        sub = [_SUBSECTION_NUMBER.match(part) for part in c.section.split(" > ")[1:]]
        number = next((int(m.group(1)) if m.group(1) else zh_number(m.group(2)) for m in sub if m), 0)
        run = 0
        for s in c.sentences:
            head = _ITEM_HEAD.match(s.text)
            run = zh_number(head.group(1)) if head else run
            out.append(number or run)
    return out


def join_sentences(texts) -> str:
    """Join clean sentence texts: no space between Chinese ones."""
    out = ""
    for t in texts:
        if out and not (is_cjk(out[-1]) or ord(out[-1]) >= 0x2E80 or (t and ord(t[0]) >= 0x2E80)):
            out += " "
        out += t
    return out


def size(text: str) -> float:
    """Length in Chinese-character units."""
    han = sum(1 for c in text if is_cjk(c))
    return han + WORD_UNITS * len(re.findall(r"[A-Za-z]+|\d+(?:[.,]\d+)*", text))


def _slug(source: str) -> str:
    stem = source.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return re.sub(r"[^A-Za-z0-9]+", "-", stem).strip("-")[:32] or "doc"


def chunk_document(doc: Document, chunk_size: int = 200) -> list[Chunk]:
    """Split one document into chunks of about ``chunk_size`` units.

    A chunk never crosses a section or a language change; it closes at a paragraph end
    once it holds half the target, and a sentence longer than the target is a chunk of
    its own. A small tail joins the chunk before it.

    Args:
        doc: the decoded document.
        chunk_size: target size in Chinese-character units (an English word = 2.5).

    Returns:
        Chunks in source order.
    """
    groups: list[list[Sentence]] = []
    keys: list[tuple] = []
    current: list[Sentence] = []
    current_size = 0.0
    key = None

    def flush():
        nonlocal current, current_size
        if current:
            groups.append(current)
            keys.append(key)
        current, current_size = [], 0.0

    for para in split_document(doc.text):
        para_key = (para.section, para.lang)
        if para_key != key:
            flush()
            key = para_key
        elif current_size >= chunk_size / 2:
            flush()
        for sentence in para.sentences:
            s = size(sentence.text)
            if current and current_size + s > chunk_size:
                flush()
            current.append(sentence)
            current_size += s
    flush()

    # A tail under a quarter of the target joins its neighbour in the same section.
    merged: list[list[Sentence]] = []
    merged_keys: list[tuple] = []
    for group, k in zip(groups, keys):
        if merged and merged_keys[-1] == k and sum(size(s.text) for s in group) < chunk_size / 4:
            merged[-1] = merged[-1] + group
        else:
            merged.append(group)
            merged_keys.append(k)

    chunks = []
    seen: dict[str, int] = {}
    slug = _slug(doc.source)
    for group, (section, lang) in zip(merged, merged_keys):
        # A sentence rejoined across a footnote block ends after the footnotes it spans.
        start, end = min(s.start for s in group), max(s.end for s in group)
        clean = join_sentences(s.text for s in group)
        digest = hashlib.sha1(f"{doc.source}\n{clean}".encode()).hexdigest()[:8]
        n = seen.get(digest, 0)
        seen[digest] = n + 1
        chunk_id = f"{slug}-{digest}" + (f"-{n}" if n else "")
        chunks.append(Chunk(chunk_id, doc.source, lang, " > ".join(section), start, end,
                            doc.text[start:end], tuple(group)))
    return chunks
