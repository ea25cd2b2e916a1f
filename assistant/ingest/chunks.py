"""Chunks: whole sentences of one section and one language, merged to a target size."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from assistant.ingest.read import Document
from assistant.ingest.sentences import Sentence, split_document
from assistant.language.numbers import zh_number
from assistant.language.script import count_han, is_cjk

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

    >>> section_heading("三、措施 > 6.加强生态保护"), section_heading("河流概况：综述")
    ('6.加强生态保护', '')
    """
    parts = section.split(" > ")
    if len(parts) == 1 and not NUMBERED.match(parts[0]) and not STANDARD_HEADINGS.match(parts[0]):
        return ""
    return parts[-1]


# The abstract's label lines ('关键词：…', 'Keywords: …', 'JEL classification: …') list terms
# rather than say things.
LABEL_LINE = re.compile(r"^(?:关键词|关键字|key ?words|中图分类号|文献标识码|文章编号|JEL\b[^:：]{0,20})\s*[:：]", re.I)
_ABSTRACT_LABEL = re.compile(r"^(?:摘要|内容摘要|内容提要|提要|abstract|summary)\s*[:：]", re.I)
_REFERENCES = re.compile(r"参考文献|引用文献|\breferences\b|\bbibliography\b|\bworks cited\b", re.I)
PARTS = ("body", "introduction", "heading", "title", "notes", "keywords", "abstract", "references")


def parts(chunks: list[Chunk]) -> list[str]:
    """Per sentence (flat order), the part of its document it belongs to: one of ``PARTS``.

    A heading that is neither numbered nor a standard part name is a document's title; an
    abstract is a section so named, or the paragraphs after an 'Abstract:' label in its section;
    the introduction is body text before a document's first numbered section, when it has one.
    """
    out = []
    abstract = None  # (source, section) of an abstract opened by a label
    numbered = {c.source for c in chunks if NUMBERED.match(c.section.split(" > ")[-1])}
    opened: set[str] = set()  # documents whose first numbered section has begun
    for c in chunks:
        if NUMBERED.match(c.section.split(" > ")[-1]) or any(NUMBERED.match(part) for part in c.section.split(" > ")):
            opened.add(c.source)
        in_abstract_section = bool(_ABSTRACT_SECTION.search(c.section.split(" > ")[-1]))
        for s in c.sentences:
            if _ABSTRACT_LABEL.match(s.text):
                abstract = (c.source, c.section)
            if s.note:
                out.append("notes")
            elif LABEL_LINE.match(s.text):
                out.append("keywords")
                abstract = None
            elif s.heading:
                out.append("heading" if NUMBERED.match(s.text) or STANDARD_HEADINGS.match(s.text) else "title")
            elif _REFERENCES.search(c.section):
                out.append("references")
            elif in_abstract_section or abstract == (c.source, c.section):
                out.append("abstract")
            elif c.source in numbered and c.source not in opened:
                out.append("introduction")
            else:
                out.append("body")
    return out


_SECTION_NUMBER = re.compile(r"^(?:第?([一二三四五六七八九十]{1,3})[、.．章节部分]|(\d{1,2})[、.．]|[（(]([一二三四五六七八九十\d]{1,3})[)）])")
# A paragraph that opens a numbered point of a list: '五是…', '第三，…', '其二…'.
_ITEM_HEAD = re.compile(r"^(?:([一二三四五六七八九十]{1,2})是|第([一二三四五六七八九十]{1,2})[，,、]|其([一二三四五六七八九十])[，,、]|"
                        r"(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth)(?:ly)?,)", re.I)
_EN_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")


def _number(text: str | None) -> int:
    if not text:
        return 0
    if text.lower() in _EN_ORDINALS:
        return _EN_ORDINALS.index(text.lower()) + 1
    return zh_number(text)


def item_numbers(chunks: list[Chunk]) -> list[tuple[int, int]]:
    """Per sentence (flat order), the numbers of the list it sits in: (its section's number,
    from the deepest numbered heading on its path, and its point's number, from the last
    '三是…' / 'third,' head before it in its section); 0 where there is none.

    A question that names the third part or the fifth point is answered from there.
    """
    out = []
    point, section = 0, None
    for c in chunks:
        numbers = [_SECTION_NUMBER.match(part) for part in c.section.split(" > ")]
        number = next((_number(next(g for g in m.groups() if g)) for m in reversed(numbers) if m), 0)
        if c.section != section:
            point, section = 0, c.section
        for s in c.sentences:
            head = _ITEM_HEAD.match(s.text)
            if head:
                point = _number(next(g for g in head.groups() if g))
            heading = _SECTION_NUMBER.match(s.text) if s.heading else None
            out.append((_number(next(g for g in heading.groups() if g)) if heading else number, point))
    return out


def join_sentences(texts) -> str:
    """Join clean sentence texts: no space between Chinese ones."""
    out = ""
    for t in texts:
        if out and not (is_cjk(out[-1]) or ord(out[-1]) >= 0x2E80 or (t and ord(t[0]) >= 0x2E80)):
            out += " "
        out += t
    return out


_WORD_OR_FIGURE = re.compile(r"[A-Za-z]+|\d+(?:[.,]\d+)*")


def size(text: str) -> float:
    """Length in Chinese-character units."""
    return count_han(text) + WORD_UNITS * len(_WORD_OR_FIGURE.findall(text))


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
