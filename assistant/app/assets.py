"""The chat page's own CSS and script (plain strings; Gradio 6 takes them at launch)."""

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
  #ask { min-width: 100% !important; }
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
/* The question box's limit, under it from the start; red, with what to do, once a question is over it. */
#question-limit { margin-top: calc(-1 * var(--layout-gap, 1rem) + .3rem); }
#question-limit .limit { font-size: .78rem; color: var(--body-text-color-subdued); padding: 0 .3rem; }
#question-limit .too-long { display: none; }
#question-limit .limit.over { color: #a8071a; font-weight: 600; }
#question-limit .limit.over .too-long { display: inline; }
/* The examples under the welcome of an empty chat: compact, so all of them are seen without scrolling. */
#chat .examples { gap: .5rem; margin-top: .25rem; }
#chat .example { padding: .5rem .75rem; min-height: 0; }
#chat .welcome { margin: 1rem auto .5rem; }
#chat .welcome p { margin: .4rem 0; }
#index-info td:first-child { white-space: nowrap; }
@media (max-width: 640px) {  /* a phone: the language choice on one line, the welcome and examples smaller */
  .form:has(> #ui-lang), #ui-lang { min-width: 100% !important; }
  #chat .welcome { margin: .25rem auto; padding: 0 .6rem; font-size: .85rem; line-height: 1.6; }
  #chat .examples { gap: .35rem; }
  #chat .example { padding: .3rem .6rem; font-size: .82rem; }
}
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
// Gradio words its own buttons by the browser's language, not the interface's: the header carries
// the interface's words for them, put in their place whenever the page changes.
const words = () => {
  const head = document.querySelector("#header .app-header");
  if (!head) return;
  const d = head.dataset;
  if (document.documentElement.lang !== d.lang) document.documentElement.lang = d.lang;
  const api = document.querySelector("footer .show-api"), text = api && api.firstChild;
  if (text && text.nodeType === 3 && text.textContent !== d.api) text.textContent = d.api;
  const gradio = {"Clear": d.clear, "Scroll down": d.scroll};  // its words, as a Chromium in English shows them
  for (const b of document.querySelectorAll("#chat button[aria-label]:not(.example):not(.cite)")) {
    b.dataset.gradioLabel = b.dataset.gradioLabel || b.ariaLabel;
    const said = gradio[b.dataset.gradioLabel];
    if (said && b.ariaLabel !== said) b.ariaLabel = said;
    if (said && b.title && b.title !== said) b.title = said;
  }
  for (const b of document.querySelectorAll("#chat button.example")) {
    const said = d.examples + ": " + b.textContent.trim();
    if (b.ariaLabel !== said) b.ariaLabel = said;
  }
};
// The question's length against the limit, as it is typed (the server's own check is the same).
const count = () => {
  const box = document.querySelector("#question textarea"), limit = document.querySelector("#question-limit .limit");
  if (!box || !limit) return;
  const n = [...box.value.trim()].length, over = n > Number(limit.dataset.max), shown = limit.querySelector(".count");
  if (shown.textContent !== String(n)) shown.textContent = n;
  if (limit.classList.contains("over") !== over) limit.classList.toggle("over", over);
};
document.addEventListener("input", (event) => { if (event.target.closest("#question")) count(); });
let focused = false;
new MutationObserver(() => {
  words();
  count();
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
