"""Numbers and dates in Chinese and English text: digits, Chinese numerals, number words, years.

The same value written three ways (``6300``, ``六千三百``, ``6,300``) is one number here, so a
figure a question names can be found in evidence in the other language.

>>> sorted(values("长江全长约六千三百公里，流域面积180万平方公里"))
[6300.0, 1800000.0]
>>> sorted(values("It is 6,300 km long, two thirds of it navigable"))
[2.0, 6300.0]
"""

from __future__ import annotations

import re

NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
ZH_UNITS = {"十": 10, "百": 100, "千": 1000}
ZH_BIG = {"万": 10_000, "亿": 100_000_000}
ZH_NUMERALS = "一二三四五六七八九十"
_ZH_NUMERAL_RUN = re.compile(r"[零〇一二两三四五六七八九十百千万亿]+")
EN_NUMBERS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen".split())}
EN_TENS = {w: 10 * i for i, w in enumerate("_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()) if i > 1}
EN_SCALES = {"hundred": 100, "thousand": 1000, "million": 10 ** 6, "billion": 10 ** 9, "trillion": 10 ** 12}
_EN_NUMBER_WORD = re.compile(r"\b(?:" + "|".join(list(EN_NUMBERS) + list(EN_TENS) + list(EN_SCALES) + ["dozen"])
                             + r")\b", re.I)
_DIGITS_SCALED = re.compile(r"(\d+(?:[.,]\d+)*)\s*(万|亿|million|billion|trillion|thousand)?", re.I)
# A Chinese numeral is a number only before a measure word or unit ('三百公里', '六个'), not in
# words such as 一些, 统一, 万一, 十分.
_ZH_COUNTED = re.compile(r"(?<![\d.])([零〇一二两三四五六七八九十百千万亿]*[零〇一二两三四五六七八九十][零〇一二两三四五六七八九十百千万亿]*)(?=[多余]?[个年月日号天次名位人家项条种座所列届倍岁%％米里公吨元"
                         r"美英克度分秒周世代])")
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december")
_MONTH = re.compile(r"\b(?:" + "|".join(MONTHS) + r"|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\b\.?", re.I)
# Years: '1990年', '公元前311年', '311 BC', 'AD 70', 'in 1990', '1990s', '19世纪', 'the 19th century'.
_YEAR = re.compile(r"(?:公元前|前)?\d{1,4}\s*年(?!龄|级|轻)|\b\d{1,4}\s*(?:BC|BCE|AD|CE)\b|\b(?:AD|BC)\s*\d{1,4}\b|"
                   r"(?<![\d.,])(?:1[0-9]|20)\d{2}(?![\d.,]?\d)s?|"
                   r"[\d一二三四五六七八九十]+\s*世纪|\b\d{1,2}(?:st|nd|rd|th)[- ]century\b|"
                   r"\b(?:" + "|".join(EN_NUMBERS) + r"|twentieth|nineteenth|eighteenth|seventeenth|sixteenth|"
                   r"fifteenth|fourteenth|thirteenth|twelfth|eleventh|tenth)[- ]century\b|"
                   r"[\d一二三四五六七八九十]+0?\s*年代", re.I)
_DAY = re.compile(r"\d{1,2}\s*月(?:\s*\d{1,2}\s*[日号])?|[一二三四五六七八九十]{1,3}月|\d{4}[-/.]\d{1,2}[-/.]\d{1,2}")


def normalize_number(token: str) -> str:
    """``12,000`` and ``12000`` match; a trailing ``%`` is dropped.

    >>> normalize_number("12,000"), normalize_number("48.7%"), normalize_number("2.75")
    ('12000', '48.7', '2.75')
    """
    token = token.rstrip("%")
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", token):
        token = token.replace(",", "")
    return token


def figures(text: str) -> set[str]:
    """Normalized numbers written in digits with three or more of them (years, amounts, counts):
    the figures a question names and its evidence must repeat.

    >>> sorted(figures("In 2015 about 1,200 people, 12 of them"))
    ['1200', '2015']
    """
    return {n for n in (normalize_number(m.group()) for m in NUMBER.finditer(text)) if len(n.replace(".", "")) >= 3}


def figure_values(text: str) -> set[float]:
    """The figures a text states, as values, whatever the language or scale: years, amounts,
    counts of 100 or more, fractions. '6600万年前' and '66 million years ago' state one figure.

    >>> figure_values("6600万年前，1.2 million people") == figure_values("66 million years ago, 120万人")
    True
    """
    return {v for v in values(text) if v >= 100 or v != int(v)}


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


def parse_zh_numeral(text: str) -> float | None:
    """The value of a run of Chinese numerals, None when it is not one.

    >>> [parse_zh_numeral(t) for t in ("三百零八", "六千三百", "两万", "十五", "一九九〇", "三亿五千万")]
    [308.0, 6300.0, 20000.0, 15.0, 1990.0, 350000000.0]
    """
    if not text or any(c not in ZH_DIGITS and c not in ZH_UNITS and c not in ZH_BIG for c in text):
        return None
    if all(c in ZH_DIGITS for c in text) and len(text) > 1:  # digit by digit: 一九九〇
        return float("".join(str(ZH_DIGITS[c]) for c in text))
    total, section, digit = 0, 0, None
    for c in text:
        if c in ZH_DIGITS:
            digit = ZH_DIGITS[c]
        elif c in ZH_UNITS:
            section += (1 if digit is None else digit) * ZH_UNITS[c]
            digit = None
        else:  # 万 or 亿 scales everything before it in its section
            section += digit or 0
            total = (total + section) * ZH_BIG[c] if ZH_BIG[c] > 10_000 else total + section * ZH_BIG[c]
            section, digit = 0, None
    return float(total + section + (digit or 0))


def _en_words_value(words: list[str]) -> float | None:
    total, current = 0, 0
    for w in words:
        w = w.lower()
        if w in EN_NUMBERS:
            current += EN_NUMBERS[w]
        elif w in EN_TENS:
            current += EN_TENS[w]
        elif w == "dozen":
            current = (current or 1) * 12
        elif w == "hundred":
            current = (current or 1) * 100
        elif w in EN_SCALES:
            total += (current or 1) * EN_SCALES[w]
            current = 0
        else:
            return None
    return float(total + current)


def values(text: str) -> set[float]:
    """Every number a text states, as a value: digits (with 万, 亿, million… applied), Chinese
    numerals before a measure word, and English number words.

    >>> sorted(values("3.5万人, twenty-four players and 1.2 million fans"))
    [24.0, 35000.0, 1200000.0]
    """
    out: set[float] = set()
    for m in _DIGITS_SCALED.finditer(text):
        try:
            value = float(normalize_number(m.group(1)).replace(",", ""))
        except ValueError:
            continue
        scale = (m.group(2) or "").lower()
        out.add(value * {"万": 1e4, "亿": 1e8, "thousand": 1e3, "million": 1e6, "billion": 1e9,
                         "trillion": 1e12}.get(scale, 1))
    for m in _ZH_COUNTED.finditer(text):
        value = parse_zh_numeral(m.group(1))
        if value is not None:
            out.add(value)
    words = re.findall(r"[A-Za-z]+|-|,", _DIGITS_SCALED.sub(" , ", text))
    run: list[str] = []
    for w in words + ["."]:
        if w != "-" and (_EN_NUMBER_WORD.fullmatch(w) or (run and w.lower() == "and")):
            run.append(w)
            continue
        if w == "-" and run:
            continue
        while run and run[-1].lower() == "and":
            run.pop()
        if run and (value := _en_words_value(run)) is not None:
            out.add(value)
        run = []
    return out


def without_dates(text: str) -> str:
    """The text with its years, centuries, months and days blanked out.

    >>> without_dates("1990年10月共有308名")
    '  共有308名'
    """
    return _YEAR.sub(" ", _DAY.sub(" ", text))


def has_number(text: str) -> bool:
    """Whether a text states a number other than a date.

    >>> has_number("他于1990年出生"), has_number("共有308名"), has_number("in the third quarter")
    (False, True, False)
    """
    return bool(values(without_dates(text)))


def has_date(text: str) -> bool:
    """Whether a text states a year, a century, a month or a day.

    >>> has_date("公元前311年"), has_date("in the 19th century"), has_date("on 4 July"), has_date("共308名")
    (True, True, True, False)
    """
    return bool(_YEAR.search(text) or _MONTH.search(text) or _DAY.search(text))


def dates(text: str) -> set[str]:
    """The years, centuries, months and days a text names, normalized for comparison.

    >>> sorted(dates("1990年10月, in October 1990 and the 1990s"))
    ['10月', '1990', '1990s', 'october']
    """
    found = {re.sub(r"\s+|年$", "", m.group()).lower() for m in _YEAR.finditer(text)}
    found |= {m.group().lower().rstrip(".") for m in _MONTH.finditer(text)}
    found |= {re.sub(r"\s+", "", m.group()) for m in _DAY.finditer(text)}
    return found

