"""Evaluation on any corpus with a question set beside it: ``python -m assistant eval --general``.

A *suite* is one question file and the corpus it asks about: every ``qa_*.jsonl`` under a
folder of ``evals/general/`` that has a ``corpus/`` (XQuAD in Chinese, in English and mixed;
CMRC 2018). Each suite is answered by the assistant over its own index and scored by the gold
answer's span; the report shows one row per suite, one per direction (question language →
language of the answer's document), and per suite the trade-off between wrongly abstaining on
answerable questions and abstaining on out-of-corpus ones as the abstention threshold moves.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from assistant.errors import AssistantError
from assistant.evaluation.qa import load_qa, write_jsonl
from assistant.evaluation.report import markdown_table
from assistant.evaluation.scoring import score
from assistant.ingest.sentences import detect_lang
from assistant.settings import PROJECT_ROOT, Settings

GENERAL = PROJECT_ROOT / "evals" / "general"
# (metric, column title) of the suite tables; the direction tables pool answerable questions only,
# so they leave out-of-corpus abstention out.
COLUMNS = (("n", "questions"), ("hit@1", "hit@1"), ("hit@5", "hit@5"), ("answer_cited", "citation holds the answer"),
           ("first_line_fact", "first line holds the answer"), ("false_abstention_rate", "false abstention"),
           ("abstain_recall", "out-of-corpus abstained"), ("chars_cited", "chars cited"),
           ("latency", "latency ms p50/p95"))
DIRECTION_COLUMNS = tuple(c for c in COLUMNS if c[0] != "abstain_recall")


def _log(message: str) -> None:
    print(message, file=sys.stderr)


@dataclass(frozen=True)
class Suite:
    """One question file and the corpus it asks about.

    Shape: ``Suite(name='xquad-en/qa_zh', corpus=Path('evals/general/xquad-en/corpus'),
    qa=Path('evals/general/xquad-en/qa_zh.jsonl'))``
    """

    name: str
    corpus: Path
    qa: Path


def find_suites(root: Path = GENERAL, names: list[str] | None = None) -> list[Suite]:
    """Every ``<set>/qa_*.jsonl`` with a ``<set>/corpus/`` under ``root``, sorted.

    Args:
        root: the folder of sets.
        names: keep only suites whose name (``xquad-en/qa_zh``) or set (``xquad-en``) is listed.

    Raises:
        AssistantError: when nothing matches.
    """
    root = Path(root)
    suites = [Suite(f"{qa.parent.name}/{qa.stem}", qa.parent / "corpus", qa)
              for qa in sorted(root.glob("*/qa_*.jsonl")) if (qa.parent / "corpus").is_dir()]
    if names:
        suites = [s for s in suites if s.name in names or s.name.split("/")[0] in names]
    if not suites:
        wanted = f" named {', '.join(names)}" if names else ""
        raise AssistantError(f"no question sets{wanted} under {root}: each set is a folder with corpus/ and "
                             "qa_<lang>.jsonl")
    return suites


def select(records: list[dict], split: str = "all", limit: int | None = None) -> list[dict]:
    """The records of one split ('dev', 'test' or 'all'), thinned evenly to at most ``limit``.

    >>> rows = [{"id": str(i), "split": "dev" if i % 2 else "test"} for i in range(10)]
    >>> [r["id"] for r in select(rows, "dev", limit=3)]
    ['1', '3', '7']
    """
    chosen = [r for r in records if split == "all" or r.get("split", "dev") == split]
    if limit and len(chosen) > limit:
        step = len(chosen) / limit
        chosen = [chosen[int(i * step)] for i in range(limit)]
    return chosen


def annotate(records: list[dict], documents: dict[str, str]) -> list[dict]:
    """Copies of the records with ``doc_lang`` (the language of an answer's document) and
    ``corpus_lang`` ('zh', 'en' or 'mixed'), which the scorer's directions use."""
    langs = {source: detect_lang(text) for source, text in documents.items()}
    corpus_lang = next(iter(set(langs.values()))) if len(set(langs.values())) == 1 else "mixed"
    return [{**r, "doc_lang": langs.get(r.get("source")), "corpus_lang": corpus_lang} for r in records]


def run_suite(suite: Suite, settings: Settings, split: str = "all", limit: int | None = None,
              progress: bool = True) -> dict:
    """Answer and score one suite.

    Returns:
        ``{"suite", "qa", "predictions", "scores", "index"}`` (the QA records as annotated).
    """
    from assistant.evaluation.run import predict
    from assistant.pipeline import Assistant

    records = select(load_qa(suite.qa), split, limit)
    if not records:
        raise AssistantError(f"{suite.qa} has no questions in split {split!r}")
    bot = Assistant.load(settings.with_overrides(corpus_dir=suite.corpus), progress=progress, log=_log)
    records = annotate(records, bot.index.documents)
    predictions = predict(bot, records, progress)
    return {"suite": suite, "qa": records, "predictions": predictions, "scores": score(records, predictions),
            "index": bot.index.manifest}


def tradeoff(question_scores: list[dict]) -> list[tuple[float, float, float]]:
    """(threshold, false abstention, out-of-corpus abstention) as the abstention threshold on the
    predictions' ``confidence`` moves from never abstaining to always abstaining.

    >>> rows = [{"answerable": True, "confidence": 0.9}, {"answerable": False, "confidence": 0.2}]
    >>> tradeoff(rows)
    [(0.0, 0.0, 0.0), (0.2000001, 0.0, 1.0), (0.9000001, 1.0, 1.0)]
    """
    scored = [r for r in question_scores if r.get("confidence") is not None]
    answerable = [r["confidence"] for r in scored if r["answerable"]]
    unanswerable = [r["confidence"] for r in scored if not r["answerable"]]
    if not answerable or not unanswerable:
        return []
    points = [(0.0, 0.0, 0.0)]
    for t in sorted({c + 1e-7 for c in answerable + unanswerable}):
        points.append((round(t, 7), sum(c < t for c in answerable) / len(answerable),
                       sum(c < t for c in unanswerable) / len(unanswerable)))
    return points


def plot_tradeoff(runs: list[dict], path: Path) -> Path:
    """One curve per suite: out-of-corpus abstention against false abstention, with the
    assistant's own operating point marked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 5))
    for run in runs:
        questions = run["scores"]["questions"]
        points = tradeoff(questions)
        if not points:
            continue
        line, = ax.plot([p[1] for p in points], [p[2] for p in points], label=run["suite"].name, lw=1.3)
        overall = run["scores"]["overall"]
        ax.plot([overall["false_abstention_rate"] or 0.0], [overall["abstain_recall"] or 0.0], "o",
                color=line.get_color())
    ax.axvline(0.05, color="grey", ls=":", lw=1)
    ax.axhline(0.85, color="grey", ls=":", lw=1)
    ax.set_xlim(0, 0.3)
    ax.set_ylim(0, 1.01)
    ax.set_xlabel("false abstention (answerable questions abstained on)")
    ax.set_ylabel("out-of-corpus questions abstained on")
    ax.set_title("Abstention trade-off per suite (dot: the assistant's thresholds)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def _pooled(runs: list[dict]) -> dict:
    """Scores of every suite's answerable questions pooled, grouped by direction."""
    from assistant.evaluation.scoring import aggregate

    questions = [q for run in runs for q in run["scores"]["questions"] if q["answerable"]]
    directions = sorted({q["direction"] for q in questions})
    return {d: aggregate([q for q in questions if q["direction"] == d]) for d in directions}


def render(runs: list[dict], meta: dict) -> str:
    """The Markdown report of a general run."""
    suites = {run["suite"].name: run["scores"]["overall"] for run in runs}
    return "\n\n".join([
        "# Evaluation on the general sets",
        f"{len(runs)} suites · split `{meta['split']}` · embedder `{meta['embedder']}` · {meta['date']}\n\n"
        f"Reproduce: `{meta['command']}`",
        "## Per suite\n\n" + markdown_table(suites, COLUMNS, "set / questions"),
        "A citation holds the answer when its span in the answer's file contains the gold answer span; "
        "abstentions count as misses. False abstention is over answerable questions, out-of-corpus "
        "abstention over the questions about articles the corpus does not hold. Chars cited: mean "
        "characters quoted per answered question.",
        "## Answerable questions by direction (question → document language)\n\n"
        + markdown_table(_pooled(runs), DIRECTION_COLUMNS, "direction"),
        "![abstention trade-off](tradeoff.png)",
    ]) + "\n"


def run_general(args, settings: Settings) -> int:
    """``eval --general``: every suite, one table, one report folder.

    Args:
        args: parsed ``eval`` arguments (``general_root``, ``sets``, ``split``, ``limit``, ``report``, ``json``).
        settings: index and retrieval settings (the corpus folder is each suite's own).
    """
    root = Path(args.general_root or GENERAL)
    report_dir = Path(args.report or PROJECT_ROOT / "evals" / "report" / "general")
    report_dir.mkdir(parents=True, exist_ok=True)
    runs = []
    for suite in find_suites(root, args.sets):
        _log(f"Suite {suite.name}")
        run = run_suite(suite, settings, args.split, args.limit)
        write_jsonl(report_dir / f"predictions-{suite.name.replace('/', '-')}.jsonl", run["predictions"])
        runs.append(run)
    command = ["python -m assistant eval --general"]
    command += [f"--split {args.split}"] if args.split != "all" else []
    command += [f"--limit {args.limit}"] if args.limit else []
    command += [f"--sets {' '.join(args.sets)}"] if args.sets else []
    meta = {"split": args.split, "limit": args.limit, "embedder": runs[0]["index"]["embedder_id"],
            "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "command": " ".join(command)}
    summary = {"meta": meta, "suites": {run["suite"].name: run["scores"]["overall"] for run in runs},
               "directions": _pooled(runs),
               "tradeoff": {run["suite"].name: tradeoff(run["scores"]["questions"]) for run in runs}}
    (report_dir / "report.json").write_text(json.dumps(
        {**summary, "questions": {run["suite"].name: run["scores"]["questions"] for run in runs}},
        ensure_ascii=False, indent=1), encoding="utf-8")
    (report_dir / "report.md").write_text(render(runs, meta), encoding="utf-8")
    plot_tradeoff(runs, report_dir / "tradeoff.png")
    _log(f"Wrote {report_dir / 'report.md'}, report.json and tradeoff.png")
    if args.json:
        print(json.dumps({k: summary[k] for k in ("meta", "suites", "directions")}, ensure_ascii=False))
    else:
        print(markdown_table(summary["suites"], COLUMNS, "set / questions"))
        print()
        print(markdown_table(summary["directions"], DIRECTION_COLUMNS, "direction"))
    return 0
