"""Dictionary translation both ways: only the corpus's own words, senses that fit the question."""

from assistant.index.lexical import Postings, tokenize
from assistant.question.translate import Lexicon, Translator, cedict, gloss_stems, word_senses


def test_english_to_the_corpus_chinese_words_and_what_the_corpus_lacks():
    terms, missing, untranslated = Translator({"火车", "河流"}).to_zh("How many trains went along the river to Brazil?")
    assert set(terms) == {"火车", "河流"}
    assert missing == ["brazil"]  # a dictionary knows it; the corpus never uses it
    assert untranslated == []


def test_what_how_asks_for_is_the_questions_frame_not_a_word_the_corpus_lacks():
    # 'far' has a translation (远) the corpus never uses; 'how far along' asks how advanced, and
    # the corpus lacking 远 says nothing about whether it answers.
    t = Translator({"运河", "建设"})
    assert t.to_zh("How far along is the canal?").missing == []
    assert t.to_zh("How long is the canal?").missing == []
    assert t.to_zh("Is the canal far from the sea?").missing == ["far", "sea"]  # a word of its own


def test_a_glossary_phrase_wins_over_its_words():
    t = Translator({"三峡", "大坝", "三", "峡谷"}, glossary={"three gorges dam": ("三峡", "大坝")})
    assert t.to_zh("When was the Three Gorges Dam finished?").terms == {"三峡": 1.0, "大坝": 1.0}
    # ... and the other way: the glossary's Chinese term reaches its English phrase.
    english = set(tokenize("Three Gorges Dam"))
    back = Translator(english, glossary={"three gorges dam": ("三峡大坝",)})
    assert set(back.to_en("三峡大坝何时完工？").terms) == english


def test_chinese_to_the_corpus_english_words():
    t = Translator({"black", "death", "denver", "england"})
    assert t.to_en("黑死病何时到达英格兰？").terms == {"black": 1.0, "death": 1.0, "england": 1.0}
    # A transliterated name no dictionary holds is neither translated nor missing.
    out = t.to_en("贾里德来自丹佛")
    assert "denver" in out.terms and out.untranslated


def test_a_gloss_gives_the_name_then_the_description():
    assert gloss_stems("Richard Nixon (1913-1994), US president 1969-1974")[0] == ("richard", "nixon")
    assert gloss_stems("to defend (against)") == [("defend",)]
    assert "Nixon" in " ".join(cedict()["尼克松"])


def test_word_senses_strip_grammar_notes_and_find_base_forms():
    assert word_senses("departed") and not any("过去式" in s for s in word_senses("went"))
    assert "学生" in word_senses("students")
    assert "组织" in word_senses("organisations")  # British spelling read as American
    assert word_senses("held") == []  # a past tense is not read as another word ('hel')


def test_senses_that_fit_the_rest_of_the_question_win():
    vocabulary = {"塞尔维亚", "火车", "训练"}
    # 火车 appears in a sentence with 塞尔维亚; 训练 never does.
    postings = Postings([[], ["塞尔维亚", "火车"], ["训练"]])
    plain = Translator(vocabulary).to_zh("Serbia train").terms
    assert plain["火车"] == plain["训练"]
    weighted = Translator(vocabulary, postings).to_zh("Serbia train").terms
    assert weighted["火车"] > weighted["训练"]


def test_the_dictionary_reaches_the_corpus_own_words():
    vocabulary = {"年会", "学会", "会议"}
    lexicon = Lexicon.of(vocabulary)
    assert "年会" in lexicon.phrases[("annual", "meet")]
    terms, missing, _ = Translator(vocabulary).to_zh("Which association held the annual meeting?")
    assert terms.get("年会") == 1.0 and "学会" in terms and not missing


def test_translatable_tells_a_dictionary_word_from_a_transliteration():
    t = Translator(set())
    assert t.translatable("Brazil") and t.translatable("英格兰")
    assert not t.translatable("贾里德") and not t.translatable("Zxqvw")


def test_a_sentence_is_read_back_into_the_question_s_words_through_the_dictionaries_and_glossary():
    from assistant.answer.features import read_back
    from assistant.index.lexical import BM25, tokenize
    from assistant.question.analysis import Analyzer

    analyzer = Analyzer(BM25([tokenize("x")], ["en"]).idf)
    zh = analyzer.analyze("港口每年吞吐多少货物？", "zh")
    answering = "The port handles millions of tonnes of cargo every year."
    assert read_back(zh, answering) > read_back(zh, "The museum opened a new gallery.") == 0.0
    # An English question over Chinese text, its corpus glossary naming a term no dictionary holds.
    en = analyzer.analyze("How far has the Qinhe Canal come?", "en")
    reader = Translator((), None, {"qinhe canal": ("沁河运河",)})
    assert read_back(en, "沁河运河已进入全面建设阶段。", reader) > read_back(en, "沁河运河已进入全面建设阶段。")
