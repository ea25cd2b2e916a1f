"""Read the source documents: every .md/.txt file under the corpus folder."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import CorpusError

SUFFIXES = (".md", ".txt")


@dataclass(frozen=True)
class Document:
    """One source file, decoded.

    ``source`` is the path relative to the corpus folder (what citations show);
    ``text`` is the decoded text every offset points into.
    """

    source: str
    text: str
    encoding: str
    sha256: str


def decode(data: bytes, name: str) -> tuple[str, str]:
    """Decode UTF-8 (with or without BOM) or GB18030.

    Returns:
        (text, encoding name).

    Raises:
        CorpusError: naming the file and the first byte offset that fits none.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        candidates = ("utf-8-sig",)
    else:
        candidates = ("utf-8", "gb18030")
    first_error: UnicodeDecodeError | None = None
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            first_error = first_error or exc
            continue
        # Normalise line ends so offsets mean the same on every platform.
        return text.replace("\r\n", "\n").replace("\r", "\n"), encoding
    assert first_error is not None
    raise CorpusError(
        f"{name}: cannot decode byte {first_error.start} (0x{data[first_error.start]:02x}) as "
        f"UTF-8 or GB18030; re-save the file as UTF-8"
    )


def read_document(path: Path, root: Path) -> Document:
    """Read one file; ``root`` makes the citation name relative."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CorpusError(f"{path}: cannot read ({exc.strerror}); check the file's permissions") from None
    text, encoding = decode(data, str(path))
    if not text.strip():
        raise CorpusError(f"{path}: the file is empty; add text or remove it from the corpus")
    return Document(
        source=path.relative_to(root).as_posix(),
        text=text,
        encoding=encoding,
        sha256=hashlib.sha256(data).hexdigest(),
    )


def corpus_files(root: Path) -> list[Path]:
    """The indexable files under ``root``, sorted, hidden files skipped."""
    root = Path(root)
    if not root.is_dir():
        raise CorpusError(f"corpus folder {root} does not exist; pass --corpus DIR with .md/.txt files")
    files = sorted(
        p for p in root.rglob("*")
        if p.is_file() and p.suffix.lower() in SUFFIXES
        and not any(part.startswith(".") for part in p.relative_to(root).parts)
    )
    if not files:
        raise CorpusError(f"corpus folder {root} has no .md or .txt files; add documents or pass --corpus DIR")
    return files


def load_corpus(root: Path) -> list[Document]:
    """All documents under ``root`` in a stable order."""
    root = Path(root)
    return [read_document(p, root) for p in corpus_files(root)]


def corpus_hash(root: Path) -> str:
    """A content hash of the corpus: changes when any file is added, removed or edited."""
    root = Path(root)
    digest = hashlib.sha256()
    for path in corpus_files(root):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()
