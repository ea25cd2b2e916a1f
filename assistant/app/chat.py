"""The chat in the browser (the only module that imports gradio): ``python -m assistant``.

>>> app = build_app(Assistant.load())                                   # doctest: +SKIP
>>> launch_app(app, port=7860)                                          # doctest: +SKIP
"""

from __future__ import annotations

import logging
import re
import time
from pathlib import Path
from dataclasses import dataclass
from html import escape

import gradio as gr

from assistant.answer.compose import Answer, Citation
from assistant.pipeline import Assistant
from assistant.retrieve.hybrid import Passage
from assistant.errors import QuestionError
from assistant.app.render import (CLOSEST, LABELS, answer_html, cited_places, info_markdown, label, notice_html,
                                  panel_html, partial_html, source_panel_html, stream_steps, user_html)
from assistant.app.workspace import MAX_UPLOAD_MB, UPLOAD_TYPES, Workspace

log = logging.getLogger(__name__)

# bot.ask is a few milliseconds of CPU-bound numpy: several at once keep one slow request
# from holding up the others; many more than the cores would only contend for them.
CONCURRENCY = 8
STREAM_DELAY = 0.03  # seconds between streamed steps: quick, yet visibly progressive
UI_CHOICES = [("中文 + English", "both"), ("中文", "zh"), ("English", "en")]
# The conversation kept in the browser (localStorage, ~5 MB an origin): a turn is a few KB, so 50
# of them stay far below the limit and redraw in a blink.
MAX_STORED_TURNS = 50
STORE_VERSION = 1
# A fixed key, so a conversation outlives a restart of the server; the "secret" is sent to the
# page anyway, so it hides nothing: what comes back is checked against the index (restored_turns).
STORAGE_KEY, STORAGE_SECRET = "assistant-chat", "assistant-chat-v1"

CSS = """
/* Wider than the room a phone leaves beside the language choice (gr.HTML takes no min_width), so
   the row wraps there instead of squeezing the title into a column one character wide. */
#header { min-width: min(20rem, 100%) !important; }
.app-header h1 { margin: 0 0 2px; font-size: 1.5rem; font-family: system-ui, sans-serif; }
.app-header p { margin: 0; color: var(--body-text-color-subdued); font-size: .9rem; }
#chat .answer-text { line-height: 1.75; }
.cite-wrap { position: relative; display: inline; }
button.cite { all: unset; cursor: pointer; color: var(--color-accent); font-weight: 600; font-size: .85em;
  vertical-align: super; padding: 0 1px; border-radius: 3px; }
button.cite:hover, button.cite:focus-visible, button.cite.active { background: var(--color-accent-soft);
  outline: 1px solid var(--color-accent); }
.cite-pop { display: none; position: fixed; z-index: 1000; width: min(24rem, 80vw);
  padding: .6rem .75rem; background: var(--background-fill-primary); color: var(--body-text-color);
  border: 1px solid var(--border-color-primary); border-radius: 8px; box-shadow: 0 6px 24px rgba(0,0,0,.18);
  font-size: .85rem; line-height: 1.6; font-weight: normal; }
.cite-wrap:hover .cite-pop { display: block; }
.ctx { display: block; }
.ctx-head, .ctx-pos, .ctx-text { display: block; }
.ctx-pos { color: var(--body-text-color-subdued); font-size: .8rem; margin: 2px 0 6px; }
.ctx-text { white-space: normal; }
mark { background: #ffe58f; color: #222; padding: 0 2px; border-radius: 2px; }
.sources { margin-top: .6rem; padding-top: .4rem; border-top: 1px dashed var(--border-color-primary);
  font-size: .85rem; }
.sources-title { font-weight: 600; color: var(--body-text-color-subdued); }
.sources ol { margin: .2rem 0 0; padding-left: 0; list-style: none; }
.sources li { margin: .25rem 0; }
.sources button.cite { vertical-align: baseline; }
.src-doc { font-weight: 600; }
.sources ul.src-quotes { margin: .1rem 0 .3rem; padding-left: .9rem; list-style: none; }
.src-quote { color: var(--body-text-color-subdued); }
.src-pos { display: block; color: var(--body-text-color-subdued); font-size: .75rem; opacity: .8; }
#chat ul.answer-list { margin: .25rem 0; padding-left: 1.1rem; list-style: none; }
#chat ul.answer-list li { margin: .15rem 0; }
.why { font-size: .8rem; font-style: italic; margin: .2rem 0; }
.understood { font-size: .8rem; color: var(--body-text-color-subdued); margin-bottom: .3rem; }
.answer.abstained { border-left: 4px solid #d4a017; padding-left: .6rem; color: var(--body-text-color-subdued); }
.answer.notice { border-left: 4px solid #8c8c8c; padding-left: .6rem; color: var(--body-text-color-subdued); }
.badge { display: inline-block; font-size: .78rem; font-weight: 600; padding: 1px 8px; border-radius: 10px;
  margin-bottom: .3rem; }
.abstained .badge { background: #fff4d6; color: #8a6100; border: 1px solid #e8c766; }
.notice .badge { background: #eee; color: #555; border: 1px solid #ccc; }
button.copy-answer { all: unset; cursor: pointer; margin-top: .4rem; font-size: .78rem; padding: 1px 8px;
  border: 1px solid var(--border-color-primary); border-radius: 6px; color: var(--body-text-color-subdued); }
button.copy-answer:hover { color: var(--body-text-color); }
.pending { color: var(--body-text-color-subdued); font-style: italic; }
.cite-panel-title { font-weight: 600; margin-bottom: .4rem; display: flex; justify-content: space-between;
  align-items: center; }
.cite-panel-body { font-size: .92rem; line-height: 1.75; }
.cite-panel-body .hint { color: var(--body-text-color-subdued); }
.welcome { max-width: 36rem; margin: 2rem auto; color: var(--body-text-color-subdued); font-size: .92rem;
  line-height: 1.75; text-align: left; }
#upload-status ul { margin: .2rem 0; padding-left: 1.1rem; font-size: .82rem; }
button.cite-panel-close { all: unset; cursor: pointer; display: none; font-size: 1.5rem; line-height: 1;
  padding: 0 .5rem; color: var(--body-text-color-subdued); }
.doc-meta { font-size: .85rem; margin-bottom: .5rem; }
.doc-meta .doc-name { font-weight: 600; }
.doc-meta .ctx-section, .doc-meta .ctx-pos { display: block; }
.doc-body { max-height: min(560px, calc(100vh - 14rem)); overflow-y: auto; padding: 0 .6rem 0 0;
  border-top: 1px solid var(--border-color-primary); overscroll-behavior: contain; }
.doc-body p { margin: .55rem 0; }
.doc-body .doc-h { font-weight: 600; margin-top: 1.1rem; }
.doc-body .doc-note { font-size: .78rem; color: var(--body-text-color-subdued); }
.doc-body .doc-omitted { text-align: center; color: var(--body-text-color-subdued); }
.cite-wrap.tapped .cite-pop { display: none !important; }  /* a clicked marker's passage is in the panel */
@media (hover: none) { .cite-wrap:hover .cite-pop { display: none; } }
@media (max-width: 640px) {  /* a phone: the bubble's indent gives the text room, the box a line of its own */
  #chat .message-row.bot-row { margin-left: 0 !important; max-width: 100% !important; }
  .form:has(> #question) { min-width: 100% !important; }  /* Gradio wraps the box in a form */
}
/* A phone (the columns stacked): the panel is a full-screen sheet, opened by a tap, closed by its button. */
@media (max-width: 899px) {
  #cite-panel .cite-panel:not(.open) { display: none; }
  #cite-panel .cite-panel.open { position: fixed; inset: 0; z-index: 1100; display: flex; flex-direction: column;
    padding: .75rem 1rem; background: var(--background-fill-primary); }
  #cite-panel .cite-panel.open .cite-panel-body { flex: 1; min-height: 0; display: flex; flex-direction: column; }
  #cite-panel .cite-panel.open .doc-body { flex: 1; max-height: none; }
  button.cite-panel-close { display: inline-block; }
}
#upload-status li.bad { color: #a8071a; }
"""

# Delegated listeners (messages come and go): hovering a marker places its preview next to it
# (fixed, so the chat's scroll box cannot clip it); clicking one shows its passage in the side
# panel at once and asks the server for its whole document (a key and a click counter written to
# #cite-request), hiding the preview so it covers nothing; a copy button copies the answer with
# its sources. When a document arrives, its panel scrolls (itself, not the page) to the highlight.
HEAD = """<style>
/* The page's margins, outside the app where Gradio's scoped CSS cannot reach: narrow on a phone. */
@media (max-width: 640px) { .gradio-container > .main { padding-left: .5rem !important; padding-right: .5rem !important; } }
</style>
<script>
(() => {
let clicks = 0;
document.addEventListener("mouseover", (event) => {
  const wrap = event.target.closest(".cite-wrap");
  if (!wrap || wrap.classList.contains("tapped")) return;
  const pop = wrap.querySelector(".cite-pop"), r = wrap.querySelector("button.cite").getBoundingClientRect();
  requestAnimationFrame(() => {
    const w = pop.offsetWidth, h = pop.offsetHeight;
    pop.style.left = Math.max(8, Math.min(r.left, window.innerWidth - w - 8)) + "px";
    pop.style.top = (r.bottom + h + 8 < window.innerHeight ? r.bottom + 4 : Math.max(8, r.top - h - 4)) + "px";
  });
});
document.addEventListener("mouseout", (event) => {
  const wrap = event.target.closest(".cite-wrap");
  if (wrap && !wrap.contains(event.relatedTarget)) wrap.classList.remove("tapped");
});
document.addEventListener("click", (event) => {
  const cite = event.target.closest("button.cite");
  if (cite) {
    const source = document.getElementById(cite.dataset.ctx);
    const panel = document.querySelector("#cite-panel .cite-panel");
    if (source && panel) {
      panel.querySelector(".cite-panel-body").innerHTML = source.innerHTML;
      panel.classList.add("open");
    }
    document.querySelectorAll("button.cite.active").forEach((b) => b.classList.remove("active"));
    cite.classList.add("active");
    const wrap = cite.closest(".cite-wrap");
    if (wrap) wrap.classList.add("tapped");
    const box = document.querySelector("#cite-request textarea");
    if (box) {
      box.value = cite.dataset.ctx + "#" + (++clicks);
      box.dispatchEvent(new Event("input", {bubbles: true}));
    }
    return;
  }
  if (event.target.closest(".cite-panel-close")) {
    event.target.closest(".cite-panel").classList.remove("open");
    return;
  }
  const copy = event.target.closest("button.copy-answer");
  if (copy) {
    const text = copy.dataset.copy, done = () => { copy.textContent = "✓ " + copy.dataset.done; };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done);
    } else {  // plain http on another host: the old way still works
      const area = document.createElement("textarea");
      area.value = text; document.body.appendChild(area); area.select();
      document.execCommand("copy"); area.remove(); done();
    }
  }
});
// A new answer is held with its question at the top of the chat (and the chat on screen) while it
// streams, so the reader starts reading at its start; once it is done it is not scrolled (the
// chat's own autoscroll, which follows the bottom, is off). Scrolling by hand lets it go.
let answers = 0, pinned = -1, reading = false;
const place = (answer) => {
  const row = answer.closest(".message-row") || answer, before = row.previousElementSibling;
  const start = before && before.matches(".user-row") ? before : row;
  let box = row.parentElement;
  while (box && box !== document.body && !/(auto|scroll)/.test(getComputedStyle(box).overflowY)) {
    box = box.parentElement;
  }
  if (box && box !== document.body) {  // where the chat's first message sits, clear of its buttons
    const first = box.querySelector(".message-row"), top = box.getBoundingClientRect().top;
    const gap = first.getBoundingClientRect().top - top + box.scrollTop;
    box.scrollTop += start.getBoundingClientRect().top - top - gap;
  }
  const y = start.getBoundingClientRect().top;
  if (y < 0 || y > window.innerHeight * 0.6) window.scrollBy(0, y - 8);
};
for (const type of ["wheel", "touchmove"]) {
  document.addEventListener(type, () => { reading = true; }, {passive: true});
}
let focused = false;
new MutationObserver(() => {
  const shown = document.querySelectorAll("#chat .answer");
  if (shown.length > answers) [pinned, reading] = [shown.length - 1, false];
  answers = shown.length;
  if (pinned >= 0 && shown[pinned]) {
    if (!reading) place(shown[pinned]);
    if (!shown[pinned].classList.contains("streaming")) pinned = -1;
  }
  const box = !focused && document.querySelector("#question textarea");
  if (box) {  // a wide screen starts in the question box; a phone opens at its title, no keyboard up
    focused = true;
    if (window.matchMedia("(min-width: 900px)").matches) box.focus({preventScroll: true});
  }
  const mark = document.querySelector("#cite-panel .doc-body mark"), body = mark && mark.closest(".doc-body");
  if (!body || mark.dataset.placed || !body.clientHeight) return;
  mark.dataset.placed = "1";  // a third of the way down: the text before it is there to read
  const m = mark.getBoundingClientRect(), b = body.getBoundingClientRect();
  body.scrollTop += m.top - b.top - Math.max(16, (body.clientHeight - m.height) / 3);
}).observe(document.documentElement, {childList: true, subtree: true, attributes: true, attributeFilter: ["class"]});
})();
</script>"""


@dataclass(frozen=True)
class Turn:
    """One exchange of a session: what was typed, what was asked, and the answer or a notice."""

    question: str
    resolved: str | None = None  # set when the follow-up was rewritten
    answer: Answer | None = None
    notice: str | None = None
    notice_key: str = "cannot"


def _messages(turns: list[Turn], documents: dict[str, str], ui: str) -> list[dict]:
    out = []
    for i, t in enumerate(turns):
        if t.question.strip():
            out.append({"role": "user", "content": user_html(t.question)})
        content = (answer_html(t.answer, documents, ui, i, t.resolved) if t.answer
                   else notice_html(t.notice or "", ui, t.notice_key))
        out.append({"role": "assistant", "content": content})
    return out


def _corpus(bot: Assistant) -> str:
    return str(bot.index.manifest.get("corpus_hash", ""))


def _stored_answer(answer: Answer) -> dict:
    """An answer as the browser keeps it: what redraws it; an abstention's closest passages by chunk id."""
    passages = [{"rank": p.rank, "chunk_id": p.chunk.id, "score": round(float(p.score), 4), "page": p.page,
                 "sentence_scores": [round(float(x), 4) for x in p.sentence_scores]}
                for p in (answer.passages[:CLOSEST] if answer.abstained else ())]
    return {"question": answer.question, "lang": answer.lang, "text": answer.text, "abstained": answer.abstained,
            "citations": [c.to_dict() for c in answer.citations], "passages": passages, "id": answer.id,
            "confidence": round(float(answer.confidence), 4), "reasons": list(answer.reasons)}


def stored_turns(bot: Assistant, turns: list[Turn]) -> dict:
    """The conversation as the browser keeps it (JSON): its last ``MAX_STORED_TURNS`` turns and the
    corpus they were answered from.

    Shape: ``{"version": 1, "corpus": "926c…", "turns": [{"question": "长江全长多少公里？",
    "resolved": None, "answer": {"text": "…[1]", "citations": [{…}], …}, "notice": None, "notice_key": "cannot"}]}``
    """
    return {"version": STORE_VERSION, "corpus": _corpus(bot),
            "turns": [{"question": t.question, "resolved": t.resolved, "notice": t.notice, "notice_key": t.notice_key,
                       "answer": None if t.answer is None else _stored_answer(t.answer)}
                      for t in turns[-MAX_STORED_TURNS:]]}


def _restored_answer(d: dict, documents: dict[str, str], chunks: dict) -> Answer:
    citations = tuple(Citation(**c) for c in d["citations"])
    if not all(isinstance(x, int) for c in citations for x in (c.n, c.start, c.end, c.page or 0)):
        raise TypeError("a citation's numbers are integers")  # they are written into the page's markup
    passages = tuple(Passage(int(p["rank"]), chunks[p["chunk_id"]], float(p["score"]), 0.0, 0.0,
                             tuple(float(x) for x in p["sentence_scores"]), (),
                             page=None if p["page"] is None else int(p["page"]))
                     for p in d["passages"])
    if any(c.source not in documents or documents[c.source][c.start:c.end] != c.quote for c in citations):
        raise ValueError("a citation no longer quotes its document")
    if not isinstance(d["text"], str) or not all(isinstance(r, str) for r in d["reasons"]):
        raise TypeError("answer text and reasons are strings")
    return Answer(str(d["question"]), str(d["lang"]), d["text"], bool(d["abstained"]), citations, passages,
                  d["id"], float(d["confidence"]), tuple(d["reasons"]))


def restored_turns(bot: Assistant, stored) -> list[Turn]:
    """The turns a browser kept (``stored_turns``), or none when they no longer fit: another corpus,
    a citation that no longer quotes its document, a passage gone from the index, or anything
    malformed. A conversation is redrawn whole or not at all."""
    if not isinstance(stored, dict) or stored.get("version") != STORE_VERSION or stored.get("corpus") != _corpus(bot):
        return []
    documents, turns = bot.index.documents, []
    try:
        chunks = {c.id: c for c in bot.index.chunks} if any(t["answer"] and t["answer"]["passages"]
                                                            for t in stored["turns"]) else {}
        for t in stored["turns"][-MAX_STORED_TURNS:]:
            if not isinstance(t["question"], str) or not all(
                    isinstance(t[k], (str, type(None))) for k in ("resolved", "notice")) \
                    or t["notice_key"] not in LABELS:
                raise TypeError("a turn's fields are strings")
            answer = None if t["answer"] is None else _restored_answer(t["answer"], documents, chunks)
            if answer is None and t["notice"] is None:
                raise ValueError("a turn holds an answer or a notice")
            turns.append(Turn(t["question"], t["resolved"], answer, t["notice"], t["notice_key"]))
        return turns
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
        log.info("a stored conversation was dropped: %s", exc)
        return []


def _history(turns: list[Turn]) -> list[str]:
    """What the answered turns asked, as resolved, for the next follow-up."""
    return [t.resolved or t.question for t in turns if t.answer is not None]


def answer_turn(bot: Assistant, question: str, turns: list[Turn]) -> Turn:
    """Resolve a follow-up against the session's earlier turns and answer it; a question we
    cannot take becomes a notice."""
    try:
        answer, resolution = bot.ask_followup(question, _history(turns))
        return Turn(question, resolution.resolved if resolution.changed else None, answer)
    except QuestionError as exc:
        return Turn(question, notice=str(exc))
    except Exception:  # the chat shows a short notice, never a traceback; the log keeps it
        log.exception("answering %r failed", question)
        return Turn(question, notice="", notice_key="internal")


def ask_endpoint(bot: Assistant):
    """The function behind the ``ask`` API: a JSON object, never a traceback."""
    def ask(question: str) -> dict:
        """Answer a question about the documents: the JSON object of `python -m assistant ask --json`,
        or {"error": "..."} for a question that cannot be taken."""
        try:
            return bot.ask(question).to_dict()
        except QuestionError as exc:
            return {"error": str(exc)}
        except Exception as exc:  # an API caller gets JSON it can read; the log keeps the traceback
            log.exception("api ask %r failed", question)
            return {"error": f"internal error ({exc.__class__.__name__}); see the server log"}
    return ask


def reply(bot: Assistant, message: str, turns: list[Turn], ui: str = "both"):
    """The chat's answer to a message, streamed: yields (messages, turns, panel HTML or None)
    while the answer text grows, then once more with markers, sources and the updated turns."""
    documents = bot.index.documents
    turns, message = list(turns or []), message or ""
    shown = _messages(turns, documents, ui)
    user = {"role": "user", "content": user_html(message)}
    if message.strip():
        yield shown + [user, {"role": "assistant", "content": partial_html("", ui)}], turns, None
    turn = answer_turn(bot, message, turns)
    if turn.answer is not None:
        for text in stream_steps(turn.answer.text):
            time.sleep(STREAM_DELAY)
            yield shown + [user, {"role": "assistant", "content": partial_html(text, ui, turn.resolved)}], turns, None
    turns.append(turn)
    panel = panel_html(ui)  # an abstention or a notice leaves no passage to show
    if turn.answer is not None and turn.answer.citations:
        # The first citation's document, beside the answer; on a phone it opens only when tapped.
        place = next(iter(cited_places(turn.answer).values()))
        panel = source_panel_html(documents[place.source], place, ui)
    yield _messages(turns, documents, ui), turns, panel


def source_panel(documents: dict[str, str], request: str, turns: list[Turn], ui: str = "both") -> str:
    """The side panel for a clicked marker, its document open at the cited sentence.

    Args:
        request: what the page sends: the marker's key ('ctx-3-1' is turn 3's citation 1,
            'ctx-0-p2' turn 0's second closest passage) and a click counter ('#7').
    """
    m = re.fullmatch(r"ctx-(\d+)-(p?)(\d+)(?:#\d+)?", request or "")
    if m and int(m.group(1)) < len(turns) and turns[int(m.group(1))].answer is not None:
        place = cited_places(turns[int(m.group(1))].answer).get(("P" if m.group(2) else "") + m.group(3))
        if place is not None and place.source in documents:
            return source_panel_html(documents[place.source], place, ui, opened=True, request=request)
    return panel_html(ui, request=request)  # a marker of a conversation since cleared


def _header(profile, ui: str) -> str:
    """The corpus's title and subtitle (its profile's, or the general ones) in the interface language."""
    def text(field: dict, lang: str) -> str:
        return escape(field.get(lang) or field.get("en") or "")

    title = text(profile.title, ui) if ui != "both" else f"{text(profile.title, 'zh')} · {text(profile.title, 'en')}"
    sub = text(profile.subtitle, "zh" if ui == "both" else ui)
    return f'<div class="app-header"><h1>{title}</h1><p>{sub}</p></div>'


def welcome_html(ui: str) -> str:
    """What an empty chat says: how to ask, and what the answers are."""
    parts = [LABELS["welcome"][0], LABELS["welcome"][1]] if ui == "both" else [label("welcome", ui)]
    return '<div class="welcome">' + "".join(f"<p>{escape(p)}</p>" for p in parts) + "</div>"


def upload_html(messages: list[str]) -> str:
    """What became of each uploaded file: indexed, or why not."""
    items = "".join(f'<li class="{"ok" if "is indexed" in m else "bad"}">{escape(m)}</li>' for m in messages)
    return f"<ul>{items}</ul>" if items else ""


def build_app(bot: Assistant, upload_dir: str | None = None) -> gr.Blocks:
    """The chat for one loaded Assistant. Per-session state lives in gr.State; nothing global.
    A reader's uploads go into a workspace of their own (under ``upload_dir``, or the system's
    temporary folder), removed when their session ends."""

    def current(session_bot: Assistant | None) -> Assistant:
        return session_bot or bot

    def take(message: str):
        # The box is cleared once, when the question is sent: the streamed answer never touches
        # it, so whatever the reader types meanwhile stays. Stop shows while an answer streams.
        return "", message, gr.Button(visible=True)

    def stop_answer(control: dict):
        # The streaming answer sees the flag at its next step and ends (it is not cancelled from
        # outside, so a question sent next runs as usual).
        control["stop"] = True
        return gr.Button(visible=False)

    def respond(message: str, turns: list[Turn], ui: str, session_bot: Assistant | None, control: dict):
        control["stop"] = False
        for messages, turns_now, panel in reply(current(session_bot), message, turns, ui):
            if control["stop"]:  # Stop: the answer is dropped, the turns stay as they were
                yield _messages(turns or [], current(session_bot).index.documents, ui), turns, gr.skip()
                return
            yield messages, turns_now, gr.skip() if panel is None else panel

    def relabel(ui: str, turns: list[Turn], session_bot: Assistant | None):
        b = current(session_bot)
        return (gr.Chatbot(value=_messages(turns or [], b.index.documents, ui), label=label("chat", ui),
                           placeholder=welcome_html(ui)),
                gr.Textbox(placeholder=label("placeholder", ui)), gr.Button(label("send", ui)),
                gr.Button(label("new", ui)), panel_html(ui), gr.Accordion(label=label("info", ui)),
                info_markdown(b.info, list(b.index.documents), ui), _header(b.profile, ui),
                gr.Dataset(label=label("examples", ui), visible=bool(examples_list)),
                gr.UploadButton(label("upload", ui)), gr.Button(label("stop", ui)))

    def upload(files, workspace: Workspace | None, session_bot: Assistant | None, ui: str,
               progress=gr.Progress(track_tqdm=True)):
        workspace = workspace or Workspace(bot, upload_dir)
        progress(0, desc=label("indexing", ui))
        # Gradio keeps each upload under a folder of its own, by the name the reader gave it.
        new_bot, messages = workspace.add([(Path(f), Path(f).name) for f in files or []])
        b = new_bot or current(session_bot)
        return workspace, b, upload_html(messages), info_markdown(b.info, list(b.index.documents), ui)

    def open_source(request: str, turns: list[Turn], ui: str, session_bot: Assistant | None):
        return source_panel(current(session_bot).index.documents, request, turns or [], ui)

    def new_conversation(ui: str):
        return [], [], "", panel_html(ui), stored_turns(bot, [])  # an empty copy: a reload stays empty

    def keep(turns: list[Turn], session_bot: Assistant | None):
        return stored_turns(current(session_bot), turns or [])

    def restore(kept, ui: str):
        # Uploads live as long as their session, so a conversation over them does not fit on reload.
        turns = restored_turns(bot, kept)
        return _messages(turns, bot.index.documents, ui), turns

    examples_list = list(bot.profile.examples)
    page_title = " · ".join(dict.fromkeys(t for t in (bot.profile.title.get("zh"), bot.profile.title.get("en")) if t))
    with gr.Blocks(title=page_title) as app:
        turns = gr.State([])
        workspace = gr.State(None, delete_callback=lambda w: w.close() if w is not None else None)
        session_bot = gr.State(None)  # the assistant over the reader's workspace, once they upload
        control = gr.State({"stop": False})  # shared by the streaming answer and the Stop button
        sent = gr.State("")  # the question as sent, once the box is cleared
        kept = gr.BrowserState(None, storage_key=STORAGE_KEY, secret=STORAGE_SECRET)  # survives a reload
        with gr.Row(equal_height=False):
            header = gr.HTML(_header(bot.profile, "both"), elem_id="header")
            ui = gr.Radio(UI_CHOICES, value="both", label=label("language"), elem_id="ui-lang", scale=0,
                          min_width=300)
        with gr.Row(equal_height=False):
            # Side by side down to about 900 px, stacked below (where the panel becomes a sheet).
            with gr.Column(scale=3, min_width=480):
                # Our own HTML (document text escaped in render.py), no markdown pass, no raw-HTML copy button.
                chatbot = gr.Chatbot(label=label("chat"), show_label=False, elem_id="chat", height=560,
                                     autoscroll=False, sanitize_html=False, render_markdown=False, latex_delimiters=[],
                                     buttons=[], feedback_options=None, group_consecutive_messages=False,
                                     placeholder=welcome_html("both"))
                with gr.Row():
                    box = gr.Textbox(placeholder=label("placeholder"), show_label=False, lines=1, max_lines=6,
                                     scale=5, elem_id="question")
                    send = gr.Button(label("send"), variant="primary", scale=1, elem_id="send")
                    stop = gr.Button(label("stop"), variant="stop", scale=0, min_width=90, elem_id="stop",
                                     visible=False)
                with gr.Row():
                    new = gr.Button(label("new"), size="sm", elem_id="new-conversation", scale=0)
                    upload_button = gr.UploadButton(label("upload"), file_count="multiple", size="sm", scale=0,
                                                    file_types=list(UPLOAD_TYPES), elem_id="upload")
                upload_status = gr.HTML("", elem_id="upload-status")
                examples = gr.Examples(examples_list or [""], inputs=box, label=label("examples"),
                                       examples_per_page=max(len(examples_list), 1))
                examples.dataset.visible = bool(examples_list)
            with gr.Column(scale=2, min_width=360):
                panel = gr.HTML(panel_html("both"), elem_id="cite-panel")
                # The page's script writes a clicked marker's key here; the panel answers with its document.
                cite_request = gr.Textbox(visible="hidden", elem_id="cite-request")
                with gr.Accordion(label("info"), open=False, elem_id="index-info") as info_box:
                    info = gr.Markdown(info_markdown(bot.info, list(bot.index.documents)))
        outputs = [chatbot, turns, box, panel]
        for event in (box.submit, send.click):
            # always_last: a question sent while the last answer is still finishing runs next (the
            # default 'once' would drop it silently); one at a time keeps the session's turns in order.
            answer_event = event(take, [box], [box, sent, stop], queue=False, api_visibility="private").then(
                respond, [sent, turns, ui, session_bot, control], [chatbot, turns, panel],
                concurrency_limit=CONCURRENCY, trigger_mode="always_last", api_visibility="private")
            answer_event.then(lambda: gr.Button(visible=False), None, [stop], queue=False, api_visibility="private")
            answer_event.then(keep, [turns, session_bot], [kept], queue=False, api_visibility="private")
        stop.click(stop_answer, [control], [stop], queue=False, api_visibility="private")
        cite_request.change(open_source, [cite_request, turns, ui, session_bot], [panel], queue=False,
                            api_visibility="private")
        new.click(new_conversation, [ui], outputs + [kept], api_visibility="private")
        chatbot.clear(new_conversation, [ui], outputs + [kept], api_visibility="private")  # its own trash button
        app.load(restore, [kept, ui], [chatbot, turns], api_visibility="private")
        ui.change(relabel, [ui, turns, session_bot],
                  [chatbot, box, send, new, panel, info_box, info, header, examples.dataset, upload_button, stop],
                  api_visibility="private")
        upload_button.upload(upload, [upload_button, workspace, session_bot, ui],
                             [workspace, session_bot, upload_status, info], concurrency_limit=2,
                             api_visibility="private", show_progress="full")
        gr.api(ask_endpoint(bot), api_name="ask", concurrency_limit=CONCURRENCY)
    return app


def launch_app(app: gr.Blocks, host: str = "127.0.0.1", port: int = 7860, **kwargs):
    """Launch with our CSS and script (Gradio 6 takes them at launch, not in Blocks).

    Returns:
        what ``Blocks.launch`` returns: (app, local_url, share_url).
    """
    app.queue(default_concurrency_limit=CONCURRENCY)
    return app.launch(server_name=host, server_port=port, css=CSS, head=HEAD, footer_links=["api"],
                      max_file_size=f"{MAX_UPLOAD_MB + 1}mb", **kwargs)
