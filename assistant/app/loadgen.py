"""The load for ``bench --load``: the chat in a process of its own, and /ask callers in another,
each asking in a loop over plain HTTP and checking every reply against the idle one."""

from __future__ import annotations

import json
import multiprocessing
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from queue import Empty

from assistant.errors import AssistantError
from assistant.pipeline import Assistant
from assistant.settings import Settings

TIMEOUT_S = 180  # one call under load, at most


def answer_key(record: dict) -> tuple:
    """What must not change under load: the answer text and where each citation points."""
    if "error" in record:
        return ("error", record["error"])
    return (record["answer"], tuple((c["chunk_id"], c["start"], c["end"]) for c in record["citations"]))


def _serve(settings: Settings, urls, stop) -> None:
    """In a process of its own (as ``python -m assistant`` runs): serve the chat until ``stop``."""
    from assistant.app.chat import build_app, launch_app

    bot = Assistant.load(settings, progress=False, log=lambda *_: None)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    app = build_app(bot)
    _, url, _ = launch_app(app, "127.0.0.1", port, prevent_thread_lock=True, quiet=True)
    urls.put(url)
    stop.wait()
    app.close()


@contextmanager
def served(settings: Settings):
    """The chat on a free 127.0.0.1 port in a child process; yields its URL."""
    ctx = multiprocessing.get_context("spawn")
    urls, stop = ctx.Queue(), ctx.Event()
    server = ctx.Process(target=_serve, args=(settings, urls, stop), daemon=True)
    server.start()
    try:
        yield _from_child(server, urls, "the chat server")
    finally:
        stop.set()
        server.join(timeout=30)
        if server.is_alive():
            server.terminate()


def _from_child(process, queue, what: str, timeout: float = 600):
    """The next item ``process`` puts on ``queue``; an error naming ``what`` if it dies first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            return queue.get(timeout=1)
        except Empty:
            if not process.is_alive():
                raise AssistantError(f"{what} (pid {process.pid}) exited with code {process.exitcode}; "
                                     "its error is above") from None
    raise AssistantError(f"{what} gave nothing in {timeout:.0f} s")


def ask_rest(client, question: str) -> dict:
    """One call of the chat server's plain JSON endpoint, ``POST /api/ask`` (``assistant.app.rest``)."""
    from assistant.app.rest import PATH

    response = client.post(PATH, json={"question": question})
    if response.status_code not in (200, 400):  # 400: a question it cannot take, as {"error": …}
        raise AssistantError(f"{PATH} answered {question!r} with status {response.status_code}: {response.text[:200]}")
    return response.json()


def ask_gradio(client, question: str) -> dict:
    """One call of the chat's ``ask`` API the way ``curl`` makes it (Gradio's documented two-step
    REST call: post the question, read the event stream): a plain HTTP client, so the load
    generator's own CPU stays small (gradio_client's threads took a core of this machine's two for
    50 callers, three times the server's own)."""
    event = client.post("gradio_api/call/ask", json={"data": [question]})
    event.raise_for_status()
    with client.stream("GET", f"gradio_api/call/ask/{event.json()['event_id']}") as response:
        lines = [line for line in response.iter_lines() if line]
    kind = next((line[6:].strip() for line in reversed(lines) if line.startswith("event:")), None)
    data = next((line[5:].strip() for line in reversed(lines) if line.startswith("data:")), "null")
    if kind != "complete":
        raise AssistantError(f"the ask API answered {question!r} with event {kind!r}: {data[:200]}")
    return json.loads(data)[0]


def _call_loop(url: str, questions: list[str], idle: dict[str, tuple], n: int, out, stop, counts) -> None:
    """In a process of its own (as remote clients are; not sharing the server's or the browser
    driver's interpreter lock): ``n`` /api/ask clients, each with its own connection, asking the
    idle-correct questions in a loop (each from its own place in the list) until ``stop``. Puts
    "ready", then the (finished at, ms) of every call and a line per wrong or failed reply."""
    import httpx

    clients = [httpx.Client(base_url=url, timeout=TIMEOUT_S) for _ in range(n)]
    calls, wrong, lock = [], [], threading.Lock()

    def loop(i: int) -> None:
        k = i
        while not stop.is_set():
            question = questions[k % len(questions)]
            started = time.monotonic()
            try:
                got = answer_key(ask_rest(clients[i], question))
            except Exception as exc:  # a failed call is counted, the loop goes on
                got = ("failed", repr(exc))
            finished = time.monotonic()
            with lock:
                calls.append((finished, 1000 * (finished - started)))
                counts[0] += 1
                if got != idle[question]:
                    wrong.append(f"/ask {question!r}: {str(got)[:160]}")
                    counts[1] += 1
            k += n

    out.put("ready")
    with ThreadPoolExecutor(max_workers=n) as pool:
        list(pool.map(loop, range(n)))
    out.put((calls, wrong))


class Callers:
    """The /ask load: ``_call_loop`` in a child process, started and stopped from here."""

    def __init__(self, url: str, questions: list[str], idle: dict[str, tuple], n: int):
        ctx = multiprocessing.get_context("spawn")
        self.out, self.stop, self.counts = ctx.Queue(), ctx.Event(), ctx.Array("i", 2)
        self.process = ctx.Process(target=_call_loop, args=(url, questions, idle, n, self.out, self.stop,
                                                            self.counts), daemon=True)

    def start(self) -> None:
        self.process.start()
        _from_child(self.process, self.out, "the /ask load")

    def close(self) -> tuple[list, list[str]]:
        """Stop the loops; every call made and every wrong reply."""
        self.stop.set()
        calls, wrong = _from_child(self.process, self.out, "the /ask load")
        self.process.join(timeout=30)
        return calls, wrong
