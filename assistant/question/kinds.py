"""What a question asks for, read from its question words in Chinese or English.

The kind is what its answer is: a number, a date, a person, a place, a reason, or something
else (a name, a description…). Evidence that holds a thing of that kind, beyond what the
question itself says, is likelier to answer it.

>>> [kind_of(q) for q in ("长江全长多少公里？", "When was the treaty signed?", "谁发明了电话？",
...                       "Where does the river rise?", "为什么会下雨？", "What is a neutron star?")]
['number', 'date', 'person', 'place', 'reason', 'other']
"""

from __future__ import annotations

import re

NUMBER, DATE, PERSON, PLACE, REASON, OTHER = "number", "date", "person", "place", "reason", "other"
KINDS = (NUMBER, DATE, PERSON, PLACE, REASON, OTHER)

_PLACE_NOUNS = (r"country|countries|city|cities|state|states|province|provinces|region|regions|town|towns|continent|"
                r"place|places|river|island|islands|county|area|location|nation|capital|village|port")
_PERSON_NOUNS = (r"person|people|man|woman|men|women|king|queen|emperor|president|scientist|author|writer|player|"
                 r"leader|team|coach|inventor|composer|artist|ruler|pope|general|actor|singer|company|organi[sz]ation")
# The measures 'how' asks for ('how long', 'how far'): the answer is a figure, not the word.
HOW_MEASURES = ("long", "far", "old", "big", "large", "tall", "high", "fast", "deep", "wide", "often", "heavy", "hot",
                "cold", "warm")
_EN = (
    (DATE, re.compile(r"\bwhen\b|\b(?:what|which|in what|in which) (?:year|years|date|dates|day|month|century|"
                      r"centuries|decade|era|period|time)\b|\bhow long ago\b|\bwhat time\b", re.I)),
    (NUMBER, re.compile(rf"\bhow (?:many|much|{'|'.join(HOW_MEASURES)})\b|"
                        r"\bwhat (?:(?:is|was|were|are) (?:the )?(?:[\w'’-]+ ){0,3}?)?(?:percentage|percent|proportion|"
                        r"fraction|share|number|amount|size|population|length|distance|speed|rate|"
                        r"temperature|height|weight|cost|price|age|value|total|area|count)\b", re.I)),
    (PERSON, re.compile(r"\bwho\b|\bwhom\b|\bwhose\b|\b(?:which|what) (?:" + _PERSON_NOUNS + r")\b", re.I)),
    (PLACE, re.compile(r"\bwhere\b|\b(?:which|what|in what|in which) (?:" + _PLACE_NOUNS + r")\b", re.I)),
    (REASON, re.compile(r"\bwhy\b|\bfor what reason\b|\bwhat (?:caused|causes|is the reason|was the reason|"
                        r"were the reasons|are the reasons)\b|\bhow come\b", re.I)),
)
_ZH = (
    (DATE, re.compile(r"什么时候|何时|哪一?年|何年|哪个?世纪|什么年代|哪个年代|哪个?朝代|几月|哪个?月|哪一?天|几号|"
                      r"什么时间|何时期|哪个时期|哪一时期|年份|日期")),
    (NUMBER, re.compile(r"多少|(?<!哪)几(?:[个次年名位种倍岁天月项条家人座所部首场届分层只件辆架艘]|十|百|千|万|亿)|"
                        r"多大|多长|多高|多远|多久|多重|多深|多宽|多快|百分之几|人口|面积|长度|距离|速度|温度|比例|占比")),
    (PERSON, re.compile(r"谁|哪位|什么人|何人|哪个人|哪些人|哪一位")),
    (PLACE, re.compile(r"哪里|哪儿|在哪(?![次届场种类项])|何处|何地|什么地方|哪个(?:国家|城市|省|州|地区|地方|岛|洲|县|市|港)|"
                       r"哪座|哪国|哪些国家|哪些城市|哪个地区|位于何")),
    (REASON, re.compile(r"为什么|为何|原因|何故|为啥")),
)


def kind_of(question: str, lang: str | None = None) -> str:
    """The kind of answer a question asks for: one of ``KINDS``.

    The first kind whose question words appear wins, in the order date, number, person, place,
    reason: 'how many years' counts, 'which year' dates.
    """
    grammars = _ZH if lang == "zh" else _EN if lang == "en" else _ZH + _EN
    for kind, pattern in grammars:
        if pattern.search(question):
            return kind
    return OTHER


# A question that names a part of a document asks about that part ('according to the abstract').
PARTS = {
    "abstract": re.compile(r"\babstract\b|摘要|提要", re.I),
    "references": re.compile(r"\breferences\b|\bbibliography\b|\bworks cited\b|参考文献|引用文献", re.I),
    "notes": re.compile(r"\bfootnotes?\b|\bendnotes?\b|脚注|注释|尾注", re.I),
    "title": re.compile(r"\btitled?\b|\bheadings?\b|题目|标题|题名|篇名", re.I),
    "keywords": re.compile(r"\bkey ?words?\b|关键词|关键字", re.I),
    "introduction": re.compile(r"\bintroduct(?:ion|ory)\b|\bopening (?:section|paragraphs?)\b|引言|导言|前言|开篇|"
                               r"开头", re.I),
}


def parts_named(question: str) -> tuple[str, ...]:
    """The document parts a question names, in the order of ``PARTS``.

    >>> parts_named("What keywords does the abstract list?")
    ('abstract', 'keywords')
    """
    return tuple(name for name, pattern in PARTS.items() if pattern.search(question))


_LANGUAGES = {"en": re.compile(r"\bin english\b|\benglish (?:version|abstract|title|summary|text|translation|"
                               r"keywords?)\b|英文|英语", re.I),
              "zh": re.compile(r"\bin chinese\b|\bchinese (?:version|abstract|title|summary|text|original|"
                               r"keywords?)\b|中文(?!摘要以外)|汉语", re.I)}


def languages_named(question: str) -> frozenset:
    """The languages of text a question asks about ('How does the English abstract put it?').

    >>> sorted(languages_named("What is the English title?")), sorted(languages_named("中文摘要怎么说？"))
    (['en'], ['zh'])
    """
    return frozenset(lang for lang, pattern in _LANGUAGES.items() if pattern.search(question))


_ORDINAL_WORDS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")
_ORDINALS = re.compile(r"\b(?P<word>" + "|".join(_ORDINAL_WORDS) + r")\b|\b(?P<nth>\d{1,2})(?:st|nd|rd|th)\b|"
                       r"\b(?:part|section|chapter|task|item|point|step|article)\s+(?P<num>\d{1,2})\b|"
                       r"第(?P<zh>[一二三四五六七八九十\d]{1,3})(?:部分|节|章|项|条|点|个|方面|大|次|届|是)?|"
                       r"(?:任务|部分|第)(?P<zh2>[一二三四五六七八九十\d]{1,2})", re.I)


def ordinals_named(question: str) -> frozenset:
    """The ordinal numbers a question names ('the third part', 'task 4', '第五项'): which point
    of a list or which numbered section it asks about.

    >>> sorted(ordinals_named("What is the heading of the third part?")), sorted(ordinals_named("任务四和第六项"))
    ([3], [4, 6])
    """
    from assistant.language.numbers import zh_number

    out = set()
    for m in _ORDINALS.finditer(question):
        word, nth, num, zh, zh2 = m.group("word"), m.group("nth"), m.group("num"), m.group("zh"), m.group("zh2")
        value = (_ORDINAL_WORDS.index(word.lower()) + 1 if word else int(nth or num) if (nth or num)
                 else zh_number(zh or zh2))
        if value:
            out.add(value)
    return frozenset(out)
