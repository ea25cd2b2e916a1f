"""Lexical search: a tokenizer for mixed Chinese/English text and Okapi BM25."""

from __future__ import annotations

import logging
import math
import re
import sys
from collections import Counter
from collections.abc import Iterable

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
            tokens.extend(sys.intern(t) for t in _cut(piece) if t not in ZH_STOPWORDS)
    return tokens


def _script(token: str) -> str:
    """'en' for Latin words, 'zh' for Chinese ones, '' for figures (judged among all docs)."""
    if token[0].isdigit():
        return "en" if token[-1].isalpha() else ""
    return "en" if token[0].isascii() else "zh"


class Postings:
    """Which documents hold each token, and how often: one compact array of (document, count)
    pairs sorted by token, so a corpus of millions of tokens costs a few bytes per pair.

    >>> p = Postings([["长江", "港口", "长江"], ["港口"]])
    >>> p.documents("港口").tolist(), p.of("长江")[1].tolist(), p.documents("大坝").tolist()
    ([0, 1], [2.0], [])
    """

    def __init__(self, docs: Iterable[list[str]], block: int = 8192):
        """Args:
            docs: token lists, read once and not kept (any iterable: a corpus can make them
                one at a time). ``lengths[i]`` is then document i's token count.
            block: documents counted at a time, with numpy (one Python counter per document
                made a million documents several times slower), each block kept compactly
                (2-byte document offsets and counts) until every pair is put in its place.
        """
        self.vocabulary: dict[str, int] = {}
        blocks, lengths, batch = [], [], []
        for d in docs:
            batch.append(d)
            if len(batch) == block:
                blocks.append(self._count(batch, lengths))
                batch = []
        blocks.append(self._count(batch, lengths))
        self.lengths = np.concatenate(lengths).astype(np.float32)
        df = np.zeros(len(self.vocabulary), np.int64)
        for tokens, _, _ in blocks:
            df += np.bincount(tokens, minlength=len(df))
        self._starts = np.concatenate([[0], np.cumsum(df)]).astype(np.int64)
        self._docs = np.zeros(int(self._starts[-1]), np.int32)
        self._counts = np.zeros(int(self._starts[-1]), np.float32)
        # Each block holds its pairs sorted by token, then document; blocks come in document
        # order, so each token's documents go in ascending, after those earlier blocks put.
        cursor, first = self._starts[:-1].copy(), 0
        for i, (tokens, rows, tf) in enumerate(blocks):
            blocks[i] = None  # freed as it is placed
            present, begin, size = np.unique(tokens, return_index=True, return_counts=True)
            where = np.repeat(cursor[present] - begin, size) + np.arange(len(tokens))
            self._docs[where] = rows.astype(np.int32) + first
            self._counts[where] = tf
            cursor[present] += size
            first += block

    def _count(self, batch: list[list[str]], lengths: list) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """One block's (token, document offset, count) triples, sorted by token then document."""
        vocabulary = self.vocabulary
        sizes = np.fromiter(map(len, batch), dtype=np.int64, count=len(batch))
        lengths.append(sizes)
        ids = np.fromiter((vocabulary.setdefault(t, len(vocabulary)) for d in batch for t in d), dtype=np.int64,
                          count=int(sizes.sum()))
        rows = np.repeat(np.arange(len(batch), dtype=np.int64), sizes)
        keys, tf = np.unique(ids * len(batch) + rows, return_counts=True)
        # A token said 65,536 times in one document keeps its count in 4 bytes.
        counts = tf.astype(np.uint16 if len(tf) == 0 or tf.max() < 2 ** 16 else np.float32)
        offsets = (keys % max(len(batch), 1)).astype(np.uint16 if len(batch) <= 2 ** 16 else np.int32)
        return (keys // max(len(batch), 1)).astype(np.int32), offsets, counts

    def __contains__(self, token: str) -> bool:
        return token in self.vocabulary

    def of(self, token: str) -> tuple[np.ndarray, np.ndarray]:
        """The documents holding ``token`` (ascending) and its count in each."""
        j = self.vocabulary.get(token)
        if j is None:
            return self._docs[:0], self._counts[:0]
        a, b = self._starts[j], self._starts[j + 1]
        return self._docs[a:b], self._counts[a:b]

    def documents(self, token: str) -> np.ndarray:
        """The documents holding ``token``, ascending."""
        return self.of(token)[0]

    def arrays(self) -> dict[str, np.ndarray]:
        """The arrays the postings are held in (to save them): ``docs`` and ``counts`` of every
        (token, document) pair sorted by token, token ``j``'s pairs at ``starts[j]:starts[j + 1]``."""
        return {"docs": self._docs, "counts": self._counts, "starts": self._starts}

    def df(self) -> dict[str, int]:
        """Token -> the number of documents holding it."""
        sizes = np.diff(self._starts)
        return {t: int(sizes[j]) for t, j in self.vocabulary.items()}


class BM25:
    """Okapi BM25 over pre-tokenized documents.

    >>> bm = BM25([["长江", "港口"], ["大坝"]]); [round(float(x), 3) for x in bm.scores(["港口"])]
    [0.603, 0.0]
    """

    def __init__(self, docs: Iterable[list[str]], langs: list[str] | None = None, k1: float = 1.5,
                 b: float = 0.75):
        """Args:
            docs: token lists, read once and not kept (the index holds them compactly).
            langs: each document's language; when given, a word's rarity is judged among
                the documents of its own script's language (see :meth:`_idf`).
            k1, b: the usual BM25 constants.
        """
        self.k1, self.b = k1, b
        self.postings = Postings(docs)  # docs are read once, here
        self.lengths = self.postings.lengths
        self.n = len(self.lengths)
        self.avgdl = float(self.lengths.mean()) if self.n else 0.0
        sizes = Counter(langs or [])
        self.idf = {t: self._idf(f, sizes.get(_script(t), 0) or self.n) for t, f in self.postings.df().items()}
        # The length part of BM25's denominator, once per document.
        self._norm = (k1 * (1 - b + b * self.lengths / max(self.avgdl, 1e-9))).astype(np.float32)

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
        out = np.zeros(self.n, dtype=np.float32)
        for t, w in weights.items():
            idf = self.idf.get(t)
            if idf is None:
                continue
            ids, tf = self.postings.of(t)
            out[ids] += np.float32(idf * w) * tf * np.float32(self.k1 + 1) / (tf + self._norm[ids])
        return out
