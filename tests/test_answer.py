"""Answers with the fake embedder on a small mixed document: exact spans, the schema, what the
answer says and why it abstains, and questions made of any mix of pieces."""

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from assistant import Assistant, QuestionError
from assistant.answer.model import AnswerModel, load_model
from assistant.question.check import check_question


@pytest.fixture
def bot(fake_settings):
    return Assistant.load(fake_settings, progress=False, log=lambda *_: None)


@pytest.mark.parametrize("question, message", [
    ("", "empty"), ("   \n ", "empty"), ("问" * 2001, "limit is 2000"), ("长江\x07多长", "control character"),
    ("長江はどこですか？", "only Chinese and English"), ("Combien de fleuves y a-t-il en Asie ?", "only Chinese"),
    ("Сколько рек?", "only Chinese"), ("???", "no words"), (None, "must be text"),
])
def test_bad_questions_get_one_clear_message(question, message):
    with pytest.raises(QuestionError, match=message):
        check_question(question)


def test_language_detection():
    assert check_question(" 长江全长多少公里？ ") == ("长江全长多少公里？", "zh")
    assert check_question("How long is the Yangtze?")[1] == "en"


def test_answer_cites_exact_source_spans(bot, small_corpus):
    answer = bot.ask("2020年长江干线港口货物吞吐量达到多少？")
    source = (small_corpus / "small.md").read_text(encoding="utf-8")
    assert not answer.abstained and answer.citations
    for c in answer.citations:
        assert source[c.start:c.end] == c.quote
        assert f"[{c.n}]" in answer.text
    assert any("12000" in c.quote for c in answer.citations)
    assert [p.rank for p in answer.passages] == list(range(1, len(answer.passages) + 1))


def test_page_broken_sentence_is_cited_whole_and_shown_clean(bot):
    answer = bot.ask("黄河输送的泥沙减少到多少亿吨？")
    quotes = [c.quote for c in answer.citations]
    assert any("\n\n2.4" in q for q in quotes), quotes
    assert "2020年的2.4亿吨" in answer.text


def test_schema_of_to_dict(bot):
    d = bot.ask("三峡大坝建设到了什么阶段？", id="q1").to_dict()
    assert set(d) == {"id", "question", "lang", "answer", "abstained", "citations", "passages", "confidence"}
    assert d["id"] == "q1" and d["lang"] == "zh" and 0.0 <= d["confidence"] <= 1.0
    assert set(d["citations"][0]) == {"n", "chunk_id", "source", "section", "lang", "start", "end", "quote", "page"}
    assert set(d["passages"][0]) == {"rank", "chunk_id", "source", "section", "lang", "start", "end", "score", "text",
                                     "page"}
    assert d["citations"][0]["page"] is None and d["passages"][0]["page"] is None  # a Markdown file has no pages


def test_replies_speak_of_the_documents_unless_the_profile_names_them(bot, fake_settings):
    answer = bot.ask("How long is the Yangtze?")
    assert answer.text.startswith(("According to the document:", "From the document (in Chinese):"))
    (fake_settings.corpus_dir / "more.md").write_text("# 黄河\n\n黄河全长约5464公里。\n", encoding="utf-8")
    more = Assistant.load(fake_settings, progress=False, log=lambda *_: None)
    assert more.ask("How long is the Yellow River?").text.startswith(("According to the documents",
                                                                       "From the documents"))
    (fake_settings.corpus_dir / "profile.json").write_text('{"noun": {"zh": "报告", "en": "the report"}}',
                                                          encoding="utf-8")
    named = Assistant.load(fake_settings, progress=False, log=lambda *_: None)
    assert named.ask("长江全长多少公里？").text.startswith("根据报告")


def test_abstains_below_the_threshold_of_its_direction_and_says_why_in_words(fake_settings):
    # The fitted model, with every direction's threshold raised above any confidence.
    general = load_model()
    strict = AnswerModel(general.evidence, general.answerable, {d: 0.9999 for d in ("zh→zh", "zh→en", "en→zh", "en→en")},
                         0.9999, general.cite_margin, general.max_sentences, general.embedder)
    from assistant.index.store import open_index

    bot = Assistant(open_index(fake_settings, progress=False, log=lambda *_: None), fake_settings, model=strict)
    answer = bot.ask("2030年长江的货物吞吐量是多少？")
    assert answer.abstained and answer.citations == () and answer.passages
    assert answer.text.startswith("该文档中似乎没有") and answer.confidence < 0.5
    assert any("2030" in r for r in answer.reasons), answer.reasons  # the figure it names is nowhere near
    en = bot.ask("Who built the Three Gorges Dam?")
    assert en.abstained and en.text.startswith("No answer to this question was found in the document.")


def test_the_neutral_model_never_abstains(fake_settings):
    from assistant.index.store import open_index

    bot = Assistant(open_index(fake_settings, progress=False, log=lambda *_: None), fake_settings,
                    model=AnswerModel.neutral())
    assert not bot.ask("完全无关的问题是什么？").abstained


_PIECES = st.sampled_from([
    "长江", "黄河", "多少", "哪一年", "公里", "2020年", "12,000", "第三", "谁", "哪里", "为什么", "？", "?", " ",
    "How many", "which city", "when", "the Yangtze", "in 2030", "kilometres", "what percentage", "Abstract",
    "英文摘要", "the third part", "《书名》", "Mr. Lee", "1.04", "  ", "\n", "“", "”",
])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_PIECES, min_size=1, max_size=12).map("".join))
@example("？")
@example("第三部分的标题是什么？")
def test_any_mix_of_question_pieces_gets_an_answer_or_a_clear_error(bot, question):
    try:
        answer = bot.ask(question)
    except QuestionError as exc:
        assert str(exc)
        return
    assert answer.lang in ("zh", "en") and answer.text
    assert answer.abstained or answer.citations
    for c in answer.citations:
        assert bot.index.documents[c.source][c.start:c.end] == c.quote


# ----- the first line: the answer itself, in the question's language (issue 16, item 2) -----

from assistant.answer.carry import to_chinese, to_english  # noqa: E402
from assistant.answer.direct import MAX_CHARS, Quote, first_line  # noqa: E402

_EN_LEAD, _ZH_LEAD = "From the document (in Chinese): ", "根据文档："
_RIVER = Quote(1, "zh", ("长江发源于青藏高原，流经11个省级行政区，全长约6300公里，是亚洲第一长河。",), ("a.md", 0))


def test_figures_and_units_carry_over_between_languages():
    assert [c.text for c in to_english("投资1.5万亿元，增长7.2%，约4.8万家企业，快2.5个百分点")] == [
        "1.5 trillion yuan", "7.2%", "about 48,000", "2.5 percentage points"]
    assert [c.text for c in to_english("超过300亿美元，150多个国家")] == ["more than 30 billion US dollars", "more than 150"]
    # A counted figure is written as an English reader writes it; a bare one may be a year or a code.
    assert [c.text for c in to_english("2025年发车12000列，（2025-2029）")] == ["2025", "12,000", "2025–2029"]
    assert [c.text for c in to_chinese("about 1.2 million people and $3 billion")] == ["约120万人", "30亿美元"]
    # Ordinals and articles are not counts: '第四次' is the fourth, '一条' is 'a'.
    assert to_english("第四次会议走出一条新路") == []


def test_dates_carry_over_between_languages():
    assert [c.text for c in to_english("2006年10月建成，2021年11月19日通车，12月3日见报，公元前311年")] == [
        "October 2006", "19 November 2021", "3 December", "311 BC"]
    assert [c.text for c in to_chinese("It opened on February 7, 2016, in the 1990s and in 1851")] == [
        "2016年2月7日", "1990年代", "1851年"]


def test_an_english_first_line_carries_the_figure_with_its_marker():
    line = first_line("What is the length of the Yangtze?", "en", [_RIVER], _EN_LEAD).text
    assert line.startswith(_EN_LEAD) and line.endswith("[1]"), line
    assert "6,300 km" in line and "“" in line and "6300公里" in line  # the figure, and the words it came from
    assert "\n" not in line and len(line) <= MAX_CHARS


def test_parts_of_the_clauses_beside_an_english_answer_keep_their_spaces():
    # The line has room for part of the clause before the ones it shows: '…businessmen, Robert
    # Lane', not '…businessmen,Robert Lane'.
    tesla = Quote(1, "en", ("After leaving Edison's company in the spring of that very year Tesla partnered with two "
                            "local businessmen, Robert Lane and Benjamin Vail, who agreed to finance a company.",),
                  ("t.md", 0))
    line = first_line("Who agreed to finance a company?", "en", [tesla], "According to it: ").text
    assert line.startswith("According to it: …") and "businessmen, Robert Lane" in line, line
    assert not any(f",{c}" in line for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"), line


def test_a_long_clause_is_cut_where_it_holds_most_of_the_questions_words():
    from assistant.answer.clauses import Asked, shorten, where

    text = ("This behavior started with his learning of the execution of Johann Esch and Heinrich Voes the first "
            "individuals to be martyred by the Roman Catholic Church for Lutheran views")
    asked = Asked("Why were Johann Esch and Heinrich Voes executed by the Catholic Church?", "en", None, {})
    piece = shorten(text, 110, where(asked, text, 110))
    assert "Johann Esch" in piece and "Catholic" in piece, piece  # not the start, that names none of them


def test_a_long_clause_is_cut_around_the_figure_beside_the_questions_words_not_the_first_figure():
    from assistant.answer.clauses import Asked, shorten, where

    text = ("Davis compiled 5 sacks, four forced fumbles and four interceptions over the whole season of play, "
            "while Kuechly led the team in tackles with 118 and forced two fumbles of his own")
    asked = Asked("How many tackles did Kuechly register?", "en", None, {})
    piece = shorten(text, 80, where(asked, text, 80))
    assert "118" in piece and "tackles" in piece, piece


def test_a_chinese_question_over_a_long_english_clause_is_cut_beside_its_words_read_in_english():
    from assistant.answer.clauses import Asked, shorten, where

    text = ("The city has 300 bridges and 12 parks spread across all of its old districts and suburbs, "
            "and the river runs 6300 km in total")
    piece = shorten(text, 60, where(Asked("长江有多长？", "zh", None, {}), text, 60))
    assert "6300 km" in piece and "river" in piece, piece
    # In Chinese text the question's words are found inside runs of characters too (no word breaks).
    river = "长江发源于青藏高原，流经11个省级行政区，全长约6300公里，是亚洲第一长河。"
    assert where(Asked("长江流经哪些省级行政区？", "zh", None, {}), river, 10) == river.index("省级")


def test_a_date_question_gets_the_date_in_its_language():
    dam = Quote(3, "zh", ("三峡大坝于1994年开工，2006年5月大坝全线完工，2012年全部机组投产。",), ("a.md", 40))
    line = first_line("When was the dam completed?", "en", [dam], _EN_LEAD).text
    assert line.startswith(_EN_LEAD + "May 2006") and line.endswith("[3]"), line


def test_a_chinese_first_line_over_english_text_carries_the_figure():
    text = Quote(2, "en", ("The Yangtze rises on the Tibetan Plateau and is about 6,300 km long.",), ("b.md", 0))
    line = first_line("长江有多长？", "zh", [text], "根据文档（英文原文）：").text
    assert line.startswith("根据文档（英文原文）：约6300公里——“") and line.endswith("”[2]"), line


def test_a_who_question_over_english_text_opens_with_the_quote_not_a_date_beside_the_name():
    text = Quote(1, "en", ("The Marrow Point Lighthouse was designed by the engineer Harriet Calloway and first lit "
                           "on 14 March 1887.",), ("b.md", 0))
    line = first_line("谁设计了马罗角灯塔？", "zh", [text], "根据文档（英文原文）：")
    assert line.text.startswith("根据文档（英文原文）：“The Marrow Point") and "1887年" not in line.text, line.text
    assert line.opens == "en"


def test_the_first_line_says_which_language_it_opens_with():
    zh = Quote(1, "zh", ("2024年共接待公众参观者约2.6万人次。",), ("a.md", 0))
    en = Quote(2, "en", ("The museum received 12,400 visitors in 2024.",), ("b.md", 0))
    assert first_line("2024年接待了多少参观者？", "zh", [zh, en], "根据文档（英文原文）：").opens == "zh"
    assert first_line("How many visitors came in 2024?", "en", [en, zh], _EN_LEAD).opens == "en"
    assert first_line("How many visitors came in 2024?", "en", [], _EN_LEAD).opens is None


def test_the_figures_of_a_quote_in_the_other_language_come_before_room_for_its_neighbours():
    # Not a 'how much' question, but the clause that answers states figures: an English reader
    # reads them in English before the Chinese quote, rather than more Chinese around it.
    growth = Quote(1, "zh", ("此前投资累计将近400亿美元。其中对沿线国家的直接投资从2013年的126.3亿美元增加到2025年的396.3亿美元，"
                             "拉动了更多投资。",), ("a.md", 0))
    line = first_line("What was the direct investment in 2013, and what had it grown to by 2025?", "en", [growth],
                      _EN_LEAD).text
    assert line.startswith(_EN_LEAD + "12.63 billion US dollars; 39.63 billion US dollars — “"), line
    assert len(line) <= MAX_CHARS


def test_a_question_for_a_name_keeps_its_room_for_the_name():
    # Counts carried first ('3 times') would take the room the quotes need for the name asked for.
    lineman = Quote(1, "zh", ("黑豹队的防线上有经验丰富的防守端锋贾里德·艾伦，他是五次职业碗选手，曾以136次擒杀成为NFL职业生涯中的活跃领袖。",),
                    ("a.md", 0))
    holding = Quote(2, "zh", ("与此同时，丹佛的进攻有三次都被挡在了禁区之外，但角卫约什·诺曼的拉人犯规给了野马队新一轮的进攻机会。",),
                    ("a.md", 300))
    line = first_line("Which player was called for holding on third down?", "en", [lineman, holding], _EN_LEAD).text
    assert "约什·诺曼" in line and "times" not in line and len(line) <= MAX_CHARS, line


def test_a_chinese_first_line_is_the_clause_that_answers():
    line = first_line("长江全长多少公里？", "zh", [_RIVER], _ZH_LEAD, max_chars=30).text
    assert line == "根据文档：全长约6300公里，是亚洲第一长河。[1]"


def test_without_a_figure_the_first_line_quotes_the_key_clause():
    line = first_line("Where does the Yangtze rise?", "en", [_RIVER], _EN_LEAD, max_chars=50).text
    assert line == _EN_LEAD + "“长江发源于青藏高原” [1]"


def test_the_citation_that_states_the_figure_opens_the_line():
    # The best-ranked citation names the trains but states no figure; the line opens with the one that does.
    plan = Quote(1, "en", ("Raise the level of the river's freight trains.",), ("a.md", 0))
    count = Quote(2, "zh", ("2020年长江沿线货运班列开行12000列。",), ("a.md", 90))
    line = first_line("How many freight trains ran along the river in 2020?", "en", [plan, count], _EN_LEAD).text
    assert line.startswith(_EN_LEAD + "12,000 — “"), line


def test_a_list_gives_its_items_in_document_order_with_their_markers():
    first = Quote(2, "zh", ("一是航运，运量最大。", "二是灌溉。"), ("a.md", 100))
    later = Quote(1, "zh", ("三是发电，装机最多。",), ("a.md", 300))
    line = first_line("长江有哪些作用？", "zh", [later, first], _ZH_LEAD).text
    assert line == "根据文档：一是航运，运量最大；二是灌溉[2]；三是发电，装机最多[1]"


def test_points_numbered_alike_are_not_one_list():
    # Two '4.' come from two lists (a section heading and a task): the line answers as usual.
    heading = Quote(1, "zh", ("4.航运便利：长江干线通航里程约2800公里。",), ("a.md", 10))
    task = Quote(2, "zh", ("4、完善港口体系，提升通航能力。",), ("a.md", 500))
    line = first_line("长江干线通航里程有多少公里？", "zh", [heading, task], _ZH_LEAD).text
    assert "2800公里" in line and "；4、" not in line, line


def test_a_long_clause_is_cut_around_the_thing_asked_for():
    clause = ("The bridge over the wide river that runs through the old town near the hills was designed in the "
              "spring after many years of planning and debate among the people who lived there by the engineer "
              "John Smith who had studied abroad for many years before coming back home to work.")
    line = first_line("Who designed the bridge?", "en", [Quote(1, "en", (clause,), ("a.md", 0))],
                      "According to the documents: ", max_chars=100).text
    assert "John Smith" in line and len(line) <= 100 and line.endswith("… [1]"), line
    assert " y…" not in line  # cut at a word


def test_the_first_line_keeps_to_its_length():
    long = Quote(1, "zh", ("，".join(f"第{i}段河道长{i}00公里" for i in range(1, 60)) + "。",), ("a.md", 0))
    for question, lang, lead in (("长江有多长？", "zh", _ZH_LEAD), ("How long is the river?", "en", _EN_LEAD)):
        line = first_line(question, lang, [long], lead).text
        assert len(line) <= MAX_CHARS and line.startswith(lead) and "[1]" in line, line
    many = [Quote(n, "zh", (f"{'一二三四五六七八九'[n - 1]}是" + "很长的一项内容" * 10 + "。",), ("a.md", n)) for n in range(1, 10)]
    assert len(first_line("有哪些内容？", "zh", many, _ZH_LEAD).text) <= MAX_CHARS
    assert len(first_line("长江有多长？", "zh", [long], _ZH_LEAD, max_chars=50).text) <= 50


def test_every_answer_starts_with_one_line_then_the_quotes(bot):
    answer = bot.ask("2020年长江干线港口货物吞吐量达到多少？")
    first, *rest = answer.text.split("\n")
    assert first.startswith("根据该文档：") and "12000万吨" in first and "[1]" in first, answer.text
    assert len(first) <= MAX_CHARS
    # Every citation's text is in the answer once: in the first line when it is whole there, else below it.
    for c in answer.citations:
        clean = "".join(c.quote.split())
        assert clean in "".join(answer.text.split()) or f"[{c.n}]" in "".join(rest), answer.text
    en = bot.ask("How much cargo did the main ports of the Yangtze handle in 2020?")
    assert not en.abstained and "12000" in en.text.split("\n")[0], en.text


def test_a_chinese_clause_matches_another_form_of_the_question_s_english_word():
    from assistant.answer.clauses import Asked

    # CC-CEDICT glosses 战略 'strategy'; the question says 'strategic'. Short words need the whole word.
    asked = Asked("What are the strategic aims of the plan?", "en")
    assert "strategic" in asked.matched("发展战略层面的对接", "zh")
    assert not asked.matched("他们的目标", "zh") & {"strategic"}


def test_a_count_written_in_words_matches_its_figure_across_languages():
    from assistant.answer.clauses import Asked

    asked = Asked("What did the plan provide for the next five years?", "en")
    assert "5" in asked.matched("对未来5年的发展做出了顶层设计", "zh")
    assert "5" not in asked.matched("对未来3年的发展做出了顶层设计", "zh")


def _paper_with_abstract(tmp_path) -> Assistant:
    from assistant.settings import Settings

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "paper.md").write_text(
        "# 长江研究\n\n## 摘要\n\n长江是亚洲第一长河。它流经十一个省。\n\n关键词：长江、航运、水利\n\n"
        "## 一、引言\n\n长江的航运历史悠久。长江全长6300公里。\n", encoding="utf-8")
    return Assistant.load(Settings(corpus_dir=corpus, index_root=tmp_path / "index", embedder="hash"),
                          progress=False, log=lambda *_: None)


def _feature_by_sentence(bot: Assistant, question: str, feature: str) -> dict[str, float]:
    from assistant.answer.features import EVIDENCE_FEATURES

    exam = bot.examine(question)
    column = EVIDENCE_FEATURES.index(feature)
    return {p.chunk.sentences[i].text: exam.x[k][column] for k, (p, i) in enumerate(exam.candidates)}


def test_a_question_naming_an_abstract_reads_its_keywords_line_as_part_of_it(tmp_path):
    rows = _feature_by_sentence(_paper_with_abstract(tmp_path), "摘要列出了哪些关键词？", "named_abstract")
    assert rows["关键词：长江、航运、水利"] == 1.0 and rows["长江是亚洲第一长河。"] == 1.0
    assert rows["长江的航运历史悠久。"] == 0.0


def test_an_abstract_sentence_is_marked_as_a_summary_unless_the_question_asks_for_the_abstract(tmp_path):
    bot = _paper_with_abstract(tmp_path)
    plain = _feature_by_sentence(bot, "长江有多长？", "summary_unasked")
    assert plain["长江是亚洲第一长河。"] == 1.0 and plain["长江全长6300公里。"] == 0.0
    assert plain["关键词：长江、航运、水利"] == 0.0  # a keywords line is not the abstract's prose
    assert _feature_by_sentence(bot, "摘要说长江有多长？", "summary_unasked")["长江是亚洲第一长河。"] == 0.0


def test_a_question_naming_the_title_reads_the_title_even_when_retrieval_misses_it(tmp_path):
    from assistant.settings import Settings

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    sections = "".join(f"## Part {n}\n\n" + " ".join(f"Section {n} of the paper studies question {n}, item {k}."
                                                    for k in range(12)) + "\n\n" for n in range(1, 30))
    (corpus / "paper.md").write_text("# Harbours of the Silk Road\n\n" + sections, encoding="utf-8")
    bot = Assistant.load(Settings(corpus_dir=corpus, index_root=tmp_path / "index", embedder="hash"),
                         progress=False, log=lambda *_: None)
    texts = {p.chunk.sentences[i].text for p, i in bot.examine("What is the title of the paper?").candidates}
    assert "Harbours of the Silk Road" in texts
    # A question naming no part gets what retrieval found, nothing added.
    plain = bot.examine("What does the paper study?")
    assert len(plain.passages) == max(bot.settings.candidates, bot.settings.k)


def test_a_clause_continued_on_the_line_keeps_its_comma():
    esch = Quote(1, "en", ("This behavior started with his learning of the execution of Johann Esch and Heinrich "
                           "Voes, the first individuals to be martyred by the Roman Catholic Church for Lutheran "
                           "views, and the start of a long rivalry between the two churches in the German lands.",),
                 ("l.md", 0))
    line = first_line("Why were Johann Esch and Heinrich Voes executed?", "en", [esch], "According to it: ").text
    assert "Voes, the first" in line, line


def test_a_name_the_question_writes_in_the_other_script_is_found_by_sound_in_the_sentence_that_writes_it(tmp_path):
    from assistant.settings import Settings

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "lab.md").write_text(
        "# The laboratory\n\nTesla moved to New York in 1884. Edison hired Tesla at his company. "
        "The laboratory burned down in 1895. The city grew quickly in those years.\n", encoding="utf-8")
    bot = Assistant.load(Settings(corpus_dir=corpus, index_root=tmp_path / "index", embedder="hash"),
                         progress=False, log=lambda *_: None)
    rows = _feature_by_sentence(bot, "特斯拉哪一年搬到纽约？", "sounded")
    assert rows["Tesla moved to New York in 1884."] == 1.0 and rows["Edison hired Tesla at his company."] == 1.0
    assert rows["The laboratory burned down in 1895."] == 0.0
    # The question's own script is matched as written, not by sound.
    assert set(_feature_by_sentence(bot, "When did Tesla move to New York?", "sounded").values()) == {0.0}


def test_english_stems_read_every_glossary_term_a_chinese_text_holds_overlapping_ones_too():
    from assistant.answer.clauses import english_stems

    glossary = {"belt and road": ("一带一路",), "belt": ("一带",), "silk road fund": ("丝路基金",)}
    assert {"belt", "road", "silk", "fund"} <= english_stems("共建一带一路，用好丝路基金", glossary)
    assert "fund" not in english_stems("共建一带一路", glossary)
    another = {**glossary, "harbour": ("港口",)}  # a second glossary is read as itself, not as the first
    assert "harbour" in english_stems("港口", another) and "harbour" not in english_stems("港口", glossary)
