"""The fitted answer model: which sentence answers, and whether anything does.

Two logistic regressions over the signals of ``answer/features.py``, fitted by
``python -m assistant calibrate`` on named dev sets and stored as data
(``assistant/data/answer_model.json``) with the command, data and date that produced them:

- ``evidence``: the probability that a candidate sentence holds the answer;
- ``answerable``: the probability that the documents answer the question at all, with one
  threshold per direction (question language → evidence language) below which the
  assistant abstains;

plus the citation rule (how close to the best sentence another must score to be quoted too).
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assistant.errors import AssistantError

DATA = Path(__file__).resolve().parents[1] / "data"
DEFAULT_MODEL = DATA / "answer_model.json"
FORMAT = 1


@dataclass(frozen=True)
class Linear:
    """A standardised linear model: ``logit = ((x - mean) / scale) @ coef + intercept``.

    >>> m = Linear(("a", "b"), (0.0, 0.0), (1.0, 2.0), (1.0, -1.0), 0.5)
    >>> float(m.logits(np.array([[1.0, 2.0]]))[0])
    0.5
    """

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float

    def logits(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64).reshape(-1, len(self.features))
        return ((x - np.asarray(self.mean)) / np.asarray(self.scale)) @ np.asarray(self.coef) + self.intercept

    def to_dict(self) -> dict:
        return {"features": list(self.features), "mean": list(self.mean), "scale": list(self.scale),
                "coef": list(self.coef), "intercept": self.intercept}

    @classmethod
    def from_dict(cls, d: dict) -> "Linear":
        return cls(tuple(d["features"]), tuple(d["mean"]), tuple(d["scale"]), tuple(d["coef"]), float(d["intercept"]))

def fit_logistic(features: tuple[str, ...], x: np.ndarray, y: np.ndarray, weights: np.ndarray | None = None,
                 c: float = 1.0, prior: Linear | None = None) -> Linear:
    """Fit a weighted L2-regularised logistic regression on the features as they are (no
    rescaling: every signal is already of order one, so the penalty treats them alike and a
    rare signal cannot take a large weight from a few examples). With ``prior``, the penalty
    pulls toward its coefficients instead of zero: a model adapted from another.

    >>> x = np.array([[0.0], [1.0], [0.1], [0.9]]); y = np.array([0, 1, 0, 1])
    >>> m = fit_logistic(("a",), x, y); bool(m.logits(np.array([[1.0]]))[0] > 0)
    True
    """
    from scipy.optimize import minimize

    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    w = np.ones(len(y)) if weights is None else np.asarray(weights, dtype=np.float64)
    w = w / w.sum()
    n = x.shape[1]
    mean = np.asarray(prior.mean) if prior else np.zeros(n)
    scale = np.asarray(prior.scale) if prior else np.ones(n)
    z_x = (x - mean) / scale
    anchor = np.append(np.asarray(prior.coef), prior.intercept) if prior else np.zeros(n + 1)
    penalty = 1.0 / (c * len(y))

    def loss(params):
        z = z_x @ params[:-1] + params[-1]
        p = 1.0 / (1.0 + np.exp(-np.clip(z, -35, 35)))
        d = params - anchor
        d[-1] = 0.0 if prior is None else d[-1]  # no pull on the intercept unless adapting
        value = -np.sum(w * (y * np.log(p + 1e-12) + (1 - y) * np.log(1 - p + 1e-12))) + 0.5 * penalty * d @ d
        grad = np.append(z_x.T @ (w * (p - y)), np.sum(w * (p - y))) + penalty * d
        return value, grad

    params = minimize(loss, anchor.copy(), jac=True, method="L-BFGS-B").x
    return Linear(tuple(features), tuple(map(float, mean)), tuple(map(float, scale)), tuple(map(float, params[:-1])),
                  float(params[-1]))


def fit_listwise(features: tuple[str, ...], groups: list[tuple[np.ndarray, np.ndarray, float]],
                 c: float = 1.0, prior: Linear | None = None) -> Linear:
    """Fit a linear score by conditional logistic regression: for each group (one question's
    candidates ``x`` with labels ``y`` and a weight), maximise the softmax probability of its
    positive candidates among all of them. Groups without both kinds teach nothing and are
    skipped. L2-regularised toward zero, or toward ``prior``'s coefficients (on its scaling)
    when adapting a model; deterministic (L-BFGS).

    >>> x = np.array([[1.0, 0.0], [0.0, 1.0]]); m = fit_listwise(("a", "b"), [(x, np.array([1, 0]), 1.0)] * 3)
    >>> bool(m.logits(x)[0] > m.logits(x)[1])
    True
    """
    from scipy.optimize import minimize

    groups = [(np.asarray(x, float), np.asarray(y, bool), float(w)) for x, y, w in groups if 0 < np.sum(y) < len(y)]
    stacked = np.vstack([x for x, _, _ in groups])
    if prior:
        mean, scale, anchor = np.asarray(prior.mean), np.asarray(prior.scale), np.asarray(prior.coef)
    else:
        mean, scale, anchor = stacked.mean(axis=0), stacked.std(axis=0), np.zeros(stacked.shape[1])
        scale[scale < 1e-9] = 1.0
    data = [((x - mean) / scale, y, w) for x, y, w in groups]
    total = sum(w for _, _, w in data)
    penalty = 1.0 / (c * len(data))

    def loss(beta):
        value, grad = 0.5 * penalty * (beta - anchor) @ (beta - anchor), penalty * (beta - anchor)
        for x, y, w in data:
            z = x @ beta
            z = z - z.max()
            e = np.exp(z)
            p_all = e / e.sum()
            p_pos = e[y] / e[y].sum()
            value -= w / total * (np.log(e[y].sum()) - np.log(e.sum()))
            grad -= w / total * (p_pos @ x[y] - p_all @ x)
        return value, grad

    beta = minimize(loss, anchor.copy(), jac=True, method="L-BFGS-B").x
    return Linear(tuple(features), tuple(map(float, mean)), tuple(map(float, scale)), tuple(map(float, beta)), 0.0)


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=np.float64)))


def logit(p: float) -> float:
    p = min(max(p, 1e-9), 1 - 1e-9)
    return math.log(p / (1 - p))


@dataclass(frozen=True)
class AnswerModel:
    """Both fitted models, the abstention thresholds and the citation rule.

    ``thresholds`` maps a direction ('zh→en') to the probability below which the assistant
    abstains; a direction not fitted uses ``default_threshold``. ``cite_margin``: a sentence is
    quoted beside the best one when its evidence score is within this much of the best's.
    """

    evidence: Linear
    answerable: Linear
    thresholds: dict = field(default_factory=dict)
    default_threshold: float = 0.5
    cite_margin: float = 1.0
    max_sentences: int = 3
    embedder: str = ""
    provenance: dict = field(default_factory=dict)

    @classmethod
    def neutral(cls) -> "AnswerModel":
        """A model fitted on nothing: evidence by the fused retrieval score, never abstaining.
        What ``calibrate`` reads signals with before it has fitted anything."""
        from assistant.answer.features import ANSWERABLE_FEATURES, EVIDENCE_FEATURES

        def flat(features, weights) -> Linear:
            n = len(features)
            return Linear(tuple(features), (0.0,) * n, (1.0,) * n,
                          tuple(float(weights.get(f, 0.0)) for f in features), 0.0)

        return cls(flat(EVIDENCE_FEATURES, {"dense": 3.0, "lexical": 7.0}), flat(ANSWERABLE_FEATURES, {}),
                   {}, 0.0, 0.2, 3, "", {"fitted": False})

    def threshold(self, direction: str) -> float:
        return float(self.thresholds.get(direction, self.default_threshold))

    def to_dict(self) -> dict:
        return {"format": FORMAT, "embedder": self.embedder, "evidence": self.evidence.to_dict(),
                "answerable": self.answerable.to_dict(), "thresholds": self.thresholds,
                "default_threshold": self.default_threshold, "cite_margin": self.cite_margin,
                "max_sentences": self.max_sentences, "provenance": self.provenance}

    @classmethod
    def from_dict(cls, d: dict) -> "AnswerModel":
        return cls(Linear.from_dict(d["evidence"]), Linear.from_dict(d["answerable"]), dict(d["thresholds"]),
                   float(d["default_threshold"]), float(d["cite_margin"]), int(d["max_sentences"]),
                   d.get("embedder", ""), d.get("provenance", {}))

    def save(self, path: Path) -> Path:
        """Write atomically (a temporary file renamed into place)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(self.to_dict(), f, ensure_ascii=False, indent=1)
            f.write("\n")
        os.replace(tmp, path)
        return path


def model_path(embedder_spec: str) -> Path:
    """Where the model for an embedder lives: ``answer_model.json`` for the default embedder,
    ``answer_model.<spec>.json`` for another one when it has been fitted for it."""
    slug = "".join(c if c.isalnum() or c in "-_." else "-" for c in embedder_spec)
    own = DATA / f"answer_model.{slug}.json"
    return own if own.exists() else DEFAULT_MODEL


CORPUS_MODEL = "answer_model.json"  # a corpus's own model, beside its documents


def model_for(corpus_dir: Path, embedder_spec: str) -> AnswerModel:
    """The model a corpus is answered with: its own (``answer_model.json`` beside its
    documents, made by ``calibrate --corpus``) when it was adapted for this embedder, else the
    general one."""
    general = load_model(model_path(embedder_spec))
    own = Path(corpus_dir) / CORPUS_MODEL
    if own.is_file():
        model = load_model(own)
        if model.embedder == general.embedder:
            return model
    return general


def load_model(path: Path | None = None) -> AnswerModel:
    """Read a fitted model.

    Raises:
        AssistantError: the file is missing or unreadable, with the command that makes it.
    """
    path = Path(path or DEFAULT_MODEL)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            raise AssistantError(f"answer model {path} has format {data.get('format')}, this version reads "
                                 f"{FORMAT}: run 'python -m assistant calibrate' to fit it again")
        return AnswerModel.from_dict(data)
    except FileNotFoundError:
        raise AssistantError(f"no answer model at {path}: run 'python -m assistant calibrate' to fit one") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise AssistantError(f"answer model {path} cannot be read ({exc.__class__.__name__}: {exc}): run "
                             "'python -m assistant calibrate' to fit it again") from None
