import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from assistant import Assistant, QuestionError
from assistant.question.qtypes import asks_date, asks_quantity, figures, has_date, has_quantity
from assistant.answer.compose import check_question


@pytest.fixture
def bot(fake_settings):
    return Assistant.load(fake_settings, progress=False, log=lambda *_: None)


@pytest.mark.parametrize("question, message", [
    ("", "empty"), ("   \n ", "empty"), ("问" * 2001, "limit is 2000"), ("中欧班列\x07多少", "control character"),
    ("中欧班列はいくつ？", "only Chinese and English"), ("Combien de trains sont partis en 2025 ?", "only Chinese"),
    ("Сколько поездов?", "only Chinese"), ("???", "no words"), (None, "must be text"),
])
def test_bad_questions_get_one_clear_message(question, message):
    with pytest.raises(QuestionError, match=message):
        check_question(question)


def test_language_detection():
    assert check_question(" 2025年中欧班列开行多少列？ ") == ("2025年中欧班列开行多少列？", "zh")
    assert check_question("How many trains ran in 2025?")[1] == "en"


def test_answer_cites_exact_source_spans(bot, small_corpus):
    answer = bot.ask("2025年中欧（亚）班列发车数达到多少列？")
    source = (small_corpus / "small.md").read_text(encoding="utf-8")
    assert not answer.abstained and answer.citations
    for c in answer.citations:
        assert source[c.start:c.end] == c.quote
        assert f"[{c.n}]" in answer.text
    assert any("12000" in c.quote for c in answer.citations)
    assert answer.to_dict()["passages"][0]["rank"] == 1


def test_page_broken_sentence_is_cited_whole_and_shown_clean(bot):
    answer = bot.ask("非金融类直接投资增加到多少亿美元？")
    quotes = [c.quote for c in answer.citations]
    assert any("\n\n396.3" in q for q in quotes), quotes
    assert "2025年的396.3亿美元" in answer.text


def test_abstains_on_a_figure_the_paper_never_gives(bot):
    answer = bot.ask("2030年中欧班列开行多少列？")
    assert answer.abstained and answer.citations == ()
    assert "没有回答" in answer.text and answer.passages
    assert bot.ask("How many trains will run in 2031?").text.startswith("The paper does not appear")


def test_schema_of_to_dict(bot):
    d = bot.ask("平陆运河建设到了什么阶段？", id="q1").to_dict()
    assert set(d) == {"id", "question", "lang", "answer", "abstained", "citations", "passages"}
    assert d["id"] == "q1" and d["lang"] == "zh"
    assert set(d["citations"][0]) == {"n", "chunk_id", "source", "section", "lang", "start", "end", "quote"}
    assert set(d["passages"][0]) == {"rank", "chunk_id", "source", "section", "lang", "start", "end", "score", "text"}


def test_quantity_helpers():
    assert asks_quantity("How much did it cost?", "en") and not asks_quantity("Who said it?", "en")
    assert has_quantity("发车数达到12000列") and has_quantity("十二年来") and not has_quantity("一带一路建设")
    # A plan's name and an ordinal count nothing; a number word or a figure does.
    assert not has_quantity('the "15th Five Year Plan" period') and not has_quantity("the 20th Central Committee")
    assert has_quantity("five corridors") and has_quantity("12,000 trains in 2025")
    assert figures("从 2013 年的 12,000 列和 3.5%") == {"2013", "12000"}
    assert asks_date("When was the symposium held?", "en") and not asks_date("Who spoke?", "en")
    assert has_date("2024年12月2日，习近平在北京") and not has_date("发车数达到12000列")


def bot_over(tmp_path, text: str, **settings) -> Assistant:
    """The assistant with the fake embedder over one document holding ``text``."""
    from assistant.settings import Settings

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "doc.md").write_text(text, encoding="utf-8")
    return Assistant.load(Settings(corpus_dir=corpus, index_root=tmp_path / "index", embedder="hash", **settings),
                          progress=False, log=lambda *_: None)


INTRO_DOC = """# 贸易的标题

## 内容摘要

摘要说贸易增长了。

---

首先，贸易增长很快。

## 一、贸易

正文说贸易增长很快，增长了百分之十。
"""


def test_introduction_is_the_body_before_the_first_numbered_section(tmp_path):
    from assistant.ingest.read import load_corpus
    from assistant.ingest.chunks import chunk_document
    from assistant.ingest.chunks import introductions

    (tmp_path / "doc.md").write_text(INTRO_DOC, encoding="utf-8")
    chunks = [c for d in load_corpus(tmp_path) for c in chunk_document(d, 20)]
    intro = [s.text for c, sentences in zip(chunks, introductions(chunks)) for s in c.sentences if s in sentences]
    assert intro == ["首先，贸易增长很快。"]


def test_a_question_about_the_introduction_is_answered_from_it(tmp_path):
    bot = bot_over(tmp_path, INTRO_DOC)
    for question in ("引言中说贸易增长得怎样？", "According to the introduction, how did trade grow?"):
        assert "首先，贸易增长很快" in bot.ask(question).citations[0].quote, question


@pytest.mark.parametrize("question, number", [
    ("According to the sixth achievement, what has it grown into?", 6), ("How does task 4 handle it?", 4),
    ("What does task six protect?", 6), ("任务六中，要实现什么目的？", 6), ("第三项成果是什么？", 3),
    ("What does the 2nd point say?", 2), ("When was the third symposium held?", None),
    ("What is the heading of the third part?", None), ("第十二项任务是什么？", 12),
])
def test_item_number_of_a_question(question, number):
    from assistant.retrieve.hybrid import item_number

    assert item_number(question) == number


ITEMS_DOC = """# 标题

## 一、成果

成果很多。

一是贸易增长。贸易额翻了一番。

二是投资增长。投资额翻了一番。

## 二、任务

**1、扩大贸易。**贸易要翻一番。

**2. 扩大投资。**投资要翻一番。
"""


def test_a_question_naming_a_numbered_item_is_answered_from_it(tmp_path):
    bot = bot_over(tmp_path, ITEMS_DOC, chunk_size=20)
    cases = (("第二项成果中，什么翻了一番？", "投资额翻了一番"), ("What grows, according to the second achievement?", "二是投资增长"),
             ("任务二中，什么要翻一番？", "投资要翻一番"), ("What should expand according to task 1?", "扩大贸易"))
    for question, quote in cases:
        assert any(quote in c.quote for c in bot.ask(question).citations), question


HEADED_DOC = """# 标题

## 一、任务

**1、加强海外利益保护。**随着企业走出去，海外资产规模扩大。要完善风险防控体系，最终实现保驾护航的目的。

**2、扩大双向贸易。**要实现贸易平衡的目的。
"""


def test_a_sentence_is_read_under_its_heading(tmp_path):
    """The question names the subsection's topic and asks for a detail: the detail is cited,
    not the heading that repeats the topic nor the other subsection's sentence."""
    bot = bot_over(tmp_path, HEADED_DOC, chunk_size=20)
    answer = bot.ask("加强海外利益保护最终要实现什么目的？")
    assert "保驾护航" in answer.citations[0].quote, answer.text


NOTED_DOC = """# 标题

## 一、讲话

2021年11月19日，习近平在北京出席第三次座谈会并发表重要讲话强调，要营造良好舆论氛围，深入阐释共建的理念、原则、方式，讲好合作故事，为高质量发展营造良好外部环境。<sup>1</sup>

---

1. 《习近平出席第三次座谈会并发表重要讲话》，新华社。
"""


def test_the_body_sentence_wins_over_the_footnote_that_repeats_its_event(tmp_path):
    bot = bot_over(tmp_path, NOTED_DOC)
    assert bot.index.flat_sentences[-1][1].note
    answer = bot.ask("习近平出席第三次座谈会发表的重要讲话说了什么？")
    assert "舆论氛围" in answer.citations[0].quote, answer.text
    # Asked about the footnote, the footnote answers.
    assert "新华社" in bot.ask("脚注中第三次座谈会的讲话出自哪里？").citations[0].quote


def test_abstains_when_the_figure_is_in_another_currency_or_not_a_rate(bot):
    # The paper gives trade in US dollars and an amount, never renminbi or a year-on-year rate.
    dollars = bot.ask("What was the value of goods trade in 2024, in renminbi?")
    assert dollars.abstained and any("元" in r for r in dollars.reasons), dollars.reasons
    rate = bot.ask("2024年的货物贸易额同比增长了多少？")
    assert rate.abstained and any("%" in r for r in rate.reasons), rate.reasons
    assert not bot.ask("2024年的货物贸易额是多少美元？").abstained


def test_a_why_question_prefers_the_sentence_that_gives_a_reason(tmp_path):
    bot = bot_over(tmp_path, """# 标题

## 一、绿色发展

绿色发展合作要加强，国际社会日渐关注。由于国际社会日渐关注，绿色发展合作要加强。

## 二、数字经济

数字经济合作要加强。
""", chunk_size=20)
    answer = bot.ask("为什么要加强绿色发展合作？")
    assert "由于" in answer.citations[0].quote, answer.text


SETS_DOC = """# 标题

## 一、合作伙伴

十二年来，中国与150多个国家和地区、32个国际组织签署了合作文件。建设一批两基（基础设施、基础工业）项目。

## 二、方式

实现“五通”——政策沟通、设施联通、贸易畅通、资金融通、民心相通。具体有两方面的内容。一是战略对接，二是规划统筹。

## 三、交流

宣传片用汉语、英语等六种语言播放。非洲国家发展基础工业的愿望非常强烈。中国与阿富汗、赞比亚等国发布了倡议。
"""


def test_abstains_when_the_paper_names_a_set_without_its_members(tmp_path):
    bot = bot_over(tmp_path, SETS_DOC)
    for question in ("签署合作文件的32个国际组织具体是哪些？", "Which 32 international organizations signed?"):
        answer = bot.ask(question)
        assert answer.abstained and any("32" in r for r in answer.reasons), (question, answer.reasons)
    for question in ("Which African countries strongly want to develop basic industry?", "哪些非洲国家希望发展基础工业？"):
        answer = bot.ask(question)
        assert answer.abstained and any("African countries" in r or "非洲国家" in r for r in answer.reasons), \
            (question, answer.reasons)
    assert not any("list" in r for r in bot.ask("Which Asian countries released the initiative with China?").reasons)
    # Members written in brackets, after a dash, or as 一是…二是… are an answer.
    for question in ("“两基”具体是指哪两类项目？", "“五通”是指什么？", "具体有哪两方面的内容？"):
        answer = bot.ask(question)
        assert not any("列出" in r for r in answer.reasons), (question, answer.reasons)
    # A count written as a word is read as one ('twelve' is 12 and 十二), not a crash.
    assert not any("12" in r for r in bot.ask("Which twelve international organizations signed?").reasons)
    # Asked for the members an open list leaves out ('汉语、英语等六种语言'), it says what is named.
    answer = bot.ask("Besides Chinese and English, which languages was the film shown in?")
    assert answer.abstained and "the paper lists only 汉语、英语" in answer.reasons, answer.reasons
    assert not any("只列出" in r for r in bot.ask("除了汉语，宣传片还用哪些语言播放？").reasons)


def test_a_ratio_question_gets_the_figures_to_work_it_out_from(bot):
    # The sample gives goods trade in 2013 and 2024; it never says how many times larger.
    answer = bot.ask("How many times larger was goods trade in 2024 than in 2013?")
    assert not answer.abstained, answer.reasons
    assert answer.text.startswith("The paper does not state this figure directly")
    assert any("1.04" in c.quote and "3.1" in c.quote for c in answer.citations), answer.text
    assert bot.ask("2024年的货物贸易额是2013年的多少倍？").text.startswith("论文没有直接给出这个数字")
    # A year the paper never gives still abstains.
    assert bot.ask("How many times larger was investment in 2031 than in 2013?").abstained


SUMMARY_DOC = """# 标题

## 引言

规划提出：加强战略对接。完善多元化、可持续、风险可控的投融资体系。加强海外利益保护。这是对“十五五”时期共建工作的重点部署。

## 一、理论

供给方的新质生产力会外溢到各个合作领域。这是新发展路径研究的基本理论基础。
"""


def test_a_summary_sentence_passes_the_question_to_the_item_it_sums_up(tmp_path):
    bot = bot_over(tmp_path, SUMMARY_DOC, chunk_size=40)
    answer = bot.ask("“十五五”时期的重点部署要求完善什么样的投融资体系？")
    assert "投融资体系" in answer.citations[0].quote and "重点部署" not in answer.citations[0].quote, answer.text
    # Asked about what the summary itself says, the summary answers.
    assert "基本理论基础" in bot.ask("什么是新发展路径研究的基本理论基础？").citations[0].quote


def test_only_a_short_list_head_takes_the_sentence_after_it(tmp_path):
    bot = bot_over(tmp_path, """# 标题

## 一、部署

加快西部陆海新通道建设。深化贸易、投资合作。

## 二、成果

一是国际共识持续扩大。十二年来，中国与150多个国家签署了合作文件。
""")
    corridor = bot.ask("要加快建设哪条通道？").citations[0].quote
    assert corridor.startswith("加快西部陆海新通道建设") and "深化贸易" not in corridor, corridor
    consensus = bot.ask("国际共识持续扩大体现在哪里？").citations[0].quote
    assert "150多个国家" in consensus, consensus


DETAIL_DOC = """# 标题

## 一、会议

二十届四中全会于2025年10月在北京召开，审议通过了《建议》。王毅在第二届高峰论坛媒体吹风会上讲话。
2022年9月14日习近平主席在访问哈萨克斯坦的会谈时强调，双方要扩大经贸合作。

## 二、成果

2025年中欧（亚）班列发车数达到12000列。中国与150多个国家、32个国际组织签署了合作文件，朋友圈遍布亚洲、非洲、欧洲、大洋洲、拉丁美洲。
2026年1月重点对沿线国家出口增长12.7%，高端装备、新能源产品出口表现亮眼。
截至2023年底，中国共设立境外企业4.8万家，其中在共建“一带一路”国家设立境外企业1.7万家。
沿线国家贸易额占外贸总额的比重由2013年的25%提升到2025年的51.9%。

## 三、任务

投融资体系的具体做法如下。首先，在行为主体上坚持市场配置资源。其次，遵循国际惯例和债务可持续原则。
"""


def test_abstains_when_the_evidence_lacks_the_detail_asked_for(tmp_path):
    bot = bot_over(tmp_path, DETAIL_DOC)
    cases = {
        "On which exact dates in October 2025 was the Fourth Plenary Session held?": "exact date",
        "In what year was the second forum held, where Wang Yi spoke at the media briefing?": "no year",
        "签署合作文件的国家中，哪个大洲的国家数量最多？": "排名",
        "Of the 12,000 China–Europe (Asia) freight train trips in 2025, how many ran to Central Asia?": "quotes",
        "2026年1月我国新能源产品出口增长了多少？": "能源产品出口",
        "How many of the 150-plus countries that signed cooperation documents are in Africa?": "in Africa",
        "In which Kazakh city did Xi Jinping hold the September 2022 talks?": "no city",
        "In which country did Wang Yi speak at the media briefing of the second forum?": "no country",
    }
    for question, reason in cases.items():
        answer = bot.ask(question)
        assert answer.abstained and any(reason in r for r in answer.reasons), (question, answer.reasons)
    # The same sentences answer what they do give.
    for question in ("二十届四中全会是哪个月召开的？", "二十届四中全会在哪个城市召开？", "2022年9月习近平主席访问了哪个国家？",
                     "How many China–Europe (Asia) freight trains departed in 2025?",
                     "2026年1月对沿线国家出口增长了多少？"):
        answer = bot.ask(question)
        assert not answer.abstained, (question, answer.reasons)


def test_a_short_country_or_bloc_name_the_paper_never_uses_is_unknown(tmp_path):
    bot = bot_over(tmp_path, DETAIL_DOC)
    answer = bot.ask("2026年1月对东盟的出口增长了多少？")
    assert answer.abstained and any("东盟" in r for r in answer.reasons), answer.reasons
    # Two-character words jieba takes for places ('三中' of 任务三中, 城市) are not names.
    assert not any("从未提到" in r for r in bot.ask("任务三中，哪些城市召开了会议？").reasons)


def test_a_count_of_listed_items_is_not_a_missing_figure(tmp_path):
    bot = bot_over(tmp_path, DETAIL_DOC)
    answer = bot.ask("投融资体系的具体做法列出了几个方面？")
    assert not any("数字" in r for r in answer.reasons), answer.reasons
    # The answer counts the items and quotes the first and the last.
    assert answer.text.startswith("论文列出了2项"), answer.text
    assert any("其次" in c.quote for c in answer.citations), [c.quote for c in answer.citations]


def test_a_question_about_two_of_a_series_quotes_both(tmp_path):
    doc = ("# 标题\n\n## 一、讲话\n\n2021年11月19日，习近平出席第三次座谈会并发表重要讲话。讲话强调要夯实发展根基。\n\n"
           "## 二、部署\n\n2024年12月2日，习近平在北京出席第四次座谈会并发表重要讲话，强调统筹推进重大工程。"
           "座谈会强调推进高质量发展，座谈会部署了下一步工作。\n")
    bot = bot_over(tmp_path, doc, chunk_size=60)
    answer = bot.ask("第四次座谈会和第三次座谈会分别强调了什么？")
    quotes = " ".join(c.quote for c in answer.citations)
    assert "第三次" in quotes and "第四次" in quotes, quotes


def test_a_counted_list_is_followed_into_the_next_chunks(tmp_path):
    items = "".join(f"{n}. 第{n}项条件的内容是加强合作与交流，推动发展。" for n in range(1, 7))
    doc = f"# 标题\n\n## 一、条件\n\n实践形成了一系列充分条件。它的主要内容是：{items}等等。\n\n另一段讲别的事情。\n"
    bot = bot_over(tmp_path, doc, chunk_size=60)
    assert len({p.chunk.id for p in bot.retrieve("充分条件的主要内容", k=5)}) > 1  # the list spans chunks
    answer = bot.ask("How many numbered points set out the main content of the sufficient conditions?")
    assert answer.text.startswith("The paper lists 6 items"), answer.text
    quotes = [c.quote for c in answer.citations]
    assert any("1. 第1项" in q for q in quotes) and any(q.startswith("6. 第6项") for q in quotes), quotes
    # A question that does not count items gets no count.
    assert "lists" not in bot.ask("What is the main content of the sufficient conditions?").text.splitlines()[0]


def test_a_list_the_best_sentence_announces_is_quoted_item_by_item(tmp_path):
    # Each task opens a subsection and runs on for more sentences than a list's usual gap.
    body = "。".join(f"第{k}句说明这项任务的具体做法" for k in range(1, 9)) + "。"
    tasks = "".join(f"**{n}、{name}。**{body}\n\n" for n, name in
                    ((1, "加强战略对接"), (2, "深化基础设施联通"), (3, "加强海外利益保护")))
    doc = f"# 标题\n\n## 三、路径\n\n因此，要在下面三个方面任务中重点加强新质生产力赋能的力度。\n\n{tasks}"
    bot = bot_over(tmp_path, doc, chunk_size=80)
    answer = bot.ask("要重点加强新质生产力赋能的三个方面任务是什么？")
    assert answer.text.startswith("论文列出了3项，逐项引用如下。"), answer.text
    quotes = [c.quote for c in answer.citations]
    assert [q[:2] for q in quotes if q[0].isdigit()] == ["1、", "2、", "3、"], quotes
    # Counting them quotes the first and the last.
    answer = bot.ask("要在几个方面任务中加强新质生产力赋能？")
    assert answer.text.startswith("论文列出了3项，下面引用了第一项和最后一项。"), answer.text
    # A sentence that starts the list itself ('…以下几个方面：首先…') is not an announcement.
    doc = ("# 标题\n\n## 一、做法\n\n具体来说，包括以下几个方面：首先在行为主体上坚持市场配置资源。"
           "其次，遵循国际惯例和债务可持续原则。\n")
    (tmp_path / "b").mkdir()
    answer = bot_over(tmp_path / "b", doc).ask("在行为主体上要坚持什么？")
    assert "逐项" not in answer.text and not any(c.quote.startswith("其次") for c in answer.citations), answer.text


def test_a_figure_to_work_out_from_two_the_evidence_gives_is_answered(tmp_path):
    bot = bot_over(tmp_path, DETAIL_DOC)
    # A share from a part and a total counted in the same unit (1.7万家 of 4.8万家).
    share = bot.ask("Roughly what share of Chinese overseas enterprises were set up in Belt and Road countries "
                    "at the end of 2023?")
    assert not share.abstained and "1.7万家" in " ".join(c.quote for c in share.citations), share.reasons
    # A change between two named years: the difference of the two shares.
    rise = bot.ask("By how many percentage points did the Belt and Road share of foreign trade rise between 2013 "
                   "and 2025?")
    assert not rise.abstained and "51.9%" in " ".join(c.quote for c in rise.citations), rise.reasons


def test_a_year_is_not_a_count_and_a_preposition_is_not_a_name(tmp_path):
    bot = bot_over(tmp_path, DETAIL_DOC)
    assert not any("list" in r for r in bot.ask("Which 2025 freight trains departed to Europe?").reasons)
    assert not any("从未提到" in r for r in bot.ask("2025年对沿线国家出口在外贸总额中占比多少？").reasons)


_PIECES = ["Which twelve", "How many times larger", "besides Chinese and", "除了", "哪个省份", "哪些", "多少倍",
           "相隔多久", "32个", "“新三样”", "一是", "、", "等", "——", "2025年", "1.04", "the 15th", "贸易", "trade",
           "Pinglu Canal", "？", "?", " ", "第四次", "six corridors", "百分点", "第三次", "几个方面",
           "how many numbered points", "what share", "between 2013 and 2025", "by how many percentage points",
           "which city", "在哪座城市", "which country", "哪个国家", "我国"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=8))
@example(["Which twelve", "six corridors"])  # once a ValueError: a count word past ten
def test_any_mix_of_question_pieces_gets_an_answer_or_a_clear_error(bot, pieces):
    question = " ".join(pieces)
    try:
        answer = bot.ask(question)
    except QuestionError:
        return
    assert answer.abstained == (not answer.citations)
    assert all(f"[{c.n}]" in answer.text for c in answer.citations)
