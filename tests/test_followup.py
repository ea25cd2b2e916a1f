"""Follow-up resolution: rules on small cases, and the measured gain on evals/followups.jsonl."""

import json
from pathlib import Path

import pytest

from assistant.evaluation.followups import FOLLOWUPS, cites, measure
from assistant.question.followup import resolve, rewrite

# The bar the issue sets for follow-ups resolved from the conversation.
MIN_RESOLVED_RATE = 0.7


@pytest.mark.parametrize("question, history, expected", [
    # a year swapped in place
    ("那2024年呢？", ["2013年中国与沿线国家的货物贸易额是多少？"], "2024年中国与沿线国家的货物贸易额是多少？"),
    ("And in 2025?", ["What share of trade did they account for in 2013?"],
     "What share of trade did they account for in 2025?"),
    ("What about 2025?", ["What was the investment in 2013?"], "What was the investment in 2025?"),
    # an ordinal swapped, the old event's date dropped with it
    ("第四次呢？", ["2021年第三次“一带一路”建设座谈会是哪天召开的？"], "第四次“一带一路”建设座谈会是哪天召开的？"),
    # a quoted term swapped
    ("“方式崭新”呢？", ["充分条件中的“目标清晰”指的是什么？"], "充分条件中的“方式崭新”指的是什么？"),
    # a phrase of the same shape swapped
    ("那从理论逻辑看呢？", ["从历史逻辑看，新质生产力是由什么催生的？"], "从理论逻辑看，新质生产力是由什么催生的？"),
    # the noun asked about swapped
    ("目的呢？", ["王毅说“一带一路”的核心是什么？"], "王毅说“一带一路”的目的是什么？"),
    # what follows a shared preposition swapped
    ("And about the western corridor?", ["What does the English abstract say about the freight trains?"],
     "What does the English abstract say about the western corridor?"),
    ("And what about investment?", ["What does the paper say about debt sustainability?"],
     "What does the paper say about investment?"),
])
def test_slot_swaps(question, history, expected):
    assert resolve(question, history) == expected


def test_subjectless_chinese_question_carries_the_topic():
    out = resolve("他还在哪里任教？", ["作者陈甬军在哪所大学担任特聘教授？"])
    assert "陈甬军" in out and out.endswith("他还在哪里任教？")
    assert "哪所" not in out  # the old question's own question words are dropped


def test_english_fragment_takes_the_previous_clause():
    out = resolve("In how many countries and regions?",
                  ["How many overseas enterprises had Chinese investors set up by the end of 2023?"])
    assert out == "In how many countries and regions had Chinese investors set up by the end of 2023?"


def test_english_name_swapped():
    assert resolve("And the Outline?", ["When was the Proposal for the 15th Five-Year Plan adopted?"]) == \
        "When was the Outline for the 15th Five-Year Plan adopted?"


@pytest.mark.parametrize("question, history", [
    ("What keywords does the paper list?", ["截至2023年底，中国在全球设立了多少家境外企业？"]),
    ("中欧班列", ["Who is the author of the paper?"]),
    ("关键词有哪些？", ["2025年中欧班列开行多少列？"]),
    ("请问2025年中欧班列开行多少列？", ["平陆运河建设到了什么阶段？"]),
])
def test_new_short_questions_are_not_mistaken_for_followups(question, history):
    assert resolve(question, history) == question


def test_english_pronoun_carries_the_topic():
    res = rewrite("Which international organizations backed it?",
                  ["Which countries released the Digital Economy initiative with China?"])
    assert res.rule == "context" and "Digital Economy initiative" in res.resolved


@pytest.mark.parametrize("question, history", [
    ("2025年中国对共建“一带一路”国家进出口额同比增长了多少？", ["2013年中国与沿线国家的货物贸易额是多少？"]),
    ("And how far along is the Pinglu Canal?", ["How many freight trains departed in 2025?"]),
    ("What does the paper say about the Digital Silk Road?", ["新质生产力的基本内涵是什么？"]),
    ("那2024年呢？", []),  # no history: nothing to resolve against
    ("那2024年呢？", ["", "  "]),
])
def test_standalone_questions_are_left_alone(question, history):
    res = rewrite(question, history)
    assert res.resolved == question.strip() and res.rule == "standalone" and not res.changed


def test_the_latest_question_is_the_one_carried_over():
    history = ["2013年中国与沿线国家的货物贸易额是多少？", "2013年中国对沿线国家非金融类直接投资是多少？"]
    assert resolve("那2025年呢？", history) == "2025年中国对沿线国家非金融类直接投资是多少？"


def test_cites_ignores_whitespace():
    class A:
        citations = [type("C", (), {"quote": "增加到 2024 年的\n3.1 万亿美元。"})()]
    assert cites(A, ["增加到2024年的3.1万亿美元"])
    assert not cites(A, ["增加到2025年"])


@pytest.fixture(scope="session")
def bot(real_bot):
    return real_bot


@pytest.mark.e2e
def test_resolved_followups_beat_asking_alone(bot):
    rows = [json.loads(line) for line in Path(FOLLOWUPS).read_text(encoding="utf-8").splitlines() if line.strip()]
    score = measure(bot, rows)
    resolved, alone, ceiling = score.rate("with_history"), score.rate("alone"), score.rate("hand_resolved")
    print(f"\nfollow-ups: resolved {resolved:.2f}, alone {alone:.2f}, hand-resolved {ceiling:.2f}")
    assert resolved > alone, f"resolving from history ({resolved:.2f}) should beat asking alone ({alone:.2f})"
    assert resolved >= MIN_RESOLVED_RATE, (
        f"resolved follow-ups answered {resolved:.2f} < {MIN_RESOLVED_RATE} (alone {alone:.2f}, hand-written "
        f"standalone questions {ceiling:.2f}); per pair: python -m assistant.evaluation.followups → evals/followup_report.md")
