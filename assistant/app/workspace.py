"""A reader's own corpus in the chat: the bundled documents plus what they upload, indexed in a
private folder for their session only.

The bundled corpus and its index are only read: the workspace copies the corpus's documents,
profile and glossaries (not an answer model fitted to the bundled corpus alone) into its own folder and starts its index from a copy of the current one, so an upload embeds only
the new document's text (see ``Index.build``'s reuse). Every upload is checked before it is
kept: its type, its size, and a file name reduced to a plain name inside the workspace.

>>> safe_name("../../etc/passwd.md"), safe_name(".hidden.pdf"), safe_name("报告 2025 (final).PDF")
('passwd.md', 'hidden.pdf', '报告 2025 (final).pdf')
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from pathlib import Path

from assistant.answer.model import CORPUS_MODEL
from assistant.errors import AssistantError
from assistant.index.disk import POINTER, IndexFolder
from assistant.ingest.profile import PROFILE
from assistant.ingest.read import CORPUS_DATA, SUFFIXES
from assistant.pipeline import Assistant

MAX_UPLOAD_MB = 20  # per file
MAX_FILES = 50  # per session, uploads and bundled documents together
UPLOAD_TYPES = SUFFIXES


def safe_name(name: str) -> str:
    """A file name that stays in the folder it is written to: no folders, no leading dot, no
    characters a shell or a file system would read specially; the extension in lower case."""
    base = re.split(r"[\\/]", str(name))[-1]
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = re.sub(r"[^\w\-. ()（）]+", "_", stem).strip(" .") or "document"
    return f"{stem[:100]}.{suffix.lower()}" if suffix else stem[:100]


class Workspace:
    """One session's corpus and index (a temporary folder, removed by :meth:`close`)."""

    def __init__(self, base: Assistant, parent: Path | None = None):
        self.base = base
        self.root = Path(tempfile.mkdtemp(prefix="assistant-session-", dir=parent))
        self.corpus = self.root / "corpus"
        self.corpus.mkdir()
        source = Path(base.settings.corpus_dir)
        for path in sorted(source.iterdir()) if source.is_dir() else []:
            # Only what the reader indexes, and only regular files inside the corpus folder.
            # Not an answer model adapted to the bundled corpus alone: this one holds more.
            if path.is_file() and not path.is_symlink() and not path.name.startswith(".") and \
                    path.suffix.lower() in SUFFIXES + CORPUS_DATA and path.name != CORPUS_MODEL:
                shutil.copy2(path, self.corpus / path.name)
        self._generalize_profile()
        self.settings = base.settings.with_overrides(corpus_dir=self.corpus, index_root=self.root / "index")
        current = IndexFolder(base.settings.index_dir).current()
        if current is not None and current != Path(base.settings.index_dir):
            target = Path(self.settings.index_dir)
            target.mkdir(parents=True)
            shutil.copytree(current, target / current.name)
            (target / POINTER).write_text(current.name + "\n", encoding="utf-8")

    def _generalize_profile(self) -> None:
        """Replies call the corpus what its profile names it ('the paper'); with the reader's
        documents beside it, they say 'the documents'. Title, examples and glossaries stay."""
        profile = self.corpus / PROFILE
        if not profile.is_file():
            return
        try:
            data = json.loads(profile.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return  # the chat's bot already read (or refused) it; the workspace keeps it as it is
        if isinstance(data, dict) and data.pop("noun", None) is not None:
            profile.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")

    def check(self, path: Path, name: str) -> str | None:
        """Why an uploaded file cannot be taken, or None."""
        suffix = Path(name).suffix.lower()
        if suffix not in UPLOAD_TYPES:
            return (f"{name}: a {suffix or 'file without an extension'} file is not read here; upload PDF, Word "
                    "(.docx), HTML, Markdown or text files")
        size = path.stat().st_size
        if size > MAX_UPLOAD_MB * 1_000_000:
            return f"{name} is {size / 1e6:.1f} MB; the limit is {MAX_UPLOAD_MB} MB a file"
        if size == 0:
            return f"{name} is empty"
        if sum(1 for p in self.corpus.iterdir() if p.suffix.lower() in SUFFIXES) >= MAX_FILES:
            return f"{name}: this conversation already holds {MAX_FILES} documents"
        return None

    def add(self, uploads: list[tuple[Path, str]], progress: bool = True) -> tuple[Assistant | None, list[str]]:
        """Take uploaded files (each a temporary path and the name the reader gave it), index the
        workspace, and return the new assistant (None when nothing was taken) with a line for
        each file: taken, or why not."""
        messages, taken = [], []
        for path, name in uploads:
            name = safe_name(name)
            problem = self.check(Path(path), name)
            if problem:
                messages.append(problem)
                continue
            target = self.corpus / name
            n = 2
            while target.exists():
                target = self.corpus / f"{Path(name).stem} ({n}){Path(name).suffix}"
                n += 1
            shutil.copyfile(path, target)
            taken.append(target.name)
        if not taken:
            return None, messages
        lines: list[str] = []
        try:
            bot = Assistant.load(self.settings, progress=progress, log=lines.append)
        except AssistantError as exc:
            for name in taken:
                (self.corpus / name).unlink(missing_ok=True)
            return None, messages + [str(exc)]
        skipped = {name for name in taken for line in lines if line.startswith("warning:") and name in line}
        for name in skipped:
            (self.corpus / name).unlink(missing_ok=True)  # it would warn on every later upload
        messages += [line.removeprefix("warning: ").removeprefix("skipped ") for line in lines
                     if line.startswith("warning:") and any(name in line for name in taken)]
        for name in taken:
            if name in bot.index.documents:
                pages = bot.index.pages.get(name)
                size = f"{len(pages)} pages" if pages else f"{len(bot.index.documents[name]):,} characters"
                messages.append(f"{name} is indexed ({size}): ask about it now")
        return bot, messages

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
