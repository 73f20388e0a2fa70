"""Stories: the articles that report one event or topic, across outlets.

Computed from what the index already holds, with no model work: each article's vector
(the mean of its stored sentence vectors, which were embedded with its title), its date
and outlet, and its near-duplicate group. Copies of one text (a syndicated story, a
correction) always share a story, so each group is one unit with the mean of its members'
vectors.

Clustering is single-pass, as in topic detection and tracking: units in publication order
join the story whose centroid (normalised mean of its units) is nearest, when the cosine
reaches `story_threshold`, and otherwise start a story. Two passes of reassignment (each
unit to its nearest centroid, centroids recomputed) then undo what the order decided
early, while centroids were still single articles. A new article later joins its nearest
story the same way, without clustering anything else again; a removed or changed article
leaves its story (and a changed one joins again).

`StoryIndex` keeps the stories of one corpus (`pipeline/corpus.py`), keyed by what the index has
committed: a build that commits, removes or regroups articles updates them at the next
look (`stories()`), and nothing is recomputed while nothing changed.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from ..retrieval import ArticleMeta, Hit, Sentence

if TYPE_CHECKING:
    from ..pipeline.corpus import Corpus

REFINE_PASSES = 2
BATCH = 256  # units compared with the centroids at once in the single pass
BLOCK = 2048  # units per block when comparing every unit with every centroid
REMEMBERED_PASSAGES = 256  # articles whose passages and sentence vectors are kept


@dataclass(frozen=True, kw_only=True)
class Story:
    """One event or topic and the articles that report it."""
    story_id: str  # the id of its earliest article (stable while that article stays)
    article_ids: tuple[str, ...]  # oldest first; undated ones last
    outlets: tuple[str, ...]  # distinct outlets, in the order they first reported it
    first: str  # ISO day of its earliest dated article ("" when none is dated)
    last: str  # ISO day of its newest dated article
    first_ts: int | None  # published_ts bounds (seconds since the epoch)
    last_ts: int | None
    headline: str  # the title of its most central article ("" when no article has a title)
    headline_article: str  # whose title the headline is
    copies: int  # articles that are near-copies of another article of the story

    @property
    def size(self) -> int:
        return len(self.article_ids)


@dataclass(kw_only=True)
class Clusters:
    """Units (an article, or a near-duplicate group) assigned to stories by their vectors.
    Mutable working state behind `StoryIndex`; pure numpy, so it runs on any vectors."""
    threshold: float
    dim: int
    unit_vectors: dict[str, np.ndarray] = field(default_factory=dict)  # normalised
    story_of: dict[str, int] = field(default_factory=dict)  # unit -> story row
    members: dict[int, set[str]] = field(default_factory=dict)  # story row -> units
    sums: np.ndarray = field(init=False)
    centroids: np.ndarray = field(init=False)
    active: np.ndarray = field(init=False)
    rows: int = 0

    def __post_init__(self) -> None:
        self.sums = np.zeros((64, self.dim), dtype=np.float32)
        self.centroids = np.zeros((64, self.dim), dtype=np.float32)
        self.active = np.zeros(64, dtype=bool)

    def add(self, unit: str, vector: np.ndarray) -> int:
        """Put a unit in its nearest story (cosine to the centroid at least `threshold`) or a new one."""
        vector = _unit(vector)
        self.unit_vectors[unit] = vector
        row = self.nearest(vector)
        if row is None:
            row = self._new_row()
        self._join(unit, row)
        return row

    def add_many(self, units: Sequence[tuple[str, np.ndarray]]) -> None:
        """`add` for each unit in turn, with the same result, but compared with the centroids in
        blocks: a centroid no unit of the block has joined yet is compared once for the whole
        block, and only the few the block changed are compared again, unit by unit."""
        for start in range(0, len(units), BATCH):
            batch = [(unit, _unit(vector)) for unit, vector in units[start:start + BATCH]]
            before = self.rows
            similarity = np.stack([v for _, v in batch]) @ self.centroids[:before].T
            similarity[:, ~self.active[:before]] = -2.0
            touched: list[int] = []
            for i, (unit, vector) in enumerate(batch):
                self.unit_vectors[unit] = vector
                row, best = None, self.threshold
                if before:
                    known = similarity[i].copy()
                    known[[t for t in touched if t < before]] = -2.0  # changed since: compared below
                    candidate = int(np.argmax(known))
                    if known[candidate] >= best:
                        row, best = candidate, float(known[candidate])
                if touched:
                    fresh = self.centroids[touched] @ vector
                    j = int(np.argmax(fresh))
                    if fresh[j] >= best and self.active[touched[j]]:
                        row = touched[j]
                if row is None:
                    row = self._new_row()
                self._join(unit, row)
                if row not in touched:
                    touched.append(row)

    def nearest(self, vector: np.ndarray) -> int | None:
        if not self.rows:
            return None
        similarity = self.centroids[:self.rows] @ vector
        similarity[~self.active[:self.rows]] = -2.0
        row = int(np.argmax(similarity))
        return row if similarity[row] >= self.threshold else None

    def remove(self, unit: str) -> None:
        row = self.story_of.pop(unit, None)
        vector = self.unit_vectors.pop(unit, None)
        if row is None or vector is None:
            return
        self.members[row].discard(unit)
        self.sums[row] -= vector
        if not self.members[row]:
            del self.members[row]
            self.active[row] = False
            self.sums[row] = 0.0
        self._recentre(row)

    def refine(self, passes: int = REFINE_PASSES) -> None:
        """Move each unit to its nearest centroid (when it reaches the threshold), then
        recompute the centroids; repeat. Stops early once nothing moves."""
        units = list(self.unit_vectors)
        if not units:
            return
        matrix = np.stack([self.unit_vectors[u] for u in units])
        for _ in range(passes):
            current = np.array([self.story_of[u] for u in units])
            wanted = current.copy()
            for start in range(0, len(units), BLOCK):
                similarity = matrix[start:start + BLOCK] @ self.centroids[:self.rows].T
                similarity[:, ~self.active[:self.rows]] = -2.0
                best = similarity.argmax(axis=1)
                own = similarity[np.arange(len(best)), current[start:start + BLOCK]]
                moves = similarity[np.arange(len(best)), best] >= np.maximum(self.threshold, own + 1e-6)
                wanted[start:start + BLOCK] = np.where(moves, best, current[start:start + BLOCK])
            if (wanted == current).all():
                return
            self._assign(units, matrix, wanted)

    def merge(self) -> int:
        """Join stories whose centroids are within `threshold` of each other (nearest pairs first,
        each story once per round), until none are: reports of one story that the single pass
        started apart, each too far from the other's first article. Returns how many joined."""
        joined = 0
        while True:
            rows = np.flatnonzero(self.active[:self.rows])
            pairs = []
            for start in range(0, len(rows), BLOCK):
                block = rows[start:start + BLOCK]
                similarity = self.centroids[block] @ self.centroids[rows].T
                for i, j in zip(*np.nonzero(similarity >= self.threshold)):
                    if rows[j] > block[i]:
                        pairs.append((float(similarity[i, j]), int(block[i]), int(rows[j])))
            used: set[int] = set()
            merged = 0
            for _, a, b in sorted(pairs, reverse=True):
                if a in used or b in used:
                    continue
                used.update((a, b))
                for unit in self.members.pop(b):
                    self.story_of[unit] = a
                    self.members[a].add(unit)
                self.sums[a] += self.sums[b]
                self.sums[b] = 0.0
                self.active[b] = False
                self._recentre(a)
                merged += 1
            joined += merged
            if not merged:
                return joined

    def _assign(self, units: list[str], matrix: np.ndarray, rows: np.ndarray) -> None:
        self.members = {}
        self.sums[:] = 0.0
        self.active[:] = False
        np.add.at(self.sums, rows, matrix)
        for unit, row in zip(units, rows.tolist()):
            self.story_of[unit] = row
            self.members.setdefault(row, set()).add(unit)
        self.active[list(self.members)] = True
        norms = np.linalg.norm(self.sums[:self.rows], axis=1, keepdims=True)
        self.centroids[:self.rows] = np.where(norms > 0, self.sums[:self.rows] / np.maximum(norms, 1e-12), 0.0)

    def _new_row(self) -> int:
        if self.rows == len(self.sums):
            grow = len(self.sums)
            self.sums = np.vstack([self.sums, np.zeros((grow, self.dim), dtype=np.float32)])
            self.centroids = np.vstack([self.centroids, np.zeros((grow, self.dim), dtype=np.float32)])
            self.active = np.concatenate([self.active, np.zeros(grow, dtype=bool)])
        self.rows += 1
        self.active[self.rows - 1] = True
        self.members[self.rows - 1] = set()
        return self.rows - 1

    def _join(self, unit: str, row: int) -> None:
        self.story_of[unit] = row
        self.members.setdefault(row, set()).add(unit)
        self.active[row] = True
        self.sums[row] += self.unit_vectors[unit]
        self._recentre(row)

    def _recentre(self, row: int) -> None:
        norm = float(np.linalg.norm(self.sums[row]))
        self.centroids[row] = self.sums[row] / norm if norm > 0 else 0.0

    def centroid(self, row: int) -> np.ndarray:
        return self.centroids[row]


def cluster(units: Sequence[tuple[str, np.ndarray]], threshold: float,
            passes: int = REFINE_PASSES) -> Clusters:
    """Cluster units given in the order to visit them (publication order): one pass, then refinement."""
    dim = len(units[0][1]) if units else 1
    clusters = Clusters(threshold=threshold, dim=dim)
    clusters.add_many(units)
    clusters.refine(passes)
    if clusters.merge():
        clusters.refine(passes)
    return clusters


def units(article_ids: Iterable[str], catalog: dict[str, ArticleMeta],
          vectors: dict[str, np.ndarray]) -> list[tuple[str, np.ndarray, list[str]]]:
    """(unit, vector, articles) in publication order: a near-duplicate group is one unit with
    the mean of its members' vectors; an article with no stored vector is left out."""
    members: dict[str, list[str]] = {}
    for article_id in article_ids:
        if article_id in vectors and article_id in catalog:
            members.setdefault(catalog[article_id].group or article_id, []).append(article_id)
    order = sorted(members, key=lambda u: _when(members[u], catalog))
    return [(u, _unit(np.mean([vectors[a] for a in members[u]], axis=0)), members[u]) for u in order]


class StoryIndex:
    """The stories of one index, kept up to date with what it has committed."""

    def __init__(self, search: Corpus, threshold: float):
        self.search = search
        self.threshold = threshold
        self._lock = threading.Lock()
        self._seen: dict[str, tuple[str, str]] = {}  # article -> (version, group) it was clustered with
        self._committed_object: object = None
        self._article_vectors: dict[str, np.ndarray] = {}
        self._unit_of: dict[str, str] = {}  # article -> unit (its near-duplicate group, else itself)
        self._units: dict[str, list[str]] = {}  # unit -> its articles
        self.clusters: Clusters | None = None
        self._stories: tuple[Story, ...] = ()
        self._by_article: dict[str, Story] = {}
        self._row_of_story: dict[str, int] = {}
        self._passages: OrderedDict[tuple[str, str], list[tuple[Hit, list[Sentence]]]] = OrderedDict()
        self._passages_lock = threading.Lock()
        self.full_runs = 0  # how many times everything was clustered (the first look, or a changed threshold)
        self.updates = 0  # incremental updates since

    # -- what readers use -------------------------------------------------------------
    def stories(self) -> tuple[Story, ...]:
        """Every story, biggest first (then newest); recomputed only for what a build changed."""
        self.search.follow_builds()
        if self.search.committed is not self._committed_object:
            with self._lock:
                if self.search.committed is not self._committed_object:
                    self._update()
        return self._stories

    def story_of(self, article_id: str) -> Story | None:
        self.stories()
        return self._by_article.get(article_id)

    def centroid(self, story: Story) -> np.ndarray:
        row = self._row_of_story.get(story.story_id)
        return self.clusters.centroid(row) if self.clusters is not None and row is not None else np.zeros(1)

    def article_vector(self, article_id: str) -> np.ndarray | None:
        return self._article_vectors.get(article_id)

    # -- keeping up with the index ------------------------------------------------------
    def _update(self) -> None:
        committed, catalog = self.search.committed, self.search.catalog
        now = {a: (v, catalog[a].group if a in catalog else "") for a, v in committed.items()}
        gone = [a for a in self._seen if now.get(a) != self._seen[a]]
        new = [a for a in now if self._seen.get(a) != now[a]]
        for article_id in gone:
            self._article_vectors.pop(article_id, None)
        self._read_vectors(new)
        if self.clusters is None or self.clusters.threshold != self.threshold:
            self._cluster_all(now, catalog)
        else:
            self._apply(gone, new, catalog)
            self.updates += 1
        self._seen = now
        self._committed_object = committed
        self._publish(catalog)

    def _cluster_all(self, now: dict[str, tuple[str, str]], catalog: dict[str, ArticleMeta]) -> None:
        self._unit_of, self._units = {}, {}
        found = units(now, catalog, self._article_vectors)
        for unit, _, articles in found:
            for article_id in articles:
                self._place(article_id, unit)
        dim = len(found[0][1]) if found else 1
        self.clusters = cluster([(u, v) for u, v, _ in found], self.threshold) if found \
            else Clusters(threshold=self.threshold, dim=dim)
        self.full_runs += 1

    def _apply(self, gone: list[str], new: list[str], catalog: dict[str, ArticleMeta]) -> None:
        """Incremental: units that lost or gained members leave their story and join their nearest one."""
        clusters = self.clusters
        assert clusters is not None  # only called once everything was clustered
        touched = {unit for unit in map(self._unplace, gone) if unit is not None}
        for article_id in new:
            if article_id in self._article_vectors and article_id in catalog:
                self._place(article_id, catalog[article_id].group or article_id)
                touched.add(self._unit_of[article_id])
        for unit in touched:
            clusters.remove(unit)
        for unit in sorted(touched, key=lambda u: _when(self._members_of(u), catalog)):
            if self._members_of(unit):
                clusters.add(unit, self._unit_vector(unit))

    def _members_of(self, unit: str) -> list[str]:
        return self._units.get(unit, [])

    def _place(self, article_id: str, unit: str) -> None:
        self._unit_of[article_id] = unit
        self._units.setdefault(unit, []).append(article_id)

    def _unplace(self, article_id: str) -> str | None:
        unit = self._unit_of.pop(article_id, None)
        if unit is not None:
            self._units[unit].remove(article_id)
            if not self._units[unit]:
                del self._units[unit]
        return unit

    def _unit_vector(self, unit: str) -> np.ndarray:
        return _unit(np.mean([self._article_vectors[a] for a in self._members_of(unit)], axis=0))

    def _read_vectors(self, article_ids: list[str]) -> None:
        """The stored vector of each article (the mean of its sentence vectors)."""
        for article_id, vector in self.search.article_vectors(article_ids).items():
            if vector is not None and len(vector):
                self._article_vectors[article_id] = np.asarray(vector, dtype=np.float32)

    def _publish(self, catalog: dict[str, ArticleMeta]) -> None:
        """Story records from the clusters (built whole, then swapped in for readers)."""
        stories, by_article, rows = [], {}, {}
        clusters = self.clusters
        assert clusters is not None  # _update clustered before publishing
        for row, units in clusters.members.items():
            articles = [a for u in units for a in self._members_of(u) if a in catalog]
            if not articles:
                continue
            story = _story(articles, catalog, clusters.centroid(row), self._article_vectors)
            stories.append(story)
            rows[story.story_id] = row
            by_article.update({a: story for a in articles})
        stories.sort(key=lambda s: (-s.size, -(s.last_ts or 0), s.story_id))
        self._stories, self._by_article, self._row_of_story = tuple(stories), by_article, rows

    # -- the text of a story's articles -----------------------------------------------------
    def passages(self, article_ids: Iterable[str]) -> dict[str, list[tuple[Hit, list[Sentence]]]]:
        """Each article's chunks (as `Hit`s, in text order) with their stored sentences and vectors.
        Read by primary keys; an article version never changes, so what was read is kept."""
        committed = self.search.committed
        wanted = [a for a in dict.fromkeys(article_ids) if committed.get(a)]
        with self._passages_lock:  # two answers at once may read and evict
            missing = [a for a in wanted if (a, committed[a]) not in self._passages]
            if missing:
                self._read_passages(missing, committed)
            return {a: self._passages[(a, committed[a])] for a in wanted if (a, committed[a]) in self._passages}

    def _read_passages(self, article_ids: list[str], committed: Mapping[str, str]) -> None:
        chunks = self.search.article_passages(article_ids)
        hits = [hit for found in chunks.values() for hit in found]
        sentences = self.search.sentences(hits)
        by_article: dict[str, list[tuple[Hit, list[Sentence]]]] = {a: [] for a in article_ids}
        for hit in sorted(hits, key=lambda h: h.start):
            by_article[hit.article_id].append((hit, sentences.get(hit.chunk_id, [])))
        for article_id, found in by_article.items():
            self._passages[(article_id, committed[article_id])] = found
        while len(self._passages) > REMEMBERED_PASSAGES:
            self._passages.popitem(last=False)


def _story(articles: list[str], catalog: dict[str, ArticleMeta], centroid: np.ndarray,
           vectors: dict[str, np.ndarray]) -> Story:
    metas = sorted((catalog[a] for a in articles), key=lambda m: _when([m.article_id], catalog))
    dated = [m for m in metas if m.published_ts is not None]
    central = sorted(metas, key=lambda m: (-_cosine(vectors.get(m.article_id), centroid), m.article_id))
    titled = [m for m in central if m.title.strip()]
    # a title cut short ("…", the loader's title for a file without one) is a worse headline than a whole one
    lead = next((m for m in titled if not m.title.rstrip().endswith("…")), titled[0] if titled else None)
    groups = [m.group for m in metas if m.group]
    return Story(story_id=metas[0].article_id, article_ids=tuple(m.article_id for m in metas),
                 outlets=tuple(dict.fromkeys(m.source for m in metas if m.source)),
                 first=dated[0].published[:10] if dated else "", last=dated[-1].published[:10] if dated else "",
                 first_ts=dated[0].published_ts if dated else None, last_ts=dated[-1].published_ts if dated else None,
                 headline=lead.title.strip() if lead else "", headline_article=lead.article_id if lead else "",
                 copies=len(groups) - len(set(groups)))


def _when(article_ids: list[str], catalog: dict[str, ArticleMeta]) -> tuple:
    """Publication order: dated articles oldest first, then undated ones, by id."""
    stamps = [stamp for a in article_ids if a in catalog and (stamp := catalog[a].published_ts) is not None]
    return (not stamps, min(stamps) if stamps else 0, min(article_ids) if article_ids else "")


def _unit(vector: np.ndarray) -> np.ndarray:
    vector = np.asarray(vector, dtype=np.float32)
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else vector


def _cosine(a: np.ndarray | None, b: np.ndarray) -> float:
    if a is None or len(a) != len(b):
        return -1.0
    return float(np.dot(_unit(a), b))
