import json

import faiss
import numpy as np
import pytest

from assistant.errors import AssistantError
from assistant.index.disk import IndexFolder
from assistant.index.embedders import HashEmbedder, load_embedder
from assistant.errors import EmbedderError, IndexStateError
from assistant.index.store import FORMAT_VERSION, Index, build_index, open_index


def quiet(*_):
    pass


def test_build_save_load_roundtrip(fake_settings):
    built = build_index(fake_settings, progress=False, log=quiet)
    loaded = Index.load(fake_settings.index_dir)
    assert [c.id for c in loaded.chunks] == [c.id for c in built.chunks]
    assert loaded.manifest["embedder"] == "hash" and loaded.manifest["dim"] == 256
    assert loaded.manifest["counts"]["chunks"] == len(loaded.chunks)
    assert loaded.stale_reason(fake_settings) is None
    for c in loaded.chunks:
        assert loaded.documents[c.source][c.start:c.end] == c.text


def test_faiss_search_matches_brute_force(fake_settings):
    index = build_index(fake_settings, progress=False, log=quiet)
    query = HashEmbedder().encode(["长江港口 2020"])[0]
    vectors = HashEmbedder().encode([c.clean for c in index.chunks])
    brute = np.argsort(-(vectors @ query), kind="stable")
    sims, ids = index.chunk_index.search(query[None, :], len(index.chunks))
    np.testing.assert_allclose(sims[0], (vectors @ query)[ids[0]], rtol=1e-5, atol=1e-6)
    assert ids[0][0] == brute[0]
    assert isinstance(index.chunk_index, faiss.IndexFlatIP)


def test_stale_when_corpus_or_settings_change(fake_settings, small_corpus):
    build_index(fake_settings, progress=False, log=quiet)
    (small_corpus / "new.txt").write_text("新增的文档。", encoding="utf-8")
    index = Index.load(fake_settings.index_dir)
    assert "corpus" in index.stale_reason(fake_settings)
    other = fake_settings.with_overrides(chunk_size=120)
    assert "chunk" in index.stale_reason(other)
    with pytest.raises(IndexStateError, match="stale"):
        open_index(fake_settings, rebuild=False, log=quiet)
    messages = []
    rebuilt = open_index(fake_settings, log=messages.append, progress=False)
    assert "stale" in messages[0] and any(c.source == "new.txt" for c in rebuilt.chunks)


def current(settings):
    """The folder of the current version of an index."""
    return IndexFolder(settings.index_dir).current()


def test_corrupt_or_missing_files_are_detected_and_rebuilt(fake_settings):
    build_index(fake_settings, progress=False, log=quiet)
    path = current(fake_settings) / "chunks.faiss"
    path.write_bytes(path.read_bytes()[:-10] + b"0123456789")
    with pytest.raises(IndexStateError, match="corrupt .*chunks.faiss"):
        Index.load(fake_settings.index_dir)
    messages = []
    open_index(fake_settings, log=messages.append, progress=False)
    assert Index.load(fake_settings.index_dir)  # rebuilt and valid
    (current(fake_settings) / "lexical.json").unlink()
    with pytest.raises(IndexStateError, match="incomplete"):
        Index.load(fake_settings.index_dir)
    for broken, message in (("{not json", "cannot be read"), ("[]", "not a JSON object"), ("null", "not a JSON object"),
                            ('{"format_version": %d, "files": {}}' % FORMAT_VERSION, "incomplete manifest"),
                            ('{"format_version": 1, "files": {}}', "has format 1")):
        (current(fake_settings) / "manifest.json").write_text(broken, encoding="utf-8")
        with pytest.raises(IndexStateError, match=message):
            Index.load(fake_settings.index_dir)
    # ... and opening it rebuilds it rather than failing.
    assert open_index(fake_settings, log=quiet, progress=False).chunks


def test_missing_index_message(tmp_path):
    with pytest.raises(IndexStateError, match="no index at .*index build"):
        Index.load(tmp_path / "nothing")


def test_failed_save_keeps_the_previous_index(fake_settings, monkeypatch):
    build_index(fake_settings, progress=False, log=quiet)
    before = (current(fake_settings) / "manifest.json").read_text(encoding="utf-8")
    index = Index.build(fake_settings, progress=False)

    def boom(*_):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(faiss, "write_index", boom)
    with pytest.raises(AssistantError, match="No space left on device.*previous index is untouched"):
        index.save(fake_settings.index_dir)
    assert (current(fake_settings) / "manifest.json").read_text(encoding="utf-8") == before
    assert Index.load(fake_settings.index_dir)
    leftovers = [p.name for p in fake_settings.index_dir.iterdir() if p.name.startswith(".tmp")]
    assert leftovers == []


def test_manifest_records_what_shaped_the_index(fake_settings):
    build_index(fake_settings, progress=False, log=quiet)
    m = json.loads((current(fake_settings) / "manifest.json").read_text(encoding="utf-8"))
    assert {"format_version", "embedder_id", "dim", "chunker", "corpus_hash", "files", "built_at"} <= set(m)


def test_unknown_embedder_spec():
    with pytest.raises(EmbedderError, match="unknown embedder 'bogus'"):
        load_embedder("bogus")


def test_each_corpus_and_embedder_has_its_own_index_folder(tmp_path, small_corpus):
    from assistant.settings import Settings

    default = Settings(index_root=tmp_path)
    assert default.index_dir == tmp_path / "use"
    mine = Settings(index_root=tmp_path, corpus_dir=small_corpus)
    assert mine.index_dir.parent.name.startswith("corpus-") and mine.index_dir.name == "use"
    assert mine.with_overrides(embedder="st:BAAI/bge-m3").index_dir.name == "st-BAAI-bge-m3"
    assert len({default.index_dir, mine.index_dir, mine.with_overrides(embedder="hash").index_dir}) == 3


def test_a_symlink_out_of_the_corpus_is_refused_and_named(fake_settings, small_corpus, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:root:/root:/bin/bash 机密。", encoding="utf-8")
    (small_corpus / "passwd.txt").symlink_to(secret)
    messages = []
    index = build_index(fake_settings, progress=False, log=messages.append)
    assert "passwd.txt" not in index.documents and "small.md" in index.documents
    assert any("passwd.txt" in m and "outside the corpus folder" in m for m in messages), messages
    assert index.stale_reason(fake_settings) is None  # the refused file is not part of the corpus hash


def test_the_hash_is_of_the_bytes_that_were_indexed(fake_settings, small_corpus, monkeypatch):
    # A file saved while the build embeds must not be recorded as indexed.
    from assistant.index import store

    real_embed = store._embed

    def embed_then_edit(*args, **kwargs):
        (small_corpus / "small.md").write_text("# 改过的文档\n\n内容变了。\n", encoding="utf-8")
        return real_embed(*args, **kwargs)

    monkeypatch.setattr(store, "_embed", embed_then_edit)
    index = build_index(fake_settings, progress=False, log=quiet)
    assert "长江" in index.documents["small.md"]
    assert index.stale_reason(fake_settings) == f"the corpus in {fake_settings.corpus_dir} changed since the index was built"


def test_answering_runs_on_one_blas_thread_and_builds_on_every_core(fake_settings):
    import faiss
    from threadpoolctl import threadpool_info

    from assistant import Assistant
    from assistant.index import threads

    Assistant.load(fake_settings, progress=False, log=quiet)
    assert {i["num_threads"] for i in threadpool_info()} == {1} and faiss.omp_get_max_threads() == 1
    with threads.for_builds():
        import os

        assert faiss.omp_get_max_threads() == (os.cpu_count() or 1)
    assert faiss.omp_get_max_threads() == 1


class CountingEmbedder(HashEmbedder):
    """The hash embedder, counting the texts it is asked to embed."""

    def __init__(self, dim: int = 256):
        super().__init__(dim)
        self.texts = 0

    def encode(self, texts):
        self.texts += len(texts)
        return super().encode(texts)


def rebuild(settings, embedder):
    embedder.texts = 0
    index = Index.build(settings, embedder=embedder, progress=False)
    index.save(settings.index_dir)
    return index


def test_a_rebuild_embeds_only_what_changed(fake_settings, small_corpus):
    embedder = CountingEmbedder()
    first = rebuild(fake_settings, embedder)
    total = first.manifest["counts"]["chunks"] + first.manifest["counts"]["sentences"]
    assert embedder.texts == total and first.manifest["embedded"] == {"texts": total, "reused": 0}
    again = rebuild(fake_settings, embedder)
    assert embedder.texts == 0 and again.manifest["changes"] == {"added": 0, "updated": 0, "removed": 0,
                                                                 "unchanged": 1}
    (small_corpus / "zhujiang.md").write_text("# 珠江\n\n珠江全长 2320 公里。是中国南方最大的河流。\n", encoding="utf-8")
    added = rebuild(fake_settings, embedder)
    new_texts = sum(1 + len(c.sentences) for c in added.chunks if c.source == "zhujiang.md")
    assert embedder.texts == new_texts < total and added.manifest["changes"]["added"] == 1
    small = small_corpus / "small.md"
    small.write_text(small.read_text(encoding="utf-8").replace("三峡大坝建设已经全部完工。", "三峡大坝于2006年完工。"),
                     encoding="utf-8")
    updated = rebuild(fake_settings, embedder)
    assert embedder.texts == 2 and updated.manifest["changes"]["updated"] == 1  # the sentence and its chunk
    (small_corpus / "zhujiang.md").unlink()
    removed = rebuild(fake_settings, embedder)
    assert embedder.texts == 0 and removed.manifest["changes"]["removed"] == 1
    assert "zhujiang.md" not in removed.documents
    # What was reused is what a build from nothing makes.
    fresh = Index.build(fake_settings, embedder=HashEmbedder(), progress=False, reuse=False)
    assert np.array_equal(removed.chunk_vectors, fresh.chunk_vectors)
    assert np.array_equal(removed.sentence_vectors, fresh.sentence_vectors)


def test_vectors_are_reused_only_from_a_sound_index_of_the_same_embedder(fake_settings):
    embedder = CountingEmbedder()
    total = len(rebuild(fake_settings, embedder).flat_sentences) + len(Index.load(fake_settings.index_dir).chunks)
    rebuild(fake_settings, CountingEmbedder(dim=64))  # another embedder: nothing to reuse
    assert Index.load(fake_settings.index_dir).manifest["embedded"]["reused"] == 0
    rebuild(fake_settings, embedder)
    assert embedder.texts == total  # the 64-dimensional vectors were not taken
    path = current(fake_settings) / "sentences.faiss"
    path.write_bytes(path.read_bytes()[:-10] + b"0123456789")
    rebuild(fake_settings, embedder)
    assert embedder.texts == total  # a corrupt index is not a cache


def test_an_ivf_index_loads_and_is_reused_without_a_copy_of_its_vectors(fake_settings, monkeypatch):
    from assistant.index import vectors

    flat = rebuild(fake_settings, CountingEmbedder())
    monkeypatch.setattr(vectors, "choice", lambda: {"exact_below": 3, "approximate": {
        "kind": "ivf", "lists_per_sqrt_n": 1, "train_per_list": 2, "nprobe": 1000}})
    embedder = CountingEmbedder()
    ivf = rebuild(fake_settings, embedder)
    assert embedder.texts == 0  # every vector reused, read from the flat index
    loaded = Index.load(fake_settings.index_dir)
    embedder.texts = 0
    rebuild(fake_settings, embedder)
    assert embedder.texts == 0  # and from the IVF one
    for index in (ivf, loaded):
        assert vectors.kind_of(index.sentence_index) == "ivf" and isinstance(index.sentence_vectors, vectors.Rows)
        assert np.array_equal(np.asarray(index.sentence_vectors), flat.sentence_vectors)
        assert np.array_equal(np.asarray(index.chunk_vectors), flat.chunk_vectors)
        rows = np.array([0, len(flat.flat_sentences) - 1, 2])
        assert np.array_equal(index.sentence_vectors[rows], flat.sentence_vectors[rows])
