"""Validate the hand-written evaluation sets: evals/qa.jsonl, evals/dev.jsonl,
evals/holdout.jsonl and evals/followups.jsonl, against the paper in corpus/.

Standard library + pytest only; nothing from the project package is imported.
"""

import json
import re
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EVALS = ROOT / "evals"
CORPUS = ROOT / "corpus" / "chen-2026-belt-and-road-15th-five-year-plan.md"

QA_TYPES = {"fact", "number", "date", "list", "definition", "multi", "abstract", "unanswerable"}
LANGS = {"zh", "en"}
QA_FIELDS = {
    "id": str,
    "lang": str,
    "question": str,
    "answer": str,
    "evidence": list,
    "answerable": bool,
    "type": str,
}
FU_FIELDS = {
    "id": str,
    "lang": str,
    "first": str,
    "followup": str,
    "followup_resolved": str,
    "evidence": list,
}
MARKUP = ("**", "<sup>", "</sup>", "\\*")
ZH_TERMINATORS = "。！？；"
HAN = re.compile(r"[\u4e00-\u9fff]")


def squash(text: str) -> str:
    """Remove all whitespace, so page breaks and spacing never matter."""
    return re.sub(r"\s+", "", text)


def load(name: str) -> list[dict]:
    path = EVALS / name
    assert path.is_file(), f"missing {path}"
    rows = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:  # pragma: no cover - reported as failure
                pytest.fail(f"{name}:{n} is not valid JSON: {exc}")
            assert isinstance(row, dict), f"{name}:{n} is not a JSON object"
            rows.append(row)
    return rows


@pytest.fixture(scope="module")
def corpus() -> str:
    return squash(CORPUS.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def qa() -> list[dict]:
    return load("qa.jsonl")


@pytest.fixture(scope="module")
def dev() -> list[dict]:
    return load("dev.jsonl")


@pytest.fixture(scope="module")
def holdout() -> list[dict]:
    return load("holdout.jsonl")


@pytest.fixture(scope="module")
def followups() -> list[dict]:
    return load("followups.jsonl")


def check_fields(row: dict, fields: dict, where: str) -> None:
    missing = set(fields) - set(row)
    assert not missing, f"{where}: missing fields {sorted(missing)}"
    for key, typ in fields.items():
        assert isinstance(row[key], typ), f"{where}: field {key!r} should be {typ.__name__}"
        if typ is str:
            assert row[key].strip(), f"{where}: field {key!r} is empty"
    assert row["lang"] in LANGS, f"{where}: bad lang {row['lang']!r}"
    assert all(isinstance(e, str) and e.strip() for e in row["evidence"]), f"{where}: evidence must be non-empty strings"


def check_evidence(ev: str, corpus: str, where: str) -> None:
    for mark in MARKUP:
        assert mark not in ev, f"{where}: evidence contains markup {mark!r}: {ev!r}"
    assert squash(ev) in corpus, f"{where}: evidence not found in the paper: {ev!r}"
    if HAN.search(ev):
        # Chinese evidence must stay inside one sentence.
        assert not any(t in ev for t in ZH_TERMINATORS), f"{where}: evidence spans a sentence end: {ev!r}"
    else:
        assert not re.search(r"[.!?](\s|$)", ev), f"{where}: evidence spans a sentence end: {ev!r}"


def check_question_set(rows: list[dict], prefix: str, corpus: str) -> None:
    for row in rows:
        where = row.get("id", "?")
        check_fields(row, QA_FIELDS, where)
        assert row["id"].startswith(prefix), f"{where}: id should start with {prefix!r}"
        assert row["type"] in QA_TYPES, f"{where}: bad type {row['type']!r}"
        unanswerable = row["type"] == "unanswerable"
        assert row["answerable"] is (not unanswerable), f"{where}: answerable must be False iff type is unanswerable"
        assert (row["evidence"] == []) is unanswerable, f"{where}: evidence must be [] iff unanswerable"
        if row["type"] == "multi":
            assert len(row["evidence"]) >= 2, f"{where}: a multi question needs one evidence per sentence"
        if row["lang"] == "zh":
            assert HAN.search(row["question"]), f"{where}: zh question without Chinese text"
        for ev in row["evidence"]:
            check_evidence(ev, corpus, where)


def test_qa_rows_valid(qa, corpus):
    check_question_set(qa, "qa-", corpus)


def test_dev_rows_valid(dev, corpus):
    check_question_set(dev, "dev-", corpus)


def test_holdout_rows_valid(holdout, corpus):
    check_question_set(holdout, "ho-", corpus)


def test_followup_rows_valid(followups, corpus):
    from samples import ROOT

    kinds = Counter()
    for row in followups:
        where = row.get("id", "?")
        assert row["id"].startswith("fu-"), f"{where}: id should start with 'fu-'"
        kinds[row.get("kind", "-")] += 1
        if row.get("expect") == "clarify":  # a follow-up with nothing before it: no answer is right
            assert row["first"] is None and row["followup_resolved"] is None and row["evidence"] == [], where
            assert row["followup"].strip() and row["lang"] in LANGS, where
            continue
        check_fields(row, FU_FIELDS, where)
        assert row["evidence"], f"{where}: every follow-up must be answerable (evidence required)"
        assert row["followup"] != row["followup_resolved"], f"{where}: follow-up should be elliptical"
        text = corpus
        if row.get("corpus"):  # over another corpus: the evidence is in the named document
            text = squash((ROOT / row["corpus"] / row["source"]).read_text(encoding="utf-8"))
        for ev in row["evidence"]:
            check_evidence(ev, text, where)
    assert len(followups) >= 60 and kinds["first_turn"] >= 5 and kinds["topic_swap"] >= 5, kinds


def test_ids_unique_across_files(qa, dev, holdout, followups):
    ids = [r["id"] for r in qa + dev + holdout + followups]
    dupes = [i for i, n in Counter(ids).items() if n > 1]
    assert not dupes, f"duplicate ids: {dupes}"


def test_qa_composition(qa):
    assert len(qa) >= 130
    langs = Counter(r["lang"] for r in qa)
    assert langs["en"] / len(qa) >= 0.45, f"only {langs['en']} English questions of {len(qa)}"
    types = Counter(r["type"] for r in qa)
    assert types["unanswerable"] >= 18
    assert types["multi"] >= 10
    missing = QA_TYPES - set(types)
    assert not missing, f"types not present in qa: {sorted(missing)}"
    unans_en = sum(1 for r in qa if r["type"] == "unanswerable" and r["lang"] == "en")
    assert 0 < unans_en < types["unanswerable"], "unanswerable questions should be in both languages"
    assert 8 <= types["abstract"] <= 12
    assert all(r["lang"] == "en" for r in qa if r["type"] == "abstract")


def test_dev_composition(dev):
    assert len(dev) >= 45
    types = Counter(r["type"] for r in dev)
    assert types["unanswerable"] >= 6
    langs = Counter(r["lang"] for r in dev)
    assert langs["en"] / len(dev) >= 0.3


def test_no_question_shared_between_sets(qa, dev, holdout):
    seen: dict[str, str] = {}
    shared = []
    for row in qa + dev + holdout:
        key = squash(row["question"]).lower()
        if key in seen:
            shared.append((seen[key], row["id"]))
        seen[key] = row["id"]
    assert not shared, f"questions asked twice: {shared}"


def test_followups_composition(followups):
    assert len(followups) >= 24
    langs = Counter(r["lang"] for r in followups)
    assert langs["zh"] >= 10 and langs["en"] >= 10


GENERAL = ROOT / "evals" / "general"


@pytest.mark.parametrize("qa_file", sorted(GENERAL.glob("*/qa_*.jsonl")), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_general_sets_point_at_their_answers(qa_file):
    corpus = qa_file.parent / "corpus"
    texts = {p.name: p.read_text(encoding="utf-8") for p in corpus.glob("*.md")}
    rows = [json.loads(line) for line in qa_file.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len({r["id"] for r in rows}) == len(rows)
    for r in rows:
        assert r["split"] in ("dev", "test") and r["question"].strip() and r["lang"] in LANGS
        if r["answerable"]:
            assert texts[r["source"]][r["start"]:r["end"]] == r["answer"], r["id"]
        else:
            assert "source" not in r and not r["evidence"]


def test_general_sets_keep_their_attribution():
    readme = (GENERAL / "README.md").read_text(encoding="utf-8")
    assert "CC BY-SA 4.0" in readme and "XQuAD" in readme and "CMRC 2018" in readme
    assert "CC BY-SA" in (GENERAL / "SOURCE.md").read_text(encoding="utf-8")
