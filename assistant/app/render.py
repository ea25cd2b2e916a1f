"""Answers as HTML for the chat and as plain text for the clipboard (no gradio here).

Every piece of document text goes through ``html.escape``; only our own markup is raw HTML.
"""

from __future__ import annotations

import re
from html import escape
from pathlib import Path, PurePosixPath, PureWindowsPath

from assistant.answer.compose import Answer
from assistant.app.labels import LABELS, friendly, label
from assistant.question.check import MAX_QUESTION_CHARS
from assistant.app.places import (PREVIEW_CHARS, Cited, Context, cited_places, closest, context_of, passage_places,
                                  position, section_path)


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


def abstention_html(answer: Answer, documents: dict[str, str], ui: str = "both", turn: int = 0,
                    resolved: str | None = None) -> str:
    """A muted message saying the documents do not answer, with the closest passages."""
    entries = []
    for i, (place, ctx, preview) in enumerate(zip(passage_places(answer), closest(answer, documents),
                                                  closest(answer, documents, width=PREVIEW_CHARS)), 1):
        entries.append((place, _marker(f"ctx-{turn}-p{i}", f"P{i}", ctx, preview, ui), ctx))
    return (f'<div class="answer abstained" data-lang="{answer.lang}">{_understood(resolved, ui)}'
            f'<div class="badge">{escape(label("not_found", ui))}</div>'
            f'<div class="answer-text">{escape(answer.text)}</div>'
            f'<div class="why">{escape(label("why", ui))}{_colon(ui)}<span class="reason">{escape(_reasons(answer))}'
            f'</span></div>'
            f'{_sources_html(label("closest", ui), entries, ui)}{_copy_button(answer_text(answer, documents, ui), ui)}'
            f'</div>')


def _colon(ui: str) -> str:
    return "：" if ui == "zh" else ": "


def _reasons(answer: Answer) -> str:
    """Why it abstained, in words, in the question's language (answer/reasons.py)."""
    return ("；" if answer.lang == "zh" else "; ").join(answer.reasons)


def answer_text(answer: Answer, documents: dict[str, str], ui: str = "both") -> str:
    """Plain text to copy: the answer, then each source with its place in its document."""
    lines = [answer.text, ""]
    if answer.abstained:
        lines[0] = f"{label('not_found', ui)}{_colon(ui)}{answer.text} ({label('why', ui)}{_colon(ui)}{_reasons(answer)})"
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


def _is_path(value) -> bool:
    """An absolute path on the server ('/srv/…', 'C:\\…'): it tells a reader nothing they can use."""
    return isinstance(value, (str, Path)) and (PurePosixPath(str(value)).is_absolute()
                                                or PureWindowsPath(str(value)).is_absolute())


def info_markdown(info: dict, sources: list[str], ui: str = "both") -> str:
    """The index facts as a Markdown table, without any server path."""
    rows = {"documents": ", ".join(sources) or info.get("documents"), **{k: v for k, v in info.items()
                                                                        if k != "documents"}}
    names = {"documents": ("文档", "documents"), "chunks": ("段块", "chunks"), "sentences": ("句子", "sentences"),
             "embedder": ("向量模型", "embedder"), "built_at": ("构建时间", "built at"),
             "chunk_size": ("段块大小", "chunk size")}
    lines = ["| | |", "|---|---|"]
    for key, value in rows.items():
        if _is_path(value):
            continue
        zh, en = names.get(key, (key, key))
        name = zh if ui == "zh" else en if ui == "en" else f"{zh} · {en}"
        lines.append(f"| {name} | `{value}` |")
    return "\n".join(lines)


def header_html(profile, ui: str) -> str:
    """The corpus's title and subtitle (its profile's, or the general ones) in the interface language,
    carrying what the page's script needs to word Gradio's own buttons in it too."""
    def text(field: dict, lang: str) -> str:
        return escape(field.get(lang) or field.get("en") or "")

    title = text(profile.title, ui) if ui != "both" else f"{text(profile.title, 'zh')} · {text(profile.title, 'en')}"
    sub = text(profile.subtitle, "zh" if ui == "both" else ui)
    words = "".join(f' data-{key}="{escape(label(key, ui))}"' for key in ("api", "clear", "scroll", "examples"))
    return (f'<div class="app-header" data-lang="{"en" if ui == "en" else "zh"}"{words}><h1>{title}</h1>'
            f'<p>{sub}</p></div>')


def welcome_html(ui: str, examples: bool = False) -> str:
    """What an empty chat says: how to ask, and what the answers are (the examples follow it)."""
    parts = list(LABELS["welcome"]) if ui == "both" else [label("welcome", ui)]
    parts += [label("try", ui)] if examples else []
    return '<div class="welcome">' + "".join(f"<p>{escape(p)}</p>" for p in parts) + "</div>"


def limit_html(ui: str) -> str:
    """The question box's limit, shown before anything is typed ('0 / 2,000 characters'); the page's
    script keeps the count and says when a question is over it."""
    most = f"{MAX_QUESTION_CHARS:,}" if ui == "en" else str(MAX_QUESTION_CHARS)
    return (f'<div class="limit" data-max="{MAX_QUESTION_CHARS}"><span class="count">0</span> / {most} '
            f'{escape(label("limit", ui))}<span class="too-long"> · {escape(label("too_long", ui))}</span></div>')


def upload_html(messages: list[str]) -> str:
    """What became of each uploaded file: indexed, or why not."""
    items = "".join(f'<li class="{"ok" if "is indexed" in m else "bad"}">{escape(m)}</li>' for m in messages)
    return f"<ul>{items}</ul>" if items else ""
