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
from html import escape

from assistant.answer.compose import Answer
from assistant.ingest.chunks import size
from assistant.ingest.sentences import clean, is_cjk

CONTEXT_CHARS = 200  # document text shown either side of a cited sentence
PREVIEW_CHARS = 40  # and in the hover preview
MIN_SHOWN_SENTENCE = 10  # Chinese-character units: shorter sentences are list heads ('具体有：')
SECTION_PART_CHARS = 36  # a long heading is cut in the breadcrumb (the full path is its tooltip)

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
    "panel_hint": ("点击答案中的 [1]、[2] 标记，在此查看原文及高亮的引用句。",
                   "Click a marker such as [1] in an answer to see the passage here, the cited sentence highlighted."),
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
                "点击标记即可在右侧看到原文。文档没有答案时，会直说没有找到。",
                "Ask in Chinese or English (up to 2,000 characters). Answers quote the documents' own sentences, "
                "each with a marker such as [1]: click it to see the passage on the right. When the documents "
                "do not answer, the reply says so."),
    "indexing": ("正在建立索引…", "Indexing…"),
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
    before, sentence, after = _display(document[a:start]), _display(document[start:end]), _display(document[end:b])
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


def _body_html(text: str, markers: dict[int, str]) -> str:
    """Answer text escaped, its [n] markers (those with a citation) made interactive."""
    out, last = [], 0
    for m in re.finditer(r"\[(\d+)\]", text):
        n = int(m.group(1))
        if n in markers:
            out += [escape(text[last:m.start()]), markers[n]]
            last = m.end()
    out.append(escape(text[last:]))
    return "".join(out).replace("\n", "<br>")


def _copy_button(text: str, ui: str) -> str:
    return (f'<button type="button" class="copy-answer" data-copy="{escape(text)}" '
            f'data-done="{escape(label("copied", ui))}">{escape(label("copy", ui))}</button>')


def _understood(resolved: str | None, ui: str) -> str:
    if not resolved:
        return ""
    return f'<div class="understood">{escape(label("understood", ui))}：{escape(resolved)}</div>'


def answer_html(answer: Answer, documents: dict[str, str], ui: str = "both", turn: int = 0,
                resolved: str | None = None) -> str:
    """One assistant message: the answer with interactive markers and its sources, or an abstention."""
    if answer.abstained:
        return abstention_html(answer, documents, ui, turn, resolved)
    pairs = {c.n: _contexts(documents[c.source], c.start, c.end, c.section, c.page) for c in answer.citations}
    contexts = {n: full for n, (full, _) in pairs.items()}
    markers = {n: _marker(f"ctx-{turn}-{n}", n, *pair, ui) for n, pair in pairs.items()}
    items = "".join(
        f'<li><button type="button" class="cite" data-ctx="ctx-{turn}-{c.n}">[{c.n}]</button> '
        f'<span class="src-section" title="{escape(c.section)}">{escape(section_path(c.section))}</span> '
        f'<span class="src-pos">{escape(position(contexts[c.n], ui))}</span>'
        f'<span class="src-quote">{escape(contexts[c.n].sentence)}</span></li>' for c in answer.citations)
    return (f'<div class="answer" data-lang="{answer.lang}">{_understood(resolved, ui)}'
            f'<div class="answer-text">{_body_html(answer.text, markers)}</div>'
            f'<div class="sources"><div class="sources-title">{escape(label("sources", ui))}</div><ol>{items}</ol>'
            f'</div>{_copy_button(answer_text(answer, documents, ui), ui)}</div>')


def _best_sentence(passage) -> tuple[int, int]:
    """The passage's best-scoring sentence, skipping list heads such as '具体有：' that say nothing alone."""
    sentences = passage.chunk.sentences
    if not sentences:
        return passage.chunk.start, passage.chunk.end
    scores = list(passage.sentence_scores) + [0.0] * len(sentences)
    order = sorted(range(len(sentences)), key=lambda i: -scores[i])
    best = next((i for i in order if size(sentences[i].text) >= MIN_SHOWN_SENTENCE), order[0])
    return sentences[best].start, sentences[best].end


def closest(answer: Answer, documents: dict[str, str], limit: int = 3, width: int = CONTEXT_CHARS) -> list[Context]:
    """Contexts of the best sentence of each of the top passages (what an abstention shows)."""
    out = []
    for p in answer.passages[:limit]:
        start, end = _best_sentence(p)
        out.append(context_of(documents[p.chunk.source], start, end, p.chunk.section, width, p.page))
    return out


def abstention_html(answer: Answer, documents: dict[str, str], ui: str = "both", turn: int = 0,
                    resolved: str | None = None) -> str:
    """A muted message saying the documents do not answer, with the closest passages."""
    items = []
    previews = closest(answer, documents, width=PREVIEW_CHARS)
    for i, (ctx, preview) in enumerate(zip(closest(answer, documents), previews), 1):
        items.append(f'<li>{_marker(f"ctx-{turn}-p{i}", f"P{i}", ctx, preview, ui)} '
                     f'<span class="src-section" title="{escape(ctx.section)}">{escape(section_path(ctx.section))}'
                     f'</span> <span class="src-pos">{escape(position(ctx, ui))}</span>'
                     f'<span class="src-quote">{escape(ctx.sentence)}</span></li>')
    return (f'<div class="answer abstained" data-lang="{answer.lang}">{_understood(resolved, ui)}'
            f'<div class="badge">{escape(label("not_found", ui))}</div>'
            f'<div class="answer-text">{escape(answer.text)}</div>'
            f'<div class="why">{escape(label("why", ui))}: {escape("; ".join(answer.reasons))}</div>'
            f'<div class="sources"><div class="sources-title">{escape(label("closest", ui))}</div>'
            f'<ol>{"".join(items)}</ol></div>{_copy_button(answer_text(answer, documents, ui), ui)}</div>')


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
    body = escape(text).replace("\n", "<br>") if text else pending
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


def panel_html(ui: str = "both", ctx_html: str | None = None) -> str:
    """The side panel: a hint, or the context of a citation."""
    body = ctx_html or f'<span class="hint">{escape(label("panel_hint", ui))}</span>'
    return (f'<div class="cite-panel"><div class="cite-panel-title">{escape(label("panel", ui))}</div>'
            f'<div class="cite-panel-body">{body}</div></div>')


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
