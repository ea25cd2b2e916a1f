"""``python -m assistant bench``: index build time, warm query latency and memory, printed."""

from __future__ import annotations

import json
import platform
import resource
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from assistant.pipeline import Assistant
from assistant.index.store import Index
from assistant.settings import PROJECT_ROOT, Settings

SAMPLE_QUESTIONS = PROJECT_ROOT / "evals" / "dev.jsonl"  # the bundled corpus's dev set
# Asked of a corpus with neither a dev set nor example questions in its profile.
FALLBACK_QUESTIONS = ["这些文档讲了什么？", "What are these documents about?"]


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


def run_bench(settings: Settings, queries: int = 200, builds: int = 3) -> int:
    """Build the index ``builds`` times in a scratch folder, then time ``queries`` warm asks.

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
        latencies = {"zh": [], "en": []}
        for i in range(queries):
            q = questions[i % len(questions)]
            started = time.perf_counter()
            answer = bot.ask(q)
            latencies[answer.lang].append((time.perf_counter() - started) * 1000)
    every = latencies["zh"] + latencies["en"]
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    m = bot.index.manifest
    print(f"Benchmark on {platform.processor() or platform.machine()}, Python {platform.python_version()}, "
          f"embedder {m['embedder_id']}, {m['counts']['chunks']} chunks / {m['counts']['sentences']} sentences\n")
    print("| measure | value |\n|---|---|")
    print(f"| index build (embed + FAISS + BM25 + atomic save), median of {builds} | "
          f"{statistics.median(build_times):.2f} s |")
    print(f"| warm query (retrieve + answer), median of {len(every)} | {statistics.median(every):.1f} ms |")
    print(f"| warm query p95 | {_percentile(every, 0.95):.1f} ms |")
    for lang in ("zh", "en"):
        if latencies[lang]:
            print(f"| warm query median, {lang} questions ({len(latencies[lang])}) | "
                  f"{statistics.median(latencies[lang]):.1f} ms |")
    print(f"| peak memory (RSS) | {rss_mb:.0f} MB |")
    return 0
