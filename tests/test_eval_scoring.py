"""Scoring on hand-made QA records and predictions, each value computed by hand."""

import math

import pytest

from assistant.errors import AssistantError
from assistant.evaluation.scoring import (
    METRICS, aggregate, answer_f1, citation_scores, contains_evidence, first_line, has_keyfacts, numbers,
    retrieval_scores, score, score_question,
)

IRRELEVANT = {"text": "共建“一带一路”倡议提出十二年来，共建实践取得了丰硕成果。"}
TRAINS = {"text": "2025年中欧（亚）班列发车数达到 12000列。"}


def qa(id, lang="zh", type="fact", evidence=("达到12000列",), answer="12000列"):
    return {"id": id, "lang": lang, "question": f"question {id}", "answer": answer, "evidence": list(evidence),
            "answerable": type != "unanswerable", "type": type}


def pred(id, passages=(), citations=(), abstained=False, answer="", latency_ms=None):
    out = {"id": id, "question": f"question {id}", "answer": answer, "abstained": abstained,
           "citations": [{"n": i + 1, "quote": q} for i, q in enumerate(citations)], "passages": list(passages)}
    if latency_ms is not None:
        out["latency_ms"] = latency_ms
    return out


def test_evidence_matches_across_whitespace_and_page_breaks():
    assert contains_evidence("发车数达到 12000\n\n列。", ["达到12000列"])
    assert contains_evidence("x", ["不在这里", "x"])


def test_truncated_quote_does_not_support():
    # The quote holds only part of the evidence: no support.
    assert not contains_evidence("发车数达到12000", ["达到12000列"])
    assert not contains_evidence("anything", [])


def test_retrieval_second_and_fourth_relevant():
    r = retrieval_scores([IRRELEVANT, TRAINS, IRRELEVANT, TRAINS], ["达到12000列"])
    assert r["rank"] == 2
    assert (r["hit@1"], r["hit@3"], r["hit@5"]) == (False, True, True)
    assert r["rr"] == 0.5
    dcg = 1 / math.log2(3) + 1 / math.log2(5)
    ideal = 1 + 1 / math.log2(3)
    assert r["ndcg@10"] == pytest.approx(dcg / ideal)  # 0.6509


def test_retrieval_ignores_passages_beyond_ten():
    r = retrieval_scores([IRRELEVANT] * 10 + [TRAINS], ["达到12000列"])
    assert r["rank"] is None and r["rr"] == 0.0 and r["ndcg@10"] == 0.0 and not r["hit@5"]


def test_citations_precision_and_multi_coverage():
    c = citation_scores([{"quote": "甲乙丙。"}, {"quote": "无关。"}, {"quote": "戊己。"}], ["甲乙", "丁", "戊己"], True)
    assert (c["citations"], c["supporting"], c["cited_support"]) == (3, 2, True)
    assert c["evidence_coverage"] == pytest.approx(2 / 3)
    assert citation_scores([{"quote": "甲乙"}], ["甲乙", "丁"], False)["evidence_coverage"] is None


def test_numbers_normalized_and_ordinals_skipped():
    assert numbers("12,000 trains in the 15th plan, up 6.3% to 51.9%") == {"12000", "6.3", "51.9"}


def test_keyfacts_need_every_gold_number():
    assert has_keyfacts("12,000 trains", [], "根据论文：发车数达到12000列。[1]")
    assert not has_keyfacts("23.6万亿元，同比增长6.3%", [], "进出口23.6万亿元。")
    # A citation marker is not a figure.
    assert not has_keyfacts("1 project", [], "some text [1]")
    # A dotted date carries its parts.
    assert has_keyfacts("On 28–29 March 2026", [], "“2026.3.28-29于美国爱默理大学商学院举行”")


def test_keyfacts_without_numbers_use_evidence():
    assert has_keyfacts("二十届四中全会", ["第四次全体会议审议通过"], "……第四次 全体会议审议通过《建议》")
    assert not has_keyfacts("二十届四中全会", ["第四次全体会议审议通过"], "二十届四中全会")


def test_answer_f1_by_language():
    # zh: predicted chars 根据论文中欧班列 (8), gold 中欧班列 (4), 4 shared -> P 0.5, R 1.
    assert answer_f1("中欧班列", "根据论文：中欧班列。[1]", "zh") == pytest.approx(2 / 3)
    # en: one shared word of 3 gold and 2 predicted -> P 1/2, R 1/3.
    assert answer_f1("Twelve thousand trains", "Trains ran", "en") == pytest.approx(0.4)
    assert answer_f1("中欧班列", "投资", "zh") == 0.0


def _four():
    qas = [qa("q1"), qa("q2", lang="en", type="number"), qa("q3", type="unanswerable", evidence=()),
           qa("q4", lang="en", type="unanswerable", evidence=())]
    preds = [pred("q1", [TRAINS], ["达到12000列。", "无关。"], answer="发车数达到12000列。", latency_ms=10),
             pred("q2", [IRRELEVANT, IRRELEVANT, TRAINS], abstained=True, latency_ms=30),
             pred("q3", [IRRELEVANT], abstained=True, latency_ms=20),
             pred("q4", [IRRELEVANT], ["成果。"], answer="成果。", latency_ms=40)]
    return qas, preds


def test_aggregate_by_hand():
    qas, preds = _four()
    m = score(qas, preds)["overall"]
    assert set(m) == set(METRICS)
    assert m["n"] == 4
    assert (m["hit@1"], m["hit@3"], m["hit@5"]) == (0.5, 1.0, 1.0)
    assert m["mrr"] == pytest.approx((1 + 1 / 3) / 2)
    # Only q1 is answered and answerable: 1 of its 2 citations supports; q4's citation is not counted.
    assert (m["citation_recall"], m["citation_precision"]) == (1.0, 0.5)
    assert (m["answer_keyfact"], m["evidence_coverage"]) == (1.0, None)
    assert (m["abstain_precision"], m["abstain_recall"], m["false_abstention_rate"]) == (0.5, 0.5, 0.5)
    assert m["latency_median_ms"] == 25
    assert m["latency_p95_ms"] == pytest.approx(38.5)  # linear: 30 + 0.85 * 10


def test_breakdowns_by_language_and_type():
    qas, preds = _four()
    s = score(qas, preds)
    assert (s["by_lang"]["zh"]["hit@1"], s["by_lang"]["en"]["hit@1"]) == (1.0, 0.0)
    assert (s["by_lang"]["zh"]["abstain_recall"], s["by_lang"]["en"]["abstain_recall"]) == (1.0, 0.0)
    assert s["by_lang"]["en"]["citation_recall"] is None  # nothing answerable was answered
    assert s["by_type"]["unanswerable"]["hit@1"] is None
    assert s["by_type"]["number"]["false_abstention_rate"] == 1.0
    assert [q["id"] for q in s["questions"]] == ["q1", "q2", "q3", "q4"]


def test_wrong_citation_and_wrong_number_fail():
    # Retrieval found the evidence, but the answer cites another sentence and states another figure.
    record = score_question(qa("q1"), pred("q1", [TRAINS], ["2013年开行1000列。"], answer="开行1000列。"))
    assert record["hit@1"] and not record["cited_support"] and not record["keyfact"]
    m = aggregate([record])
    assert (m["citation_recall"], m["citation_precision"], m["answer_keyfact"]) == (0.0, 0.0, 0.0)


def test_error_record_counts_as_abstention():
    record = score_question(qa("q1"), {"id": "q1", "error": "only Chinese and English questions are supported"})
    # An abstention cites nothing: it counts against answer_cited, not in citation recall (answered only).
    assert record["abstained"] and record["rank"] is None and record["cited_support"] is False
    assert aggregate([record])["false_abstention_rate"] == 1.0


def test_missing_prediction_is_named():
    with pytest.raises(AssistantError, match="q2"):
        score([qa("q1"), qa("q2")], [pred("q1")])


# ----- the first line (issue 16): the key-fact measure on the answer's first line alone -----

def test_first_line_is_the_text_before_the_first_break():
    assert first_line("根据论文：12000列[1]\n发车数达到12000列。[1]") == "根据论文：12000列[1]"
    assert first_line("One line only [1]") == "One line only [1]"
    assert first_line("") == ""


def test_first_line_fact_is_the_key_fact_of_the_first_line_alone():
    # The figure is in the quotes but not in the first line: the whole answer holds it, the line does not.
    late = score_question(qa("q1"), pred("q1", [TRAINS], ["达到12000列。"], answer="根据论文：发车很多[1]\n发车数达到12000列。[1]"))
    assert late["keyfact"] and not late["first_line_fact"] and late["first_line_chars"] == len("根据论文：发车很多[1]")
    early = score_question(qa("q2"), pred("q2", [TRAINS], ["达到12000列。"], answer="根据论文：达到12000列[1]\n别的。[2]"))
    assert early["keyfact"] and early["first_line_fact"]
    # An English line that carries the figure over ('12,000 trains') holds it too.
    carried = score_question(qa("q3", lang="en", answer="12,000 trains"),
                             pred("q3", [TRAINS], ["达到12000列。"], answer="From the paper (in Chinese): 12,000 — “…” [1]"))
    assert carried["first_line_fact"]


def test_first_line_fact_is_over_answered_questions_per_language():
    qas = [qa("z1"), qa("z2"), qa("e1", lang="en"), qa("e2", lang="en"), qa("u1", type="unanswerable", evidence=())]
    preds = [pred("z1", [TRAINS], ["达到12000列。"], answer="达到12000列[1]\n……"),
             pred("z2", [TRAINS], ["达到12000列。"], answer="很多[1]\n达到12000列。[1]"),
             pred("e1", [TRAINS], ["达到12000列。"], answer="12,000 trains [1]"),
             pred("e2", [TRAINS], abstained=True),  # an abstention has no first line to score
             pred("u1", [IRRELEVANT], ["成果。"], answer="成果。")]  # nor has an unanswerable question
    s = score(qas, preds)
    assert (s["by_lang"]["zh"]["first_line_fact"], s["by_lang"]["en"]["first_line_fact"]) == (0.5, 1.0)
    assert s["overall"]["first_line_fact"] == pytest.approx(2 / 3)


def test_a_span_record_needs_its_gold_answer_not_the_whole_sentence():
    record = {**qa("s1", lang="en", answer="Denver Broncos", evidence=("The AFC champion Denver Broncos defeated "
                                                                      "the NFC champion Carolina Panthers.",)),
              "source": "a.md", "start": 17, "end": 31}
    prediction = pred("s1", [], [], answer="According to the documents: champion Denver Broncos defeated [1]\nThe AFC…")
    assert score_question(record, prediction)["first_line_fact"]
    assert not score_question(record, {**prediction, "answer": "According to the documents: the NFC champion [1]"}
                              )["first_line_fact"]
