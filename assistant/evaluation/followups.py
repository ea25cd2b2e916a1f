"""Follow-up resolution measured on evals/followups.jsonl: ``python -m assistant.evaluation.followups``.

Each follow-up is asked three ways (resolved from its first question, alone, and as
resolved by hand) and counted as answered when its citations hold the evidence.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from assistant.settings import PROJECT_ROOT

FOLLOWUPS = PROJECT_ROOT / "evals" / "followups.jsonl"
REPORT = PROJECT_ROOT / "evals" / "followup_report.md"


def cites(answer, evidence: Sequence[str]) -> bool:
    """Whether every evidence string is inside one of the answer's citations (whitespace ignored)."""
    quotes = [re.sub(r"\s+", "", c.quote) for c in answer.citations]
    return all(any(re.sub(r"\s+", "", e) in q for q in quotes) for e in evidence)


@dataclass(frozen=True)
class FollowupScore:
    """How often the follow-up's answer cites its evidence, asked three ways.

    Shape: ``FollowupScore(pairs=26, with_history=17, alone=12, hand_resolved=18, rows=(...))``
    """

    pairs: int
    with_history: int  # resolved from the first question by resolve()
    alone: int  # the follow-up asked as typed, no history
    hand_resolved: int  # the hand-written standalone question: what the answerer can do at best
    rows: tuple[dict, ...]

    def rate(self, which: str) -> float:
        return getattr(self, which) / self.pairs if self.pairs else 0.0


def measure(bot, rows: Sequence[dict]) -> FollowupScore:
    """Ask each follow-up with the first question as history, alone, and as resolved by hand.

    Args:
        bot: an :class:`~assistant.Assistant`.
        rows: records with first, followup, followup_resolved and evidence (evals/followups.jsonl).
    """
    out = []
    for row in rows:
        answer, res = bot.ask_followup(row["followup"], [row["first"]])
        hits = {"with_history": cites(answer, row["evidence"])}
        hits.update({name: cites(bot.ask(q), row["evidence"]) for name, q in
                     (("alone", row["followup"]), ("hand_resolved", row["followup_resolved"]))})
        out.append({"id": row["id"], "followup": row["followup"], "resolved": res.resolved, "rule": res.rule,
                    **hits})
    return FollowupScore(len(out), *(sum(r[k] for r in out) for k in ("with_history", "alone", "hand_resolved")),
                         tuple(out))


def report_markdown(score: FollowupScore, info: dict) -> str:
    def line(name: str, key: str) -> str:
        return f"| {name} | {getattr(score, key)}/{score.pairs} | {score.rate(key):.2f} |"

    mark = {True: "✓", False: "✗"}
    rows = [f"| {r['id']} | {r['followup']} | {r['resolved']} | {r['rule']} | {mark[r['alone']]} | "
            f"{mark[r['with_history']]} | {mark[r['hand_resolved']]} |" for r in score.rows]
    return "\n".join([
        "# Follow-up questions: resolved from the conversation vs. asked alone", "",
        "Reproduce: `HF_HUB_OFFLINE=1 python -m assistant.evaluation.followups` (writes this file).", "",
        f"{score.pairs} pairs from `evals/followups.jsonl`. A follow-up counts as answered when every evidence "
        "string is inside one of the answer's citations (whitespace ignored).", "",
        "| asked as | answered with the evidence | rate |", "|---|---|---|",
        line("follow-up resolved from the first question (`assistant.question.followup.resolve`)", "with_history"),
        line("follow-up alone, no history", "alone"),
        line("hand-written standalone question (the answerer's ceiling)", "hand_resolved"), "",
        f"Index: embedder `{info.get('embedder')}`, {info.get('chunks')} chunks, built {info.get('built_at')}.", "",
        "| id | follow-up | resolved as | rule | alone | resolved | by hand |", "|---|---|---|---|---|---|---|",
        *[r.replace("\n", " ") for r in rows], ""])


def main(argv: Sequence[str] | None = None) -> int:
    import argparse

    from assistant.pipeline import Assistant

    parser = argparse.ArgumentParser(prog="python -m assistant.evaluation.followups",
                                     description="Measure follow-up resolution on evals/followups.jsonl.")
    parser.add_argument("--followups", type=Path, default=FOLLOWUPS, help="the pairs (JSONL)")
    parser.add_argument("--report", type=Path, default=REPORT, help="where to write the Markdown report")
    args = parser.parse_args(argv)
    rows = [json.loads(line) for line in args.followups.read_text(encoding="utf-8").splitlines() if line.strip()]
    bot = Assistant.load()
    score = measure(bot, rows)
    args.report.write_text(report_markdown(score, bot.info), encoding="utf-8")
    for key in ("with_history", "alone", "hand_resolved"):
        print(f"{key:>14}: {getattr(score, key)}/{score.pairs} = {score.rate(key):.2f}")
    print(f"wrote {args.report}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
