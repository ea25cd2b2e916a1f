"""The side panel: a hint, or the cited document whole, its sentence highlighted (no gradio here).

Every piece of document text goes through ``html.escape``; only our own markup is raw HTML.
"""

from __future__ import annotations

from html import escape

from assistant.app.labels import label
from assistant.app.places import Cited, cited_sentences, context_of, document_paragraphs, position, section_path
from assistant.ingest.chunks import join_sentences
from assistant.ingest.sentences import Paragraph

# The side panel shows a document whole; one longer than this either side of the cited sentence
# (a large upload) is shown that far around it, so a click never sends megabytes to the browser.
DOCUMENT_CHARS = 150_000


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
    paragraphs = document_paragraphs(document)
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
