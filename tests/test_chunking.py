from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.ingest.chunks import chunk_document, size
from assistant.ingest.read import Document

from samples import PAPER, SMALL_ZH


def doc(text, name="d.md"):
    return Document(name, text, "utf-8", "0")


def test_chunk_text_is_the_exact_source_slice_on_the_paper():
    text = PAPER.read_text(encoding="utf-8")
    chunks = chunk_document(doc(text), 200)
    assert 40 < len(chunks) < 150
    for c in chunks:
        assert text[c.start:c.end] == c.text
        assert min(s.start for s in c.sentences) == c.start and max(s.end for s in c.sentences) == c.end
        assert all(text[s.start:s.end] for s in c.sentences)
        assert c.lang in ("zh", "en")
    assert len({c.id for c in chunks}) == len(chunks)


def test_chunks_respect_sections_and_languages():
    chunks = chunk_document(doc(SMALL_ZH), 60)
    for c in chunks:
        assert len({s.lang for s in c.sentences if len(s.text) > 10}) <= 1 or c.lang
    sections = [c.section for c in chunks]
    assert "一、长江" in sections and "二、黄河" in sections and "Abstract" in sections
    assert [c for c in chunks if c.section == "Abstract"][0].lang == "en"


def test_target_size_controls_chunk_count():
    text = PAPER.read_text(encoding="utf-8")
    small, large = chunk_document(doc(text), 120), chunk_document(doc(text), 350)
    assert len(small) > len(large)
    # Only single long sentences may exceed the target by much.
    for c in large:
        assert size(c.clean) <= 350 * 1.6 or len(c.sentences) == 1


def test_ids_are_stable_across_runs():
    text = PAPER.read_text(encoding="utf-8")
    assert [c.id for c in chunk_document(doc(text))] == [c.id for c in chunk_document(doc(text))]


_PIECES = st.sampled_from(["长江流域", "降水增加", "。", "！", "；", "“引语。”", "《书名。》", "（括号）", "1.04",
                           "2026.3.28", " ", "\n\n", "\n\n---\n\n1. 脚注。\n\n", "## 一、标题\n\n",
                           "The river rises. ", "Dr. Lee said so! ", "**粗体。**", "<sup>2</sup>", "e.g. "])


@settings(max_examples=200, deadline=None)
@given(st.lists(_PIECES, min_size=1, max_size=60).map("".join), st.integers(20, 400))
def test_property_every_chunk_is_its_source_slice(text, target):
    chunks = chunk_document(doc(text), target)
    for c in chunks:
        assert text[c.start:c.end] == c.text
        for s in c.sentences:
            assert c.start <= s.start < s.end <= c.end
            assert text[s.start:s.end].strip() == text[s.start:s.end]
