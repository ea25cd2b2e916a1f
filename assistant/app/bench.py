"""``python -m assistant bench``: index build time, warm query latency (idle, and with every core
busy), concurrent questions, and memory, printed as a table."""

from __future__ import annotations

import json
import multiprocessing
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

from assistant.errors import AssistantError
from assistant.index.store import BATCH, Index
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


INGEST_SIZES = (1, 4, 16)  # MB of text the ingestion bench builds from


def _sample_text(megabytes: float, seed: int = 0) -> str:
    """About ``megabytes`` of real prose in both languages: the bundled corpus and the general
    eval sets' articles (all in the repository), drawn in a fixed random order."""
    import random

    sources = sorted((PROJECT_ROOT / "corpus").glob("*.md")) + sorted(
        (PROJECT_ROOT / "evals" / "general").glob("*/corpus/*.md"))
    texts = [p.read_text(encoding="utf-8") for p in sources]
    if not texts:
        raise AssistantError("no .md documents in corpus/ or evals/general/ to build the ingestion sample from")
    rng = random.Random(seed)
    parts, size = [], 0
    while size < megabytes * 1_000_000:
        text = rng.choice(texts)
        parts.append(text)
        size += len(text.encode("utf-8")) + 2
    return "\n\n".join(parts)


def _ingest_one(megabytes: float, folder: str, what: str, results) -> None:
    """In a fresh process, on one file of ``megabytes``: build and save its index with the hash
    embedder (``what == "build"``), or let jieba alone tokenize the same text (``"jieba"``).
    Reports the seconds taken and the process's peak memory."""
    from assistant.index.lexical import tokenize
    from assistant.index.store import build_index

    corpus = Path(folder) / "corpus"
    corpus.mkdir(exist_ok=True)
    text = _sample_text(megabytes)
    (corpus / "sample.md").write_text(text, encoding="utf-8")
    tokenize("长江")  # jieba's dictionary loads once per process, before the clock starts
    report = {"mb": len(text.encode("utf-8")) / 1e6,
              "idle_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    started = time.perf_counter()
    if what == "build":
        settings = Settings(corpus_dir=corpus, index_root=Path(folder) / "index", embedder="hash")
        counts = build_index(settings, progress=False, log=lambda *_: None).manifest["counts"]
        report.update(sentences=counts["sentences"], chunks=counts["chunks"])
    else:
        import jieba

        jieba.lcut(text)
    report["seconds"] = time.perf_counter() - started
    report["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    results.put(report)


def run_ingest_bench(sizes=INGEST_SIZES) -> int:
    """Build time against text size, each size built in its own process (so its peak memory is
    its own), beside the time jieba alone takes to tokenize the same text, timed in a process of
    its own just before and just after the build (this machine's speed drifts) and averaged.
    Prints a Markdown table."""
    ctx = multiprocessing.get_context("spawn")

    def child(megabytes: float, folder: str, what: str) -> dict:
        results = ctx.Queue()
        process = ctx.Process(target=_ingest_one, args=(megabytes, folder, what, results))
        process.start()
        report = results.get()
        process.join()
        if process.exitcode != 0:
            raise AssistantError(f"the ingestion bench ({what}, {megabytes} MB) failed (exit code {process.exitcode})")
        return report

    rows = []
    for megabytes in sizes:
        print(f"Ingestion bench: {megabytes:g} MB (jieba, build, jieba)…", file=sys.stderr, flush=True)
        with tempfile.TemporaryDirectory() as tmp:
            before = child(megabytes, tmp, "jieba")
            build = child(megabytes, tmp, "build")
            after = child(megabytes, tmp, "jieba")
        build["jieba_s"] = (before["seconds"] + after["seconds"]) / 2
        rows.append(build)
    first = rows[0]
    print(f"Ingestion on {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}: one Markdown file per size (the bundled corpus and the general sets' "
          "articles), hash embedder; build = read + chunk + tokenize + embed + save\n")
    print("| text | sentences | chunks | build | jieba.lcut alone | build / jieba | build / first size's "
          "| time per MB | build's peak RSS (before building) |\n|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['mb']:.1f} MB | {r['sentences']} | {r['chunks']} | {r['seconds']:.1f} s | {r['jieba_s']:.1f} s | "
              f"{r['seconds'] / r['jieba_s']:.2f}x | {r['seconds'] / first['seconds']:.1f}x | "
              f"{r['seconds'] / r['mb']:.2f} s | {r['peak_mb']:.0f} MB ({r['idle_mb']:.0f} MB) |")
    return 0


def _incremental_corpus(folder: Path) -> tuple[Path, list[Path]]:
    """A 50-document corpus of the general sets' articles (20 English, 20 Chinese, 10 CMRC),
    and more CMRC articles to add."""
    general = PROJECT_ROOT / "evals" / "general"
    picked = (sorted((general / "xquad-en" / "corpus").glob("*.md"))[:20]
              + sorted((general / "xquad-zh" / "corpus").glob("*.md"))[:20])
    cmrc = sorted((general / "cmrc2018-trial" / "corpus").glob("*.md"))
    if len(picked) < 40 or len(cmrc) < 12:
        raise AssistantError(f"the incremental bench needs the general sets' articles in {general}")
    corpus = folder / "corpus"
    corpus.mkdir()
    for i, path in enumerate(picked + cmrc[:10]):
        (corpus / f"{i:02d}-{path.name}").write_bytes(path.read_bytes())
    return corpus, cmrc[10:12]


def run_incremental_bench(settings: Settings) -> int:
    """Build a 50-document corpus, then rebuild it unchanged, with one document added, one
    changed and one removed: what each rebuild embedded and reused, and its time."""
    from assistant.index.store import build_index

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        corpus, extra = _incremental_corpus(Path(tmp))
        scratch = replace(settings, corpus_dir=corpus, index_root=Path(tmp) / "index")
        steps = [("build from nothing", lambda: None),
                 ("rebuild, nothing changed", lambda: None),
                 ("one document added", lambda: (corpus / f"50-{extra[0].name}").write_bytes(extra[0].read_bytes())),
                 ("one document changed (a paragraph added)", lambda: (corpus / f"50-{extra[0].name}").write_text(
                     (corpus / f"50-{extra[0].name}").read_text(encoding="utf-8") + "\n\n"
                     + extra[1].read_text(encoding="utf-8").split("\n\n", 1)[-1], encoding="utf-8")),
                 ("one document removed", lambda: (corpus / f"50-{extra[0].name}").unlink())]
        for name, change in steps:
            change()
            print(f"Incremental bench: {name}…", file=sys.stderr, flush=True)
            started = time.perf_counter()
            m = build_index(scratch, progress=False, log=lambda *_: None).manifest
            rows.append((name, m["counts"]["documents"], m["changes"], m["embedded"], time.perf_counter() - started))
    print(f"Incremental builds on {platform.processor() or platform.machine()}, {os.cpu_count()} cores, embedder "
          f"{m['embedder_id']}: a corpus of the general sets' articles\n")
    print("| build | documents | added / updated / removed / unchanged | texts embedded | vectors reused | time |\n"
          "|---|---|---|---|---|---|")
    for name, documents, d, e, seconds in rows:
        print(f"| {name} | {documents} | {d['added']} / {d['updated']} / {d['removed']} / {d['unchanged']} | "
              f"{e['texts']} | {e['reused']} | {seconds:.2f} s |")
    return 0


def _encoder_throughput(index: Index, settings: Settings) -> float:
    """Texts per second the embedder alone encodes: every chunk and sentence of ``index``, in
    batches as a build sends them, on every core as a build runs."""
    from assistant.index import threads
    from assistant.index.embedders import load_embedder

    embedder = load_embedder(settings.embedder)
    texts = [c.clean for c in index.chunks] + [s.text for c in index.chunks for s in c.sentences]
    with threads.for_builds():
        started = time.perf_counter()
        for i in range(0, len(texts), BATCH):
            embedder.encode(texts[i:i + BATCH])
        return len(texts) / (time.perf_counter() - started)


def run_http_bench(settings: Settings, sequential: int = 30, at_once: int = CONCURRENT) -> int:
    """The chat server's two ask endpoints over real HTTP on 127.0.0.1, its plain ``/api/ask`` and
    Gradio's ``ask`` API: the time one call takes, one at a time, against the time each of
    ``at_once`` calls sent together takes. The chat runs in a process of its own (as ``python -m
    assistant`` does) and the calls are plain HTTP, each caller with its own connection:
    gradio_client's threads in the server's process took more of the interpreter than the server
    did, so the figure measured the client."""
    import threading

    import httpx

    from assistant.app.loadgen import ask_gradio, ask_rest, served

    questions = _questions(settings)
    rows = []
    with served(settings) as url:
        for name, ask in (("/api/ask", ask_rest), ("Gradio's ask API (/gradio_api/call/ask)", ask_gradio)):
            local = threading.local()

            def call(question: str) -> float:
                if not hasattr(local, "client"):
                    local.client = httpx.Client(base_url=url, timeout=600)
                started = time.perf_counter()
                record = ask(local.client, question)
                if "error" in record:
                    raise AssistantError(f"{name} failed on {question!r}: {record['error']}")
                return 1000 * (time.perf_counter() - started)

            for q in questions[:3]:
                call(q)  # warm-up
            one = [call(questions[i % len(questions)]) for i in range(sequential)]
            with ThreadPoolExecutor(max_workers=at_once) as pool:
                list(pool.map(call, [questions[i % len(questions)] for i in range(at_once)]))  # connections open
                started = time.perf_counter()
                together = list(pool.map(call, [questions[(i + at_once) % len(questions)] for i in range(at_once)]))
                wall = time.perf_counter() - started
            rows.append((name, one, together, wall))
    embedder = Index.load(settings.index_dir).manifest["embedder_id"]  # the server's; no model loaded here
    print(f"The chat's ask endpoints over HTTP on 127.0.0.1 ({os.cpu_count()} cores, embedder {embedder}; "
          f"the chat in its own process, plain HTTP calls)\n")
    print(f"| endpoint | one call at a time: p50 / p95 of {sequential} | {at_once} sent at once, each: p50 / p95 | "
          f"ratio of the p50s | {at_once} at once, all answered in |\n|---|---|---|---|---|")
    for name, one, together, wall in rows:
        p50 = statistics.median(one)
        print(f"| {name} | {p50:.1f} / {_percentile(one, 0.95):.1f} ms | {statistics.median(together):.1f} / "
              f"{_percentile(together, 0.95):.1f} ms | {statistics.median(together) / p50:.1f}x | "
              f"{wall:.2f} s ({at_once / wall:.1f} per second) |")
    return 0


def run_bench(settings: Settings, queries: int = 200, builds: int = 5) -> int:
    """Build the index ``builds`` times in a scratch folder, then time ``queries`` warm asks
    idle and with every core busy, and ``CONCURRENT`` asks at once.

    Prints a Markdown table; returns the exit code.
    """
    build_times = []
    with tempfile.TemporaryDirectory() as tmp:
        scratch = replace(settings, index_root=Path(tmp))
        raws = []
        for _ in range(builds):
            started = time.perf_counter()
            index = Index.build(scratch, progress=False, reuse=False)  # every text embedded
            index.save(scratch.index_dir)
            build_times.append(time.perf_counter() - started)
            # The encoder alone, between builds: the machine's speed drifts; medians of both.
            raws.append(_encoder_throughput(index, settings))
        raw = statistics.median(raws)
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
    texts = m["counts"]["chunks"] + m["counts"]["sentences"]
    built = texts / statistics.median(build_times)
    print(f"| encoder alone on the same {texts} texts, batches of {BATCH}, median of {builds} | {raw:.0f} texts/s |")
    print(f"| index build, texts embedded per second of the whole build | {built:.0f} texts/s "
          f"({100 * built / raw:.0f}% of the encoder alone) |")
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
