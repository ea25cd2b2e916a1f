"""``python -m assistant bench``: index build time, warm query latency (idle, and with every core
busy), concurrent questions, and memory, printed as a table."""

from __future__ import annotations

import json
import multiprocessing
import os
import platform
import resource
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

from assistant.index.store import Index
from assistant.pipeline import Assistant
from assistant.settings import PROJECT_ROOT, Settings

SAMPLE_QUESTIONS = PROJECT_ROOT / "evals" / "dev.jsonl"  # the bundled corpus's dev set
# Asked of a corpus with neither a dev set nor example questions in its profile.
FALLBACK_QUESTIONS = ["这些文档讲了什么？", "What are these documents about?"]
CONCURRENT = 50  # questions sent at once, as the chat's readers may


def _questions(settings: Settings) -> list[str]:
    """The bundled corpus's dev questions; for another corpus, its profile's examples."""
    from assistant.ingest.profile import Profile

    bundled = Path(settings.corpus_dir).resolve() == (PROJECT_ROOT / "corpus").resolve()
    if bundled and SAMPLE_QUESTIONS.exists():
        rows = [json.loads(line) for line in SAMPLE_QUESTIONS.read_text(encoding="utf-8").splitlines() if line]
        if rows:
            return [r["question"] for r in rows]
    return list(Profile.load(settings.corpus_dir).examples) or FALLBACK_QUESTIONS


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _spin(stop) -> None:
    """Keep one core busy until told to stop."""
    x = 0
    while not stop.is_set():
        x = (x * 31 + 7) % 1_000_003


def _timed(bot: Assistant, questions: list[str], n: int) -> dict[str, list[float]]:
    latencies: dict[str, list[float]] = {"zh": [], "en": []}
    for i in range(n):
        started = time.perf_counter()
        answer = bot.ask(questions[i % len(questions)])
        latencies[answer.lang].append((time.perf_counter() - started) * 1000)
    return latencies


def _loaded(bot: Assistant, questions: list[str], n: int) -> list[float]:
    """Warm query latencies while one CPU-bound process per core runs beside them."""
    ctx = multiprocessing.get_context("spawn")
    stop = ctx.Event()
    spinners = [ctx.Process(target=_spin, args=(stop,), daemon=True) for _ in range(os.cpu_count() or 1)]
    for p in spinners:
        p.start()
    try:
        time.sleep(0.5)  # let them take the cores
        timed = _timed(bot, questions, n)
    finally:
        stop.set()
        for p in spinners:
            p.join(timeout=5)
    return timed["zh"] + timed["en"]


def _concurrent(bot: Assistant, questions: list[str], n: int = CONCURRENT) -> list[float]:
    """Latencies, from the moment all were sent, of ``n`` questions sent at once to one engine
    served by as many threads as the chat's queue runs at a time."""
    from assistant.app.chat import CONCURRENCY

    sent = time.perf_counter()

    def one(q: str) -> float:
        bot.ask(q)
        return (time.perf_counter() - sent) * 1000

    with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
        return list(pool.map(one, [questions[i % len(questions)] for i in range(n)]))


def run_bench(settings: Settings, queries: int = 200, builds: int = 3) -> int:
    """Build the index ``builds`` times in a scratch folder, then time ``queries`` warm asks
    idle and with every core busy, and ``CONCURRENT`` asks at once.

    Prints a Markdown table; returns the exit code.
    """
    build_times = []
    with tempfile.TemporaryDirectory() as tmp:
        scratch = replace(settings, index_root=Path(tmp))
        for _ in range(builds):
            started = time.perf_counter()
            Index.build(scratch, progress=False).save(scratch.index_dir)
            build_times.append(time.perf_counter() - started)
        bot = Assistant.load(scratch, progress=False, log=lambda *_: None)
        questions = _questions(settings)
        for q in questions[:5]:
            bot.ask(q)  # warm-up: jieba, dictionaries, caches
        latencies = _timed(bot, questions, queries)
        loaded = _loaded(bot, questions, queries)
        concurrent = _concurrent(bot, questions)
    every = latencies["zh"] + latencies["en"]
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    m = bot.index.manifest
    print(f"Benchmark on {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, embedder {m['embedder_id']}, {m['counts']['chunks']} chunks / "
          f"{m['counts']['sentences']} sentences\n")
    print("| measure | value |\n|---|---|")
    print(f"| index build (embed + FAISS + BM25 + atomic save), median of {builds} | "
          f"{statistics.median(build_times):.2f} s |")
    print(f"| warm query (retrieve + answer), median of {len(every)} | {statistics.median(every):.1f} ms |")
    print(f"| warm query p95 | {_percentile(every, 0.95):.1f} ms |")
    for lang in ("zh", "en"):
        if latencies[lang]:
            print(f"| warm query median, {lang} questions ({len(latencies[lang])}) | "
                  f"{statistics.median(latencies[lang]):.1f} ms |")
    print(f"| warm query p50 / p95 with every core busy ({os.cpu_count()} CPU-bound processes) | "
          f"{statistics.median(loaded):.1f} / {_percentile(loaded, 0.95):.1f} ms |")
    print(f"| {CONCURRENT} questions sent at once, time to answer: p50 / p95 | {statistics.median(concurrent):.1f} / "
          f"{_percentile(concurrent, 0.95):.1f} ms |")
    print(f"| peak memory (RSS) | {rss_mb:.0f} MB |")
    return 0
