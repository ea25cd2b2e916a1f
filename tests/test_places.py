import pytest

from assistant.answer.places import place_missing

NO_PLACE = ["2013年到2024年，我国与沿线国家双向投资累计将近4000亿美元。"]


@pytest.mark.parametrize("question, kind", [
    ("Which two countries released the plan?", "country"),
    ("2025年9月中国与哪个国家共同发布了行动计划？", "country"),
    ("In which coastal city was the port built?", "city"),
    ("平陆运河位于哪个省份？", "province"),
    # Questions that name a place or ask about it without asking which one.
    ("What do partner countries gain from the Belt and Road?", None),
    ("What does the city of Samarkand show?", None),
    ("哪个国际组织支持了这一倡议？", None),
    ("文章具体点名了哪些国际组织？", None),
])
def test_the_kind_of_place_a_question_asks_for(question, kind):
    assert place_missing(question, NO_PLACE) == kind


def test_a_place_the_question_names_or_china_for_its_partners_does_not_answer():
    # 'Kazakhstan' and '哈萨克斯坦' are one place.
    assert place_missing("Which country besides Kazakhstan did Xi visit?", ["习近平主席在访问哈萨克斯坦时强调。"]) == "country"
    assert place_missing("Which country besides Kazakhstan did Xi visit?", ["习近平主席访问了哈萨克斯坦和乌兹别克斯坦。"]) is None
    assert place_missing("中国与哪个国家发布了计划？", ["中国发布了计划。"]) == "country"
    assert place_missing("Which country proposed the initiative?", ["中国提出了倡议。"]) is None
    assert place_missing("在哈萨克斯坦的哪个城市？", ["在访问哈萨克斯坦的会谈时。"]) == "city"
