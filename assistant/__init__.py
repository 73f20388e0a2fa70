"""The read path: search the index and answer with citations.

`from assistant import answer` is the one entry point for questions; `build_index` is
re-exported so one import serves both uses.
"""

from index import (AnswerMode, AssistantError, ConfigError, IndexBusy, IndexReport, IndexStatus, InvalidRequest,
                   Settings, StoreUnavailable, article_text, article_texts, build_index, index_status)

from .answering import Assistant, answer, get_assistant, stream_answer
from .answers import Answer, Citation
from .pipeline.corpus import Corpus
from .pipeline.followup import standalone_question
from .retrieval import Filters, Hit, HybridRetriever, HybridSearch

__all__ = [
    "Answer", "AnswerMode", "Assistant", "Citation", "Corpus", "Filters", "HybridRetriever", "answer",
    "get_assistant", "standalone_question", "stream_answer",
    "AssistantError", "ConfigError", "Hit", "HybridSearch", "IndexBusy", "IndexReport", "IndexStatus",
    "InvalidRequest", "Settings", "StoreUnavailable", "article_text", "article_texts", "build_index", "index_status",
]
