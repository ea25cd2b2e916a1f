"""The chat server's plain JSON endpoint, beside Gradio's: ``/api/ask``.

    curl -s http://127.0.0.1:7860/api/ask -H 'Content-Type: application/json' \\
         -d '{"question": "长江全长多少公里？"}'
    curl -s 'http://127.0.0.1:7860/api/ask?question=How+long+is+the+Yangtze'

A question answers with the ``ask --json`` object (status 200). ``"history"``, a list of the
conversation's earlier questions, makes it a follow-up ("And in 2024?"): the object then also
carries ``"resolved"``, the question as answered. A question that cannot be taken gets
``{"error": "..."}`` with status 400 (413 for a body over ``MAX_BODY`` bytes); a failure of
ours, status 500.

It answers in one request (Gradio's ``ask`` API takes two, and builds a whole session for each
caller), and at most ``API_WORKERS`` answers run at once, so a burst of calls queues instead of
crowding out the chat's readers.
"""

from __future__ import annotations

import json

from assistant.app.session import answer_record
from assistant.errors import QuestionError
from assistant.pipeline import Assistant

PATH = "/api/ask"
API_WORKERS = 2  # answers of this endpoint running at once: one per core of a small server
MAX_BODY = 64 * 1024  # bytes: a question is at most 2,000 characters, with room for a long history


def _request_fields(body: object) -> tuple[str, list[str]]:
    """The question and history of a request body; QuestionError saying what is wrong."""
    if not isinstance(body, dict):
        raise QuestionError('send a JSON object: {"question": "...", "history": ["...", ...]}')
    question, history = body.get("question"), body.get("history") or []
    if not isinstance(question, str):
        raise QuestionError('"question" must be a string: {"question": "..."}')
    if not isinstance(history, list) or not all(isinstance(h, str) for h in history):
        raise QuestionError('"history" must be a list of the earlier questions, as strings')
    return question, history


def routes(bot: Assistant) -> list:
    """The Starlette routes of the endpoint, for the chat's FastAPI app."""
    import anyio.to_thread
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    limiter = anyio.CapacityLimiter(API_WORKERS)

    def too_large(size: int) -> JSONResponse:
        return JSONResponse({"error": f"the request is {size:,} bytes; at most {MAX_BODY:,} are read (a question "
                                      "and the conversation's earlier questions)"}, status_code=413)

    async def ask(request):
        try:
            if request.method == "GET":
                body = {"question": request.query_params.get("question"),
                        "history": request.query_params.getlist("history")}
            else:
                declared = request.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > MAX_BODY:  # refused before it is read
                    return too_large(int(declared))
                raw = await request.body()
                if len(raw) > MAX_BODY:
                    return too_large(len(raw))
                try:
                    body = json.loads(raw or b"null")
                except ValueError as exc:
                    raise QuestionError(f"the request body is not JSON ({exc})") from None
            question, history = _request_fields(body)
        except QuestionError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        status, record = await anyio.to_thread.run_sync(answer_record, bot, question, history, limiter=limiter)
        return JSONResponse(record, status_code=status)

    return [Route(PATH, ask, methods=["GET", "POST"])]
