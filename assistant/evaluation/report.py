"""The evaluation report: report.json for machines, report.md and hitk.png for people."""

from __future__ import annotations

import json
from pathlib import Path

from .scoring import contains_evidence

# (metric, column title) of the headline table.
HEADLINE = (("hit@1", "hit@1"), ("hit@5", "hit@5"), ("mrr", "MRR"), ("ndcg@10", "nDCG@10"),
            ("citation_recall", "cit. recall"), ("citation_precision", "cit. precision"),
            ("answer_keyfact", "key facts"), ("first_line_fact", "first line"), ("abstain_recall", "abstain recall"),
            ("false_abstention_rate", "false abstention"), ("latency", "latency ms p50/p95"))
BREAKDOWN = (("n", "n"), ("hit@1", "hit@1"), ("hit@5", "hit@5"), ("mrr", "MRR"),
             ("citation_recall", "cit. recall"), ("citation_precision", "cit. precision"),
             ("evidence_coverage", "evidence coverage"), ("answer_keyfact", "key facts"),
             ("first_line_fact", "first line"), ("answer_f1", "F1"),
             ("abstain_precision", "abstain precision"), ("abstain_recall", "abstain recall"),
             ("false_abstention_rate", "false abstention"))
# The main system by language, printed after the headline: how often the first line states the answer.
BY_LANG = (("n", "n"), ("hit@1", "hit@1"), ("citation_recall", "cit. recall"), ("answer_keyfact", "key facts"),
           ("first_line_fact", "first line"), ("false_abstention_rate", "false abstention"))
CELL = 70  # characters of a passage or quote shown in the failures table


def _fmt(metrics: dict, key: str) -> str:
    if key == "latency":
        p50, p95 = metrics.get("latency_median_ms"), metrics.get("latency_p95_ms")
        return "–" if p50 is None else f"{p50:.1f} / {p95:.1f}"
    value = metrics.get(key)
    if value is None:
        return "–"
    if key == "chars_cited":
        return f"{value:.0f}"
    return str(value) if key == "n" else f"{value:.3f}"


def markdown_table(rows: dict[str, dict], columns=HEADLINE, first: str = "system") -> str:
    """A Markdown table: one row per name, one column per metric (``–`` where undefined).

    >>> print(markdown_table({"bm25": {"hit@1": 0.5, "n": 4}}, (("n", "n"), ("hit@1", "hit@1"))))
    | system | n | hit@1 |
    |---|---|---|
    | bm25 | 4 | 0.500 |
    """
    lines = [f"| {first} | " + " | ".join(title for _, title in columns) + " |",
             "|---|" + "---|" * len(columns)]
    lines += [f"| {name} | " + " | ".join(_fmt(m, key) for key, _ in columns) + " |" for name, m in rows.items()]
    return "\n".join(lines)


def _cell(text: str, limit: int = CELL) -> str:
    text = " ".join(str(text).split()).replace("|", "\\|")
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _diagnosis(q: dict, prediction: dict, evidence: list[str]) -> str:
    if not q["answerable"]:
        return "answered an unanswerable question"
    where = f"evidence at rank {q['rank']}" if q["rank"] else "evidence not retrieved"
    if q["abstained"]:
        return f"abstained; {where}" if not q.get("error") else f"rejected: {q['error']}"
    if any(contains_evidence(c.get("quote", ""), evidence) for c in prediction.get("citations") or []):
        return "cited"
    return f"{where}, not cited" if q["rank"] else where


def failures(scores: dict, predictions: list[dict], qa_records: list[dict]) -> list[dict]:
    """Questions the system got wrong: answerable ones without a supporting citation (abstentions
    included), and unanswerable ones it answered.

    Returns:
        Rows with id, question, evidence, top passage, cited quotes and a diagnosis.
    """
    qa_by_id = {q["id"]: q for q in qa_records}
    pred_by_id = {str(p["id"]): p for p in predictions}
    rows = []
    for q in scores["questions"]:
        wrong = not q["cited_support"] if q["answerable"] else not q["abstained"]
        if not wrong:
            continue
        qa, pred = qa_by_id[q["id"]], pred_by_id[q["id"]]
        passages = pred.get("passages") or []
        cited = " / ".join(c.get("quote", "") for c in pred.get("citations") or [])
        rows.append({"id": q["id"], "question": qa["question"], "evidence": " / ".join(qa["evidence"]) or "(none)",
                     "top_passage": passages[0]["text"] if passages else "",
                     "cited": "(abstained)" if q["abstained"] else cited or "(no citation)",
                     "diagnosis": _diagnosis(q, pred, qa["evidence"])})
    return rows


def _failures_table(rows: list[dict]) -> str:
    if not rows:
        return "No failures."
    lines = ["| id | question | expected evidence | top retrieved passage | cited | diagnosis |",
             "|---|---|---|---|---|---|"]
    lines += [f"| {r['id']} | {_cell(r['question'], 60)} | {_cell(r['evidence'], 60)} | {_cell(r['top_passage'])} "
              f"| {_cell(r['cited'])} | {_cell(r['diagnosis'], 60)} |" for r in rows]
    return "\n".join(lines)


def plot_hitk(systems: dict[str, dict], path: Path) -> Path:
    """Grouped bars of hit@1/3/5 per language (one panel each), one bar per system.

    Args:
        systems: ``{name: scores}`` as returned by :func:`assistant.evaluation.scoring.score`.
        path: the PNG to write.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    langs = sorted({lang for s in systems.values() for lang in s["by_lang"]})
    ks = ("hit@1", "hit@3", "hit@5")
    fig, axes = plt.subplots(1, len(langs), figsize=(5 * len(langs), 4), sharey=True, squeeze=False)
    width = 0.8 / max(len(systems), 1)
    for ax, lang in zip(axes[0], langs):
        for i, (name, scores) in enumerate(systems.items()):
            metrics = scores["by_lang"].get(lang, {})
            values = [metrics.get(k) or 0.0 for k in ks]
            ax.bar(np.arange(len(ks)) + (i - (len(systems) - 1) / 2) * width, values, width, label=name)
        ax.set_xticks(np.arange(len(ks)), ks)
        ax.set_ylim(0, 1)
        ax.set_title(f"{'Chinese' if lang == 'zh' else 'English'} questions ({lang})")
        ax.grid(axis="y", alpha=0.3)
    axes[0][0].set_ylabel("share of answerable questions")
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=len(labels), frameon=False)
    fig.suptitle("Retrieval hit@k: gold evidence among the top k passages")
    fig.tight_layout(rect=(0, 0.07, 1, 1))  # leave the bottom strip to the legend
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def render_markdown(runs: dict[str, dict], qa_records: list[dict], meta: dict, main: str = "assistant",
                    failure_rows: list[dict] | None = None) -> str:
    """The Markdown report: headline table, the main system by language and type, its failures."""
    scores = runs[main]["scores"]
    rows = failures(scores, runs[main]["predictions"], qa_records) if failure_rows is None else failure_rows
    return "\n\n".join([
        "# Evaluation report",
        f"QA set `{meta.get('qa')}` ({len(qa_records)} questions) · embedder `{meta.get('embedder') or 'unknown'}` · "
        f"k = {meta.get('k') or 'unknown'} passages · {meta.get('date', '')}\n\nReproduce: `{meta.get('command')}`",
        "## Headline\n\n" + markdown_table({name: run["scores"]["overall"] for name, run in runs.items()}),
        "Support is evidence containment (whitespace-insensitive): a passage is relevant, and a citation "
        "supports, when it holds a gold evidence string. Retrieval is over answerable questions and the "
        f"passages each system returned (nDCG@10 is over at most {meta.get('depth')} passages); citations, key "
        "facts and F1 over answerable questions that were answered.",
        f"## {main} by language\n\n" + markdown_table(scores["by_lang"], BREAKDOWN, "lang"),
        f"## {main} by question type\n\n" + markdown_table(scores["by_type"], BREAKDOWN, "type"),
        "![hit@k per language and system](hitk.png)",
        f"## Failures of {main} ({len(rows)})\n\n" + _failures_table(rows),
    ]) + "\n"


def write_report(out_dir: Path, runs: dict[str, dict], qa_records: list[dict], meta: dict,
                 main: str = "assistant") -> dict[str, Path]:
    """Write report.json, report.md and hitk.png.

    Args:
        out_dir: the report folder (created when missing).
        runs: ``{system: {"scores": score(...), "predictions": [...]}}``; ``main`` must be among them.
        qa_records: the QA set the runs were scored on.
        meta: what was run (qa path, embedder, k, date, command), copied into both reports.
        main: the system the breakdowns and failures are shown for.

    Returns:
        ``{"json": path, "markdown": path, "plot": path}``.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"json": out_dir / "report.json", "markdown": out_dir / "report.md", "plot": out_dir / "hitk.png"}
    rows = failures(runs[main]["scores"], runs[main]["predictions"], qa_records)
    report = {"meta": meta, "systems": {name: run["scores"] for name, run in runs.items()}, "failures": rows}
    paths["json"].write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    paths["markdown"].write_text(render_markdown(runs, qa_records, meta, main, rows), encoding="utf-8")
    plot_hitk({name: run["scores"] for name, run in runs.items()}, paths["plot"])
    return paths
