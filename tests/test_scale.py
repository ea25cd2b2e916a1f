"""The vector index choice (index/vectors.py) and the scale bench (app/scale.py), on small data."""

from __future__ import annotations

import json

import numpy as np
import pytest

from samples import SMALL_ZH

from assistant.index import vectors
from assistant.index.lexical import BM25

HNSW_ABOVE = {"exact_below": 500, "approximate": {"kind": "hnsw", "M": 16, "efConstruction": 80, "efSearch": 200}}
IVF_ABOVE = {"exact_below": 500, "approximate": {"kind": "ivf", "lists_per_sqrt_n": 1, "train_per_list": 40,
                                                 "nprobe": 1000}}


def unit(n: int, d: int = 32, seed: int = 0) -> np.ndarray:
    v = np.random.default_rng(seed).standard_normal((n, d)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def brute(v: np.ndarray, q: np.ndarray, k: int) -> np.ndarray:
    return np.argsort(-(v @ q), kind="stable")[:k]


@pytest.mark.parametrize("spec, kind", [(HNSW_ABOVE, "hnsw"), (IVF_ABOVE, "ivf")])
def test_flat_below_the_threshold_and_the_approximate_kind_above(spec, kind):
    small, large = vectors.build(unit(499), spec), vectors.build(unit(800), spec)
    assert vectors.is_exact(small) and vectors.kind_of(small) == "flat"
    assert not vectors.is_exact(large) and vectors.kind_of(large) == kind
    assert large.ntotal == 800


def test_the_stored_choice_says_how_it_was_measured():
    choice = vectors.choice()
    assert choice["exact_below"] >= 1000
    assert choice["approximate"]["kind"] in ("hnsw", "ivf")
    assert choice["command"].startswith("python -m assistant bench --scale") and "--choose" in choice["command"]
    assert "real sentences" in choice["measured_on"] and "noise" in choice["measured_on"]
    largest = max(m["n"] for m in choice["measurements"])
    assert largest >= 100_000
    assert vectors.spec_for(choice["exact_below"] - 1) == {"kind": "flat"}
    assert vectors.spec_for(choice["exact_below"])["kind"] == choice["approximate"]["kind"]


@pytest.mark.parametrize("spec", [{"kind": "flat"}, HNSW_ABOVE, IVF_ABOVE])
def test_search_finds_the_brute_force_neighbours(spec):
    v, queries = unit(1000), unit(20, seed=1)
    index = vectors.build(v, spec)
    found = 0
    for q in queries:
        ids, sims = vectors.search(index, q, 10)
        truth = brute(v, q, 10)
        found += len(set(ids.tolist()) & set(truth.tolist()))
        np.testing.assert_allclose(sims, v[ids] @ q, atol=1e-5)  # the cosines of the ids returned
        assert np.all(np.diff(sims) <= 1e-6)  # best first
    # Flat and an IVF probing every list are exact; this HNSW on 1000 vectors nearly so.
    assert found / 200 >= (1.0 if spec is not HNSW_ABOVE else 0.97)


@pytest.mark.parametrize("spec", [{"kind": "flat"}, HNSW_ABOVE, IVF_ABOVE])
def test_vectors_of_gives_the_stored_vectors(spec):
    v = unit(900)
    index = vectors.build(v, spec)
    ids = np.array([0, 899, 17, 17, 450])
    np.testing.assert_array_equal(vectors.vectors_of(index, ids), v[ids])
    assert vectors.vectors_of(index, np.array([], np.int64)).shape == (0, 32)


def test_an_ivf_index_is_read_by_row_as_its_vectors_would_be():
    v = unit(900)
    rows = vectors.stored(vectors.build(v, IVF_ABOVE))
    assert isinstance(rows, vectors.Rows) and rows.shape == (900, 32) and len(rows) == 900
    np.testing.assert_array_equal(rows[17], v[17])
    np.testing.assert_array_equal(rows[-1], v[-1])
    np.testing.assert_array_equal(rows[[5, 5, 899, 0]], v[[5, 5, 899, 0]])
    np.testing.assert_array_equal(rows[np.array([[1, 2], [3, 4]])], v[np.array([[1, 2], [3, 4]])])
    np.testing.assert_array_equal(rows[100:300:7], v[100:300:7])
    np.testing.assert_array_equal(rows[v[:, 0] > 0], v[v[:, 0] > 0])
    np.testing.assert_array_equal(np.asarray(rows), v)
    assert rows[[]].shape == (0, 32) and rows[5:5].shape == (0, 32)
    with pytest.raises(IndexError):
        rows[900]
    with pytest.raises(IndexError):
        rows[[0, -901]]


@pytest.mark.parametrize("spec", [{"kind": "flat"}, HNSW_ABOVE])
def test_a_flat_or_hnsw_index_gives_a_read_only_view_of_its_own_memory(spec):
    v = unit(900)
    index = vectors.build(v, spec)
    view = vectors.stored(index)
    assert isinstance(view, np.ndarray) and not view.flags.writeable and not view.flags.owndata
    np.testing.assert_array_equal(view, v)
    assert vectors.stored(vectors.build(unit(0), {"kind": "flat"})).shape == (0, 32)


@pytest.mark.parametrize("spec", [HNSW_ABOVE, IVF_ABOVE])
def test_a_saved_index_keeps_its_kind_search_effort_and_vectors(spec, tmp_path):
    import faiss

    v = unit(800)
    index = vectors.build(v, spec)
    vectors.set_search_effort(index, 7)
    faiss.write_index(index, str(tmp_path / "dense.faiss"))
    loaded = faiss.read_index(str(tmp_path / "dense.faiss"))
    assert vectors.kind_of(loaded) == vectors.kind_of(index)
    effort = faiss.downcast_index(loaded).hnsw.efSearch if vectors.kind_of(loaded) == "hnsw" else loaded.nprobe
    assert effort == 7
    np.testing.assert_array_equal(vectors.vectors_of(loaded, np.array([3, 799])), v[[3, 799]])


def test_eight_bit_vectors_are_close_not_exact():
    v = unit(900)
    index = vectors.build(v, {"kind": "ivf-sq8", "lists_per_sqrt_n": 1, "train_per_list": 40})
    got = vectors.vectors_of(index, np.arange(900))
    assert not np.array_equal(got, v) and np.abs(got - v).max() < 0.02


def test_search_of_more_than_the_index_holds_and_of_nothing():
    index = vectors.build(unit(5), {"kind": "flat"})
    ids, sims = vectors.search(index, unit(1)[0], 10)
    assert sorted(ids.tolist()) == [0, 1, 2, 3, 4] and len(sims) == 5
    assert len(vectors.search(index, unit(1)[0], 0)[0]) == 0


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="unknown vector index kind 'annoy'"):
        vectors.build(unit(10), {"kind": "annoy"})


def test_search_effort_is_set():
    index = vectors.build(unit(800), HNSW_ABOVE)
    vectors.set_search_effort(index, 33)
    import faiss

    assert faiss.downcast_index(index).hnsw.efSearch == 33


# ----- the scale bench -----

def test_recall_counts_the_true_neighbours_found():
    from assistant.app.scale import recall

    truth = np.array([[1, 2, 3], [4, 5, 6]])
    assert recall(truth, truth) == 1.0
    assert recall(np.array([[3, 2, 9], [7, 8, 9]]), truth) == pytest.approx((2 / 3 + 0) / 2)
    assert recall(np.array([[9, 9, 9, 1, 2]]), np.array([[1, 2, 3]])) == 0.0  # only the first k count


@pytest.fixture
def material(tmp_path):
    """Material from a small mixed corpus with the deterministic hash embedder."""
    from assistant.app.scale import prepare

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "small.md").write_text(SMALL_ZH, encoding="utf-8")
    (corpus / "en.md").write_text("# Rivers\n\n" + " ".join(
        f"The river number {i} carries {i * 7} tons of freight past port {i % 5}." for i in range(40)), encoding="utf-8")
    questions = tmp_path / "qa.jsonl"
    questions.write_text("\n".join(json.dumps({"question": q}, ensure_ascii=False) for q in
                                   ["长江港口吞吐量是多少？", "Which river carries freight?", "港口在哪里？"]), encoding="utf-8")
    return prepare("hash:64", queries=6, roots=[corpus], question_files=[questions], progress=False)


def test_made_corpora_are_runs_of_real_sentences_with_unit_vectors(material):
    from assistant.app.scale import MadeCorpus

    corpus = MadeCorpus(material, 300)
    again = MadeCorpus(material, 300)
    np.testing.assert_array_equal(corpus.vectors(0, 300), again.vectors(0, 300))
    made = np.vstack([block for _, block in corpus.batches()])
    np.testing.assert_allclose(np.linalg.norm(made, axis=1), 1.0, atol=1e-5)
    assert len(np.unique(made.round(5), axis=0)) == 300  # the noise makes every vector its own
    tokens = list(corpus.tokens())
    assert len(tokens) == 300 and len(corpus.langs) == 300
    for i in (0, 150, 299):
        run = material.order[corpus.starts[i]:corpus.starts[i] + corpus.lengths[i]]
        assert tokens[i] == [t for s in run for t in material.tokens[s]]
        assert corpus.starts[i] + corpus.lengths[i] <= material.document_end[corpus.starts[i]]  # one document
    assert material.queries.shape == (6, 64) and len(material.query_tokens) == 6
    bm25 = BM25(corpus.tokens(), corpus.langs)  # from a generator, as the bench builds it
    listed = BM25(tokens, corpus.langs)
    np.testing.assert_array_equal(bm25.scores(tokens[7]), listed.scores(tokens[7]))


def test_exact_neighbours_are_the_brute_force_ones(material, monkeypatch):
    from assistant.app import scale
    from assistant.app.scale import MadeCorpus, exact_neighbours

    monkeypatch.setattr(scale, "BATCH", 64)  # several batches, merged
    corpus = MadeCorpus(material, 300)
    made = np.vstack([block for _, block in corpus.batches()])
    found = exact_neighbours(corpus, material.queries, 10)
    for q, ids in zip(material.queries, found):
        np.testing.assert_array_equal(ids, brute(made, q, 10))


def _row(out: str, first: str) -> list[str]:
    rows = [line for line in out.splitlines() if line.startswith(f"| {first} |")]
    assert rows, out
    return [c.strip() for c in rows[0].strip("|").split("|")]


def test_the_scale_bench_prints_every_column_at_a_tiny_size(material, tmp_path, capsys, monkeypatch):
    from assistant.app import scale

    monkeypatch.setattr(scale, "prepare", lambda *a, **k: material)
    scale.run_scale([300], embedder="hash:64", progress=False, spec=IVF_ABOVE | {"exact_below": 100})
    out = capsys.readouterr().out
    assert "run of real sentences" in out and "Gaussian noise" in out and "too slow" in out
    header = _row(out, "chunks")
    assert header == ["chunks", "dense index", "build: BM25 + dense", "query p50 / p95", "dense search p50",
                      "dense recall@10", "peak RSS (before building)", "dense index loaded: peak RSS", "disk"]
    cells = _row(out, "300")
    assert cells[1].startswith("ivf (")
    lexical, dense = (float(x) for x in cells[2].removesuffix(" s").split(" + "))
    p50, p95 = (float(x) for x in cells[3].removesuffix(" ms").split(" / "))
    assert lexical >= 0 and dense > 0 and 0 < p50 <= p95
    assert float(cells[5]) == 1.0  # every list probed: exact
    assert float(cells[6].split(" MB")[0]) > 50 and float(cells[8].removesuffix(" MB")) > 0
    assert 50 < float(cells[7].removesuffix(" MB")) <= float(cells[6].split(" MB")[0])


def test_choose_keeps_the_cheapest_effort_that_meets_the_targets():
    from assistant.app.scale import choose

    def row(kind, effort, recall, dense_s, p50=5.0, peak=1000.0):
        return {"kind": kind, "effort": effort, "recall": recall, "dense_s": dense_s, "p50": p50,
                "dense_p50": p50, "peak_mb": peak, "spec": {"kind": kind}}

    reports = [{"n": 10_000, "lexical_mb": 200, "rows": [row("flat", None, 1.0, 0.1, 2.0)]},
               {"n": 100_000, "lexical_mb": 500, "rows": [
                   row("flat", None, 1.0, 1.0, 20.0), row("ivf", 8, 0.93, 10), row("ivf", 16, 0.96, 10),
                   row("ivf", 32, 0.99, 10), row("hnsw", 64, 0.97, 60)]}]
    picked = choose(reports)
    assert picked["approximate"] == {"kind": "ivf", "nprobe": 16} and picked["targets_met"]
    assert picked["exact_below"] == 50_000  # 2 ms at 10^4, 20 ms at 10^5: 10 ms at 5 x 10^4
    reports[1]["rows"] = [r for r in reports[1]["rows"] if r["kind"] != "ivf"] + [row("ivf", 16, 0.99, 10, peak=5000)]
    assert choose(reports)["approximate"] == {"kind": "hnsw", "efSearch": 64}  # IVF now takes too much memory
    reports[1]["rows"] = [row("flat", None, 1.0, 1.0, 20.0), row("ivf", 8, 0.90, 10), row("hnsw", 64, 0.92, 60)]
    assert choose(reports) | {"flat_p50_ms": None} == {
        "exact_below": 50_000, "approximate": {"kind": "hnsw", "efSearch": 64}, "targets_met": False,
        "flat_p50_ms": None}


@pytest.mark.parametrize("value", ["10,abc", "50", "1e9", "lots", ","])
def test_a_bad_scale_argument_is_one_clear_line(value, capsys):
    from assistant.app.cli import main

    assert main(["bench", "--scale", value]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert err.startswith(f"error: --scale {value!r}: give chunk counts from 100 to 10,000,000")


def test_choose_at_one_size_is_refused_before_measuring(capsys):
    from assistant.app.cli import main

    assert main(["bench", "--scale", "1000", "--choose"]) == 2
    assert "--choose needs at least two sizes" in capsys.readouterr().err
