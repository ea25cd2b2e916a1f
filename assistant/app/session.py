"""One reader's conversation: its turns, the streamed reply to a message, the panel a marker opens,
and the ``ask`` API (no gradio here).

>>> *_, (messages, turns, panel) = reply(Assistant.load(), "长江全长多少公里？", [])   # doctest: +SKIP
>>> turns[0].answer.citations[0].quote                                              # doctest: +SKIP
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass

from assistant.answer.compose import Answer
from assistant.app.panel import panel_html, source_panel_html
from assistant.app.places import cited_places
from assistant.app.render import answer_html, notice_html, partial_html, stream_steps, user_html
from assistant.errors import QuestionError
from assistant.pipeline import Assistant

log = logging.getLogger(__name__)

STREAM_DELAY = 0.03  # seconds between streamed steps: quick, yet visibly progressive


@dataclass(frozen=True)
class Turn:
    """One exchange of a session: what was typed, what was asked, and the answer or a notice."""

    question: str
    resolved: str | None = None  # set when the follow-up was rewritten
    answer: Answer | None = None
    notice: str | None = None
    notice_key: str = "cannot"


def messages_for(turns: list[Turn], documents: dict[str, str], ui: str) -> list[dict]:
    out = []
    for i, t in enumerate(turns):
        if t.question.strip():
            out.append({"role": "user", "content": user_html(t.question)})
        content = (answer_html(t.answer, documents, ui, i, t.resolved) if t.answer
                   else notice_html(t.notice or "", ui, t.notice_key))
        out.append({"role": "assistant", "content": content})
    return out


def _history(turns: list[Turn]) -> list[str]:
    """What the answered turns asked, as resolved, for the next follow-up."""
    return [t.resolved or t.question for t in turns if t.answer is not None]


def answer_turn(bot: Assistant, question: str, turns: list[Turn]) -> Turn:
    """Resolve a follow-up against the session's earlier turns and answer it; a question we
    cannot take becomes a notice."""
    try:
        answered = [t.answer for t in turns if t.answer is not None]
        answer, resolution = bot.ask_followup(question, _history(turns), answered[-1] if answered else None)
        return Turn(question, resolution.resolved if resolution.changed else None, answer)
    except QuestionError as exc:
        return Turn(question, notice=str(exc))
    except Exception:  # the chat shows a short notice, never a traceback; the log keeps it
        log.exception("answering %r failed", question)
        return Turn(question, notice="", notice_key="internal")


def answer_record(bot: Assistant, question: str, history: list[str] = ()) -> tuple[int, dict]:
    """(HTTP status, JSON object) of the ask APIs for one question: the ``ask --json`` object (with
    ``resolved``, the question as answered, when ``history`` holds the conversation's earlier
    questions), or ``{"error": …}`` (400: a question we cannot take; 500: a failure of ours)."""
    try:
        if history:
            answer, resolution = bot.ask_followup(question, list(history))
            return 200, {**answer.to_dict(), "resolved": resolution.resolved}
        return 200, bot.ask(question).to_dict()
    except QuestionError as exc:
        return 400, {"error": str(exc)}
    except Exception as exc:  # an API caller gets JSON it can read; the log keeps the traceback
        log.exception("api ask %r failed", question)
        return 500, {"error": f"internal error ({exc.__class__.__name__}); see the server log"}


def ask_endpoint(bot: Assistant):
    """The function behind Gradio's ``ask`` API: a JSON object, never a traceback."""
    def ask(question: str) -> dict:
        """Answer a question about the documents: the JSON object of `python -m assistant ask --json`,
        or {"error": "..."} for a question that cannot be taken."""
        return answer_record(bot, question)[1]
    return ask


def paced(steps: list[str], delay: float | None = None, clock=time.monotonic, sleep=time.sleep):
    """The streamed steps a reader is shown, paced by the clock: step ``k`` is due ``k + 1`` delays
    after the start, and a step already overdue when the previous one is done is skipped. The text
    grows at the same pace however busy the server is: under load a reader sees fewer steps, not a
    slower answer (each step costs the server and the browser a whole update). The last step, the
    whole text, is never skipped. ``delay`` defaults to ``STREAM_DELAY`` as it is when called; with
    no delay, only the whole text is shown."""
    delay = STREAM_DELAY if delay is None else delay
    if delay <= 0:
        yield from steps[-1:]
        return
    start = clock()
    k = 0
    while k < len(steps) - 1:
        wait = start + (k + 1) * delay - clock()
        if wait > 0:
            sleep(wait)
        yield steps[k]
        k = max(k + 1, int((clock() - start) / delay))  # the step now due, skipping those overdue
    if steps:
        yield steps[-1]


def reply(bot: Assistant, message: str, turns: list[Turn], ui: str = "both"):
    """The chat's answer to a message, streamed: yields (messages, turns, panel HTML or None)
    while the answer text grows (see :func:`paced`), then once more with markers, sources and the
    updated turns."""
    documents = bot.index.documents
    turns, message = list(turns or []), message or ""
    shown = messages_for(turns, documents, ui)
    user = {"role": "user", "content": user_html(message)}
    if message.strip():
        yield shown + [user, {"role": "assistant", "content": partial_html("", ui)}], turns, None
    turn = answer_turn(bot, message, turns)
    if turn.answer is not None:
        for text in paced(stream_steps(turn.answer.text)):
            yield shown + [user, {"role": "assistant", "content": partial_html(text, ui, turn.resolved)}], turns, None
    turns.append(turn)
    panel = panel_html(ui)  # an abstention or a notice leaves no passage to show
    if turn.answer is not None and turn.answer.citations:
        # The first citation's document, beside the answer; on a phone it opens only when tapped.
        place = next(iter(cited_places(turn.answer).values()))
        panel = source_panel_html(documents[place.source], place, ui)
    yield messages_for(turns, documents, ui), turns, panel


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
