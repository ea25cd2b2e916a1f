"""Scores for predictions against a QA set: retrieval, citations, answers, abstention, latency.

Pure functions on plain dicts (a QA record and a predictions record in the ``ask --json``
schema); no model is needed. Support is checked by span when the QA record gives the gold
answer's place (``source``, ``start``, ``end``): a passage or citation supports when its span in
the same file holds the answer's. Otherwise by evidence containment, ALCE-style: a gold
evidence string inside a passage or a cited quote, ignoring all whitespace.
"""

from __future__ import annotations

import math
import re
import statistics
import unicodedata
from collections import Counter

import numpy as np

from assistant.errors import AssistantError
from assistant.language.numbers import normalize_number
from assistant.language.script import detect_lang

HIT_KS = (1, 3, 5)
NDCG_K = 10
METRICS = ("hit@1", "hit@3", "hit@5", "mrr", "ndcg@10", "answer_cited", "citation_recall", "citation_precision",
           "evidence_coverage", "answer_keyfact", "first_line_fact", "answer_f1", "chars_cited", "abstain_precision",
           "abstain_recall", "false_abstention_rate", "latency_median_ms", "latency_p95_ms", "n")

_MARKER = re.compile(r"\[\d+\]")  # the answer's citation markers: not content
_ORDINAL = re.compile(r"\b\d+(?:st|nd|rd|th)\b")  # 'the 19th century' names, it counts nothing
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_EN_TOKEN = re.compile(r"[a-z]+|\d+(?:[.,]\d+)*|[\u3400-\u9fff\uf900-\ufaff]")


def squash(text: str) -> str:
    """Remove all whitespace, so line and page breaks never matter.

    >>> squash("2020年 长江\\n港口")
    '2020年长江港口'
    """
    return re.sub(r"\s+", "", text)


def contains_evidence(text: str, evidence: list[str]) -> bool:
    """True when ``text`` holds any of the evidence strings (whitespace-insensitive).

    >>> contains_evidence("吞吐量达到 12000万吨。", ["达到12000万吨"]), contains_evidence("无关", ["达到12000万吨"])
    (True, False)
    """
    flat = squash(text)
    return any(squash(e) in flat for e in evidence if squash(e))


def numbers(text: str) -> set[str]:
    """The figures a text states, normalized; English ordinals are skipped.

    >>> sorted(numbers("12,000 ships in the 19th century, up 3.75%"))
    ['12000', '3.75']
    """
    return {normalize_number(m.group()) for m in _NUMBER.finditer(_ORDINAL.sub(" ", text))}


def _answer_numbers(text: str) -> set[str]:
    """Figures in an answer; a dotted date ('2026.3.28') also yields its parts."""
    found = numbers(text)
    for n in list(found):
        if n.count(".") >= 2:
            found.update(n.split("."))
    return found


def has_keyfacts(gold_answer: str, evidence: list[str], answer: str) -> bool:
    """Whether an answer carries the gold answer's key facts.

    Every figure of the gold answer must appear in the answer; a gold answer without figures
    instead needs any evidence string inside the answer text.

    >>> has_keyfacts("12,000万吨", ["达到12000万吨"], "根据文档：吞吐量达到12000万吨。[1]")
    True
    >>> has_keyfacts("2.7万亿元，增长3.75%", [], "投资2.7万亿元")
    False
    """
    answer = _MARKER.sub(" ", answer)
    gold = numbers(gold_answer)
    if gold:
        return gold <= _answer_numbers(answer)
    return contains_evidence(answer, evidence)


def key_evidence(qa: dict) -> list[str]:
    """What an answer must hold for its key fact when the gold answer states no figure: the gold
    answer itself when the record gives its exact span (the evidence is then the whole
    sentence around it, which no short answer holds), else the evidence strings.

    >>> key_evidence({"answer": "Denver Broncos", "evidence": ["The Broncos …"], "source": "a.md", "start": 4, "end": 18})
    ['Denver Broncos']
    """
    return [qa["answer"]] if has_span(qa) and qa.get("answer") else list(qa.get("evidence") or [])


def first_line(answer: str) -> str:
    """An answer's first line: the answer itself, before the quotes (issue 16).

    >>> first_line("根据文档：全长约6300公里[1]\\n长江全长约6300公里，是亚洲第一长河。[1]")
    '根据文档：全长约6300公里[1]'
    """
    return answer.split("\n", 1)[0]


def _units(text: str, lang: str) -> list[str]:
    text = _MARKER.sub(" ", text)
    if lang == "zh":
        return [c for c in text if not c.isspace() and unicodedata.category(c)[0] not in "PSZ"]
    return [normalize_number(t) for t in _EN_TOKEN.findall(text.lower())]


def answer_f1(gold: str, predicted: str, lang: str) -> float:
    """Overlap F1: characters for Chinese (punctuation and spaces ignored), lowercased words for
    English (a Han character counts as one word).

    >>> answer_f1("长江港口", "长江港口。", "zh"), round(answer_f1("Twelve thousand ships", "ships", "en"), 3)
    (1.0, 0.5)
    """
    g, p = _units(gold, lang), _units(predicted, lang)
    common = sum((Counter(g) & Counter(p)).values())
    if not common:
        return 0.0
    precision, recall = common / len(p), common / len(g)
    return 2 * precision * recall / (precision + recall)


def has_span(qa: dict) -> bool:
    """Whether a QA record gives its answer's exact place: ``source``, ``start`` and ``end``."""
    return isinstance(qa.get("source"), str) and isinstance(qa.get("start"), int) and isinstance(qa.get("end"), int)


def supports(item: dict, qa: dict, text_field: str = "text") -> bool:
    """Whether a passage (or, with ``text_field='quote'``, a citation) holds the gold answer:
    by span when the record has one, else by evidence containment.

    >>> qa = {"source": "a.md", "start": 10, "end": 14, "evidence": ["x"]}
    >>> supports({"source": "a.md", "start": 5, "end": 20}, qa), supports({"source": "a.md", "start": 12, "end": 40}, qa)
    (True, False)
    """
    if has_span(qa):
        return (item.get("source") == qa["source"] and isinstance(item.get("start"), int)
                and isinstance(item.get("end"), int) and item["start"] <= qa["start"] and qa["end"] <= item["end"])
    return contains_evidence(item.get(text_field, ""), qa.get("evidence") or [])


def retrieval_scores(passages: list[dict], qa: dict | list[str]) -> dict:
    """Rank-based scores of one question's passages (binary relevance: holds the gold answer, see
    :func:`supports`; a plain list is taken as the evidence strings).

    nDCG@10's ideal ranking puts the relevant passages found in the top 10 first (the full set
    of relevant passages is unknown without the corpus, and differs by chunker).

    >>> r = retrieval_scores([{"text": "无关"}, {"text": "达到12000列"}], ["12000列"])
    >>> r["rank"], r["hit@1"], r["hit@3"], r["rr"], round(r["ndcg@10"], 4)
    (2, False, True, 0.5, 0.6309)
    """
    qa = {"evidence": qa} if isinstance(qa, list) else qa
    relevant = [supports(p, qa) for p in passages[:NDCG_K]]
    rank = relevant.index(True) + 1 if any(relevant) else None
    dcg = sum(1 / math.log2(i + 2) for i, rel in enumerate(relevant) if rel)
    ideal = sum(1 / math.log2(i + 2) for i in range(sum(relevant)))
    out = {"rank": rank, "rr": 1 / rank if rank else 0.0, "ndcg@10": dcg / ideal if ideal else 0.0}
    out.update({f"hit@{k}": bool(rank and rank <= k) for k in HIT_KS})
    return out


def citation_scores(citations: list[dict], qa: dict | list[str], multi: bool) -> dict:
    """How many citations support (see :func:`supports`), how many characters they quote, and for
    a multi-part question the share of evidence strings found in some cited quote."""
    qa = {"evidence": qa} if isinstance(qa, list) else qa
    evidence = qa.get("evidence") or []
    quotes = [c.get("quote", "") for c in citations]
    supporting = sum(supports(c, qa, "quote") for c in citations)
    out = {"citations": len(quotes), "supporting": supporting, "cited_support": supporting > 0,
           "evidence_coverage": None, "chars": sum(len(q) for q in quotes)}
    if multi and len(evidence) > 1:
        out["evidence_coverage"] = sum(any(contains_evidence(q, [e]) for q in quotes) for e in evidence) / len(evidence)
    return out


def kind_of(qa: dict) -> str:
    """The question type a record without ``type`` counts under."""
    return "fact" if qa["answerable"] else "unanswerable"


def direction_of(qa: dict) -> str:
    """'zh→en' for a Chinese question about English text: the question's language, then the
    language of the gold answer's document (``doc_lang``, set by whoever read the corpus) or of
    its evidence; an unanswerable question's second half is the corpus's (``corpus_lang``) or '?'.

    >>> direction_of({"lang": "zh", "answerable": True, "evidence": ["The Panthers gave up 308 points."]})
    'zh→en'
    """
    target = qa.get("doc_lang") if qa["answerable"] else qa.get("corpus_lang")
    if not target and qa["answerable"] and qa.get("evidence"):
        target = detect_lang(qa["evidence"][0])
    return f"{qa['lang']}→{target or '?'}"


def score_question(qa: dict, prediction: dict) -> dict:
    """Every per-question figure for one QA record and its prediction.

    A prediction with an ``error`` field (the question was rejected) counts as an abstention.
    Fields that do not apply (retrieval on an unanswerable question, citations on an
    abstention) are None.
    """
    abstained = bool(prediction.get("abstained", False)) or "error" in prediction
    record = {"id": qa["id"], "lang": qa["lang"], "type": qa.get("type") or kind_of(qa),
              "direction": direction_of(qa), "answerable": qa["answerable"], "abstained": abstained,
              "error": prediction.get("error"), "confidence": prediction.get("confidence"),
              "latency_ms": prediction.get("latency_ms"), "depth": len(prediction.get("passages") or [])}
    empty = dict.fromkeys(("rank", "rr", "ndcg@10", *(f"hit@{k}" for k in HIT_KS), "citations", "supporting",
                           "cited_support", "evidence_coverage", "keyfact", "first_line_fact", "first_line_chars",
                           "f1", "chars"))
    record.update(empty)
    if not qa["answerable"]:
        return record
    record.update(retrieval_scores(prediction.get("passages") or [], qa))
    record["cited_support"] = False  # an abstention cites nothing
    if abstained:
        return record
    answer = prediction.get("answer", "")
    record.update(citation_scores(prediction.get("citations") or [], qa, record["type"] == "multi"))
    record["keyfact"] = has_keyfacts(qa["answer"], key_evidence(qa), answer)
    # The same measure on the first line alone: does the answer's first line state the answer?
    record["first_line_fact"] = has_keyfacts(qa["answer"], key_evidence(qa), first_line(answer))
    record["first_line_chars"] = len(first_line(answer))
    record["f1"] = answer_f1(qa["answer"], answer, qa["lang"])
    return record


def _mean(values) -> float | None:
    values = [float(v) for v in values if v is not None]
    return sum(values) / len(values) if values else None


def _share(items: list[dict], test) -> float | None:
    return sum(bool(test(r)) for r in items) / len(items) if items else None


def aggregate(records: list[dict]) -> dict:
    """The metrics (see ``METRICS``) over per-question records; None where a metric has no cases.

    Retrieval is averaged over answerable questions; citations, key facts (of the whole answer
    and of its first line) and F1 over answerable questions that were answered; citation
    precision is pooled over all their citations.

    >>> aggregate([{"answerable": False, "abstained": True, "latency_ms": 10}])["abstain_recall"]
    1.0
    """
    answerable = [r for r in records if r["answerable"]]
    answered = [r for r in answerable if not r["abstained"]]
    abstained = [r for r in records if r["abstained"]]
    unanswerable = [r for r in records if not r["answerable"]]
    n_cited = sum(r["citations"] or 0 for r in answered)
    latencies = [r["latency_ms"] for r in records if r.get("latency_ms") is not None]
    out = {f"hit@{k}": _mean(r[f"hit@{k}"] for r in answerable) for k in HIT_KS}
    out.update({
        "mrr": _mean(r["rr"] for r in answerable),
        "answer_cited": _mean(r["cited_support"] for r in answerable),
        "ndcg@10": _mean(r["ndcg@10"] for r in answerable),
        "citation_recall": _mean(r["cited_support"] for r in answered),
        "citation_precision": sum(r["supporting"] or 0 for r in answered) / n_cited if n_cited else None,
        "evidence_coverage": _mean(r["evidence_coverage"] for r in answered),
        "answer_keyfact": _mean(r["keyfact"] for r in answered),
        "first_line_fact": _mean(r["first_line_fact"] for r in answered),
        "answer_f1": _mean(r["f1"] for r in answered),
        "chars_cited": _mean(r["chars"] for r in answered),
        "abstain_precision": _share(abstained, lambda r: not r["answerable"]),
        "abstain_recall": _share(unanswerable, lambda r: r["abstained"]),
        "false_abstention_rate": _share(answerable, lambda r: r["abstained"]),
        "latency_median_ms": statistics.median(latencies) if latencies else None,
        "latency_p95_ms": float(np.percentile(latencies, 95)) if latencies else None,
        "n": len(records),
    })
    return out


def _groups(records: list[dict], key: str) -> dict[str, dict]:
    names = sorted({r[key] for r in records})
    return {name: aggregate([r for r in records if r[key] == name]) for name in names}


def score(qa_records: list[dict], predictions: list[dict]) -> dict:
    """Score predictions against a QA set, matched by id.

    Args:
        qa_records: validated QA records (see :func:`assistant.evaluation.qa.load_qa`).
        predictions: records in the ``ask --json`` schema, optionally with ``latency_ms``.

    Returns:
        ``{"overall": metrics, "by_lang": {lang: metrics}, "by_type": {type: metrics},
        "by_direction": {'zh→en': metrics, …}, "questions": [per-question records]}``.

    Raises:
        AssistantError: when some question has no prediction (the message lists the ids).
    """
    by_id = {str(p["id"]): p for p in predictions}
    missing = [q["id"] for q in qa_records if q["id"] not in by_id]
    if missing:
        raise AssistantError(f"{len(missing)} question(s) have no prediction: {', '.join(missing[:10])}"
                             + (" …" if len(missing) > 10 else "") + "; predict every question of the QA set")
    records = [score_question(q, by_id[q["id"]]) for q in qa_records]
    return {"overall": aggregate(records), "by_lang": _groups(records, "lang"), "by_type": _groups(records, "type"),
            "by_direction": _groups(records, "direction"), "questions": records}
