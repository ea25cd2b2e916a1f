"""No corpus in the code: nothing under assistant/ may name the seed paper's phrases, figures,
lists or author. What belongs to one corpus lives beside it (corpus/profile.json, its glossary)."""

import re

from samples import PAPER, ROOT

PACKAGE = ROOT / "assistant"
HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
# Han windows of this length that also occur in the paper are its phrases; shorter ones are
# words any Chinese text has (参考文献, 关键词, 中图分类号).
HAN_WINDOW = 6
STOP = set("a an the of to in on at for by and or is are was were be it its this that with as from into".split())


def _han_windows(text: str, n: int = HAN_WINDOW) -> set[str]:
    return {run[i:i + n] for run in HAN.findall(text) for i in range(len(run) - n + 1)}


def _english_windows(text: str) -> set[tuple[str, ...]]:
    """Three-word windows with at least two content words ('belt and road', 'freight trains departed')."""
    words = re.findall(r"[a-z]+", text.lower())
    return {tuple(words[i:i + 3]) for i in range(len(words) - 2)
            if sum(w not in STOP and len(w) > 2 for w in words[i:i + 3]) >= 2}


def _figures(text: str) -> set[str]:
    """Figures a corpus has and code has no business knowing: decimals like 23.6 or 396.3."""
    return set(re.findall(r"(?<![\d.])[1-9]\d*\.\d+(?![\d.])", text))


def _code() -> dict[str, str]:
    return {str(p.relative_to(ROOT)): p.read_text(encoding="utf-8") for p in sorted(PACKAGE.rglob("*.py"))}


def test_no_phrase_of_the_seed_paper_in_the_package():
    paper = PAPER.read_text(encoding="utf-8")
    zh, en, figures = _han_windows(paper), _english_windows(paper), _figures(paper)
    found = {}
    for name, source in _code().items():
        hits = sorted(_han_windows(source) & zh) + [" ".join(w) for w in sorted(_english_windows(source) & en)]
        hits += sorted(_figures(source) & figures - {"0.5", "1.0", "2.0", "2.5"})
        if hits:
            found[name] = hits[:8]
    assert not found, f"phrases of the seed paper in the code (move them to corpus data): {found}"


def test_no_author_or_title_of_the_seed_paper_in_the_package():
    names = ("陈甬军", "Chen Yongjun", "Yongjun", "向新而行", "Belt and Road", "一带一路", "十五五")
    found = {name: n for name, source in _code().items() for n in names if n.lower() in source.lower()}
    assert not found, found


def test_the_check_would_catch_a_phrase():
    paper = PAPER.read_text(encoding="utf-8")
    assert _han_windows("示例：2025年中欧（亚）班列发车数达到12000列。") & _han_windows(paper)
    assert _english_windows("the Belt and Road initiative") & _english_windows(paper)
