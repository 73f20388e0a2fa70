"""Dense search: the question's vector against the stored sentence vectors.

Two ways, chosen by `settings.dense_search` (docs/dense-search.md):
- exact: every committed sentence vector is held in memory, in sentence-id order, and
  scored by one matrix product. The result depends only on which articles are committed,
  never on the order they were written in or on how Chroma's graph came out, and ties
  go to the smaller sentence id. Sub-millisecond for a few thousand sentences.
- hnsw: Chroma's approximate index, for indexes too large to hold twice in memory.
  Not reproducible: Chroma's graph differs from build to build, even written alike with
  one thread (68% of questions kept their exact top 80 at 10x; docs/dense-search.md).
`auto` searches exactly up to `exact_search_max_sentences` committed sentences. Either of the
last two searches exactly while the graph is still the cheap one of a store searched exactly
so far, until a build rebuilds it for searching (index/hnsw.py).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence

import numpy as np

from index import Settings, hnsw
from index.store import Store


class ExactIndex:
    """Sentence vectors in memory, rows in id order, searched by one matrix product."""

    def __init__(self, ids: Sequence[str], vectors: np.ndarray, articles: Sequence[str]):
        order = np.argsort(np.array(ids, dtype=object), kind="stable")
        self.ids = np.array(ids, dtype=object)[order]
        matrix = np.asarray(vectors, dtype=np.float32).reshape(len(ids), -1 if len(ids) else 0)
        self.vectors = np.ascontiguousarray(matrix[order])
        self.article_ids = tuple(sorted(set(articles)))
        number = {a: i for i, a in enumerate(self.article_ids)}
        self.article_of_row = np.array([number[a] for a in articles], dtype=np.int32)[order]

    def __len__(self) -> int:
        return len(self.ids)

    def search(self, vector: np.ndarray, n: int, allowed_articles: set[str] | None = None) -> list[tuple[str, float]]:
        """The `n` rows closest to `vector` as (id, cosine), best first; equal scores in id order."""
        if not len(self.ids) or n <= 0:
            return []
        # einsum, not `@`: numpy's BLAS splits a matrix-vector product over threads, which on
        # busy cores waits for them (10x slower on this 2-core host); one thread is enough here
        scores = np.einsum("ij,j->i", self.vectors, np.asarray(vector, dtype=np.float32))
        if allowed_articles is not None:
            keep = np.fromiter((a in allowed_articles for a in self.article_ids), dtype=bool,
                               count=len(self.article_ids))[self.article_of_row]
            scores = np.where(keep, scores, -np.inf)
            n = min(n, int(keep.sum()))
            if n == 0:
                return []
        n = min(n, len(scores))
        # the n-th best score, then every row at least as good, ordered by (score, id): ties
        # at the cut are settled by id, not by where argpartition happened to leave them
        cut = np.partition(scores, len(scores) - n)[len(scores) - n]
        rows = np.flatnonzero(scores >= cut)
        rows = rows[np.lexsort((rows, -scores[rows]))][:n]
        return [(self.ids[r], float(scores[r])) for r in rows]


EMPTY = ExactIndex([], np.zeros((0, 0), dtype=np.float32), [])


class DenseSearch:
    def __init__(self, store: Store, settings: Settings):
        self.store = store
        self.settings = settings
        self._versions: dict[tuple[str, str], tuple[list[str], np.ndarray]] = {}  # (article, version) -> rows
        self._matrix = EMPTY
        self.exact = settings.dense_search == "exact"
        self._lock = threading.Lock()

    def sync(self, committed: Mapping[str, str], sentences: int) -> None:
        """Follow the committed articles ({id: version}; `sentences` in all): load the vectors
        of versions not held yet, drop the rest. Only new versions are read from Chroma."""
        exact = hnsw.search_is_exact(self.store, sentences)
        with self._lock:
            if not exact:
                self.exact = False  # before the matrix goes: a search meanwhile asks Chroma
                self._versions, self._matrix = {}, EMPTY
                return
            wanted = set(committed.items())
            kept = {key: rows for key, rows in self._versions.items() if key in wanted}
            missing = sorted(wanted - kept.keys())
            if missing:
                by_version = {version: article for article, version in missing}
                loaded = self.store.sentence_vectors(list(by_version))
                for version, article in by_version.items():
                    kept[(article, version)] = loaded.get(version, ([], np.zeros((0, 0), np.float32)))
            if missing or len(kept) != len(self._versions):
                self._matrix = _assemble(kept)
            self._versions, self.exact = kept, True

    def search(self, vector: np.ndarray, n: int, *, where: dict | None = None,
               allowed_articles: set[str] | None = None) -> list[tuple[str, float]]:
        """The `n` sentences closest to `vector` as (sentence id, cosine), best first. Exact
        search keeps the rows of `allowed_articles` (None: all); HNSW filters with `where`."""
        if not self.exact:
            return self._approximate(vector, n, where)
        return self._matrix.search(vector, n, allowed_articles)

    def _approximate(self, vector: np.ndarray, n: int, where: dict | None) -> list[tuple[str, float]]:
        # ids only: they name the chunk, article and version (metadata would cost ~7 ms more)
        found = self.store.sentences.query(query_embeddings=[vector], n_results=n, where=where,
                                           include=["distances"])
        # equal distances (a syndicated copy's sentences) in id order, not the graph's
        pairs = sorted(zip(found["distances"][0], found["ids"][0]))
        return [(sentence_id, 1.0 - distance) for distance, sentence_id in pairs]


def _assemble(versions: Mapping[tuple[str, str], tuple[list[str], np.ndarray]]) -> ExactIndex:
    parts = [(article, ids, vectors) for (article, _), (ids, vectors) in versions.items() if ids]
    if not parts:
        return EMPTY
    return ExactIndex([i for _, ids, _ in parts for i in ids], np.concatenate([v for _, _, v in parts]),
                      [article for article, ids, _ in parts for _ in ids])
