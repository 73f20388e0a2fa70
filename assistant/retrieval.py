"""Hybrid search over the index: dense (sentence vectors in Chroma) and lexical (BM25)
rankings fused by reciprocal rank. A chunk's dense score is its best sentence's."""

from __future__ import annotations

import json
from dataclasses import dataclass

from index import Settings
from index.embedding import Embedder, load_embedder
from index.store import Store, open_lexical

RRF_K = 60


@dataclass(frozen=True)
class Hit:
    chunk_id: str
    article_id: str
    title: str
    source: str
    url: str
    published: str
    text: str
    start: int
    end: int
    sentences: tuple[tuple[int, int], ...]
    score: float


class HybridSearch:
    def __init__(self, settings: Settings | None = None, embedder: Embedder | None = None):
        self.settings = settings or Settings.load()
        self.store = Store.open(self.settings)
        self.lexical = open_lexical(self.settings)
        self.embedder = embedder or load_embedder(self.settings.embedding_model, self.settings.embedding_batch_size)
        self.committed = self.store.committed()
        # the lexical cache is rebuilt from Chroma when missing, damaged or stale
        self.lexical.sync(self.committed, self.store.lexical_rows)

    def search(self, question: str, k: int = 5, candidates: int = 40) -> list[Hit]:
        if not question.strip() or not self.committed:
            return []
        vector = self.embedder.embed_query(question)
        found = self.store.sentences.query(query_embeddings=[vector], n_results=candidates * 2,
                                           include=["metadatas", "distances"])
        dense: dict[str, float] = {}
        for meta, distance in zip(found["metadatas"][0], found["distances"][0]):
            if not meta or self.committed.get(meta["article_id"]) != meta["content_hash"]:
                continue  # a half-written version from an interrupted build
            dense.setdefault(meta["chunk_id"], 1.0 - distance)
        lexical = [cid for cid, _ in self.lexical.search(question, k=candidates)]
        fused: dict[str, float] = {}
        for ranking in (list(dense), lexical):
            for rank, chunk_id in enumerate(ranking):
                fused[chunk_id] = fused.get(chunk_id, 0.0) + 1.0 / (RRF_K + rank + 1)
        best = sorted(fused, key=fused.get, reverse=True)[:k]
        if not best:
            return []
        records = self.store.chunks.get(ids=best, include=["documents", "metadatas"])
        by_id = dict(zip(records["ids"], zip(records["documents"], records["metadatas"])))
        hits = []
        for chunk_id in best:
            if chunk_id not in by_id:
                continue
            text, meta = by_id[chunk_id]
            hits.append(Hit(chunk_id, meta["article_id"], meta.get("title", ""), meta.get("source", ""),
                            meta.get("url", ""), meta.get("published", ""), text, meta["start"], meta["end"],
                            tuple(tuple(s) for s in json.loads(meta["sentences"])), fused[chunk_id]))
        return hits
