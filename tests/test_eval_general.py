"""Evaluation of any corpus: span scoring, directions, the general-suite runner and its report."""

import json

import pytest

from assistant.app.cli import main
from assistant.errors import AssistantError
from assistant.evaluation.general import annotate, find_suites, select, tradeoff
from assistant.evaluation.qa import load_qa, write_jsonl
from assistant.evaluation.scoring import direction_of, score, supports

ZH_DOC = "# 长江\n\n长江全长约6300公里，是亚洲第一长河。它发源于青藏高原。\n"
EN_DOC = "# Danube\n\nThe Danube is 2850 kilometres long. It flows into the Black Sea.\n"


def _span(doc: str, answer: str) -> tuple[int, int]:
    start = doc.index(answer)
    return start, start + len(answer)


@pytest.fixture
def general_root(tmp_path):
    root = tmp_path / "general"
    corpus = root / "rivers" / "corpus"
    corpus.mkdir(parents=True)
    (corpus / "yangtze.md").write_text(ZH_DOC, encoding="utf-8")
    (corpus / "danube.md").write_text(EN_DOC, encoding="utf-8")
    rows = []
    for i, (q, doc, source, answer) in enumerate([
            ("长江全长多少公里？", ZH_DOC, "yangtze.md", "6300"),
            ("长江发源于哪里？", ZH_DOC, "yangtze.md", "青藏高原"),
            ("多瑙河流入哪个海？", EN_DOC, "danube.md", "Black Sea")]):
        start, end = _span(doc, answer)
        rows.append({"id": f"zh-{i}", "lang": "zh", "question": q, "answer": answer, "evidence": [],
                     "answerable": True, "source": source, "start": start, "end": end, "split": "dev"})
    rows.append({"id": "zh-ooc-1", "lang": "zh", "question": "黑死病的起因是什么？", "answer": "", "evidence": [],
                 "answerable": False, "split": "test"})
    write_jsonl(root / "rivers" / "qa_zh.jsonl", rows)
    return root


def test_span_support_needs_the_same_file_and_the_whole_span():
    qa = {"answerable": True, "source": "a.md", "start": 10, "end": 14, "evidence": []}
    assert supports({"source": "a.md", "start": 10, "end": 14}, qa)
    assert not supports({"source": "b.md", "start": 0, "end": 99}, qa)
    assert not supports({"source": "a.md", "start": 11, "end": 99}, qa)
    # Without a span, the evidence string decides.
    assert supports({"text": "it is 2850 kilometres long"}, {"evidence": ["2850 kilometres"]})


def test_records_without_type_and_with_spans_load_and_score(general_root):
    records = load_qa(general_root / "rivers" / "qa_zh.jsonl")
    assert all("type" not in r for r in records)
    first = records[0]
    hit = {"source": first["source"], "start": first["start"] - 3, "end": first["end"] + 3, "text": "",
           "quote": "x" * (first["end"] - first["start"] + 6)}
    predictions = [{"id": first["id"], "answer": "x", "abstained": False, "citations": [hit], "passages": [hit]}]
    predictions += [{"id": r["id"], "answer": "", "abstained": True, "citations": [], "passages": []}
                    for r in records[1:]]
    s = score(records, predictions)["overall"]
    assert s["hit@1"] == pytest.approx(1 / 3) and s["answer_cited"] == pytest.approx(1 / 3)
    assert s["citation_recall"] == 1.0 and s["false_abstention_rate"] == pytest.approx(2 / 3)
    assert s["abstain_recall"] == 1.0 and s["chars_cited"] == first["end"] - first["start"] + 6


def test_directions():
    assert direction_of({"lang": "zh", "answerable": True, "doc_lang": "en", "evidence": []}) == "zh→en"
    assert direction_of({"lang": "en", "answerable": True, "evidence": ["长江全长约6300公里"]}) == "en→zh"
    assert direction_of({"lang": "en", "answerable": False, "corpus_lang": "mixed", "evidence": []}) == "en→mixed"
    rows = annotate([{"source": "a.md"}, {"source": "b.md"}], {"a.md": ZH_DOC, "b.md": EN_DOC})
    assert [r["doc_lang"] for r in rows] == ["zh", "en"] and rows[0]["corpus_lang"] == "mixed"


def test_split_limit_and_suites(general_root):
    records = load_qa(general_root / "rivers" / "qa_zh.jsonl")
    assert [r["id"] for r in select(records, "test")] == ["zh-ooc-1"]
    assert len(select(records, "all", limit=2)) == 2
    assert [s.name for s in find_suites(general_root)] == ["rivers/qa_zh"]
    with pytest.raises(AssistantError, match="no question sets named lakes"):
        find_suites(general_root, ["lakes"])


def test_tradeoff_runs_from_never_to_always_abstaining():
    rows = [{"answerable": True, "confidence": c} for c in (0.9, 0.6, 0.3)]
    rows += [{"answerable": False, "confidence": c} for c in (0.1, 0.4)]
    points = tradeoff(rows)
    assert points[0][1:] == (0.0, 0.0) and points[-1][1:] == (1.0, 1.0)
    assert all(a[1] <= b[1] and a[2] <= b[2] for a, b in zip(points, points[1:]))


def test_general_run_prints_only_json_and_writes_the_report(general_root, tmp_path, capsys):
    report = tmp_path / "report"
    code = main(["eval", "--general", "--general-root", str(general_root), "--report", str(report), "--json",
                 "--embedder", "hash", "--index-root", str(tmp_path / "index")])
    assert code == 0
    out = json.loads(capsys.readouterr().out)  # stdout holds the JSON object and nothing else
    suite = out["suites"]["rivers/qa_zh"]
    assert suite["n"] == 4 and 0.0 <= suite["answer_cited"] <= 1.0
    assert set(out["directions"]) == {"zh→zh", "zh→en"}
    for name in ("report.md", "report.json", "tradeoff.png", "predictions-rivers-qa_zh.jsonl"):
        assert (report / name).stat().st_size > 0
    assert "| rivers/qa_zh | 4 |" in (report / "report.md").read_text(encoding="utf-8")


def test_general_split_with_no_questions_is_a_clear_error(general_root, tmp_path, capsys):
    (general_root / "rivers" / "qa_zh.jsonl").write_text(
        (general_root / "rivers" / "qa_zh.jsonl").read_text(encoding="utf-8").replace('"test"', '"dev"'),
        encoding="utf-8")
    code = main(["eval", "--general", "--general-root", str(general_root), "--split", "test",
                 "--embedder", "hash", "--index-root", str(tmp_path / "index"), "--report", str(tmp_path / "r")])
    assert code == 2 and "no questions in split 'test'" in capsys.readouterr().err
