from pathlib import Path

import pytest

from assistant.ingest.read import corpus_hash, decode, load_corpus
from assistant.errors import CorpusError


def test_reads_utf8_bom_and_gb18030(tmp_path: Path):
    (tmp_path / "a.md").write_bytes("中文 UTF-8".encode("utf-8"))
    (tmp_path / "b.txt").write_bytes("\ufeff带BOM".encode("utf-8"))
    (tmp_path / "c.txt").write_bytes("国标编码的文件".encode("gb18030"))
    (tmp_path / "ignored.pdf").write_bytes(b"%PDF")
    docs = {d.source: d for d in load_corpus(tmp_path)}
    assert set(docs) == {"a.md", "b.txt", "c.txt"}
    assert docs["b.txt"].text == "带BOM" and docs["b.txt"].encoding == "utf-8-sig"
    assert docs["c.txt"].text == "国标编码的文件" and docs["c.txt"].encoding == "gb18030"


def test_undecodable_file_names_file_and_offset(tmp_path: Path):
    (tmp_path / "bad.md").write_bytes(b"ok text \xff\xfe\xff\xff")
    with pytest.raises(CorpusError, match=r"bad\.md: cannot decode byte 8"):
        load_corpus(tmp_path)


def test_crlf_is_normalised():
    assert decode("a\r\nb".encode(), "x")[0] == "a\nb"


def test_empty_folder_and_missing_folder(tmp_path: Path):
    with pytest.raises(CorpusError, match="no .md or .txt files"):
        load_corpus(tmp_path)
    with pytest.raises(CorpusError, match="does not exist"):
        load_corpus(tmp_path / "nope")


def test_empty_file_is_an_error(tmp_path: Path):
    (tmp_path / "empty.md").write_text("  \n", encoding="utf-8")
    with pytest.raises(CorpusError, match="empty"):
        load_corpus(tmp_path)


def test_corpus_hash_changes_with_content(tmp_path: Path):
    (tmp_path / "a.md").write_text("一", encoding="utf-8")
    before = corpus_hash(tmp_path)
    (tmp_path / "a.md").write_text("二", encoding="utf-8")
    assert corpus_hash(tmp_path) != before
