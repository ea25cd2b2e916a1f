from assistant.translate import glossary, translate, word_senses


def test_glossary_phrases_first_then_word_list():
    terms, missing = translate("How many China-Europe freight trains went to Brazil?", {"中欧", "班列", "火车"})
    assert terms["中欧"] == 1.0 and terms["班列"] == 1.0
    assert missing == ["brazil"]
    assert "belt and road" in glossary()


def test_word_senses_strip_grammar_notes_and_find_base_forms():
    assert word_senses("departed") and not any("过去式" in s for s in word_senses("went"))
    assert "学生" in word_senses("students")


def test_senses_that_fit_the_rest_of_the_question_win():
    vocabulary = {"中欧", "火车", "训练"}
    # 火车 appears in a sentence with 中欧; 训练 never does.
    postings = {"中欧": [(1, 1)], "火车": [(1, 1)], "训练": [(2, 1)]}
    plain, _ = translate("China-Europe train", vocabulary)
    assert plain["火车"] == plain["训练"]
    weighted, _ = translate("China-Europe train", vocabulary, postings)
    assert weighted["火车"] > weighted["训练"]
