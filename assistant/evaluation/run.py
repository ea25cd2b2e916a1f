"""``python -m assistant eval``: answer a QA set, score it (and the baselines), write the report."""

from __future__ import annotations

import json
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from assistant.pipeline import Assistant
from assistant.errors import QuestionError
from assistant.settings import PROJECT_ROOT, Settings
from .baselines import run_baselines
from .qa import load_predictions, load_qa, write_jsonl
from .report import BY_LANG, markdown_table, write_report
from .scoring import score

DEFAULT_QA = PROJECT_ROOT / "evals" / "qa.jsonl"
DEFAULT_REPORT = PROJECT_ROOT / "evals" / "report"
MAIN = "assistant"


def _log(message: str) -> None:
    print(message, file=sys.stderr)


def _answer(assistant: Assistant, qa: dict) -> dict:
    """One prediction record, timed; a rejected question becomes an abstention with its error."""
    started = time.perf_counter()
    try:
        record = assistant.ask(qa["question"], id=qa["id"]).to_dict()
    except QuestionError as exc:
        record = {"id": qa["id"], "question": qa["question"], "lang": qa["lang"], "answer": "", "abstained": True,
                  "citations": [], "passages": [], "error": str(exc)}
    record["latency_ms"] = round((time.perf_counter() - started) * 1000, 3)
    return record


def predict(assistant: Assistant, qa_records: list[dict], progress: bool = True) -> list[dict]:
    """Ask the assistant every question.

    Args:
        assistant: a loaded assistant.
        qa_records: the questions (QA records; only ``id``, ``question`` and ``lang`` are read).
        progress: show a progress bar on stderr.

    Returns:
        One ``Answer.to_dict()`` record per question, plus ``latency_ms`` (the time ``ask`` took).
    """
    from tqdm.auto import tqdm

    if qa_records:
        # One untimed question first: jieba's dictionary and the model warm up on the first call.
        _answer(assistant, qa_records[0])
    return [_answer(assistant, qa) for qa in tqdm(qa_records, desc="Answering", unit="q", disable=not progress)]


def evaluate(assistant: Assistant, qa_records: list[dict], progress: bool = False) -> dict:
    """Answer and score a QA set in one call (for tests and regression gates).

    >>> scores = evaluate(Assistant.load(), load_qa(DEFAULT_QA))   # doctest: +SKIP
    >>> scores["overall"]["hit@5"]                                  # doctest: +SKIP
    0.91

    Args:
        assistant: a loaded assistant.
        qa_records: validated QA records (:func:`load_qa`).
        progress: show a progress bar on stderr.

    Returns:
        ``{"overall", "by_lang", "by_type", "questions"}`` as from :func:`scoring.score`.
    """
    return score(qa_records, predict(assistant, qa_records, progress))


def _shown(path: Path) -> str:
    path = Path(path).resolve()
    return str(path.relative_to(PROJECT_ROOT)) if path.is_relative_to(PROJECT_ROOT) else str(path)


def _command(args, settings: Settings) -> str:
    """The command line that reproduces this run."""
    default = Settings()
    parts = ["python -m assistant eval"]
    if args.qa:
        parts.append(f"--qa {_shown(args.qa)}")
    if args.score_only:
        parts.append(f"--score-only {_shown(args.score_only)}")
    if args.baselines:
        parts.append("--baselines")
    for flag, name in (("--embedder", "embedder"), ("--chunk-size", "chunk_size"), ("-k", "k")):
        if getattr(settings, name) != getattr(default, name):
            parts.append(f"{flag} {getattr(settings, name)}")
    return " ".join(parts)


def _print_summary(runs: dict[str, dict], as_json: bool) -> None:
    if as_json:
        main = runs[MAIN]["scores"]
        out = {**main["overall"], "by_lang": main["by_lang"], "by_type": main["by_type"],
               "baselines": {name: run["scores"]["overall"] for name, run in runs.items() if name != MAIN}}
        print(json.dumps(out, ensure_ascii=False))
    else:
        print(markdown_table({name: run["scores"]["overall"] for name, run in runs.items()}))
        print()
        print(markdown_table(runs[MAIN]["scores"]["by_lang"], BY_LANG, f"{MAIN} by language"))


def run_eval(args, settings: Settings) -> int:
    """Run the evaluation the CLI asked for.

    Args:
        args: parsed ``eval`` arguments: ``qa``, ``predictions_out``, ``report``, ``baselines``, ``json``,
            ``score_only`` (None when not given).
        settings: index and retrieval settings.

    Returns:
        The exit code (0).
    """
    if getattr(args, "general", False):
        from assistant.evaluation.general import run_general

        return run_general(args, settings)
    qa_path = Path(args.qa or DEFAULT_QA)
    report_dir = Path(args.report or DEFAULT_REPORT)
    qa_records = load_qa(qa_path)
    assistant = None
    if args.score_only:
        predictions = load_predictions(args.score_only)
        if args.predictions_out:
            _log("--predictions-out is ignored with --score-only: the predictions already exist")
    else:
        assistant = Assistant.load(settings, log=_log)
        predictions = predict(assistant, qa_records)
        out = write_jsonl(args.predictions_out or report_dir / "predictions.jsonl", predictions)
        _log(f"Wrote {len(predictions)} predictions to {out}")
    runs = {MAIN: {"scores": score(qa_records, predictions), "predictions": predictions}}
    if args.baselines:
        assistant = assistant or Assistant.load(settings, log=_log)
        for name, preds in run_baselines(assistant.index, assistant.embedder, qa_records, settings.k).items():
            write_jsonl(report_dir / f"predictions-{name}.jsonl", preds)
            runs[name] = {"scores": score(qa_records, preds), "predictions": preds}
    meta = {"qa": _shown(qa_path), "questions": len(qa_records),
            "predictions": _shown(args.score_only) if args.score_only else None,
            # Scored from a file, the embedder and k that made the predictions are unknown.
            "embedder": None if args.score_only else assistant.index.manifest["embedder_id"],
            "k": None if args.score_only else settings.k,
            "depth": max(len(p.get("passages") or []) for p in predictions),
            "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "command": _command(args, settings)}
    paths = write_report(report_dir, runs, qa_records, meta, MAIN)
    _log(f"Wrote {paths['markdown']}, {paths['json'].name} and {paths['plot'].name}")
    _print_summary(runs, args.json)
    return 0
