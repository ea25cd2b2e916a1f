"""``eval`` end to end: QA validation, scoring a predictions file, and one run of the real assistant."""

import json

import pytest

from assistant import Assistant, Settings
from assistant.app.cli import build_parser, main
from assistant.errors import AssistantError
from assistant.evaluation.qa import load_predictions, load_qa, write_jsonl
from assistant.evaluation.run import evaluate, run_eval
from assistant.settings import PROJECT_ROOT

TRAINS = "2025年中欧（亚）班列发车数达到12000列。"
TRADE = "这一年我国对共建“一带一路”国家进出口23.6万亿元，约为3.3万亿美元。"
OTHER = "“一带一路”倡议提出十二年来，共建实践取得了丰硕成果。"
ROADS = "一是以“硬联通”为基础，二是以“软联通”为重点。"

QA = [
    {"id": "t-1", "lang": "zh", "question": "2025年中欧班列开行多少列？", "answer": "12000列", "evidence": ["达到12000列"],
     "answerable": True, "type": "number"},
    {"id": "t-2", "lang": "en", "question": "What was trade with BRI countries?", "answer": "23.6 trillion yuan",
     "evidence": ["进出口23.6万亿元"], "answerable": True, "type": "number"},
    {"id": "t-3", "lang": "zh", "question": "硬联通和软联通如何定位？", "answer": "硬联通为基础，软联通为重点",
     "evidence": ["一是以“硬联通”为基础", "二是以“软联通”为重点"], "answerable": True, "type": "multi"},
    {"id": "t-4", "lang": "en", "question": "How many trains ran in 2025?", "answer": "12,000",
     "evidence": ["达到12000列"], "answerable": True, "type": "fact"},
    {"id": "t-5", "lang": "zh", "question": "2030年中欧班列开行多少列？", "answer": "论文没有说。", "evidence": [],
     "answerable": False, "type": "unanswerable"},
    {"id": "t-6", "lang": "en", "question": "What did China sign with Brazil?", "answer": "Not in the paper.",
     "evidence": [], "answerable": False, "type": "unanswerable"},
]


def _pred(qa, passages, quotes, abstained=False, latency=5.0):
    answer = "" if abstained else "".join(f"{q}[{i}]" for i, q in enumerate(quotes, 1))
    return {"id": qa["id"], "question": qa["question"], "lang": qa["lang"], "answer": answer, "abstained": abstained,
            "citations": [{"n": i, "chunk_id": "c", "source": "doc.md", "section": "", "lang": "zh", "start": 0,
                           "end": len(q), "quote": q} for i, q in enumerate(quotes, 1)],
            "passages": [{"rank": r, "chunk_id": f"c{r}", "source": "doc.md", "section": "", "lang": "zh", "start": 0,
                          "end": len(t), "score": 1 / r, "text": t} for r, t in enumerate(passages, 1)],
            "latency_ms": latency}


PREDICTIONS = [
    _pred(QA[0], [TRAINS, OTHER], [TRAINS]),                     # retrieved and cited
    _pred(QA[1], [OTHER, TRADE], [OTHER]),                       # retrieved at rank 2, wrong citation
    _pred(QA[2], [ROADS], ["一是以“硬联通”为基础，"]),            # half the evidence cited
    _pred(QA[3], [TRAINS], [], abstained=True),                  # false abstention
    _pred(QA[4], [OTHER], [], abstained=True),                   # right abstention
    _pred(QA[5], [OTHER], [OTHER]),                              # answered the unanswerable
]


@pytest.fixture
def files(tmp_path):
    qa_path = write_jsonl(tmp_path / "qa.jsonl", QA)
    pred_path = write_jsonl(tmp_path / "predictions.jsonl", PREDICTIONS)
    return qa_path, pred_path, tmp_path / "report"


def _args(*argv):
    return build_parser().parse_args(["eval", *map(str, argv)])


def test_score_only_end_to_end(files, tmp_path, capsys):
    qa_path, pred_path, report = files
    args = _args("--qa", qa_path, "--score-only", pred_path, "--report", report, "--json")
    assert run_eval(args, Settings(index_root=tmp_path / "index")) == 0
    m = json.loads(capsys.readouterr().out)
    assert m["n"] == 6 and m["baselines"] == {}
    assert (m["hit@1"], m["hit@5"], m["mrr"]) == (0.75, 1.0, 0.875)
    assert m["citation_recall"] == pytest.approx(2 / 3) and m["citation_precision"] == pytest.approx(2 / 3)
    assert m["evidence_coverage"] == 0.5
    assert (m["abstain_precision"], m["abstain_recall"], m["false_abstention_rate"]) == (0.5, 0.5, 0.25)
    assert m["by_lang"]["zh"]["hit@1"] == 1.0 and m["by_type"]["multi"]["n"] == 1
    assert not (tmp_path / "index").exists()  # no model, no index


def test_report_files_and_failures(files, capsys):
    qa_path, pred_path, report = files
    assert main(["eval", "--qa", str(qa_path), "--score-only", str(pred_path), "--report", str(report)]) == 0
    assert "| assistant | 0.750 | 1.000 | 0.875 |" in capsys.readouterr().out
    for name in ("report.json", "report.md", "hitk.png"):
        assert (report / name).stat().st_size > 0
    data = json.loads((report / "report.json").read_text(encoding="utf-8"))
    assert len(data["systems"]["assistant"]["questions"]) == 6
    diagnosis = {row["id"]: row["diagnosis"] for row in data["failures"]}
    assert diagnosis == {"t-2": "evidence at rank 2, not cited", "t-4": "abstained; evidence at rank 1",
                         "t-6": "answered an unanswerable question"}
    md = (report / "report.md").read_text(encoding="utf-8")
    assert "## Failures of assistant (3)" in md and "| t-2 |" in md and "| t-1 |" not in md


def test_missing_prediction_fails_with_ids(files, tmp_path):
    qa_path, _, report = files
    partial = write_jsonl(tmp_path / "partial.jsonl", PREDICTIONS[:4])
    with pytest.raises(AssistantError, match="t-5, t-6"):
        run_eval(_args("--qa", qa_path, "--score-only", partial, "--report", report), Settings())


@pytest.mark.parametrize("change, message", [
    ({"lang": "fr"}, "field 'lang'"),
    ({"answerable": "yes"}, "field 'answerable' must be a bool"),
    ({"evidence": []}, "an answerable question needs 'evidence' strings or a 'source' span"),
    ({"type": "trivia"}, "field 'type'"),
])
def test_bad_qa_line_is_named(tmp_path, change, message):
    rows = [QA[0], QA[4], dict(QA[1], **change)]
    path = write_jsonl(tmp_path / "qa.jsonl", rows)
    with pytest.raises(AssistantError, match=f"qa.jsonl:3: {message}"):
        load_qa(path)


def test_bad_json_repeated_id_and_missing_field(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(QA[0]) + "\n\n{oops\n", encoding="utf-8")
    with pytest.raises(AssistantError, match="bad.jsonl:3: not valid JSON"):
        load_qa(bad)
    with pytest.raises(AssistantError, match="repeats line 1"):
        load_qa(write_jsonl(tmp_path / "dup.jsonl", [QA[0], QA[0]]))
    with pytest.raises(AssistantError, match="field 'question' is missing"):
        load_qa(write_jsonl(tmp_path / "nq.jsonl", [{k: v for k, v in QA[0].items() if k != "question"}]))
    with pytest.raises(AssistantError, match="field 'id' is missing"):
        load_predictions(write_jsonl(tmp_path / "p.jsonl", [{"answer": "x"}]))


def _fractions(metrics: dict) -> list[float]:
    return [v for k, v in metrics.items() if v is not None and k not in ("n", "chars_cited") and not k.startswith("latency")]


@pytest.mark.e2e
def test_real_assistant_on_dev_set(tmp_path, capsys):
    settings = Settings(index_root=tmp_path / "index")
    report = tmp_path / "report"
    args = _args("--qa", PROJECT_ROOT / "evals" / "dev.jsonl", "--report", report, "--baselines", "--json")
    assert run_eval(args, settings) == 0
    printed = json.loads(capsys.readouterr().out)
    assert set(printed["baselines"]) == {"bm25", "dense", "langchain"}
    for name in ("report.json", "report.md", "hitk.png", "predictions.jsonl", "predictions-langchain.jsonl"):
        assert (report / name).stat().st_size > 0
    data = json.loads((report / "report.json").read_text(encoding="utf-8"))
    for name, scores in data["systems"].items():
        for group in [scores["overall"], *scores["by_lang"].values(), *scores["by_type"].values()]:
            assert all(0.0 <= v <= 1.0 for v in _fractions(group)), (name, group)
        assert scores["overall"]["n"] == len(load_qa(PROJECT_ROOT / "evals" / "dev.jsonl"))
        assert scores["overall"]["latency_median_ms"] > 0
    dev = load_qa(PROJECT_ROOT / "evals" / "dev.jsonl")[:10]
    # The same questions through evaluate(): retrieval is deterministic, so the ranks agree.
    again = evaluate(Assistant.load(settings, rebuild=False), dev)
    first = {q["id"]: q["rank"] for q in data["systems"]["assistant"]["questions"]}
    assert {q["id"]: q["rank"] for q in again["questions"]} == {q["id"]: first[q["id"]] for q in dev}
