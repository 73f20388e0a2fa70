"""The read path: search the index and answer with citations.

`from assistant import answer` is the one entry point for questions; `build_index` is
re-exported so one import serves both uses.

The read path's modules load on first use (PEP 562): `assistant index` and the other
write-path commands live in this package too, and importing the answering chain
(LangChain, its tracers) would add about 1.5 s to every one of them.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from index import (
    AnswerMode,
    AssistantError,
    ConfigError,
    IndexBusy,
    IndexReport,
    IndexStatus,
    InvalidRequest,
    Settings,
    StoreUnavailable,
    article_text,
    article_texts,
    build_index,
    index_status,
)

if TYPE_CHECKING:  # what the names below are, for type checkers and editors
    from .answering import Assistant, answer, get_assistant, stream_answer
    from .answers import Answer, Citation
    from .pipeline.corpus import Corpus
    from .pipeline.followup import standalone_question
    from .retrieval import Filters, Hit, HybridRetriever, HybridSearch

_READ_PATH = {
    "Assistant": ".answering", "answer": ".answering", "get_assistant": ".answering", "stream_answer": ".answering",
    "Answer": ".answers", "Citation": ".answers", "Corpus": ".pipeline.corpus",
    "standalone_question": ".pipeline.followup", "Filters": ".retrieval", "Hit": ".retrieval",
    "HybridRetriever": ".retrieval", "HybridSearch": ".retrieval",
}


def __getattr__(name: str) -> Any:
    if name not in _READ_PATH:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(_READ_PATH[name], __name__), name)
    globals()[name] = value  # looked up once
    return value


__all__ = [
    "Answer", "AnswerMode", "Assistant", "Citation", "Corpus", "Filters", "HybridRetriever", "answer",
    "get_assistant", "standalone_question", "stream_answer",
    "AssistantError", "ConfigError", "Hit", "HybridSearch", "IndexBusy", "IndexReport", "IndexStatus",
    "InvalidRequest", "Settings", "StoreUnavailable", "article_text", "article_texts", "build_index", "index_status",
]
