"""Bilingual (Chinese/English) question answering over any documents, with exact citations."""

from assistant.answer.compose import Answer, Citation
from assistant.pipeline import Assistant
from assistant.ingest.chunks import Chunk
from assistant.errors import AssistantError, CorpusError, EmbedderError, IndexStateError, QuestionError
from assistant.retrieve.hybrid import Passage
from assistant.settings import Settings

__all__ = ["Assistant", "Answer", "Citation", "Chunk", "Passage", "Settings", "AssistantError", "CorpusError",
           "EmbedderError", "IndexStateError", "QuestionError"]
