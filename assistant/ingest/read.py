"""Read the source documents: every .md/.txt file under the corpus folder, and the text of
every PDF, Word (.docx) and HTML file (``formats.py``).

A file that cannot be used is skipped with a message naming it (empty, not text, in an
encoding none of ours reads, unreadable, linking outside the folder, of another type), and the
rest is read: one bad file never blocks a corpus. Only a corpus with no readable document is
an error.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from assistant.errors import CorpusError
from assistant.ingest.formats import FORMATS, extract

SUFFIXES = (".md", ".txt") + FORMATS
# Files a corpus folder may hold beside its documents (its profile, glossaries, answer model).
CORPUS_DATA = (".json", ".tsv")
# A Han character between two Latin letters ('donn閑s'): Latin-1 bytes read as GB18030.
_SANDWICHED = re.compile(r"(?<=[A-Za-z])[\u3400-\u9fff](?=[A-Za-z])")


@dataclass(frozen=True)
class Document:
    """One source file, decoded.

    ``source`` is the path relative to the corpus folder (what citations show);
    ``text`` is the decoded (or, for PDF, Word and HTML, extracted) text every offset points
    into; ``pages`` the offset in ``text`` where each page begins, for paged formats (PDF).
    """

    source: str
    text: str
    encoding: str
    sha256: str
    pages: tuple[int, ...] = ()

    def page_at(self, offset: int) -> int | None:
        """The 1-based page holding ``offset``, or None for a document without pages."""
        return page_at(self.pages, offset)


def page_at(pages, offset: int) -> int | None:
    """The 1-based page of ``offset`` given each page's first offset (None when there are none)."""
    if not pages:
        return None
    from bisect import bisect_right

    return max(1, bisect_right(pages, offset))


@dataclass
class CorpusRead:
    """What reading a corpus folder gave: its documents, a message for each file skipped or
    read with a warning, and the hash of exactly the bytes read (every candidate file, used or
    not, so that a file changed after it was read shows as a change)."""

    documents: list[Document]
    warnings: list[str] = field(default_factory=list)
    hash: str = ""


def decode(data: bytes, name: str) -> tuple[str, str]:
    """Decode UTF-8 (with or without BOM) or GB18030; text that GB18030 only seems to read
    (Latin-1 letters turned into Han characters between Latin ones), or that neither reads but
    that looks like accented Western text, is read as Windows-1252.

    Returns:
        (text, encoding name).

    Raises:
        CorpusError: naming the file and the first byte offset that fits none.

    >>> decode("données".encode("latin-1"), "x")
    ('données', 'cp1252')
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
        if encoding == "gb18030" and _latin1_in_disguise(text):
            latin = data.decode("cp1252", errors="replace")
            if _plausible_latin(latin):
                text, encoding = latin, "cp1252"
        # Normalise line ends so offsets mean the same on every platform.
        return text.replace("\r\n", "\n").replace("\r", "\n"), encoding
    assert first_error is not None
    latin = data.decode("cp1252", errors="replace")
    if _plausible_latin(latin):
        return latin.replace("\r\n", "\n").replace("\r", "\n"), "cp1252"
    raise CorpusError(
        f"{name}: cannot decode byte {first_error.start} (0x{data[first_error.start]:02x}) as "
        f"UTF-8 or GB18030; re-save the file as UTF-8"
    )


_ACCENTED = re.compile(r"[\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff]")
_WESTERN_PUNCTUATION = set("«»…–—‘’“”€£°·")


def _plausible_latin(text: str) -> bool:
    """Whether bytes read as Windows-1252 look like a Western European text: every non-ASCII
    character an accented letter next to a Latin letter, or common punctuation."""
    letters = sum(c.isascii() and c.isalpha() for c in text)
    odd = [i for i, c in enumerate(text) if not c.isascii()]
    if not odd or len(odd) > 0.3 * max(letters, 1) or re.search(r"[^\x00-\x7f]{3}", text):
        return False
    for i in odd:
        c = text[i]
        if c in _WESTERN_PUNCTUATION:
            continue
        near = text[max(0, i - 1):i] + text[i + 1:i + 2]
        # An accented letter inside a word, or a one-letter word ('à').
        if not _ACCENTED.fullmatch(c) or not (any(n.isascii() and n.isalpha() for n in near)
                                               or all(n.isspace() or not n.isalnum() for n in near)):
            return False
    return True


def _latin1_in_disguise(text: str) -> bool:
    han = sum(1 for c in text if "\u3400" <= c <= "\u9fff")
    sandwiched = len(_SANDWICHED.findall(text))
    return sandwiched >= 1 and sandwiched >= 0.1 * han


def read_document(path: Path, root: Path, data: bytes | None = None) -> Document:
    """Read one file; ``root`` makes the citation name relative.

    Raises:
        CorpusError: the file cannot be read, is not text, is empty, or fits no encoding.
    """
    if data is None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CorpusError(f"{path}: cannot read ({exc.strerror}); check the file's permissions") from None
    if not data.strip():
        raise CorpusError(f"{path}: the file is empty; add text or remove it from the corpus")
    pages: tuple[int, ...] = ()
    if path.suffix.lower() in FORMATS:
        extracted = extract(data, str(path), path.suffix)
        text, encoding, pages = extracted.text, extracted.kind, extracted.pages
    else:
        if b"\x00" in data:
            raise CorpusError(f"{path}: holds NUL bytes, so it is not a text file; convert it to UTF-8 text")
        text, encoding = decode(data, str(path))
    if not text.strip():
        raise CorpusError(f"{path}: the file is empty; add text or remove it from the corpus")
    return Document(
        source=path.relative_to(root).as_posix(),
        text=text,
        encoding=encoding,
        sha256=hashlib.sha256(data).hexdigest(),
        pages=pages,
    )


def _escapes(path: Path, root: Path) -> bool:
    """Whether a file (through a symbolic link, itself or a folder on its way) lies outside ``root``."""
    try:
        path.resolve().relative_to(root.resolve())
    except (ValueError, OSError):
        return True
    return False


def _candidates(root: Path) -> tuple[list[Path], list[str]]:
    """The documents under ``root`` that stay inside it, sorted, and a message for each
    file left out (linking outside; of another type, summed up in one line)."""
    root = Path(root)
    if not root.is_dir():
        raise CorpusError(f"corpus folder {root} does not exist; pass --corpus DIR with .md, .txt, .pdf, .docx or .html files")
    files, notes, other = [], [], []
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root)
        if any(part.startswith(".") for part in rel.parts):
            continue
        if p.suffix.lower() not in SUFFIXES:
            if p.is_file() and p.suffix.lower() not in CORPUS_DATA:
                other.append(rel.as_posix())
            continue
        if _escapes(p, root):
            notes.append(f"{rel.as_posix()}: skipped, it links outside the corpus folder (to {p.resolve()})")
        elif p.is_file():
            files.append(p)
    if other:
        shown = ", ".join(other[:5]) + (f" and {len(other) - 5} more" if len(other) > 5 else "")
        notes.append(f"skipped {len(other)} file(s) of a type not read (only .md, .txt, .pdf, .docx, .html): {shown}")
    return files, notes


def corpus_files(root: Path, refused: list[str] | None = None) -> list[Path]:
    """The candidate document files under ``root``, sorted; hidden files are skipped, and so is
    any file that resolves outside ``root`` (a symbolic link to ``/etc/passwd`` must not be
    served).

    Args:
        root: the corpus folder.
        refused: when given, a message for each file left out is appended to it.

    Raises:
        CorpusError: the folder is missing or holds no document file.
    """
    files, notes = _candidates(root)
    if refused is not None:
        refused.extend(notes)
    if not files:
        raise CorpusError(f"corpus folder {root} has no .md, .txt, .pdf, .docx or .html files; add documents or pass --corpus DIR")
    return files


def read_corpus(root: Path, progress: bool = False) -> CorpusRead:
    """Read every document under ``root``, skipping (with a message) those that cannot be used.

    Raises:
        CorpusError: no document could be read; the message lists why.
    """
    from tqdm.auto import tqdm

    root = Path(root)
    files, warnings = _candidates(root)
    digest = hashlib.sha256()
    documents = []
    for path in tqdm(files, desc="Reading", unit="file", disable=not progress or len(files) < 2, leave=False):
        rel = path.relative_to(root).as_posix()
        digest.update(rel.encode() + b"\0")
        try:
            data = path.read_bytes()
        except OSError as exc:
            digest.update(b"unreadable")
            warnings.append(f"{rel}: skipped, cannot read it ({exc.strerror}); check its permissions")
            continue
        digest.update(hashlib.sha256(data).digest())
        try:
            doc = read_document(path, root, data)
        except CorpusError as exc:
            warnings.append(f"skipped {exc}")
            continue
        if doc.encoding == "cp1252":
            warnings.append(f"{rel}: read as Windows-1252 (Latin-1), not GB18030: its accented letters would "
                            "otherwise become Chinese characters; re-save it as UTF-8 to be sure")
        documents.append(doc)
    if not documents:
        reasons = "; ".join(warnings) if warnings else "it has no .md, .txt, .pdf, .docx or .html files"
        raise CorpusError(f"corpus folder {root} has no readable document ({reasons}); add documents or pass "
                          "--corpus DIR")
    return CorpusRead(documents, warnings, digest.hexdigest())


def load_corpus(root: Path, refused: list[str] | None = None) -> list[Document]:
    """All readable documents under ``root`` in a stable order; ``refused`` gets a message for
    each file skipped."""
    read = read_corpus(root)
    if refused is not None:
        refused.extend(read.warnings)
    return read.documents


def corpus_hash(root: Path) -> str:
    """A content hash of the corpus as it is now on disk: changes when any candidate file is
    added, removed or edited. Equal to the ``hash`` of :func:`read_corpus` when nothing changed
    since."""
    root = Path(root)
    files, _ = _candidates(root)
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        try:
            digest.update(hashlib.sha256(path.read_bytes()).digest())
        except OSError:
            digest.update(b"unreadable")
    return digest.hexdigest()
