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


def test_text_without_terminators_is_cut_into_bounded_sentences():
    from assistant.ingest.sentences import MAX_SENTENCE, split_document

    zh = "长江经济带沿线十一个省市共抓大保护不搞大开发" * 2000  # 44,000 characters, no punctuation
    listing = "，".join(f"第{i}号港口年吞吐量为{i * 7}万吨" for i in range(3000))
    en = " ".join(f"item {i} weighs {i}.5 kg" for i in range(8000))
    for text in (zh, listing, en, zh + "。" + en):
        sentences = [s for p in split_document(text) for s in p.sentences]
        assert max(s.end - s.start for s in sentences) <= MAX_SENTENCE
        # Still exact slices, in order, and nothing dropped but spaces.
        assert all(text[s.start:s.end].strip() == text[s.start:s.end] for s in sentences)
        assert "".join(text[s.start:s.end] for s in sentences).replace(" ", "") == text.replace(" ", "")
    listing_sentences = [s for p in split_document(listing) for s in p.sentences]
    assert all(s.text.endswith("，") for s in listing_sentences[:-1])  # cut at a clause mark
    en_sentences = [s for p in split_document(en) for s in p.sentences]
    # Cut at spaces: never inside a word or a figure such as 12.5.
    assert all(s.end == len(en) or en[s.end] == " " for s in en_sentences)


def test_a_long_real_sentence_is_kept_whole():
    text = ("Southern California is home to Los Angeles International Airport, the second-busiest airport "
            "in the United States by passenger volume and the third by international passenger volume; "
            "San Diego International Airport, the busiest single runway airport in the world; "
            "Van Nuys Airport, the world's busiest general aviation airport.")
    from assistant.ingest.sentences import split_document

    assert len([s for p in split_document(text) for s in p.sentences]) == 1


def test_a_title_line_is_not_joined_to_the_paragraph_under_it():
    # A plain-text file's first line names it; a page break does not leave a short line with no
    # punctuation behind, so the title is a sentence of its own, not the start of the next one.
    from assistant.ingest.sentences import split_document

    text = "云雾山茶叶合作社简介\n\n云雾山茶叶合作社成立于2008年5月，位于贵州省。\n\n它的茶园面积达到\n\n一千二百亩。\n"
    sentences = [text[s.start:s.end] for p in split_document(text) for s in p.sentences]
    assert sentences[:2] == ["云雾山茶叶合作社简介", "云雾山茶叶合作社成立于2008年5月，位于贵州省。"], sentences
    assert "它的茶园面积达到\n\n一千二百亩。" in sentences  # a sentence a page break cut still is one
