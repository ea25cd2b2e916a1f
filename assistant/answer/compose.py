"""Extractive answers: the most relevant sentences of the retrieved passages, each cited."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace

import numpy as np

from assistant.ingest.chunks import Chunk, join_sentences, size
from assistant.errors import QuestionError
from assistant.index.store import Index
from assistant.question.qtypes import asks_derived, asks_quantity, figures, has_quantity, ordinals, zh_number
from assistant.retrieve.hybrid import Passage
from assistant.settings import Settings
from assistant.answer.slots import asks_item_count
from assistant.ingest.sentences import Sentence, detect_lang
from assistant.question.translate import translate

MAX_QUESTION_CHARS = 2000
# A sentence shorter than this (in Chinese-character units) that opens a list item
# ('一是国际共识持续扩大。', '首先，…：') is a list head: the facts are in the sentence that
# follows. A short sentence without a marker ('加快西部陆海新通道建设。') stands alone.
SHORT_SENTENCE = 16
_LIST_HEAD = re.compile(r"^\s*(?:[一二三四五六七八九十]是|首先|其次|再次|最后|第[一二三四五六七八九十]|其[一二三四五六七八九十]|"
                        r"\d{1,2}[、.．]|[（(][一二三四五六七八九十\d][）)]|\*\*)|.*[：:]\s*$")
_LIST_MARK = re.compile(r"^\s*(?:\d{1,2}|[一二三四五六七八九十]{1,2})[、.．]\s*")
# A sentence that opens a list item, at its start or after a colon ('它的主要内容是：1. 理念革新：…').
_ITEM = re.compile(r"(?:^|[：:])\s*(?:\*\*)?\s*(?:(?P<digit>\d{1,2})[.、．](?!\d)|(?P<shi>[一二三四五六七八九十])是|"
                   r"(?P<order>首先|其次|再次|最后)|第(?P<di>[一二三四五六七八九十])[，、]|"
                   r"[（(](?P<paren>\d{1,2}|[一二三四五六七八九十])[)）])")
_ORDER = {"首先": 1, "其次": 2, "再次": 3}
# A list ends when this many sentences pass without its next item.
ITEM_GAP = 6
_POINTS_BACK = re.compile(r"^(?:这|此|该|上述|其中|同时|此外|它|他们|这些|That\b|This\b|These\b|It\b|They\b|Such\b)")
# At most this many consecutive sentences in one citation.
MAX_SPAN = 3
# Added to a sentence's score when it holds the figures the question names.
FIGURE_BONUS = 0.15
# Function words of other Latin-script languages, to tell them from English.
_OTHER_LATIN = set("le la les des du de est sont une dans pour que qui quel quelle combien comment pourquoi avec sur "
                   "par au aux il elle nous vous der die das und ist nicht ein eine wie viele was warum wo sind mit "
                   "auf für von zu im el los las del por una con para como cuántos cuántas qué cómo es son em não "
                   "uma os quanto quantos onde il di che della sono".split())
_EN_WORDS = set("the what how which who when where why is are does did was were of in and to".split())

ABSTAIN = {
    "zh": "论文似乎没有回答这个问题。下面列出了最接近的段落，供参考。",
    "en": "The paper does not appear to answer this question. The closest passages are listed below.",
}
# Before the figures that answer a 'how many times larger' question.
DERIVED = {
    "zh": "论文没有直接给出这个数字，可以根据下面引用的数字推算。",
    "en": "The paper does not state this figure directly; it can be worked out from the figures quoted below.",
}
# Before the first and the last item of a list whose items a question counts.
LISTED = {
    "zh": "论文列出了{n}项，下面引用了第一项和最后一项。",
    "en": "The paper lists {n} items; the first and the last are quoted below.",
}
# Before every item of a list that the best sentence announces.
LISTED_ALL = {
    "zh": "论文列出了{n}项，逐项引用如下。",
    "en": "The paper lists {n} items, each quoted below.",
}
# A sentence that announces the list after it: '要在下面六个方面任务中…', 'as follows:'.
ANNOUNCES = re.compile(r"(?:下面|以下|如下|下列|下述)(?:的)?(?:[一二两三四五六七八九十\d]+个?)?(?:方面|项|点|条|个|几)|"
                       r"\bthe following\b|\bas follows\b", re.I)
# An announced list longer than this is left to the reader.
MAX_LISTED = 10
LEAD = {
    "zh": "根据论文：",
    "en_zh": "The paper (in Chinese) says:",
    "en": "According to the paper:",
}


@dataclass(frozen=True)
class Citation:
    """One cited span: ``source_text[start:end] == quote``.

    Shape: ``Citation(n=1, chunk_id='chen-…-3f2a9c1e', source='chen-….md', section='三、… > 3.…',
    lang='zh', start=20311, end=20335, quote='2025年中欧（亚）班列发车数达到12000列。')``
    """

    n: int
    chunk_id: str
    source: str
    section: str
    lang: str
    start: int
    end: int
    quote: str

    def to_dict(self) -> dict:
        return {"n": self.n, "chunk_id": self.chunk_id, "source": self.source, "section": self.section,
                "lang": self.lang, "start": self.start, "end": self.end, "quote": self.quote}


@dataclass(frozen=True)
class Answer:
    """An answer with its citations and the passages it drew on (the ``ask --json`` schema)."""

    question: str
    lang: str
    text: str
    abstained: bool
    citations: tuple[Citation, ...]
    passages: tuple[Passage, ...]
    id: str | None = None
    confidence: float = 0.0
    reasons: tuple[str, ...] = ()  # why it abstained (empty when it answered)

    def to_dict(self) -> dict:
        return {"id": self.id, "question": self.question, "lang": self.lang, "answer": self.text,
                "abstained": self.abstained, "citations": [c.to_dict() for c in self.citations],
                "passages": [p.to_dict() for p in self.passages], "confidence": round(float(self.confidence), 4)}


def check_question(question: object) -> tuple[str, str]:
    """Validate a question and detect its language.

    Returns:
        (the question stripped, 'zh' or 'en').

    Raises:
        QuestionError: empty, too long, control characters, or not Chinese/English.
    """
    if not isinstance(question, str):
        raise QuestionError(f"a question must be text, got {type(question).__name__}")
    q = question.strip()
    if not q:
        raise QuestionError("the question is empty: type a question about the paper in Chinese or English")
    if len(q) > MAX_QUESTION_CHARS:
        raise QuestionError(f"the question is {len(q)} characters long; the limit is {MAX_QUESTION_CHARS}: "
                            "ask a shorter question")
    bad = [c for c in q if unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co") and c not in "\n\t"]
    if bad:
        raise QuestionError(f"the question contains control character U+{ord(bad[0]):04X}; remove it and ask again")
    if re.search(r"[\u3040-\u30ff\uac00-\ud7af\u0400-\u04ff\u0600-\u06ff\u0900-\u097f\u0e00-\u0e7f]", q):
        raise QuestionError("only Chinese and English questions are supported; please ask in 中文 or English")
    if not re.search(r"[A-Za-z\u3400-\u9fff\uf900-\ufaff]", q):
        raise QuestionError("the question has no words in it: ask in Chinese or English")
    lang = detect_lang(q)
    if lang == "en":
        words = [w.lower() for w in re.findall(r"[A-Za-zÀ-ÿ]+", q)]
        if sum(w in _OTHER_LATIN for w in words) >= max(2, sum(w in _EN_WORDS for w in words) + 1) \
                or re.search(r"[À-ÿ]", q) and not any(w in _EN_WORDS for w in words):
            raise QuestionError("only Chinese and English questions are supported; please ask in 中文 or English")
    return q, lang


@dataclass(frozen=True)
class Pick:
    """Sentences ``first..last`` (inclusive) of a passage's chunk, chosen as evidence."""

    passage: Passage
    first: int  # sentence positions inside the chunk, inclusive
    last: int
    score: float


def select_evidence(question: str, lang: str, passages: list[Passage], settings: Settings,
                    headings: bool = False) -> list[Pick]:
    """The best sentences: the top one, plus any scoring nearly as well; a short head
    sentence is extended by the sentence after it.

    Headings are left out unless ``headings`` (a question about the title).
    A sentence holding the figures the question names (``…in 2025?``), or a quantity
    when the question asks for one, is preferred over an equally close one without.
    """
    wanted = figures(question)
    wants_quantity = asks_quantity(question, lang)

    def adjusted(score: float, sentence) -> float:
        if wanted:
            score += FIGURE_BONUS * len(wanted & figures(sentence.text)) / len(wanted)
        if wants_quantity and has_quantity(sentence.text):
            score += FIGURE_BONUS / 2
        return score

    candidates = [(adjusted(s, p.chunk.sentences[i]), p, i) for p in passages
                  for i, s in enumerate(p.sentence_scores) if headings or not p.chunk.sentences[i].heading]
    candidates.sort(key=lambda x: -x[0])
    if not candidates:
        return []
    best = candidates[0][0]
    picks: list[Pick] = []
    seen: set[str] = set()
    for score, p, i in candidates:
        if len(picks) >= settings.max_answer_sentences or score < best * settings.second_sentence_ratio:
            break
        text = p.chunk.sentences[i].text
        # The paper repeats itself (abstract, introduction, headings): quote a sentence once.
        key = _LIST_MARK.sub("", text)
        if any(key in other or other in key for other in seen) \
                or any(q.passage.chunk.id == p.chunk.id and q.first <= i <= q.last for q in picks):
            continue
        first = i
        # 'This year…', '这个领域…' points back: quote the sentence it points to as well.
        if i > 0 and _POINTS_BACK.match(text):
            first = i - 1
        last = i
        # A heading chosen as evidence (a question about titles) stands alone.
        extend = not p.chunk.sentences[i].heading
        if extend and size(text) < SHORT_SENTENCE and _LIST_HEAD.match(text) and i + 1 < len(p.chunk.sentences):
            last = i + 1
        # The sentence that restates the question is often followed by the one that
        # answers it ('…需要必要条件与充分条件相结合。' then the definition): keep following
        # sentences that score well too; adjacent ones become one citation.
        while (extend and last + 1 < len(p.chunk.sentences) and last - i + 1 < MAX_SPAN
               and p.sentence_scores[last + 1] >= settings.adjacent_ratio * score):
            last += 1
        seen.add(key)
        picks.append(Pick(p, first, last, score))
    # '第三次和第四次座谈会…': a question about several of a series quotes each one it names.
    named = ordinals(question)
    for ordinal in sorted(named) if len(named) > 1 else ():
        if picks and not any(ordinal in pick_text(pick) for pick in picks):
            found = next(((score, p, i) for score, p, i in candidates if ordinal in p.chunk.sentences[i].text), None)
            if found:
                picks.append(Pick(found[1], found[2], found[2], found[0]))
    return picks


def _item(text: str) -> tuple[str, int | None] | None:
    """The list family and number of an item-opening sentence ('2. …' -> ('digit', 2));
    '最后' closes an ordered list (number None)."""
    m = _ITEM.search(text)
    if not m:
        return None
    family, value = next((k, v) for k, v in m.groupdict().items() if v)
    if family == "order":
        return family, _ORDER.get(value)
    return family, int(value) if value.isdigit() else zh_number(value)


def _list_after(index: Index, row: int) -> list[tuple[Chunk, Sentence]]:
    """The items of the list that starts at or just after flat sentence ``row``: a run of
    item-opening sentences of one family numbered from 1. An item that opens a section of
    its own ('**1、加强与共建国家战略对接…**' and the subsection under it) may be followed by
    any number of sentences of that section before the next item."""
    flat = index.flat_sentences
    source = flat[row][0].source
    family, items, quiet, inside = None, [], 0, None
    for k in range(row, len(flat)):
        chunk, sentence = flat[k]
        if chunk.source != source or quiet > ITEM_GAP:
            break
        quiet += chunk.section != inside
        item = _item(sentence.text)
        if item is None:
            continue
        starts = family is None and item[1] == 1
        goes_on = family is not None and item[0] == family and item[1] in (len(items) + 1, None)
        if not (starts or goes_on):
            continue
        family, quiet = item[0], 0
        items.append((chunk, sentence))
        leads_section = k > 0 and flat[k - 1][0].section != chunk.section
        inside = chunk.section if leads_section else None
        if item[1] is None:
            break
    return items if len(items) >= 2 else []


def _picks_for(sentences: list[tuple[Chunk, Sentence]], picks: list[Pick], score: float) -> list[Pick]:
    """Picks for these sentences, each in its retrieved passage when there is one, leaving
    out those already picked."""
    retrieved = {p.passage.chunk.id: p.passage for p in picks}
    out: list[Pick] = []
    for chunk, sentence in sentences:
        passage = retrieved.get(chunk.id) or Passage(0, chunk, 0.0, 0.0, 0.0, (0.0,) * len(chunk.sentences),
                                                        (0.0,) * len(chunk.sentences))
        i = chunk.sentences.index(sentence)
        if not any(p.passage.chunk.id == chunk.id and p.first <= i <= p.last for p in picks + out):
            out.append(Pick(passage, i, i, score))
    return out


def _announces(pick: Pick) -> bool:
    """Whether the sentence a pick was chosen for announces a list it does not start itself
    ('要在下面六个方面任务中…', not '包括以下几个方面：首先在行为主体上…', whose reader asked
    about the first item)."""
    scores = pick.passage.sentence_scores
    text = pick.passage.chunk.sentences[max(range(pick.first, pick.last + 1), key=scores.__getitem__)].text
    return bool(ANNOUNCES.search(text)) and _item(text) is None


def list_ends(question: str, picks: list[Pick], index: Index) -> tuple[int, list[Pick], bool]:
    """The list a question asks about, as (number of items, picks for the items to quote,
    whether every item is quoted); (0, [], False) when there is none.

    A question that counts a list's items ('how many numbered points', '几个方面') gets the
    first and the last item of the list that starts at or just after the best sentence,
    which show the count ('1. 理念革新…', '6. …'). A question whose best sentence announces
    a list ('要在下面六个方面任务中…') gets every item. The list may run on into the chunks
    that follow.
    """
    if not picks:
        return 0, [], False
    counting = asks_item_count(question)
    top = picks[0] if counting else next((p for p in picks if _announces(p)), None)
    if top is None:
        return 0, [], False
    position = next(i for i, c in enumerate(index.chunks) if c.id == top.passage.chunk.id)
    items = _list_after(index, int(index.chunk_first_sentence[position]) + top.first)
    if not items or not counting and len(items) > MAX_LISTED:
        return 0, [], False
    quoted = [items[0], items[-1]] if counting else items
    return len(items), _picks_for(quoted, picks, top.score), not counting


def _citations(picks: list[Pick], documents: dict[str, str]) -> list[Citation]:
    """One citation per picked span, adjacent spans of one chunk merged, in reading order."""
    spans: list[tuple[Chunk, int, int]] = []
    for pick in sorted(picks, key=lambda p: (p.passage.chunk.source, p.passage.chunk.start, p.first)):
        chunk = pick.passage.chunk
        if spans and spans[-1][0].id == chunk.id and pick.first <= spans[-1][2] + 1:
            spans[-1] = (chunk, spans[-1][1], max(spans[-1][2], pick.last))
        else:
            spans.append((chunk, pick.first, pick.last))
    out = []
    for n, (chunk, a, b) in enumerate(spans, 1):
        start, end = chunk.sentences[a].start, chunk.sentences[b].end
        out.append(Citation(n, chunk.id, chunk.source, chunk.section, chunk.sentences[a].lang, start, end,
                            documents[chunk.source][start:end]))
    return out


def _display(citation: Citation, chunk_sentences: tuple[Sentence, ...]) -> str:
    """The clean text of a citation's sentences (no page breaks or markup)."""
    return join_sentences(s.text for s in chunk_sentences if citation.start <= s.start and s.end <= citation.end)


def pick_text(pick: Pick) -> str:
    """The clean text of a pick's sentences."""
    return join_sentences(s.text for s in pick.passage.chunk.sentences[pick.first:pick.last + 1])


def compose(question: str, lang: str, passages: list[Passage], picks: list[Pick], index: Index,
            settings: Settings, confidence: float, reasons: list[str], qid: str | None = None) -> Answer:
    """Build the answer text and citations from the picked evidence, or abstain when there are
    ``reasons`` to (or nothing to cite)."""
    if reasons or not picks:
        return Answer(question, lang, ABSTAIN[lang], True, (), tuple(passages), qid, confidence,
                      tuple(reasons) or ("nothing was retrieved",))
    count, items, every = list_ends(question, picks, index)
    picks = picks + items
    citations = _citations(picks, index.documents)
    by_id = {p.passage.chunk.id: p.passage.chunk for p in picks}
    quotes = [(_display(c, by_id[c.chunk_id].sentences), c) for c in citations]
    evidence_langs = {c.lang for c in citations}
    if lang == "zh":
        body = "".join(f"{text}[{c.n}]" for text, c in quotes)
        text = f"{LEAD['zh']}{body}"
    elif evidence_langs == {"en"}:
        text = LEAD["en"] + " " + " ".join(f"{t} [{c.n}]" for t, c in quotes)
    else:
        text = LEAD["en_zh"] + "\n" + "\n".join(
            (f"“{t}” [{c.n}]" if c.lang == "zh" else f"{t} [{c.n}]") for t, c in quotes)
    if asks_derived(question):
        text = DERIVED[lang] + "\n" + text
    if count:
        text = (LISTED_ALL if every else LISTED)[lang].format(n=count) + "\n" + text
    # An English sentence already quoted, alone or within a longer span, is not repeated.
    parallel = [(c, t) for c, t in english_parallels(citations, index, settings.parallel_min_cos)
                if not any(o.source == c.source and o.start < c.end and c.start < o.end for o in citations)
                ] if lang == "en" else []
    if parallel:
        extra = [(replace(c, n=len(citations) + i + 1), t) for i, (c, t) in enumerate(parallel)]
        citations = citations + [c for c, _ in extra]
        text += "\nThe English abstract says the same: " + " ".join(f"{t} [{c.n}]" for c, t in extra)
    return Answer(question, lang, text, False, tuple(citations), tuple(passages), qid, confidence)


def confidence_of(passages: list[Passage]) -> float:
    """How strongly the best sentence supports an answer (0..1)."""
    return max((max(p.sentence_scores) for p in passages if p.sentence_scores), default=0.0)


def english_parallels(citations: list[Citation], index: Index, min_cos: float = 0.6) -> list[tuple[Citation, str]]:
    """English-abstract sentences that say what the cited Chinese sentences say, each with
    its clean text.

    A pair must match both ways: the English sentence is the closest to a cited sentence
    (cosine at least ``min_cos``), and that sentence, or a copy of it, is the closest
    Chinese sentence to the English one. A body sentence on the same topic as an abstract
    sentence is not its translation: the English sentence's own source is closer.
    """
    vecs = index.sentence_vectors
    flat = index.flat_sentences
    en_rows = [i for i, (_, s) in enumerate(flat) if s.lang == "en"]
    zh_rows = [i for i, (_, s) in enumerate(flat) if s.lang == "zh" and not s.heading]
    if not en_rows or not zh_rows:
        return []
    out = []
    for cit in citations:
        if cit.lang != "zh":
            continue
        rows = [i for i, (c, s) in enumerate(flat) if c.id == cit.chunk_id and cit.start <= s.start < cit.end]
        if not rows:
            continue
        sims = vecs[en_rows] @ vecs[rows].T
        best = np.unravel_index(np.argmax(sims), sims.shape)
        if sims[best] < min_cos:
            continue
        english = en_rows[best[0]]
        back = _closest_chinese(english, zh_rows, index)
        if _LIST_MARK.sub("", flat[back][1].text) not in {_LIST_MARK.sub("", flat[r][1].text) for r in rows}:
            continue
        chunk, s = flat[english]
        out.append((Citation(0, chunk.id, chunk.source, chunk.section, "en", s.start, s.end,
                             index.documents[chunk.source][s.start:s.end]), s.text))
    return out


# Cosines of an English sentence to Chinese ones differ by a few hundredths between a
# translation and a sentence on the same topic; the share of the English words whose
# translations the Chinese sentence holds, at this weight, settles it.
PARALLEL_WORDS_WEIGHT = 0.2


def _closest_chinese(english: int, zh_rows: list[int], index: Index) -> int:
    """The Chinese sentence (a flat row) that most likely translates sentence ``english``:
    the best of its five closest by cosine, counting the words they share through translation."""
    sims = index.sentence_vectors[zh_rows] @ index.sentence_vectors[english]
    near = np.argsort(-sims)[:5]
    terms, _ = translate(index.flat_sentences[english][1].text, index.sentence_bm25.idf)
    total = sum(terms.values()) or 1.0

    def shared(row: int) -> float:
        tokens = set(index.sentence_tokens[row])
        return sum(w for t, w in terms.items() if t in tokens) / total

    return zh_rows[max(near, key=lambda k: sims[k] + PARALLEL_WORDS_WEIGHT * shared(zh_rows[k]))]
