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
