"""Shared fixtures: a small mixed Chinese/English corpus with the fake embedder, the real
paper with the real default model (built once per session), and the chat served over it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from samples import SMALL_ZH


@pytest.fixture
def small_corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "small.md").write_text(SMALL_ZH, encoding="utf-8")
    return corpus


@pytest.fixture
def fake_settings(tmp_path: Path, small_corpus: Path):
    from assistant.settings import Settings

    return Settings(corpus_dir=small_corpus, index_root=tmp_path / "index", embedder="hash")


@pytest.fixture(scope="session")
def real_bot(tmp_path_factory):
    """The real default embedder over the real paper, index built in a temporary folder."""
    from assistant import Assistant, Settings

    root = tmp_path_factory.mktemp("real-index")
    return Assistant.load(Settings(index_root=root), progress=False, log=lambda *_: None)


@pytest.fixture(scope="module")
def chat_url(real_bot):
    """The chat app over the real index, served on 127.0.0.1 for one test module."""
    from samples import serve_chat

    yield from serve_chat(real_bot)
