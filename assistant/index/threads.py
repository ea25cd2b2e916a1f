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
from contextlib import contextmanager

_QUERY_THREADS = 1
_set = False


def for_queries() -> None:
    """Limit BLAS and FAISS to one thread for the rest of the process (idempotent)."""
    global _set
    if _set:
        return
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=_QUERY_THREADS)
    _faiss_threads(_QUERY_THREADS)
    _set = True


@contextmanager
def for_builds():
    """Every core for BLAS and FAISS while the block runs, then back to what it was."""
    from threadpoolctl import threadpool_limits

    cores = os.cpu_count() or 1
    with threadpool_limits(limits=cores):
        before = _faiss_threads(cores)
        try:
            yield
        finally:
            _faiss_threads(before)


def _faiss_threads(n: int) -> int:
    """Set FAISS's OpenMP threads; returns the previous number."""
    import faiss

    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(n)
    return before
