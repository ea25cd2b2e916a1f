"""The first line of an answer: the answer itself, in the question's language, with its marker.

A reader should see at a glance what the documents say (the figure, the date, the name, the
list's items) before the quotes that support it. The line is made of the cited clauses that
hold the most of what the question asks; text in the other language is quoted, after the
figures, dates and glossary terms it states, carried over (see ``carry.py``).

>>> q = Quote(1, "zh", ("长江发源于青藏高原，流经11个省级行政区，全长约6300公里，是亚洲第一长河。",), ("a.md", 0))
>>> first_line("What is the length of the Yangtze?", "en", [q], "From the document (in Chinese): ", max_chars=70).text
'From the document (in Chinese): about 6,300 km — “全长约6300公里” [1]'
>>> first_line("长江全长多少公里？", "zh", [q], "根据文档：", max_chars=30).text
'根据文档：全长约6300公里，是亚洲第一长河。[1]'
>>> points = Quote(2, "zh", ("长江的作用有三：一是航运，二是灌溉，三是发电。",), ("a.md", 99))
>>> first_line("长江有哪些作用？", "zh", [points], "根据文档：").text
'根据文档：一是航运；二是灌溉；三是发电[2]'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.answer.carry import glossary_terms, to_chinese, to_english
from assistant.answer.clauses import Asked, clauses, clean, cut, shorten, where
from assistant.index.lexical import tokenize
from assistant.ingest.chunks import join_sentences
from assistant.question import kinds

# Issue 16: one line a reader takes in at a glance, lead and marker included.
MAX_CHARS = 160
MAX_TERMS = 2  # glossary terms carried into the line, at most: names, not a translation
MIN_QUOTE = 30  # characters of the original a shortened line keeps, at least
MIN_PART = 12  # a part of a clause shorter than this says nothing

# A clause that opens a point of a list: '二是…', '第三，…', '其二，', '首先', '(2)', '2.', 'Second, …'.
_ITEM = re.compile(r"^\s*(?:[一二三四五六七八九十]{1,2}是|第[一二三四五六七八九十]{1,2}[，,、]|其[一二三四五六七八九十][，,、]|"
                   r"首先|其次|再次|最后|[（(][一二三四五六七八九十\d]{1,2}[)）]|\d{1,2}[.、．)](?!\d)|"
                   r"(?:first|second|third|fourth|fifth|sixth|finally|firstly|secondly|thirdly|lastly)\b)", re.I)
# Ways of numbering points: a list's points are numbered one way.
_FAMILIES = (("x是", r"[一二三四五六七八九十]+是"), ("第x", r"第"), ("其x", r"其"), ("首先", r"首先|其次|再次|最后"),
             ("(x)", r"[（(]"), ("x.", r"\d"), ("first", r"[a-z]"))


@dataclass(frozen=True)
class Quote:
    """One citation's clean text, as the first line reads it.

    Shape: ``Quote(n=1, lang='zh', sentences=('长江全长约6300公里。',), place=('yangtze.md', 203))``
    """

    n: int
    lang: str
    sentences: tuple[str, ...]
    place: tuple[str, int]  # (source, start): document order, for the points of a list

    @property
    def text(self) -> str:
        return join_sentences(self.sentences)


@dataclass(frozen=True)
class FirstLine:
    """The line, the citations it quotes whole (the quotes below need not repeat them), and the
    language of the text it opens with (None when it quotes nothing)."""

    text: str
    whole: frozenset
    opens: str | None = None


def clean(piece: str) -> str:
    """A run of clauses as a line shows it: no spaces around, no trailing comma or colon."""
    return piece.strip().rstrip("，；：,;: ")


def _carried(question: Asked, text: str, lang: str, glossary: dict, answer: str, extras: str) -> list[str]:
    """The facts of a text in the question's language, those the question does not state: the
    figures of a text answering how many, the dates of one answering when; with ``extras``
    ('figures' or 'terms'), the figures and dates of the clause that answers (``answer``) for
    other questions but who and where, and with 'terms' then up to ``MAX_TERMS`` glossary terms of it."""
    asked = question.kind in (kinds.NUMBER, kinds.DATE)
    # 'Who' and 'where' ask for a name: a date or a figure beside it is not the answer ('谁设计了
    # 灯塔？' opening '1887年3月14日——' over 'designed by … Calloway and first lit on 14 March 1887').
    named = question.kind in (kinds.PERSON, kinds.PLACE)
    source = text if asked else answer if extras and not named else ""
    facts = to_english(source) if lang == "zh" else to_chinese(source)
    out = [c.text for c in facts if (c.value not in question.values if c.value is not None
                                     else not set(re.findall(r"\d+", source[c.start:c.end])) <= question.digits)
           and (not asked or (c.value is not None) == (question.kind == kinds.NUMBER))]
    if extras != "terms":
        return out
    figures = to_english(answer) if lang == "zh" else to_chinese(answer)
    terms: list[str] = []
    for term in glossary_terms(answer, lang, glossary) if glossary else ():
        english, chinese = (term.text, answer[term.start:term.end]) if lang == "zh" else \
            (answer[term.start:term.end], term.text)
        # A term the question already names is not news either; a glossary's single words
        # ('path') are words, not names worth carrying; a unit belongs to its figure.
        said = set(tokenize(english)) & question.tokens or chinese in question.text
        in_figure = any(f.start < term.end and term.start < f.end for f in figures)
        if not (said or in_figure) and len(english.split()) > 1 and len(chinese) > 2 and term.text not in terms:
            terms.append(term.text)
    return out + terms[:MAX_TERMS]


def _render(lead: str, body: str, marker: str, same: bool, carried: list[str]) -> str:
    """The line: lead, the facts carried over, the answer (quoted when in the other language), marker."""
    quoted = body if same else f"“{body}”"
    if not carried:
        return lead + quoted + marker
    if marker.startswith("["):  # a Chinese line
        return lead + "；".join(carried) + "——" + quoted + marker
    return lead + "; ".join(carried) + " — " + quoted + marker


def _marker(n: int, lang: str) -> str:
    return f"[{n}]" if lang == "zh" else f" [{n}]"


def _units(quote: Quote) -> list[tuple[int, str]]:
    """A citation's clauses, each with the number of the sentence it belongs to."""
    return [(k, sentence[a:b]) for k, sentence in enumerate(quote.sentences) for a, b in clauses(sentence, quote.lang)]


def _join(units: list[tuple[int, str]], trim: bool = True) -> str:
    """Clauses back into text: those of one sentence as they were, sentences as the document joins
    them; ``trim``: without the comma or colon that closes the last (the line's end, not a pause)."""
    by_sentence: dict[int, str] = {}
    for k, clause in units:
        by_sentence[k] = by_sentence.get(k, "") + clause
    text = join_sentences(t.strip() for t in by_sentence.values())
    return clean(text) if trim else text.strip()


def _family(clause: str) -> str | None:
    """Which way a clause numbers a point of a list ('一是' and '二是' are one way), or None."""
    m = _ITEM.match(clause)
    if not m:
        return None
    head = m.group().strip().lower()
    for family, pattern in _FAMILIES:
        if re.match(pattern, head):
            return family
    return head


def _list_line(question: Asked, quotes: list[Quote], lead: str, max_chars: int) -> tuple[str, str] | None:
    """The points of a list, in document order, each with its citation's marker: every clause
    that opens a point numbered the same way ('一是…', '二是…'), with the clauses after it up to
    the next point; None when the cited text holds fewer than two such points. Returns the line
    and the language of its first point."""
    opened: list[tuple[Quote, str, list[tuple[int, str]]]] = []  # (quote, family, its clauses)
    for quote in sorted(quotes, key=lambda q: q.place):
        for k, clause in _units(quote):
            family = _family(clause)
            if family:
                opened.append((quote, family, [(k, clause)]))
            elif opened and opened[-1][0] is quote and opened[-1][2][-1][0] == k:
                opened[-1][2].append((k, clause))  # the point goes on to the end of its sentence
    families = [f for _, f, _ in opened]
    family = max(dict.fromkeys(families), key=families.count, default=None)  # the first of equals
    points = [(quote, _join(units).rstrip("。.")) for quote, f, units in opened if f == family]
    # Points of one list are numbered apart: two '4.' are points of two lists.
    heads = [_ITEM.match(point).group().strip(" ，,、.．)）(（") for _, point in points]
    if len(points) < 2 or len(set(heads)) < len(heads):
        return None
    sep = "；" if question.lang == "zh" else "; "
    last = {quote.n: i for i, (quote, _) in enumerate(points)}
    markers = {n: _marker(n, question.lang) for n in last}
    fixed = len(lead) + sum(map(len, markers.values())) + len(sep) * (len(points) - 1)
    fixed += sum(2 for quote, _ in points if quote.lang != question.lang)
    room = max((max_chars - fixed) // len(points), 6)
    parts = []
    for i, (quote, point) in enumerate(points):
        point = point if len(point) <= room else point[:room - 1] + "…"
        point = point if quote.lang == question.lang else f"“{point}”"
        parts.append(point + (markers[quote.n] if last[quote.n] == i else ""))
    return lead + sep.join(parts), points[0][0].lang


class _Segment:
    """A run of clauses ``a..b`` of one citation, as the line shows it."""

    def __init__(self, quote: Quote, question: Asked, glossary: dict):
        self.quote, self.units = quote, _units(quote)
        self.same, self.question, self.glossary = quote.lang == question.lang, question, glossary
        self.marker = _marker(quote.n, question.lang)
        self.words = [question.matched(clause, quote.lang) for _, clause in self.units]
        self.kind = [question.holds_kind(clause, quote.lang) for _, clause in self.units]
        self.a = self.b = 0
        self.core = (0, 0)  # the clauses that answer, before any are added for room
        self.before = self.after = ""  # parts of the clauses either side, when a whole one has no room
        self.extras = ""  # carry what the question did not ask for too: 'figures', 'terms' (see _carried)

    @property
    def piece(self) -> str:
        # The parts either side join as the text does: 'Vail, who', not 'Vail,who' (a clause's
        # leading space goes with it when it is cut).
        middle = _join(self.units[self.a:self.b + 1], trim=not self.after)  # 'Voes, the first…'
        text = join_sentences(t for t in (self.before.strip(), middle, self.after.strip()) if t)
        return ("…" if self.before else "") + text + ("…" if self.after else "")

    def fill(self, room: int) -> None:
        """Use ``room`` more characters on part of the clause after (else before), cut at a
        word: the answer is often just beside the question's words."""
        if self.b + 1 < len(self.units) and room > MIN_PART:
            self.after = cut(self.units[self.b + 1][1], room - 1, from_end=False)
        if self.a > 0 and room - len(self.after) > MIN_PART:
            self.before = cut(self.units[self.a - 1][1], room - len(self.after) - 1, from_end=True)

    @property
    def whole(self) -> bool:
        return (self.a, self.b) == (0, len(self.units) - 1)

    def score(self, a: int, b: int) -> tuple:
        """How well clauses ``a..b`` answer: whether they state a thing of the kind asked for,
        then the weight of the question's words they hold."""
        return any(self.kind[a:b + 1]), self.question.weigh(set().union(*self.words[a:b + 1]))

    def choose(self, room: int) -> None:
        """The run of clauses that answers best within ``room`` characters (the shortest among
        equals); the first clause when none fits."""
        best = None
        for a in range(len(self.units)):
            for b in range(a, len(self.units)):
                size = sum(len(clause) for _, clause in self.units[a:b + 1])
                if size > room and b > a:
                    break
                key = (size <= room or b == a, *self.score(a, b), -size)
                if best is None or key > best[0]:
                    best = (key, a, b)
        self.a, self.b = self.core = best[1], best[2]

    def render(self, extras: str | None = None, room: int | None = None) -> str:
        """The segment's text: the facts carried over and the (quoted) clauses, then its marker;
        with ``room``, the clauses cut to that many characters around what they state."""
        piece = self.piece
        # The facts come from the clauses that answer, not from those added for room.
        a, b = self.core
        answer = self.units[max(range(a, b + 1), key=lambda i: self.score(i, i))][1]
        extras = self.extras if extras is None else extras
        carried = [] if self.same else _carried(self.question, _join(self.units[a:b + 1]), self.quote.lang,
                                                self.glossary, answer, extras)
        if room is not None:
            while carried and room - len(_render("", "", self.marker, self.same, carried)) < MIN_QUOTE:
                carried = carried[:-1]
            left = room - len(_render("", "", self.marker, self.same, carried))
            piece = shorten(piece, left, where(self.question, piece, left))
        return _render("", piece, self.marker, self.same, carried)

    def grown(self) -> list[tuple[int, int]]:
        """The runs one clause longer: the clause after first, then the one before."""
        return [(a, b) for a, b in ((self.a, self.b + 1), (self.a - 1, self.b)) if 0 <= a and b < len(self.units)]


def _segments(question: Asked, quotes: list[Quote], room: int, glossary: dict) -> list[_Segment]:
    """Per citation, the run of clauses that answers (see :meth:`_Segment.choose`): those that
    state a thing of the kind asked for (a figure for 'how many') first, each group in rank
    order, so the line opens with the answer; a citation other than the first counts only when
    it holds some of the question's words."""
    out = []
    for rank, quote in enumerate(quotes):
        seg = _Segment(quote, question, glossary)
        if seg.units:
            seg.choose(room)
            out.append(((any(seg.kind), -rank), seg))
    out.sort(key=lambda x: x[0], reverse=True)
    return [seg for n, (_, seg) in enumerate(out) if n == 0 or seg.score(seg.a, seg.b)[1] > 0]


def first_line(question: str, lang: str, quotes: list[Quote], lead: str, glossary: dict | None = None,
               idf: dict | None = None, max_chars: int = MAX_CHARS) -> FirstLine:
    """The answer's first line: ``lead``, the answer, its markers; at most ``max_chars`` long.

    A list's points, when the cited text numbers two or more, each cut to its share of the
    line. Otherwise, per citation, the clauses that answer (see :func:`_segments`), as many as
    fit, each grown by the clauses after it, then before it, in turn while the line has room:
    what a clause says about the question's words tends to follow them. Text in the other
    language is quoted, after the figures, dates and glossary terms it states, carried into
    the question's language.

    Args:
        question: the question as asked.
        lang: its language.
        quotes: the answer's citations, best first.
        lead: the words before the answer ('According to the documents: ').
        glossary: the corpus's English phrase -> Chinese terms (its profile).
        idf: the corpus's token -> idf, for weighing the question's words.
        max_chars: the longest line, lead and marker included.

    Returns:
        FirstLine(text, whole, opens): the line, the ``n`` of the citations it quotes in full,
        and the language of the text it opens with.
    """
    q = Asked(question, lang, idf, glossary or {})
    listed = _list_line(q, quotes, lead, max_chars) if quotes else None
    if listed is not None:
        return FirstLine(listed[0], frozenset(), listed[1])
    if not quotes:
        return FirstLine(lead.rstrip(), frozenset())
    sep = "" if lang == "zh" else " "
    segments: list[_Segment] = []

    def fits(candidate: list[_Segment]) -> bool:
        return len(lead + sep.join(seg.render() for seg in candidate)) <= max_chars

    # Room for the clauses themselves: the line less its lead, quotation marks and marker.
    for seg in _segments(q, quotes, max_chars - len(lead) - 6, glossary or {}):
        if not segments or fits(segments + [seg]):
            segments.append(seg)
    first = segments[0]
    while not fits(segments) and first.a < first.b:  # its carried facts take room too
        first.a, first.b = first.core = max(((first.a + 1, first.b), (first.a, first.b - 1)),
                                            key=lambda ab: first.score(*ab))
    # What a quote in the other language states (its figures, dates, names) is what its reader
    # can read: carried over before any room goes to the clauses around it.
    for seg in segments if q.kind not in (kinds.PERSON, kinds.PLACE) else ():  # a name is not a figure
        seg.extras = "figures"
        seg.extras = "figures" if fits(segments) else ""
    # The best citation's clauses grow first, then the others'.
    for seg in segments:
        grew = True
        while grew:
            grew = False
            for a, b in seg.grown():
                old = seg.a, seg.b
                seg.a, seg.b = a, b
                if fits(segments):
                    grew = True
                    break
                seg.a, seg.b = old
    first.fill(max_chars - len(lead + sep.join(seg.render() for seg in segments)))
    while (first.before or first.after) and not fits(segments):  # carried facts grew with the parts
        first.before, first.after = first.before[len(first.before) // 2:], first.after[:len(first.after) // 2]
    if not fits(segments):  # one clause too long: the part of it around what it states,
        # after the figures and dates it states carried over (a reader of the other language
        # reads those, whatever the part of the quote that fits)
        return FirstLine(lead + first.render(extras="figures", room=max_chars - len(lead)), frozenset(),
                         first.quote.lang)
    for seg in segments:  # the names not asked for, where they still fit
        extras, seg.extras = seg.extras, "terms"
        seg.extras = "terms" if fits(segments) else extras
    return FirstLine(lead + sep.join(seg.render() for seg in segments),
                     frozenset(seg.quote.n for seg in segments if seg.whole), segments[0].quote.lang)
