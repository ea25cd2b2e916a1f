"""An index folder on disk: complete versions, a pointer that names the current one, a lock.

::

    index/use/
        CURRENT                  # the name of the current version, replaced in one atomic step
        v-1764655200123-4242/    # a complete index (manifest.json, chunks.jsonl, …)
        v-1764655100456-4100/    # the one before it, kept for readers still loading it
        .lock                    # held by whoever builds

A build writes a new version under a temporary name, renames it into place, then replaces the
pointer: a crash at any moment leaves the old pointer on the old complete version or the new
pointer on the new one, never neither. Only the lock holder writes, so two builds never
interleave, and whatever a crashed build left (a temporary folder, an unreferenced version)
is removed by the next one.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import time
from contextlib import contextmanager
from pathlib import Path

POINTER = "CURRENT"
LOCK = ".lock"
TMP_PREFIX = ".tmp-"
VERSION_PREFIX = "v-"
# An index folder of the first format held its files directly.
LEGACY_MARKER = "manifest.json"


class IndexFolder:
    """The versions of one index folder."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)

    def current(self) -> Path | None:
        """The folder holding the current index, or None when there is none yet."""
        pointer = self.directory / POINTER
        try:
            name = pointer.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            legacy = self.directory / LEGACY_MARKER
            return self.directory if legacy.exists() else None
        except NotADirectoryError:
            return None
        if not name or "/" in name or not name.startswith(VERSION_PREFIX):
            return None
        return self.directory / name

    def staging(self) -> Path:
        """A new empty folder to write a version into (the caller holds the lock)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        tmp = self.directory / f"{TMP_PREFIX}{os.getpid()}-{time.time_ns()}"
        tmp.mkdir()
        return tmp

    def publish(self, staged: Path) -> Path:
        """Make a fully written staging folder the current version, in one atomic step.

        If the pointer cannot be written (a full disk, say), the new version is removed again
        and the error raised: the old pointer and version stay as they were."""
        for path in staged.iterdir():
            _fsync(path)
        version = self.directory / f"{VERSION_PREFIX}{time.time_ns()}-{os.getpid()}"
        os.rename(staged, version)
        pointer_tmp = self.directory / f"{TMP_PREFIX}{POINTER}-{os.getpid()}"
        try:
            _fsync_dir(self.directory)
            with open(pointer_tmp, "w", encoding="utf-8") as f:
                f.write(version.name + "\n")
                f.flush()
                os.fsync(f.fileno())
            os.replace(pointer_tmp, self.directory / POINTER)
        except BaseException:
            pointer_tmp.unlink(missing_ok=True)
            shutil.rmtree(version, ignore_errors=True)
            raise
        try:  # the switch is made; syncing it to disk is what a crash right now could lose
            _fsync_dir(self.directory)
        except OSError:
            pass
        return version

    def clean(self) -> list[str]:
        """Remove what no reader needs, and return the names removed: temporary folders and files
        of crashed builds; versions never made current (newer than the current one: a build
        that crashed before its pointer was written); versions older than the one before the
        current (that one stays for readers that read the old pointer just before it moved);
        the files of a first-format index; and the folders the old save left beside the index.
        The caller holds the lock."""
        removed = []
        current = self.current()
        versions = sorted((p for p in self.directory.glob(f"{VERSION_PREFIX}*") if p.is_dir()),
                          key=lambda p: _stamp(p.name))
        if current is not None and current in versions:
            at = versions.index(current)
            keep_names = {p.name for p in versions[max(0, at - 1):at + 1]}
        else:  # no valid pointer: leave every version for whoever repairs it
            keep_names = {p.name for p in versions}
        for p in versions:
            if p.name not in keep_names:
                shutil.rmtree(p, ignore_errors=True)
                removed.append(p.name)
        for p in self.directory.glob(f"{TMP_PREFIX}*"):
            shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)
            removed.append(p.name)
        if current is not None and current != self.directory:
            for name in ("manifest.json", "chunks.jsonl", "documents.json", "chunks.faiss", "sentences.faiss",
                         "lexical.json"):
                if (self.directory / name).is_file():
                    (self.directory / name).unlink()
                    removed.append(name)
        for p in self.directory.parent.glob(f".{self.directory.name}.*"):
            if p.is_dir() and (".tmp-" in p.name or ".old-" in p.name):
                shutil.rmtree(p, ignore_errors=True)
                removed.append(p.name)
        return removed

    @contextmanager
    def lock(self, log=None):
        """Hold the folder's builder lock for the block, waiting (and saying so) if another
        process holds it."""
        self.directory.mkdir(parents=True, exist_ok=True)
        with open(self.directory / LOCK, "a+") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if log:
                    log(f"Another process is building the index at {self.directory}; waiting for it.")
                fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def _stamp(name: str) -> int:
    try:
        return int(name[len(VERSION_PREFIX):].split("-")[0])
    except ValueError:
        return 0


def _fsync(path: Path) -> None:
    if path.is_file():
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
