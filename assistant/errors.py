"""Errors a user can act on: each message names the bad value and the fix."""

from __future__ import annotations

from pathlib import Path


class AssistantError(Exception):
    """Base class for every error this package raises on purpose."""


class CorpusError(AssistantError, ValueError):
    """The corpus folder or one of its files cannot be used."""


class QuestionError(AssistantError, ValueError):
    """A question that cannot be answered as given (empty, too long, wrong language...)."""


class IndexStateError(AssistantError, RuntimeError):
    """The index on disk is missing, stale or corrupt."""


class EmbedderError(AssistantError, ValueError):
    """An embedder spec that cannot be loaded."""



def read_lines(path: Path, what: str) -> list[tuple[int, str]]:
    """(line number, line) for every non-blank line of a user's UTF-8 text file.

    Raises:
        AssistantError: the file is missing or unreadable, naming ``what`` it should hold.
    """
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise AssistantError(f"{what} file {path} does not exist: check the path") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise AssistantError(f"cannot read {what} file {path}: {exc}") from None
    return [(number, line) for number, line in enumerate(lines, 1) if line.strip()]
