"""How many threads BLAS and FAISS may use: one per query, every core for a build.

Encoding one short question is a few small matrix products. With OpenBLAS on several threads
they spin-wait for each other, and when another process holds a core one question can take
30 times as long (seen here: 184 ms instead of 6 ms). So answering runs single-threaded, set
once when an assistant loads, and a chat serving many readers gets its parallelism from
serving several questions at once. Building an index encodes thousands of texts in large
batches, where every core helps: builds raise the limit for their own duration.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager

_QUERY_THREADS = 1
_limited: frozenset = frozenset()  # the thread pools already limited


def for_queries() -> None:
    """Limit BLAS, OpenMP, FAISS (and torch, once loaded) to one thread for the rest of the process.

    Cheap to call again: it acts only when a library loaded since (torch for an ``st:`` model
    brings its own pools) has not been limited yet.
    """
    global _limited
    from threadpoolctl import threadpool_info, threadpool_limits

    pools = frozenset(p["filepath"] for p in threadpool_info()) | {"torch"} & set(sys.modules)
    if pools <= _limited:
        return
    threadpool_limits(limits=_QUERY_THREADS)
    _faiss_threads(_QUERY_THREADS)
    _torch_threads(_QUERY_THREADS)
    _limited = pools


@contextmanager
def for_builds():
    """Every core for BLAS, FAISS and torch while the block runs, then back to what it was."""
    from threadpoolctl import threadpool_limits

    cores = os.cpu_count() or 1
    with threadpool_limits(limits=cores):
        before = _faiss_threads(cores)
        torch_before = _torch_threads(cores)
        try:
            yield
        finally:
            _faiss_threads(before)
            _torch_threads(torch_before)


def _torch_threads(n: int | None) -> int | None:
    """Set torch's intra-op threads if torch is loaded; returns the previous number."""
    torch = sys.modules.get("torch")
    if torch is None or n is None:
        return None
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    return before


def _faiss_threads(n: int) -> int:
    """Set FAISS's OpenMP threads; returns the previous number."""
    import faiss

    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(n)
    return before
