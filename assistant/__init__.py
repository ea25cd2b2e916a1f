"""Bilingual (Chinese/English) question answering over policy papers, with exact citations."""

from .answer import Answer, Citation
from .assistant import Assistant
from .chunking import Chunk
from .errors import AssistantError, CorpusError, EmbedderError, IndexStateError, QuestionError
from .retrieve import Passage
from .settings import Settings

__all__ = ["Assistant", "Answer", "Citation", "Chunk", "Passage", "Settings", "AssistantError", "CorpusError",
           "EmbedderError", "IndexStateError", "QuestionError"]
