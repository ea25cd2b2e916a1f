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
    with pytest.raises(CorpusError, match="no .md, .txt, .pdf, .docx or .html files"):
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


def test_one_bad_file_is_skipped_with_a_message_and_the_rest_is_read(tmp_path: Path):
    from assistant.ingest.read import read_corpus

    (tmp_path / "good.md").write_text("长江是亚洲第一长河。", encoding="utf-8")
    (tmp_path / "empty.md").write_text(" \n", encoding="utf-8")
    (tmp_path / "nul.txt").write_bytes(b"\x00" * 64)
    (tmp_path / "bad.md").write_bytes(b"ok \xff\xfe\xff\xff")
    (tmp_path / "paper.pdf").write_bytes(b"%PDF-1.7")
    (tmp_path / "notes.docx").write_bytes(b"PK")
    (tmp_path / "slides.pptx").write_bytes(b"PK\x03\x04")
    (tmp_path / "scan.tiff").write_bytes(b"II*\x00")
    (tmp_path / "profile.json").write_text("{}", encoding="utf-8")  # corpus data, not a document
    read = read_corpus(tmp_path)
    assert [d.source for d in read.documents] == ["good.md"]
    text = "\n".join(read.warnings)
    assert "empty.md: the file is empty" in text and "nul.txt: holds NUL bytes" in text
    assert "bad.md: cannot decode byte 3" in text
    assert "paper.pdf: the PDF is damaged" in text and "notes.docx: is not a Word (.docx) file" in text
    assert "2 file(s) of a type not read (only .md, .txt, .pdf, .docx, .html): scan.tiff, slides.pptx" in text
    assert "profile.json" not in text


def test_latin1_text_is_not_read_as_chinese(tmp_path: Path):
    from assistant.ingest.read import read_corpus

    (tmp_path / "fr.txt").write_bytes("Les données du réseau sont mises à jour chaque année.".encode("latin-1"))
    read = read_corpus(tmp_path)
    doc = read.documents[0]
    assert doc.encoding == "cp1252" and "données" in doc.text and "réseau" in doc.text
    assert any("fr.txt: read as Windows-1252" in w for w in read.warnings)
    # Real GB18030 Chinese with a few Latin words stays Chinese.
    (tmp_path / "fr.txt").write_bytes("使用Python和C语言编写的程序。".encode("gb18030"))
    assert read_corpus(tmp_path).documents[0].encoding == "gb18030"


def test_the_hash_covers_every_candidate_file_read_or_not(tmp_path: Path):
    from assistant.ingest.read import read_corpus

    (tmp_path / "a.md").write_text("一", encoding="utf-8")
    (tmp_path / "b.md").write_text(" ", encoding="utf-8")  # skipped, yet a change to it is a change
    assert read_corpus(tmp_path).hash == corpus_hash(tmp_path)
    (tmp_path / "b.md").write_text("二", encoding="utf-8")
    assert read_corpus(tmp_path).hash == corpus_hash(tmp_path) != read_corpus.__defaults__
