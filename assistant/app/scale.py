"""``python -m assistant bench --scale``: build time, query latency, dense recall, memory and disk
of made corpora of 10³ to 10⁶ chunks, each size in a fresh process; ``--choose`` measures the
candidate vector indexes and writes the choice to ``assistant/data/vectors.json``.

How a corpus of ``n`` chunks is made (printed with every table):

- each chunk is a run of consecutive real sentences of one real document (the bundled corpus and
  the general sets' articles), its start drawn at random and its length from the lengths of the
  real chunks the chunker makes of those documents;
- its tokens are its sentences' tokens (``lexical.tokenize``, jieba for Chinese), each distinct
  sentence tokenized once;
- its vector is the mean of its sentences' real embeddings (the embedder's own vectors of each
  distinct sentence) plus Gaussian noise, renormalized: encoding a million texts is too slow
  here. The noise puts a made vector as far from its mean (in cosine) as a real chunk is from
  its nearest other real chunk (the median of those), so copies of one run are distinct vectors;
- queries are real questions (the bundled dev set and the general sets), their real embeddings
  and tokens; the time of a query leaves out encoding and tokenizing it (neither grows with n).
"""

from __future__ import annotations

import json
import math
import os
import pickle
import platform
import queue
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.errors import AssistantError
from assistant.settings import PROJECT_ROOT, Settings

SIZES = (1_000, 10_000, 100_000, 1_000_000)
CHOOSE_SIZES = (10_000, 100_000, 1_000_000)
QUERIES = 200
K = 10  # recall@K of the dense search against exact search
TOP = 64  # candidates each search returns to the fusion (as retrieve/candidates.py gathers them)
BATCH = 65536  # vectors made, added and checked at a time
SEED = 17
MINUTES = 25  # a run stops before a size it projects past this
CHOOSE_MINUTES = 60  # --choose builds every candidate index at every size
DOCUMENT_ROOTS = (PROJECT_ROOT / "corpus", *sorted((PROJECT_ROOT / "evals" / "general").glob("*/corpus")))
QUESTION_FILES = (PROJECT_ROOT / "evals" / "dev.jsonl", *sorted((PROJECT_ROOT / "evals" / "general").glob("*/qa_*.jsonl")))


@dataclass
class Material:
    """What every made corpus is drawn from: real sentences in document order, their tokens and
    embeddings, the real chunks' lengths, and real questions."""

    tokens: list[list[str]]  # per distinct sentence
    langs: list[str]  # per distinct sentence
    vectors: np.ndarray  # (sentences, d) unit vectors, per distinct sentence
    order: np.ndarray  # distinct-sentence ids in document order, documents one after another
    document_end: np.ndarray  # for each place in ``order``, where its document ends
    lengths: np.ndarray  # sentences per real chunk
    queries: np.ndarray  # (q, d) unit vectors
    query_tokens: list[list[str]]
    noise: float  # standard deviation of the noise in each dimension
    about: dict  # counts and names, for the printed header

    def prefix(self) -> np.ndarray:
        """Running sums of the sentence vectors in document order, so a run's sum is a difference."""
        out = np.zeros((len(self.order) + 1, self.vectors.shape[1]), np.float64)
        np.cumsum(self.vectors[self.order], axis=0, out=out[1:])
        return out


def _real_text(roots, chunk_size: int) -> tuple[list[list[tuple[str, str]]], list[int], int]:
    """Each distinct document's sentences (text, language) in order and its real chunks' lengths."""
    from assistant.ingest.chunks import chunk_document
    from assistant.ingest.read import load_corpus

    seen, documents, lengths = set(), [], []
    for root in roots:
        for doc in load_corpus(Path(root)):
            if doc.sha256 in seen:  # xquad-mixed repeats the other sets' articles
                continue
            seen.add(doc.sha256)
            chunks = chunk_document(doc, chunk_size)
            documents.append([(s.text, s.lang) for c in chunks for s in c.sentences])
            lengths.extend(len(c.sentences) for c in chunks)
    if not documents:
        raise AssistantError(f"no documents to make the scale corpora from in {_names(roots)}")
    return documents, lengths, len(seen)


def _names(paths) -> str:
    """Folders as the repository names them."""
    def name(path: Path) -> str:
        path = Path(path).resolve()
        return str(path.relative_to(PROJECT_ROOT)) if path.is_relative_to(PROJECT_ROOT) else str(path)

    return ", ".join(name(p) for p in paths)


def _questions(files, n: int) -> list[str]:
    """``n`` real questions, spread evenly over every question set (all sets in turn)."""
    sets = []
    for path in files:
        rows = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
        sets.append([r["question"] for r in rows if r.get("question")])
    sets = [s for s in sets if s]
    if not sets:
        raise AssistantError("no questions to time the scale corpora with (evals/dev.jsonl, evals/general/)")
    picked = [s[round(i * len(s) / (n / len(sets) + 1)) % len(s)] for i in range(math.ceil(n / len(sets))) for s in sets]
    return picked[:n]


def _nearest_cosine(vectors: np.ndarray) -> float:
    """The median, over vectors, of the cosine to the nearest other one."""
    sims = vectors @ vectors.T
    np.fill_diagonal(sims, -1.0)
    return float(np.median(sims.max(axis=1)))


def prepare(embedder: str = "use", queries: int = QUERIES, roots=DOCUMENT_ROOTS, question_files=QUESTION_FILES,
            progress: bool = True) -> Material:
    """Read, tokenize and embed the real text once, for every size."""
    from assistant.index import threads
    from assistant.index.embedders import load_embedder
    from assistant.index.lexical import tokenize
    from assistant.index.store import _embed

    documents, lengths, n_documents = _real_text(roots, Settings().chunk_size)
    distinct = list(dict.fromkeys(s for d in documents for s in d))
    ids = {s: i for i, s in enumerate(distinct)}
    order = np.array([ids[s] for d in documents for s in d], np.int64)
    ends = np.cumsum([len(d) for d in documents])
    model = load_embedder(embedder)
    questions = _questions(question_files, queries)
    with threads.for_builds():
        vectors = _embed(model, [t for t, _ in distinct], progress, "Embedding real sentences")
        query_vectors = _embed(model, questions, progress, "Embedding questions")
    # The real chunks, as the chunker cut them, give the scale of the noise.
    real, at = [], 0
    for size in lengths:
        mean = vectors[order[at:at + size]].mean(axis=0)
        real.append(mean / max(np.linalg.norm(mean), 1e-12))
        at += size
    cos = min(_nearest_cosine(np.array(real)), 0.999)
    # A unit vector plus noise of norm r sits at cosine 1/sqrt(1 + r²) from where it started.
    noise = math.sqrt(1 / cos ** 2 - 1) / math.sqrt(vectors.shape[1])
    return Material(tokens=[tokenize(t) for t, _ in distinct], langs=[lang for _, lang in distinct], vectors=vectors,
                    order=order, document_end=np.repeat(ends, [len(d) for d in documents]),
                    lengths=np.array(lengths, np.int64), queries=query_vectors,
                    query_tokens=[tokenize(q) for q in questions], noise=noise,
                    about={"sources": _names(roots), "questions_from": _names(question_files),
                           "documents": n_documents, "sentences": len(order), "distinct": len(distinct),
                           "real_chunks": len(lengths), "questions": len(questions), "nearest_cos": cos,
                           "embedder": model.id, "dim": model.dim})


class MadeCorpus:
    """``n`` chunks drawn from a :class:`Material` (see the module docstring); the same ``n``
    and seed always make the same chunks and vectors."""

    def __init__(self, material: Material, n: int, seed: int = SEED):
        self.material, self.n, self.seed = material, n, seed
        rng = np.random.default_rng([seed, n])
        self.starts = rng.integers(0, len(material.order), n)
        self.lengths = np.minimum(rng.choice(material.lengths, n), material.document_end[self.starts] - self.starts)
        self.langs = [material.langs[i] for i in material.order[self.starts]]
        self._prefix = material.prefix()

    def tokens(self, progress=None):
        """Each chunk's tokens, one list at a time (a million lists at once would be 600 MB)."""
        tokens, order = self.material.tokens, self.material.order
        for i, (a, size) in enumerate(zip(self.starts.tolist(), self.lengths.tolist())):
            yield [t for s in order[a:a + size].tolist() for t in tokens[s]]
            if progress is not None and i % 8192 == 8191:
                progress.update(8192)

    def vectors(self, a: int, b: int) -> np.ndarray:
        """Chunks ``a..b``'s vectors; the noise is drawn per batch, so ``a`` is a multiple of
        :data:`BATCH` or the start of a part of one asked for in the same way every time."""
        starts, lengths = self.starts[a:b], self.lengths[a:b]
        means = ((self._prefix[starts + lengths] - self._prefix[starts]) / lengths[:, None]).astype(np.float32)
        rng = np.random.default_rng([self.seed, self.n, a])
        means /= np.linalg.norm(means, axis=1, keepdims=True)
        means += rng.standard_normal(means.shape, dtype=np.float32) * np.float32(self.material.noise)
        means /= np.linalg.norm(means, axis=1, keepdims=True)
        return means

    def batches(self):
        """``(first id, vectors)`` for every batch, in order."""
        for a in range(0, self.n, BATCH):
            yield a, self.vectors(a, min(a + BATCH, self.n))


def exact_neighbours(corpus: MadeCorpus, queries: np.ndarray, k: int = K, progress=None) -> np.ndarray:
    """The ``k`` true nearest chunks of each query (by cosine over every vector), ``(q, k)``,
    best first: the made vectors scanned batch by batch, never all in memory at once."""
    best_ids = np.zeros((len(queries), 0), np.int64)
    best_sims = np.zeros((len(queries), 0), np.float32)
    for a, block in corpus.batches():
        sims = np.concatenate([best_sims, queries @ block.T], axis=1)
        ids = np.concatenate([best_ids, np.broadcast_to(np.arange(a, a + len(block)), (len(queries), len(block)))], 1)
        keep = np.argpartition(-sims, k - 1, axis=1)[:, :k] if sims.shape[1] > k else np.indices(sims.shape)[1]
        best_sims, best_ids = np.take_along_axis(sims, keep, 1), np.take_along_axis(ids, keep, 1)
        if progress is not None:
            progress.update(len(block))
    return np.take_along_axis(best_ids, np.argsort(-best_sims, axis=1, kind="stable"), 1)


def recall(found: np.ndarray, truth: np.ndarray) -> float:
    """The mean share of each row of ``truth`` (the true k nearest) that ``found`` holds.

    >>> round(recall(np.array([[1, 2, 3], [4, 5, 6]]), np.array([[3, 2, 9], [4, 5, 6]])), 4)
    0.8333
    """
    k = truth.shape[1]
    return float(np.mean([len(set(f[:k].tolist()) & set(t.tolist())) / k for f, t in zip(found, truth)]))


def query(index, bm25, vector: np.ndarray, tokens: list[str], weight: float, k: int = K) -> np.ndarray:
    """One hybrid query: the dense search's and BM25's ``TOP`` candidates each, every candidate
    scored exactly (``weight`` × cosine + the rest × BM25 over the best BM25 score), the ``k`` best
    chunk ids returned."""
    from assistant.index import vectors

    dense_ids, _ = vectors.search(index, vector, TOP)
    lexical = bm25.scores(tokens)
    top = min(TOP, len(lexical) - 1)
    lexical_ids = np.argpartition(-lexical, top)[:top] if top > 0 else np.arange(len(lexical))
    lexical_ids = lexical_ids[lexical[lexical_ids] > 0]
    candidates = np.union1d(dense_ids, lexical_ids)
    bound = float(lexical[lexical_ids].max()) if len(lexical_ids) else 1.0
    fused = weight * (vectors.vectors_of(index, candidates) @ vector) + (1 - weight) * lexical[candidates] / bound
    return candidates[np.argsort(-fused, kind="stable")[:k]]


def _peak_mb() -> float:
    """The process's peak resident memory so far (VmHWM), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _reset_peak() -> None:
    """Start the peak memory count again from what the process holds now (Linux)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _disk_mb(index, bm25, folder: Path) -> float:
    """Write the dense index (FAISS's format) and the BM25 postings (numpy arrays and a JSON
    vocabulary) as an index would keep them; their size in MB."""
    import faiss

    folder.mkdir(parents=True, exist_ok=True)
    faiss.write_index(index, str(folder / "dense.faiss"))
    np.savez(folder / "lexical.npz", lengths=bm25.lengths, **bm25.postings.arrays())
    (folder / "vocabulary.json").write_text(json.dumps(bm25.postings.vocabulary, ensure_ascii=False), encoding="utf-8")
    size = sum(p.stat().st_size for p in folder.iterdir()) / 1e6
    for p in folder.iterdir():
        p.unlink()
    return size


def _load_child(path: str, results) -> None:
    import faiss

    from assistant.index import vectors
    from assistant.index.store import _sha256
    from assistant.retrieve.candidates import moments

    _sha256(Path(path))
    moments(vectors.stored(faiss.read_index(path)))
    results.put(_peak_mb())


def _loaded_mb(index, folder: Path) -> float:
    """The peak RSS of a fresh process loading the dense index as an index's load does: the
    file's checksum, FAISS's read, the vectors by row (``vectors.stored``) and their moments
    (``retrieve/candidates.py``, read whole once). What it takes to answer from it."""
    import faiss
    import multiprocessing

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "chunks.faiss"
    faiss.write_index(index, str(path))
    ctx = multiprocessing.get_context("spawn")
    results = ctx.Queue()
    process = ctx.Process(target=_load_child, args=(str(path), results))
    process.start()
    try:
        return results.get(timeout=600)
    finally:
        process.join()
        path.unlink()


def _dense_index(corpus: MadeCorpus, spec: dict | None, progress=None):
    """The vector index :mod:`assistant.index.vectors` builds for the corpus, fed batch by batch,
    and the seconds FAISS took (training and adding; making the vectors is left out)."""
    from assistant.index import vectors

    n, d = corpus.n, corpus.material.vectors.shape[1]
    size = vectors.training_size(n, spec)
    sample = corpus.vectors(0, size) if size else None
    started = time.perf_counter()
    index = vectors.empty(n, d, spec, sample)
    seconds = time.perf_counter() - started
    del sample
    for _, block in corpus.batches():
        started = time.perf_counter()
        index.add(block)
        seconds += time.perf_counter() - started
        if progress is not None:
            progress.update(len(block))
    return index, seconds


def _timed(index, bm25, material: Material, weight: float) -> dict:
    """Per query, one thread: the dense search alone (its ``K`` ids kept for recall) and the
    whole hybrid query, in ms."""
    from assistant.index import vectors

    dense_ms, whole_ms, found = [], [], []
    for i in range(min(5, len(material.queries))):  # warm-up: caches, first-touch pages
        query(index, bm25, material.queries[i], material.query_tokens[i], weight)
    for vector, tokens in zip(material.queries, material.query_tokens):
        started = time.perf_counter()
        ids, _ = vectors.search(index, vector, K)
        dense_ms.append(1000 * (time.perf_counter() - started))
        found.append(np.pad(ids, (0, K - len(ids)), constant_values=-1))
        started = time.perf_counter()
        query(index, bm25, vector, tokens, weight)
        whole_ms.append(1000 * (time.perf_counter() - started))
    return {"dense_p50": statistics.median(dense_ms), "p50": statistics.median(whole_ms),
            "p95": _percentile(whole_ms, 0.95), "found": np.array(found)}


def measure(n: int, material: Material, specs: list, folder: Path, progress: bool = True) -> dict:
    """Build the lexical index and each dense index of ``specs`` (``None``: the stored choice) for
    ``n`` made chunks, and measure them. ``specs`` holds ``(spec, efforts)`` pairs: each effort
    (HNSW's efSearch, IVF's nprobe; ``None``: the spec's own) is timed and checked in turn."""
    from tqdm.auto import tqdm

    from assistant.index import threads, vectors
    from assistant.index.lexical import BM25

    corpus = MadeCorpus(material, n)
    weight = Settings().dense_weight
    bar = tqdm(total=n * (2 + len(specs)), desc=f"{n:,} chunks", unit="chunk", unit_scale=True,
               disable=not progress, leave=False, mininterval=1.0)
    idle_mb = _peak_mb()
    bar.set_postfix_str("lexical index")
    started = time.perf_counter()
    bm25 = BM25(corpus.tokens(bar), corpus.langs)
    lexical_s = time.perf_counter() - started
    lexical_mb = _peak_mb()
    bar.update(n - n // 8192 * 8192)
    bar.set_postfix_str("exact neighbours")
    with threads.for_builds():
        truth = exact_neighbours(corpus, material.queries, K, bar)
    fixed_s = time.perf_counter() - started
    rows = []
    for spec, efforts in specs:
        bar.set_postfix_str(f"{vectors.spec_for(n, spec)['kind']} index")
        if len(specs) > 1:
            _reset_peak()  # each candidate's own peak, on top of what the BM25 index holds
        started = time.perf_counter()
        with threads.for_builds():
            index, dense_s = _dense_index(corpus, spec, bar)
        disk = _disk_mb(index, bm25, folder / str(n))
        # Loading it again, as an index answers: the table's column (not timed per candidate).
        loaded = _loaded_mb(index, folder / str(n)) if len(specs) == 1 else None
        threads.for_queries()
        for effort in efforts or [None]:
            if effort is not None:
                vectors.set_search_effort(index, effort)
            bar.set_postfix_str(f"{vectors.kind_of(index)} queries")
            timed = _timed(index, bm25, material, weight)
            rows.append({"spec": vectors.spec_for(n, spec), "kind": vectors.kind_of(index), "effort": effort,
                         "dense_s": dense_s, "disk_mb": disk, "loaded_mb": loaded, "recall": recall(timed.pop("found"), truth),
                         **timed, "peak_mb": _peak_mb()})
        for row in rows[-len(efforts or [None]):]:
            row["spec_s"] = time.perf_counter() - started  # the candidate's build and queries
        del index
    bar.close()
    return {"n": n, "lexical_s": lexical_s, "lexical_mb": lexical_mb, "idle_mb": idle_mb, "fixed_s": fixed_s,
            "rows": rows}


def _child(n: int, material_path: str, specs: list, folder: str, progress: bool, results) -> None:
    with open(material_path, "rb") as f:
        material = pickle.load(f)
    results.put(measure(n, material, specs, Path(folder), progress))


def _in_fresh_process(n: int, material_path: Path, specs: list, folder: Path, progress: bool) -> dict:
    """:func:`measure` in a process of its own, so its peak memory is this size's alone."""
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    results = ctx.Queue()
    process = ctx.Process(target=_child, args=(n, str(material_path), specs, str(folder), progress, results))
    process.start()
    report = None
    while report is None:
        try:
            report = results.get(timeout=1.0)
        except queue.Empty:
            if not process.is_alive():
                break
    process.join()
    if report is None:
        raise AssistantError(f"the scale bench at {n:,} chunks failed (exit code {process.exitcode}"
                             f"{': killed, most likely out of memory' if process.exitcode == -9 else ''})")
    return report


def parse_sizes(text: str) -> tuple[int, ...]:
    """Chunk counts from ``--scale``: ``"1000,10000"``, ``"1e5"``.

    >>> parse_sizes("1000, 1e4,100_000")
    (1000, 10000, 100000)
    """
    problem = f"--scale {text!r}: give chunk counts from 100 to 10,000,000 separated by commas, e.g. --scale 1000,10000"
    try:
        sizes = tuple(int(float(x.replace("_", ""))) for x in text.split(",") if x.strip())
    except ValueError:
        raise AssistantError(problem) from None
    if not sizes or any(not 100 <= n <= 10_000_000 for n in sizes):
        raise AssistantError(problem)
    return sizes


def _available_mb() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) / 1024
    return math.inf


def _projection(last: dict, n: int, kinds: set[str]) -> tuple[float, float]:
    """Seconds and peak MB size ``n`` would take with the index kinds still tried, from the last
    size measured (time grows as n log n, to be safe for HNSW; memory as n)."""
    ratio = n / last["n"]
    spent = {row["kind"]: row["spec_s"] for row in last["rows"]}
    # A kind the last size did not build (flat there, IVF here) is taken to cost what it built.
    seconds = (last["fixed_s"] + sum(spent.get(k, max(spent.values())) for k in kinds)) * ratio * math.log(
        n) / math.log(last["n"])
    peak = max([last["lexical_mb"]] + [row["peak_mb"] for row in last["rows"] if row["kind"] in kinds or len(spent) == 1])
    return seconds, last["idle_mb"] + (peak - last["idle_mb"]) * ratio


def _short_of_recall(report: dict) -> dict[str, float]:
    """The approximate kinds none of whose efforts reached the recall target at this size, with
    their best recall: with more vectors their recall only falls, so they are not built again."""
    best: dict[str, float] = {}
    for row in report["rows"]:
        if row["kind"] != "flat":
            best[row["kind"]] = max(best.get(row["kind"], 0.0), row["recall"])
    return {kind: r for kind, r in best.items() if r < TARGETS["recall"]}


def _header(material: Material, queries: int) -> str:
    a = material.about
    return (f"Scale on {platform.processor() or platform.machine()}, {os.cpu_count()} cores (shared with other "
            f"jobs), Python {platform.python_version()}, embedder {a['embedder']} ({a['dim']}-d). Made corpora: each "
            f"chunk a run of real sentences of one of {a['documents']} real documents ({a['sources']}: "
            f"{a['sentences']} sentences, {a['distinct']} distinct, tokenized once each), its length drawn from the "
            f"{a['real_chunks']} real chunks' lengths; its vector the mean of its sentences' real embeddings plus "
            f"Gaussian noise (σ {material.noise:.4f} a dimension: a made vector sits at cosine {a['nearest_cos']:.2f} "
            f"from its mean, as a real chunk from its nearest real chunk), renormalized, as encoding a million texts "
            f"is too slow here. {queries} real questions ({a['questions_from']}), their real embeddings "
            f"and tokens; a query (one thread) = dense search + BM25 + exact scores of their {TOP} candidates each, "
            f"fused; encoding and tokenizing the question are left out (neither grows with the corpus). Recall@{K}: "
            f"the dense search's {K} against exact search over the same vectors. Build = BM25 (from the chunks' "
            f"token lists) + dense index (FAISS's training and adding; making the vectors left out), every core; "
            f"peak RSS per size, each size in a fresh process; dense index loaded = the peak RSS of another fresh "
            f"process reading the saved dense index as an index load does (checksum, FAISS's read, its vectors' "
            f"moments); disk = the dense index and the BM25 arrays saved.\n")


def _size(n: int) -> str:
    exponent = round(math.log10(n))
    return f"10^{exponent}" if n == 10 ** exponent else f"{n:,}"


def _print_table(reports: list[dict], skipped: list[str]) -> None:
    print(f"| chunks | dense index | build: BM25 + dense | query p50 / p95 | dense search p50 | dense recall@{K} "
          "| peak RSS (before building) | dense index loaded: peak RSS | disk |\n|---|---|---|---|---|---|---|---|---|")
    for r in reports:
        row = r["rows"][0]
        spec = ", ".join(f"{k} {v}" for k, v in row["spec"].items() if k != "kind")
        print(f"| {_size(r['n'])} | {row['kind']}{f' ({spec})' if spec else ''} | {r['lexical_s']:.3g} + "
              f"{row['dense_s']:.3g} s | {row['p50']:.1f} / {row['p95']:.1f} ms | {row['dense_p50']:.2f} ms | "
              f"{row['recall']:.3f} | {row['peak_mb']:.0f} MB ({r['idle_mb']:.0f} MB) | {row['loaded_mb']:.0f} MB | "
              f"{row['disk_mb']:.1f} MB |")
    for line in skipped:
        print(line)


FLAT_BUDGET_MS = 10.0  # exact search while it takes at most this: a fifth of the 50 ms a whole query may take
TARGETS = {"recall": 0.95, "p50": 50.0, "peak_mb": 4096.0}  # issue 17, at the largest size measured
CANDIDATES = (  # (spec, search efforts tried: HNSW's efSearch, IVF's nprobe)
    ({"kind": "flat"}, None),
    ({"kind": "hnsw", "M": 32, "efConstruction": 40}, (16, 32, 64, 128, 256)),
    ({"kind": "ivf", "lists_per_sqrt_n": 1, "train_per_list": 64}, (4, 8, 16, 32, 64, 128)),
    ({"kind": "ivf-sq8", "lists_per_sqrt_n": 1, "train_per_list": 64}, (4, 8, 16, 32, 64, 128)),
)
EFFORT = {"hnsw": "efSearch", "ivf": "nprobe", "ivf-sq8": "nprobe"}


def _exact_below(reports: list[dict]) -> tuple[int, dict[int, float]]:
    """The size where the flat search's p50 reaches :data:`FLAT_BUDGET_MS`, by a line through
    the two measured sizes around it (or the nearest two), to two significant figures; and the
    flat p50 measured at each size."""
    flat = {r["n"]: row["dense_p50"] for r in reports for row in r["rows"] if row["kind"] == "flat"}
    if len(flat) < 2:
        raise AssistantError("--choose needs at least two sizes to place the flat threshold, e.g. --scale 1e4,1e5")
    points = sorted(flat.items())
    above = next((i for i, (_, ms) in enumerate(points) if ms >= FLAT_BUDGET_MS), len(points) - 1)
    (n0, t0), (n1, t1) = points[max(above - 1, 0)], points[max(above, 1)]
    n = n0 + (FLAT_BUDGET_MS - t0) * (n1 - n0) / (t1 - t0) if t1 > t0 else n1
    return int(float(f"{max(n, 100):.2g}")), {n: round(ms, 2) for n, ms in points}


def choose(reports: list[dict]) -> dict:
    """The approximate index and effort: among the kinds whose stored vectors are exact (HNSW and
    IVF-Flat; IVF-SQ8 keeps 8 bits a dimension, so candidates could not be scored exactly), each
    kind's smallest effort meeting :data:`TARGETS` at every size measured from the flat
    threshold up (the largest included), and of those the one quickest to build at the largest
    size. When none meets them, the best recall at the largest size."""
    exact_below, flat_ms = _exact_below(reports)
    largest = max(r["n"] for r in reports)
    options = {}  # (kind, effort) -> (every size met the targets, its row at the largest size)
    for r in reports:
        for row in r["rows"]:
            if row["kind"] not in ("hnsw", "ivf") or (r["n"] < exact_below and r["n"] != largest):
                continue
            ok = (row["recall"] >= TARGETS["recall"] and row["p50"] <= TARGETS["p50"]
                  and max(row["peak_mb"], r["lexical_mb"]) <= TARGETS["peak_mb"])
            met, top = options.get((row["kind"], row["effort"]), (True, None))
            options[row["kind"], row["effort"]] = (met and ok, row if r["n"] == largest else top)
    options = {key: value for key, value in options.items() if value[1] is not None}
    if not options:
        raise AssistantError("--choose measured no approximate index at its largest size")
    met = [row for ok, row in options.values() if ok]
    if met:
        cheapest = [min((r for r in met if r["kind"] == kind), key=lambda r: r["effort"]) for kind in
                    sorted({r["kind"] for r in met})]
        best = min(cheapest, key=lambda r: r["dense_s"])
    else:
        best = max((row for _, row in options.values()), key=lambda r: (r["recall"], -r["p50"]))
    return {"exact_below": exact_below, "approximate": {**best["spec"], EFFORT[best["kind"]]: best["effort"]},
            "targets_met": bool(met), "flat_p50_ms": flat_ms}


def _print_choices(reports: list[dict]) -> None:
    print(f"Each candidate's peak RSS counts from what its process held once the BM25 index was built.\n")
    print(f"| chunks | index | effort | build (dense) | dense search p50 | query p50 / p95 | dense recall@{K} "
          "| peak RSS | disk |\n|---|---|---|---|---|---|---|---|---|")
    for r in reports:
        for row in r["rows"]:
            effort = f"{EFFORT[row['kind']]} {row['effort']}" if row["effort"] is not None else ""
            print(f"| {_size(r['n'])} | {row['kind']} | {effort} | {row['dense_s']:.3g} s | {row['dense_p50']:.2f} ms "
                  f"| {row['p50']:.1f} / {row['p95']:.1f} ms | {row['recall']:.3f} | {row['peak_mb']:.0f} MB "
                  f"| {row['disk_mb']:.1f} MB |")


def _write_choice(choice: dict, reports: list[dict], material: Material, command: str, out: Path) -> None:
    record = {**choice,
              "rule": (f"flat while its p50 (interpolated between the sizes measured) stays under {FLAT_BUDGET_MS:g} "
                       f"ms; above, among HNSW and IVF-Flat "
                       f"(their vectors are exact, for rescoring), each one's smallest search effort meeting "
                       f"recall@{K} >= {TARGETS['recall']}, whole-query p50 <= {TARGETS['p50']:g} ms and peak RSS <= "
                       f"{TARGETS['peak_mb']:g} MB at every size measured, then the quickest to build"),
              "command": command,
              "measured_on": _header(material, len(material.queries)).strip(),
              "date": time.strftime("%Y-%m-%d"),
              "measurements": [{"n": r["n"], "lexical_s": round(r["lexical_s"], 2),
                                "rows": [{k: (round(v, 4) if isinstance(v, float) else v) for k, v in row.items()}
                                         for row in r["rows"]]} for r in reports]}
    out.write_text(json.dumps(record, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def run_scale(sizes=None, choose_index: bool = False, embedder: str = "use", queries: int = QUERIES,
              minutes: float | None = None, progress: bool = True, roots=DOCUMENT_ROOTS,
              question_files=QUESTION_FILES, out: Path | None = None, spec: dict | None = None) -> int:
    """Measure every size in a fresh process and print the table; with ``choose_index``, every
    candidate index at every size, the choice written to ``out`` (default the stored choice).
    ``spec`` replaces the stored choice (see :func:`assistant.index.vectors.spec_for`).

    A size whose time projected from the last one would end the run past ``minutes``, or whose
    memory would not fit, is not run: its row says what it would need.
    """
    from assistant.index import vectors

    started = time.perf_counter()
    sizes = tuple(sizes or (CHOOSE_SIZES if choose_index else SIZES))
    minutes = minutes or (CHOOSE_MINUTES if choose_index else MINUTES)
    specs = list(CANDIDATES) if choose_index else [(spec, None)]
    if choose_index and len(set(sizes)) < 2:
        raise AssistantError(f"--choose needs at least two sizes to place the flat threshold, e.g. --scale 1e4,1e5 "
                             f"(got {', '.join(map(str, sizes))})")
    if not choose_index and spec is None and not vectors.CHOICE_FILE.exists():
        raise AssistantError(f"{vectors.CHOICE_FILE} is missing: run 'python -m assistant bench --scale --choose'")
    material = prepare(embedder, queries, roots, question_files, progress)
    reports, skipped = [], []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "material.pickle"
        with open(path, "wb") as f:
            pickle.dump(material, f)
        for n in sorted(sizes):
            if reports:
                seconds, mb = _projection(reports[-1], n, {vectors.spec_for(n, s)["kind"] for s, _ in specs})
                left = minutes * 60 - (time.perf_counter() - started)
                if seconds > left or mb > _available_mb():
                    skipped.append(f"| {_size(n)} | not run: would take about {seconds / 60:.0f} min and {mb:,.0f} MB "
                                   f"(projected from {_size(reports[-1]['n'])}); {left / 60:.0f} min and "
                                   f"{_available_mb():,.0f} MB were left |")
                    continue
            print(f"Scale bench: {_size(n)} chunks…", file=sys.stderr, flush=True)
            reports.append(_in_fresh_process(n, path, specs, Path(tmp), progress))
            if choose_index:
                short = _short_of_recall(reports[-1])
                specs = [(s, e) for s, e in specs if s["kind"] not in short]
                skipped.extend(f"| {kind}: not built above {_size(n)}: its best recall@{K} there was {r:.3f} "
                               f"(< {TARGETS['recall']}) |" for kind, r in short.items())
    print(_header(material, len(material.queries)))
    if not choose_index:
        _print_table(reports, skipped)
        return 0
    _print_choices(reports)
    for line in skipped:
        print(line)
    choice = choose(reports)
    command = f"python -m assistant bench --scale {','.join(map(str, sizes))} --choose"
    _write_choice(choice, reports, material, command, out or vectors.CHOICE_FILE)
    flat = ", ".join(f"{ms:g} ms at {_size(n)}" for n, ms in choice["flat_p50_ms"].items())
    print(f"\nChosen: flat below {choice['exact_below']:,} vectors (a flat search took {flat}), above it "
          f"{choice['approximate']}"
          f"{'' if choice['targets_met'] else ' (NO candidate met the targets: the best recall was taken)'}; "
          f"written to {out or vectors.CHOICE_FILE}")
    return 0
