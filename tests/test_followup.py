"""Follow-up resolution: rules on small cases, and the measured gain on evals/followups.jsonl."""

import json
from pathlib import Path

import pytest

from assistant.evaluation.followups import FOLLOWUPS, cites, measure
from assistant.question.followup import needs_context, resolve, rewrite, topic_swaps

# A regression floor for follow-ups over the paper resolved from the conversation: the 40 pairs
# over the bundled paper in evals/followups.jsonl gave 33/40 = 0.825 (hand-written questions
# 34/40, alone 25/40) with `python -m assistant.evaluation.followups` on 2026-12-03, once a
# reading that only cites what the previous answer cited loses to one with new evidence (30/40 before).
MIN_RESOLVED_RATE = 0.80


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


@pytest.mark.parametrize("question", ["那2024年呢？", "第四次呢？", "他是谁？", "其中有多少家？", "为什么？", "还有哪些？",
                                      "And in 2025?", "What about investment?", "When was it founded?", "Why?",
                                      "How many?", "And the second one?"])
def test_followups_that_need_an_earlier_question(question):
    assert needs_context(question)


@pytest.mark.parametrize("question", ["长江有多长？", "这些文档讲了什么？", "这篇论文的作者是谁？", "三峡大坝什么时候建成？",
                                      "What are these documents about?", "How long is the Yangtze River?",
                                      "What does the paper say about ports?", "Who founded the university?"])
def test_questions_that_stand_alone(question):
    assert not needs_context(question)


def test_topic_swaps_keep_the_frame():
    zh = topic_swaps("那人口呢？", ["上海的面积是多少？"])
    assert "上海的人口是多少？" in zh and all(c.endswith("是多少？") for c in zh)
    en = topic_swaps("And what about investment?", ["How much did trade grow in 2025?"])
    assert en[0] == "How much did investment grow in 2025?" and all("2025" in c for c in en)
    # A changed year or a question of its own is not a topic swap.
    assert topic_swaps("那2024年呢？", ["2013年的贸易额是多少？"]) == []
    assert topic_swaps("When was it founded?", ["Who founded the company?"]) == []
    assert topic_swaps("那人口呢？", []) == []


def test_a_first_turn_followup_asks_what_is_meant(fake_settings):
    from assistant import Assistant

    bot = Assistant.load(fake_settings, progress=False, log=lambda *_: None)
    for question, lang in (("那2024年呢？", "zh"), ("And what about the second one?", "en")):
        answer, res = bot.ask_followup(question, [])
        assert res.rule == "clarify" and answer.abstained and not answer.citations and answer.lang == lang
        assert ("问完整" if lang == "zh" else "ask the whole question") in answer.text
    # With a question before it, the same follow-up is resolved and answered from the documents.
    answer, res = bot.ask_followup("那下游呢？", ["长江上游的水电开发情况如何？"])
    assert res.rule != "clarify"
    # A question that stands alone is answered on the first turn as before.
    answer, res = bot.ask_followup("长江有多长？", [])
    assert res.rule == "standalone" and not answer.abstained


@pytest.fixture(scope="session")
def bot(real_bot):
    return real_bot


@pytest.mark.e2e
def test_resolved_followups_beat_asking_alone(bot):
    rows = [json.loads(line) for line in Path(FOLLOWUPS).read_text(encoding="utf-8").splitlines() if line.strip()]
    score = measure(bot, [r for r in rows if not r.get("corpus")])  # the rows over the bundled paper
    assert score.clarified == score.first_turn > 0  # a follow-up with nothing before it asks what is meant
    resolved, alone, ceiling = score.rate("with_history"), score.rate("alone"), score.rate("hand_resolved")
    print(f"\nfollow-ups: resolved {resolved:.2f}, alone {alone:.2f}, hand-resolved {ceiling:.2f}")
    assert resolved > alone, f"resolving from history ({resolved:.2f}) should beat asking alone ({alone:.2f})"
    assert resolved >= MIN_RESOLVED_RATE, (
        f"resolved follow-ups answered {resolved:.2f} < {MIN_RESOLVED_RATE} (alone {alone:.2f}, hand-written "
        f"standalone questions {ceiling:.2f}); per pair: python -m assistant.evaluation.followups → evals/followup_report.md")


def test_a_new_topic_is_not_answered_with_the_previous_questions_evidence(fake_settings, monkeypatch):
    """'What about Africa?' after a question on a Serbian project: the readings that keep the old
    topic answer that question again, confidently; the one whose evidence is new wins, unless the
    old evidence names the new topic too (one sentence may answer both)."""
    from assistant import Assistant
    from assistant.answer.compose import Answer, Citation

    bot = Assistant.load(fake_settings, progress=False, log=lambda *_: None)
    old = Citation(1, "c1", "a.md", "", "en", 0, 40, "Serbia's steel plant was bought in 2016.")
    both = Citation(1, "c1", "a.md", "", "en", 0, 60, "Serbia's plant was bought in 2016, Africa's in 2019.")
    new = Citation(1, "c2", "a.md", "", "en", 100, 140, "African countries want basic industry.")
    first = "Which Serbian project is a typical basic-industry project?"

    def ask_with(evidence):
        def ask(question):
            if question == first or "Serbian" in question:  # the old topic kept: the old evidence, surer
                cited, sure = evidence, 0.98
            else:
                cited, sure = new, 0.80
            return Answer(question, "en", cited.quote, False, (cited,), (), None, sure)
        return ask

    monkeypatch.setattr(bot, "ask", ask_with(old))
    answer, res = bot.ask_followup("What about Africa?", [first])
    assert answer.citations == (new,) and "Serbian" not in res.resolved
    monkeypatch.setattr(bot, "ask", ask_with(both))
    answer, res = bot.ask_followup("What about Africa?", [first])
    assert answer.citations == (both,)  # it names Africa: still an answer to the new question
