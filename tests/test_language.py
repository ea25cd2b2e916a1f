"""The general language knowledge: numbers and dates in both languages, names, question kinds."""

import pytest

from assistant.language.names import names
from assistant.language.numbers import dates, figure_values, has_date, has_number, parse_zh_numeral, values
from assistant.question.kinds import kind_of, languages_named, ordinals_named, parts_named


@pytest.mark.parametrize("text, value", [
    ("三百零八", 308), ("六千三百", 6300), ("两万", 20000), ("一九九〇", 1990), ("三亿五千万", 350_000_000), ("十", 10),
])
def test_chinese_numerals(text, value):
    assert parse_zh_numeral(text) == value


def test_one_figure_however_it_is_written():
    assert figure_values("6600万年前") == figure_values("66 million years ago") == {66_000_000}
    assert 12000 in values("12,000 trains") and 12000 in values("一万二千列")
    assert values("twenty-four players") == {24}
    assert not values("统一和万一")  # Chinese numerals inside words are not numbers


def test_dates_are_not_counts():
    assert has_date("公元前311年") and has_date("in the 19th century") and has_date("on 4 July")
    assert not has_number("他于1990年出生") and has_number("共有308名球员")
    assert {"1990", "october"} <= dates("in October 1990")


def test_names_in_both_languages():
    assert names("The Panthers beat the Denver Broncos at Levi's Stadium.", "en") == {
        "panthers", "denver broncos", "levi's stadium"}
    assert {"贾里德·艾伦", "丹佛"} <= names("贾里德·艾伦效力于丹佛野马队。", "zh")
    assert "nfl" in names("他是NFL球员。", "zh")  # a Latin name inside Chinese text


@pytest.mark.parametrize("question, kind", [
    ("长江全长多少公里？", "number"), ("What was the growth rate in 2025?", "number"),
    ("What was Poland's GDP growth rate in 1995?", "number"),  # a possessive among the words before 'rate'
    ("When was the treaty signed?", "date"), ("这座桥是哪一年建成的？", "date"),
    ("谁发明了电话？", "person"), ("Which team won?", "person"),
    ("Where does the river rise?", "place"), ("会议在哪个城市举行？", "place"), ("他在哪工作？", "place"),
    ("这份建议是在哪次会议上通过的？", "other"),  # which meeting: an event, not a place
    ("为什么会下雨？", "reason"), ("What is a neutron star?", "other"),
])
def test_question_kinds(question, kind):
    assert kind_of(question) == kind


def test_parts_ordinals_and_languages_a_question_names():
    assert parts_named("What keywords does the abstract list?") == ("abstract", "keywords")
    assert parts_named("According to the introduction, why?") == ("introduction",)
    assert ordinals_named("What is the heading of the third part?") == {3}
    assert ordinals_named("任务四和第六项分别是什么？") == {4, 6}
    assert languages_named("What is the English title?") == {"en"}
