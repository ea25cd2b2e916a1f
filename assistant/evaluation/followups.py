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
    """How often the follow-up's answer cites its evidence, asked three ways, and how often a
    follow-up with nothing before it is met with a request to say what is meant.

    Shape: ``FollowupScore(pairs=26, with_history=17, alone=12, hand_resolved=18, rows=(...),
    first_turn=6, clarified=5)``
    """

    pairs: int
    with_history: int  # resolved from the first question by resolve()
    alone: int  # the follow-up asked as typed, no history
    hand_resolved: int  # the hand-written standalone question: what the answerer can do at best
    rows: tuple[dict, ...]
    first_turn: int = 0  # follow-ups asked with no conversation before them
    clarified: int = 0  # of those, met with a request to ask in full (no citation)

    def rate(self, which: str) -> float:
        total = self.first_turn if which == "clarified" else self.pairs
        return getattr(self, which) / total if total else 0.0


def measure(bots, rows: Sequence[dict]) -> FollowupScore:
    """Ask each follow-up with the first question as history, alone, and as resolved by hand;
    a first-turn follow-up (no ``first``) with an empty history.

    Args:
        bots: an :class:`~assistant.Assistant`, or a function from a row's ``corpus`` (None for
            the bundled one) to one.
        rows: records with first, followup, followup_resolved and evidence (evals/followups.jsonl).
    """
    bot_for = bots if callable(bots) and not hasattr(bots, "ask") else (lambda corpus: bots)
    out, first_turn = [], []
    for row in rows:
        bot = bot_for(row.get("corpus"))
        if not row.get("first"):
            answer, res = bot.ask_followup(row["followup"], [])
            first_turn.append({"id": row["id"], "followup": row["followup"], "rule": res.rule,
                               "clarified": answer.abstained and not answer.citations and res.rule == "clarify"})
            continue
        answer, res = bot.ask_followup(row["followup"], [row["first"]])
        hits = {"with_history": cites(answer, row["evidence"])}
        hits.update({name: cites(bot.ask(q), row["evidence"]) for name, q in
                     (("alone", row["followup"]), ("hand_resolved", row["followup_resolved"]))})
        out.append({"id": row["id"], "followup": row["followup"], "resolved": res.resolved, "rule": res.rule,
                    "kind": row.get("kind", "-"), "lang": row.get("lang", "-"), **hits})
    return FollowupScore(len(out), *(sum(r[k] for r in out) for k in ("with_history", "alone", "hand_resolved")),
                         tuple(out + first_turn), len(first_turn), sum(r["clarified"] for r in first_turn))


def _breakdown(rows: Sequence[dict], key: str) -> list[str]:
    groups: dict[str, list[dict]] = {}
    for r in rows:
        groups.setdefault(r[key], []).append(r)
    return [f"| {name} | {len(g)} | " + " | ".join(f"{sum(r[k] for r in g)}/{len(g)}" for k in
                                                   ("with_history", "alone", "hand_resolved")) + " |"
            for name, g in sorted(groups.items())]


def report_markdown(score: FollowupScore, info: dict, command: str = "python -m assistant.evaluation.followups"
                    ) -> str:
    def line(name: str, key: str) -> str:
        return f"| {name} | {getattr(score, key)}/{score.pairs} | {score.rate(key):.2f} |"

    mark = {True: "✓", False: "✗"}
    pairs = [r for r in score.rows if "with_history" in r]
    rows = [f"| {r['id']} | {r['followup']} | {r['resolved']} | {r['rule']} | {mark[r['alone']]} | "
            f"{mark[r['with_history']]} | {mark[r['hand_resolved']]} |" for r in pairs]
    first = [f"| {r['id']} | {r['followup']} | {r['rule']} | {mark[r['clarified']]} |"
             for r in score.rows if "clarified" in r]
    return "\n".join([
        "# Follow-up questions: resolved from the conversation vs. asked alone", "",
        f"Reproduce: `HF_HUB_OFFLINE=1 {command}` (writes this file).", "",
        f"{score.pairs} pairs from `evals/followups.jsonl`. A follow-up counts as answered when every evidence "
        "string is inside one of the answer's citations (whitespace ignored).", "",
        "| asked as | answered with the evidence | rate |", "|---|---|---|",
        line("follow-up resolved from the first question (`Assistant.ask_followup`)", "with_history"),
        line("follow-up alone, no history", "alone"),
        line("hand-written standalone question (the answerer's ceiling)", "hand_resolved"), "",
        f"Follow-ups asked with nothing before them: {score.clarified}/{score.first_turn} met with a request "
        "to ask in full instead of an answer.", "",
        "| kind | pairs | resolved | alone | by hand |", "|---|---|---|---|---|", *_breakdown(pairs, "kind"), "",
        "| question language | pairs | resolved | alone | by hand |", "|---|---|---|---|---|",
        *_breakdown(pairs, "lang"), "",
        f"Index of the bundled corpus: embedder `{info.get('embedder')}`, {info.get('chunks')} chunks, built "
        f"{info.get('built_at')}.", "",
        "| id | follow-up | resolved as | rule | alone | resolved | by hand |", "|---|---|---|---|---|---|---|",
        *[r.replace("\n", " ") for r in rows], "",
        *(["| id | first-turn follow-up | rule | asked to say what is meant |", "|---|---|---|---|", *first, ""]
          if first else [])])


def main(argv: Sequence[str] | None = None) -> int:
    import argparse

    from assistant.pipeline import Assistant
    from assistant.settings import Settings

    parser = argparse.ArgumentParser(prog="python -m assistant.evaluation.followups",
                                     description="Measure follow-up resolution on evals/followups.jsonl.")
    parser.add_argument("--followups", type=Path, default=FOLLOWUPS, help="the pairs (JSONL)")
    parser.add_argument("--report", type=Path, default=REPORT, help="where to write the Markdown report")
    parser.add_argument("--index-root", type=Path, help="folder for built indexes (default: index/)")
    args = parser.parse_args(argv)
    rows = [json.loads(line) for line in args.followups.read_text(encoding="utf-8").splitlines() if line.strip()]
    settings = Settings.from_env(index_root=args.index_root)
    bots: dict = {}

    def bot_for(corpus: str | None):
        if corpus not in bots:
            where = PROJECT_ROOT / corpus if corpus else settings.corpus_dir
            bots[corpus] = Assistant.load(settings.with_overrides(corpus_dir=where), progress=False,
                                          log=lambda *_: None)
        return bots[corpus]

    score = measure(bot_for, rows)
    command = "python -m assistant.evaluation.followups" + (f" --index-root {args.index_root}" if args.index_root
                                                             else "")
    args.report.write_text(report_markdown(score, bot_for(None).info, command), encoding="utf-8")
    for key in ("with_history", "alone", "hand_resolved"):
        print(f"{key:>14}: {getattr(score, key)}/{score.pairs} = {score.rate(key):.2f}")
    print(f"{'clarified':>14}: {score.clarified}/{score.first_turn} first-turn follow-ups")
    print(f"wrote {args.report}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
