"""A corpus's own data: what belongs to one collection of documents and is not text to index.

A corpus folder may hold ``profile.json`` beside its documents::

    {"title": {"zh": "…", "en": "…"},          # the chat's heading
     "subtitle": {"zh": "…", "en": "…"},
     "noun": {"zh": "论文", "en": "the paper"},   # what answers call the corpus (default: the documents)
     "examples": ["…", "…"],                     # example questions in the chat
     "glossaries": ["glossary.tsv"]}             # English phrase<TAB>中文词|中文词 files, beside it

Every field is optional, and so is the file: a corpus without one gets general defaults. Only
``.md`` and ``.txt`` files are documents, so the profile and its glossaries are never indexed.

>>> Profile.load(Path("/nonexistent")).noun("en")
'the documents'
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from assistant.errors import CorpusError

PROFILE = "profile.json"
DEFAULT_NOUN = {"zh": "文档", "en": "the documents"}
ONE_DOCUMENT = {"zh": "该文档", "en": "the document"}
DEFAULT_TITLE = {"zh": "文档问答", "en": "Ask the documents"}
DEFAULT_SUBTITLE = {"zh": "用中文或英文提问，答案引用原文", "en": "Ask in Chinese or English; every answer cites its sources"}


@dataclass(frozen=True)
class Profile:
    """What one corpus brings besides its text.

    Shape: ``Profile(title={'zh': …, 'en': …}, subtitle={…}, nouns={'zh': '论文', 'en': 'the paper'},
    examples=('…',), glossary={'port': ('港口',)}, path=Path('corpus/profile.json'))``
    """

    title: dict = field(default_factory=lambda: dict(DEFAULT_TITLE))
    subtitle: dict = field(default_factory=lambda: dict(DEFAULT_SUBTITLE))
    nouns: dict = field(default_factory=lambda: dict(DEFAULT_NOUN))
    examples: tuple[str, ...] = ()
    glossary: dict = field(default_factory=dict)  # English phrase -> tuple of Chinese terms
    path: Path | None = None

    def for_documents(self, count: int) -> "Profile":
        """This profile for a corpus of ``count`` documents: replies speak of 'the document'
        when there is one and the profile does not name it otherwise."""
        from dataclasses import replace

        if count == 1 and self.nouns == DEFAULT_NOUN:
            return replace(self, nouns=dict(ONE_DOCUMENT))
        return self

    def noun(self, lang: str) -> str:
        """What replies call the corpus, in ``lang``: 'the documents' unless the profile says."""
        return self.nouns.get(lang) or DEFAULT_NOUN[lang]

    @classmethod
    def load(cls, corpus_dir: Path) -> "Profile":
        """The profile of a corpus folder, or the defaults when it has none.

        Raises:
            CorpusError: a profile or glossary that exists but cannot be read, naming the file.
        """
        path = Path(corpus_dir) / PROFILE
        if not path.is_file():
            return cls()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CorpusError(f"{path}: cannot read the corpus profile ({exc}); fix the JSON or remove the file") \
                from None
        if not isinstance(data, dict):
            raise CorpusError(f"{path}: the corpus profile must be a JSON object")
        glossary: dict[str, tuple[str, ...]] = {}
        for name in data.get("glossaries", []):
            for en, zh in read_glossary(path.parent / name).items():
                glossary[en] = tuple(dict.fromkeys(glossary.get(en, ()) + zh))
        texts = {key: _texts(data, key, path) for key in ("title", "subtitle", "noun")}
        return cls(title={**DEFAULT_TITLE, **texts["title"]}, subtitle={**DEFAULT_SUBTITLE, **texts["subtitle"]},
                   nouns={**DEFAULT_NOUN, **texts["noun"]},
                   examples=tuple(str(e) for e in data.get("examples", []) if str(e).strip()),
                   glossary=glossary, path=path)


def _texts(data: dict, key: str, path: Path) -> dict:
    value = data.get(key, {})
    if not isinstance(value, dict) or not all(k in ("zh", "en") and isinstance(v, str) for k, v in value.items()):
        raise CorpusError(f"{path}: '{key}' must be an object like {{\"zh\": \"…\", \"en\": \"…\"}}")
    return value


def read_glossary(path: Path) -> dict[str, tuple[str, ...]]:
    """English phrase (lowercased) -> Chinese terms, from a ``phrase<TAB>词|词`` file ('#' lines
    are comments).

    Raises:
        CorpusError: the file is missing or unreadable.
    """
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise CorpusError(f"{path}: cannot read the glossary the corpus profile lists ({exc})") from None
    out: dict[str, tuple[str, ...]] = {}
    for line in lines:
        if line and not line.startswith("#") and "\t" in line:
            en, zh = line.split("\t", 1)
            terms = tuple(t.strip() for t in zh.split("|") if t.strip())
            key = en.strip().lower()
            out[key] = tuple(dict.fromkeys(out.get(key, ()) + terms))
    return out
