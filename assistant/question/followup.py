"""Follow-up questions rewritten into standalone ones from the conversation, by rules (no LLM).

A follow-up such as ``那2024年呢？`` or ``And what about investment?`` leans on the question
before it. :func:`resolve` detects that and carries the previous question's topic over:

- a *slot* that changed is swapped in place (a year, a date, an ordinal ``第四次``, a quoted
  term ``“方式崭新”``, a phrase of the same shape ``从上游看`` → ``从下游看``, the object
  of a shared preposition ``in 2013`` → ``in 2025``);
- a follow-up that asks its own question about something said before (``其中在上海有多少家？``,
  ``他还在哪里任教？``, ``When was the concept put forward?``) gets the previous question's
  topic (that question without its question words) joined to it;
- anything else is asked as typed: a short new question is not mistaken for a follow-up.

>>> resolve("那2024年呢？", ["2013年长江干线港口的货物吞吐量是多少？"])
'2024年长江干线港口的货物吞吐量是多少？'
>>> resolve("And in 2025?", ["What share of trade did they account for in 2013?"])
'What share of trade did they account for in 2025?'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from assistant.index.lexical import tokenize
from assistant.ingest.sentences import detect_lang

_HAN = r"\u3400-\u9fff"
# Openers that mark a follow-up ('请问' is only polite); the longest first so '那么' wins over '那'.
_ZH_LEAD = re.compile(r"^(?:那么|那(?![些个里时本])|还有)[，,、\s]*")
_ZH_TAIL = re.compile(r"(?:呢|吗)?[？?。！!\s]*$")
_ZH_ASK = re.compile(r"什么|多少|哪|几|怎么|怎样|如何|是否|为何|为什么|谁|何时|何地|吗")
_ZH_PRONOUN = re.compile(r"^(?:其中|其|他们|她们|它们|他|她|它|该|此|这些|这个|这|那些|那个|上述|前者|后者)")
# Question words removed from the previous question to leave its topic.
_ZH_ASK_PHRASE = re.compile(r"(?:是|有|为|达到|达|叫)?(?:多少[家个项条份列次年位种亿万]?|什么|哪些|哪一?[个天年所家种项次里位条])"
                            r"|是否|怎样|如何|吗|呢|[？?。]")
_ORDINAL = re.compile(r"第[一二三四五六七八九十百\d]+[次届个条项]")
_DATE = re.compile(r"\d{4}年(?:\d{1,2}月(?:\d{1,2}日)?)?|\b(?:19|20)\d{2}\b")
_QUOTED = re.compile(r"“[^”]{1,20}”|\"[^\"]{1,30}\"")

_EN_LEAD = re.compile(r"^(?:and\s+|also\s+)?(?:(?:what|how)\s+about\s+|what\s+of\s+)?", re.I)
_EN_AUX = "is|are|was|were|do|does|did|has|have|had|can|could|will|would|should"
# A question word first, perhaps after a preposition ('In how many countries…').
_EN_ASK = re.compile(rf"^(?:(?:in|for|to|from|by|at|with|on|of|since|until)\s+)?"
                     rf"(?:what|which|who|whom|whose|when|where|why|how|{_EN_AUX})\b", re.I)
_EN_PRONOUN = re.compile(r"\b(?:it|its|they|them|their|he|him|his|she|her|this|that|these|those|there)\b", re.I)
_EN_PREPS = ("in", "for", "to", "about", "of", "on", "with", "from", "by", "at", "during")
_EN_STOP = set("what which who whom whose when where why how is are was were do does did can could will would "
               "should has have had the a an of to in on for by with from at does did paper say says according "
               "many much and about this that there their they its".split())
SHORT_EN = 6  # words: a longer English question is its own question unless it says 'and'/'it'
# Words of its own (see own_words): a question this short may lean on the one before. Compared
# with 3 on evals/followups.jsonl: 3 also joined the previous topic to complete questions
# ('Which country does the paper use as an example?') and lost them.
SHORT_FOLLOWUP = 2
# 'the paper' names the document, not something said before.
_GENERIC_EN = re.compile(r"\b(?:this|the)\s+(?:paper|article|author|abstract|text)\b", re.I)


@dataclass(frozen=True)
class Resolution:
    """How a question was understood.

    Shape: ``Resolution(question='那2024年呢？', resolved='2024年中国与…是多少？', rule='slot')``;
    ``rule`` is standalone (asked as typed), slot (a changed
    year, name or phrase swapped into the previous question) or context (the previous
    question's topic joined to it).
    """

    question: str
    resolved: str
    rule: str

    @property
    def changed(self) -> bool:
        return self.resolved != self.question.strip()


def resolve(question: str, history: Sequence[str]) -> str:
    """The follow-up rewritten as a standalone question (unchanged when it already stands alone).

    Args:
        question: the new question.
        history: earlier questions of the conversation, oldest first (best: as resolved).

    Returns:
        the question to ask the paper.
    """
    return rewrite(question, history).resolved


def rewrite(question: str, history: Sequence[str]) -> Resolution:
    """Like :func:`resolve`, also saying which rule applied."""
    q = question.strip()
    previous = next((h.strip() for h in reversed(history) if h and h.strip()), "")
    if not previous or not q:
        return Resolution(question, q, "standalone")
    if detect_lang(q) == "zh":
        resolved, rule = _rewrite_zh(q, previous)
    else:
        resolved, rule = _rewrite_en(q, previous)
    return Resolution(question, resolved, rule)


def _rewrite_zh(q: str, prev: str) -> tuple[str, str]:
    core = _ZH_TAIL.sub("", _ZH_LEAD.sub("", q))
    marked = core != q.rstrip("？?。 ") or q.rstrip("？? ").endswith("呢")
    if not core:
        return q, "standalone"
    if not _ZH_ASK.search(core):
        # Elliptical ('那2024年呢？', '第四次呢？', '“方式崭新”呢？'): swap the changed slot. Without
        # a '那…呢' a bare phrase ('长江港口') is a new search, unless it is only a year or an ordinal.
        swapped = _swap_slot(core, prev) or marked and (_align(core, prev) or _swap_attribute(core, prev))
        if swapped:
            return swapped, "slot"
        return (f"{_topic_zh(prev)}，{core}", "context") if marked else (q, "standalone")
    # Only a marker or a pronoun makes it a follow-up: a subjectless '同比增长了多少？' is often
    # found as typed, and the old topic would pull the search back to the old answer.
    if marked or _ZH_PRONOUN.match(core):
        return f"{_topic_zh(prev)}，{q}", "context"
    return q, "standalone"


def _rewrite_en(q: str, prev: str) -> tuple[str, str]:
    body = q.rstrip(" ?？.")
    core = _EN_LEAD.sub("", body).strip()
    marked = core != body
    words = core.split()
    if not core:
        return q, "standalone"
    if not _EN_ASK.match(core):
        # 'What about investment?' after '… say about debt?' swaps what follows 'about'.
        about = f"about {core}" if re.search(r"\babout\s*$", body[:len(body) - len(core)], re.I) else core
        swapped = (_swap_slot(core, prev) or _swap_preposition(about, prev) or _swap_preposition(core, prev)
                   or marked and (_align_words(core, prev) or _swap_name(core, prev)))
        if swapped:
            return swapped, "slot"
        return (f"{prev.rstrip(' ?？')} — {core}?", "context") if marked else (q, "standalone")
    own = _GENERIC_EN.sub("", core)
    # 'And how far along is the Pinglu Canal?' names its own subject: it stands alone.
    if any(w[:1].isupper() for w in own.split()[1:]) and not _EN_PRONOUN.search(own):
        return q, "standalone"
    clause = re.search(rf"\b(?:{_EN_AUX})\b.*", prev.rstrip(" ?？"), re.I)
    if words[0].lower() in _EN_PREPS and clause and not re.search(rf"\b(?:{_EN_AUX})\b", core, re.I):
        # 'In how many countries and regions?' takes the clause of '… had Chinese investors set up …?'
        return f"{core} {clause.group()}?", "context"
    shared = _content(own) & _content(prev)  # 'When was the concept put forward?' after '…the concept…'
    if (_EN_PRONOUN.search(own) or marked and len(words) <= 2 * SHORT_EN
            or len(words) <= SHORT_EN and shared):
        return f"{q.rstrip()} ({_topic_en(prev)})", "context"
    return q, "standalone"


def _swap_name(core: str, prev: str) -> str | None:
    """'And the Outline?' after 'When was the Proposal for … adopted?': swap the named thing."""
    name = re.fullmatch(r"(?:the\s+)?([A-Z][\w-]*(?:\s+[A-Z][\w-]*)*)", core)
    old = re.search(r"\bthe\s+([A-Z][\w-]*(?:\s+[A-Z][\w-]*)*)", prev)
    if not name or not old:
        return None
    return prev[:old.start(1)] + name.group(1) + prev[old.end(1):]


def _content(text: str) -> set[str]:
    return {w.lower().rstrip("s") for w in re.findall(r"[A-Za-z]{3,}", text)} - _EN_STOP


def _swap_slot(core: str, prev: str) -> str | None:
    """Replace a year/date, ordinal or quoted term of the previous question by the new one."""
    for pattern in (_DATE, _ORDINAL, _QUOTED):
        new = pattern.search(core)
        old = pattern.search(prev)
        if new and old and new.group() != old.group():
            rest = (core[:new.start()] + core[new.end():]).strip(" ，,")
            # Only a follow-up that is nothing but the slot (plus a preposition) swaps cleanly.
            if len(re.sub(r"\b(?:in|for|of|the|by|at|during)\b|[年的在]", "", rest).strip()) <= 1:
                before = prev[:old.start()]
                if pattern is not _DATE:  # '2021年第三次…' → '第四次…': the old date went with the old event
                    before = re.sub(r"\d{4}年(?:\d{1,2}月(?:\d{1,2}日)?)?$", "", before)
                return before + new.group() + prev[old.end():]
    return None


def _align(core: str, prev: str) -> str | None:
    """Swap the span of the previous question shaped like the follow-up (same first or
    last characters, similar length): '从下游看' replaces '从上游看'."""
    best, best_score = None, 1
    n = len(core)
    for length in range(max(2, n - 3), n + 4):
        for i in range(0, len(prev) - length + 1):
            span = prev[i:i + length]
            if span == core or not re.search(f"[{_HAN}]", span):
                continue
            score = _shared(core, span) + _shared(core[::-1], span[::-1])
            # A shared '的' or punctuation says nothing about the shape.
            if score > best_score and score < min(n, length) and re.search(f"[{_HAN}]{{2}}",
                                                                           _affixes(core, span)):
                best, best_score = (i, length), score
    if best is None:
        return None
    i, length = best
    return prev[:i] + core + prev[i + length:]


def _shared(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


def _affixes(a: str, b: str) -> str:
    head, tail = _shared(a, b), _shared(a[::-1], b[::-1])
    return a[:head] + a[len(a) - tail:] if tail else a[:head]


def _swap_attribute(core: str, prev: str) -> str | None:
    """'目的呢？' after '…的核心是什么？': swap the noun the previous question asked about."""
    if len(core) > 4 or not re.fullmatch(f"[{_HAN}]+", core):
        return None
    m = re.search(f"的([{_HAN}]{{1,4}})(?=是|有|为|指)", prev)
    return prev[:m.start(1)] + core + prev[m.end(1):] if m else None


def _swap_preposition(core: str, prev: str) -> str | None:
    """'in 2025' after '… account for in 2013?': replace what follows the same preposition."""
    first, _, rest = core.partition(" ")
    if first.lower() not in _EN_PREPS or not rest:
        return None
    m = list(re.finditer(rf"\b{first}\b\s+", prev, re.I))
    if not m:
        return None
    end = re.search(r"[?？.]?\s*$", prev).start()
    return prev[:m[-1].end()] + rest + prev[end:]


def _align_words(core: str, prev: str) -> str | None:
    """English '_align': 'soft connectivity' replaces '“hard connectivity”' (a shared last word)."""
    new = [w for w in core.split() if w.lower() not in ("the", "a", "an")]
    if not new:
        return None
    tokens = list(re.finditer(r"[\w'-]+", prev))
    bare = [t.group().lower() for t in tokens]
    for size in (len(new), len(new) + 1, len(new) - 1):
        for i in range(0, len(tokens) - size + 1):
            span = bare[i:i + size]
            if size < 1 or span == [w.lower() for w in new]:
                continue
            if span[-1] == new[-1].lower() or span[0] == new[0].lower() and size > 1:
                return prev[:tokens[i].start()] + " ".join(new) + prev[tokens[i + size - 1].end():]
    return None


def _topic_zh(prev: str) -> str:
    """The previous question without its question words: what it was about."""
    return _ZH_ASK_PHRASE.sub("", prev).strip("，, ")


def _topic_en(prev: str) -> str:
    words = re.findall(r"[\w'’–-]+", prev)
    return " ".join(w for w in words if w.lower() not in _EN_STOP)


# ----- a follow-up with nothing before it; another topic in the same frame -----

# Pronouns that point back to something said before ('these documents' names the corpus).
_EN_BACK = re.compile(r"\b(?:it|its|they|them|their|he|him|his|she|her|the (?:first|second|third|other|next|last) one"
                      r"|that one|this one)\b", re.I)
_ZH_DOCS = re.compile(r"^(?:这|该|此)(?:篇|份|些|个)?(?:论文|文章|文档|报告|文件|书|资料|材料)")


def needs_context(question: str) -> bool:
    """Whether a question only makes sense after another one: it opens as a follow-up
    ('那2024年呢？', 'And in 2025?', 'What about investment?'), is only a question word
    ('为什么？', 'How many?') or points back with a pronoun ('他是谁？', 'When was it founded?').

    >>> [needs_context(q) for q in ("那2024年呢？", "他是谁？", "What about investment?", "Why?",
    ...                             "这些文档讲了什么？", "What are these documents about?", "长江有多长？")]
    [True, True, True, True, False, False, False]
    """
    q = question.strip()
    if not q:
        return False
    if detect_lang(q) == "zh":
        core = _ZH_TAIL.sub("", _ZH_LEAD.sub("", q))
        if core != q.rstrip("？?。！! ") or q.rstrip("？?。 ").endswith("呢"):
            return True  # '那…', '还有…', '…呢'
        if not core or len(core) <= 3 and _ZH_ASK.fullmatch(core):
            return True  # '为什么？'
        return bool(_ZH_PRONOUN.match(core)) and not _ZH_DOCS.match(core)
    body = q.rstrip(" ?？.!")
    if _EN_LEAD.sub("", body).strip() != body or re.match(r"^(?:and|but|so|also)\b", body, re.I):
        return True
    words = body.split()
    if len(words) <= 2 and _EN_ASK.match(body):
        return True  # 'Why?', 'How many?'
    own = _GENERIC_EN.sub("", body)
    return len(words) <= 2 * SHORT_EN and bool(_EN_BACK.search(own))


def topic_swaps(question: str, history: Sequence[str], limit: int = 8) -> list[str]:
    """The previous question with one of its topics replaced by the follow-up's new one, for a
    follow-up that names only the new topic ('那投资呢？', 'And what about investment?'):
    the frame (what is asked, when) stays. Which topic it replaces is left to the evidence:
    the caller asks each and keeps the best answered.

    >>> topic_swaps("And what about investment?", ["How much did trade grow in 2025?"])[:2]
    ['How much did investment grow in 2025?', 'How much did trade investment in 2025?']
    """
    q = question.strip()
    previous = next((h.strip() for h in reversed(history) if h and h.strip()), "")
    if not previous or not q:
        return []
    out: list[str] = []
    if detect_lang(q) == "zh":
        new = _ZH_TAIL.sub("", _ZH_LEAD.sub("", q)).strip("，, ")
        if not new or _ZH_ASK.search(new) or _swap_slot(new, previous) or not re.search(f"[{_HAN}]", new):
            return []
        from assistant.language.names import _posseg

        position = 0
        for w in _posseg().cut(previous):
            start = previous.index(w.word, position)
            position = start + len(w.word)
            if (w.flag[:1] == "n" or w.flag == "vn") and len(w.word) >= 2 and w.word != new:
                out.append(previous[:start] + new + previous[position:])
    else:
        body = q.rstrip(" ?？.")
        new = _EN_LEAD.sub("", body).strip()
        if not new or new == body and not re.match(r"^(?:and|but|also)\b", body, re.I) or _EN_ASK.match(new):
            return []
        new = re.sub(r"^(?:and|but|also)\s+", "", new, flags=re.I)
        if _swap_slot(new, previous):
            return []
        words = list(re.finditer(r"[\w'’-]+", previous))
        runs, run = [], []
        for m in words:
            w = m.group()
            if w.lower() in _EN_STOP or w.lower() in _EN_PREPS or re.fullmatch(r"\d{4}", w) or m is words[0]:
                if run:
                    runs.append(run)
                run = []
            else:
                run.append(m)
        if run:
            runs.append(run)
        for run in runs:
            spans = [(m, m) for m in run] + ([(run[0], run[-1])] if len(run) > 1 else [])
            for first, last in spans:
                out.append(previous[:first.start()] + new + previous[last.end():])
    seen = []
    for candidate in out:
        if candidate not in seen and candidate != previous:
            seen.append(candidate)
    return seen[:limit]


def own_words(question: str) -> int:
    """How many words a question says of its own: its search words less figures, single
    characters ('要') and words inside a longer one ('融资' in '投融资').

    >>> own_words("要守住什么底线？"), own_words("投融资体系呢？"), own_words("Which country does it use?")
    (2, 2, 2)
    """
    words = {t for t in tokenize(question) if not t[0].isdigit() and len(t) > 1}
    return sum(not any(w != other and w in other for other in words) for w in words)


def with_topic(question: str, history: Sequence[str]) -> str | None:
    """A short question with the previous question's topic joined to it, for one that may lean
    on it without saying so ('同比增长了多少？', 'Where was it held?'); None for a long one or
    with nothing before it. The caller asks both and keeps the better answered.

    >>> with_topic("同比增长了多少？", ["2020年长江干线港口的吞吐量是多少？"])
    '2020年长江干线港口的吞吐量，同比增长了多少？'
    """
    q = question.strip()
    previous = next((h.strip() for h in reversed(history) if h and h.strip()), "")
    if not previous or not q:
        return None
    # A question that names its own subject ('2030年长江港口吞吐量是多少？') stands alone: only one
    # of at most two words of its own, or one with a pronoun, may lean on what came before.
    zh = detect_lang(q) == "zh"
    if own_words(q) > SHORT_FOLLOWUP and not (re.search("[他她它其]", q) if zh else _EN_BACK.search(q)):
        return None
    if zh:
        return f"{_topic_zh(previous)}，{q}"
    return f"{q.rstrip()} ({_topic_en(previous)})"
