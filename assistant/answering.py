"""`answer()` and `stream_answer()`: thin wrappers over the answer pipeline (pipeline/chain.py).

No LLM and no network by default; with `mode="llm"` and a configured backend, an LLM
writes the answer and its citations are checked before anyone sees them.
"""

from __future__ import annotations

import threading
from typing import Iterable, Iterator, Sequence

from langchain_core.runnables import Runnable

from index import Settings

from .answers import Answer
from .pipeline.chain import AnswerChain
from .pipeline.corpus import Corpus
from .pipeline.llm import chat_model as configured_chat_model
from .pipeline.request import Request, make_request
from .retrieval import Hit, HybridRetriever, HybridSearch


class Assistant:
    """One corpus (the index of `settings`, unless another is given), its retriever, the
    optional chat model and the chain over them."""

    def __init__(self, settings: Settings | None = None, chat_model=None, corpus: Corpus | None = None):
        self.settings = settings or Settings.load()
        self.search: Corpus = corpus if corpus is not None else HybridSearch(self.settings)
        self.retriever = HybridRetriever(search=self.search, k=self.settings.top_k)
        model = chat_model if chat_model is not None else configured_chat_model(self.settings)
        self.steps = AnswerChain(self.search, model, llm_timeout=self.settings.llm_timeout, retriever=self.retriever,
                                 story_threshold=self.settings.story_threshold,
                                 briefing_stories=self.settings.briefing_stories)
        self.chain: Runnable = self.steps.runnable()

    def request(self, question: str, history: Sequence[tuple[str, str]] | None = None, **options) -> Request:
        options.setdefault("k", self.settings.top_k)
        options.setdefault("mode", self.settings.answer_mode)
        return make_request(question, history, **options)

    def answer(self, question: str, history: Sequence[tuple[str, str]] | None = None, **options) -> Answer:
        return self.chain.invoke(self.request(question, history, **options))

    def stream(self, question: str, history: Sequence[tuple[str, str]] | None = None,
               **options) -> Iterator[str | Answer]:
        return self.steps.stream(self.request(question, history, **options))

    def warm_up(self) -> None:
        """Pay the one-time costs (model compilation, first query) before a user's question."""
        self.search.search("warm up", k=1)

    def article_texts(self, article_ids: Iterable[str]) -> dict[str, str]:
        """The stored text of each article (what citation offsets point into)."""
        return self.search.article_texts(list(article_ids))

    def run(self, question: str, history: Sequence[tuple[str, str]] | None = None,
            **options) -> tuple[Answer, list[Hit]]:
        """The answer and the passages it was chosen from (evaluation reads both)."""
        return self.steps.run(self.request(question, history, **options))


_assistants: dict[Settings, Assistant] = {}
_lock = threading.Lock()


def get_assistant(settings: Settings | None = None) -> Assistant:
    """One Assistant per settings in a process (the model, Chroma client and caches are shared)."""
    settings = settings or Settings.load()
    with _lock:
        if settings not in _assistants:
            _assistants[settings] = Assistant(settings)
        return _assistants[settings]


def answer(question: str, history: Sequence[tuple[str, str]] | None = None, **options) -> Answer:
    """A short answer to `question` whose every sentence cites the article spans it comes from.

    `history`: earlier (question, answer) turns, oldest first. Options: `k`, `mode`
    ("extractive", "llm", "timeline" or "briefing"; in extractive mode a question like "How
    did X unfold?" gets a timeline, and one like "Summarize the articles" or "What's new
    since Monday?" a briefing, see docs/briefing.md), `source` (an outlet or a list), `since` / `until` (published date
    range: dates, datetimes, epoch seconds or "YYYY-MM-DD"; dates in the question narrow it
    further), `settings`.
    """
    settings = options.pop("settings", None)
    return get_assistant(settings).answer(question, history, **options)


def stream_answer(question: str, history: Sequence[tuple[str, str]] | None = None,
                  **options) -> Iterator[str | Answer]:
    """Text pieces as they are ready, then the final `Answer` (whose text supersedes the pieces)."""
    settings = options.pop("settings", None)
    return get_assistant(settings).stream(question, history, **options)
