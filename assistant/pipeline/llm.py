"""The LLM path: optional backends chosen by configuration (any OpenAI-compatible server or
Ollama), the calls under one deadline per answer, and the check of what the LLM wrote.

Both backends are LangChain chat models from optional extras (`pip install -e .[openai]` or
`.[ollama]`); nothing here runs unless `llm_provider` is set. Retries are off and a
timeout is always set: a dead server must turn into the extractive answer quickly.
"""

from __future__ import annotations

import contextvars
import os
import queue
import threading
import time
from dataclasses import replace
from typing import Any, Callable, Iterator, Sequence

from langchain_core.language_models import BaseChatModel
from langchain_core.output_parsers import StrOutputParser
from langchain_core.runnables import RunnableConfig

from index import ConfigError, Settings
from index.settings import AnswerMode
from index.textview import normalised
from prompts import load_prompt

from ..answers import ABSTAIN_TEXT, Answer
from ..retrieval import Hit
from . import citecheck
from .compose import Draft, abstain, citation
from .corpus import Corpus
from .request import Request, clean_question
from .retrieve import Retrieved

HISTORY_TURNS = 6  # earlier turns an LLM sees when condensing a follow-up
NOT_CONFIGURED = "No LLM is configured (set ASSISTANT_LLM_PROVIDER); this is the extractive answer."
NOT_SUPPORTED = "The LLM's answer was not supported by the passages; this is the extractive answer."

PROVIDERS = {"openai": ("langchain_openai", "openai"), "ollama": ("langchain_ollama", "ollama")}


def chat_model(settings: Settings):
    """The configured chat model, or None when no LLM is configured."""
    provider = settings.llm_provider.strip().lower()
    if not provider:
        return None
    if provider not in PROVIDERS:
        raise ConfigError(f"ASSISTANT_LLM_PROVIDER must be one of {', '.join(PROVIDERS)}, got {provider!r}.")
    module, extra = PROVIDERS[provider]
    try:
        __import__(module)
    except ImportError:
        raise ConfigError(f"The {provider} backend needs its extra: pip install -e '.[{extra}]'.") from None
    if not settings.llm_model:
        raise ConfigError("Set ASSISTANT_LLM_MODEL to the chat model to use (for example gpt-4o-mini or llama3.2).")
    if provider == "openai":
        from langchain_openai import ChatOpenAI

        key = settings.llm_api_key or os.environ.get("OPENAI_API_KEY") or "none"  # local servers take any key
        return ChatOpenAI(model=settings.llm_model, base_url=settings.llm_base_url or None, api_key=key,
                          temperature=0, timeout=settings.llm_timeout, max_retries=0)
    from langchain_ollama import ChatOllama

    return ChatOllama(model=settings.llm_model, base_url=settings.llm_base_url or None, temperature=0,
                      client_kwargs={"timeout": settings.llm_timeout})


class Writer:
    """An LLM that condenses follow-ups and writes answers from the numbered passages; every
    call of one answer shares one deadline (`llm_timeout` from the first call)."""

    def __init__(self, chat_model: BaseChatModel, corpus: Corpus, timeout: float):
        self.corpus = corpus
        self.timeout = timeout
        self.answer_llm = (load_prompt("answer") | chat_model | StrOutputParser()).with_config(run_name="llm_answer")
        self.condense_llm = (load_prompt("condense") | chat_model | StrOutputParser()).with_config(
            run_name="llm_condense")

    def with_deadline(self, request: Request) -> Request:
        """The request with its LLM deadline set, from now, unless an earlier call set it."""
        if request.llm_deadline:
            return request
        return replace(request, llm_deadline=time.monotonic() + self.timeout)

    def condense(self, request: Request, config: RunnableConfig | None) -> str:
        """The follow-up as a standalone question, or "" (the rules then decide)."""
        try:
            turns = request.history[-HISTORY_TURNS:]
            history = "\n".join(f"User: {q}\nAssistant: {a}" for q, a in turns)
            inputs = {"history": history, "question": request.question}
            text = clean_question(within(request.llm_deadline, lambda: self.condense_llm.invoke(inputs, config)))
        except Exception:
            return ""  # the rules need no server (and the answer step has what time is left)
        return text if text and len(text) < 4 * max(len(request.question), 50) else ""

    def draft(self, retrieved: Retrieved, config: RunnableConfig | None) -> Draft:
        deadline = self.with_deadline(retrieved.request).llm_deadline
        try:
            text = within(deadline, lambda: self.answer_llm.invoke(self.inputs(retrieved), config))
        except Exception as error:
            return Draft(retrieved=retrieved, notice=failure(error))
        return Draft(retrieved=retrieved, text=text or "")

    def stream(self, retrieved: Retrieved) -> Iterator[str | Draft]:
        """The LLM's text pieces as they come, then the whole Draft."""
        pieces: list[str] = []
        deadline = self.with_deadline(retrieved.request).llm_deadline
        try:
            for piece in first_within(deadline, lambda: self.answer_llm.stream(self.inputs(retrieved))):
                pieces.append(piece)
                yield piece
        except Exception as error:
            yield Draft(retrieved=retrieved, notice=failure(error))
            return
        yield Draft(retrieved=retrieved, text="".join(pieces))

    def inputs(self, retrieved: Retrieved) -> dict:
        return {"question": retrieved.request.standalone, "passages": format_passages(retrieved.hits)}

    def check(self, draft: Draft) -> Answer | None:
        """The LLM's answer with every sentence's citations checked against the passages;
        None when no sentence is supported (the extractive answer is given instead)."""
        retrieved = draft.retrieved
        text = " ".join(draft.text.split())
        if text.rstrip(".").lower() == ABSTAIN_TEXT.rstrip(".").lower():
            return abstain(retrieved, AnswerMode.LLM)
        checked = citecheck.check(text, retrieved.hits, retrieved.sentences, self.corpus.embed)
        if not any(item.supported for item in checked):
            return None
        numbering: dict[int, int] = {}
        spans: dict[int, list[tuple[int, int]]] = {}
        for item in checked:
            for number, span in item.highlights:
                numbering.setdefault(number, len(numbering) + 1)
                spans.setdefault(number, []).append(span)
        citations = tuple(citation(numbering[n], retrieved.hits[n - 1], spans[n],
                                   max(i.support for i in checked if n in i.cited)) for n in numbering)
        return Answer(text=citecheck.render(checked, numbering), citations=citations,
                      question=retrieved.request.standalone, mode=AnswerMode.LLM, notice=draft.notice,
                      unsupported=tuple(i.text for i in checked if not i.supported))


def format_passages(hits: Sequence[Hit]) -> str:
    blocks = []
    for number, hit in enumerate(hits, 1):
        about = ", ".join(x for x in (hit.source, hit.published[:10]) if x)
        blocks.append(f"[{number}] {hit.title}{f' ({about})' if about else ''}\n{normalised(hit.text)}")
    return "\n\n".join(blocks)


def within(deadline: float, call):
    """call(), given until `deadline` (time.monotonic()) to return: one answer's LLM calls
    share the configured timeout, so a follow-up (condense, then answer) against a hanging
    server falls back as soon as a single question would. The call runs in a worker thread
    left to finish on its own (the client's own timeout ends it)."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise TimeoutError("no time left within ASSISTANT_LLM_TIMEOUT")
    done = threading.Event()
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = call()
        except BaseException as error:  # handed to the caller
            outcome["error"] = error
        finally:
            done.set()

    context = contextvars.copy_context()
    threading.Thread(target=context.run, args=(run,), daemon=True, name="llm-call").start()
    if not done.wait(remaining):
        raise TimeoutError(f"no answer within ASSISTANT_LLM_TIMEOUT ({remaining:.1f} s left)")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def first_within(deadline: float, stream) -> Iterator[Any]:
    """The pieces of stream(), the first of them by `deadline`; after that the client's own
    timeout (between pieces) applies, so a long answer that is streaming is not cut off."""
    if deadline - time.monotonic() <= 0:
        raise TimeoutError("no time left within ASSISTANT_LLM_TIMEOUT")
    pieces: queue.Queue = queue.Queue()
    end = object()

    def run() -> None:
        try:
            for piece in stream():
                pieces.put(piece)
            pieces.put(end)
        except BaseException as error:
            pieces.put(error)

    context = contextvars.copy_context()
    threading.Thread(target=context.run, args=(run,), daemon=True, name="llm-stream").start()
    first = True
    while True:
        try:
            item = pieces.get(timeout=max(0.0, deadline - time.monotonic())) if first else pieces.get()
        except queue.Empty:
            raise TimeoutError("no answer within ASSISTANT_LLM_TIMEOUT") from None
        first = False
        if item is end:
            return
        if isinstance(item, BaseException):
            raise item
        yield item


def failure(error: Exception) -> str:
    reason = str(error).strip().splitlines()[0][:120] if str(error).strip() else type(error).__name__
    return f"The LLM did not answer ({type(error).__name__}: {reason}); this is the extractive answer."


