"""Step 3, retrieve: the passages that may answer, their usable sentences, and each sentence's
score. Dates in the question narrow the evidence; "latest"/"earliest" search past the edge."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import RunnableConfig

from index.settings import AnswerMode

from ..injection import is_instruction
from ..news import date_order
from ..news.dates import DateQuery, day_of, find_dates, without_order_words
from ..retrieval import Filters, Hit, Scored, Sentence, document_hit
from .confidence import Judgement, judge
from .corpus import Corpus
from .request import Request
from .scoring import ABSTAIN_BELOW, ARTICLE_MARKER, score_sentences

TIMELINE_K = 10  # passages a timeline draws from: a story has more steps than a fact
EDGE_SEARCHES = 3  # "latest" / "earliest": searches past the newest (oldest) relevant report found


@dataclass(frozen=True, kw_only=True)
class Retrieved:
    request: Request
    hits: tuple[Hit, ...] = ()
    sentences: dict[str, list[Sentence]]
    scored: tuple[Scored, ...] = ()
    notice: str = ""  # e.g. which dates the question limited the evidence to
    judgement: Judgement = Judgement(confidence=0.0)  # the lead sentence and the confidence it answers

    @property
    def answerable(self) -> bool:
        return self.judgement.answerable


class Retrieve:
    """The retrieve step over one corpus; searches go through the LangChain retriever, so
    callbacks and tracing see them."""

    def __init__(self, corpus: Corpus, retriever: BaseRetriever):
        self.corpus = corpus
        self.retriever = retriever

    def __call__(self, request: Request, config: RunnableConfig | None = None) -> Retrieved:
        self.corpus.follow_builds()  # an index built after start (by the CLI, say) is seen
        if not request.standalone or not self.corpus.committed:
            return Retrieved(request=request, sentences={})
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
        vector = self.corpus.embed_query(query)
        # the whole question is embedded once: beyond_edge rescores after each of its searches
        whole_vector = vector if whole == query else self.corpus.embed_query(whole)
        k = max(request.k, TIMELINE_K) if request.mode == AnswerMode.TIMELINE else request.k
        if asked.order:
            k = 2 * k  # the newest (oldest) report may not be the best-matching one
        searched = whole if request.mode != AnswerMode.TIMELINE else query
        hits = self.search(searched, config, k, request.filters)
        # articles published in the asked range first, then the rest: a sentence may tell
        # of the asked dates in an article published later ("in December 2024, Zelensky ...")
        if asked.bounded:
            narrowed = narrow(request.filters, asked)
            dated = self.search(query, config, k, narrowed) if narrowed else []
            seen = {h.chunk_id for h in dated}
            hits = dated + [h for h in hits if h.chunk_id not in seen]
        sentences = self.evidence(hits)
        if ordered:
            hits, sentences = self.beyond_edge(request, (query, vector), (whole, whole_vector), hits, sentences, k,
                                               config)
        scored = self.score((query, vector), (whole, whole_vector), hits, sentences)
        retrieved = Retrieved(request=request, hits=tuple(hits), sentences=sentences, scored=tuple(scored))
        if asked.bounded:
            retrieved = within_dates(retrieved)
        # judged on the question without its date words: the dates were checked on their own
        judgement = judge(query, retrieved.scored, self.corpus.document_frequencies,
                          max(self.corpus.passage_count(), 1))
        return replace(retrieved, judgement=judgement)

    def search(self, query: str, config: RunnableConfig | None, k: int, filters: Filters) -> list[Hit]:
        return [document_hit(d) for d in self.retriever.invoke(query, config, k=k, filters=filters)]

    def score(self, searched: tuple[str, np.ndarray], whole: tuple[str, np.ndarray], hits: list[Hit],
              sentences: dict[str, list[Sentence]]) -> list[Scored]:
        """Every sentence of the hits, best first. When the searched words are not the whole
        question (its date words left out), each sentence keeps the better of its two scores."""
        frequencies, total = self.corpus.document_frequencies, max(self.corpus.passage_count(), 1)
        scored = score_sentences(*searched, hits, sentences, frequencies, total)
        if searched[0] == whole[0]:
            return scored
        also = score_sentences(*whole, hits, sentences, frequencies, total)
        best: dict[tuple[str, int], Scored] = {}
        for item in scored + also:
            key = (item.hit.chunk_id, item.sentence.start)
            if key not in best or item.score > best[key].score:
                best[key] = item
        return sorted(best.values(), key=lambda item: item.score, reverse=True)

    def beyond_edge(self, request: Request, searched: tuple[str, np.ndarray], whole: tuple[str, np.ndarray],
                    hits: list[Hit], sentences: dict[str, list[Sentence]], k: int,
                    config: RunnableConfig | None) -> tuple[list[Hit], dict[str, list[Sentence]]]:
        """For "latest" ("earliest"): search the articles published after (before) the newest
        (oldest) relevant one found so far, and again past anything relevant found there, so
        the newest relevant report is found however many older ones match better."""
        order = request.dates.order
        bounds = narrow(request.filters, request.dates) if request.dates.bounded else request.filters
        last = None
        for _ in range(EDGE_SEARCHES):
            lead = date_order.edge(self.score(searched, whole, hits, sentences), order, ABSTAIN_BELOW)
            if lead is None or bounds is None or lead.hit.article_id == last:
                break  # nothing relevant, or the last search found nothing past it
            last = lead.hit.article_id
            published = date_order.published_ts(lead)
            past = _past(bounds, order, int(published)) if published is not None else None
            if past is None:
                break  # an undated lead has no edge to search past
            seen = {h.chunk_id for h in hits}
            found = [h for h in self.search(searched[0], config, k, past) if h.chunk_id not in seen]
            if not found:
                break
            hits = hits + found
            sentences = {**sentences, **self.evidence(found)}
        return hits, sentences

    def evidence(self, hits: Sequence[Hit]) -> dict[str, list[Sentence]]:
        """The sentences of these passages an answer may use: all but those written to
        instruct an AI (a prompt injection inside an article, see injection.py), and
        without bracketed numbers of their own (a footnote "[2]", or a forged citation
        marker), which in an answer would read as, and link to, the answer's citations."""
        usable: dict[str, list[Sentence]] = {}
        for chunk_id, found in self.corpus.sentences(list(hits)).items():
            usable[chunk_id] = []
            for sentence in found:
                text = ARTICLE_MARKER.sub("", sentence.text).strip() if "[" in sentence.text else sentence.text
                if text and not is_instruction(text):
                    usable[chunk_id].append(replace(sentence, text=text) if text != sentence.text else sentence)
        return usable

    def dated(self) -> bool:
        """Whether any article has a published date."""
        return any(m.published for m in self.corpus.catalog.values())


def _past(bounds: Filters, order: str, moment: int) -> Filters | None:
    """The filters past the edge report's date (after it for "latest", before for "earliest");
    None when nothing is left between them."""
    if order == "latest":
        past = replace(bounds, since=moment + 1 if bounds.since is None else max(moment + 1, bounds.since))
    else:
        past = replace(bounds, until=moment - 1 if bounds.until is None else min(moment - 1, bounds.until))
    if past.since is not None and past.until is not None and past.since > past.until:
        return None
    return past


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
