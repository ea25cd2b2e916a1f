"""``python -m assistant bench --load``: how long a reader's question takes in the browser while 50
API callers and 10 other readers ask at once, against the same question asked alone; every answer
is checked against the one the same question gets when the server is idle."""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field

from assistant.app.loadgen import Callers, answer_key, ask_rest, served
from assistant.errors import AssistantError
from assistant.evaluation.qa import load_qa
from assistant.evaluation.scoring import contains_evidence, score_question
from assistant.pipeline import Assistant
from assistant.settings import PROJECT_ROOT, Settings

QA_SET = PROJECT_ROOT / "evals" / "qa.jsonl"  # the bundled paper's questions, with gold evidence
CALLERS = 50  # /ask clients, each asking in a loop
SESSIONS = 10  # browser readers, each asking in a loop
REPEATS = 10  # timed browser questions, idle and under load (their median moves a lot with fewer)
TARGET = 3.0  # under load, the reader's question may take at most this many times its idle time
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
TIMEOUT_MS = 180_000  # one browser answer under load, at most
DONE = "#chat .answer:not(.streaming)"
# Press Send, resolve when a finished answer appears: timed inside the page, so the figure is the
# reader's (press to last DOM change), not Playwright's round trips. Also when the answer's first
# streamed step appeared: the time before it is the queue's, the time after it the answer's.
TIMED_SEND = """([done, question]) => new Promise((resolve) => {
  // New's reply empties the question box; landing after the box was filled, it would send an
  // empty question: then press nothing, and say so (checked and pressed in one task: no race).
  if (document.querySelector("#question textarea").value !== question) { resolve(null); return; }
  const count = () => document.querySelectorAll(done).length, before = count();
  const chat = document.getElementById("chat"), started = performance.now();
  let first = null;
  const observer = new MutationObserver(() => {
    if (first === null && chat.querySelector(".answer.streaming")) first = performance.now() - started;
    if (count() > before) {
      observer.disconnect();
      const ms = performance.now() - started;
      resolve([ms, first === null ? ms : first]);
    }
  });
  observer.observe(chat, {childList: true, subtree: true, attributes: true, characterData: true});
  document.getElementById("send").click();
})"""


@dataclass
class LoadReport:
    """What the load bench measured: browser times (ms), /ask latencies (ms) and every wrong answer."""

    # The timed browser question, "idle" and under "load": Send to finished answer, and to its first step.
    ms: dict[str, list[float]] = field(default_factory=lambda: {"idle": [], "load": []})
    first_ms: dict[str, list[float]] = field(default_factory=lambda: {"idle": [], "load": []})
    ask_idle_ms: list[float] = field(default_factory=list)  # /ask calls one at a time
    calls: list[tuple[float, float]] = field(default_factory=list)  # /ask under load: (finished at, ms)
    window: tuple[float, float] = (0.0, 0.0)  # monotonic span of the timed questions under load
    browser_answers: int = 0  # answers the load sessions finished and checked
    wrong: list[str] = field(default_factory=list)  # one line per wrong or failed answer
    questions: int = 0  # idle-correct questions the callers cycle through

    def window_calls(self) -> list[float]:
        start, end = self.window
        return [ms for at, ms in self.calls if start <= at <= end]


def _correct_when_idle(url: str, report: LoadReport) -> tuple[list[dict], dict[str, tuple]]:
    """The answerable questions of ``QA_SET`` that ``/ask`` answers correctly when idle (a citation
    holds the evidence and the answer its key facts), and each one's idle answer."""
    import httpx

    client = httpx.Client(base_url=url, timeout=TIMEOUT_MS / 1000)
    ask_rest(client, "warm-up")
    picked, idle = [], {}
    for qa in (q for q in load_qa(QA_SET) if q["answerable"]):
        started = time.monotonic()
        record = ask_rest(client, qa["question"])
        report.ask_idle_ms.append(1000 * (time.monotonic() - started))
        if "error" not in record:
            scored = score_question(qa, record)
            if scored["cited_support"] and scored["keyfact"]:
                picked.append(qa)
                idle[qa["question"]] = answer_key(record)
    if not picked:
        raise AssistantError(f"no question of {QA_SET} is answered correctly by the idle server: run "
                             "'python -m assistant eval' to see why")
    return picked, idle


async def _open(browser, url: str):
    page = await (await browser.new_context(viewport={"width": 1400, "height": 1000})).new_page()
    await page.goto(url, timeout=TIMEOUT_MS)
    await page.wait_for_selector("#question textarea", timeout=TIMEOUT_MS)
    return page


async def _ask(page, question: str) -> tuple[float, float, str]:
    """In a new conversation: type ``question``, press Send; the ms to its finished answer and to its
    first streamed step, and the answer's text (its quotes, markers and sources)."""
    await page.click("#new-conversation", timeout=TIMEOUT_MS)
    await page.wait_for_function("!document.querySelector('#chat .answer')", timeout=TIMEOUT_MS)
    timed = None
    while timed is None:  # until the box holds the question when Send is pressed
        await page.fill("#question textarea", question, timeout=TIMEOUT_MS)
        timed = await asyncio.wait_for(page.evaluate(TIMED_SEND, [DONE, question]), TIMEOUT_MS / 1000)
    ms, first = timed
    return ms, first, await page.locator(DONE).last.text_content(timeout=TIMEOUT_MS)


async def _session(page, question: str, expected: str, stop: asyncio.Event, report: LoadReport) -> None:
    """A reader asking ``question`` over and over (each in a new conversation) until ``stop``."""
    while not stop.is_set():
        try:
            *_, text = await _ask(page, question)
            ok = text == expected
        except Exception as exc:  # a timed-out or broken page is a failed answer
            ok, text = False, repr(exc)
        report.browser_answers += 1
        if not ok:
            report.wrong.append(f"browser {question!r}: {text[:160]}")


async def _timed(page, question: str, reference: str, repeats: int, when: str, report: LoadReport, say) -> None:
    for i in range(repeats):
        say(f"{when}: timed question {i + 1}/{repeats}")
        ms, first, text = await _ask(page, question)
        report.ms[when].append(ms)
        report.first_ms[when].append(first)
        if text != reference:
            report.wrong.append(f"browser ({when}) {question!r}: {text[:160]}")


async def _under_load(browser, url, page, picked, idle, expected, report, callers, repeats, say) -> None:
    """The timed question again while every reader of ``expected`` (pages of ``browser``) and
    ``callers`` /ask clients ask in a loop; timing starts once each has had an answer, and the load
    runs until it ends."""
    probe, others = picked[0]["question"], list(expected)[1:]
    pages = [await _open(browser, url) for _ in others]
    load = Callers(url, [qa["question"] for qa in picked], idle, callers)
    say.load, stop = load, asyncio.Event()
    try:
        await asyncio.to_thread(load.start)
        tasks = [asyncio.create_task(_session(pg, q, expected[q], stop, report)) for pg, q in zip(pages, others)]
        while report.browser_answers < len(others) or load.counts[0] < callers:
            say("load: warming up")
            await asyncio.sleep(0.5)
        start = time.monotonic()
        await _timed(page, probe, expected[probe], repeats, "load", report, say)
        report.window = (start, time.monotonic())
        say("load: letting the last answers finish")
        stop.set()
        await asyncio.gather(*tasks)
    finally:
        stop.set()
        if load.process.is_alive():
            calls, wrong = await asyncio.to_thread(load.close)
            report.calls += calls
            report.wrong += wrong


async def _browser_bench(url: str, picked: list[dict], idle: dict[str, tuple], report: LoadReport,
                         callers: int, sessions: int, repeats: int, say) -> None:
    """The timed question (``picked[0]``) idle, each reader's question's idle answer, then the load
    (its readers in a browser of their own)."""
    from playwright.async_api import async_playwright

    if len(picked) < sessions + 1:
        raise AssistantError(f"only {len(picked)} questions are answered correctly when idle; "
                             f"{sessions + 1} are needed for {sessions} sessions and the timed one")
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        readers = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = await _open(browser, url)
            expected = {}
            for qa in picked[:sessions + 1]:  # the first is also the warm-up
                say(f"idle: reference answers {len(expected) + 1}/{sessions + 1}")
                expected[qa["question"]] = (await _ask(page, qa["question"]))[2]
                if not contains_evidence(expected[qa["question"]], qa["evidence"]):
                    report.wrong.append(f"browser (idle) {qa['question']!r} cites no evidence")
            await _timed(page, picked[0]["question"], expected[picked[0]["question"]], repeats, "idle", report, say)
            say(f"load: opening {sessions} browser sessions and {callers} /ask clients")
            await _under_load(readers, url, page, picked, idle, expected, report, callers, repeats, say)
        finally:
            await readers.close()
            await browser.close()


def measure_load(settings: Settings, callers: int = CALLERS, sessions: int = SESSIONS, repeats: int = REPEATS,
                 progress: bool = True) -> LoadReport:
    """Serve the chat on the settings' index and measure it idle and under load (see the module docstring).

    Returns:
        the report; ``report.wrong`` lists every answer that differed from its idle answer or failed.
    """
    report = LoadReport()
    def say(text: str) -> None:
        say.phase = text

    say.phase, say.load, shown = "starting the chat server", None, threading.Event()

    def line() -> str:
        calls, wrong = (say.load.counts[:] if say.load and not report.calls else (len(report.calls), 0))
        return (f"\rload bench: {say.phase} | /ask calls {calls} | browser answers "
                f"{report.browser_answers} | wrong {len(report.wrong) + wrong}   ")

    def ticker() -> None:
        while not shown.wait(1.0):
            print(line(), end="", file=sys.stderr, flush=True)

    if progress:
        threading.Thread(target=ticker, daemon=True).start()
    try:
        with served(settings) as url:
            say("idle: picking the questions /ask answers correctly")
            picked, idle = _correct_when_idle(url, report)
            report.questions = len(picked)
            asyncio.run(_browser_bench(url, picked, idle, report, callers, sessions, repeats, say))
    finally:
        shown.set()
        if progress:
            print(line(), file=sys.stderr, flush=True)
    return report


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def print_report(report: LoadReport, callers: int, sessions: int) -> None:
    """The report as a Markdown table."""
    idle, load, window = statistics.median(report.ms["idle"]), report.ms["load"], report.window_calls()
    ratio = statistics.median(load) / idle
    seconds = report.window[1] - report.window[0]
    print(f"The chat under load on 127.0.0.1 ({os.cpu_count()} cores; the server, {callers} /api/ask clients, "
          f"and {sessions + 1} Chromium pages (the timed reader's in a browser of its own) on the same machine)\n")
    print("| measure | value |\n|---|---|")
    print(f"| browser question, idle: p50 (min–max) of {len(report.ms['idle'])}, Send to finished answer | "
          f"{idle:.0f} ms ({min(report.ms['idle']):.0f}–{max(report.ms['idle']):.0f}) |")
    print(f"| same question under load: p50 / max of {len(load)} | {statistics.median(load):.0f} / "
          f"{max(load):.0f} ms |")
    print(f"| of which until the first streamed step (queue), p50 idle / under load | "
          f"{statistics.median(report.first_ms['idle']):.0f} / {statistics.median(report.first_ms['load']):.0f} ms |")
    print(f"| under load / idle (target ≤ {TARGET:g}×) | {ratio:.2f}× ({'met' if ratio <= TARGET else 'missed'}) |")
    print(f"| /ask, one call at a time (idle): p50 / p95 of {len(report.ask_idle_ms)} | "
          f"{statistics.median(report.ask_idle_ms):.0f} / {_pct(report.ask_idle_ms, 0.95):.0f} ms |")
    if window:
        print(f"| /ask under load: {callers} clients in a loop, calls finished in the {seconds:.1f} s timed window | "
              f"{len(window)} ({len(window) / seconds:.1f} per second) |")
        print(f"| /ask under load: p50 / p95 of those calls | {statistics.median(window):.0f} / "
              f"{_pct(window, 0.95):.0f} ms |")
    print(f"| {sessions} browser sessions in a loop: answers finished | {report.browser_answers} |")
    answers = len(report.calls) + report.browser_answers + len(report.ms['idle']) + len(load)
    print(f"| wrong or failed answers (differ from the idle answer) | {len(report.wrong)} of {answers} "
          f"({report.questions} questions correct when idle) |")


def run_load_bench(settings: Settings, callers: int = CALLERS, sessions: int = SESSIONS,
                   repeats: int = REPEATS) -> int:
    """Measure the chat idle and under load on the settings' index and print the table.

    Returns:
        the exit code: 1 when any answer was wrong or failed, else 0.
    """
    Assistant.load(settings, log=print)  # builds the index if it must, before the server child loads it
    report = measure_load(settings, callers, sessions, repeats)
    print_report(report, callers, sessions)
    for line in report.wrong[:20]:
        print(f"wrong: {line}", file=sys.stderr)
    return 1 if report.wrong else 0
