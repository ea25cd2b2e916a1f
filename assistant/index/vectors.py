"""Dense vector indexes: exact (flat) below a size, approximate above it, chosen by measurement.

Which kind and which parameters are data, not code: ``assistant/data/vectors.json``, written by
``python -m assistant bench --scale --choose`` with the measurements it chose from. The API is
four functions over plain FAISS indexes of unit vectors (inner product == cosine)::

    >>> import numpy as np
    >>> v = np.eye(4, dtype=np.float32)
    >>> index = build(v); is_exact(index)
    True
    >>> ids, sims = search(index, np.array([0, 0.6, 0.8, 0]), 2); ids.tolist(), [round(float(s), 2) for s in sims]
    ([2, 1], [0.8, 0.6])
    >>> vectors_of(index, ids)[0].tolist()
    [0.0, 0.0, 1.0, 0.0]
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path

import faiss
import numpy as np

CHOICE_FILE = Path(__file__).resolve().parent.parent / "data" / "vectors.json"
KINDS = ("flat", "hnsw", "ivf", "ivf-sq8")
ADD_BATCH = 65536  # vectors handed to FAISS at a time, so a caller's batches can be made lazily


@lru_cache(maxsize=1)
def choice() -> dict:
    """The stored choice: ``{"exact_below": N, "approximate": {"kind": ..., <parameters>}, ...}``
    (and how it was measured)."""
    try:
        return json.loads(CHOICE_FILE.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(f"{CHOICE_FILE} is missing: run 'python -m assistant bench --scale --choose' to "
                                "measure the vector indexes and write it") from None


def spec_for(n: int, spec: dict | None = None) -> dict:
    """The kind and parameters for ``n`` vectors: ``{"kind": "flat"}`` below the stored
    threshold, the stored approximate index at or above it. ``spec`` overrides the file: either
    a whole choice (with ``exact_below``) or one kind's parameters.

    >>> spec_for(10, {"exact_below": 100, "approximate": {"kind": "hnsw", "M": 8}})
    {'kind': 'flat'}
    >>> spec_for(100, {"exact_below": 100, "approximate": {"kind": "hnsw", "M": 8}})
    {'kind': 'hnsw', 'M': 8}
    """
    spec = choice() if spec is None else spec
    if "exact_below" not in spec:
        return dict(spec)
    return {"kind": "flat"} if n < spec["exact_below"] else dict(spec["approximate"])


def _lists(n: int, spec: dict) -> int:
    # IVF: lists grow with the square root of the corpus (the usual rule), at least one.
    return max(1, min(n, int(round(spec.get("lists_per_sqrt_n", 1) * math.sqrt(max(n, 1))))))


def training_size(n: int, spec: dict | None = None) -> int:
    """How many of the vectors :func:`empty` wants as its training sample (0: none).

    >>> training_size(10_000, {"kind": "ivf", "lists_per_sqrt_n": 1, "train_per_list": 64})
    6400
    """
    spec = spec_for(n, spec)
    if spec["kind"] not in ("ivf", "ivf-sq8"):
        return 0
    return min(n, int(spec.get("train_per_list", 64)) * _lists(n, spec))


def empty(n: int, d: int, spec: dict | None = None, sample: np.ndarray | None = None) -> faiss.Index:
    """An index ready to take ``n`` vectors of dimension ``d`` with ``index.add``: the kind
    :func:`spec_for` gives, an IVF trained on ``sample`` (unit vectors, a few hundred per list).

    Raises:
        ValueError: for an unknown kind, or an IVF without a sample.
    """
    spec = spec_for(n, spec)
    kind = spec["kind"]
    if kind == "flat":
        return faiss.IndexFlatIP(d)
    if kind == "hnsw":
        index = faiss.IndexHNSWFlat(d, int(spec.get("M", 32)), faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = int(spec.get("efConstruction", 40))
        index.hnsw.efSearch = int(spec.get("efSearch", 64))
        return index
    if kind not in KINDS:
        raise ValueError(f"unknown vector index kind {kind!r}: expected one of {', '.join(KINDS)}")
    if sample is None or len(sample) == 0:
        raise ValueError(f"an {kind} index is trained: give a sample of the vectors")
    lists = _lists(n, spec)
    quantizer = faiss.IndexFlatIP(d)
    if kind == "ivf":
        index = faiss.IndexIVFFlat(quantizer, d, lists, faiss.METRIC_INNER_PRODUCT)
    else:
        index = faiss.IndexIVFScalarQuantizer(quantizer, d, lists, faiss.ScalarQuantizer.QT_8bit,
                                              faiss.METRIC_INNER_PRODUCT)
    index.own_fields = True
    quantizer.this.disown()  # the IVF index frees its quantizer
    index.train(np.ascontiguousarray(sample, dtype=np.float32))
    index.nprobe = min(lists, int(spec.get("nprobe", 16)))
    index.set_direct_map_type(faiss.DirectMap.Array)  # so vectors_of can find a vector by id
    return index


def build(vectors: np.ndarray, spec: dict | None = None) -> faiss.Index:
    """The index for an ``(n, d)`` float32 matrix of unit vectors (row i gets id i).

    Args:
        vectors: the vectors; FAISS keeps its own copy, so the caller may drop theirs.
        spec: overrides ``assistant/data/vectors.json`` (see :func:`spec_for`).
    """
    n, d = vectors.shape
    sample = vectors[np.linspace(0, n - 1, training_size(n, spec)).astype(np.int64)]
    index = empty(n, d, spec, sample)
    for i in range(0, n, ADD_BATCH):
        index.add(np.ascontiguousarray(vectors[i:i + ADD_BATCH], dtype=np.float32))
    return index


def kind_of(index: faiss.Index) -> str:
    """``"flat"``, ``"hnsw"``, ``"ivf"`` or ``"ivf-sq8"``."""
    index = faiss.downcast_index(index)
    if isinstance(index, faiss.IndexFlat):
        return "flat"
    if isinstance(index, faiss.IndexHNSW):
        return "hnsw"
    if isinstance(index, faiss.IndexIVFScalarQuantizer):
        return "ivf-sq8"
    if isinstance(index, faiss.IndexIVF):
        return "ivf"
    raise ValueError(f"not an index this module builds: {type(index).__name__}")


def is_exact(index: faiss.Index) -> bool:
    """Whether :func:`search` on this index scores every vector (a flat index)."""
    return kind_of(index) == "flat"


def search(index: faiss.Index, vector: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` nearest ids and their cosines, best first, for one query vector (fewer when
    the index holds fewer; an approximate index may miss some true neighbours)."""
    k = min(k, index.ntotal)
    if k <= 0:
        return np.zeros(0, np.int64), np.zeros(0, np.float32)
    sims, ids = index.search(np.ascontiguousarray(vector, dtype=np.float32).reshape(1, -1), k)
    keep = ids[0] >= 0  # an approximate search that reached fewer than k vectors pads with -1
    return ids[0][keep], sims[0][keep]


def _flat_view(index: faiss.Index) -> np.ndarray:
    """A flat index's vectors as an array over FAISS's own memory (no copy)."""
    index = faiss.downcast_index(index)
    return faiss.rev_swig_ptr(index.get_xb(), index.ntotal * index.d).reshape(index.ntotal, index.d)


def vectors_of(index: faiss.Index, ids: np.ndarray) -> np.ndarray:
    """The stored vectors of ``ids`` (a copy), to score candidates exactly. Exact for every
    kind but ``ivf-sq8``, which keeps its vectors to 8 bits a dimension."""
    ids = np.asarray(ids, dtype=np.int64)
    kind = kind_of(index)
    if kind == "flat":
        return _flat_view(index)[ids]
    if kind == "hnsw":
        return _flat_view(faiss.downcast_index(index).storage)[ids]
    if len(ids) == 0:
        return np.zeros((0, index.d), np.float32)
    return index.reconstruct_batch(ids)


class Rows:
    """An IVF index's vectors, read by row as a read-only ``(n, d)`` array is read
    (``rows[i]``, ``rows[ids]``, ``rows[a:b]``, ``len``, ``shape``, ``np.asarray``): each read
    is reconstructed from the inverted lists, so the index holds the only copy (at 10^6
    vectors of 512 floats a whole copy would be 2 GB). The rows read are exactly the stored
    floats (IVF-Flat keeps them whole), the same bytes a whole copy would hold.

    >>> index = build(np.eye(4, dtype=np.float32), {"kind": "ivf", "lists_per_sqrt_n": 1})
    >>> rows = Rows(index); rows.shape, rows[2].tolist(), rows[[0, 3]].shape, rows[1:3].shape
    ((4, 4), [0.0, 0.0, 1.0, 0.0], (2, 4), (2, 4))
    """

    ndim = 2
    dtype = np.dtype(np.float32)

    def __init__(self, index: faiss.Index):
        self.index = index
        self.shape = (index.ntotal, index.d)

    def __len__(self) -> int:
        return self.shape[0]

    def __getitem__(self, key):
        if isinstance(key, tuple):
            raise TypeError("Rows are read whole (rows[ids]); take columns from what that returns")
        n = self.shape[0]
        if isinstance(key, slice):
            ids = np.arange(*key.indices(n), dtype=np.int64)
        else:
            ids = np.asarray(key)
            if ids.dtype == bool:
                if ids.shape != (n,):
                    raise IndexError(f"a boolean mask of {ids.shape} for {n} rows")
                ids = np.flatnonzero(ids)
            elif not np.issubdtype(ids.dtype, np.integer) and ids.size:
                raise IndexError(f"rows are read by integers, slices or masks, not {ids.dtype}")
            ids = ids.astype(np.int64)
            if ids.size and (ids.min() < -n or ids.max() >= n):
                raise IndexError(f"row {int(ids.max() if ids.max() >= n else ids.min())} is out of range for {n} rows")
            ids = np.where(ids < 0, ids + n, ids)
        flat = ids.ravel()
        out = self.index.reconstruct_batch(flat) if flat.size else np.zeros((0, self.shape[1]), np.float32)
        return out.reshape(ids.shape + (self.shape[1],))

    def __array__(self, dtype=None, copy=None):
        whole = self[:]
        return whole if dtype is None else whole.astype(dtype)

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]


def stored(index: faiss.Index) -> "np.ndarray | Rows":
    """An index's vectors in id order without a second copy: for a flat index (or an HNSW one,
    over its flat storage) a read-only array over FAISS's own memory, for an IVF index
    :class:`Rows` (its lists are in list order, not id order, so no array can view them).
    The index never changes once built or loaded."""
    kind = kind_of(index)
    if kind in ("ivf", "ivf-sq8"):
        return Rows(index)
    if index.ntotal == 0:
        return np.zeros((0, index.d), np.float32)
    view = _flat_view(index if kind == "flat" else faiss.downcast_index(index).storage)
    view.flags.writeable = False
    return view


def set_search_effort(index: faiss.Index, effort: int) -> None:
    """Set how far an approximate search looks: HNSW's ``efSearch`` or IVF's ``nprobe``."""
    kind = kind_of(index)
    if kind == "hnsw":
        faiss.downcast_index(index).hnsw.efSearch = int(effort)
    elif kind != "flat":
        index.nprobe = min(index.nlist, int(effort))
