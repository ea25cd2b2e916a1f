"""Questions that ask for the members of a set, and whether the evidence lists them.

'签署合作文件的32个国际组织具体是哪些？' finds the sentence that names the 32 organisations,
but the paper never says which they are: the answer is not in it, however well it matches.
"""

from __future__ import annotations

import re

from assistant.index.lexical import tokenize
from assistant.question.qtypes import zh_numeral
from assistant.question.translate import glossary, translate

# 'Which …', '哪些…': the question wants the members of a set.
_ASKS_MEMBERS = re.compile(r"\bwhich\b|\bwhat (?:are|were)\b|\bname (?:the|them|all)\b|\blist\b|"
                           r"哪些|哪几|哪[二两三四五六七八九十\d]+|具体是|具体指|分别是|是指什么", re.I)
_CLASSIFIER = "(?:多)?(?:个|种|类|项|条|家|大|座|名)?"
# A counted set the question names: '32个国际组织', '32 international organizations', “新三样”, “六廊”.
_SET_ZH = re.compile(r"(?<![哪第\d])(\d+|[两二三四五六七八九十百]+)" + _CLASSIFIER + r"([\u4e00-\u9fff]{2})"
                     r"(?:(?!具体|分别|是|的|有|都|在)[\u4e00-\u9fff]){0,4}")
_SET_QUOTED = re.compile(r"[“\"(（]([^”\")）]*?[两二三四五六七八九十\d][^”\")）]*?)[”\")）]")
_EN_COUNTS = {w: n for n, w in enumerate(("two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                                           "eleven", "twelve"), 2)}
_SET_EN = re.compile(r"\b(\d+|" + "|".join(_EN_COUNTS) + r")(?:-plus| or more)?\s+"
                     r"((?:[a-z]+\s+){0,2}[a-z]+s)\b", re.I)
# A set named by where its members are, with no count: 'Which African countries…', '哪些非洲国家'.
_PLACED_EN = re.compile(r"\b[Ww]hich ((?:[A-Z][a-z]+ ){1,2})(countries|nations|cities|ports|enterprises|companies)\b")
_PLACED_ZH = re.compile(r"哪(?:些|几个)((?:非洲|亚洲|欧洲|拉美|拉丁美洲|中亚|东南亚|南亚|西亚|中东|阿拉伯|大洋洲|美洲)"
                        r"(?:国家|城市|港口|企业))")
_NOT_SETS = re.compile(r"^(?:years?|months?|days?|times|percent)\b|^\S*?[年月日天周倍次]|五五|一路", re.I)
# Members written next to the set: 'A、B等六种语言' before it; '两基（基础设施、基础工业）',
# '“五通”——政策沟通、设施联通…', or a next sentence that opens the list ('有两方面的内容。一是…',
# '在下面六个方面任务中…。**1、…').
_LIST_AFTER = re.compile(r"^[”\"]?(?:[：:（(]|——?|，?即|，?包括|，?分别是|，?是)[^。；）)]*?[、和及与]|"
                         r"^[^。！？]*[。：:]\**(?:一是|其一|第一[，、是]|首先|1[、.．]|[（(]一[）)])")
_LIST_BEFORE = re.compile(r"(?:[、和及与][^，。；：、]{1,12})等$")
_NUMERAL_EDGE = r"(?<![\d.一二两三四五六七八九十百千])"


def _set_patterns(question: str, lang: str, vocabulary) -> list[tuple[str, re.Pattern]]:
    """The counted sets a question names, each with a pattern that finds it in the evidence."""
    out = [(m.group(1), re.compile(re.escape(m.group(1)))) for m in _SET_QUOTED.finditer(question)
           if re.search(r"[\u4e00-\u9fff]", m.group(1))]
    out += [(m.group(1), re.compile(re.escape(m.group(1)))) for m in _PLACED_ZH.finditer(question)]
    for m in _PLACED_EN.finditer(question):
        where = [z for w in m.group(1).split() for z in glossary().get(w.lower(), [])]
        kind = [t for t in translate(m.group(2), vocabulary)[0] if len(t) > 1]
        if where and kind:
            out.append((m.group(1) + m.group(2), re.compile("(?:" + "|".join(map(re.escape, where)) + ").{0,2}?(?:"
                                                            + "|".join(map(re.escape, kind)) + ")")))
    if lang == "zh":
        for m in _SET_ZH.finditer(question):
            if not _NOT_SETS.search(m.group(1)[-1] + m.group(2)):
                pattern = _NUMERAL_EDGE + re.escape(m.group(1)) + _CLASSIFIER + re.escape(m.group(2))
                out.append((m.group(), re.compile(pattern)))
        return out
    for m in _SET_EN.finditer(question):
        count, noun = m.group(1).lower(), m.group(2)
        if _NOT_SETS.search(noun):
            continue
        n = int(count) if count.isdigit() else _EN_COUNTS[count]
        if 1900 <= n <= 2100:
            continue  # a year ('the 2026 CES meetings'), not a count
        numerals = [str(n)] + ([zh_numeral(n)] if 0 < n <= 99 else []) + (["两"] if n == 2 else [])
        zh = [t for t in translate(noun, vocabulary)[0] if len(t) > 1]
        if zh:
            out.append((m.group(), re.compile(_NUMERAL_EDGE + "(?:" + "|".join(numerals) + r")(?![\d.])" + _CLASSIFIER
                                              + ".{0,2}?(?:" + "|".join(map(re.escape, zh)) + ")")))
    return out


def unlisted_set(question: str, lang: str, evidence: list[str], vocabulary=(), document: str = "") -> str | None:
    """A counted set a 'which' question asks about that the evidence names and the paper
    never lists ('签署合作文件的32个国际组织具体是哪些？' over '…与32个国际组织签署了…').

    Args:
        evidence: the passages the answer would come from; the set must be named in them.
        document: the paper's text, whitespace removed: members listed at any mention of the
            set (in the next sentences, or as the numbered subsections that follow) count.

    >>> unlisted_set("32个国际组织具体是哪些？", "zh", ["与150多个国家和地区、32个国际组织签署了文件。"])
    '32个国际组织'
    >>> unlisted_set("“两基”具体是指哪两类项目？", "zh", ["建设一批两基（基础设施、基础工业）项目。"]) is None
    True
    >>> unlisted_set("Which 2026 CES meetings accepted it?", "en", ["2026 CES meetings accepted it."]) is None
    True
    >>> unlisted_set("哪些非洲国家希望发展基础工业？", "zh", ["非洲国家发展基础工业的愿望也非常强烈。"])
    '非洲国家'
    """
    if not _ASKS_MEMBERS.search(question):
        return None
    # A set the question puts aside ('除了泛称“32个国际组织”之外，还点名了哪些…') is not the one asked about.
    aside = (_BESIDES_ZH if lang == "zh" else _BESIDES_EN).search(question)
    texts = [re.sub(r"\s+", "", e) for e in evidence]
    for name, pattern in _set_patterns(question, lang, vocabulary):
        if aside and name in aside.group(0):
            continue
        if not any(pattern.search(t) for t in texts):
            continue
        mentions = [(t, m) for t in (texts + [document] if document else texts) for m in pattern.finditer(t)]
        if not any(_LIST_AFTER.search(t[m.end():m.end() + 150]) or _LIST_BEFORE.search(t[:m.start()])
                   for t, m in mentions):
            return name
    return None


_BESIDES_EN = re.compile(r"\b(?:besides|apart from|other than|except(?: for)?|in addition to)\s+([^,?]+)", re.I)
_BESIDES_ZH = re.compile(r"除(?:了)?(.+?)(?:(?:之|以)?外|，)")
# An open list: 'A、B等六种语言', 'A、B等'.
_OPEN_LIST = re.compile(r"((?:[^，。；：、“”（）]{1,8}、)+[^，。；：、“”（）]{1,8})等")


def only_excluded_members(question: str, lang: str, evidence: list[str], vocabulary=()) -> str | None:
    """The members of an open list ('用汉语、英语等六种语言') when a 'besides…' question sets
    all of them aside and so asks for the ones the paper leaves out.

    >>> only_excluded_members("除了汉语和英语，还用哪些语言播放？", "zh", ["用汉语、英语等六种语言播放"])
    '汉语、英语'
    """
    m = (_BESIDES_ZH if lang == "zh" else _BESIDES_EN).search(question)
    if not m:
        return None
    set_aside = [t for t in (tokenize(m.group(1)) if lang == "zh" else translate(m.group(1), vocabulary)[0])
                 if len(t) > 1]
    for text in evidence:
        for listed in _OPEN_LIST.finditer(re.sub(r"\s+", "", text)):
            # The first item runs on from the words before the list ('…用汉语'): match its end.
            named = [next((t for t in set_aside if item.endswith(t)), None) for item in listed.group(1).split("、")]
            if all(named):
                return "、".join(named)
    return None
