"""The conversation as the browser keeps it (gr.BrowserState): written after each answer, checked
against the index and redrawn on a reload (no gradio here)."""

from __future__ import annotations

import logging

from assistant.answer.compose import Answer, Citation
from assistant.app.labels import LABELS
from assistant.app.places import CLOSEST
from assistant.app.session import Turn
from assistant.pipeline import Assistant
from assistant.retrieve.hybrid import Passage

log = logging.getLogger(__name__)

# The conversation kept in the browser (localStorage, ~5 MB an origin): a turn is a few KB, so 50
# of them stay far below the limit and redraw in a blink.
MAX_STORED_TURNS = 50
STORE_VERSION = 1
# A fixed key, so a conversation outlives a restart of the server; the "secret" is sent to the
# page anyway, so it hides nothing: what comes back is checked against the index (restored_turns).
STORAGE_KEY, STORAGE_SECRET = "assistant-chat", "assistant-chat-v1"
UI_KEY = "assistant-ui"  # the interface language chosen: 'both', 'zh' or 'en'
UI_LANGS = ("both", "zh", "en")


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


def restored_ui(stored) -> str:
    """The interface language a browser kept, or 'both' for anything else."""
    return stored if stored in UI_LANGS else "both"
