"""Why the assistant abstained, in words a reader can act on, in the question's language."""

from __future__ import annotations

from assistant.language.numbers import figures
from assistant.question.analysis import QuestionAnalysis
from assistant.question.kinds import DATE, NUMBER, PERSON, PLACE

REASONS = {
    "never_mentions": ("{noun}中没有提到：{x}", "nothing in {noun} mentions {x}"),
    "missing_figure": ("最接近的段落中没有出现 {x}", "the closest passages never mention {x}"),
    "no_number": ("最接近的段落中没有相关的数字", "the closest passages give no figure for it"),
    "no_date": ("最接近的段落中没有相关的日期", "the closest passages give no date for it"),
    "no_person": ("最接近的段落中没有提到相关的人", "the closest passages name no one who fits"),
    "no_place": ("最接近的段落中没有提到相关的地点", "the closest passages name no place that fits"),
    "weak": ("最接近的段落与问题只是大致相关", "the closest passages are only loosely related to the question"),
    "nothing": ("没有检索到任何段落", "nothing was retrieved"),
    "clarify": ("这个问题像是接着前面的问题问的，但前面还没有问题。请把问题问完整，写明问的是谁或什么。",
                "This reads as a follow-up, but nothing was asked before it. Please ask the whole question, "
                "naming who or what it is about."),
}


def say(lang: str, reason: str, **values) -> str:
    """A reason, in Chinese for a Chinese question and in English otherwise."""
    return REASONS[reason][0 if lang == "zh" else 1].format(**values)


def reasons_for(q: QuestionAnalysis, signals: dict, noun: dict[str, str]) -> list[str]:
    """Reasons for an abstention, strongest first, from the signals the answer model read.

    Args:
        q: the question.
        signals: the question-level features by name (``ANSWERABLE_FEATURES``).
        noun: what replies call the corpus, by language.
    """
    lang = q.lang
    out = []
    if q.missing:
        out.append(say(lang, "never_mentions", noun=noun[lang], x=", ".join(q.missing[:3])))
    if signals.get("figures_missing", 0) > 0:
        written = sorted(figures(q.text)) or [f"{v:g}" for v in sorted(q.figures)]
        out.append(say(lang, "missing_figure", x=", ".join(written)))
    if signals.get("unmatched", 0) > 0:
        key = {NUMBER: "no_number", DATE: "no_date", PERSON: "no_person", PLACE: "no_place"}.get(q.kind)
        if key:
            out.append(say(lang, key))
    return out or [say(lang, "weak")]
