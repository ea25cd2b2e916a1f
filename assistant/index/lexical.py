"""Lexical search: a tokenizer for mixed Chinese/English text and Okapi BM25."""

from __future__ import annotations

import logging
import math
import re
from collections import Counter

import numpy as np

from assistant.language.numbers import normalize_number

ZH_STOPWORDS = set("的 了 是 和 在 与 及 其 对 为 等 也 就 都 而 并 或 这 那 之 于 把 被 将 从 以 中 上 下 有 个 "
                   "吗 呢 啊 吧 么 什么 多少 哪些 哪个 哪 如何 怎样 怎么 为什么 是否 几 谁 何 该 此 "
                   "文章 本文 论文 作者 提到 提出 认为 指出 哪里 "
                   # question words: they ask, they name nothing to look for
                   "何时 何地 何处 何人 何种 何年 哪儿 哪几 哪几个 哪位 哪年 哪一年 哪一个 哪一 哪种 哪家 哪国 哪座 "
                   "为何 为啥 多久 多大 多长 多高 多远 多重 多深 多快 几个 几年 几次 什么样 什么时候 怎么样 是不是".split())
EN_STOPWORDS = set(
    "a an the of to in on at for by with from and or but as is are was were be been being do does did "
    "what which who whom whose when where why how that this these those it its their there here than "
    "into about over under between during according paper author article say says said mention mentions "
    "mentioned does according describe described list give name many much me tell has have had having "
    "kind kinds sort type form part each used using think consider considers given listed note say "
    "one two three four five six seven eight nine ten they them he she his her its our we you your "
    "should would could can may might must will shall also not no yes whether him us me my mine i if once "
    "out up off some any such own other another same very just so then thus something someone anything "
    "along across through within without via per upon toward towards among against around before after since "
    "until while although because".split())

# An English ordinal ('15th') is a word, not a figure: it names the plan, it counts nothing.
_TOKEN = re.compile(r"\d+(?:st|nd|rd|th)\b|\d+(?:[.,]\d+)*%?|[a-z]+(?:['’][a-z]+)?|[\u3400-\u9fff\uf900-\ufaff]+")
_POSSESSIVE = re.compile(r"['’]s$")
_jieba = None


def _cut(text: str) -> list[str]:
    global _jieba
    if _jieba is None:
        import jieba

        jieba.setLogLevel(logging.WARNING)
        jieba.initialize()
        _jieba = jieba
    return _jieba.lcut_for_search(text)


def _stem(word: str) -> str:
    """A light English stemmer: plurals, a few verb endings, and a final 'e', so that
    'accelerate', 'accelerated' and 'accelerates' meet.

    >>> [_stem(w) for w in ("accelerate", "accelerated", "trains", "countries", "building")]
    ['accelerat', 'accelerat', 'train', 'country', 'build']
    """
    for suffix, repl in (("ies", "y"), ("sses", "ss"), ("es", "e"), ("s", ""), ("ing", ""), ("ed", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            word = word[: -len(suffix)] + repl
            break
    return word[:-1] if word.endswith("e") and len(word) > 4 else word


def tokenize(text: str) -> list[str]:
    """Search tokens: jieba words for Chinese, stemmed words for English, numbers normalized.

    >>> tokenize("2020年长江港口吞吐12,000万吨 ports")
    ['2020', '年', '长江', '港口', '吞吐', '12000', '万吨', 'port']
    >>> tokenize("China's partner’s")
    ['china', 'partner']
    """
    tokens = []
    for piece in _TOKEN.findall(text.lower()):
        first = piece[0]
        if piece[-1].isalpha() and first.isdigit():
            tokens.append(piece)
        elif first.isdigit():
            tokens.append(normalize_number(piece))
        elif first.isascii():
            piece = _POSSESSIVE.sub("", piece)  # 'association's' is 'association'
            if piece not in EN_STOPWORDS:
                tokens.append(_stem(piece))
        else:
            tokens.extend(t for t in _cut(piece) if t not in ZH_STOPWORDS)
    return tokens


def _script(token: str) -> str:
    """'en' for Latin words, 'zh' for Chinese ones, '' for figures (judged among all docs)."""
    if token[0].isdigit():
        return "en" if token[-1].isalpha() else ""
    return "en" if token[0].isascii() else "zh"


class BM25:
    """Okapi BM25 over pre-tokenized documents.

    >>> bm = BM25([["长江", "港口"], ["大坝"]]); [round(float(x), 3) for x in bm.scores(["港口"])]
    [0.603, 0.0]
    """

    def __init__(self, docs: list[list[str]], langs: list[str] | None = None, k1: float = 1.5, b: float = 0.75):
        """Args:
            docs: token lists.
            langs: each document's language; when given, a word's rarity is judged among
                the documents of its own script's language (see :meth:`_idf`).
            k1, b: the usual BM25 constants.
        """
        self.docs = docs
        self.k1, self.b = k1, b
        self.lengths = np.array([len(d) for d in docs], dtype=np.float32)
        self.avgdl = float(self.lengths.mean()) if docs else 0.0
        df = Counter(t for d in docs for t in set(d))
        sizes = Counter(langs or [])
        self.idf = {t: self._idf(f, sizes.get(_script(t), 0) or len(docs)) for t, f in df.items()}
        self.postings: dict[str, list[tuple[int, int]]] = {}
        for i, d in enumerate(docs):
            for t, tf in Counter(d).items():
                self.postings.setdefault(t, []).append((i, tf))

    @staticmethod
    def _idf(df: int, n: int) -> float:
        """BM25 idf with a floor that keeps it positive for terms in more than half the docs.

        ``n`` is the size of the term's own language's collection: in a Chinese paper with
        a short English abstract, the topic's English name is in half the English sentences and
        should count as common, as its Chinese name does among the Chinese ones, not as rare
        among all sentences.
        """
        df = min(df, n)
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def scores(self, query: list[str] | dict[str, float]) -> np.ndarray:
        """Scores of every document for the query tokens (repeats count once), or for a
        mapping of token -> weight."""
        weights = query if isinstance(query, dict) else dict.fromkeys(query, 1.0)
        out = np.zeros(len(self.docs), dtype=np.float32)
        for t, w in weights.items():
            idf = self.idf.get(t)
            if idf is None:
                continue
            idf *= w
            for i, tf in self.postings.get(t, ()):
                norm = self.k1 * (1 - self.b + self.b * self.lengths[i] / max(self.avgdl, 1e-9))
                out[i] += idf * tf * (self.k1 + 1) / (tf + norm)
        return out
