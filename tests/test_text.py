import re

from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.ingest.sentences import clean, detect_lang, split_document, split_sentences

from samples import PAPER


def sentences(text, lang="zh"):
    return [text[i:j] for i, j in split_sentences(text, lang)]


def test_chinese_terminators_and_closing_quotes():
    assert sentences("他说：“要坚定信心！”随后离开。真的吗？是的；继续……好") == [
        "他说：“要坚定信心！”", "随后离开。", "真的吗？", "是的；", "继续……", "好"]


def test_never_inside_brackets_titles_or_quotes():
    text = "发布《关于构建命运共同体。行动计划》（2025-2029。附件）后，“一带一路。倡议”仍在推进。"
    assert sentences(text) == [text]


def test_unmatched_quote_does_not_swallow_the_paragraph():
    text = "充分展示“世界养育中国的主旋律。总目标是构建人类命运共同体。"
    assert len(sentences(text)) == 2


def test_decimals_dates_and_list_numbers_do_not_split():
    text = "从1.04万亿美元增加到3.1万亿美元，会议于2026.3.28-29举行。1. 理念革新：坚持原则。"
    assert sentences(text) == ["从1.04万亿美元增加到3.1万亿美元，会议于2026.3.28-29举行。", "1. 理念革新：坚持原则。"]


def test_english_abbreviations():
    text = "Dr. Chen met officials in the U.S. in 2025. Trade grew e.g. in Asia. It rose 3.5 percent!"
    assert sentences(text, "en") == ["Dr. Chen met officials in the U.S. in 2025.", "Trade grew e.g. in Asia.",
                                     "It rose 3.5 percent!"]


def test_clean_removes_markup_and_spaces_next_to_chinese():
    assert clean("与 150 多个国家**签署**了<sup>1</sup>文件") == "与150多个国家签署了文件"
    assert clean("the  Belt\nand Road") == "the Belt and Road"


def test_detect_lang():
    assert detect_lang("中欧班列") == "zh"
    assert detect_lang("China-Europe freight trains (中欧班列)") == "en"


def test_page_break_inside_a_sentence_is_joined():
    text = "## 一、回顾\n\n由于全球治理体系未能适应这\n\n些新变化新形势，产生治理赤字。\n\n下一段。\n"
    paras = split_document(text)
    body = [s for p in paras if not p.is_heading for s in p.sentences]
    assert body[0].text == "由于全球治理体系未能适应这些新变化新形势，产生治理赤字。"
    assert text[body[0].start:body[0].end].startswith("由于") and text[body[0].start:body[0].end].endswith("赤字。")
    assert body[1].text == "下一段。"


def test_footnote_block_between_halves_is_skipped():
    text = "首要要求是加强与沿\n\n---\n\n1. 《某文》，新华社。\n\n线共建国家对接。\n"
    paras = split_document(text)
    joined = [s for p in paras for s in p.sentences if s.text.startswith("首要")]
    assert joined[0].text == "首要要求是加强与沿线共建国家对接。"
    assert any(s.text.startswith("1.《某文》") for p in paras for s in p.sentences)


def test_sections_follow_numbered_headings():
    text = ("# 标题\n\n## 内容摘要\n\n摘要内容。\n\n---\n\n正文引言。\n\n### **一、回顾**\n\n第一节内容。\n\n"
            "**1、加强对接。**具体内容。\n\n## 二、展望\n\n第二节内容。\n")
    got = {s.text: p.section for p in split_document(text) for s in p.sentences}
    assert got["摘要内容。"] == ("内容摘要",)
    assert got["正文引言。"] == ("标题",)
    assert got["第一节内容。"] == ("一、回顾",)
    assert got["具体内容。"] == ("一、回顾", "1、加强对接")
    assert got["第二节内容。"] == ("二、展望",)


def test_the_paper_sentences_are_exact_spans():
    source = PAPER.read_text(encoding="utf-8")
    paras = split_document(source)
    found = [s for p in paras for s in p.sentences]
    assert len(found) > 200
    texts = {s.text for s in found}
    assert "2025年中欧（亚）班列发车数达到12000列。" in texts
    assert any("从2013年的126.3亿美元增加到2025年的396.3亿美元" in t for t in texts)
    for s in found:
        span = source[s.start:s.end]
        assert span == span.strip() and span
        # The clean text is the span without markup, page breaks or footnote blocks.
        assert re.sub(r"\s", "", s.text) in re.sub(r"\s|\*\*|<sup>\d+</sup>|\\\*", "", span) or "---" in span


_ALPHABET = st.sampled_from(list("中国贸易增长发展。！？；，“”《》（）") + list("abc XYZ.!?,\"'") + list("0123.%")
                            + ["\n", "\n\n", "**", "# ", "<sup>1</sup>", "---\n\n", "1. "])


@settings(max_examples=300, deadline=None)
@given(st.lists(_ALPHABET, max_size=80).map("".join))
def test_property_sentences_are_exact_ordered_spans(text):
    last_end = 0
    for para in split_document(text):
        for s in para.sentences:
            span = text[s.start:s.end]
            assert span and span == span.strip()
            assert s.start >= last_end or para.is_heading is False
            assert s.text and s.lang in ("zh", "en")
            last_end = max(last_end, s.end)


def test_numbered_notes_after_a_rule_are_marked_as_notes():
    text = "正文第一句。\n\n---\n\n1. 《某文》，新华社。\n\n2. 《另一文》。\n\n正文继续。\n"
    got = {s.text: s.note for p in split_document(text) for s in p.sentences}
    assert got["1.《某文》，新华社。"] and got["2.《另一文》。"]
    assert not got["正文第一句。"] and not got["正文继续。"]
