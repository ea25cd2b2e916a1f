"""Language-aware paragraphs and sentences, each with exact offsets into the source text.

The source keeps what text extraction left (page breaks inside sentences, footnote
markers, markdown); sentences carry both their exact source span and a cleaned text
for search and display.

>>> s = split_document("一是流域面积扩大。长江流经 11 个省份。")[0].sentences
>>> [(x.start, x.end, x.text) for x in s]
[(0, 9, '一是流域面积扩大。'), (9, 21, '长江流经11个省份。')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.language.script import detect_lang, is_cjk, is_wide

ZH_TERMINATORS = "。！？；"
ELLIPSIS = "…⋯"
EN_TERMINATORS = ".!?"
CLOSERS = "”’」』）)》】]\"'*"
PAIRS = {"《": "》", "“": "”", "（": "）", "(": ")", "「": "」", "『": "』", "‘": "’", "【": "】"}
# A paragraph ending in one of these is complete; anything else may be a sentence
# that a page break cut in two.
PARAGRAPH_ENDS = ZH_TERMINATORS + ELLIPSIS + EN_TERMINATORS + "”’」』）)》】:：*>"
ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "vs", "etc", "e.g", "i.e", "no", "nos",
    "fig", "figs", "al", "inc", "ltd", "co", "corp", "jan", "feb", "mar", "apr", "jun", "jul",
    "aug", "sep", "sept", "oct", "nov", "dec", "u.s", "u.k", "u.n", "p", "pp", "vol", "ed", "eds",
    "approx", "dept", "est", "govt", "cf", "ca", "op", "viz",
}

# No sentence is longer than this: text without terminators (a table flattened to one line, a
# file with no punctuation) is cut at the last clause mark or space before it, else here. The
# longest sentence in the bundled and general corpora is 610 characters, a list of airports
# held together by semicolons, where a cut costs nothing.
MAX_SENTENCE = 600
# A document's first line this short, without punctuation, is its title, not half a sentence.
TITLE_CHARS = 30
_CLAUSE_BREAK = re.compile(r"[，、；：]|[,;:](?=\s)")  # not the comma of 12,000
_SPACE_BREAK = re.compile(r"\s+")

_HEADING = re.compile(r"(#{1,6})[ \t]+")  # matched at a block start, after its indent
_RULE = re.compile(r"^[ \t]*(?:-{3,}|\*{3,}|_{3,})[ \t]*$")
_FOOTNOTE = re.compile(r"\d+\.[ \t]|\\\*")
_MARKUP = re.compile(r"<sup>[^<]{0,20}</sup>|\*\*|__|\\\*|<br\s*/?>")
_LIST_ITEM = re.compile(r"\n[ \t]*(?:[-*+]|\d+[.、])[ \t]")
_ZH_SECTION = re.compile(r"^[一二三四五六七八九十]+[、.．]")
_ZH_SUBSECTION = re.compile(r"^[（(][一二三四五六七八九十]+[）)]")
_NUM_SUBSECTION = re.compile(r"^\d{1,2}[、.．]\s*\S")
_BOLD_LEAD = re.compile(r"\*\*(?!\*)(.+?)\*\*")
_ABSTRACT_HEADINGS = {"摘要", "内容摘要", "内容提要", "提要", "abstract", "summary"}


def clean(text: str) -> str:
    """Text for search and display: markup dropped, whitespace folded, and no space
    left next to Chinese (so `150 多个` matches `150多个` and page breaks vanish)."""
    text = _MARKUP.sub("", text)
    text = re.sub(r"\s+", " ", text).strip()
    return re.sub(r" (?=[\u2e80-\uffff])|(?<=[\u2e80-\uffff]) ", "", text)


@dataclass(frozen=True)
class Sentence:
    """One sentence: ``source_text[start:end]`` is its exact span, ``text`` its clean form."""

    start: int
    end: int
    text: str
    lang: str
    heading: bool = False
    note: bool = False  # a footnote or end note: it cites works rather than saying things


@dataclass(frozen=True)
class Paragraph:
    """A logical paragraph (page-broken pieces rejoined) in its section."""

    start: int
    end: int
    lang: str
    section: tuple[str, ...]
    is_heading: bool
    sentences: tuple[Sentence, ...]


@dataclass
class _Block:
    start: int
    end: int
    kind: str  # heading | rule | text
    level: int = 0


def _blocks(text: str) -> list[_Block]:
    """Runs of non-blank lines, classified."""
    blocks = []
    for m in re.finditer(r"(?:[^\n]*\S[^\n]*(?:\n|$))+", text):
        start, end = m.start(), m.end()
        while end > start and text[end - 1].isspace():
            end -= 1
        while text[start].isspace():
            start += 1
        body = text[start:end]
        heading = _HEADING.match(body)
        if heading:
            blocks.append(_Block(start, end, "heading", len(heading.group(1))))
        elif _RULE.match(body):
            blocks.append(_Block(start, end, "rule"))
        else:
            blocks.append(_Block(start, end, "text"))
    return blocks


def _continues(text: str, block: _Block) -> bool:
    """Whether a text block can be the second half of a sentence a page break cut."""
    first = text[block.start]
    return block.kind == "text" and (is_cjk(first) or first.isdigit() or first.islower()
                                     or first in "，、；）》”")


def _title_line(body: str) -> bool:
    """Whether a document's first block is its title set as a plain line ('云雾山茶叶合作社简介' atop a
    .txt file): one short line with no punctuation. (Further down, such a line may be the start
    of a sentence a page break cut: '它的茶园面积达到' + '一千二百亩。'.)"""
    return "\n" not in body and len(body) <= TITLE_CHARS and not re.search(r"[，。、；：,;:.!?！？]", body)


def _logical_paragraphs(text: str, blocks: list[_Block]) -> list[list[_Block]]:
    """Join text blocks that a page break (and maybe a footnote area) split mid-sentence.

    Footnotes that sat between the halves stay paragraphs of their own.
    """
    groups: list[list[_Block]] = []
    used: set[int] = set()
    for i, block in enumerate(blocks):
        if i in used:
            continue
        group = [block]
        used.add(i)
        last = i  # the position of group[-1] in blocks
        # A document's title line stands alone (unless a page's foot follows: a rule, notes).
        title = i == 0 and _title_line(text[block.start:block.end]) and len(blocks) > 1 and blocks[1].kind == "text"
        while not title and group[-1].kind == "text" and text[group[-1].end - 1] not in PARAGRAPH_ENDS:
            j = last + 1
            if j < len(blocks) and blocks[j].kind == "rule":
                # A page-foot area: a rule, then numbered notes, then the body goes on.
                j += 1
                while j < len(blocks) and blocks[j].kind == "text" and _FOOTNOTE.match(
                        text[blocks[j].start:blocks[j].end]):
                    j += 1
            if j < len(blocks) and j not in used and _continues(text, blocks[j]):
                group.append(blocks[j])
                used.add(j)
                last = j
            else:
                break
        groups.append(group)
    groups.sort(key=lambda g: g[0].start)
    return groups


def _visible(text: str, group: list[_Block]) -> tuple[str, list[int]]:
    """The paragraph's characters without markup, and each one's source offset."""
    chars: list[str] = []
    offsets: list[int] = []
    for n, block in enumerate(group):
        if n:  # the join between page-broken halves
            chars.append("\n")
            offsets.append(block.start - 1)
        start = block.start
        if block.kind == "heading":
            start += _HEADING.match(text, block.start, block.end).end() - block.start
        pos = start
        for m in _MARKUP.finditer(text, start, block.end):
            chars.extend(text[pos:m.start()])
            offsets.extend(range(pos, m.start()))
            pos = m.end()
        chars.extend(text[pos:block.end])
        offsets.extend(range(pos, block.end))
    return "".join(chars), offsets


def _protected(v: str) -> list[int]:
    """For each position, the index where its innermost matched bracket closes (-1 if none).

    Only matched pairs protect: a stray opening quote must not swallow the paragraph.
    """
    closes = [-1] * len(v)
    stacks: dict[str, list[int]] = {opener: [] for opener in PAIRS}
    closer_of = {c: o for o, c in PAIRS.items()}
    spans = []
    ascii_quote = -1
    for i, ch in enumerate(v):
        if ch in PAIRS:
            stacks[ch].append(i)
        elif ch in closer_of and stacks[closer_of[ch]]:
            spans.append((stacks[closer_of[ch]].pop(), i))
        elif ch == '"':
            if ascii_quote < 0:
                ascii_quote = i
            else:
                spans.append((ascii_quote, i))
                ascii_quote = -1
    # Outer spans first, so inner ones overwrite with their nearer closing index.
    for a, b in sorted(spans, key=lambda s: s[0] - s[1]):
        for k in range(a + 1, b):
            closes[k] = b
    return closes


def _prev_word(v: str, i: int) -> str:
    j = i
    while j > 0 and (v[j - 1].isalpha() or v[j - 1] == "."):
        j -= 1
    return v[j:i]


def _is_english_end(v: str, i: int, lang: str) -> bool:
    """Whether the ASCII terminator at ``v[i]`` ends a sentence."""
    j = i + 1
    while j < len(v) and v[j] in CLOSERS:
        j += 1
    if j < len(v) and not v[j].isspace() and not is_wide(v[j]):
        return False  # 2.75, U.S., e.g., file.txt
    k = j
    while k < len(v) and v[k].isspace():
        k += 1
    following = v[k] if k < len(v) else ""
    if v[i] in "!?":
        return True
    word = _prev_word(v, i)
    if lang == "zh" and not word:
        return False  # '1. ' is a list number in Chinese text
    if word.lower() in ABBREVIATIONS or (len(word) == 1 and word.isupper()):
        return False
    return not following.islower()


def split_sentences(v: str, lang: str) -> list[tuple[int, int]]:
    """Sentence spans ``(i, j)`` in ``v``: never inside matched brackets or quotes, never
    inside a decimal or date, closing quotes kept with their sentence.

    >>> v = "他说：“要坚定信心。”随后离开。数据为2.75万亿。"
    >>> [v[i:j] for i, j in split_sentences(v, "zh")]
    ['他说：“要坚定信心。”', '随后离开。', '数据为2.75万亿。']
    """
    closes = _protected(v)
    spans = []
    start = 0
    i = 0
    n = len(v)
    while i < n:
        ch = v[i]
        end = -1
        if ch in ZH_TERMINATORS or ch in ELLIPSIS or (ch in EN_TERMINATORS and _is_english_end(v, i, lang)):
            j = i + 1
            while j < n and v[j] in ELLIPSIS + ZH_TERMINATORS + EN_TERMINATORS:
                j += 1
            while j < n and v[j] in CLOSERS:
                j += 1
            # Inside quotes or brackets only a terminator right before the closing mark ends.
            inside = closes[i] >= 0 and closes[i] >= j
            if not inside:
                end = j
            i = j
        elif ch == "\n" and _LIST_ITEM.match(v, i):
            end = i
            i += 1
        else:
            i += 1
        if end > 0:
            spans.append((start, end))
            start = end
    spans.append((start, n))
    out = []
    for a, b in spans:
        while a < b and v[a].isspace():
            a += 1
        while b > a and v[b - 1].isspace():
            b -= 1
        if a < b:
            out.append((a, b))
    return out


def cap_length(v: str, spans: list[tuple[int, int]], limit: int = MAX_SENTENCE) -> list[tuple[int, int]]:
    """Spans no longer than ``limit``: a longer one is cut after its last clause mark (，、；：,;:)
    in the second half of the limit, else at its last space there, else at the limit.

    >>> v = "甲" * 500 + "，" + "乙" * 300
    >>> [(a, b) for a, b in cap_length(v, [(0, len(v))])]
    [(0, 501), (501, 801)]
    """
    out = []
    for a, b in spans:
        while b - a > limit:
            window = v[a + limit // 2:a + limit]
            cut = 0
            for pattern in (_CLAUSE_BREAK, _SPACE_BREAK):
                last = None
                for last in pattern.finditer(window):
                    pass
                if last is not None:
                    cut = a + limit // 2 + last.end()
                    break
            cut = cut or a + limit
            out.append((a, cut))
            a = cut
            while a < b and v[a].isspace():
                a += 1
        if a < b:
            out.append((a, b))
    return out


def _heading_level(title: str, markdown_level: int) -> int:
    """Numbered headings decide their own depth (papers mix '##' and '###' for peers)."""
    if _ZH_SECTION.match(title):
        return 2
    if _ZH_SUBSECTION.match(title) or _NUM_SUBSECTION.match(title):
        return 3
    return max(1, min(markdown_level, 2))


def split_document(text: str) -> list[Paragraph]:
    """The document's logical paragraphs, with section paths and sentences.

    Args:
        text: the whole decoded source text.

    Returns:
        Paragraphs in source order; every sentence satisfies
        ``text[s.start:s.end]`` starts and ends on a visible character of it.
    """
    blocks = _blocks(text)
    paragraphs = []
    path: dict[int, str] = {}
    in_notes = False  # inside the numbered notes that follow a rule
    for group in _logical_paragraphs(text, blocks):
        first = group[0]
        if first.kind == "rule":
            # A rule closes an abstract: what follows is the body.
            if path.get(2, "").lower().rstrip(":：") in _ABSTRACT_HEADINGS:
                path = {k: t for k, t in path.items() if k < 2}
            in_notes = True
            continue
        in_notes = in_notes and first.kind == "text" and len(group) == 1 and bool(
            _FOOTNOTE.match(text, first.start, first.end))
        v, offsets = _visible(text, group)
        if not v.strip():
            continue
        is_heading = first.kind == "heading"
        if is_heading:
            title = clean(v)
            level = _heading_level(title, first.level)
            path = {k: t for k, t in path.items() if k < level}
            path[level] = title
        else:
            lead = _BOLD_LEAD.match(text, first.start, first.end)
            if lead and _NUM_SUBSECTION.match(clean(lead.group(1))):
                path = {k: t for k, t in path.items() if k < 3}
                path[3] = clean(lead.group(1)).rstrip("。.")
        lang = detect_lang(v)
        sentences = []
        for a, b in cap_length(v, split_sentences(v, lang)):
            while b > a and v[b - 1].isspace():
                b -= 1
            piece = v[a:b]
            sentences.append(Sentence(offsets[a], offsets[b - 1] + 1, clean(piece), detect_lang(piece), is_heading,
                                      in_notes))
        sentences = [s for s in sentences if s.text]
        if not sentences:
            continue
        section = tuple(path[k] for k in sorted(path) if k > 1) or tuple(path[k] for k in sorted(path))
        paragraphs.append(Paragraph(sentences[0].start, sentences[-1].end, lang, section, is_heading,
                                    tuple(sentences)))
    return paragraphs
