"""Errors a user can act on: each message names the bad value and the fix."""


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

