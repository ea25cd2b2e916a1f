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


def _escapes(path: Path, root: Path) -> bool:
    """Whether a file (through a symbolic link, itself or a folder on its way) lies outside ``root``."""
    try:
        path.resolve().relative_to(root.resolve())
    except (ValueError, OSError):
        return True
    return False


def corpus_files(root: Path, refused: list[str] | None = None) -> list[Path]:
    """The indexable files under ``root``, sorted; hidden files are skipped, and so is any file
    that resolves outside ``root`` (a symbolic link to ``/etc/passwd`` must not be served).

    Args:
        root: the corpus folder.
        refused: when given, a message naming each file refused for leaving the folder is
            appended to it.
    """
    root = Path(root)
    if not root.is_dir():
        raise CorpusError(f"corpus folder {root} does not exist; pass --corpus DIR with .md/.txt files")
    files = []
    for p in sorted(root.rglob("*")):
        if p.suffix.lower() not in SUFFIXES or any(part.startswith(".") for part in p.relative_to(root).parts):
            continue
        if _escapes(p, root):
            if refused is not None:
                refused.append(f"{p.relative_to(root).as_posix()}: skipped, it links outside the corpus folder "
                               f"(to {p.resolve()})")
            continue
        if p.is_file():
            files.append(p)
    if not files:
        raise CorpusError(f"corpus folder {root} has no .md or .txt files; add documents or pass --corpus DIR")
    return files


def load_corpus(root: Path, refused: list[str] | None = None) -> list[Document]:
    """All documents under ``root`` in a stable order (see :func:`corpus_files` for ``refused``)."""
    root = Path(root)
    return [read_document(p, root) for p in corpus_files(root, refused)]


def documents_hash(documents: list[Document]) -> str:
    """The content hash of exactly these documents (names and bytes as read)."""
    digest = hashlib.sha256()
    for doc in documents:
        digest.update(doc.source.encode())
        digest.update(bytes.fromhex(doc.sha256))
    return digest.hexdigest()


def corpus_hash(root: Path) -> str:
    """A content hash of the corpus as it is now on disk: changes when any file is added,
    removed or edited. Equal to :func:`documents_hash` of the documents read from it."""
    root = Path(root)
    digest = hashlib.sha256()
    for path in corpus_files(root):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()
