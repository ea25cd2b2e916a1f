"""The candidate retriever and the Milvus backend (milvus-lite, a local file): the same
passages and scores as the exact FAISS retriever, filled once per index version, and clear
errors for a bad setting."""

from __future__ import annotations

import numpy as np
import pytest

from assistant import Assistant, Settings
from assistant.errors import AssistantError
from assistant.retrieve.candidates import CandidateRetriever, FaissService, moments, spread
from samples import GENERAL

QUESTIONS = ["长江有多长？", "长江流经哪些省份？", "How long is the river?", "三峡大坝什么时候建成？",
             "What is the capital?", "港口吞吐量是多少？"]


def _ids(retriever, bot, question, n=8):
    q = bot.analyzer.analyze(question, "zh" if any("\u4e00" <= ch <= "\u9fff" for ch in question) else "en")
    passages, scores = retriever.search(q, n)
    return [p.chunk.id for p in passages], passages, scores


@pytest.fixture
def fake_bot(fake_settings):
    return Assistant.load(fake_settings, progress=False, log=lambda *_: None)


def test_moments_give_the_spread_of_every_cosine():
    rng = np.random.default_rng(0)
    v = rng.normal(size=(300, 16)).astype(np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    q = v[7]
    mean, std = spread(q, *moments(v, batch=64))
    assert mean == pytest.approx(float((v @ q).mean()), abs=1e-5)
    assert std == pytest.approx(float((v @ q).std()), abs=1e-5)


@pytest.mark.parametrize("top", [2, 5, 64])
def test_candidates_from_a_search_service_score_as_the_exact_retriever(fake_bot, top):
    # With a service that returns only `top` rows a search, the returned passages and their
    # sentences' scores are still the exact retriever's.
    exact = fake_bot.retriever
    candidate = CandidateRetriever(fake_bot.index, fake_bot.embedder, fake_bot.settings,
                                   FaissService(fake_bot.index), top=top)
    for question in QUESTIONS:
        want, want_passages, want_scores = _ids(exact, fake_bot, question)
        got, got_passages, got_scores = _ids(candidate, fake_bot, question)
        assert got[:3] == want[:3], question
        for w, g in zip(want_passages, got_passages):
            if w.chunk.id == g.chunk.id:
                assert g.sentence_scores == pytest.approx(w.sentence_scores, abs=1e-5)
                assert g.score == pytest.approx(w.score, abs=1e-5)
        assert got_scores.moments["sentence"][0] == pytest.approx(float(want_scores.sentence_dense.mean()), abs=1e-4)


def test_chunks_added_after_a_search_score_as_the_exact_retriever(tmp_path):
    # A chunk the search did not return (a title fetched for 'what is the title?') gets the
    # exact retriever's scores, not the floor a left-out row has.
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "rivers.md").write_text("# Rivers\n\n" + "".join(
        f"## River {n}\n\nRiver {n} is {n * 100} km long and flows past the town of Town{n}.\n\n" for n in range(1, 16)))
    fake_bot = Assistant.load(Settings(corpus_dir=corpus, index_root=tmp_path / "index", embedder="hash"),
                              progress=False, log=lambda *_: None)
    exact = fake_bot.retriever
    candidate = CandidateRetriever(fake_bot.index, fake_bot.embedder, fake_bot.settings,
                                   FaissService(fake_bot.index), top=2)
    q = fake_bot.analyzer.analyze("How long is River 3?", "en")
    passages, scores = candidate.search(q, 1)
    extra = [int(ci) for ci in np.flatnonzero(~np.isfinite(scores.chunk))][-2:]  # not scored exactly
    assert extra, "the corpus is too small to leave a chunk out"
    got, _ = candidate.with_chunks(q, passages, scores, extra + extra[:1])
    want_scores = exact.scores(q)
    assert [p.chunk.id for p in got] == [p.chunk.id for p in passages] + [fake_bot.index.chunks[c].id for c in extra]
    assert [p.rank for p in got] == list(range(1, len(got) + 1))
    for p, ci in zip(got[len(passages):], extra):
        want = exact.passage(want_scores, ci, p.rank)
        assert p.sentence_scores == pytest.approx(want.sentence_scores, abs=1e-5)
        assert p.sentence_dense == pytest.approx(want.sentence_dense, abs=1e-5)
        assert p.score == pytest.approx(want.score, abs=1e-5)


def test_spread_from_candidates_matches_the_exact_one(fake_bot):
    from assistant.answer.features import Facts, Spread

    facts = Facts(fake_bot.index)
    candidate = CandidateRetriever(fake_bot.index, fake_bot.embedder, fake_bot.settings,
                                   FaissService(fake_bot.index), top=3)
    for question in QUESTIONS:
        exact = Spread.of(_ids(fake_bot.retriever, fake_bot, question)[2], facts)
        approx = Spread.of(_ids(candidate, fake_bot, question)[2], facts)
        assert approx.dense_max == pytest.approx(exact.dense_max, abs=1e-5)
        assert approx.dense_mean == pytest.approx(exact.dense_mean, abs=1e-4)
        assert approx.dense_std == pytest.approx(exact.dense_std, abs=1e-4)
        assert approx.chunk_dense_std == pytest.approx(exact.chunk_dense_std, abs=1e-4)
        assert approx.title_dense == pytest.approx(exact.title_dense, abs=1e-5)
        assert approx.topic == pytest.approx(exact.topic, abs=1e-4)


def test_an_unknown_backend_is_a_clear_error(fake_settings):
    with pytest.raises(AssistantError, match="ASSISTANT_BACKEND.*faiss, milvus"):
        Settings.from_env({"ASSISTANT_BACKEND": "elastic"}, corpus_dir=fake_settings.corpus_dir)


def test_a_lite_uri_that_is_not_a_db_file_is_a_clear_error(fake_bot, tmp_path):
    settings = fake_bot.settings.with_overrides(backend="milvus", milvus_uri=str(tmp_path / "milvus.sqlite"))
    with pytest.raises(AssistantError, match=r"must end in \.db"):
        Assistant(fake_bot.index, settings)


def test_a_lite_file_in_use_or_in_the_way_is_a_clear_error(fake_bot, tmp_path):
    import subprocess
    import sys
    import time

    pytest.importorskip("pymilvus")
    in_the_way = tmp_path / "file.db"
    in_the_way.write_bytes(b"not milvus")
    with pytest.raises(AssistantError, match="is a file"):
        Assistant(fake_bot.index, fake_bot.settings.with_overrides(backend="milvus", milvus_uri=str(in_the_way)))
    uri = tmp_path / "busy.db"
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time; from pymilvus import MilvusClient; "
                               f"MilvusClient({str(uri)!r}); print('open', flush=True); time.sleep(60)"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        with pytest.raises(AssistantError, match="one process at a time"):
            Assistant(fake_bot.index, fake_bot.settings.with_overrides(backend="milvus", milvus_uri=str(uri)))
    finally:
        holder.kill()
        holder.wait()
    time.sleep(0.5)
    Assistant(fake_bot.index, fake_bot.settings.with_overrides(backend="milvus", milvus_uri=str(uri)))  # free again


def test_milvus_lite_answers_as_faiss_and_fills_once(fake_bot, tmp_path):
    pytest.importorskip("pymilvus")
    uri = str(tmp_path / "m" / "milvus.db")
    settings = fake_bot.settings.with_overrides(backend="milvus", milvus_uri=uri)
    lines: list[str] = []
    milvus = Assistant(fake_bot.index, settings)  # fills, logging to stdout
    for question in QUESTIONS:
        want = fake_bot.ask(question)
        got = milvus.ask(question)
        assert got.abstained == want.abstained, question
        assert [c.quote for c in got.citations] == [c.quote for c in want.citations], question
    assert type(milvus.retriever).__name__ == "CandidateRetriever"
    assert milvus.retriever.service.name == "milvus"

    from assistant.pipeline import make_retriever
    from assistant.retrieve.milvus import holds

    make_retriever(fake_bot.index, fake_bot.embedder, settings, progress=False, log=lines.append)
    assert lines == []  # the collections already hold this version: nothing filled again
    assert "holds this index" in holds(fake_bot.index, settings)

    # A rebuilt index (another version) is filled again.
    rebuilt = fake_bot.index
    rebuilt.manifest = dict(rebuilt.manifest, files=dict(rebuilt.manifest.get("files") or {}, extra="changed"))
    assert "does not hold" in holds(rebuilt, settings)
    make_retriever(rebuilt, fake_bot.embedder, settings, progress=False, log=lines.append)
    assert len(lines) == 1 and lines[0].startswith("Filling Milvus")


def test_index_info_names_the_backend(fake_settings, capsys, monkeypatch):
    from assistant.app.cli import main

    Assistant.load(fake_settings, progress=False, log=lambda *_: None)
    args = ["index", "info", "--corpus", str(fake_settings.corpus_dir), "--index-root", str(fake_settings.index_root),
            "--embedder", "hash"]
    assert main(args) == 0
    assert "backend: faiss" in capsys.readouterr().out
    monkeypatch.setenv("ASSISTANT_MILVUS_URI", str(fake_settings.index_root / "never.db"))
    assert main(args + ["--backend", "milvus"]) == 0
    out = capsys.readouterr().out
    assert "backend: milvus at" in out and "not created yet" in out


# ----- the real model: the paper and a general set on both backends -----

def _hit5(bot, records) -> float:
    from assistant.evaluation.run import evaluate

    return evaluate(bot, records)["overall"]["hit@5"]


@pytest.mark.e2e
def test_milvus_reaches_faiss_hit_at_5_on_the_paper(real_bot, tmp_path):
    pytest.importorskip("pymilvus")
    from assistant.evaluation.qa import load_qa
    from assistant.evaluation.run import DEFAULT_QA

    records = load_qa(DEFAULT_QA)[:60]
    milvus = Assistant(real_bot.index, real_bot.settings.with_overrides(backend="milvus",
                                                                        milvus_uri=str(tmp_path / "paper.db")))
    faiss_hit, milvus_hit = _hit5(real_bot, records), _hit5(milvus, records)
    assert faiss_hit > 0.8
    assert abs(milvus_hit - faiss_hit) <= 0.02, (faiss_hit, milvus_hit)


@pytest.mark.e2e
def test_milvus_reaches_faiss_hit_at_5_on_a_general_set(tmp_path):
    pytest.importorskip("pymilvus")
    from assistant.evaluation.general import annotate, select
    from assistant.evaluation.qa import load_qa

    settings = Settings(corpus_dir=GENERAL / "xquad-mixed" / "corpus", index_root=tmp_path / "idx")
    faiss_bot = Assistant.load(settings, progress=False, log=lambda *_: None)
    milvus_bot = Assistant(faiss_bot.index, settings.with_overrides(backend="milvus",
                                                                    milvus_uri=str(tmp_path / "mixed.db")))
    records = []
    for suite in ("qa_zh", "qa_en"):
        records += select(load_qa(GENERAL / "xquad-mixed" / f"{suite}.jsonl"), "dev", 30)
    records = annotate(records, faiss_bot.index.documents)
    faiss_hit, milvus_hit = _hit5(faiss_bot, records), _hit5(milvus_bot, records)
    assert faiss_hit > 0.6
    assert abs(milvus_hit - faiss_hit) <= 0.02, (faiss_hit, milvus_hit)


def test_an_approximate_faiss_index_above_the_stored_size_answers_as_the_exact_one(fake_settings, monkeypatch,
                                                                                    tmp_path):
    # Above `exact_below` (assistant/data/vectors.json) the index is IVF: saved, loaded, and
    # searched through the candidate retriever, with the same answers where IVF looks at every list.
    from assistant.index import vectors
    from assistant.index.store import Index

    exact = Assistant.load(fake_settings, progress=False, log=lambda *_: None)
    monkeypatch.setattr(vectors, "choice", lambda: {"exact_below": 3, "approximate": {
        "kind": "ivf", "lists_per_sqrt_n": 1, "train_per_list": 64, "nprobe": 1000}})
    settings = fake_settings.with_overrides(index_root=tmp_path / "ivf-index")
    approximate = Assistant.load(settings, progress=False, log=lambda *_: None)
    assert vectors.kind_of(approximate.index.sentence_index) == "ivf"
    assert vectors.kind_of(Index.load(settings.index_dir).chunk_index) == "ivf"
    assert type(approximate.retriever).__name__ == "CandidateRetriever"
    assert type(exact.retriever).__name__ == "Retriever"
    assert np.allclose(approximate.index.sentence_vectors, exact.index.sentence_vectors, atol=1e-6)
    for question in QUESTIONS:
        want, got = exact.ask(question), approximate.ask(question)
        assert got.abstained == want.abstained and [c.quote for c in got.citations] == [c.quote for c in
                                                                                      want.citations], question
