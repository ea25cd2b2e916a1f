"""The chat in the browser (the only module that imports gradio): ``python -m assistant``.

>>> app = build_app(Assistant.load())                                   # doctest: +SKIP
>>> launch_app(app, port=7860)                                          # doctest: +SKIP
"""

from __future__ import annotations

import os
from pathlib import Path

# Gradio's queue rebuilds a pandas summary of its last 10,000 events after every event, for a
# monitoring page the chat does not serve: under load a third of the server's busy time. Keep 200
# and summarise every 500th (read when the queue is made; the environment can still set them).
os.environ.setdefault("GRADIO_ANALYTICS_MAX_EVENTS", "200")
os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", "500")

import gradio as gr  # noqa: E402 (after the settings it reads)

from assistant.app.assets import CSS, HEAD
from assistant.app.labels import label
from assistant.app.panel import panel_html
from assistant.app.render import header_html, info_markdown, limit_html, upload_html, welcome_html
from assistant.app.rest import routes as rest_routes
from assistant.app.session import Turn, ask_endpoint, messages_for, reply, source_panel
from assistant.app.storage import STORAGE_KEY, STORAGE_SECRET, UI_KEY, restored_turns, restored_ui, stored_turns
from assistant.app.workspace import MAX_UPLOAD_MB, UPLOAD_TYPES, Workspace
from assistant.pipeline import Assistant

# bot.ask is a few milliseconds of CPU-bound numpy: several at once keep one slow request
# from holding up the others; many more than the cores would only contend for them.
CONCURRENCY = 8
UI_CHOICES = [("中文 + English", "both"), ("中文", "zh"), ("English", "en")]


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

    def choose(event: gr.SelectData):
        # An example in the empty chat is asked at once, as if typed and sent.
        return event.value["text"], gr.Button(visible=True)

    def stop_answer(control: dict):
        # The streaming answer sees the flag at its next step and ends (it is not cancelled from
        # outside, so a question sent next runs as usual).
        control["stop"] = True
        return gr.Button(visible=False)

    def respond(message: str, turns: list[Turn], ui: str, session_bot: Assistant | None, control: dict):
        control["stop"] = False
        for messages, turns_now, panel in reply(current(session_bot), message, turns, ui):
            if control["stop"]:  # Stop: the answer is dropped, the turns stay as they were
                yield messages_for(turns or [], current(session_bot).index.documents, ui), turns, gr.skip()
                return
            yield messages, turns_now, gr.skip() if panel is None else panel

    def relabel(ui: str, turns: list[Turn], session_bot: Assistant | None):
        b = current(session_bot)
        return (gr.Chatbot(value=messages_for(turns or [], b.index.documents, ui), label=label("chat", ui),
                           placeholder=welcome_html(ui, bool(examples_list))),
                gr.Textbox(placeholder=label("placeholder", ui), label=label("question", ui)),
                gr.Button(label("send", ui)), gr.Button(label("new", ui)), panel_html(ui),
                gr.Accordion(label=label("info", ui)), info_markdown(b.info, list(b.index.documents), ui),
                header_html(b.profile, ui), gr.UploadButton(label("upload", ui)), gr.Button(label("stop", ui)),
                gr.Radio(label=label("language", ui)), limit_html(ui))

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
        # The question box keeps what the reader is typing: only the conversation starts over.
        return [], [], panel_html(ui), stored_turns(bot, [])  # an empty copy: a reload stays empty

    def keep(turns: list[Turn], session_bot: Assistant | None):
        return stored_turns(current(session_bot), turns or [])

    def restore(kept, kept_ui):
        # Uploads live as long as their session, so a conversation over them does not fit on reload.
        # The interface language comes back with it; setting it relabels the page (ui.change).
        turns, ui = restored_turns(bot, kept), restored_ui(kept_ui)
        return messages_for(turns, bot.index.documents, ui), turns, ui

    examples_list = list(bot.profile.examples)
    page_title = " · ".join(dict.fromkeys(t for t in (bot.profile.title.get("zh"), bot.profile.title.get("en")) if t))
    with gr.Blocks(title=page_title) as app:
        turns = gr.State([])
        workspace = gr.State(None, delete_callback=lambda w: w.close() if w is not None else None)
        session_bot = gr.State(None)  # the assistant over the reader's workspace, once they upload
        control = gr.State({"stop": False})  # shared by the streaming answer and the Stop button
        sent = gr.State("")  # the question as sent, once the box is cleared
        kept = gr.BrowserState(None, storage_key=STORAGE_KEY, secret=STORAGE_SECRET)  # survives a reload
        kept_ui = gr.BrowserState("both", storage_key=UI_KEY, secret=STORAGE_SECRET)  # and so does this
        with gr.Row(equal_height=False):
            header = gr.HTML(header_html(bot.profile, "both"), elem_id="header")
            ui = gr.Radio(UI_CHOICES, value="both", label=label("language"), elem_id="ui-lang", scale=0,
                          min_width=300)
        with gr.Row(equal_height=False):
            # Side by side down to about 900 px, stacked below (where the panel becomes a sheet).
            with gr.Column(scale=3, min_width=480):
                # Our own HTML (document text escaped in render.py), no markdown pass, no raw-HTML copy button.
                chatbot = gr.Chatbot(label=label("chat"), show_label=False, elem_id="chat", height=560,
                                     autoscroll=False, sanitize_html=False, render_markdown=False, latex_delimiters=[],
                                     buttons=[], feedback_options=None, group_consecutive_messages=False,
                                     placeholder=welcome_html("both", bool(examples_list)),
                                     examples=[{"text": q} for q in examples_list] or None)
                with gr.Row():
                    with gr.Column(scale=5, min_width=240, elem_id="ask"):  # the box, its limit under it
                        box = gr.Textbox(placeholder=label("placeholder"), label=label("question"), show_label=False,
                                         lines=1, max_lines=6, elem_id="question")
                        limit = gr.HTML(limit_html("both"), elem_id="question-limit", padding=False)
                    send = gr.Button(label("send"), variant="primary", scale=1, elem_id="send")
                    stop = gr.Button(label("stop"), variant="stop", scale=0, min_width=90, elem_id="stop",
                                     visible=False)
                with gr.Row():
                    new = gr.Button(label("new"), size="sm", elem_id="new-conversation", scale=0)
                    upload_button = gr.UploadButton(label("upload"), file_count="multiple", size="sm", scale=0,
                                                    file_types=list(UPLOAD_TYPES), elem_id="upload")
                upload_status = gr.HTML("", elem_id="upload-status")
            with gr.Column(scale=2, min_width=360):
                panel = gr.HTML(panel_html("both"), elem_id="cite-panel")
                # The page's script writes a clicked marker's key here; the panel answers with its document.
                cite_request = gr.Textbox(visible="hidden", elem_id="cite-request")
                with gr.Accordion(label("info"), open=False, elem_id="index-info") as info_box:
                    info = gr.Markdown(info_markdown(bot.info, list(bot.index.documents)))
        starts = [event(take, [box], [box, sent, stop], queue=False, api_visibility="private")
                  for event in (box.submit, send.click)]
        starts.append(chatbot.example_select(choose, None, [sent, stop], queue=False, api_visibility="private"))
        for start in starts:
            # always_last: a question sent while the last answer is still finishing runs next (the
            # default 'once' would drop it silently); one at a time keeps the session's turns in order.
            answer_event = start.then(
                respond, [sent, turns, ui, session_bot, control], [chatbot, turns, panel],
                concurrency_limit=2 * CONCURRENCY, trigger_mode="always_last", api_visibility="private")
            answer_event.then(lambda: gr.Button(visible=False), None, [stop], queue=False, api_visibility="private")
            answer_event.then(keep, [turns, session_bot], [kept], queue=False, api_visibility="private")
        stop.click(stop_answer, [control], [stop], queue=False, api_visibility="private")
        cite_request.change(open_source, [cite_request, turns, ui, session_bot], [panel], queue=False,
                            api_visibility="private")
        fresh = [chatbot, turns, panel, kept]
        new.click(new_conversation, [ui], fresh, api_visibility="private")
        chatbot.clear(new_conversation, [ui], fresh, api_visibility="private")  # its own trash button
        app.load(restore, [kept, kept_ui], [chatbot, turns, ui], api_visibility="private")
        ui.change(relabel, [ui, turns, session_bot],
                  [chatbot, box, send, new, panel, info_box, info, header, upload_button, stop, ui, limit],
                  api_visibility="private")
        ui.input(lambda choice: choice, [ui], [kept_ui], queue=False, api_visibility="private")
        upload_button.upload(upload, [upload_button, workspace, session_bot, ui],
                             [workspace, session_bot, upload_status, info], concurrency_limit=2,
                             api_visibility="private", show_progress="full")
        gr.api(ask_endpoint(bot), api_name="ask", concurrency_limit=2)
    app.rest_routes = rest_routes(bot)  # /api/ask, served beside Gradio's routes (launch_app)
    return app


def launch_app(app: gr.Blocks, host: str = "127.0.0.1", port: int = 7860, **kwargs):
    """Launch with our CSS and script (Gradio 6 takes them at launch, not in Blocks).

    Returns:
        what ``Blocks.launch`` returns: (app, local_url, share_url).
    """
    app.queue(default_concurrency_limit=CONCURRENCY)
    # The app's own routes come first: FastAPI matches them before Gradio's.
    kwargs.setdefault("app_kwargs", {"routes": list(getattr(app, "rest_routes", []))})
    return app.launch(server_name=host, server_port=port, css=CSS, head=HEAD, footer_links=["api"],
                      max_file_size=f"{MAX_UPLOAD_MB + 1}mb", **kwargs)
