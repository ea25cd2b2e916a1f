"""Answers as HTML for the chat and as plain text for the clipboard (no gradio here).

Every piece of document text goes through ``html.escape``; only our own markup is raw HTML.

>>> text = "前文。2020年长江干线港口货物吞吐量达到12000万吨。后文。"
>>> ctx = context_of(text, 3, text.index("后文"), "一、长江")
>>> ctx.sentence, ctx.percent
('2020年长江干线港口货物吞吐量达到12000万吨。', 9)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from html import escape

from assistant.answer.compose import Answer
from assistant.ingest.chunks import join_sentences, size
from assistant.ingest.sentences import Paragraph, Sentence, clean, is_cjk, split_document

CONTEXT_CHARS = 200  # document text shown either side of a cited sentence
PREVIEW_CHARS = 40  # and in the hover preview
MIN_SHOWN_SENTENCE = 10  # Chinese-character units: shorter sentences are list heads ('具体有：')
SECTION_PART_CHARS = 36  # a long heading is cut in the breadcrumb (the full path is its tooltip)
CLOSEST = 3  # passages an abstention lists
# The side panel shows a document whole; one longer than this either side of the cited sentence
# (a large upload) is shown that far around it, so a click never sends megabytes to the browser.
DOCUMENT_CHARS = 150_000

# The chat's title and subtitle come from the corpus profile (ingest/profile.py).
LABELS = {
    "sources": ("来源", "Sources"),
    "not_found": ("未找到答案", "No answer found"),
    "closest": ("最接近的段落", "Closest passages"),
    "why": ("原因", "Why"),
    "understood": ("理解为", "Understood as"),
    "copy": ("复制", "Copy"),
    "copied": ("已复制", "Copied"),
    "cannot": ("无法回答这个问题", "Cannot take this question"),
    "internal": ("出错了，请重试", "Something went wrong; please try again"),
    "panel": ("原文", "Source text"),
    "panel_hint": ("点击答案中的 [1]、[2] 标记，在此查看原文全文及高亮的引用句。",
                   "Click a marker such as [1] in an answer to read its document here, the cited sentence "
                   "highlighted."),
    "close": ("关闭", "Close"),
    "placeholder": ("用中文或英文提问……", "Ask a question in Chinese or English…"),
    "send": ("发送", "Send"),
    "new": ("新对话", "New conversation"),
    "examples": ("示例问题", "Example questions"),
    "info": ("索引信息", "About the index"),
    "language": ("界面语言", "Interface language"),
    "chat": ("对话", "Chat"),
    "thinking": ("正在查找…", "Searching the documents…"),
    "upload": ("上传文档", "Upload documents"),
    "stop": ("停止", "Stop"),
    "welcome": ("用中文或英文提问（最多 2000 字），回答只引用文档中的原句，每句带 [1] 这样的标记："
                "点击标记即可阅读原文全文。文档没有答案时，会直说没有找到。",
                "Ask in Chinese or English (up to 2,000 characters). Answers quote the documents' own sentences, "
                "each with a marker such as [1]: click it to read the passage in its document. When the documents "
                "do not answer, the reply says so."),
    "indexing": ("正在建立索引…", "Indexing…"),
    "starting": ("正在建立索引", "Building the index"),
    "starting_help": ("正在为文档建立索引（首次启动或文档有变化时），完成后本页会自动打开对话。",
                      "The documents are being indexed (on the first start, or after they changed); this page "
                      "opens the chat when it is done."),
}


def label(key: str, ui: str = "both") -> str:
    """A label in the interface language: 'zh', 'en' or 'both' ('来源 · Sources')."""
    zh, en = LABELS[key]
    return zh if ui == "zh" else en if ui == "en" else f"{zh} · {en}"


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
        return {c.label: c for c in _passage_places(answer)}
    return {str(c.n): Cited(str(c.n), c.source, c.start, c.end, c.section, c.page) for c in answer.citations}


def _passage_places(answer: Answer, limit: int = CLOSEST) -> list[Cited]:
    """The best sentence of each of the top passages (what an abstention shows)."""
    out = []
    for i, p in enumerate(answer.passages[:limit], 1):
        start, end = _best_sentence(p)
        out.append(Cited(f"P{i}", p.chunk.source, start, end, p.chunk.section, p.page))
    return out


@lru_cache(maxsize=8)  # a click re-reads the same few documents; str hashes are cached, so lookups are cheap
def _paragraphs(document: str) -> tuple[Paragraph, ...]:
    return tuple(split_document(document))


def cited_sentences(document: str, start: int, end: int) -> list[Sentence]:
    """The document's sentences within ``document[start:end]``, as the index split them.

    A sentence that a page break cut in two spans the footnotes printed between its halves;
    those notes are not part of it, so a sentence lying inside another one is left out.
    """
    inside = [s for p in _paragraphs(document) if p.start < end and p.end > start
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


def context_html(ctx: Context, n: int | str, ui: str = "both") -> str:
    """The passage: marker, section path, position, and the text with the sentence in <mark>."""
    return (f'<span class="ctx"><span class="ctx-head"><b>[{n}]</b> '
            f'<span class="ctx-section" title="{escape(ctx.section)}">{escape(section_path(ctx.section))}</span></span>'
            f'<span class="ctx-pos">{escape(position(ctx, ui))}</span>'
            f'<span class="ctx-text">{escape(ctx.before)}<mark>{escape(ctx.sentence)}</mark>'
            f'{escape(ctx.after)}</span></span>')


def _marker(cid: str, n: int | str, ctx: Context, preview: Context, ui: str) -> str:
    """A marker: hovering shows a short preview; clicking shows the full context (kept hidden
    here) in the side panel."""
    return (f'<span class="cite-wrap"><button type="button" class="cite" data-ctx="{cid}" '
            f'aria-label="{escape(label("sources", ui))} {n}">[{n}]</button>'
            f'<span class="cite-pop" role="tooltip">{context_html(preview, n, ui)}</span>'
            f'<span class="ctx-store" id="{cid}" hidden>{context_html(ctx, n, ui)}</span></span>')


def _contexts(document: str, start: int, end: int, section: str, page: int | None = None) -> tuple[Context, Context]:
    """(full context for the panel, short one for the hover preview)."""
    return (context_of(document, start, end, section, page=page),
            context_of(document, start, end, section, PREVIEW_CHARS, page))


# A list item's mark, where a sentence starts (a line's start, after a sentence, a colon or a marker).
_LIST_MARK = (r"\d{1,2}[.．](?!\d)|\d{1,2}[、)）]"  # 1.  2、  3)   (not 2.5)
              r"|[（(](?:\d{1,2}|[一二三四五六七八九十]{1,3})[)）]"  # (4)  （五）
              r"|[一二三四五六七八九十]{1,3}[是、]|第[一二三四五六七八九十]{1,3}[，、,]"  # 一是  二、  第三，
              r"|[•▪\-–][ \t]")  # bullets
_ITEM = re.compile(rf"(?:^|(?<=[。！？；.!?;：:\]]))[ \t]*(?=[“‘\"「『]?(?:{_LIST_MARK}))")
_MARKER = re.compile(r"\[(\d+)\][ \t]*")


def _pieces(text: str) -> list[tuple[str, str]]:
    """The answer text as ('item' | 'text' | 'break', piece): an item starts with a list mark at a
    line's start or after a sentence, a colon or a marker, and ends at its first marker."""
    out: list[tuple[str, str]] = []
    for i, line in enumerate(text.split("\n")):
        if i:
            out.append(("break", ""))
        cuts = sorted({0, len(line)} | {m.start() for m in _ITEM.finditer(line) if m.start() < len(line)})
        for a, b in zip(cuts, cuts[1:]):
            piece = line[a:b]
            if not _ITEM.match(piece):
                out.append(("text", piece))
                continue
            m = _MARKER.search(piece)
            end = m.end() if m else len(piece)
            out.append(("item", piece[:end].strip()))
            if piece[end:].strip():
                out.append(("text", piece[end:]))
    return [(kind, piece) for kind, piece in out if kind == "break" or piece.strip()]


def _inline_html(text: str, markers: dict[int, str]) -> str:
    """Text escaped, its [n] markers (those with a citation) made interactive."""
    out, last = [], 0
    for m in re.finditer(r"\[(\d+)\]", text):
        n = int(m.group(1))
        if n in markers:
            out += [escape(text[last:m.start()]), markers[n]]
            last = m.end()
    out.append(escape(text[last:]))
    return "".join(out)


def _body_html(text: str, markers: dict[int, str]) -> str:
    """The answer text: lines, and runs of list items (in either language) as a list, each item
    keeping its own mark (一是, 2., (3)), as the documents number them."""
    pieces = _pieces(text)
    out, items = [], []
    for i, (kind, piece) in enumerate(pieces):
        if kind == "item":
            items.append(f"<li>{_inline_html(piece, markers)}</li>")
            continue
        if items and kind == "text":
            out.append(f'<ul class="answer-list">{"".join(items)}</ul>')
            items = []
        if kind == "text":
            out.append(_inline_html(piece, markers))
        elif 0 < i < len(pieces) - 1 and "item" not in (pieces[i - 1][0], pieces[i + 1][0]):
            out.append("<br>")  # a list is a block: no line break beside it
    if items:
        out.append(f'<ul class="answer-list">{"".join(items)}</ul>')
    return "".join(out)


def _copy_button(text: str, ui: str) -> str:
    return (f'<button type="button" class="copy-answer" data-copy="{escape(text)}" '
            f'data-done="{escape(label("copied", ui))}">{escape(label("copy", ui))}</button>')


def _understood(resolved: str | None, ui: str) -> str:
    if not resolved:
        return ""
    return f'<div class="understood">{escape(label("understood", ui))}：{escape(resolved)}</div>'


def _sources_html(title: str, entries: list[tuple[Cited, str, Context]], ui: str) -> str:
    """The sources under a message, each heading once: (place, its marker's HTML, its context) grouped by
    document and section, and a sentence cited twice listed once with both markers."""
    groups: dict[tuple[str, str], dict[str, list]] = {}
    for place, marker, ctx in entries:
        group = groups.setdefault((place.source, place.section), {})
        group.setdefault(ctx.sentence, [[], ctx])[0].append(marker)
    several = len({source for source, _ in groups}) > 1
    items = []
    for (source, section), quotes in groups.items():
        name = f'<span class="src-doc">{escape(source)}</span> ' if several else ""
        lines = "".join(f'<li>{" ".join(markers)} <span class="src-quote">{escape(sentence)}</span>'
                        f'<span class="src-pos">{escape(position(ctx, ui))}</span></li>'
                        for sentence, (markers, ctx) in quotes.items())
        items.append(f'<li>{name}<span class="src-section" title="{escape(section)}">{escape(section_path(section))}'
                     f'</span><ul class="src-quotes">{lines}</ul></li>')
    return (f'<div class="sources"><div class="sources-title">{escape(title)}</div>'
            f'<ol>{"".join(items)}</ol></div>')


def answer_html(answer: Answer, documents: dict[str, str], ui: str = "both", turn: int = 0,
                resolved: str | None = None) -> str:
    """One assistant message: the answer with interactive markers and its sources, or an abstention."""
    if answer.abstained:
        return abstention_html(answer, documents, ui, turn, resolved)
    places = cited_places(answer)
    pairs = {c.n: _contexts(documents[c.source], c.start, c.end, c.section, c.page) for c in answer.citations}
    markers = {n: _marker(f"ctx-{turn}-{n}", n, *pair, ui) for n, pair in pairs.items()}
    entries = [(places[str(c.n)], f'<button type="button" class="cite" data-ctx="ctx-{turn}-{c.n}">[{c.n}]</button>',
                pairs[c.n][0]) for c in answer.citations]
    return (f'<div class="answer" data-lang="{answer.lang}">{_understood(resolved, ui)}'
            f'<div class="answer-text">{_body_html(answer.text, markers)}</div>'
            f'{_sources_html(label("sources", ui), entries, ui)}'
            f'{_copy_button(answer_text(answer, documents, ui), ui)}</div>')


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
            for c in _passage_places(answer, limit)]


def abstention_html(answer: Answer, documents: dict[str, str], ui: str = "both", turn: int = 0,
                    resolved: str | None = None) -> str:
    """A muted message saying the documents do not answer, with the closest passages."""
    entries = []
    for i, (place, ctx, preview) in enumerate(zip(_passage_places(answer), closest(answer, documents),
                                                  closest(answer, documents, width=PREVIEW_CHARS)), 1):
        entries.append((place, _marker(f"ctx-{turn}-p{i}", f"P{i}", ctx, preview, ui), ctx))
    return (f'<div class="answer abstained" data-lang="{answer.lang}">{_understood(resolved, ui)}'
            f'<div class="badge">{escape(label("not_found", ui))}</div>'
            f'<div class="answer-text">{escape(answer.text)}</div>'
            f'<div class="why">{escape(label("why", ui))}: {escape("; ".join(answer.reasons))}</div>'
            f'{_sources_html(label("closest", ui), entries, ui)}{_copy_button(answer_text(answer, documents, ui), ui)}'
            f'</div>')


def answer_text(answer: Answer, documents: dict[str, str], ui: str = "both") -> str:
    """Plain text to copy: the answer, then each source with its place in its document."""
    lines = [answer.text, ""]
    if answer.abstained:
        lines[0] = f"{label('not_found', ui)}: {answer.text} ({label('why', ui)}: {'; '.join(answer.reasons)})"
        lines.append(label("closest", ui))
        for i, ctx in enumerate(closest(answer, documents), 1):
            lines += [f"P{i}. {ctx.section} · {position(ctx, ui)}", f"    {ctx.sentence}"]
        return "\n".join(lines)
    lines.append(label("sources", ui))
    for c in answer.citations:
        ctx = context_of(documents[c.source], c.start, c.end, c.section, page=c.page)
        lines += [f"[{c.n}] {c.section} · {position(ctx, ui)}", f"    {ctx.sentence}"]
    return "\n".join(lines)


def partial_html(text: str, ui: str = "both", resolved: str | None = None) -> str:
    """The answer while it streams: plain escaped text, markers not yet interactive."""
    pending = f'<span class="pending">{escape(label("thinking", ui))}</span>'
    body = _body_html(text, {}) if text else pending
    return f'<div class="answer streaming">{_understood(resolved, ui)}<div class="answer-text">{body}▍</div></div>'


# Chinese for the QuestionError messages (assistant/answer.py words them in English).
_ZH_ERRORS = [
    (r"^the question is empty", "问题是空的：请用中文或英文提一个关于文档的问题。"),
    (r"^the question is (\d+) characters long; the limit is (\d+)", "问题太长（{0} 个字符，上限 {1}）：请缩短后再问。"),
    (r"control character", "问题里有控制字符，请删除后再问。"),
    (r"^only Chinese and English", "目前只支持用中文或英文提问。"),
    (r"no words in it", "问题里没有文字：请用中文或英文提问。"),
]


def friendly(message: str, ui: str = "both") -> str:
    """An error message in the interface language (both languages by default)."""
    zh = next((text.format(*m.groups()) for pattern, text in _ZH_ERRORS if (m := re.search(pattern, message))),
              None)
    if zh is None or ui == "en":
        return message
    return zh if ui == "zh" else f"{zh}\n{message}"


def notice_html(message: str, ui: str = "both", key: str = "cannot") -> str:
    """A friendly message for a question we cannot take (never a traceback)."""
    return (f'<div class="answer notice"><div class="badge">{escape(label(key, ui))}</div>'
            f'<div class="answer-text">{escape(friendly(message, ui)).replace(chr(10), "<br>")}</div></div>')


def user_html(question: str) -> str:
    return escape(question).replace("\n", "<br>")


def stream_steps(text: str, steps: int = 12) -> list[str]:
    """Growing prefixes of ``text`` (cut between words for English), the last one the whole text."""
    cuts = [m.end() for m in re.finditer(r"\s+|[。，；：、！？]|\[\d+\]", text)]
    if len(cuts) < steps:
        cuts = list(range(1, len(text), max(1, len(text) // steps)))
    stride = max(1, len(cuts) // steps)
    return [text[:c] for c in cuts[stride - 1::stride] if c < len(text)][:steps] + [text]


def panel_html(ui: str = "both", ctx_html: str | None = None, opened: bool = False, request: str = "") -> str:
    """The side panel: a hint, or a cited passage (on a phone, ``opened`` shows it as a sheet over
    the chat). ``request`` is the click it answers: each answer differs, so it is always drawn."""
    body = ctx_html or f'<span class="hint">{escape(label("panel_hint", ui))}</span>'
    close = f'<button type="button" class="cite-panel-close" aria-label="{escape(label("close", ui))}">×</button>'
    return (f'<div class="cite-panel{" open" if opened else ""}" data-request="{escape(request)}">'
            f'<div class="cite-panel-title"><span>{escape(label("panel", ui))}</span>{close}</div>'
            f'<div class="cite-panel-body">{body}</div></div>')


def _paragraph_html(paragraph: Paragraph, cited: set[tuple[int, int]]) -> str:
    """One paragraph, its runs of cited sentences each in a <mark>."""
    out, prev, marked = [], "", False
    for s in paragraph.sentences:
        hit = (s.start, s.end) in cited
        if marked and not hit:
            out.append("</mark>")
        if prev and len(join_sentences((prev, s.text))) > len(prev) + len(s.text):
            out.append(" ")
        if hit and not marked:
            out.append("<mark>")
        out.append(escape(s.text))
        prev, marked = s.text, hit
    out.append("</mark>" if marked else "")
    kind = ("doc-h" if paragraph.is_heading else "doc-note" if all(s.note for s in paragraph.sentences)
            else "doc-p")
    return f'<p class="{kind}">{"".join(out)}</p>'


def document_html(document: str, start: int, end: int, width: int = DOCUMENT_CHARS) -> str:
    """The document as its paragraphs (headings, body, notes), the sentences of ``document[start:end]``
    highlighted. Footnotes stay paragraphs of their own, outside the highlight, even where a page
    break put them inside the cited sentence. Text more than ``width`` characters away is left
    out (an ellipsis says so)."""
    paragraphs = _paragraphs(document)
    cited = {(s.start, s.end) for s in cited_sentences(document, start, end)}
    shown = [p for p in paragraphs if p.end > start - width and p.start < end + width]
    omitted = '<p class="doc-omitted">…</p>'
    return ((omitted if shown and shown[0] is not paragraphs[0] else "")
            + "".join(_paragraph_html(p, cited) for p in shown)
            + (omitted if shown and shown[-1] is not paragraphs[-1] else ""))


def source_panel_html(document: str, place: Cited, ui: str = "both", opened: bool = False,
                      request: str = "") -> str:
    """The side panel showing the whole cited document, scrolled (by the page's script) to the cited
    sentence: its marker, document name, section path and position (page first, for a PDF) above."""
    ctx = context_of(document, place.start, place.end, place.section, 0, place.page)
    head = (f'<div class="doc-meta"><b>[{escape(place.label)}]</b> <span class="doc-name">{escape(place.source)}'
            f'</span><span class="ctx-section" title="{escape(place.section)}">{escape(section_path(place.section))}'
            f'</span><span class="ctx-pos">{escape(position(ctx, ui))}</span></div>')
    body = f'<div class="doc-body" tabindex="0">{document_html(document, place.start, place.end)}</div>'
    return panel_html(ui, head + body, opened, request)


def info_markdown(info: dict, sources: list[str], ui: str = "both") -> str:
    """The index facts as a Markdown table."""
    rows = {"documents": ", ".join(sources) or info.get("documents"), **{k: v for k, v in info.items()
                                                                        if k != "documents"}}
    names = {"documents": ("文档", "documents"), "chunks": ("段块", "chunks"), "sentences": ("句子", "sentences"),
             "embedder": ("向量模型", "embedder"), "built_at": ("构建时间", "built at"),
             "index_dir": ("索引目录", "index folder"), "chunk_size": ("段块大小", "chunk size")}
    lines = ["| | |", "|---|---|"]
    for key, value in rows.items():
        zh, en = names.get(key, (key, key))
        name = zh if ui == "zh" else en if ui == "en" else f"{zh} · {en}"
        lines.append(f"| {name} | `{value}` |")
    return "\n".join(lines)
