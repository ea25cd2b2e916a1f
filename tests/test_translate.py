from assistant.question.translate import Lexicon, glossary, translate, word_senses


def test_glossary_phrases_first_then_word_list():
    terms, missing = translate("How many China-Europe freight trains went to Brazil?", {"中欧", "班列", "火车"})
    assert terms["中欧"] == 1.0 and terms["班列"] == 1.0
    assert missing == ["brazil"]
    assert "belt and road" in glossary()


def test_word_senses_strip_grammar_notes_and_find_base_forms():
    assert word_senses("departed") and not any("过去式" in s for s in word_senses("went"))
    assert "学生" in word_senses("students")


def test_senses_that_fit_the_rest_of_the_question_win():
    vocabulary = {"塞尔维亚", "火车", "训练"}
    # 火车 appears in a sentence with 塞尔维亚; 训练 never does.
    postings = {"塞尔维亚": [(1, 1)], "火车": [(1, 1)], "训练": [(2, 1)]}
    plain, _ = translate("Serbia train", vocabulary)
    assert plain["火车"] == plain["训练"]
    weighted, _ = translate("Serbia train", vocabulary, postings)
    assert weighted["火车"] > weighted["训练"]


def test_phrases_match_on_word_stems_whatever_the_hyphens_and_plurals():
    vocabulary = {"新质", "生产力"}
    for q in ("new-quality productive force", "New Quality Productive Forces", "new quality-productive forces"):
        assert translate(q, vocabulary)[0] == {"新质": 1.0, "生产力": 1.0}, q


def test_everyday_words_of_an_author_note_and_of_shares():
    vocabulary = {"电子邮箱", "讲话", "邮政", "50", "过半"}
    assert translate("What e-mail address is listed?", vocabulary)[0] == {"电子邮箱": 1.0}
    assert {"50", "过半"} <= set(translate("When did it pass more than half?", vocabulary)[0])


def test_the_dictionary_reaches_the_corpus_own_words():
    vocabulary = {"年会", "学会", "会议"}
    lexicon = Lexicon.of(vocabulary)
    assert "年会" in lexicon.phrases[("annual", "meet")]
    terms, missing = translate("Which association held the annual meeting?", vocabulary, lexicon=lexicon)
    assert terms.get("年会") == 1.0 and "学会" in terms and not missing
    # A gloss no glossary lists: found only through the dictionary.
    assert "mutually profitable" not in glossary()
    assert translate("mutually profitable", {"共赢"}, lexicon=Lexicon.of({"共赢"}))[0] == {"共赢": 1.0}
    assert translate("mutually profitable", {"共赢"})[0] == {}


def test_british_spellings_read_as_american():
    assert "组织" in word_senses("organisations")
    assert word_senses("held") == []  # a past tense is not read as another word ('hel')
