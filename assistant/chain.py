"""The answering pipeline as a LangChain runnable chain:

    prepare -> standalone question -> retrieve -> compose -> check citations -> Answer

so `.invoke`, `.batch`, `.stream`, callbacks and tracing work on it. Each step is a plain
function of frozen values; `answer()` and `stream_answer()` are thin wrappers.
"""

from __future__ import annotations

import contextvars
import queue
import re
import threading
import time
import unicodedata
from dataclasses import dataclass, replace
from datetime import date, datetime, time as day_time, timezone
from typing import Any, Iterator, Sequence

from langchain_core.output_parsers import StrOutputParser
from langchain_core.runnables import Runnable, RunnableConfig, RunnableLambda

from index.articles import parse_date
from prompts import load_prompt

from . import agreement, citecheck, date_order, versions
from .answers import ABSTAIN_TEXT, Answer, Citation
from .dates import DateQuery, day_of, find_dates, question_dates, without_order_words
from .extractive import Scored, choose, score_sentences
from .followup import standalone_question
from .injection import is_instruction
from .retrieval import Filters, Hit, HybridRetriever, Sentence, document_hit
from .timeline import is_timeline_question, timeline_points, timeline_text, undated_notice, without_timeline_words

# Below this best-sentence score the articles are taken not to answer. Calibrated with
# the best-sentence scores of the SQuAD dev half (500 answerable) and 44 written unanswerable
# questions (bench/questions/squad_unanswerable.jsonl): at 0.70, 3% false abstentions, 10% of
# off-topic and 79% of near-topic unanswerable questions answered (AUROC 0.98 and 0.87).
ABSTAIN_BELOW = 0.70
MAX_QUESTION_CHARS = 2000
MODES = ("extractive", "llm", "timeline")
_ARTICLE_MARKER = re.compile(r"(\s*\[\d+\])+")  # "[3]" in an article's own text
HISTORY_TURNS = 6  # earlier turns an LLM sees when condensing a follow-up
TIMELINE_K = 10  # passages a timeline draws from: a story has more steps than a fact
EDGE_SEARCHES = 3  # "latest" / "earliest": searches past the newest (oldest) relevant report found


@dataclass(frozen=True)
class Request:
    question: str  # as asked, cleaned
    history: tuple[tuple[str, str], ...]
    k: int
    mode: str
    filters: Filters
    standalone: str = ""
    dates: DateQuery = DateQuery()  # what the standalone question says about time
    searched: str = ""  # the standalone question without its dates (and timeline words): searched within the dates
    llm_deadline: float = 0.0  # time.monotonic() by which every LLM call of this request must have answered


@dataclass(frozen=True)
class Retrieved:
    request: Request
    hits: tuple[Hit, ...]
    sentences: dict[str, list[Sentence]]
    scored: tuple[Scored, ...]
    notice: str = ""  # e.g. which dates the question limited the evidence to

    @property
    def answerable(self) -> bool:
        return bool(self.scored) and self.scored[0].score >= ABSTAIN_BELOW


@dataclass(frozen=True)
class Draft:
    retrieved: Retrieved
    text: str  # an LLM's raw answer; "" for extractive
    notice: str = ""


def clean_question(question: Any) -> str:
    """Printable text on one line, cut to a length worth searching (a 100 kB paste is not a question)."""
    printable = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in str(question or ""))
    return " ".join(printable.split())[:MAX_QUESTION_CHARS]


def make_request(question: Any, history: Sequence[tuple[str, str]] | None = None, *, k: int = 5,
                 mode: str = "extractive", source: str | Sequence[str] | None = None,
                 sources: Sequence[str] | None = None, since: Any = None, until: Any = None) -> Request:
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
    if not isinstance(k, int) or not 1 <= k <= 50:
        raise ValueError(f"k must be an integer from 1 to 50, got {k!r}")
    outlets = [source] if isinstance(source, str) else list(source or [])
    outlets += list(sources or [])
    turns = tuple((clean_question(q), clean_question(a)) for q, a in (history or ()))
    filters = Filters(tuple(dict.fromkeys(o for o in outlets if o)), _moment(since, "since"),
                      _moment(until, "until", end_of_day=True))
    return Request(clean_question(question), turns, k, mode, filters)


def _moment(value: Any, name: str, end_of_day: bool = False) -> int | None:
    """Epoch seconds from a date, datetime, epoch number or date string; a bare date as `until`
    includes that whole day."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        return int(moment.timestamp())
    if isinstance(value, date):
        moment = datetime.combine(value, day_time.max if end_of_day else day_time.min, tzinfo=timezone.utc)
        return int(moment.timestamp())
    iso, seconds = parse_date(value)
    if seconds is None:
        raise ValueError(f"{name} must be a date (YYYY-MM-DD), datetime or epoch seconds, got {value!r}")
    if end_of_day and len(iso) == 10:
        seconds += 86399
    return seconds


class AnswerChain:
    """The steps, bound to one assistant's search and (optional) chat model."""

    def __init__(self, retriever: HybridRetriever, chat_model=None, llm_timeout: float = 30.0):
        self.retriever = retriever
        self.search = retriever.search
        self.chat_model = chat_model
        self.llm_timeout = llm_timeout  # for all the LLM calls of one answer together (condense + answer)
        if chat_model is not None:
            self.answer_llm = (load_prompt("answer") | chat_model | StrOutputParser()).with_config(run_name="llm_answer")
            self.condense_llm = (load_prompt("condense") | chat_model | StrOutputParser()).with_config(
                run_name="llm_condense")

    # -- the runnable ---------------------------------------------------------------
    def runnable(self) -> Runnable:
        return (RunnableLambda(self._prepare, name="prepare")
                | RunnableLambda(self.standalone, name="standalone_question")
                | RunnableLambda(self.retrieve, name="retrieve")
                | RunnableLambda(self.compose, name="compose")
                | RunnableLambda(self.finish, name="check_citations")).with_config(run_name="news_answer")

    def _prepare(self, given: Request | dict) -> Request:
        if isinstance(given, Request):
            return given
        if isinstance(given, str):
            return make_request(given)
        return make_request(**given)

    # -- steps ----------------------------------------------------------------------
    def standalone(self, request: Request, config: RunnableConfig | None = None) -> Request:
        return read_question(self._standalone(request, config))

    def _standalone(self, request: Request, config: RunnableConfig | None = None) -> Request:
        if not request.question or not request.history:
            return replace(request, standalone=request.question)
        ruled = standalone_question(request.question, request.history)
        if request.mode == "llm" and self.chat_model is not None:
            request = self.with_deadline(request)
            try:
                turns = request.history[-HISTORY_TURNS:]
                history = "\n".join(f"User: {q}\nAssistant: {a}" for q, a in turns)
                inputs = {"history": history, "question": request.question}
                text = clean_question(within(request.llm_deadline,
                                             lambda: self.condense_llm.invoke(inputs, config)))
                if text and len(text) < 4 * max(len(request.question), 50):
                    return replace(request, standalone=text)
            except Exception:
                pass  # the rules below need no server (and the answer step has what time is left)
        return replace(request, standalone=ruled)

    def with_deadline(self, request: Request) -> Request:
        """The request with its LLM deadline set, from now, unless an earlier call set it."""
        if request.llm_deadline:
            return request
        return replace(request, llm_deadline=time.monotonic() + self.llm_timeout)

    def retrieve(self, request: Request, config: RunnableConfig | None = None) -> Retrieved:
        self.search.follow_builds()  # an index built after start (by the CLI, say) is seen
        if not request.standalone or not self.search.committed:
            return Retrieved(request, (), {}, ())
        # The question without its date words is searched among the articles of the asked
        # dates (the dates are checked on their own, and "after March 15, 2025" would pull in
        # any sentence naming a March 15); the unfiltered search and the sentence scores also
        # use the question as asked: an event's date is often written in the sentence that
        # answers ("grounded for the remainder of 1970").
        query = request.searched or request.standalone
        asked = request.dates
        # "latest" / "earliest" sort by date; with no dated article there is nothing to
        # sort, and the question is answered as asked
        ordered = bool(asked.order) and self.dated()
        whole = request.standalone
        if ordered:  # "the latest on" names no topic: search for what it is about
            query, whole = without_order_words(query), without_order_words(whole)
        vector = self.search.embedder.embed_query(query)
        k = max(request.k, TIMELINE_K) if request.mode == "timeline" else request.k
        if asked.order:
            k = 2 * k  # the newest (oldest) report may not be the best-matching one
        documents = self.retriever.invoke(whole if request.mode != "timeline" else query, config, k=k,
                                          filters=request.filters)
        hits = [document_hit(d) for d in documents]
        # articles published in the asked range first, then the rest: a sentence may tell
        # of the asked dates in an article published later ("in December 2024, Zelensky ...")
        if asked.bounded:
            narrowed = narrow(request.filters, asked)
            dated = [document_hit(d) for d in self.retriever.invoke(query, config, k=k,
                                                                      filters=narrowed)] if narrowed else []
            seen = {h.chunk_id for h in dated}
            hits = dated + [h for h in hits if h.chunk_id not in seen]
        sentences = self.evidence(hits)
        if ordered:
            hits, sentences = self.beyond_edge(request, query, vector, whole, hits, sentences, k, config)
        scored = self.score(query, vector, whole, hits, sentences)
        retrieved = Retrieved(request, tuple(hits), sentences, tuple(scored))
        return within_dates(retrieved) if asked.bounded else retrieved

    def score(self, query: str, vector, whole: str, hits: list[Hit],
              sentences: dict[str, list[Sentence]]) -> list[Scored]:
        """Every sentence of the hits, best first. When the searched words are not the whole
        question (its date words left out), each sentence keeps the better of its two scores."""
        frequencies, total = self.search.lexical.document_frequencies, max(self.search.lexical.count(), 1)
        scored = score_sentences(query, vector, hits, sentences, frequencies, total)
        if query == whole:
            return scored
        also = score_sentences(whole, self.search.embedder.embed_query(whole), hits, sentences, frequencies, total)
        best = {}
        for item in scored + also:
            key = (item.hit.chunk_id, item.sentence.start)
            if key not in best or item.score > best[key].score:
                best[key] = item
        return sorted(best.values(), key=lambda item: item.score, reverse=True)

    def beyond_edge(self, request: Request, query: str, vector, whole: str, hits: list[Hit],
                    sentences: dict[str, list[Sentence]], k: int,
                    config: RunnableConfig | None) -> tuple[list[Hit], dict[str, list[Sentence]]]:
        """For "latest" ("earliest"): search the articles published after (before) the newest
        (oldest) relevant one found so far, and again past anything relevant found there, so
        the newest relevant report is found however many older ones match better."""
        order = request.dates.order
        bounds = narrow(request.filters, request.dates) if request.dates.bounded else request.filters
        last = None
        for _ in range(EDGE_SEARCHES):
            lead = date_order.edge(self.score(query, vector, whole, hits, sentences), order, ABSTAIN_BELOW)
            if lead is None or bounds is None or lead.hit.article_id == last:
                break  # nothing relevant, or the last search found nothing past it
            last = lead.hit.article_id
            moment = int(date_order.published_ts(lead))
            if order == "latest":
                past = replace(bounds, since=moment + 1 if bounds.since is None else max(moment + 1, bounds.since))
            else:
                past = replace(bounds, until=moment - 1 if bounds.until is None else min(moment - 1, bounds.until))
            if past.since is not None and past.until is not None and past.since > past.until:
                break
            seen = {h.chunk_id for h in hits}
            found = [h for h in (document_hit(d) for d in self.retriever.invoke(query, config, k=k, filters=past))
                     if h.chunk_id not in seen]
            if not found:
                break
            hits = hits + found
            sentences = {**sentences, **self.evidence(found)}
        return hits, sentences

    def evidence(self, hits: list[Hit]) -> dict[str, list[Sentence]]:
        """The sentences of these passages an answer may use: all but those written to
        instruct an AI (a prompt injection inside an article, see injection.py), and
        without bracketed numbers of their own (a footnote "[2]", or a forged citation
        marker), which in an answer would read as, and link to, the answer's citations."""
        usable = {}
        for chunk_id, found in self.search.sentences(hits).items():
            usable[chunk_id] = []
            for sentence in found:
                text = _ARTICLE_MARKER.sub("", sentence.text).strip() if "[" in sentence.text else sentence.text
                if text and not is_instruction(text):
                    usable[chunk_id].append(replace(sentence, text=text) if text != sentence.text else sentence)
        return usable

    def dated(self) -> bool:
        """Whether any article has a published date."""
        return any(m.published for m in self.search.catalog.values())

    def compose(self, retrieved: Retrieved, config: RunnableConfig | None = None) -> Draft:
        request = retrieved.request
        if request.mode != "llm" or not retrieved.answerable:
            return Draft(retrieved, "")
        if self.chat_model is None:
            return Draft(retrieved, "", notice="No LLM is configured (set ASSISTANT_LLM_PROVIDER); "
                                               "this is the extractive answer.")
        deadline = self.with_deadline(request).llm_deadline
        try:
            text = within(deadline, lambda: self.answer_llm.invoke(self.llm_inputs(retrieved), config))
        except Exception as error:
            return Draft(retrieved, "", notice=llm_failure(error))
        return Draft(retrieved, text or "")

    def llm_inputs(self, retrieved: Retrieved) -> dict:
        return {"question": retrieved.request.standalone, "passages": format_passages(retrieved.hits)}

    def finish(self, draft: Draft) -> Answer:
        retrieved = draft.retrieved
        request = retrieved.request
        if not request.question:
            return Answer("Please ask a question about the articles.", (), True, "", request.mode)
        if not self.search.committed:
            return Answer("The index is empty: add articles and run `assistant index`.", (), True,
                          request.standalone, request.mode)
        if not retrieved.answerable:
            return with_notice(abstain(retrieved, request.mode), retrieved.notice)
        if draft.text:
            checked = self.check_llm(draft)
            if checked is not None:
                return with_notice(self.compare_versions(self.compare_sources(checked)), retrieved.notice)
            draft = replace(draft, notice="The LLM's answer was not supported by the passages; "
                                          "this is the extractive answer.")
        answer = timeline(retrieved) if request.mode == "timeline" else None
        if answer is None:
            answer = extractive(retrieved)
        answer = self.compare_versions(self.compare_sources(answer))
        return with_notice(with_notice(answer, retrieved.notice), draft.notice)

    def compare_sources(self, answer: Answer) -> Answer:
        """Where the cited sentences of different articles (copies of one story count as one)
        agree and differ, as typed fields and one plain sentence after the answer."""
        cited = []
        for c in answer.citations:
            meta = self.search.catalog.get(c.article_id)
            story = (meta.group if meta and meta.group else c.article_id)
            for start, end in c.highlights:
                cited.append(agreement.CitedSentence(c.number, story, c.passage[start - c.start:end - c.start]))
        disagreements, agreements = agreement.check(cited)
        said = agreement.summary(disagreements, agreements)
        if not said:
            return answer
        text = answer.text
        if answer.mode == "timeline":
            text += "\n" + said
        elif "sources differ" not in text.lower():  # an LLM may have said so itself
            text += " " + said
        return replace(answer, text=text, disagreements=disagreements, agreements=agreements)

    def compare_versions(self, answer: Answer) -> Answer:
        """Where another version of a cited story (a correction, an update, a copy edited in
        another outlet) tells a cited sentence with another figure, date, negation or
        opposite: typed fields and one plain sentence each after the answer."""
        found: list[versions.Revision] = []
        for c in answer.citations:
            copies = self.search.copies_of(c.article_id)
            mine = self.search.catalog.get(c.article_id)  # None if a build removed it meanwhile
            if not copies or mine is None:
                continue
            texts = {m.article_id: self.search.article_sentences(m.article_id) for m in copies}
            for start, end in c.highlights:
                sentence = c.passage[start - c.start:end - c.start]
                for other in copies:
                    twin = versions.counterpart(sentence, texts[other.article_id])
                    changed = versions.change(sentence, twin) if twin else None
                    if changed is None:
                        continue
                    kind, says, other_says = changed
                    name = other.source or f"“{other.title or other.article_id}”"
                    newer = (other.published_ts or 0) > (mine.published_ts or 0)
                    found.append(versions.Revision(c.number, kind, says, other_says, name, other.published, newer,
                                                   other.source == mine.source))
        if not found:
            return answer
        said = " ".join(r.sentence() for r in found)
        text = answer.text + ("\n" if answer.mode == "timeline" else " ") + said
        return replace(answer, text=text, revisions=tuple(found))

    def check_llm(self, draft: Draft) -> Answer | None:
        retrieved = draft.retrieved
        request = retrieved.request
        text = " ".join(draft.text.split())
        if text.rstrip(".").lower() == ABSTAIN_TEXT.rstrip(".").lower():
            return abstain(retrieved, "llm")
        checked = citecheck.check(text, retrieved.hits, retrieved.sentences, self.search.embedder.embed)
        if not any(item.supported for item in checked):
            return None
        numbering: dict[int, int] = {}
        spans: dict[int, list[tuple[int, int]]] = {}
        for item in checked:
            for number, span in item.highlights:
                numbering.setdefault(number, len(numbering) + 1)
                spans.setdefault(number, []).append(span)
        citations = tuple(
            _citation(numbering[n], retrieved.hits[n - 1], spans[n],
                      max(i.support for i in checked if n in i.cited)) for n in numbering)
        return Answer(citecheck.render(checked, numbering), citations, False, request.standalone, "llm",
                      draft.notice, tuple(i.text for i in checked if not i.supported))


def format_passages(hits: Sequence[Hit]) -> str:
    blocks = []
    for number, hit in enumerate(hits, 1):
        about = ", ".join(x for x in (hit.source, hit.published[:10]) if x)
        blocks.append(f"[{number}] {hit.title}{f' ({about})' if about else ''}\n{hit.text}")
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


def llm_failure(error: Exception) -> str:
    reason = str(error).strip().splitlines()[0][:120] if str(error).strip() else type(error).__name__
    return f"The LLM did not answer ({type(error).__name__}: {reason}); this is the extractive answer."


def read_question(request: Request) -> Request:
    """What the question says without an LLM: its dates and order words, and whether it asks
    for a timeline (only when the extractive mode was left as is: an explicit mode wins)."""
    asked = question_dates(request.standalone)
    mode = request.mode
    if mode == "extractive" and is_timeline_question(request.standalone):
        mode = "timeline"
    searched = asked.rest or request.standalone
    if mode == "timeline":
        searched = without_timeline_words(searched)
    return replace(request, dates=asked, mode=mode, searched=searched)


def narrow(filters: Filters, asked: DateQuery) -> Filters | None:
    """The filters with the asked range added inside the explicit one; None if they do not meet."""
    since = max((x for x in (filters.since, asked.since_ts()) if x is not None), default=None)
    until = min((x for x in (filters.until, asked.until_ts()) if x is not None), default=None)
    if since is not None and until is not None and since > until:
        return None
    return replace(filters, since=since, until=until)


def in_range(item: Scored, asked: DateQuery) -> bool:
    """A sentence is evidence for the asked dates when its article was published then, or
    when it tells of a date in the range itself."""
    published = day_of(item.hit.published)
    if published is not None and asked.contains(published, published):
        return True
    return any(asked.contains(m.first, m.last) for m in find_dates(item.sentence.text, published))


def within_dates(retrieved: Retrieved) -> Retrieved:
    """Keep only evidence for the question's dates, when there is enough of it to answer;
    otherwise keep everything and say the dates could not be honoured."""
    asked = retrieved.request.dates
    kept = [s for s in retrieved.scored if in_range(s, asked)]
    phrase = f"“{asked.phrase}”" if asked.phrase else "the question"
    if kept and kept[0].score >= ABSTAIN_BELOW:
        chunks = {s.hit.chunk_id for s in kept}
        return replace(retrieved, hits=tuple(h for h in retrieved.hits if h.chunk_id in chunks), scored=tuple(kept),
                       notice=f"Evidence dated {asked.describe()} (from {phrase}).")
    found = "Nothing in the articles dated" if not kept else "The evidence dated"
    return replace(retrieved, notice=f"{found} {asked.describe()} (from {phrase}) answers this; "
                                     f"this answer is not limited to those dates.")


def with_notice(answer: Answer, notice: str) -> Answer:
    if not notice or notice in answer.notice:
        return answer
    return replace(answer, notice=f"{answer.notice} {notice}".strip())


def _published_ts(hit: Hit) -> float:
    _, seconds = parse_date(hit.published)
    return float(seconds or 0)


def timeline(retrieved: Retrieved) -> Answer | None:
    """Cited points, the dated ones in date order, then any undated ones (with a notice);
    None when there is no evidence."""
    numbers: dict[str, int] = {}
    grouped: dict[str, list[Scored]] = {}

    def number_of(item: Scored) -> int:
        grouped.setdefault(item.hit.chunk_id, []).append(item)
        return numbers.setdefault(item.hit.chunk_id, len(numbers) + 1)

    points = timeline_points(list(retrieved.scored), number_of)
    if not points:
        return None
    citations = tuple(_citation(numbers[chunk_id], items[0].hit, [(s.sentence.start, s.sentence.end) for s in items],
                                max(s.score for s in items)) for chunk_id, items in grouped.items())
    timeline_points_only = tuple(point for _, point in points)
    return Answer(timeline_text(timeline_points_only), citations, False, retrieved.request.standalone, "timeline",
                  notice=undated_notice(timeline_points_only), timeline=timeline_points_only)


def extractive(retrieved: Retrieved) -> Answer:
    """At most three of the best sentences, each followed by its citation. Deterministic.
    For "latest" / "earliest" questions the sentences are ordered by their article's date."""
    order = retrieved.request.dates.order
    chosen = choose(date_order.by_date(list(retrieved.scored), order, ABSTAIN_BELOW))
    if order:  # the newest (oldest) relevant report leads, the others follow by date
        sign = -1 if order == "latest" else 1
        lead = date_order.edge(retrieved.scored, order, ABSTAIN_BELOW)
        chosen.sort(key=lambda s: (s is not lead, not s.hit.published, sign * _published_ts(s.hit)))
    numbers: dict[str, int] = {}
    grouped: dict[str, list[Scored]] = {}
    parts = []
    for item in chosen:
        number = numbers.setdefault(item.hit.chunk_id, len(numbers) + 1)
        grouped.setdefault(item.hit.chunk_id, []).append(item)
        parts.append(f"{item.sentence.text} [{number}]")
    citations = tuple(_citation(numbers[chunk_id], items[0].hit, [(s.sentence.start, s.sentence.end) for s in items],
                                max(s.score for s in items)) for chunk_id, items in grouped.items())
    mode = "timeline" if retrieved.request.mode == "timeline" else "extractive"
    answer = Answer(" ".join(parts), citations, False, retrieved.request.standalone, mode)
    if mode == "timeline":
        return with_notice(answer, "No cited sentence has a date, so this is not a timeline.")
    return answer


def abstain(retrieved: Retrieved, mode: str) -> Answer:
    """'Not in the articles', with the closest passages as possibly related."""
    related: list[Scored] = []
    for item in retrieved.scored:
        if all(item.hit.chunk_id != r.hit.chunk_id for r in related):
            related.append(item)
        if len(related) == 2:
            break
    question = retrieved.request.standalone
    if not related:
        return Answer(ABSTAIN_TEXT, (), True, question, mode)
    citations = tuple(_citation(n, item.hit, [(item.sentence.start, item.sentence.end)], item.score)
                      for n, item in enumerate(related, 1))
    markers = ", ".join(f"[{c.number}]" for c in citations)
    return Answer(f"{ABSTAIN_TEXT} Possibly related: {markers}", citations, True, question, mode)


def _citation(number: int, hit: Hit, highlights: Sequence[tuple[int, int]], score: float) -> Citation:
    return Citation(number, hit.article_id, hit.title, hit.source, hit.url, hit.published, hit.text, hit.start,
                    hit.end, tuple(sorted(set(highlights))), round(float(score), 4), hit.also_reported_by)


def stream_pieces(chain: AnswerChain, request: Request) -> Iterator[str | Answer]:
    """Text pieces as they are ready, then the final (checked) Answer, which supersedes them."""
    retrieved = chain.retrieve(chain.standalone(request))
    if request.mode == "llm" and chain.chat_model is not None and retrieved.answerable:
        pieces: list[str] = []
        deadline = chain.with_deadline(retrieved.request).llm_deadline
        try:
            for piece in first_within(deadline, lambda: chain.answer_llm.stream(chain.llm_inputs(retrieved))):
                pieces.append(piece)
                yield piece
        except Exception as error:
            yield chain.finish(Draft(retrieved, "", notice=llm_failure(error)))
            return
        yield chain.finish(Draft(retrieved, "".join(pieces)))
        return
    answer = chain.finish(chain.compose(retrieved))
    yield from _sentences_of(answer)
    yield answer


def _sentences_of(answer: Answer) -> list[str]:
    """The answer text in sentence-sized pieces, each with its markers (and the space or line
    break before it, so the pieces join into the text)."""
    return [p for p in re.split(r"(?<=\])(?=\s)", answer.text) if p] or [answer.text]
