"""The answering pipeline, listed once:

    prepare -> standalone question -> retrieve -> compose -> check citations -> Answer

`AnswerChain.steps()` is that list. The LangChain runnable (`invoke`, `batch`, `stream`,
callbacks, tracing), `run()` (the answer and its passages, for evaluation) and the
streaming of `stream_answer()` all walk it; each step lives in the module named for it.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from functools import reduce
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import Runnable, RunnableConfig, RunnableLambda

from index.settings import AnswerMode, Settings

from ..answers import Answer
from ..news.stories import StoryIndex
from ..retrieval import Hit, HybridRetriever
from .briefing import Briefer, briefing_question
from .compose import Draft, abstain, extractive, refusal, timeline, with_notice
from .corpus import Corpus
from .enrich import enrich
from .followup import standalone_question
from .llm import NOT_CONFIGURED, NOT_SUPPORTED, Writer
from .request import Request, make_request, read_question
from .retrieve import Retrieve, Retrieved

Step = Callable[[Any, RunnableConfig | None], Any]


class AnswerChain:
    """The steps, bound to one corpus and (optionally) a chat model."""

    def __init__(self, corpus: Corpus, chat_model: BaseChatModel | None = None, llm_timeout: float = 30.0,
                 retriever: BaseRetriever | None = None, story_threshold: float = Settings.story_threshold,
                 briefing_stories: int = Settings.briefing_stories):
        self.corpus = corpus
        self.story_threshold, self.briefing_stories = story_threshold, briefing_stories
        self.retriever = retriever or HybridRetriever(search=corpus)
        self.writer = Writer(chat_model, corpus, llm_timeout) if chat_model is not None else None
        self._retrieve = Retrieve(corpus, self.retriever)
        self._briefer: Briefer | None = None
        self._briefer_lock = threading.Lock()  # two first briefings at once must not cluster twice

    def steps(self) -> tuple[tuple[str, Step], ...]:
        return (("prepare", self.prepare), ("standalone_question", self.standalone), ("retrieve", self.retrieve),
                ("compose", self.compose), ("check_citations", self.finish))

    # -- walking the steps ----------------------------------------------------------
    def runnable(self) -> Runnable:
        links: list[Runnable] = [RunnableLambda(step, name=name) for name, step in self.steps()]
        return reduce(lambda chain, link: chain | link, links).with_config(run_name="news_answer")

    def through(self, value: Any, last: str, config: RunnableConfig | None = None) -> Any:
        """Run the steps from the first up to and including `last`."""
        for name, step in self.steps():
            value = step(value, config)
            if name == last:
                return value
        raise KeyError(last)

    def after(self, value: Any, done: str, config: RunnableConfig | None = None) -> Any:
        """Run the steps that follow `done` on its output."""
        names = [name for name, _ in self.steps()]
        for _, step in self.steps()[names.index(done) + 1:]:
            value = step(value, config)
        return value

    def run(self, given: Request | dict | str) -> tuple[Answer, list[Hit]]:
        """The answer and the passages it was chosen from (evaluation reads both)."""
        retrieved = self.through(given, "retrieve")
        return self.after(retrieved, "retrieve"), list(retrieved.hits)

    def stream(self, given: Request | dict | str) -> Iterator[str | Answer]:
        """Text pieces as they are ready, then the final (checked) Answer, which supersedes them."""
        retrieved: Retrieved = self.through(given, "retrieve")
        if self.writer is not None and retrieved.request.mode == AnswerMode.LLM and retrieved.answerable:
            for piece in self.writer.stream(retrieved):
                yield self.after(piece, "compose") if isinstance(piece, Draft) else piece
            return
        answer = self.after(retrieved, "retrieve")
        yield from sentences_of(answer)
        yield answer

    # -- the steps ------------------------------------------------------------------
    def prepare(self, given: Request | dict | str, config: RunnableConfig | None = None) -> Request:
        if isinstance(given, Request):
            return given
        if isinstance(given, str):
            return make_request(given)
        return make_request(**given)

    def standalone(self, request: Request, config: RunnableConfig | None = None) -> Request:
        """The question as it stands without the conversation, then read for its dates and mode."""
        if not request.question or not request.history:
            return read_question(replace(request, standalone=request.question))
        ruled = standalone_question(request.question, request.history)
        if request.mode == AnswerMode.LLM and self.writer is not None:
            request = self.writer.with_deadline(request)
            condensed = self.writer.condense(request, config)
            if condensed:
                return read_question(replace(request, standalone=condensed))
        return read_question(replace(request, standalone=ruled))

    def retrieve(self, request: Request, config: RunnableConfig | None = None) -> Retrieved:
        if request.mode == AnswerMode.BRIEFING:  # a briefing reads the stories, not a search
            self.corpus.follow_builds()
            return Retrieved(request=request, sentences={})
        return self._retrieve(request, config)

    def compose(self, retrieved: Retrieved, config: RunnableConfig | None = None) -> Draft:
        """An LLM's draft when one is asked for and there is evidence; otherwise nothing to
        draft (the check step composes the extractive answer)."""
        if retrieved.request.mode != AnswerMode.LLM or not retrieved.answerable:
            return Draft(retrieved=retrieved)
        if self.writer is None:
            return Draft(retrieved=retrieved, notice=NOT_CONFIGURED)
        return self.writer.draft(retrieved, config)

    def finish(self, draft: Draft, config: RunnableConfig | None = None) -> Answer:
        """The answer, every citation checked: the LLM's if it holds up, else the articles' own
        sentences; then where sources differ and what other versions say. Each carries the
        retrieval's confidence that the articles answer."""
        retrieved = draft.retrieved
        request = retrieved.request
        if not request.question:
            return refusal("Please ask a question about the articles.", "", request.mode)
        if not self.corpus.committed:
            return refusal("The index is empty: add articles and run `assistant index`.", request.standalone,
                           request.mode)
        if request.mode == AnswerMode.BRIEFING:
            return self.brief(request)
        return replace(self._answer(draft), confidence=round(retrieved.judgement.confidence, 4))

    def _answer(self, draft: Draft) -> Answer:
        retrieved = draft.retrieved
        request = retrieved.request
        if not retrieved.answerable:
            return with_notice(abstain(retrieved, request.mode), retrieved.notice)
        if draft.text and self.writer is not None:
            checked = self.writer.check(draft)
            if checked is not None:
                return with_notice(enrich(self.corpus, checked), retrieved.notice)
            draft = replace(draft, notice=NOT_SUPPORTED)
        answer = timeline(retrieved) if request.mode == AnswerMode.TIMELINE else None
        answer = enrich(self.corpus, answer or extractive(retrieved))
        return with_notice(with_notice(answer, retrieved.notice), draft.notice)

    def brief(self, request: Request) -> Answer:
        """The briefing the question asks for, from the corpus's stories (made on first use)."""
        with self._briefer_lock:
            if self._briefer is None:
                self._briefer = Briefer(StoryIndex(self.corpus, self.story_threshold), self.briefing_stories)
        return self._briefer.brief(briefing_question(request.standalone), request.standalone, request.filters)


def sentences_of(answer: Answer) -> list[str]:
    """The answer text in sentence-sized pieces, each with its markers (and the space or line
    break before it, so the pieces join into the text)."""
    return [p for p in re.split(r"(?<=\])(?=\s)", answer.text) if p] or [answer.text]
