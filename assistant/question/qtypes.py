"""Question types and the matching evidence: figures, quantities, dates and numbered items.

Used by retrieval (a sentence that can answer a 'when' question is preferred) and by the
abstention checks (a 'how many' question needs a figure in its evidence).
"""

from __future__ import annotations

import re

from assistant.index.lexical import normalize_number

ORDINAL_WORDS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")
ZH_NUMERALS = "一二三四五六七八九十"
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
MONTHS = r"january|february|march|april|may|june|july|august|september|october|november|december"
# A Chinese numeral counts only before a measure word: '十二年' states a quantity, '十五五'
# (the plan's name) and '一带一路' do not; '一' is left out (一批, 一系列).
_ZH_COUNT = re.compile(r"[二两三四五六七八九十百千万亿]+(?:个|年|家|列|项|次|条|份|种|重|大|方面|国|人|亿|万|倍|成|名|位)")
# ... nor does the 'Five-Year Plan' of an English name.
_EN_NUMBER_WORD = re.compile(r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|"
                             r"hundred|thousand|million|billion|trillion|dozen)\b(?![\s-]*years?[\s-]*plan)", re.I)
_QUANTITY_EN = re.compile(r"\b(?:how (?:many|much|large|big|long|old|fast|high|far(?! along))|"
                          r"what (?:percentage|share|proportion|amount|value|number|size)|"
                          r"what (?:is|was|were|are) the (?:total )?(?:value|amount|number|size|volume)|"
                          r"growth rate|(?:total )?length|distance)\b", re.I)
# '哪几个' asks which ones, not how many.
_QUANTITY_ZH = re.compile(r"多少|(?<!哪)几[个年家次条项列亿万%]|多大|多长|多高|比重是|比例是|增长率|增速是|规模是")
# 'When did…', not the conjunction ('When tools are used…, what should…').
_ASKS_DATE_EN = re.compile(r"\bwhen (?:and\b|(?:did|was|were|is|are|will|would|does|do|has|have|had|can|could|"
                          r"should)\b)|"
                          r"\bwhat (?:date|year|month|day)\b|\bwhich (?:date|year|month|day)\b|"
                          r"\bin what year\b|\bon what date\b", re.I)
_ASKS_DATE_ZH = re.compile(r"什么时候|何时|哪一年|哪年|哪天|哪一天|几月|日期|什么时间|何年|哪个月")
# A plan period ('“十五五”时期', 'the 15th Five-Year Plan period') dates things too.
_DATE = re.compile(r"十[一二三四五六七八九]五”?时期|\b\d+(?:st|nd|rd|th) Five[- ]Year Plan\b|"
                   r"\d{4}\s*年(?:\s*\d{1,2}\s*月)?|\d{1,2}\s*月\s*\d{1,2}\s*日|\d{4}[-.]\d{1,2}[-.]\d{1,2}|"
                   r"\b(?:" + MONTHS + r")\b"
                   r"|\b(?:19|20)\d{2}\b", re.I)


def figures(text: str) -> set[str]:
    """Normalized numbers in a text (years, amounts, counts of three digits or more)."""
    return {n for n in (normalize_number(m.group()) for m in NUMBER.finditer(text)) if len(n.replace(".", "")) >= 3}


_TIME = re.compile(r"\d{4}\s*年(?:\s*\d{1,2}\s*月)?(?:\s*\d{1,2}\s*日)?|[\d十百两二三四五六七八九]+\s*(?:多)?年(?:间|来)?|"
                   r"\b(?:19|20)\d{2}\b|\b\w+ years?\b", re.I)
_ASKS_TIME = re.compile(r"多少年|几年|多久|多长时间|how (?:many years|long|much time)|what year|哪一?年", re.I)


def has_quantity(text: str, question: str = "") -> bool:
    """Whether a text states some quantity (digits, Chinese numerals, number words).

    Unless the question asks about time, dates and spans of years ('2025年', '十二年间')
    do not count: they cannot answer 'how many jobs'.

    >>> has_quantity("十二年间，投资创造了就业渠道", "How many jobs were created?")
    False
    """
    if question and not _ASKS_TIME.search(question):
        text = _TIME.sub(" ", text)
    # An English ordinal ('the 15th Five-Year Plan', 'the 20th Central Committee') names, it counts nothing.
    return bool(re.search(r"\d+(?!\d|(?:st|nd|rd|th)\b)", text) or _ZH_COUNT.search(text)
                or _EN_NUMBER_WORD.search(text))


def asks_quantity(question: str, lang: str) -> bool:
    """``How many…``, ``多少…``: questions whose answer is a figure.

    A count that only sets the scene ('在几项贡献中，哪一项更重要？') does not make one.

    >>> asks_quantity("2030年中欧班列开行多少列？", "zh"), asks_quantity("Who proposed it?", "en")
    (True, False)
    >>> asks_quantity("在这几项贡献中，作者强调哪一项？", "zh"), asks_quantity("What was the value of trade?", "en")
    (False, True)
    """
    m = (_QUANTITY_ZH if lang == "zh" else _QUANTITY_EN).search(question)
    return bool(m) and not (lang == "zh" and _ASKS_OTHER_ZH.search(question, m.end()))


# A figure to work out from two the paper gives: a ratio or the time between two dates.
# 'By how many points…' counts only between two years the question names: the paper often
# states a difference itself.
_DERIVED = re.compile(r"\bhow many times\b|\btimes (?:larger|bigger|greater|higher|more|as (?:large|much|many|high))\b|"
                      r"\bhow (?:much time|long|many (?:years|months|weeks|days)) "
                      r"(?:passed|elapsed|separates?|lies?|was there|were there|after|before|later|apart)\b|"
                      r"多少倍|几倍|相隔|间隔多|"
                      # a change between two years the question names: the difference of two figures
                      r"\bby (?:\w+ )?how (?:much|many (?:percentage )?points)\b(?=[^?]*\bbetween (?:19|20)\d\d and (?:19|20)\d\d)|"
                      r"(?:19|20)\d\d\s*年?\s*(?:到|至)\s*(?:19|20)\d\d\s*年?[^？?]*?(?:提高|上升|增加|提升|下降)了?多少个?百分点",
                      re.I)


# '…in 2025, and what share…', '哪两个时段？分别是多少？': a question of two parts, each of which
# holds only part of its terms.
_TWO_PARTS = re.compile(r"\band (?:what|how|which|when|where|who|for how)\b|分别|[？?].+[？?]|以及.*(?:多少|哪)", re.I)


_SHARE = re.compile(r"\b(?:share|proportion|percentage|fraction)\b|占比|比例|比重|百分之几", re.I)
_COUNTED = re.compile(r"(\d+(?:\.\d+)?)\s*([万亿]?)\s*(家|个|列|项|人|名|座|所|条|份|国)")


def share_from_counts(question: str, evidence: list[str]) -> bool:
    """Whether a question asks for a share that the evidence gives as a part and a total
    counted in the same unit ('设立境外企业4.8万家' and '…设立境外企业1.7万家').

    >>> share_from_counts("What share of the enterprises were in Asia?", ["共4.8万家", "在亚洲1.7万家"])
    True
    >>> share_from_counts("What share of the enterprises were in Asia?", ["共4.8万家", "增长12%"])
    False
    """
    if not _SHARE.search(question):
        return False
    seen: dict[str, set[str]] = {}
    for m in _COUNTED.finditer(" ".join(evidence)):
        seen.setdefault(m.group(3), set()).add(m.group(1) + m.group(2))
    return any(len(numbers) >= 2 for numbers in seen.values())


def asks_two_things(question: str) -> bool:
    """Whether a question asks two things at once.

    >>> asks_two_things("What was trade worth in 2025, and what share of the total was it?")
    True
    >>> asks_two_things("What share of the total was trade in 2025?")
    False
    """
    return bool(_TWO_PARTS.search(question))


def asks_derived(question: str) -> bool:
    """Whether a question asks for a figure worked out from two others: 'how many times
    larger', 'how much time passed between', '多少倍', '相隔多久'.

    >>> asks_derived("How many times larger was investment in 2025 than in 2013?"), asks_derived("相隔多久？")
    (True, True)
    >>> asks_derived("How many trains ran in 2025?"), asks_derived("增速快多少个百分点？")
    (False, False)
    """
    return bool(_DERIVED.search(question))


# A question word after the count: the count describes, the question asks for something else.
_ASKS_OTHER_ZH = re.compile(r"哪(?:一|些)?[个项次种条位篇部]?|什么|谁")
_UNIT_ZH = re.compile(r"(?:多少|(?<!哪)几)\s*([个家列项次条份种名位座所亿万元美元%岁人公里米吨]+)")
_NUMERAL_BEFORE = r"[\d二两三四五六七八九十百千万亿.]\s*"


def asked_unit(question: str, lang: str) -> str | None:
    """The unit a quantity question wants: '多少亿元' -> '亿元'; 'how old' -> '岁';
    a rate or percentage -> '%'.

    >>> asked_unit("平陆运河的总投资是多少亿元？", "zh"), asked_unit("How old is he?", "en")
    ('亿元', '岁')
    >>> asked_unit("What was trade worth in renminbi?", "en"), states_unit("3.1万亿美元", "元")
    ('元', False)
    """
    if lang == "zh":
        m = _UNIT_ZH.search(question)
        return m.group(1) if m else ("%" if re.search(r"增长率|增速|百分比|比例|比重|占比|同比", question) else None)
    if re.search(r"\bhow old\b|\bage\b", question, re.I):
        return "岁"
    if re.search(r"percent|percentage|growth rate|\brate\b|\bshare\b|\bproportion\b|year[- ]on[- ]year", question,
                 re.I):
        return "%"
    # A currency named: 'in renminbi' is not answered by a figure in US dollars.
    if re.search(r"\b(?:renminbi|rmb|yuan)\b", question, re.I):
        return "元"
    if re.search(r"\b(?:us )?dollars?\b|\busd\b", question, re.I):
        return "美元"
    return None


def states_unit(text: str, unit: str) -> bool:
    """Whether a text gives a figure in ``unit`` ('140万亿元' gives 亿元; '51.9%' gives %)."""
    if unit == "岁":
        return bool(re.search(_NUMERAL_BEFORE + "岁|years old|aged \\d", text))
    if unit == "%":
        return bool(re.search(r"\d\s*%|百分之|percent", text))
    return bool(re.search(_NUMERAL_BEFORE + re.escape(unit), text))


_ORDINAL_ZH = re.compile(r"第[一二三四五六七八九十\d]+[次届个条项]")


def ordinals(text: str) -> set[str]:
    """Chinese ordinals naming one of a series: '第四次', '第二届'.

    >>> sorted(ordinals("第一次“一带一路”建设座谈会和第二届高峰论坛"))
    ['第一次', '第二届']
    """
    return set(_ORDINAL_ZH.findall(text))


_ASKS_REASON = re.compile(r"\bwhy\b|\bfor what reason\b|\bwhat (?:is|was|are|were) the reasons?\b|为什么|为何|原因",
                          re.I)
_REASON = re.compile(r"因为|由于|针对|为了|因此|所以|鉴于|原因|之所以|\bbecause\b|\bsince\b|\bdue to\b|\bin order to\b",
                     re.I)


def asks_reason(question: str) -> bool:
    """``Why…``, ``为什么…``: questions whose answer gives a cause or a purpose.

    >>> asks_reason("Why does task 4 single out green development?"), asks_reason("文章为何这样说？")
    (True, True)
    """
    return bool(_ASKS_REASON.search(question))


def has_reason(text: str) -> bool:
    """Whether a text states a cause or a purpose ('由于…', '针对…', 'because…')."""
    return bool(_REASON.search(text))


def asks_date(question: str, lang: str) -> bool:
    """``When…``, ``哪一年…``: questions whose answer is a date.

    >>> asks_date("第四次座谈会是哪一天召开的？", "zh"), asks_date("On what date was it held?", "en")
    (True, True)
    >>> asks_date("When tools are used, what should guide them?", "en")
    False
    """
    return bool((_ASKS_DATE_ZH if lang == "zh" else _ASKS_DATE_EN).search(question))


def has_date(text: str) -> bool:
    """Whether a text states a date or a year."""
    return bool(_DATE.search(text))


# 'the sixth achievement', 'task 4', '任务六', '第三项': a numbered item of a list. Questions
# name the item by its number; the paper numbers it in a subsection heading ('4、深化…') or
# at the head of a paragraph ('六是…').
_ITEM_NOUNS = (r"achievements?|tasks?|points?|items?|measures?|requirements?|conditions?|aspects?|"
               r"areas?|steps?|priorit(?:y|ies)|results?|outcomes?|challenges?|deployments?")
_EN_NUMBERS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
ITEM_QUESTION = re.compile(
    r"\b(?:the )?(?P<ordinal>" + "|".join(ORDINAL_WORDS) + r"|\d+(?:st|nd|rd|th))\s+(?:" + _ITEM_NOUNS + r")\b|"
    r"\b(?:task|item|point|step|measure)\s+(?P<number>\d{1,2}|" + "|".join(_EN_NUMBERS) + r")\b|"
    r"任务(?P<zh>[一二三四五六七八九十\d]{1,2})|第(?P<zh2>[一二三四五六七八九十\d]{1,2})(?:项|条|点|个方面|大?成果)", re.I)


def item_number(question: str) -> int | None:
    """The list item a question names by number: 'the sixth achievement' -> 6, '任务四' -> 4."""
    m = ITEM_QUESTION.search(question)
    if not m:
        return None
    word = (m.group("ordinal") or m.group("number") or m.group("zh") or m.group("zh2")).lower()
    if word[0].isdigit():
        return int(re.match(r"\d+", word).group())
    for names in (ORDINAL_WORDS, _EN_NUMBERS):
        if word in names:
            return names.index(word) + 1
    return zh_number(word)


def zh_number(word: str) -> int:
    """A small Chinese or Arabic number, 0 when it is not one: '六' -> 6, '十二' -> 12.

    >>> [zh_number(w) for w in ("六", "十", "十二", "二十三", "4", "一二")]
    [6, 10, 12, 23, 4, 0]
    """
    if word.isdigit():
        return int(word)
    if len(word) == 1 and word in ZH_NUMERALS:
        return ZH_NUMERALS.index(word) + 1
    tens, ten, ones = word.partition("十")
    if not ten or len(tens) > 1 or len(ones) > 1 or not set(tens + ones) <= set(ZH_NUMERALS[:9]):
        return 0
    return 10 * (ZH_NUMERALS.index(tens) + 1 if tens else 1) + (ZH_NUMERALS.index(ones) + 1 if ones else 0)


def zh_numeral(n: int) -> str:
    """A number from 1 to 99 in Chinese numerals: 6 -> '六', 12 -> '十二', 32 -> '三十二'.

    >>> [zh_numeral(n) for n in (6, 10, 12, 32)]
    ['六', '十', '十二', '三十二']
    """
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else "十" if tens == 1 else ZH_NUMERALS[tens - 1] + "十"
    return head + (ZH_NUMERALS[ones - 1] if ones else "")
