"""When to say the paper does not answer: checks beyond a low retrieval score.

Plausible unanswerable questions retrieve well (``2024年中欧班列开行多少列？`` finds the
2025 sentence), so scores alone cannot tell them apart. These checks can:

- a figure the question names (a year, an amount) is not in the evidence;
- the question asks for a quantity and the evidence holds none (in the unit asked for);
- the question asks for the members of a set the evidence names but does not list
  (``members.py``);
- the question asks for a detail the evidence leaves out (``slots.py``): a date more precise
  than it gives, a ranking, a figure beyond the question's own, a part of a total;
- the question asks for a province, city or country the evidence does not name (``places.py``);
- the question names a place, person or organisation the paper never mentions.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache

from assistant.index.lexical import tokenize
from assistant.answer.members import only_excluded_members, unlisted_set
from assistant.question.qtypes import (ITEM_QUESTION, asked_unit, asks_derived, asks_quantity, asks_two_things, figures, has_quantity,
                     ordinals, share_from_counts, states_unit)
from assistant.answer.places import place_missing
from assistant.answer.slots import counts_listed_items, missing_date, missing_rank, only_stated_figures, part_figure_missing
from assistant.question.translate import glossary, glossary_pattern, translate, word_senses

# Why an answer abstains, in the question's language.
REASONS = {
    "low_score": ("最佳证据得分 {x}，低于阈值 {y}", "the best evidence scores {x}, below the threshold {y}"),
    "missing_figure": ("证据中没有出现 {x}", "the evidence never mentions {x}"),
    "other_ordinal": ("证据谈的不是{x}", "the evidence is about another one than {x}"),
    "no_figure": ("问题问的是数字，证据中没有", "the question asks for a figure and the evidence gives none"),
    "no_unit": ("问题问的是以“{x}”计的数字，证据中没有", "the question asks for a figure in {x} and the evidence gives none"),
    "no_part": ("证据没有给出“{x}”这一部分的数字", "the evidence gives no figure for the part asked about ({x})"),
    "no_figure_for": ("证据没有给出“{x}”的数字", "the evidence gives no figure for {x}"),
    "weak_match": ("含数字的证据只对应问题中 {x} 的词", "the evidence with figures matches only {x} of the question's terms"),
    "unknown_name": ("论文中从未提到 {x}", "the paper never mentions {x}"),
    "name_elsewhere": ("证据中没有提到 {x}", "the evidence does not mention {x}"),
    "year_in_span": ("证据中的{x}年只是一段时间的起止年份", "the evidence gives {x} only as the end of a span of years"),
    "no_province": ("证据中没有提到是哪个省份", "the evidence names no province"),
    "no_day": ("证据中没有给出具体日期", "the evidence gives no exact date"),
    "no_month": ("证据中没有给出月份", "the evidence gives no month"),
    "no_year": ("证据中没有给出年份", "the evidence gives no year"),
    "no_city": ("证据中没有提到是哪个城市", "the evidence names no city"),
    "no_country": ("证据中没有提到是哪个国家", "the evidence names no country"),
    "no_rank": ("证据中没有任何排名或比较", "the evidence ranks nothing"),
    "stated_figures": ("证据中只有问题已经给出的数字", "the evidence gives only the figures the question quotes"),
    "only_named": ("论文只列出了{x}", "the paper lists only {x}"),
    "unlisted": ("论文提到{x}，但没有列出具体是哪些", "the paper names {x} but does not list what they are"),
}


def say(lang: str, reason: str, **values) -> str:
    """A reason, in Chinese for a Chinese question and in English otherwise."""
    return REASONS[reason][0 if lang == "zh" else 1].format(**values)


# A figure answers a quantity question only in a sentence that matches at least this share
# of its terms (calibrated on evals/dev.jsonl: unanswerable <= 0.41, answerable >= 0.57); half
# of it for a question of two parts, whose figure sentence answers one.
QUANTITY_COVERAGE = 0.45
# Words jieba tags as names that every question about China uses.
_GENERIC_ZH = {"中国", "我国", "国家", "中央", "党中央", "世界", "全球"}
# Names that are the paper's own vocabulary, not named entities to look up.
_NOT_NAMES = {"Belt", "Road", "China", "Chinese", "The", "What", "How", "Which", "Who", "When", "Where", "Why",
              "According", "In", "On", "For", "Does", "Did", "Is", "Are", "Plan", "Five", "Year", "CPC", "Party",
              "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
              "November", "December", "North", "South", "East", "West", "English", "Abstract", "Proposal",
              "Outline", "Session", "Committee", "Central", "Fifteenth", "Fourteenth", "Twelve"}


@lru_cache(maxsize=1)
def _posseg():
    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    return jieba.posseg


# Countries, blocs and cities with two-character names.
_SHORT_PLACES = frozenset(
    "日本 韩国 朝鲜 蒙古 越南 老挝 缅甸 泰国 印度 不丹 伊朗 约旦 埃及 苏丹 南非 加纳 马里 乍得 美国 英国 法国 德国 希腊 "
    "荷兰 瑞典 瑞士 挪威 芬兰 丹麦 冰岛 波兰 捷克 俄国 巴西 智利 秘鲁 古巴 文莱 阿曼 也门 斐济 汤加 "
    "东盟 欧盟 非盟 上合 金砖 北约 世行 亚行 "
    "北京 上海 天津 重庆 广州 深圳 香港 澳门 厦门 西安 成都 昆明 南宁 武汉 杭州 南京 青岛 大连 "
    "东京 首尔 曼谷 河内 开罗 巴黎 伦敦 柏林 罗马".split())


def _glued(word: str) -> bool:
    """Whether jieba guessed a name by gluing a preposition to the words after it: '在外贸总额中占比'
    gives '中占比' (ns). A name in its dictionary ('中亚') is kept.

    >>> _glued("中占比"), _glued("中亚"), _glued("撒马尔汉")
    (True, False, False)
    """
    return word[0] in "中在对与和的于从向把被" and word not in _posseg().dt.word_tag_tab


def _names(question: str, lang: str) -> list[str]:
    """Places, people and organisations a question names."""
    if lang == "zh":
        return [w.word for w in _posseg().cut(question)
                if (w.flag in ("ns", "nr", "nt") and len(w.word) > 1 or w.word in _SHORT_PLACES)
                and w.word not in _GENERIC_ZH and not re.search(r"[哪什谁几何]", w.word) and not _glued(w.word)]
    # Names inside a glossary phrase ('China–Europe (Asia) freight trains') are part of a
    # term the paper uses, not places to look for on their own.
    question = glossary_pattern().sub(" ", question)
    return [m.group() for m in re.finditer(r"(?<![.?!]\s)(?<!^)\b[A-Z][a-z]{2,}\b", question)
            if m.group() not in _NOT_NAMES]


def _mentions(text: str, name: str, lang: str, vocabulary) -> bool | None:
    """Whether ``text`` (whitespace removed) mentions ``name``; None when an English name
    has no known Chinese form and is not written in the text."""
    if name in text or name.lower() in text.lower():
        return True
    if lang == "zh":
        return False
    zh = glossary().get(name.lower()) or list(translate(name, vocabulary)[0])
    if not zh:
        return None
    # Chinese shortens a partner to its first character after 中: 中欧, 中巴, 中哈.
    return any(z in text or f"中{z[0]}" in text for z in zh)


# (A quoted phrase is not enough: a question may quote its own summary label, “三个联通”.)
_TITLE = re.compile(r"《([^》]{4,40})》")
_ACRONYM = re.compile(r"\b[A-Z]{3,6}\b")


def unknown_names(question: str, lang: str, corpus_text: str, vocabulary) -> list[str]:
    """Names in the question the corpus never mentions.

    Args:
        question: the question.
        lang: its language.
        corpus_text: all documents' text, whitespace removed.
        vocabulary: the corpus's search tokens (for English names' translations).
    """
    # A title or an acronym is looked up as written: '《区域全面经济伙伴关系协定》', 'RCEP'.
    written = _TITLE.findall(question) + _ACRONYM.findall(question)
    out = [t for t in written if re.sub(r"\s+", "", t) not in corpus_text and t.lower() not in glossary()]
    for name in _names(question, lang):
        # Two-character words jieba tags as places are mostly abbreviations (中哈, 中巴) or common
        # nouns (城市, 大洲); only known countries, blocs and cities count.
        if lang == "zh" and len(name) < 3 and name not in _SHORT_PLACES:
            continue
        if lang == "en":
            terms, missing = translate(name, vocabulary)
            if name.lower() in corpus_text.lower() or name.lower() in glossary() or not (missing and not terms):
                continue
        elif name in corpus_text:
            continue
        out.append(name)
    return out


def names_missing_from(evidence_text: str, question: str, lang: str, vocabulary) -> list[str]:
    """Names in the question that the evidence passages do not mention (they may be elsewhere)."""
    return [n for n in _names(question, lang) if _mentions(evidence_text, n, lang, vocabulary) is False]


_COUNTED_EN = re.compile(r"\bhow (?:many|much) ([^?]+?)(?=\s+(?:did|does|do|has|have|had|is|are|was|were|will|would|"
                         r"can|in|from|of|to|for|at|on|by|with|between|according|\w+ed)\b|\?|$)", re.I)
_COUNTED_ZH = re.compile(r"(?:多少|(?<!哪)几)[个家列项次条份种名位座所]?([\u4e00-\u9fff]{2,4})")


def counted_thing_missing(question: str, lang: str, evidence_text: str, vocabulary) -> str | None:
    """What a 'how many X' question counts, when the evidence never names X
    ('How many students…' answered by a sentence about population).

    >>> counted_thing_missing("有多少名留学生？", "zh", "拥有50亿人口的发展中国家", set())
    '留学生'
    """
    if lang == "zh":
        m = _COUNTED_ZH.search(question)
        if not m:
            return None
        thing = re.split(r"[的了在是于]", m.group(1))[0]
        return thing if len(thing) >= 2 and thing not in evidence_text else None
    m = _COUNTED_EN.search(question)
    if not m:
        return None
    # The head of an English noun phrase is its last word: '… freight trains' counts trains.
    head = re.findall(r"[A-Za-z]+", m.group(1))[-1:] or [""]
    head = head[0].lower()
    if not head or head in evidence_text.lower():
        return None
    phrase = m.group(1).lower()
    named = [zh for m in glossary_pattern().finditer(phrase) for zh in glossary()[m.group("p").lower()]]
    # The counted thing, in Chinese, word by word: 'freight trains' -> 中欧班列, written 中欧（亚）班列.
    if any(all(t in evidence_text for t in tokenize(z)) for z in named):
        return None
    if head in translate(head, vocabulary)[1]:
        return head  # its Chinese forms are nowhere in the paper
    # The head word's first dictionary sense: 'students' is 学生 (its later senses, such as
    # 研究者, would match any sentence about research).
    senses = word_senses(head)
    primary = [t for t in tokenize(senses[0]) if len(t) > 1] if senses else []
    return head if primary and not any(t in evidence_text for t in primary) else None


_MEASURED_ZH = re.compile(r"([\u4e00-\u9fff]{2,6}?)(?:同比)?(?:增长|增加|下降|减少|提高|提升)了?多少")


def measured_subject_missing(question: str, evidence_text: str) -> str | None:
    """What a Chinese 'X增长了多少' question measures, when the evidence never names X
    ('进口增长了多少' answered by a sentence about 进出口).

    >>> measured_subject_missing("2026年1月我国进口增长了多少？", "中国进出口贸易增长8.2%")
    '进口'
    >>> measured_subject_missing("我国新能源产品出口增长了多少？", "出口增长8.2%")
    '能源产品'
    >>> measured_subject_missing("新能源产品出口增长了多少？", "出口增长12.7%，高端装备、新能源产品出口表现亮眼")
    '能源产品出口'
    """
    m = _MEASURED_ZH.search(question)
    if not m:
        return None
    # Every word of it: '新能源产品出口' is not answered by a sentence about 出口 in general.
    known = set(tokenize(evidence_text))
    words = [w for w in tokenize(m.group(1)) if len(w) > 1 and w not in _GENERIC_ZH]
    missing = [w for w in words if w not in known]
    if missing:
        return "".join(missing)
    # ... and in the clause that gives the figure: '…出口增长12.7%，高端装备、新能源产品出口表现亮眼'
    # gives none for 新能源产品.
    clauses = [c for c in re.split(r"[，,；;。：:]", evidence_text) if all(w in c for w in words)]
    return None if not words or any(has_quantity(c, question) for c in clauses) else m.group(1)


_YEAR_SPAN = re.compile(r"(?:19|20)\d{2}\s*年?\s*(?:到|至|—|–|~|-)\s*(?:19|20)\d{2}\s*年?")
_ASKS_SPAN = re.compile(r"累计|总共|合计|一共|期间|之间|以来|cumulative|\btotal\b|\bbetween\b|\bsince\b|"
                        r"\bfrom (?:19|20)\d{2}\b|\bover the\b", re.I)


def years_only_in_spans(question: str, evidence: list[str]) -> list[str]:
    """Years a quantity question asks about that the evidence names only as the start or end
    of a span: '2024年的投资是多少？' is not answered by '2013年到2024年…累计将近4000亿美元'.

    >>> years_only_in_spans("2024年的投资是多少？", ["2013 年到 2024 年，双向投资累计将近 4000 亿美元。"])
    ['2024']
    >>> years_only_in_spans("2013年到2024年累计投资多少？", ["2013 年到 2024 年，双向投资累计将近 4000 亿美元。"])
    []
    """
    if _ASKS_SPAN.search(question):
        return []
    text = " ".join(evidence)
    outside = _YEAR_SPAN.sub(" ", text)
    years = set(re.findall(r"(?<!\d)(?:19|20)\d{2}(?!\d)", question))
    return sorted(y for y in years if y in text and y not in outside)


def abstain_reasons(question: str, lang: str, evidence: list[str], passages_text: list[str],
                    coverage: float, corpus_text: str, vocabulary) -> list[str]:
    """Why the evidence does not answer the question (empty when it may).

    Args:
        question: the validated question.
        lang: 'zh' or 'en'.
        evidence: the clean text of the sentences the answer would cite.
        passages_text: the clean text of the chunks those sentences come from.
        coverage: the largest share of the question's terms one evidence sentence holds.
        corpus_text: all documents' text, whitespace removed.
        vocabulary: the corpus's search tokens.
    """
    reasons = []
    absent = figures(question) - figures(" ".join(passages_text))
    if absent:
        reasons.append(say(lang, "missing_figure", x=", ".join(sorted(absent))))
    # '第一次座谈会' is not answered by what the paper says of the third and the fourth.
    # An item named by number ('第三项成果') is found by its place in the list, not its words.
    other = ordinals(ITEM_QUESTION.sub(" ", question)) - ordinals(" ".join(passages_text))
    if other:
        reasons.append(say(lang, "other_ordinal", x=", ".join(sorted(other))))
    # 'How many times larger…' is answered with the figures to work it out from: any will do.
    derived = asks_derived(question)
    if counts_listed_items(question, passages_text):
        pass  # counted by its listed items
    elif asks_quantity(question, lang) or derived:
        unit = asked_unit(question, lang)
        if not any(has_quantity(e, question) for e in evidence):
            reasons.append(say(lang, "no_figure"))
        elif derived:
            pass
        elif only_stated_figures(question, evidence):
            reasons.append(say(lang, "stated_figures"))
        elif part := part_figure_missing(question, lang, evidence, vocabulary):
            reasons.append(say(lang, "no_part", x=part))
        elif spans := years_only_in_spans(question, evidence):
            reasons.append(say(lang, "year_in_span", x=", ".join(spans)))
        elif unit and not any(states_unit(e, unit) for e in evidence) and not (
                unit == "%" and share_from_counts(question, evidence)):
            reasons.append(say(lang, "no_unit", x=unit))
        elif thing := counted_thing_missing(question, lang, re.sub(r"\s+", "", " ".join(evidence)), vocabulary):
            reasons.append(say(lang, "no_figure_for", x=thing))
        elif lang == "zh" and (subject := measured_subject_missing(question, " ".join(evidence))):
            reasons.append(say(lang, "no_figure_for", x=subject))
        elif coverage < QUANTITY_COVERAGE / (2 if asks_two_things(question) else 1):
            # A figure about something else: 'How much capital does the Silk Road Fund have?'
            # finds a sentence naming the fund and some unrelated amount.
            reasons.append(say(lang, "weak_match", x=f"{coverage:.0%}"))
    if unlisted := unlisted_set(question, lang, passages_text, vocabulary, corpus_text):
        reasons.append(say(lang, "unlisted", x=unlisted))
    elif named := only_excluded_members(question, lang, evidence, vocabulary):
        reasons.append(say(lang, "only_named", x=named))
    if kind := place_missing(question, evidence):
        reasons.append(say(lang, f"no_{kind}"))
    if precision := missing_date(question, evidence):
        reasons.append(say(lang, f"no_{precision}"))
    if missing_rank(question, evidence):
        reasons.append(say(lang, "no_rank"))
    names = unknown_names(question, lang, corpus_text, vocabulary)
    if names:
        reasons.append(say(lang, "unknown_name", x=", ".join(names)))
    elif asks_quantity(question, lang):
        # '截至2023年底中国在非洲设立了多少家境外企业？' finds the world-wide figure: a figure
        # answers only for the places and bodies the question names.
        elsewhere = names_missing_from(re.sub(r"\s+", "", " ".join(passages_text)), question, lang, vocabulary)
        if elsewhere:
            reasons.append(say(lang, "name_elsewhere", x=", ".join(elsewhere)))
    return reasons
