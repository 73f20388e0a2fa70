"""Chroma, the system of record: three collections, written so a crash loses nothing.

- `<prefix>-articles`: one record per article: `version` (the committed version; "" =
  none yet), `pending` (the version being written, "cleanup" or "deleted"), `text_hash`,
  `dup_group`, and the rest of its description (title, outlet, url, dates, counts, and
  `gaps`, the text between its version's chunks) as one JSON value, `about`
  (`article_metadata` reads both this and the key-per-field records of layout 6 and
  older); vector = mean of its sentences. Its
  text (exactly as read: what every offset points into) is those chunks and gaps put back
  together (`article_texts`), not a document of its own: Chroma full-text indexes every
  document by trigrams, and a second copy of each text was an eighth of a short item's
  build. A text the chunks do not cover exactly is kept whole, as the document.
- `<prefix>-chunks`: passages: their text, offsets and the sentence spans inside them (one
  JSON value, `passage`; `chunk_metadata` reads it and older layouts' keys), and their
  article and version (the article's title, outlet and date are its record's);
  vector = mean of their sentences (no extra model work). The text is metadata, not a
  document: Chroma full-text indexes every document by trigrams, which nothing here
  searches (the keyword search is the lexical cache's), and that index was a third of a
  chunk's write. Records of layout 5 and older, which kept it as the document, still
  read. The first chunk of a version also holds the article's MinHash signature
  (index/duplicates.py), written with it, so a committed version always has the signature
  of its own text. Not in the article record, because Chroma returns a record's metadata
  whole and every reader's refresh would carry ~700 characters per article that only
  `regroup` needs; nor in a record of its own, a third of a short item's Chroma writes.
- `<prefix>-sentences`: each sentence embedded with its article's title (unless it repeats it); dense search
  runs here and a chunk scores by its best sentence. A record is its vector and the two keys
  a filtered search needs (outlet, date): its id names its chunk and its place there, whose
  record holds the offsets. Every metadata key is an index write in Chroma (four more keys
  per sentence were a third of the sentence writes), and a sentence record never exists
  without its chunk's (chunks are written first and deleted last).

A version names one article's content under one index configuration (model, chunk
sizes), so changing either re-embeds. Writing a batch of articles (one call per step for
the whole batch): mark them pending -> write their chunks, then their sentences, under
version-specific ids -> commit (version = new, pending = "cleanup") -> delete the old
versions' records -> clear pending. Readers trust only
records whose version equals their article's committed one, so a run killed at any point
leaves the old version answering; the next run sees `pending` and discards the
half-written version or finishes the cleanup (`discard_uncommitted`).
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any
from urllib.parse import urlparse

import numpy as np

from . import checkpoints, duplicates
from .articles import Article
from .chunking import Chunk
from .errors import StoreUnavailable
from .lexical import LexicalIndex, LexicalRow
from .settings import Settings
from .textview import normalised

PAGE = 5000  # records per Chroma get/put; below the server's max batch size
LEGACY_SIGNATURES = "signatures"  # the collection layouts 4-5 kept signatures in, dropped once unused


@dataclass(frozen=True)
class ArticleState:
    version: str  # committed version, "" if none
    pending: str  # version being written, "cleanup", "deleted", or ""
    chunks: int  # chunks of the committed version
    sentences: int  # sentences of the committed version


@dataclass(frozen=True, kw_only=True)
class NewVersion:
    """One article's new version, ready to write: its chunks, a vector per sentence (in
    chunk order) and its MinHash signature."""
    article: Article
    version: str
    chunks: tuple[Chunk, ...]
    vectors: np.ndarray
    signature: np.ndarray

    @cached_property
    def gaps(self) -> str | None:
        """The text before, between and after its chunks (JSON), or None when the chunks do
        not tile the text in order (then the text is stored whole, as the document)."""
        text, gaps, position = self.article.text, [], 0
        for chunk in self.chunks:
            if chunk.start < position or text[chunk.start:chunk.end] != chunk.text:
                return None
            gaps.append(text[position:chunk.start])
            position = chunk.end
        gaps.append(text[position:])
        return json.dumps(gaps, ensure_ascii=False) if self.chunks else None


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def record_version(article: Article, fingerprint: str) -> str:
    """The id of this article's content under this index configuration (unique per article)."""
    key = "\x1f".join([article.id, article.content_hash, fingerprint])
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def connect(settings: Settings):
    """A Chroma client: embedded under the data dir, or the server at settings.chroma_url."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if not settings.chroma_url:
        settings.chroma_dir.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)
    url = urlparse(settings.chroma_url if "://" in settings.chroma_url else f"http://{settings.chroma_url}")
    try:
        port = url.port or (443 if url.scheme == "https" else 8000)
        client = chromadb.HttpClient(host=url.hostname or "localhost", port=port,
                                     ssl=url.scheme == "https", settings=chroma_settings)
        client.heartbeat()
    except Exception as error:
        raise unreachable(settings.chroma_url, error) from None
    return Reachable(client, settings.chroma_url)


def unreachable(url: str, error: Exception) -> StoreUnavailable:
    return StoreUnavailable(f"Cannot reach the Chroma server at {url} ({_short(error)}). "
                            f"Is it running (`chroma run --path DIR --port N`)?")


class Reachable:
    """A Chroma server's client, or one of its collections, whose calls raise
    StoreUnavailable (naming the server) when the server cannot be reached, instead of
    httpx's connection errors. Nothing is cached about the failure: the next call tries
    the server again, so a running app answers again once the server is back."""

    def __init__(self, target, url: str):
        self._target = target
        self._url = url

    def __getattr__(self, name: str):
        value = getattr(self._target, name)
        if not callable(value):
            return value
        import httpx
        from chromadb.api.models.Collection import Collection

        def call(*args, **kwargs):
            try:
                result = value(*args, **kwargs)
            except httpx.TransportError as error:  # refused, reset, timed out, cut off mid-reply
                raise unreachable(self._url, error) from None
            return Reachable(result, self._url) if isinstance(result, Collection) else result

        return call

    def __repr__(self) -> str:
        return f"Reachable({self._target!r})"


def _short(error: Exception) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return text[:200]


# The graph of a collection no search reads: the cheapest Chroma builds. Chroma gives every
# collection an HNSW graph; articles and chunks are read by id, never by vector, and the
# sentences' graph is not read while search is exact. Inserting 5,176 sentence vectors under
# the searched parameters (ef_construction 200, M 32) cost 2.4-2.8 CPU s, under these 1.0-1.2.
UNSEARCHED = {"ef_construction": 4, "max_neighbors": 4}
# the names a rebuild of the sentence collection gives its copy and the collection it replaces
# (suffixes of `<prefix>-sentences`; index/hnsw.py)
REBUILT, REPLACED = "-next", "-old"


def find_collection(client, name: str):
    """The collection of that name, or None if there is none (embedded Chroma and a server
    both say so with NotFoundError); anything else, such as a lost connection, is raised."""
    from chromadb.errors import NotFoundError

    try:
        return client.get_collection(name, embedding_function=None)
    except NotFoundError:
        return None


def hnsw_configuration(settings: Settings) -> dict:
    """The HNSW parameters the sentence collection is searched under (see docs/dense-search.md)."""
    return {"ef_search": settings.hnsw_ef_search, "ef_construction": settings.hnsw_ef_construction,
            "max_neighbors": settings.hnsw_max_neighbors, "num_threads": settings.hnsw_num_threads}


def graph_searched_above(settings: Settings) -> float:
    """How many committed sentences a store holds before questions are searched through the
    sentence collection's graph (`settings.dense_search`): up to there search is exact."""
    return {"exact": math.inf, "hnsw": -1}.get(settings.dense_search, settings.exact_search_max_sentences)


def collection_configuration(hnsw: dict | None = None) -> dict:
    """Chroma's configuration for a collection: cosine space, plus any HNSW parameters."""
    return {"hnsw": {"space": "cosine", **(hnsw or {})}}


class Store:
    def __init__(self, client, prefix: str, hnsw: dict | None = None, searched_above: float = -1):
        self.client = client
        self.prefix = prefix
        self.hnsw = dict(hnsw or {})  # the sentence graph's, once searched; {}: Chroma's defaults
        self.searched_above = searched_above  # committed sentences; -1: the graph is always searched
        self._open_collections()

    @classmethod
    def open(cls, settings: Settings) -> Store:
        return cls(connect(settings), settings.collection, hnsw_configuration(settings),
                   graph_searched_above(settings))

    def graph_searched(self, sentences: float) -> bool:
        """Whether questions go through the sentence collection's graph at this many sentences."""
        return sentences > self.searched_above

    def graph_is_cheap(self) -> bool:
        """Whether the sentence collection has the graph of a collection no search reads. Its
        records then carry no metadata: no search filters them with Chroma's `where` (exact
        search filters by article), and the rebuild that makes the graph searchable writes
        each record's outlet and date from its article's record (index/hnsw.py). Two keys
        were a third of a sentence record's write."""
        have = (self.sentences.configuration or {}).get("hnsw") or {}
        searched = {key: self.hnsw.get(key) for key in UNSEARCHED}
        return all(have.get(key) == value for key, value in UNSEARCHED.items()) and searched != UNSEARCHED

    def sentence_graph(self, sentences: int) -> dict:
        """The HNSW configuration the sentence collection needs at this many sentences: the
        searched one, or the cheapest while no search reads the graph (index/hnsw.py)."""
        return self.hnsw if self.graph_searched(sentences) else {**self.hnsw, **UNSEARCHED}

    def reopen(self) -> None:
        """Open the collections again by name (the sentence collection may have been rebuilt, index/hnsw.py)."""
        self._open_collections()

    def _open_collections(self) -> None:
        def get(kind: str, hnsw: dict | None = None):
            return self.client.get_or_create_collection(
                f"{self.prefix}-{kind}", embedding_function=None,
                configuration=collection_configuration(hnsw))

        try:  # the configuration is a new collection's; an existing one keeps its own
            self.articles, self.chunks = get("articles", UNSEARCHED), get("chunks", UNSEARCHED)
            self.sentences = self._find_sentences() or get("sentences", self.sentence_graph(0))
        except StoreUnavailable:
            raise
        except Exception as error:
            raise StoreUnavailable(f"Cannot open the Chroma collections ({_short(error)}).") from None

    def _find_sentences(self):
        """The sentence collection by its name or, while a rebuild renames it (index/hnsw.py),
        the complete copy about to take that name; None if there is none (a new store).

        Between the rebuild's two renames no collection has the name: creating one there
        would give this reader an empty index (which the rebuild then deletes under it). A
        handle names a collection by id, so one opened on the copy stays good after the
        rename. A copy still being filled is never opened: the name is the old collection's
        until the copy is complete. The name is looked up again after the copy: the rename
        may have happened in between."""
        name = f"{self.prefix}-sentences"
        for candidate in (name, name + REBUILT, name):
            if (found := find_collection(self.client, candidate)) is not None:
                return found
        return None

    # -- reading the state ------------------------------------------------------------
    def _all(self, collection, include: list[str], where: dict | None = None) -> Iterable[tuple[str, Any]]:
        offset = 0
        while True:
            page = collection.get(where=where, include=include, limit=PAGE, offset=offset)
            ids = page["ids"]
            for i, record_id in enumerate(ids):
                yield record_id, {key: page[key][i] for key in include}
            if len(ids) < PAGE:
                return
            offset += PAGE

    def _by_ids(self, collection, ids: Sequence[str], include: list[str]) -> Iterable[tuple[str, Any]]:
        """(id, {include key: value}) of the records of `ids` that exist, a page at a time
        (Chroma refuses an empty list of ids and more than its batch size)."""
        for start in range(0, len(ids), PAGE):
            page = collection.get(ids=list(ids[start:start + PAGE]), include=include)
            for i, record_id in enumerate(page["ids"]):
                yield record_id, {key: page[key][i] for key in include}

    def article_records(self) -> dict[str, dict]:
        """{article id: its record's metadata (`article_metadata`)} of every article record,
        committed or not: one read, which `article_states` and `described` can share."""
        return {record_id: article_metadata(rec["metadatas"])
                for record_id, rec in self._all(self.articles, ["metadatas"])}

    def article_states(self, records: dict[str, dict] | None = None) -> dict[str, ArticleState]:
        records = self.article_records() if records is None else records
        return {record_id: ArticleState(meta.get("version", ""), meta.get("pending", ""), int(meta.get("chunks", 0)),
                                        int(meta.get("sentences", 0))) for record_id, meta in records.items()}

    def described(self, records: dict[str, dict] | None = None) -> list[dict]:
        """Metadata of every committed article (title, outlet, url, dates, counts, duplicate
        group); no MinHash signature (see `signatures_of`)."""
        records = self.article_records() if records is None else records
        return [meta for meta in records.values() if meta.get("version")]

    def article_texts(self, article_ids: Sequence[str]) -> dict[str, str]:
        """{article id: its committed text, exactly as read} for the committed articles among
        `article_ids`. A text put back together from its chunks is checked against its hash;
        one whose chunks a build deleted between the two reads (it committed a newer
        version) is read again."""
        found: dict[str, str] = {}
        wanted = list(dict.fromkeys(article_ids))
        for _ in range(3):
            wanted = self._read_texts(wanted, found)
            if not wanted:
                break
        return found

    def _read_texts(self, ids: list[str], found: dict[str, str]) -> list[str]:
        """Add the texts of `ids` to `found`; returns the ids to read again."""
        parts: dict[str, tuple[str, int, list[str], str]] = {}  # id -> (version, chunks, gaps, text hash)
        for article_id, rec in self._by_ids(self.articles, ids, ["documents", "metadatas"]):
            meta = article_metadata(rec["metadatas"])
            if not meta.get("version"):
                continue
            if isinstance(meta.get("gaps"), str):
                parts[article_id] = (meta["version"], int(meta.get("chunks") or 0), json.loads(meta["gaps"]),
                                     meta.get("text_hash", ""))
            elif rec["documents"] is not None:
                found[article_id] = rec["documents"]
        chunk_ids = [chunk_record_id(a, v, i) for a, (v, n, _, _) in parts.items() for i in range(n)]
        chunks = {i: chunk_metadata(rec["documents"], rec["metadatas"])["text"]
                  for i, rec in self._by_ids(self.chunks, chunk_ids, ["documents", "metadatas"])}
        again = []
        for article_id, (version, count, gaps, digest) in parts.items():
            texts = [chunks[i] for i in (chunk_record_id(article_id, version, j) for j in range(count)) if i in chunks]
            whole = (gaps[0] + "".join(t + gap for t, gap in zip(texts, gaps[1:]))
                     if len(gaps) == count + 1 == len(texts) + 1 else None)
            if whole is not None and (not digest or text_hash(whole) == digest):
                found[article_id] = whole
            else:
                again.append(article_id)
        return again

    def committed(self) -> dict[str, str]:
        """{article id: committed version}: what readers may trust."""
        return {a: s.version for a, s in self.article_states().items() if s.version}

    def counts(self) -> dict[str, int]:
        """Committed articles, chunks and sentences (a build under way adds nothing until it commits)."""
        committed = [s for s in self.article_states().values() if s.version]
        return {"articles": len(committed), "chunks": sum(s.chunks for s in committed),
                "sentences": sum(s.sentences for s in committed)}

    @property
    def info(self) -> dict:
        return dict(self.articles.metadata or {})

    def generation(self) -> Any:
        """Changes whenever an article is committed or removed: readers re-read the index then."""
        fresh = self.client.get_collection(f"{self.prefix}-articles", embedding_function=None)
        return (fresh.metadata or {}).get("generation")

    def _touch(self, **info: Any) -> None:
        self._note(**info, generation=time.time_ns())

    def _note(self, **info: Any) -> None:
        """Set keys of the store's info (Chroma replaces a collection's metadata whole)."""
        self.articles.modify(metadata={**self.info, **info})

    def _forget_grouping(self) -> None:
        """Before the committed versions change, drop the stamp of the last grouping: a run
        killed before it groups again would otherwise find a stamp to trust (an article
        removed, then put back at the same version, without its group)."""
        if self.info.get(GROUPED):
            self._note(**{GROUPED: ""})

    def mark_built(self, **info: Any) -> None:
        self._touch(**info, last_build=time.time())

    # -- writing articles crash-safely, many at a time --------------------------------
    def put_articles(self, items: Sequence[NewVersion]) -> None:
        """Write a batch of new versions with one call per collection (group commit).

        Each article goes through the steps of the module docstring, all articles of the
        batch at each step together, so a kill between any two calls leaves each article
        either at its old committed version or at its new one, marked as the next run
        needs (pending: discard the half-written version; cleanup: delete the old one)."""
        if not items:
            return
        found = self.articles.get(ids=[item.article.id for item in items], include=[])
        existing = set(found["ids"])
        self._forget_grouping()
        self._mark_pending(items, existing)
        checkpoints.reached("marked")
        sentences, chunks = _records(items, filtered=not self.graph_is_cheap())
        self._put(self.chunks, *chunks)  # first: a version's sentences are found through its chunks
        checkpoints.reached("chunks")
        self._put(self.sentences, *sentences)
        checkpoints.reached("sentences")
        self._commit(items, existing)
        checkpoints.reached("committed")
        replaced = {item.article.id: item.version for item in items if item.article.id in existing}
        if replaced:  # a kill from here on leaves "cleanup", which the next run finishes
            self._delete_old_versions(replaced)
            checkpoints.reached("cleaned")
            self.articles.update(ids=list(replaced), metadatas=[{"pending": ""}] * len(replaced))
        self._touch()

    def _commit(self, items: Sequence[NewVersion], existing: set[str]) -> None:
        """Make the batch's versions the committed ones. A new article's record already holds
        its text, vector and description (from `_mark_pending`), so only two keys change: Chroma
        re-inserts a vector it is given again into the HNSW graph, which for 1,048 short
        articles cost 4.8 CPU s against 0.7 for the metadata alone. A replaced article gets its
        new text and vector here. Each record changes in one call, so a kill between the two
        leaves every article committed at its old version or at its new one."""
        new = [item for item in items if item.article.id not in existing]
        replaced = [item for item in items if item.article.id in existing]
        if new:
            self.articles.update(ids=[item.article.id for item in new],
                                 metadatas=[{"version": item.version, "pending": ""} for item in new])
        if replaced:  # "" clears the text an older version kept as the document
            self.articles.upsert(ids=[item.article.id for item in replaced],
                                 embeddings=np.array([_mean(item.vectors) for item in replaced]),
                                 documents=[item.article.text if item.gaps is None else "" for item in replaced],
                                 metadatas=[{**_LEGACY_KEYS, **_article_record(item, item.version, "cleanup")}
                                            for item in replaced])

    def _mark_pending(self, items: Sequence[NewVersion], existing: set[str]) -> None:
        """Say which version is being written, before any of its records: a new article gets
        an uncommitted record (version ""; its text, vector and description already, so the
        commit changes two keys), so a killed run's records can be found."""
        old = [item for item in items if item.article.id in existing]
        new = [item for item in items if item.article.id not in existing]
        if old:
            self.articles.update(ids=[item.article.id for item in old],
                                 metadatas=[{"pending": item.version} for item in old])
        if new:
            self.articles.add(ids=[item.article.id for item in new],
                              embeddings=np.array([_mean(item.vectors) for item in new]),
                              documents=[item.article.text if item.gaps is None else None for item in new],
                              metadatas=[_article_record(item, "", item.version) for item in new])

    def _delete_old_versions(self, keep: dict[str, str]) -> None:
        """Delete the sentences and chunks of these articles ({id: version}) of any other
        version (versions are unique per article)."""
        self._delete_versions({"$and": [{"article_id": {"$in": list(keep)}},
                                        {"version": {"$nin": list(keep.values())}}]})

    def _delete_versions(self, where: dict) -> None:
        """Delete the chunks `where` selects and their sentences: the sentences first, so a
        kill in between leaves chunks that still name them."""
        ids = list(self.sentence_spans(where))
        for i in range(0, len(ids), PAGE):
            self.sentences.delete(ids=ids[i:i + PAGE])
        self.sentences.delete(where=where)  # sentence records written before layout 6 held these keys
        self.chunks.delete(where=where)

    def _put(self, collection, ids, vectors, documents, metadatas) -> None:
        for i in range(0, len(ids), PAGE):
            collection.upsert(ids=ids[i:i + PAGE], embeddings=np.asarray(vectors[i:i + PAGE], dtype=np.float32),
                              documents=documents[i:i + PAGE] if documents else None,
                              metadatas=metadatas[i:i + PAGE])

    def _delete_other_versions(self, article_id: str, keep: str) -> None:
        self._delete_versions({"$and": [{"article_id": article_id}, {"version": {"$ne": keep}}]} if keep
                              else {"article_id": article_id})

    def discard_uncommitted(self, article_id: str) -> None:
        """Undo a half-written version (or finish a half-done removal) left by a killed run."""
        record = self.articles.get(ids=[article_id], include=["metadatas"])
        if not record["ids"]:
            return
        meta = record["metadatas"][0] or {}
        committed = meta.get("version", "")
        if meta.get("pending") == "deleted" or not committed:
            self.remove_article(article_id)
            return
        self._delete_other_versions(article_id, committed)
        self.articles.update(ids=[article_id], metadatas=[{"pending": ""}])

    def remove_article(self, article_id: str) -> None:
        self._forget_grouping()
        self.articles.update(ids=[article_id], metadatas=[{"pending": "deleted"}])
        self._delete_other_versions(article_id, "")
        self.articles.delete(ids=[article_id])
        self._touch()

    def sweep(self, article_ids: Iterable[str]) -> int:
        """Delete records of these articles that belong to no committed version; returns how many."""
        article_ids = set(article_ids)
        committed = self.committed()
        removed = 0
        for collection in (self.sentences, self.chunks):  # sentences first, as `_delete_versions` does
            orphans = [record_id for record_id, _ in self._all(collection, [])
                       if (owner := record_owner(record_id))[0] in article_ids and committed.get(owner[0]) != owner[1]]
            for i in range(0, len(orphans), PAGE):
                collection.delete(ids=orphans[i:i + PAGE])
            removed += len(orphans)
        return removed

    # -- near-duplicates ----------------------------------------------------------------
    def signatures_of(self, committed: dict[str, str],
                      known: Mapping[str, tuple[str, np.ndarray]] | None = None) -> dict[str, np.ndarray]:
        """The MinHash signature of each committed article ({article id: version}), from its
        version's first chunk, or from `known` ({article id: (version, signature)}: what this
        run just wrote). One missing (an index of layout 5 or older, until its next build
        rewrites it) or of another hashing scheme is computed again from the stored text and
        written there, so grouping never works from a stale signature."""
        found = {a: sig for a, (version, sig) in (known or {}).items() if committed.get(a) == version}
        first = {chunk_record_id(a, v, 0): a for a, v in committed.items() if a not in found}
        for chunk_id, rec in self._by_ids(self.chunks, list(first), ["metadatas"]):
            sig = duplicates.unlabel((rec["metadatas"] or {}).get("minhash", ""))
            if sig is not None:
                found[first[chunk_id]] = sig
        missing = [a for a in committed if a not in found]
        for start in range(0, len(missing), PAGE):
            computed = {article_id: duplicates.signature(text)
                        for article_id, text in self.article_texts(missing[start:start + PAGE]).items()}
            if computed:
                self.chunks.update(ids=[chunk_record_id(a, committed[a], 0) for a in computed],
                                   metadatas=[{"minhash": duplicates.label(sig)} for sig in computed.values()])
            found.update(computed)
        return found

    def drop_legacy_signatures(self) -> None:
        """Delete the collection older layouts kept signatures in, once nothing reads it."""
        from chromadb.errors import NotFoundError

        try:
            self.client.delete_collection(f"{self.prefix}-{LEGACY_SIGNATURES}")
        except NotFoundError:  # the usual case
            pass

    def regroup(self, threshold: float, described: list[dict] | None = None,
                known: Mapping[str, tuple[str, np.ndarray]] | None = None, force: bool = False) -> int:
        """Group the committed articles that are near-duplicates of each other (see
        duplicates.py) and store each one's group in `dup_group`: the id of the group's
        earliest published member ("" for an article with no copy). Derived data, written
        after the versions are committed and recomputed by every build, so a run killed
        before this step leaves groups that the next run corrects. The only reader of the
        signatures. `described`: what `described()` returns now, if the caller has it;
        `known`: signatures this run wrote (see `signatures_of`). Skipped when the committed
        versions are those the last grouping finished on (its stamp in the store's info),
        which a run that changed nothing would only repeat (`force`: group anyway). Returns
        how many articles are in a group."""
        by_id = {m["article_id"]: m for m in (self.described() if described is None else described)}
        stamp = _grouping_stamp(threshold, by_id)
        if not force and self.info.get(GROUPED) == stamp:
            return sum(1 for meta in by_id.values() if meta.get("dup_group"))
        signatures = self.signatures_of({a: m["version"] for a, m in by_id.items()}, known)
        self.drop_legacy_signatures()
        groups = duplicates.group(signatures, threshold) if threshold <= 1 else {}

        def original(members: list[str]) -> str:  # the first to be published; undated ones after dated ones
            return min(members, key=lambda i: (by_id[i].get("published_ts") is None,
                                               by_id[i].get("published_ts") or 0, i))

        changes = {}
        for article_id, meta in by_id.items():
            wanted = original(groups[article_id]) if article_id in groups else ""
            if meta.get("dup_group", "") != wanted or "minhash" in meta:
                changes[article_id] = wanted
        if changes:  # one write for the lot: a corpus of syndicated copies regroups many at once
            # "minhash": None drops the copy an index of layout 3 kept in the metadata
            self.articles.update(ids=list(changes), metadatas=[{"dup_group": g, "minhash": None}
                                                               for g in changes.values()])
            self._touch()
        # after the groups: a run killed before this line groups again
        self._note(**{GROUPED: stamp})
        return len(groups)

    # -- reuse and rows for the lexical cache -----------------------------------------
    def vectors_of_copies(self, wanted: Sequence[tuple[Article, Sequence[Chunk]]],
                          current: Callable[[str, str], bool]) -> dict[str, np.ndarray]:
        """{article id: sentence vectors} for the articles of `wanted` whose exact text another
        committed article holds (a syndicated copy), so they are not embedded again; one
        query for the whole batch. `current(article_id, version)` says whether that
        article's stored version is up to date (same model and chunking)."""
        by_hash: dict[str, list[tuple[Article, Sequence[Chunk]]]] = {}
        for article, chunks in wanted:
            by_hash.setdefault(text_hash(article.text), []).append((article, chunks))
        if not by_hash:
            return {}
        same = self.articles.get(where={"text_hash": {"$in": list(by_hash)}}, include=["metadatas"])
        found: dict[str, np.ndarray] = {}
        for other_id, meta in zip(same["ids"], same["metadatas"]):
            version = (meta or {}).get("version", "")
            if not version or not current(other_id, version):
                continue
            copies = [(a, c) for a, c in by_hash.get(meta.get("text_hash", ""), []) if a.id != other_id
                      and a.id not in found]
            if not copies:
                continue
            stored = self.sentence_spans({"version": version})
            by_span = {stored[i]: rec["embeddings"] for i, rec in self._by_ids(self.sentences, list(stored),
                                                                               ["embeddings"])}
            for article, chunks in copies:
                spans = [(start, end) for chunk in chunks for start, end in chunk.sentences]
                if len(by_span) == len(spans) and all(s in by_span for s in spans):
                    found[article.id] = np.asarray([by_span[s] for s in spans], dtype=np.float32)
        return found

    def sentence_vectors(self, versions: Sequence[str]) -> dict[str, tuple[list[str], np.ndarray]]:
        """{version: (sentence ids, their vectors)} of exactly these versions (exact dense search
        holds them in memory; records of a version never change once it is committed)."""
        out: dict[str, tuple[list[str], list]] = {}
        wanted = set(versions)

        # a few versions (a build under way) are found through their chunks and read by id;
        # many (a reader starting) by reading every record
        if len(wanted) > 20:
            records = self._all(self.sentences, ["embeddings"])
        else:
            spans = self.sentence_spans({"version": {"$in": sorted(wanted)}} if len(wanted) > 1
                                        else {"version": next(iter(wanted))}) if wanted else {}
            records = self._by_ids(self.sentences, list(spans), ["embeddings"])
        for record_id, rec in records:
            version = record_owner(record_id)[1]
            if version in wanted:
                ids, vectors = out.setdefault(version, ([], []))
                ids.append(record_id)
                vectors.append(rec["embeddings"])
        return {v: (ids, np.asarray(vectors, dtype=np.float32)) for v, (ids, vectors) in out.items()}

    def sentence_spans(self, where: dict) -> dict[str, tuple[int, int]]:
        """{sentence id: (start, end) in its article's text} of the chunks `where` selects."""
        return {sentence_record_id(chunk_id, j): (start, end)
                for chunk_id, rec in self._all(self.chunks, ["metadatas"], where)
                for j, (start, end) in enumerate(chunk_metadata(None, rec["metadatas"]).get("sentences", ()))}

    # --------------------------------------------------
    def lexical_rows_for(self, article: Article, version: str, chunks: Sequence[Chunk]) -> list[LexicalRow]:
        """Keyword rows hold each chunk's normalised view: a soft hyphen or zero-width space
        inside a word would make two words of it for FTS5's tokenizer."""
        return [LexicalRow(chunk_record_id(article.id, version, c.index), article.id, article.title,
                           normalised(c.text), article.source, article.published_ts) for c in chunks]

    def lexical_rows(self, versions: Sequence[str]) -> list[LexicalRow]:
        """The chunks of exactly these versions (records of a version never change, so no
        concurrent build can shift or duplicate what this returns)."""
        records = self.chunks.get(where={"version": {"$in": list(versions)}}, include=["documents", "metadatas"])
        owners = list(dict.fromkeys(meta["article_id"] for meta in records["metadatas"]))
        # title, outlet and date are the article record's: while a build replaces an article,
        # an old version's rows may carry the new one's until the reader's next sync drops them
        about = {i: article_metadata(rec["metadatas"]) for i, rec in self._by_ids(self.articles, owners, ["metadatas"])}
        rows = []
        for record_id, text, meta in zip(records["ids"], records["documents"], records["metadatas"]):
            article = about.get(meta["article_id"], meta)
            rows.append(LexicalRow(record_id, meta["article_id"], article.get("title", ""),
                                   normalised(chunk_metadata(text, meta)["text"]), article.get("source", ""),
                                   article.get("published_ts")))
        return rows


def _records(items: Sequence[NewVersion], filtered: bool = True) -> tuple[tuple, tuple]:
    """(ids, vectors, documents, metadatas) of the sentence records and of the chunk records;
    `filtered`: whether the sentence records carry what a filtered HNSW search reads."""
    sent_ids, sent_vectors, sent_meta = [], [], []
    chunk_ids, chunk_vectors, chunk_meta = [], [], []
    for item in items:
        article = item.article
        searched = _searched_metadata(article)
        position = 0
        for chunk in item.chunks:
            chunk_id = chunk_record_id(article.id, item.version, chunk.index)
            n = len(chunk.sentences)
            chunk_ids.append(chunk_id)
            chunk_vectors.append(_mean(item.vectors[position:position + n]))
            chunk_meta.append({"article_id": article.id, "version": item.version, PASSAGE: json.dumps(
                {"text": chunk.text, "start": chunk.start, "end": chunk.end, "sentences": chunk.sentences},
                ensure_ascii=False)})
            if chunk.index == 0:  # the article's signature goes with its version (module docstring)
                chunk_meta[-1]["minhash"] = duplicates.label(item.signature)
            # a sentence record is its vector and what a filtered search needs: its text and
            # offsets are its chunk's (every metadata key or document is an index write in Chroma)
            for j in range(len(chunk.sentences)):
                sent_ids.append(sentence_record_id(chunk_id, j))
                sent_meta.append(searched if filtered else None)
            sent_vectors.append(item.vectors[position:position + n])
            position += n
    vectors = np.concatenate(sent_vectors) if sent_vectors else np.zeros((0, 0), dtype=np.float32)
    return (sent_ids, vectors, None, sent_meta), (chunk_ids, np.array(chunk_vectors), None, chunk_meta)


def _article_record(item: NewVersion, version: str, pending: str) -> dict:
    """An article record's metadata: the keys a write or a filter reads (the protocol's
    `version` and `pending`; `text_hash`, which finds copies), and the description as one
    JSON value, `about`. Chroma indexes every metadata key of every record (~0.045 ms a
    key); as separate keys the description was a third of a wire item's Chroma writes."""
    article = item.article
    about = {"article_id": article.id, "content_hash": article.content_hash, "title": article.title,
             "source": article.source, "url": article.url, "author": article.author,
             "published": article.published, "published_ts": article.published_ts,
             "chunks": len(item.chunks), "sentences": sum(len(c.sentences) for c in item.chunks),
             "gaps": item.gaps,  # None: the text is the document
             "indexed_at": int(time.time())}
    return {"version": version, "pending": pending, "text_hash": text_hash(article.text),
            ABOUT: json.dumps(about, ensure_ascii=False)}


ABOUT = "about"
# keys an article record of layout 6 or older held on their own; None deletes them when a new
# version replaces such a record (Chroma merges an update's metadata into the record's)
_LEGACY_KEYS: dict[str, None] = dict.fromkeys(
    ("article_id", "content_hash", "title", "source", "url", "author", "published", "published_ts", "chunks",
     "sentences", "gaps", "indexed_at", "minhash"))


def article_metadata(metadata: dict | None) -> dict:
    """An article record's metadata as one dict: its own keys and its description (`about`).
    Records written before the description was packed hold it all as keys, and read alike."""
    meta = dict(metadata or {})
    about = meta.pop(ABOUT, None)
    return {**json.loads(about), **meta} if isinstance(about, str) else meta


def chunk_record_id(article_id: str, version: str, index: int) -> str:
    """`article|version|cN`; a sentence is `<chunk id>|sJ`. Readers parse these from the
    right (an article id may itself hold a "|"), so a dense search needs no metadata."""
    return f"{article_id}|{version}|c{index}"


PASSAGE = "passage"


def chunk_metadata(document: str | None, metadata: dict | None) -> dict:
    """A chunk record as one dict: `article_id`, `version`, (`minhash`,) and its passage
    unpacked: `text`, `start`, `end` and `sentences`, its sentences' spans (a list). Written
    as one JSON value (every metadata key is an index write in Chroma); chunks of layout 6
    and older held each as a key, those of layout 5 and older the text as the document."""
    meta = dict(metadata or {})
    passage = meta.pop(PASSAGE, None)
    if isinstance(passage, str):
        meta.update(json.loads(passage))
    if not isinstance(meta.get("text"), str):
        meta["text"] = document or ""
    if isinstance(meta.get("sentences"), str):
        meta["sentences"] = json.loads(meta["sentences"])
    return meta


def sentence_record_id(chunk_id: str, index: int) -> str:
    return f"{chunk_id}|s{index}"


def record_owner(record_id: str) -> tuple[str, str]:
    """(article id, version) of a chunk or sentence record, read from its id's right end."""
    parts = record_id.rsplit("|", 3 if record_id.rsplit("|", 1)[-1].startswith("s") else 2)
    return parts[0], parts[1]


def _searched_metadata(article: Article) -> dict:
    """What a filtered dense search reads of a sentence record (`Filters.chroma_where`)."""
    return searched_metadata(article.source, article.published_ts)


def searched_metadata(source: str, published_ts: int | None) -> dict:
    meta: dict[str, str | int] = {"source": source}
    if published_ts is not None:
        meta["published_ts"] = published_ts
    return meta


def _mean(vectors: np.ndarray) -> np.ndarray:
    mean = np.asarray(vectors, dtype=np.float32).mean(axis=0)
    norm = float(np.linalg.norm(mean))
    return mean / norm if norm > 0 else mean


GROUPED = "grouped"  # the store's info key for the stamp of the last finished grouping


def _grouping_stamp(threshold: float, described: Mapping[str, dict]) -> str:
    """What groups depend on: the committed versions (a version fixes its text, hence its
    signature, and its date), the threshold and the signature scheme."""
    digest = hashlib.sha256(f"{threshold}|{duplicates.SCHEME}".encode())
    for article_id in sorted(described):
        digest.update(f"\x1f{article_id}\x1e{described[article_id].get('version', '')}".encode())
    return digest.hexdigest()[:32]


def open_lexical(settings: Settings) -> LexicalIndex:
    """The lexical cache, named after the store it mirrors so a server switch never mixes the two."""
    label = hashlib.sha256(f"{settings.store_label}|{settings.collection}".encode()).hexdigest()[:10]
    return LexicalIndex(settings.data_dir / f"lexical-{label}.sqlite")
