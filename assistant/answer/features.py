"""The signals the answer model reads: per candidate sentence, and per question.

Every signal means the same on any corpus: retrieval scores and their gaps to the best
candidate (scale-free within a question), whether the sentence is in the question's language,
whether it holds the kind of thing asked for (a number, a date, a person, a place, a reason)
beyond what the question states, the figures the question names, the document part it sits
in (an abstract the question does not ask about among them). Question-level signals add how
strongly the best candidate stands out from the whole corpus, how much of the question the
corpus knows at all, and how much of it the best sentences hold when read back from the other
language (:func:`read_back`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from assistant.index.lexical import tokenize
from assistant.index.store import Index
from assistant.ingest.chunks import item_numbers, parts, size
from assistant.language.names import ORG, OTHER, PERSON, PLACE, names
from assistant.language.script import bigrams, detect_lang
from assistant.language.sounds import SoundIndex, keyable
from assistant.language.numbers import dates, values, without_dates
from assistant.question.analysis import QuestionAnalysis
from assistant.question.kinds import DATE, NUMBER, REASON
from assistant.question.kinds import PERSON as ASKS_PERSON
from assistant.question.kinds import PLACE as ASKS_PLACE
from assistant.question.translate import Translator
from assistant.retrieve.hybrid import Passage, Scores

EVIDENCE_FEATURES = (
    "dense", "lexical", "chunk", "dense_gap", "lexical_gap", "chunk_gap", "rank_inv", "dense_rank_inv",
    "lexical_rank_inv", "residual", "residual_rank_inv", "topic_in_sentence", "first_of_doc", "anaphor",
    "bigram", "cross", "cross_dense", "cross_lexical", "previous_lexical", "next_lexical",
    "novel", "nothing_new", "match_number", "match_date", "match_person", "match_place",
    "match_reason", "unmatched", "figures_missing", "heading", "note",
    "part_named", "named_abstract", "named_title", "named_keywords", "named_references", "named_notes",
    "named_introduction", "language_named", "ordinal_match", "label_unasked", "summary_unasked", "length",
    "sounded",
)
ANSWERABLE_FEATURES = (
    "best", "margin", "best_dense", "dense_z", "lexical_max", "best_lexical", "known", "missing", "salient",
    "chunk_coverage", "doc_coverage", "names_in_doc", "names_in_chunk", "figures_missing", "figures_missing_doc",
    "unmatched", "best_unmatched", "title_coverage", "title_dense", "best_title_dense",
    "doc_concentration", "best_residual", "chunk_dense", "chunk_dense_z", "untranslated", "cross_dense",
    "cross_dense_z", "topic", "best_topic", "cross", "cross_best", "read_back", "read_back_top",
)
# The signals by what they mean, for ablations (``calibrate --ablate``): each group names the
# evidence and question-level signals that carry it.
SIGNAL_GROUPS = {
    "dense similarity": ("dense", "dense_gap", "dense_rank_inv", "cross_dense", "best_dense", "dense_z",
                         "chunk_dense", "chunk_dense_z", "cross_dense_z"),
    "lexical coverage": ("lexical", "lexical_gap", "lexical_rank_inv", "cross_lexical", "previous_lexical",
                         "next_lexical", "lexical_max", "best_lexical", "known", "chunk_coverage", "doc_coverage",
                         "read_back", "read_back_top"),
    "beyond the title": ("residual", "residual_rank_inv", "topic_in_sentence", "title_coverage", "best_residual"),
    "phrases": ("bigram",),
    "something new": ("novel", "nothing_new"),
    "kind asked for": ("match_number", "match_date", "match_person", "match_place", "match_reason", "unmatched",
                       "best_unmatched"),
    "figures": ("figures_missing", "figures_missing_doc"),
    "names": ("names_in_doc", "names_in_chunk", "sounded"),
    "words the corpus lacks": ("missing", "salient", "untranslated"),
    "document parts": ("heading", "note", "part_named", "named_abstract", "named_title", "named_keywords",
                       "named_references", "named_notes", "named_introduction", "language_named", "ordinal_match",
                       "label_unasked", "summary_unasked", "first_of_doc", "anaphor", "length"),
    "language": ("cross", "cross_best"),
    "retrieval and rank": ("chunk", "chunk_gap", "rank_inv", "best", "margin"),
    "documents and titles": ("doc_concentration", "title_dense", "best_title_dense", "topic", "best_topic"),
}
# A sentence that opens by referring back to what came before ('它的根部…', 'It flows…').
_ANAPHOR = re.compile(r"^(?:它|他|她|其|该|此|这|那|它们|他们|她们|这些|那些|上述|(?:It|He|She|They|This|These|That|"
                      r"Those|Its|His|Her|Their|Such)\b)")
_REASON = re.compile(r"因为|由于|为了|因此|所以|鉴于|导致|造成|以便|原因|之所以|\bbecause\b|\bsince\b|\bdue to\b|"
                     r"\bin order to\b|\bso that\b|\bowing to\b|\bas a result\b|\bcaused?\b|\bled to\b|\bto\s+\w+",
                     re.I)
# Question kinds whose answer can be recognised in a sentence.
_CHECKABLE = (NUMBER, DATE, ASKS_PERSON, ASKS_PLACE)


class Facts:
    """What each sentence of an index states, worked out once per index (names lazily: the
    Chinese tagger costs about a millisecond a sentence). ``reader``: the corpus's translator
    (the question analyser's, holding its glossary), for reading a sentence back into a
    question's language; a plain dictionary one without it."""

    def __init__(self, index: Index, reader: Translator | None = None):
        self.index = index
        self.reader = reader or Translator(())
        flat = index.flat_sentences
        self.part = parts(index.chunks)
        self.items = item_numbers(index.chunks)
        self.lang = [s.lang for _, s in flat]
        self.heading = np.array([s.heading for _, s in flat], dtype=np.float64)
        self.note = np.array([s.note for _, s in flat], dtype=np.float64)
        self.length = np.array([math.log1p(size(s.text)) for _, s in flat], dtype=np.float64)
        self.tokens = [set(t) for t in index.sentence_tokens]
        self.doc_tokens: dict[str, set] = {}
        for (c, _), tokens in zip(flat, self.tokens):
            self.doc_tokens.setdefault(c.source, set()).update(tokens)
        self.doc_text = {source: text.lower() for source, text in index.documents.items()}
        self._doc_figures: dict[str, frozenset] = {}
        self._doc_sounds: dict[str, SoundIndex] = {}
        # A document's title (its first heading) says what every sentence of it is about.
        self.title_tokens: dict[str, set] = {}
        self.first_of_doc = np.zeros(len(flat))  # a document's opening sentence: often its definition
        self.title_row: dict[str, int] = {}
        self.doc_rows: dict[str, np.ndarray] = {}
        for row, (c, _) in enumerate(flat):
            self.doc_rows.setdefault(c.source, []).append(row)
        self.doc_rows = {k: np.array(v) for k, v in self.doc_rows.items()}
        opened: set[str] = set()
        for row, (c, s) in enumerate(flat):
            if c.source not in self.title_tokens:
                self.title_tokens[c.source] = set(self.tokens[row]) if s.heading else set()
                if s.heading:
                    self.title_row[c.source] = row
            if not s.heading and c.source not in opened:
                opened.add(c.source)
                self.first_of_doc[row] = 1.0

    def doc_sounds(self, source: str) -> SoundIndex:
        """The names a document holds, by their sound (worked out when first asked)."""
        if source not in self._doc_sounds:
            self._doc_sounds[source] = SoundIndex.of([self.index.documents[source]])
        return self._doc_sounds[source]

    def doc_means(self) -> dict[str, np.ndarray]:
        """Each document's mean sentence vector (worked out once)."""
        if not hasattr(self, "_doc_means"):
            vectors = self.index.sentence_vectors
            self._doc_means = {source: vectors[rows].mean(axis=0) for source, rows in self.doc_rows.items()}
        return self._doc_means

    @lru_cache(maxsize=200_000)
    def values(self, row: int) -> frozenset:
        text = self.index.flat_sentences[row][1].text
        return frozenset(values(without_dates(text)))

    @lru_cache(maxsize=200_000)
    def dates(self, row: int) -> frozenset:
        return frozenset(dates(self.index.flat_sentences[row][1].text))

    @lru_cache(maxsize=200_000)
    def figures(self, row: int) -> frozenset:
        """Every number the sentence states, dates included, as values."""
        return frozenset(values(self.index.flat_sentences[row][1].text))

    def doc_figures(self, source: str) -> frozenset:
        if source not in self._doc_figures:
            self._doc_figures[source] = frozenset(values(self.index.documents[source]))
        return self._doc_figures[source]

    @lru_cache(maxsize=200_000)
    def bigrams(self, row: int) -> frozenset:
        return bigrams(self.index.flat_sentences[row][1].text)

    @lru_cache(maxsize=200_000)
    def names(self, row: int, kinds: tuple) -> frozenset:
        return frozenset(names(self.index.flat_sentences[row][1].text, self.lang[row], kinds))

    def holds_new(self, row: int, q: QuestionAnalysis) -> bool:
        """Whether sentence ``row`` holds a thing of the kind the question asks for that the
        question does not state itself."""
        kind = q.kind
        if kind == NUMBER:
            return bool(self.values(row) - q.values)
        if kind == DATE:
            return bool(self.dates(row) - q.dates)
        if kind == ASKS_PERSON:
            kinds = (PERSON, ORG, OTHER)
        elif kind == ASKS_PLACE:
            kinds = (PLACE, ORG)
        elif kind == REASON:
            return bool(_REASON.search(self.index.flat_sentences[row][1].text))
        else:
            return False
        return bool(self.names(row, kinds) - q.names)


# Which document parts a question naming a part may be answered from.
# An abstract's keywords line closes it.
_PART_OF = {"abstract": {"abstract", "keywords"}, "references": {"references"}, "notes": {"notes"},
            "title": {"title", "heading"}, "keywords": {"keywords"}, "introduction": {"introduction"}}


# Parts a question may name that retrieval rarely brings: a title shares few words with
# 'What is the title?', a keywords line few with 'Which keywords…'.
_FETCHED = {"title": {"title", "heading"}, "keywords": {"keywords"}}
_FETCH_DOCS = 2  # documents whose named parts are fetched: those of the best passages


def part_chunks(q: QuestionAnalysis, passages: list[Passage], facts: Facts) -> list[int]:
    """The chunks (by index) holding the parts a question names that retrieval may miss (its
    title, headings, keywords line), in the documents of the best passages; [] when it names none."""
    wanted = set().union(*(_FETCHED.get(p, set()) for p in q.parts))
    if not wanted:
        return []
    docs = list(dict.fromkeys(p.chunk.source for p in passages))[:_FETCH_DOCS]
    index = facts.index
    return list(dict.fromkeys(int(index.sentence_chunk[row]) for source in docs for row in facts.doc_rows[source]
                              if facts.part[row] in wanted))


def candidates(passages: list[Passage]) -> list[tuple[Passage, int]]:
    """Every (passage, sentence position) of the retrieved passages."""
    return [(p, i) for p in passages for i in range(len(p.chunk.sentences))]


def evidence_matrix(q: QuestionAnalysis, passages: list[Passage], facts: Facts) -> np.ndarray:
    """One row of ``EVIDENCE_FEATURES`` per candidate sentence, in :func:`candidates` order."""
    cands = candidates(passages)
    if not cands:
        return np.zeros((0, len(EVIDENCE_FEATURES)))
    dense = np.array([p.sentence_dense[i] for p, i in cands])
    lexical = np.array([p.sentence_lexical[i] for p, i in cands])
    chunk = np.array([p.score for p, _ in cands])
    rows = np.array([p.first + i for p, i in cands])
    terms = q.all_terms
    named_parts = set().union(*(_PART_OF[p] for p in q.parts)) if q.parts else set()
    checkable = q.kind in _CHECKABLE
    residual = _residual(q, cands, rows, facts)
    residual_rank = np.empty(len(cands))
    residual_rank[np.argsort(-residual, kind="stable")] = np.arange(1, len(cands) + 1)
    dense_rank = np.empty(len(cands))
    dense_rank[np.argsort(-dense, kind="stable")] = np.arange(1, len(cands) + 1)
    lexical_rank = np.empty(len(cands))
    lexical_rank[np.argsort(-lexical, kind="stable")] = np.arange(1, len(cands) + 1)
    # The question's names of the other script than a document's, as the document writes them by sound.
    sounded: dict[str, list[tuple[str, ...]]] = {}
    for p, _ in cands:
        doc = p.chunk.source
        if doc not in sounded:
            other = [name for name, _, _ in q.name_forms if detect_lang(name) != p.chunk.lang]
            sounds = facts.doc_sounds(doc) if other else None
            sounded[doc] = [w for name in other for w in (sounds.written_for(name),) if w]
    out = np.zeros((len(cands), len(EVIDENCE_FEATURES)))
    for k, ((p, i), row) in enumerate(zip(cands, rows)):
        cross = float(facts.lang[row] != q.lang)
        lex = p.sentence_lexical
        previous, following = lex[i - 1] if i > 0 else 0.0, lex[i + 1] if i + 1 < len(lex) else 0.0
        phrase = len(q.bigrams & facts.bigrams(row)) / len(q.bigrams) if q.bigrams and not cross else 0.0
        tokens = facts.tokens[row]
        novel = len(tokens - terms) / len(tokens) if tokens else 0.0
        new = facts.holds_new(row, q) if q.kind != "other" else False
        held = len(q.figures & facts.figures(row)) / len(q.figures) if q.figures else 1.0
        part = facts.part[row]
        out[k] = (
            dense[k], lexical[k], chunk[k], dense[k] - dense.max(), lexical[k] - lexical.max(), chunk[k] - chunk.max(),
            1.0 / p.rank, 1.0 / dense_rank[k], 1.0 / lexical_rank[k], residual[k], 1.0 / residual_rank[k],
            _topic_share(q, facts.title_tokens[p.chunk.source], facts.tokens[row]), facts.first_of_doc[row],
            float(bool(_ANAPHOR.match(p.chunk.sentences[i].text))), phrase, cross, cross * dense[k],
            cross * lexical[k], previous, following, novel, float(novel < 0.15 and not cross),
            float(new and q.kind == NUMBER), float(new and q.kind == DATE), float(new and q.kind == ASKS_PERSON),
            float(new and q.kind == ASKS_PLACE), float(new and q.kind == REASON), float(checkable and not new),
            1.0 - held, facts.heading[row], facts.note[row], float(part in named_parts),
            *(float(name in q.parts and part in _PART_OF[name])
              for name in ("abstract", "title", "keywords", "references", "notes", "introduction")),
            float(facts.lang[row] in q.languages), float(bool(q.ordinals & set(facts.items[row]) - {0})),
            float(part == "keywords" and "keywords" not in q.parts),
            # An abstract restates the body in brief: where the body holds the detail, it is the evidence.
            float(part == "abstract" and "abstract" not in q.parts), facts.length[row] / 5.0,
            _sounded_in(sounded[p.chunk.source], p.chunk.sentences[i].text),
        )
    return out


@dataclass(frozen=True)
class Spread:
    """How one question's scores spread over the whole corpus: the best against the rest, and
    how close the question comes to each document's title."""

    dense_max: float
    dense_mean: float
    dense_std: float
    lexical_max: float
    title_dense: dict  # document -> cosine of the question to its title
    chunk_dense_max: float = 0.0
    chunk_dense_mean: float = 0.0
    chunk_dense_std: float = 1.0
    topic: dict = None  # document -> cosine of the question to the mean of its sentences

    @classmethod
    def of(cls, scores: Scores, facts: "Facts") -> "Spread":
        d = scores.sentence_dense
        c = scores.chunk_dense
        if scores.query is None:  # every cosine is at hand
            titles = {source: float(d[row]) for source, row in facts.title_row.items()}
            # The mean of unit vectors dotted with the query is the mean of the cosines.
            topic = {source: float(d[rows].mean()) for source, rows in facts.doc_rows.items()}
            moments = {"sentence": (float(d.mean()), float(d.std())), "chunk": (float(c.mean()), float(c.std()))}
        else:  # only the candidates' are: the rest from the vectors themselves
            vectors = facts.index.sentence_vectors
            titles = {source: float(vectors[row] @ scores.query) for source, row in facts.title_row.items()}
            topic = {source: float(mean @ scores.query) for source, mean in facts.doc_means().items()}
            moments = scores.moments
        (s_mean, s_std), (c_mean, c_std) = moments["sentence"], moments["chunk"]
        return cls(float(d.max()), s_mean, s_std or 1.0, float(scores.sentence_lexical.max()),
                   titles, float(c.max()), c_mean, c_std or 1.0, topic)


def coverage(q: QuestionAnalysis, tokens: set, idf: dict) -> float:
    """The share of the question's term weight that a set of tokens holds, by its better view."""
    return max((sum(w * idf.get(t, 0.0) for t, w in terms.items() if t in tokens) / bound
                for terms, bound in q.views), default=0.0)


def _residual(q: QuestionAnalysis, cands, rows, facts: Facts) -> np.ndarray:
    """Per candidate, the share of the question's term weight it holds among the terms its
    document's title does not already name: what the question asks about the topic, not the
    topic itself (every sentence of an article on the topic is about it)."""
    idf = facts.index.sentence_bm25.idf
    out = np.zeros(len(cands))
    for k, ((p, _), row) in enumerate(zip(cands, rows)):
        title, tokens = facts.title_tokens[p.chunk.source], facts.tokens[row]
        best = 0.0
        for terms, _ in q.views:
            rest = {t: w * idf.get(t, 0.0) for t, w in terms.items() if t not in title}
            total = sum(rest.values())
            if total > 0:
                best = max(best, sum(v for t, v in rest.items() if t in tokens) / total)
        out[k] = best
    return out


def _topic_share(q: QuestionAnalysis, title: set, tokens: set) -> float:
    """The share of the question's terms its document's title names that the sentence repeats."""
    topic = {t for terms, _ in q.views for t in terms if t in title}
    return len(topic & tokens) / len(topic) if topic else 0.0


def answerable_vector(q: QuestionAnalysis, passages: list[Passage], spread: Spread, evidence_logits: np.ndarray,
                      x: np.ndarray, facts: Facts) -> np.ndarray:
    """The ``ANSWERABLE_FEATURES`` of a question, given its candidates' features ``x`` and
    their evidence logits."""
    if len(evidence_logits) == 0:
        return np.zeros(len(ANSWERABLE_FEATURES))
    order = np.argsort(-evidence_logits, kind="stable")
    best = int(order[0])
    second = evidence_logits[order[1]] if len(order) > 1 else evidence_logits[best] - 5.0
    col = {name: j for j, name in enumerate(EVIDENCE_FEATURES)}
    cands = candidates(passages)
    p, i = cands[best]
    # The figures a question names, looked for in the chunks of its three best candidates: a
    # figure in a close second still makes the question answerable.
    chunk_figures = set().union(*(facts.figures(c.first + j) for k in order[:3] for c in (cands[k][0],)
                                  for j in range(len(c.chunk.sentences))))
    missing_figures = len(q.figures - chunk_figures) / len(q.figures) if q.figures else 0.0
    missing_in_doc = len(q.figures - facts.doc_figures(p.chunk.source)) / len(q.figures) if q.figures else 0.0
    top = order[:3]
    # Of the three best candidates, those in the other language read back into the question's words.
    read_backs = [read_back(q, cands[k][0].chunk.sentences[cands[k][1]].text, facts.reader,
                            facts.tokens[cands[k][0].first + cands[k][1]]) if x[k, col["cross"]] else 0.0
                  for k in top]
    unmatched = float(q.kind in _CHECKABLE and all(x[k, col["unmatched"]] > 0 for k in top))
    cross = x[best, col["cross"]]
    idf = facts.index.sentence_bm25.idf
    chunk_rows = [p.first + j for j in range(len(p.chunk.sentences))]
    chunk_tokens = set().union(*(facts.tokens[r] for r in chunk_rows))
    chunk_text = p.chunk.clean.lower()
    doc = p.chunk.source
    return np.array([
        evidence_logits[best], evidence_logits[best] - second, x[best, col["dense"]],
        (spread.dense_max - spread.dense_mean) / spread.dense_std, spread.lexical_max,
        x[best, col["lexical"]], q.known, min(len(q.missing), 3) / 3.0, min(len(q.salient), 2) / 2.0,
        coverage(q, chunk_tokens, idf), coverage(q, facts.doc_tokens[doc], idf),
        names_found(q, facts.doc_text[doc], facts.doc_tokens[doc], p.chunk.lang, facts.doc_sounds(doc)),
        names_found(q, chunk_text, chunk_tokens, p.chunk.lang, SoundIndex.of([p.chunk.clean])),
        missing_figures, missing_in_doc, unmatched, float(x[best, col["unmatched"]] > 0),
        coverage(q, facts.title_tokens[doc], idf), spread.title_dense.get(doc, 0.0),
        max(spread.title_dense.values(), default=0.0), _concentration(passages, doc), x[best, col["residual"]],
        p.dense, (spread.chunk_dense_max - spread.chunk_dense_mean) / spread.chunk_dense_std,
        min(len(q.untranslated), 3) / 3.0, cross * x[best, col["dense"]],
        cross * (spread.dense_max - spread.dense_mean) / spread.dense_std,
        (max(spread.topic.values()) - spread.dense_mean) / spread.dense_std,
        (spread.topic[doc] - spread.dense_mean) / spread.dense_std, cross,
        cross * evidence_logits[best],
        read_backs[0], max(read_backs),
    ])


def read_back(q: QuestionAnalysis, text: str, reader: Translator | None = None,
              tokens: set | None = None) -> float:
    """The share of the question's own words that a sentence in the other language holds, read
    back into the question's language: the sentence's words through the dictionaries (the
    English word list and CC-CEDICT, or CC-CEDICT forwards) and the glossary, kept where they
    land on one of the question's words. It checks the question's translation from the other
    side, with the other dictionary: a question about something the corpus lacks shares a few
    generic words with its best sentence, one it answers most of its own. ``reader``: a
    translator holding the corpus's glossary (:attr:`Facts.reader`); ``tokens``: the sentence's
    search tokens when at hand.

    >>> from assistant.index.lexical import BM25, tokenize
    >>> from assistant.question.analysis import Analyzer
    >>> q = Analyzer(BM25([tokenize("x")], ["en"]).idf).analyze("港口有多少？", "zh")
    >>> read_back(q, "The port handles many ships."), read_back(q, "The river is long.")
    (1.0, 0.0)
    """
    words = [t for t in q.terms if not t[0].isdigit() and (len(t) > 1 or t.isascii())]
    if not words:
        return 1.0
    translator = (reader or Translator(())).with_vocabulary(set(words))  # its glossary, the question's words
    # Latin words and figures a Chinese question quotes ('NFL') match as they are.
    read = translator.to_zh(text) if q.lang == "zh" else translator.to_en(text)
    reached = set(tokenize(text) if tokens is None else tokens) | set(read.terms)
    return sum(w in reached for w in words) / len(words)


def _concentration(passages: list[Passage], doc: str) -> float:
    """How much of the retrieved list (rank-weighted) comes from the best evidence's document: a
    question about a document's topic retrieves several of its passages, one about nothing in
    the corpus scatters."""
    weights = [1.0 / p.rank for p in passages]
    return sum(w for p, w in zip(passages, weights) if p.chunk.source == doc) / sum(weights) if weights else 0.0


def _sounded_in(forms: list[tuple[str, ...]], text: str) -> float:
    """The share of names (each as the ways its document writes it) that a sentence writes."""
    if not forms:
        return 0.0
    lowered = text.lower()
    return sum(any(re.search(rf"(?<![a-z]){re.escape(w)}(?![a-z])", lowered) for w in ways) for ways in forms) / len(forms)


def names_found(q: QuestionAnalysis, text: str, tokens: set, lang: str, sounds: SoundIndex | None = None) -> float:
    """The share of the question's names that a text (in ``lang``) holds, as written, through
    their translation, or (a name no dictionary translates) written by sound in the text's
    script (``sounds``: the text's names). A name that none of these can look for is left out;
    1.0 when none can be."""
    seen = []
    for name, forms, translatable in q.name_forms:
        other_script = detect_lang(name) != lang
        if name.lower() in text or any(f in tokens for f in forms):
            seen.append(True)
        elif sounds is not None and other_script and sounds.holds(name):
            seen.append(True)
        elif forms or translatable or not other_script or (sounds is not None and keyable(name)):
            seen.append(False)
    return sum(seen) / len(seen) if seen else 1.0
