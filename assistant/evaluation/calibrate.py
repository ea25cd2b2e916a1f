"""``python -m assistant calibrate``: fit the answer model on dev questions and store it as data.

Two uses:

- **the general model** (``python -m assistant calibrate``): fitted on the ``dev`` split of
  every suite under ``evals/general/`` (XQuAD in both languages and mixed, CMRC 2018: questions
  on half their articles), written to ``assistant/data/answer_model.json``. It is what any
  corpus gets. Which sentence answers is also learnt from the bundled corpus's dev set
  (``evals/dev.jsonl``, a policy paper: another genre); when to abstain is not, because that
  set's unanswerable questions are of another kind than any corpus's (see the README).
- **a corpus's own model** (``python -m assistant calibrate --corpus DIR --qa DEV.jsonl``): the
  general model adapted to one corpus with a dev set of its questions, the fit pulled toward
  the general weights so that a few hundred questions move them only where they must; written
  beside the corpus (``DIR/answer_model.json``), where the assistant finds it.

For each question the assistant gathers its candidates and their signals exactly as ``ask``
does; then

1. the evidence model learns which candidate sentence holds the gold answer (its span, or a
   gold evidence string): conditional logistic regression over each question's candidates;
2. the answerable model learns, from the question-level signals, whether the documents answer
   at all (out-of-corpus and unanswerable questions are the negatives);
3. each direction (question language → evidence language) gets the threshold at which
   ``target`` of its answerable dev questions would be abstained on;
4. the citation margin is the one that best trades the share of citations holding the answer
   against the characters quoted (see :func:`choose_margin`).

Every suite weighs the same, however many questions it has.
"""

from __future__ import annotations

import platform
import re
import sys
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from assistant.answer.features import ANSWERABLE_FEATURES, EVIDENCE_FEATURES
from assistant.answer.model import DEFAULT_MODEL, AnswerModel, Linear, fit_listwise, fit_logistic, load_model, sigmoid
from assistant.errors import AssistantError, QuestionError
from assistant.evaluation.general import GENERAL, find_suites, select
from assistant.evaluation.qa import load_qa
from assistant.settings import PROJECT_ROOT, Settings

CORPUS_MODEL = "answer_model.json"
# The bundled corpus's dev set, read for the general evidence model.
PAPER_DEV = PROJECT_ROOT / "evals" / "dev.jsonl"
TARGET_FALSE_ABSTENTION = 0.04
# Directions with fewer answerable dev questions than this use the pooled threshold.
MIN_DIRECTION = 30
MARGINS = tuple(round(m, 2) for m in np.arange(0.0, 4.01, 0.25))
# What one more sentence quoted must be worth: quoting a second sentence every time must make
# at least one citation in ten hold the answer that would not have (see choose_margin).
SENTENCE_COST = 0.10
REGULARISATION = 1.0
# Folds for the out-of-fold answerable probabilities the thresholds are read from: a model
# scores its own training questions too well, so their tail would promise too few false
# abstentions.
FOLDS = 5


def _log(message: str) -> None:
    print(message, file=sys.stderr)


@dataclass
class Example:
    """One dev question as the model sees it."""

    suite: str
    qid: str
    lang: str
    answerable: bool
    x: np.ndarray  # (candidates, EVIDENCE_FEATURES)
    labels: np.ndarray  # (candidates,) 1 where the sentence holds (part of) the answer
    exam: object = field(repr=False)
    sentence_langs: tuple = ()
    qa: dict = field(repr=False, default_factory=dict)
    hidden: tuple = ()  # question-level signals held at zero (an ablation)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def holds_answer(qa: dict, chunk, sentence) -> bool:
    """Whether a sentence holds (part of) a QA record's gold answer: it overlaps the answer's
    span, else it holds an evidence string (or lies inside one). An answer that runs over two
    sentences makes both positive: quoting them together cites it."""
    if isinstance(qa.get("source"), str) and isinstance(qa.get("start"), int):
        return chunk.source == qa["source"] and sentence.start < qa["end"] and qa["start"] < sentence.end
    text = _squash(sentence.text)
    for evidence in qa.get("evidence") or []:
        e = _squash(evidence)
        if e and (e in text or (len(text) >= 10 and text in e)):
            return True
    return False


def examples_of(bot, suite: str, records: list[dict], progress: bool = True) -> list[Example]:
    """Examine every question of a set with the given assistant."""
    from tqdm.auto import tqdm

    out = []
    for qa in tqdm(records, desc=f"Reading {suite}", unit="q", disable=not progress, leave=False):
        try:
            exam = bot.examine(qa["question"])
        except QuestionError:
            continue
        labels = np.array([qa["answerable"] and holds_answer(qa, p.chunk, p.chunk.sentences[i])
                           for p, i in exam.candidates], dtype=float)
        langs = tuple(p.chunk.sentences[i].lang for p, i in exam.candidates)
        out.append(Example(suite, qa["id"], qa["lang"], qa["answerable"], exam.x, labels, exam, langs, qa))
    return out


def read_set(settings: Settings, name: str, corpus: Path, records: list[dict], progress: bool = True) -> list[Example]:
    """Examples of one question set over its corpus (the index is built when needed)."""
    from assistant.index.store import open_index
    from assistant.pipeline import Assistant

    scoped = settings.with_overrides(corpus_dir=corpus)
    bot = Assistant(open_index(scoped, progress=progress, log=_log), scoped, model=AnswerModel.neutral())
    out = examples_of(bot, name, records, progress)
    _log(f"  {name}: {len(out)} questions")
    return out


def collect_general(settings: Settings, general_root: Path = GENERAL, split: str = "dev", limit: int | None = None,
                    progress: bool = True) -> list[Example]:
    """Examples from one split of every suite under ``general_root``."""
    return [e for s in find_suites(general_root)
            for e in read_set(settings, s.name, s.corpus, select(load_qa(s.qa), split, limit), progress)]


def _suite_weights(examples: list[Example]) -> np.ndarray:
    """A weight per example such that every suite sums to the same total."""
    counts: dict[str, int] = {}
    for e in examples:
        counts[e.suite] = counts.get(e.suite, 0) + 1
    mean = len(examples) / max(len(counts), 1)
    return np.array([mean / counts[e.suite] for e in examples])


def fit_evidence(examples: list[Example], prior: Linear | None = None) -> Linear:
    """The evidence model: for each answerable dev question, the candidates that hold the answer
    should outscore the rest (conditional logistic regression, each suite weighing the same)."""
    weights = _suite_weights(examples)
    groups = [(e.x, e.labels, w) for e, w in zip(examples, weights) if e.answerable and len(e.x)]
    if not groups:
        raise AssistantError("no dev question has its answer among the candidates: nothing to fit the evidence "
                             "model on; check that the QA set belongs to the corpus")
    return fit_listwise(EVIDENCE_FEATURES, groups, REGULARISATION, prior)


def signals(examples: list[Example], evidence: Linear) -> np.ndarray:
    out = np.array([e.exam.signals(evidence.logits(e.x)) if len(e.x) else np.zeros(len(ANSWERABLE_FEATURES))
                    for e in examples])
    for j, name in enumerate(ANSWERABLE_FEATURES):
        hide = np.array([name in e.hidden for e in examples])
        if hide.any():
            out[hide, j] = 0.0
    return out


def _balanced_weights(examples: list[Example], y: np.ndarray) -> np.ndarray:
    """Suite weights, with answerable and unanswerable questions of a suite weighing the same."""
    weights = _suite_weights(examples)
    for suite in {e.suite for e in examples}:
        idx = np.array([e.suite == suite for e in examples])
        for label in (0.0, 1.0):
            part = idx & (y == label)
            if part.any():
                weights[part] *= 0.5 * idx.sum() / part.sum()
    return weights * len(weights) / weights.sum()


def _fit_answerable_on(x: np.ndarray, y: np.ndarray, weights: np.ndarray, prior: Linear | None = None) -> Linear:
    return fit_logistic(ANSWERABLE_FEATURES, x, y, weights, REGULARISATION, prior)


def fit_answerable(examples: list[Example], evidence: Linear, prior: Linear | None = None) -> Linear:
    """The answerable model, each suite weighing the same and, within it, answerable and
    unanswerable questions weighing the same."""
    x = signals(examples, evidence)
    y = np.array([e.answerable for e in examples], dtype=float)
    if len(set(y)) < 2:
        raise AssistantError("the dev questions need both answerable and unanswerable ones to fit when to abstain")
    return _fit_answerable_on(x, y, _balanced_weights(examples, y), prior)


def _article(example: Example) -> str:
    """What a question is about, for folds that keep an article's questions together."""
    if example.qa.get("source"):
        return f"{example.suite}:{example.qa['source']}"
    return re.sub(r"^(?:zh|en)-(?:ooc-)?|_QUERY_\d+$", "", example.qid)


def out_of_fold(examples: list[Example], evidence: Linear, prior: Linear | None = None,
                folds: int = FOLDS) -> np.ndarray:
    """Each question's answerable probability from a model fitted without its article."""
    import hashlib

    x = signals(examples, evidence)
    y = np.array([e.answerable for e in examples], dtype=float)
    weights = _balanced_weights(examples, y)
    fold = np.array([int(hashlib.sha1(_article(e).encode()).hexdigest(), 16) % folds for e in examples])
    out = np.zeros(len(examples))
    for k in range(folds):
        train, held = fold != k, fold == k
        if not held.any() or len(set(y[train])) < 2:
            continue
        model = _fit_answerable_on(x[train], y[train], weights[train], prior)
        out[held] = sigmoid(model.logits(x[held]))
    return out


def direction_of(example: Example, evidence: Linear) -> str:
    z = evidence.logits(example.x)
    return f"{example.lang}→{example.sentence_langs[int(np.argmax(z))]}" if len(z) else f"{example.lang}→?"


def choose_thresholds(examples: list[Example], probs: np.ndarray, evidence: Linear,
                      target: float = TARGET_FALSE_ABSTENTION) -> tuple[dict, float, dict]:
    """Per direction, the probability under which ``target`` of its answerable dev questions fall.

    Returns:
        (thresholds by direction, the pooled threshold, what each threshold does on the dev
        questions: answerable and unanswerable counts, false abstention, abstention).
    """
    directions = np.array([direction_of(e, evidence) for e in examples])
    answerable = np.array([e.answerable for e in examples])

    def quantile(mask) -> float:
        return float(np.quantile(probs[mask & answerable], target))

    pooled = quantile(np.ones(len(examples), bool))
    out, report = {}, {}
    for d in sorted(set(directions)):
        mask = directions == d
        if (mask & answerable).sum() >= MIN_DIRECTION:
            out[str(d)] = round(quantile(mask), 6)
        t = out.get(str(d), pooled)
        report[str(d)] = {
            "answerable": int((mask & answerable).sum()), "unanswerable": int((mask & ~answerable).sum()),
            "threshold": round(t, 6),
            "false_abstention": round(float((probs[mask & answerable] < t).mean()), 4)
            if (mask & answerable).any() else None,
            "abstained_unanswerable": round(float((probs[mask & ~answerable] < t).mean()), 4)
            if (mask & ~answerable).any() else None}
    return out, round(pooled, 6), report


def cites(example: Example, scores: np.ndarray, margin: float, max_sentences: int = 3) -> tuple[bool, int]:
    """Whether the citations made from these evidence scores hold the gold answer (as the eval
    scores it), and how many characters they quote."""
    from assistant.answer.compose import _citations, select_evidence
    from assistant.evaluation.scoring import supports

    picks = select_evidence(example.exam.candidates, scores, margin, max_sentences)
    citations = _citations(picks, example.exam.facts.index.documents)
    hit = any(supports(c.to_dict(), example.qa, "quote") for c in citations)
    return hit, sum(c.end - c.start for c in citations)


def cited_at(examples: list[Example], evidence: Linear, margin: float, max_sentences: int = 3) -> dict[str, tuple]:
    """Per suite, (share of answerable questions whose citations hold the answer, mean
    characters quoted) when quoting every candidate within ``margin`` of the best."""
    out: dict[str, list] = {}
    for e in examples:
        if not e.answerable or not len(e.x):
            continue
        out.setdefault(e.suite, []).append(cites(e, evidence.logits(e.x), margin, max_sentences))
    return {s: (float(np.mean([h for h, _ in v])), float(np.mean([c for _, c in v]))) for s, v in out.items()}


def choose_margin(examples: list[Example], evidence: Linear) -> tuple[float, dict]:
    """The citation margin with the best mean over suites of (share of citations holding the
    answer) - SENTENCE_COST * (characters quoted / characters of one best sentence)."""
    one = cited_at(examples, evidence, 0.0, 1)
    table = {}
    for margin in MARGINS:
        at = cited_at(examples, evidence, margin)
        value = np.mean([at[s][0] - SENTENCE_COST * at[s][1] / max(one[s][1], 1.0) for s in at])
        table[margin] = (float(value), at)
    best = max(table, key=lambda m: (table[m][0], -m))
    return best, table


def fit(examples: list[Example], target: float = TARGET_FALSE_ABSTENTION, prior: AnswerModel | None = None,
        margin: float | None = None, evidence_only: list[Example] = ()) -> tuple[AnswerModel, dict]:
    """Both models, the thresholds and the citation margin from examples (adapted from
    ``prior`` when given; ``evidence_only`` examples teach the evidence model alone); returns the
    model (without embedder and provenance) and what it does on the examples."""
    evidence = fit_evidence(list(examples) + list(evidence_only), prior.evidence if prior else None)
    answerable = fit_answerable(examples, evidence, prior.answerable if prior else None)
    probs = out_of_fold(examples, evidence, prior.answerable if prior else None)
    thresholds, pooled, report = choose_thresholds(examples, probs, evidence, target)
    if margin is None:
        margin, margins = choose_margin(examples, evidence)
        cited = margins[margin][1]
    else:
        cited = cited_at(examples, evidence, margin)
    summary = {"directions": report, "citations": {s: {"holds_answer": round(v[0], 4), "chars": round(v[1], 1)}
                                                   for s, v in cited.items()}}
    return AnswerModel(evidence, answerable, thresholds, pooled, margin, 3), summary


def _provenance(command: str, examples: list[Example], target: float, summary: dict, **more) -> dict:
    suites = sorted({e.suite for e in examples})
    return {"command": command, "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "python": platform.python_version(),
            "data": {s: {"questions": sum(e.suite == s for e in examples),
                         "answerable": sum(e.suite == s and e.answerable for e in examples)} for s in suites},
            "target_false_abstention": target, "sentence_cost": SENTENCE_COST, **more, **summary}


def calibrate_general(settings: Settings, general_root: Path = GENERAL, limit: int | None = None,
                      target: float = TARGET_FALSE_ABSTENTION, progress: bool = True,
                      command: str = "python -m assistant calibrate", paper: bool = True) -> tuple[AnswerModel, dict]:
    """The general model, from the dev split of every general suite (and, for the evidence
    model, the bundled corpus's dev set unless ``paper`` is False)."""
    from dataclasses import replace

    from assistant.index.embedders import load_embedder

    examples = collect_general(settings, general_root, "dev", limit, progress)
    extra = read_set(settings, "bundled/dev", settings.corpus_dir, select(load_qa(PAPER_DEV), "all", limit), progress) \
        if paper and PAPER_DEV.exists() else []
    model, summary = fit(examples, target, evidence_only=extra)
    provenance = _provenance(command, examples, target, summary, split="dev",
                             evidence_also={"bundled/dev": len(extra)} if extra else {})
    return replace(model, embedder=load_embedder(settings.embedder).id, provenance=provenance), summary


def calibrate_corpus(settings: Settings, corpus: Path, qa: Path, limit: int | None = None,
                     target: float = TARGET_FALSE_ABSTENTION, progress: bool = True,
                     command: str = "") -> tuple[AnswerModel, dict]:
    """The general model adapted to one corpus with a dev set of its questions (the citation
    margin stays the general one: a few hundred questions do not settle it)."""
    from dataclasses import replace

    from assistant.answer.model import model_path

    general = load_model(model_path(settings.embedder))
    examples = read_set(settings, f"{Path(corpus).name}/{Path(qa).stem}", corpus, select(load_qa(qa), "all", limit),
                        progress)
    model, summary = fit(examples, target, prior=general, margin=general.cite_margin)
    provenance = _provenance(command, examples, target, summary, adapted_from=str(model_path(settings.embedder).name),
                             general_fitted=general.provenance.get("date"))
    return replace(model, embedder=general.embedder, provenance=provenance), summary


def run_calibrate(args, settings: Settings) -> int:
    """The ``calibrate`` command: fit, print what the model does on its dev questions, save it
    (with ``--ablate``: print what each group of signals buys instead, saving nothing)."""
    if getattr(args, "ablate", False):
        table = ablation_table(ablate(settings, Path(args.general_root or GENERAL), args.limit))
        out = PROJECT_ROOT / "evals" / "report" / "ablation.md"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text("# What each signal buys\n\nReproduce: `python -m assistant calibrate --ablate`\n\n"
                       + table + "\n", encoding="utf-8")
        print(table)
        _log(f"Wrote {out}")
        return 0
    parts = ["python -m assistant calibrate"]
    if args.corpus:
        if not args.qa:
            raise AssistantError("--corpus needs --qa DEV.jsonl: the questions to adapt the model to that corpus with")
        parts += [f"--corpus {args.corpus}", f"--qa {args.qa}"]
    if args.limit:
        parts.append(f"--limit {args.limit}")
    if args.target != TARGET_FALSE_ABSTENTION:
        parts.append(f"--target {args.target}")
    if args.no_paper:
        parts.append("--no-paper")
    command = " ".join(parts)
    if args.corpus:
        model, summary = calibrate_corpus(settings, Path(args.corpus), Path(args.qa), args.limit, args.target,
                                          command=command)
        out = Path(args.out or Path(args.corpus) / CORPUS_MODEL)
    else:
        model, summary = calibrate_general(settings, Path(args.general_root or GENERAL), args.limit, args.target,
                                           command=command, paper=not args.no_paper)
        out = Path(args.out or DEFAULT_MODEL)
    model.save(out)
    print("| direction | answerable | unanswerable | threshold | false abstention | unanswerable abstained |")
    print("|---|---|---|---|---|---|")
    for d, r in summary["directions"].items():
        fa = "–" if r["false_abstention"] is None else f"{r['false_abstention']:.3f}"
        ab = "–" if r["abstained_unanswerable"] is None else f"{r['abstained_unanswerable']:.3f}"
        print(f"| {d} | {r['answerable']} | {r['unanswerable']} | {r['threshold']:.3f} | {fa} | {ab} |")
    print(f"\ncitation margin {model.cite_margin}:")
    print("| set | citation holds the answer | chars quoted |\n|---|---|---|")
    for s, c in summary["citations"].items():
        print(f"| {s} | {c['holds_answer']:.3f} | {c['chars']:.0f} |")
    _log(f"Wrote {out}")
    return 0


# ----- what each signal buys -----

def without(examples: list[Example], names: tuple[str, ...]) -> list[Example]:
    """Copies of the examples with the named signals held at zero."""
    from dataclasses import replace

    columns = [j for j, f in enumerate(EVIDENCE_FEATURES) if f in names]
    out = []
    for e in examples:
        x = e.x.copy()
        if len(x):
            x[:, columns] = 0.0
        out.append(replace(e, x=x, hidden=tuple(names)))
    return out


def scores_of(examples: list[Example], model: AnswerModel) -> dict[str, dict]:
    """Per set, what the model does on its questions: citation holds the answer (abstentions
    count as misses), false abstention, unanswerable questions abstained on, characters quoted."""
    out: dict[str, dict] = {}
    probs = sigmoid(model.answerable.logits(signals(examples, model.evidence))) if examples else []
    for e, prob in zip(examples, probs):
        row = out.setdefault(e.suite, {"cited": [], "fa": [], "abstained": [], "chars": []})
        abstains = prob < model.threshold(direction_of(e, model.evidence)) or not len(e.x)
        if not e.answerable:
            row["abstained"].append(abstains)
            continue
        row["fa"].append(abstains)
        hit, chars = cites(e, model.evidence.logits(e.x), model.cite_margin) if len(e.x) else (False, 0)
        row["cited"].append(hit and not abstains)
        if not abstains:
            row["chars"].append(chars)
    return {s: {k: float(np.mean(v)) if v else None for k, v in r.items()} for s, r in out.items()}


def ablate(settings: Settings, general_root: Path = GENERAL, limit: int | None = None,
           progress: bool = True) -> dict[str, dict]:
    """Fit the general model, and the bundled corpus's adapted one, with every signal and then
    without each group of ``SIGNAL_GROUPS``; score them on the test split of the general sets
    and on the corpus's held-out sets (``evals/qa.jsonl``, ``evals/holdout.jsonl``)."""
    from assistant.answer.features import SIGNAL_GROUPS

    dev = collect_general(settings, general_root, "dev", limit, progress)
    test = collect_general(settings, general_root, "test", limit, progress)
    paper = {name: read_set(settings, f"bundled/{name}", settings.corpus_dir,
                            select(load_qa(PROJECT_ROOT / "evals" / f"{name}.jsonl"), "all", limit), progress)
             for name in ("dev", "qa", "holdout")}
    out = {}
    for name, group in [("every signal", ())] + list(SIGNAL_GROUPS.items()):
        general, _ = fit(without(dev, group), evidence_only=without(paper["dev"], group))
        adapted, _ = fit(without(paper["dev"], group), prior=general, margin=general.cite_margin)
        out[name] = {**scores_of(without(test, group), general),
                     **scores_of(without(paper["qa"] + paper["holdout"], group), adapted)}
        _log(f"  ablation: {name}")
    return out


def ablation_table(results: dict[str, dict]) -> str:
    """Markdown: per ablation, the general sets' means (citation holds the answer, false
    abstention, out-of-corpus abstained) and the seed paper's held-out sets, each with its
    change against every signal."""
    def mean(row: dict, key: str, general: bool) -> float:
        values = [v[key] for s, v in row.items() if (not s.startswith("bundled/")) == general and v[key] is not None]
        return float(np.mean(values)) if values else float("nan")

    columns = (("cited", True, "general: citation holds the answer"), ("fa", True, "general: false abstention"),
               ("abstained", True, "general: out-of-corpus abstained"), ("cited", False, "paper: citation holds the answer"),
               ("abstained", False, "paper: unanswerable abstained"))
    base = results["every signal"]
    lines = ["| signals | " + " | ".join(title for _, _, title in columns) + " |", "|---|" + "---|" * len(columns)]
    for name, row in results.items():
        cells = []
        for key, general, _ in columns:
            value, ref = mean(row, key, general), mean(base, key, general)
            cells.append(f"{value:.3f}" if name == "every signal" else f"{value:.3f} ({value - ref:+.3f})")
        label = name if name == "every signal" else f"without {name}"
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
