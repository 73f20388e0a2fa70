"""Hybrid search over the index: dense (sentence vectors in Chroma) and lexical (BM25)
rankings fused by reciprocal rank. A chunk's dense score is its best sentence's.
Filters (outlet, published date range) run inside both stores, not after."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from index import Settings, article_texts
from index.duplicates import shingles
from index.embedding import Embedder, embedder_for
from index.store import PAGE, Store, article_metadata, chunk_metadata, chunk_record_id, open_lexical, sentence_record_id
from index.textview import normalised

from .dense import DenseSearch
from .injection import is_instruction

RRF_K = 60
CANDIDATES = 40  # passages each ranking offers the fusion
DENSE_RESULTS = 2 * CANDIDATES  # sentences the dense search returns (several may share a passage)
RECHECK_SECONDS = 0.5  # how stale a reader's view of the index may get while a build runs
REMEMBERED_ARTICLES = 512  # sentence lists of article versions kept for comparing copies
SAME_PASSAGE = 0.5  # share of the shorter passage's 5-word shingles found in the other: a copy of it


@dataclass(frozen=True)
class Filters:
    sources: tuple[str, ...] = ()
    since: int | None = None  # published_ts bounds, seconds since the epoch
    until: int | None = None

    def chroma_where(self) -> dict | None:
        clauses: list[dict] = []
        if self.sources:
            clauses.append({"source": {"$in": list(self.sources)}})
        if self.since is not None:
            clauses.append({"published_ts": {"$gte": self.since}})
        if self.until is not None:
            clauses.append({"published_ts": {"$lte": self.until}})
        return None if not clauses else clauses[0] if len(clauses) == 1 else {"$and": clauses}

    @property
    def active(self) -> bool:
        return bool(self.sources) or self.since is not None or self.until is not None

    def admits(self, meta: ArticleMeta) -> bool:
        """Whether an article passes, as `chroma_where` decides it (an undated article fails a date bound)."""
        ts = meta.published_ts
        return ((not self.sources or meta.source in self.sources)
                and (self.since is None or (ts is not None and ts >= self.since))
                and (self.until is None or (ts is not None and ts <= self.until)))


@dataclass(frozen=True)
class Sentence:
    start: int  # offsets in the article text as read
    end: int
    text: str  # the normalised view of text[start:end] (textview.py): what matching and answers read
    vector: np.ndarray = field(repr=False, compare=False)


@dataclass(frozen=True)
class Hit:
    chunk_id: str
    article_id: str
    title: str
    source: str
    url: str
    published: str
    text: str  # the article's text[start:end], exactly as read
    start: int
    end: int
    sentences: tuple[tuple[int, int], ...]
    score: float
    group: str = ""  # near-duplicate group (the id of its first published article); "" if none
    also_reported_by: tuple[str, ...] = ()  # outlets of the group's other articles


@dataclass(frozen=True)
class Scored:
    hit: Hit
    rank: int
    sentence: Sentence
    score: float
    cosine: float
    overlap: float


@dataclass(frozen=True)
class ArticleMeta:
    """What readers need of a committed article besides its text."""
    article_id: str
    title: str
    source: str
    published: str
    published_ts: int | None
    group: str
    url: str = ""


class HybridSearch:
    def __init__(self, settings: Settings | None = None, embedder: Embedder | None = None):
        self.settings = settings or Settings.load()
        self.store = Store.open(self.settings)
        self.lexical = open_lexical(self.settings)
        self.embedder = embedder or embedder_for(self.settings)
        self.dense = DenseSearch(self.store, self.settings)
        self._lock = threading.Lock()
        self._article_sentences: OrderedDict[tuple[str, str], list[str]] = OrderedDict()
        self._article_sentences_lock = threading.Lock()
        self._generation = self.store.generation()
        self._checked = time.monotonic()
        self.refresh()

    def refresh(self) -> None:
        """Re-read which article versions are committed; the lexical cache follows Chroma.
        Runs whenever a build commits, so it reads the light per-article metadata only (the
        MinHash signatures, ~700 characters per article, stay with `Store.regroup`)."""
        described = self.store.described()
        committed = {m["article_id"]: m["version"] for m in described}
        catalog = {m["article_id"]: ArticleMeta(m["article_id"], m.get("title", ""), m.get("source", ""),
                                                m.get("published", ""), m.get("published_ts"),
                                                m.get("dup_group", ""), m.get("url", "")) for m in described}
        groups: dict[str, list[ArticleMeta]] = {}
        for meta in catalog.values():
            if meta.group:
                groups.setdefault(meta.group, []).append(meta)
        self.dense.sync(committed, sum(int(m.get("sentences") or 0) for m in described))
        # Other threads answer while this runs (the app answers several questions at once and
        # any of them may be the one that notices a build): each view is built whole and then
        # swapped in, never filled in place, and `committed` goes last, so an article a reader
        # trusts always has its catalog entry and group.
        self.groups, self.catalog, self.committed = groups, catalog, committed
        self.lexical.sync(committed, self.store.lexical_rows)

    def follow_builds(self) -> None:
        """Pick up articles committed by a build in another process (or thread) since the last look."""
        if time.monotonic() - self._checked < RECHECK_SECONDS:
            return
        with self._lock:
            if time.monotonic() - self._checked < RECHECK_SECONDS:
                return
            generation = self.store.generation()
            if generation != self._generation:
                self.store.reopen()  # a build may have rebuilt the sentence collection (index/hnsw.py)
                self.refresh()
                self._generation = generation
            self._checked = time.monotonic()

    def search(self, question: str, k: int = 5, candidates: int = CANDIDATES, filters: Filters = Filters(),
               vector: np.ndarray | None = None) -> list[Hit]:
        self.follow_builds()
        if not question.strip() or not self.committed:
            return []
        if vector is None:
            vector = self.embedder.embed_query(question)
        allowed = {a for a, m in self.catalog.items() if filters.admits(m)} if filters.active else None
        found = self.dense.search(vector, candidates * 2, where=filters.chroma_where(), allowed_articles=allowed)
        dense: dict[str, float] = {}
        for sentence_id, score in found:
            chunk_id = sentence_id.rsplit("|", 1)[0]
            article_id, version, _ = chunk_id.rsplit("|", 2)
            if self.committed.get(article_id) != version:
                continue  # a half-written version from an interrupted build
            dense.setdefault(chunk_id, score)
        lexical = [cid for cid, _ in self.lexical.search(question, k=candidates, sources=filters.sources,
                                                           since=filters.since, until=filters.until)]
        fused: dict[str, float] = {}
        for ranking in (list(dense), lexical):
            for rank, chunk_id in enumerate(ranking):
                fused[chunk_id] = fused.get(chunk_id, 0.0) + 1.0 / (RRF_K + rank + 1)
        ranked = sorted(fused, key=lambda chunk_id: fused[chunk_id], reverse=True)
        best = ranked[:k]
        if any(self._group_of(chunk_id.rsplit("|", 2)[0]) for chunk_id in best):
            best = ranked[:3 * k]  # copies of one story take one place: look further for the rest
        if not best:
            return []
        hits = self._hits(best, fused)
        if any(is_instruction(hit.text) for hit in hits):
            # a passage that matches the question through instructions to an AI written
            # into it (a prompt injection, see injection.py) comes after every other: it
            # must not crowd out another article's evidence. One whose own reporting
            # matches best keeps its place.
            hits += self._hits(ranked[len(best):len(best) + 2 * k], fused)
            led = self._led_by_instructions([hit for hit in hits if is_instruction(hit.text)], vector)
            hits.sort(key=lambda hit: hit.chunk_id in led)
        return self.collapse_copies(hits)[:k]

    # -- what the answer steps need besides search (see pipeline/corpus.py) ----------
    def embed_query(self, text: str) -> np.ndarray:
        return self.embedder.embed_query(text)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return self.embedder.embed(list(texts))

    def document_frequencies(self, stems: Sequence[str]) -> dict[str, int]:
        return self.lexical.document_frequencies(stems)

    def passage_count(self) -> int:
        return self.lexical.count()

    def article_vectors(self, article_ids: Sequence[str]) -> dict[str, np.ndarray]:
        vectors: dict[str, np.ndarray] = {}
        ids = list(article_ids)
        for start in range(0, len(ids), PAGE):
            found = self.store.articles.get(ids=ids[start:start + PAGE], include=["embeddings"])
            for article_id, vector in zip(found["ids"], found["embeddings"]):
                if vector is not None and len(vector):
                    vectors[article_id] = np.asarray(vector, dtype=np.float32)
        return vectors

    def article_passages(self, article_ids: Sequence[str]) -> dict[str, list[Hit]]:
        """Read by primary keys: the article records name their chunk count and version."""
        ids = [a for a in dict.fromkeys(article_ids) if self.committed.get(a)]
        records = self.store.articles.get(ids=ids, include=["metadatas"]) if ids else {"ids": [], "metadatas": []}
        chunk_ids = []
        for article_id, meta in zip(records["ids"], map(article_metadata, records["metadatas"])):
            if meta.get("version") == self.committed.get(article_id):
                count = int(meta.get("chunks") or 0)
                chunk_ids += [chunk_record_id(article_id, meta["version"], i) for i in range(count)]
        passages: dict[str, list[Hit]] = {a: [] for a in ids}
        for start in range(0, len(chunk_ids), PAGE):
            page = chunk_ids[start:start + PAGE]
            for hit in self._hits(page, dict.fromkeys(page, 0.0)):
                passages[hit.article_id].append(hit)
        for found in passages.values():
            found.sort(key=lambda h: h.start)
        return passages

    def article_texts(self, article_ids: Sequence[str]) -> dict[str, str]:
        """The indexed text of each committed article: what every offset of its citations indexes."""
        return article_texts(article_ids, store=self.store)

    def generation(self) -> object:
        """Changes whenever a build commits (the page refreshes its article list on a change)."""
        return self.store.generation()

    def _led_by_instructions(self, hits: list[Hit], vector: np.ndarray) -> set[str]:
        """The passages whose sentence closest to the question is an instruction to an AI."""
        led = set()
        for chunk_id, found in self.sentences(hits).items():
            closest = max(found, key=lambda s: float(np.dot(vector, s.vector)), default=None)
            if closest is None or is_instruction(closest.text):
                led.add(chunk_id)
        return led

    def _hits(self, chunk_ids: list[str], fused: dict[str, float]) -> list[Hit]:
        if not chunk_ids:
            return []
        records = self.store.chunks.get(ids=chunk_ids, include=["documents", "metadatas"])
        by_id = dict(zip(records["ids"], zip(records["documents"], records["metadatas"])))
        hits = []
        for chunk_id in chunk_ids:
            if chunk_id not in by_id or not by_id[chunk_id][1]:
                continue
            meta = chunk_metadata(*by_id[chunk_id])
            # title, outlet and date are the article's (its catalog entry: every committed
            # article has one); layout 5 and older also kept them on the chunk
            about = self.catalog.get(meta["article_id"])
            title, source, url, published = ((about.title, about.source, about.url, about.published) if about else
                                             (meta.get("title", ""), meta.get("source", ""), meta.get("url", ""),
                                              meta.get("published", "")))
            hits.append(Hit(chunk_id, meta["article_id"], title, source, url, published, meta["text"],
                            meta["start"], meta["end"], tuple(tuple(s) for s in meta["sentences"]),
                            fused[chunk_id]))
        return hits

    def _group_of(self, article_id: str) -> str:
        meta = self.catalog.get(article_id)
        return meta.group if meta else ""

    def collapse_copies(self, hits: list[Hit]) -> list[Hit]:
        """One passage per story: a passage that is a near-copy of a better-ranked one from
        another article of its near-duplicate group is dropped, and the newest version (a
        correction) takes the place of older ones. Each kept passage names the outlets of
        its group's other articles (`also_reported_by`). A copy in another outlet keeps the
        better-ranked passage; a later version from the same outlet replaces the earlier."""
        kept: list[Hit] = []
        grams: list[set[int]] = []
        for hit in hits:
            group = self._group_of(hit.article_id)
            hit = replace(hit, group=group, also_reported_by=self._others(hit, group))
            mine = shingles(hit.text)
            twin = next((i for i, other in enumerate(kept) if group and other.group == group
                         and other.article_id != hit.article_id and _contained(mine, grams[i]) >= SAME_PASSAGE),
                        None)
            if twin is None:
                kept.append(hit)
                grams.append(mine)
            elif hit.source == kept[twin].source and self._newer(hit.article_id, kept[twin].article_id):
                # the same outlet's later version (an update, a correction) speaks for it
                kept[twin] = replace(hit, score=kept[twin].score)
                grams[twin] = mine
        return kept

    def _newer(self, a: str, b: str) -> bool:
        ta, tb = self.catalog[a].published_ts, self.catalog[b].published_ts
        return ta is not None and (tb is None or ta > tb)

    def _others(self, hit: Hit, group: str) -> tuple[str, ...]:
        if not group:
            return ()
        # an article without an outlet is named by its title and date (it may be an earlier version)
        names = [m.source or f"“{m.title or m.article_id}”" + (f" ({m.published[:10]})" if m.published else "")
                 for m in sorted(
            self.groups.get(group, []), key=lambda m: (m.published_ts is None, m.published_ts or 0, m.article_id))
            if m.article_id != hit.article_id]
        return tuple(dict.fromkeys(n for n in names if n != hit.source))

    def copies_of(self, article_id: str) -> list[ArticleMeta]:
        """The other articles of an article's near-duplicate group, oldest first."""
        meta = self.catalog.get(article_id)
        if meta is None or not meta.group:
            return []
        return sorted((m for m in self.groups.get(meta.group, []) if m.article_id != article_id),
                      key=lambda m: (m.published_ts is None, m.published_ts or 0, m.article_id))

    def article_sentences(self, article_id: str) -> list[str]:
        """The sentences of an article's committed version, in text order.

        Read by primary keys only (the article record, then its chunks by id, which hold the
        sentences' text and offsets): a filtered get
        scans every sentence record, which at 100x the SQuAD corpus made each answer citing a
        syndicated story wait on one scan per copy. A version never changes, so the result is
        remembered."""
        version = self.committed.get(article_id)
        if not version:
            return []
        key = (article_id, version)
        if (known := self._article_sentences.get(key)) is not None:
            return known
        record = self.store.articles.get(ids=[article_id], include=["metadatas"])
        meta = article_metadata((record["metadatas"] or [None])[0])
        if meta.get("version") != version:
            return []  # a build replaced or removed it meanwhile
        chunk_ids = [chunk_record_id(article_id, version, i) for i in range(int(meta.get("chunks") or 0))]
        chunks = self.store.chunks.get(ids=chunk_ids, include=["documents", "metadatas"]) if chunk_ids else \
            {"ids": [], "documents": [], "metadatas": []}
        if len(chunks["ids"]) != len(chunk_ids):
            return []  # replaced meanwhile: the build's cleanup deleted its chunks
        # each sentence lies inside its chunk, whose text is the article's at the chunk's offsets
        pieces = sorted((start, normalised(m["text"][start - m["start"]:end - m["start"]]))
                        for m in map(chunk_metadata, chunks["documents"], chunks["metadatas"])
                        for start, end in m["sentences"])
        found = [sentence for _, sentence in pieces if sentence]
        with self._article_sentences_lock:
            self._article_sentences[key] = found
            while len(self._article_sentences) > REMEMBERED_ARTICLES:
                self._article_sentences.popitem(last=False)
        return found

    def sentences(self, hits: Sequence[Hit]) -> dict[str, list[Sentence]]:
        """The stored sentences (with their vectors) of each hit, in text order."""
        if not hits:
            return {}
        # sentence ids and offsets follow from the chunk's own record: a primary-key lookup
        spans = {sentence_record_id(h.chunk_id, j): (h, span) for h in hits for j, span in enumerate(h.sentences)}
        rows = self.store.sentences.get(ids=list(spans), include=["embeddings"])
        out: dict[str, list[Sentence]] = {h.chunk_id: [] for h in hits}
        for sentence_id, vector in zip(rows["ids"], rows["embeddings"]):
            hit, (start, end) = spans[sentence_id]
            # the text is the chunk's, at the sentence's offsets, in the normalised view
            text = normalised(hit.text[start - hit.start:end - hit.start])
            out[hit.chunk_id].append(Sentence(start, end, text, np.asarray(vector, dtype=np.float32)))
        for sentences in out.values():
            sentences.sort(key=lambda s: s.start)
        return out


class HybridRetriever(BaseRetriever):
    """The hybrid search as a LangChain retriever: `invoke(question, k=..., filters=...)` gives
    Documents (the chunk text; metadata: ids, title, outlet, date, offsets, fused score)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    search: Any  # a Corpus (pipeline/corpus.py): HybridSearch on a real index
    k: int = 5
    filters: Filters = Filters()

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun,
                                k: int | None = None, filters: Filters | None = None) -> list[Document]:
        hits = self.search.search(query, k=k or self.k, filters=filters or self.filters)
        return [hit_document(hit) for hit in hits]


def _contained(a: set[int], b: set[int]) -> float:
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


def hit_document(hit: Hit) -> Document:
    return Document(page_content=hit.text, id=hit.chunk_id,
                    metadata={f.name: getattr(hit, f.name) for f in fields(Hit) if f.name != "text"})


def document_hit(document: Document) -> Hit:
    meta = document.metadata
    return Hit(text=document.page_content, **{f.name: meta[f.name] for f in fields(Hit) if f.name != "text"})
