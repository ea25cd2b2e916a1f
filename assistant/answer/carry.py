"""Figures, dates, units and glossary terms carried from one language into the other without a
translation model: 一千二百万元 is 12 million yuan, 2006年10月 is October 2006, and back.

>>> [f.text for f in to_english("全长约6300公里，2006年10月建成，投资180亿元")]
['about 6,300 km', 'October 2006', '18 billion yuan']
>>> [f.text for f in to_chinese("It opened on 4 July 1990 and cost $1.5 billion, up 12%.")]
['1990年7月4日', '15亿美元', '12%']
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.language.numbers import MONTHS, normalize_number, parse_zh_numeral


@dataclass(frozen=True)
class Carried:
    """One fact of a text written for a reader of the other language; ``source[start:end]`` is
    what it renders.

    Shape: ``Carried(start=2, end=9, text='about 6,300 km', value=6300.0)``
    """

    start: int
    end: int
    text: str
    value: float | None = None  # a figure's value (None for a date or a term)


# ----- Chinese -> English -----
_ZH_SCALE = {"万亿": 1e12, "千亿": 1e11, "百亿": 1e10, "十亿": 1e9, "亿": 1e8, "千万": 1e7, "百万": 1e6, "十万": 1e5,
             "万": 1e4, "千": 1e3}
# Measure words that count things: the number stays, the word goes.
_ZH_COUNTERS = "个家列项座所条份名位艘架辆件部种批台只张本篇场支块处片股笔户"
_ZH_UNITS = {"平方公里": "km²", "平方米": "m²", "公里": "km", "千米": "km", "厘米": "cm", "毫米": "mm", "米": "m",
             "英里": "miles", "公顷": "hectares", "万吨": None, "吨": "tonnes", "千克": "kg", "公斤": "kg", "克": "g",
             "升": "litres", "美元": "US dollars", "欧元": "euros", "日元": "yen", "英镑": "pounds", "港元": "HK dollars",
             "人民币": "yuan", "元": "yuan", "个百分点": "percentage points", "百分点": "percentage points",
             "%": "%", "％": "%", "倍": "times", "次": "times", "人": "people", "岁": "years old", "个月": "months",
             "年": "years", "天": "days", "小时": "hours", "分钟": "minutes", "秒": "seconds", "度": "degrees"}
_ZH_UNIT = "|".join(re.escape(u) for u in sorted((u for u in _ZH_UNITS if _ZH_UNITS[u]), key=len, reverse=True))
_ZH_BEFORE = {"约": "about", "大约": "about", "近": "nearly", "将近": "nearly", "接近": "nearly", "超过": "more than",
              "超": "more than", "逾": "more than", "不到": "less than", "不足": "less than"}
_ZH_AFTER = {"多": "more than", "余": "more than", "以上": "more than", "之多": "more than", "左右": "about",
             "以下": "less than"}
_ZH_FIGURE = re.compile(
    r"(?P<pre>" + "|".join(sorted(_ZH_BEFORE, key=len, reverse=True)) + r")?"
    # '第四次' is an ordinal, not a count; a run of digits is read whole.
    r"(?<![第\d.,零〇一二两三四五六七八九十百千])(?P<num>\d+(?:[.,]\d+)*|[零〇一二两三四五六七八九十百千]+)"
    r"(?:[-–~至到](?P<upto>\d+(?:\.\d+)?))?"
    r"(?P<scale>" + "|".join(sorted(_ZH_SCALE, key=len, reverse=True)) + r")?"
    r"(?P<mid>[多余])?"
    r"(?:(?P<unit>" + _ZH_UNIT + r")|(?P<counter>[" + _ZH_COUNTERS + r"]))?"
    r"(?P<post>以上|之多|左右|以下)?")
_ZH_DATE = re.compile(r"(?P<bc>公元前)?(?P<y>\d{3,4})\s*年(?:\s*(?P<m>\d{1,2})\s*月(?:\s*(?P<d>\d{1,2})\s*[日号])?)?|"
                      r"(?<![\d年])(?P<m2>\d{1,2})\s*月\s*(?P<d2>\d{1,2})\s*[日号]|"
                      r"(?P<c>\d{1,2})\s*世纪(?:\s*(?P<cd>\d)0\s*年代)?|(?P<decade>\d{3}0)\s*年代")


def _ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def _zh_date(m: re.Match) -> str:
    if m.group("y"):
        year = m.group("y") + (" BC" if m.group("bc") else "")
        if m.group("m") and 1 <= int(m.group("m")) <= 12:
            month = MONTHS[int(m.group("m")) - 1].capitalize()
            return f"{int(m.group('d'))} {month} {year}" if m.group("d") else f"{month} {year}"
        return year
    if m.group("m2"):
        return f"{int(m.group('d2'))} {MONTHS[int(m.group('m2')) - 1].capitalize()}" \
            if 1 <= int(m.group("m2")) <= 12 else m.group()
    if m.group("c"):
        century = int(m.group("c"))
        return f"{century - 1}{m.group('cd')}0s" if m.group("cd") else f"the {_ordinal(century)} century"
    return f"{m.group('decade')}s"


def english_number(value: float) -> str:
    """A value as an English reader writes it: 12,000, 3.5 million, 1.2 trillion.

    >>> english_number(12000.0), english_number(3.5e6), english_number(1.2e12), english_number(0.75)
    ('12,000', '3.5 million', '1.2 trillion', '0.75')
    """
    for scale, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if value >= scale:
            return f"{value / scale:.6g} {word}"
    return f"{value:,.0f}" if value == int(value) else f"{value:.6g}"


def _zh_value(m: re.Match, num: str | None = None) -> float | None:
    num = num or m.group("num")
    try:
        value = float(normalize_number(num).replace(",", "")) if num[0].isdigit() else parse_zh_numeral(num)
    except ValueError:  # '2026.3.28' is a date, not a number
        return None
    if value is None:
        return None
    return value * _ZH_SCALE.get(m.group("scale") or "", 1.0)


def to_english(text: str) -> list[Carried]:
    """The dates and figures of a Chinese text, in English, in text order.

    A Chinese numeral counts only before a scale, a unit or a measure word ('三百公里', '六个'),
    not in words such as 一些 or 统一; a bare number of one or two digits is not a fact worth
    carrying.
    """
    out: list[Carried] = []
    taken: list[tuple[int, int]] = []
    for m in _ZH_DATE.finditer(text):
        out.append(Carried(m.start(), m.end(), _zh_date(m)))
        taken.append(m.span())
    for m in _ZH_FIGURE.finditer(text):
        if any(a < m.end("num") and m.start("num") < b for a, b in taken):
            continue
        unit, counter, scale = m.group("unit"), m.group("counter"), m.group("scale")
        num = m.group("num")
        if not num[0].isdigit() and not (unit or counter or scale):
            continue
        if not (unit or scale) and len(num.replace(".", "").replace(",", "")) < 3 and not counter:
            continue
        value = _zh_value(m)
        if value is None or value == 1 and not num[0].isdigit() and not (unit or scale):
            continue  # '一条路', '一个' is an article, not a count
        qualifier = _ZH_BEFORE.get(m.group("pre") or "") or _ZH_AFTER.get(m.group("mid") or m.group("post") or "")
        words = [qualifier] if qualifier else []
        # A bare number ('（2025-2029）') stays as written: it may be a year or a code; a counted
        # ('12000列' -> 12,000) or scaled one is written as an English reader writes it.
        upto = m.group("upto")
        say = english_number if scale or unit or counter else lambda v: f"{v:.10g}"
        figure = f"{say(value)}–{say(_zh_value(m, upto))}" if upto else say(value)
        if unit in ("%", "％"):
            words.append(f"{figure}%")
        else:
            words.append(figure + (f" {_ZH_UNITS[unit]}" if unit else ""))
        out.append(Carried(m.start(), m.end(), " ".join(words), value))
    return sorted(out, key=lambda c: c.start)


# ----- English -> Chinese -----
_EN_UNITS = {"square kilometres": "平方公里", "square kilometers": "平方公里", "square miles": "平方英里",
             "kilometres": "公里", "kilometers": "公里", "km": "公里", "miles": "英里", "mile": "英里", "metres": "米",
             "meters": "米", "feet": "英尺", "ft": "英尺", "tonnes": "吨", "tons": "吨", "kg": "公斤",
             "kilograms": "公斤", "pounds": "磅", "percent": "%", "per cent": "%", "%": "%", "percentage points": "个百分点",
             "people": "人", "persons": "人", "years": "年", "months": "个月", "weeks": "周", "days": "天",
             "hours": "小时", "minutes": "分钟", "seconds": "秒", "points": "分", "times": "次", "dollars": "美元",
             "euros": "欧元", "yuan": "元", "degrees": "度", "yards": "码", "acres": "英亩", "hectares": "公顷"}
_EN_CURRENCY = {"$": "美元", "US$": "美元", "€": "欧元", "£": "英镑", "¥": "元"}
_EN_SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_EN_BEFORE = {"more than": "超过", "over": "超过", "at least": "至少", "about": "约", "around": "约", "roughly": "约",
              "approximately": "约", "some": "约", "nearly": "近", "almost": "近", "up to": "最多", "less than": "不到",
              "fewer than": "不到", "under": "不到"}
_MONTH_NAMES = "|".join(MONTHS) + r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec"
_EN_DATE = re.compile(
    r"\b(?:(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+)?(?P<month>" + _MONTH_NAMES + r")\.?"
    r"(?:\s+(?P<d2>\d{1,2})(?:st|nd|rd|th)?\b,?)?(?:,?\s+(?P<y>\d{3,4})\b)?|"
    r"\b(?P<y2>\d{1,4})\s*(?P<era>BC|BCE|AD|CE)\b|\b(?P<decade>\d{3}0)s\b|"
    r"\b(?P<c>\d{1,2})(?:st|nd|rd|th)[- ]century\b|"
    r"\b(?:in|since|by|from|until|till|to|of|during|after|before|between|and)\s+(?P<y3>1\d{3}|20\d{2})\b(?![,.]?\d)",
    re.I)
_EN_FIGURE = re.compile(
    r"(?:(?P<pre>" + "|".join(sorted(_EN_BEFORE, key=len, reverse=True)) + r")\s+)?"
    r"(?P<cur>US\$|[$€£¥])?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?:\s*(?P<scale>thousand|million|billion|trillion)\b)?"
    r"(?:\s*(?P<unit>" + "|".join(re.escape(u) for u in sorted(_EN_UNITS, key=len, reverse=True)) + r")(?![a-z]))?",
    re.I)


def _en_date(m: re.Match) -> str | None:
    if m.group("month"):
        month = next(i for i, name in enumerate(MONTHS, 1) if name.startswith(m.group("month").lower()[:3]))
        day, year = m.group("d") or m.group("d2"), m.group("y")
        if not (day or year):
            return None  # 'May' alone is as likely a verb as a month
        return (f"{year}年" if year else "") + f"{month}月" + (f"{int(day)}日" if day else "")
    if m.group("y2"):
        return f"公元前{m.group('y2')}年" if m.group("era").upper().startswith("B") else f"公元{m.group('y2')}年"
    if m.group("decade"):
        return f"{m.group('decade')}年代"
    if m.group("c"):
        return f"{int(m.group('c'))}世纪"
    return f"{m.group('y3')}年"


def chinese_number(value: float) -> str:
    """A value as a Chinese reader writes it: 1.2万, 3.5亿.

    >>> chinese_number(12000.0), chinese_number(3.5e8), chinese_number(308.0)
    ('1.2万', '3.5亿', '308')
    """
    for scale, word in ((1e12, "万亿"), (1e8, "亿"), (1e4, "万")):
        if value >= scale:
            return f"{value / scale:.6g}{word}"
    return f"{value:.6g}"


def to_chinese(text: str) -> list[Carried]:
    """The dates and figures of an English text, in Chinese, in text order; a bare number of one
    or two digits without a unit is not a fact worth carrying."""
    out: list[Carried] = []
    taken: list[tuple[int, int]] = []
    for m in _EN_DATE.finditer(text):
        rendered = _en_date(m)
        if rendered:
            start = m.start("y3") if m.group("y3") else m.start()
            out.append(Carried(start, m.end(), rendered))
            taken.append((start, m.end()))
    for m in _EN_FIGURE.finditer(text):
        if any(a < m.end("num") and m.start("num") < b for a, b in taken):
            continue
        unit, scale, currency = (m.group("unit") or "").lower(), (m.group("scale") or "").lower(), m.group("cur")
        num = m.group("num")
        if not (unit or scale or currency) and len(num.replace(".", "").replace(",", "")) < 3:
            continue
        value = float(num.replace(",", "")) * _EN_SCALE.get(scale, 1.0)
        rendered = f"{value:.6g}%" if unit in ("%", "percent", "per cent") else \
            (chinese_number(value) if scale or value >= 1e5 else normalize_number(num)) + \
            (_EN_UNITS.get(unit, "") if unit else "") + (_EN_CURRENCY.get(currency, "") if currency else "")
        pre = _EN_BEFORE.get((m.group("pre") or "").lower(), "")
        out.append(Carried(m.start(), m.end(), pre + rendered, value))
    return sorted(out, key=lambda c: c.start)


# ----- glossary terms -----
_RENDERINGS: dict[int, tuple[dict, dict, dict]] = {}  # id(glossary) -> (glossary, zh -> en, en -> zh)


def _renderings(glossary: dict[str, tuple[str, ...]]) -> tuple[dict, dict]:
    """Chinese term -> English phrase and English phrase -> Chinese term, built once per glossary.

    A Chinese term's English phrase is the first the glossary lists that renders that term
    alone (a phrase listing several terms renders none of them alone).
    """
    cached = _RENDERINGS.get(id(glossary))
    if cached and cached[0] is glossary:
        return cached[1], cached[2]
    zh_en: dict[str, str] = {}
    for phrase, terms in glossary.items():
        if len(terms) == 1 and len(terms[0]) > 1:
            zh_en.setdefault(terms[0], phrase)
    en_zh = {phrase: terms[0] for phrase, terms in glossary.items() if terms}
    if len(_RENDERINGS) > 8:  # a few corpora per process at most; the oldest go
        _RENDERINGS.pop(next(iter(_RENDERINGS)))
    _RENDERINGS[id(glossary)] = (glossary, zh_en, en_zh)
    return zh_en, en_zh


def glossary_terms(text: str, lang: str, glossary: dict[str, tuple[str, ...]]) -> list[Carried]:
    """The corpus glossary's terms in a text (of language ``lang``), rendered in the other
    language, the longest where they overlap (``glossary``: English phrase -> Chinese terms,
    from the corpus profile).

    >>> g = {"three gorges dam": ("三峡大坝",), "dam": ("大坝",)}
    >>> [c.text for c in glossary_terms("三峡大坝于2006年建成", "zh", g)]
    ['three gorges dam']
    >>> [c.text for c in glossary_terms("The Three Gorges Dam was finished.", "en", g)]
    ['三峡大坝']
    """
    zh_en, en_zh = _renderings(glossary)
    if lang == "zh":
        candidates = [(m.start(), m.end(), phrase) for term, phrase in zh_en.items() if term in text
                      for m in re.finditer(re.escape(term), text)]
    else:
        lowered = text.lower()
        candidates = [(m.start(), m.end(), term) for phrase, term in en_zh.items() if phrase in lowered
                      for m in re.finditer(r"(?<![a-z])" + re.escape(phrase) + r"(?![a-z])", lowered)]
    found: list[Carried] = []
    for start, end, rendered in sorted(candidates, key=lambda c: (c[0] - c[1], c[0])):
        if not any(c.start < end and start < c.end for c in found):
            found.append(Carried(start, end, rendered))
    return sorted(found, key=lambda c: c.start)
