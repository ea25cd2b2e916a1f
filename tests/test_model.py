"""The answer model as data: fitting, saving and loading, which model a corpus gets, and the
calibrate command on a small set with the fake embedder."""

import json

import numpy as np
import pytest

from assistant.answer.features import ANSWERABLE_FEATURES, EVIDENCE_FEATURES
from assistant.answer.model import (DEFAULT_MODEL, AnswerModel, Linear, fit_listwise, fit_logistic, load_model,
                                    model_for)
from assistant.app.cli import main
from assistant.errors import AssistantError
from assistant.evaluation.qa import write_jsonl


def test_the_shipped_model_reads_every_signal_and_says_where_it_came_from():
    model = load_model()
    assert model.evidence.features == EVIDENCE_FEATURES and model.answerable.features == ANSWERABLE_FEATURES
    assert set(model.thresholds) == {"zh→zh", "zh→en", "en→zh", "en→en"}
    assert all(0 < t < 1 for t in model.thresholds.values())
    p = model.provenance
    assert p["command"] == "python -m assistant calibrate" and p["split"] == "dev"
    assert p["evidence_also"] == {"bundled/dev": 247}
    assert set(p["data"]) == {"cmrc2018-trial/qa_zh", "xquad-en/qa_en", "xquad-en/qa_zh", "xquad-mixed/qa_en",
                              "xquad-mixed/qa_zh", "xquad-zh/qa_en", "xquad-zh/qa_zh"}
    assert model.embedder.startswith("use-multilingual-v3")


def test_listwise_fit_ranks_the_positive_first():
    rng = np.random.default_rng(0)
    groups = []
    for _ in range(60):
        x = rng.normal(size=(6, 2))
        y = np.zeros(6)
        y[np.argmax(x[:, 0])] = 1  # the answer is the candidate with the largest first feature
        groups.append((x, y, 1.0))
    model = fit_listwise(("a", "b"), groups)
    assert model.coef[0] > 1.0 and abs(model.coef[1]) < 0.5


def test_logistic_fit_and_its_prior():
    x = np.array([[0.0], [0.2], [0.8], [1.0]] * 5)
    y = np.array([0, 0, 1, 1] * 5)
    free = fit_logistic(("a",), x, y)
    assert free.coef[0] > 0 and free.logits(np.array([[1.0]]))[0] > 0 > free.logits(np.array([[0.0]]))[0]
    # A strong prior keeps the coefficient near the prior's.
    prior = Linear(("a",), (0.0,), (1.0,), (-3.0,), 0.0)
    pulled = fit_logistic(("a",), x, y, c=1e-4, prior=prior)
    assert abs(pulled.coef[0] + 3.0) < 0.1


def test_save_is_atomic_and_round_trips(tmp_path):
    model = AnswerModel.neutral()
    path = model.save(tmp_path / "m.json")
    assert load_model(path).to_dict() == model.to_dict()
    assert [p.name for p in tmp_path.iterdir()] == ["m.json"]  # no temporary file left behind


def test_a_missing_or_broken_model_file_says_how_to_make_one(tmp_path):
    with pytest.raises(AssistantError, match="python -m assistant calibrate"):
        load_model(tmp_path / "none.json")
    (tmp_path / "bad.json").write_text("{", encoding="utf-8")
    with pytest.raises(AssistantError, match="cannot be read"):
        load_model(tmp_path / "bad.json")


def test_a_corpus_model_is_used_only_when_fitted_for_the_embedder(tmp_path):
    general = load_model()
    assert model_for(tmp_path, "use").to_dict() == general.to_dict()
    own = AnswerModel(general.evidence, general.answerable, {"zh→zh": 0.1}, 0.1, 1.0, 3, general.embedder,
                      {"command": "mine"})
    own.save(tmp_path / "answer_model.json")
    assert model_for(tmp_path, "use").provenance == {"command": "mine"}
    other = AnswerModel(general.evidence, general.answerable, {}, 0.1, 1.0, 3, "hash-256", {"command": "other"})
    other.save(tmp_path / "answer_model.json")
    assert model_for(tmp_path, "use").to_dict() == general.to_dict()


def _tiny_sets(root):
    """A corpus of two short documents and questions in the QA schema with answer spans."""
    corpus = root / "rivers" / "corpus"
    corpus.mkdir(parents=True)
    docs = {"yangtze.md": "# 长江\n\n长江全长约6300公里，是亚洲第一长河。它发源于青藏高原。三峡大坝位于湖北。\n",
            "danube.md": "# Danube\n\nThe Danube is 2850 kilometres long. It flows into the Black Sea. Vienna lies on it.\n"}
    for name, text in docs.items():
        (corpus / name).write_text(text, encoding="utf-8")
    rows = []
    for i, (q, source, answer) in enumerate([
            ("长江全长多少公里？", "yangtze.md", "6300"), ("长江发源于哪里？", "yangtze.md", "青藏高原"),
            ("三峡大坝位于哪个省？", "yangtze.md", "湖北"), ("How long is the Danube?", "danube.md", "2850"),
            ("Where does the Danube flow into?", "danube.md", "Black Sea"),
            ("Which city lies on the Danube?", "danube.md", "Vienna")]):
        start = docs[source].index(answer)
        rows.append({"id": f"q{i}", "lang": "zh" if "？" in q else "en", "question": q, "answer": answer,
                     "evidence": [], "answerable": True, "source": source, "start": start,
                     "end": start + len(answer), "split": "dev"})
    for i, q in enumerate(["黑死病的起因是什么？", "Who painted the Mona Lisa?", "火星有几颗卫星？"]):
        rows.append({"id": f"ooc-{i}", "lang": "zh" if "？" in q else "en", "question": q, "answer": "",
                     "evidence": [], "answerable": False, "split": "dev"})
    write_jsonl(root / "rivers" / "qa_mixed.jsonl", rows)
    return root


def test_calibrate_fits_and_writes_a_model_with_its_provenance(tmp_path, capsys):
    root = _tiny_sets(tmp_path / "general")
    out = tmp_path / "model.json"
    code = main(["calibrate", "--general-root", str(root), "--out", str(out), "--embedder", "hash", "--no-paper",
                 "--index-root", str(tmp_path / "index")])
    assert code == 0
    printed = capsys.readouterr().out
    assert "| direction |" in printed and "citation margin" in printed
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["embedder"] == "hash-256" and data["provenance"]["data"] == {
        "rivers/qa_mixed": {"questions": 9, "answerable": 6}}
    assert load_model(out).evidence.features == EVIDENCE_FEATURES
    assert DEFAULT_MODEL.exists()  # the shipped model is untouched


def test_calibrate_for_a_corpus_needs_its_questions(tmp_path, capsys):
    code = main(["calibrate", "--corpus", str(tmp_path), "--embedder", "hash", "--index-root", str(tmp_path / "i")])
    assert code == 2 and "--corpus needs --qa" in capsys.readouterr().err
