"""What kind of answer a question asks for, and whether its evidence holds one it does not
already give.

A plausible unanswerable question finds the right sentence and asks for a detail that sentence
leaves out: the exact day of a meeting the paper dates by month, the largest of the partners it
only counts, the part of a total it never breaks down. Each check here asks for the detail
itself, and a detail the question already states does not count as found.
"""

from __future__ import annotations

import re

from assistant.index.lexical import normalize_number, tokenize
from assistant.question.qtypes import MONTHS, NUMBER, has_quantity
from assistant.question.translate import translate

# (what the question asks for, what answers it)
_PRECISION = {
    "day": (re.compile(r"\bexact (?:date|day)s?\b|\b(?:on )?(?:what|which) (?:date|day)s?\b|哪一?天|几月几日|几号|"
                       r"具体日期", re.I),
            re.compile(r"\d{1,2}\s*日|\b(?:" + MONTHS + r")\s+\d{1,2}\b|\b\d{1,2}\s+(?:" + MONTHS + r")\b", re.I)),
    "month": (re.compile(r"\b(?:in )?(?:what|which) month\b|哪个月|哪一个月|几月(?!几)", re.I),
              re.compile(r"\d{1,2}\s*月(?!份?以来)|\b(?:" + MONTHS + r")\b", re.I)),
    "year": (re.compile(r"\b(?:in )?(?:what|which) year\b|哪一?年(?!来)", re.I),
             re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")),
}


def missing_date(question: str, evidence: list[str]) -> str | None:
    """The precision of date a question asks for ('day', 'month', 'year') when no evidence
    sentence gives one beyond those the question states.

    >>> missing_date("On which exact dates in October 2025 was the session held?",
    ...              ["The session held in October 2025 adopted the Proposal."])
    'day'
    >>> missing_date("第四次座谈会是哪一天召开的？", ["2024年12月2日，习近平出席第四次座谈会。"]) is None
    True
    >>> missing_date("In what year was the second forum held?", ["王毅在第二届高峰论坛上说。"])
    'year'
    """
    for precision, (asks, gives) in _PRECISION.items():
        if not asks.search(question):
            continue
        # A day is asked of a month the question names ('which dates in October 2025'); asked
        # alone, the day is often in the sentence next to the one that names the event.
        if precision == "day" and not _PRECISION["month"][1].search(question):
            continue
        stated = {_date_key(m.group()) for m in gives.finditer(question)}
        if not any(_date_key(m.group()) not in stated for e in evidence for m in gives.finditer(e)):
            return precision
    return None


def _date_key(text: str) -> str:
    return re.sub(r"\s+", "", text).lower()


# 'Which partner is the largest…', '哪个大洲的国家数量最多': a ranking, which only a sentence
# that ranks can answer. ('最后', '最终' and '最晚' order in time; they are not asked of.)
_ASKS_RANK = re.compile(r"\b(?:largest|biggest|greatest|highest|lowest|smallest|fastest|slowest|top|leading)\b|"
                        r"\bthe most\b|最(?:大|多|高|低|少|快|慢|强|重要|主要)|第一大|首位|排名", re.I)
_RANKS = re.compile(r"最|首位|第一大|居首|之首|领先|\b(?:largest|biggest|greatest|highest|lowest|smallest|"
                    r"fastest|most|top|leading|first)\b", re.I)


def missing_rank(question: str, evidence: list[str]) -> bool:
    """Whether a question asks for a ranking and no evidence sentence ranks anything.

    >>> missing_rank("哪个大洲的国家数量最多？", ["朋友圈遍布亚洲、非洲、欧洲、大洋洲、拉丁美洲。"])
    True
    >>> missing_rank("Which partner is the largest?", ["东盟是中国最大的贸易伙伴。"])
    False
    """
    return bool(_ASKS_RANK.search(question)) and not any(_RANKS.search(e) for e in evidence)


def only_stated_figures(question: str, evidence: list[str]) -> bool:
    """Whether every figure in the evidence is one the question already states: 'Of the 12,000
    trips, how many ran to Central Asia?' is not answered by '2025年…班列发车数达到12000列'.

    >>> only_stated_figures("Of the 12,000 trips in 2025, how many ran to Central Asia?",
    ...                     ["2025年中欧（亚）班列发车数达到12000列。"])
    True
    >>> only_stated_figures("How many trips ran in 2025?", ["2025年中欧（亚）班列发车数达到12000列。"])
    False
    """
    return bool(_stated(question)) and not any(_new_figure(question, e) for e in evidence)


def _stated(question: str) -> set[str]:
    return {normalize_number(m.group()) for m in NUMBER.finditer(question)}


def _new_figure(question: str, text: str) -> bool:
    """Whether a text gives a figure the question does not state."""
    stated = _stated(question)
    return has_quantity(NUMBER.sub(lambda m: " " if normalize_number(m.group()) in stated else m.group(), text),
                        question)


# 'How many points…', '几个方面': a count of a list's items, which the paper gives by listing
# them ('一是…二是…', '1. …', '首先…其次…') as often as by a figure.
_COUNTS_ITEMS = re.compile(r"\bhow many (?:\w+ ){0,2}(?:points|aspects|areas|items|parts|measures|steps|tasks|"
                           r"requirements|conditions|dimensions|angles|ways)\b|"
                           r"(?<!哪)几(?:个|项|条)?(?:方面|任务|要求|措施|步骤|部分|条件|内容|角度|点)", re.I)
_ENUMERATION = re.compile(r"(?:^|[\s。：:；*])(?:[一二三四五六七八九十]是|首先|其次|第[一二三四五六七八九十][，、]|"
                          r"\d{1,2}[.、．]\s*\S|[（(]\d{1,2}[)）])")
_ITEM_COUNT = re.compile(r"[\d两二三四五六七八九十]+\s*个?(?:方面|项|点|条)")


def asks_item_count(question: str) -> bool:
    """Whether a question counts a list's items ('how many numbered points', '几个方面')."""
    return bool(_COUNTS_ITEMS.search(question))


def counts_listed_items(question: str, passages: list[str]) -> bool:
    """Whether a question counts a list's items and the passages list or count items
    ('六个方面任务' answers 'in how many task areas').

    >>> counts_listed_items("任务五列出了几个方面？", ["首先在行为主体上坚持市场配置资源。其次，遵循国际惯例。"])
    True
    >>> counts_listed_items("How many trips ran?", ["首先在行为主体上。其次，遵循国际惯例。"])
    False
    >>> counts_listed_items("In how many task areas?", ["要在下面六个方面任务中重点加强。"])
    True
    """
    return asks_item_count(question) and (sum(len(_ENUMERATION.findall(p)) for p in passages) >= 2
                                          or any(_ITEM_COUNT.search(p) for p in passages))


# 'How many of the 150-plus countries are in Africa?', 'Of the 12,000 trips, how many ran to
# Central Asia?', '…23.6万亿元的进出口中，对东盟的是多少？': a part of a total the question states.
_PART_EN = re.compile(r"\b(?:how many|how much) of (?:the|these|those)\b[^?]*?\b(?:are|were|is|was|went|ran|came|"
                      r"have|had|did)\b(?P<part>[^?]*)|"
                      r"\b(?:of|among) the [\d,.]+[^?]*?,\s*how (?:many|much)\b(?:\s+\w+)?\s+(?:are|were|is|was|went|"
                      r"ran|came|have|had|did)\b(?P<part2>[^?]*)", re.I)
_PART_ZH = re.compile(r"\d[^，。？?]*?中[，,](?P<part>[^？?]*?)(?:是)?(?:多少|几)")
_CONTRAST = re.compile(r"\b(?:rather than|instead of|not)\b.*$|而(?:不是|非).*$", re.I)


def part_figure_missing(question: str, lang: str, evidence: list[str], vocabulary=()) -> str | None:
    """The part of a stated total a question asks for, when no clause of the evidence that
    names that part gives a figure the question does not already state.

    >>> part_figure_missing("How many of the 150-plus countries are in Africa?", "en",
    ...                     ["与150多个国家签署了文件，朋友圈遍布亚洲、非洲、欧洲。"], {"非洲"})
    'in Africa'
    >>> part_figure_missing("How many of the 150-plus countries are in Africa?", "en",
    ...                     ["与150多个国家签署了文件，其中非洲52个。"], {"非洲"}) is None
    True
    """
    m = (_PART_ZH if lang == "zh" else _PART_EN).search(question)
    if not m:
        return None
    part = _CONTRAST.sub("", m.group("part") or m.groupdict().get("part2") or "").strip(" ，,的")
    terms = ([t for t in tokenize(part) if len(t) > 1] if lang == "zh"
             else [t for t in translate(part, vocabulary)[0] if len(t) > 1])
    if not terms:
        return None
    clauses = [c for e in evidence for c in re.split(r"[，,；;。：:]", re.sub(r"\s+", "", e))]
    named = [c for c in clauses if any(t in c for t in terms)]
    return None if any(_new_figure(question, c) for c in named) else part
