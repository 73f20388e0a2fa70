"""Chroma, the system of record: four collections, written so a crash loses nothing.

- `<prefix>-articles`: one record per article: its text (exactly as read: what every
  offset points into), metadata, `version` (the committed version; "" = none yet) and
  `pending` (the version being written, "cleanup" or "deleted"); vector = mean of its
  sentences.
- `<prefix>-chunks`: passages with offsets and the sentence spans inside them; vector =
  mean of their sentences (no extra model work).
- `<prefix>-sentences`: each sentence embedded with its article's title (unless it repeats it); dense search
  runs here and a chunk scores by its best sentence.
- `<prefix>-signatures`: each article's MinHash signature (index/duplicates.py) with the
  version it was computed for, in the record's metadata (a document would be full-text
  indexed for nothing). Kept out of the article metadata because Chroma returns a
  record's metadata whole: every reader's refresh would carry ~700 characters per article
  that only `regroup` needs.

A version names one article's content under one index configuration (model, chunk
sizes), so changing either re-embeds. Writing a batch of articles (one call per step for
the whole batch): mark them pending -> write their sentences, chunks and signatures under
version-specific ids -> commit (version = new, pending = "cleanup") -> delete the old
versions' records -> clear pending. Readers trust only
records whose version equals their article's committed one, so a run killed at any point
leaves the old version answering; the next run sees `pending` and discards the
half-written version or finishes the cleanup (`discard_uncommitted`).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
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
NO_VECTOR = [0.0]  # a signature record's embedding: Chroma wants one, nothing searches them


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


def hnsw_configuration(settings: Settings) -> dict:
    """The HNSW parameters the sentence collection is built with (see docs/dense-search.md)."""
    return {"ef_search": settings.hnsw_ef_search, "ef_construction": settings.hnsw_ef_construction,
            "max_neighbors": settings.hnsw_max_neighbors, "num_threads": settings.hnsw_num_threads}


def collection_configuration(hnsw: dict | None = None) -> dict:
    """Chroma's configuration for a collection: cosine space, plus any HNSW parameters."""
    return {"hnsw": {"space": "cosine", **(hnsw or {})}}


class Store:
    def __init__(self, client, prefix: str, hnsw: dict | None = None):
        self.client = client
        self.prefix = prefix
        self.hnsw = dict(hnsw or {})  # wanted for the sentence collection; {}: Chroma's defaults
        self._open_collections()

    @classmethod
    def open(cls, settings: Settings) -> Store:
        return cls(connect(settings), settings.collection, hnsw_configuration(settings))

    def reopen(self) -> None:
        """Open the collections again by name (the sentence collection may have been rebuilt, index/hnsw.py)."""
        self._open_collections()

    def _open_collections(self) -> None:
        def get(kind: str, hnsw: dict | None = None):
            return self.client.get_or_create_collection(
                f"{self.prefix}-{kind}", embedding_function=None,
                configuration=collection_configuration(hnsw))

        try:
            self.articles, self.chunks = get("articles"), get("chunks")
            self.sentences = get("sentences", self.hnsw)
            self.signatures = self.client.get_or_create_collection(f"{self.prefix}-signatures", embedding_function=None)
        except StoreUnavailable:
            raise
        except Exception as error:
            raise StoreUnavailable(f"Cannot open the Chroma collections ({_short(error)}).") from None

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

    def article_states(self) -> dict[str, ArticleState]:
        states = {}
        for record_id, rec in self._all(self.articles, ["metadatas"]):
            meta = rec["metadatas"] or {}
            states[record_id] = ArticleState(meta.get("version", ""), meta.get("pending", ""),
                                             int(meta.get("chunks", 0)), int(meta.get("sentences", 0)))
        return states

    def described(self) -> list[dict]:
        """Metadata of every committed article (title, outlet, url, dates, counts, duplicate
        group); no MinHash signature (see `signatures_of`)."""
        return [dict(rec["metadatas"]) for _, rec in self._all(self.articles, ["metadatas"])
                if rec["metadatas"] and rec["metadatas"].get("version")]

    def article_texts(self, article_ids: Sequence[str]) -> dict[str, str]:
        if not article_ids:
            return {}
        found = self.articles.get(ids=list(dict.fromkeys(article_ids)), include=["documents"])
        return {i: d for i, d in zip(found["ids"], found["documents"]) if d is not None}

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
        self.articles.modify(metadata={**self.info, **info, "generation": time.time_ns()})

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
        self._mark_pending(items, existing)
        checkpoints.reached("marked")
        sentences, chunks = _records(items)
        self._put(self.sentences, *sentences)
        checkpoints.reached("sentences")
        self._put(self.chunks, *chunks)
        checkpoints.reached("chunks")
        # signatures before the commit: once a version is committed its signature is there
        self._put_signatures({item.article.id: (item.version, item.signature) for item in items})
        checkpoints.reached("signatures")
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
        its text and vector (from `_mark_pending`), so only its metadata changes: Chroma
        re-inserts a vector it is given again into the HNSW graph, which for 1,048 short
        articles cost 4.8 CPU s against 0.7 for the metadata alone. A replaced article gets its
        new text and vector here. Each record changes in one call, so a kill between the two
        leaves every article committed at its old version or at its new one."""
        new = [item for item in items if item.article.id not in existing]
        replaced = [item for item in items if item.article.id in existing]
        if new:
            self.articles.update(ids=[item.article.id for item in new],
                                 metadatas=[_committed_metadata(item, False) for item in new])
        if replaced:
            self.articles.upsert(ids=[item.article.id for item in replaced],
                                 embeddings=np.array([_mean(item.vectors) for item in replaced]),
                                 documents=[item.article.text for item in replaced],
                                 metadatas=[_committed_metadata(item, True) for item in replaced])

    def _mark_pending(self, items: Sequence[NewVersion], existing: set[str]) -> None:
        """Say which version is being written, before any of its records: a new article gets
        an uncommitted record (version ""; its text and vector already, so the commit only
        changes its metadata), so a killed run's records can be found."""
        old = [item for item in items if item.article.id in existing]
        new = [item for item in items if item.article.id not in existing]
        if old:
            self.articles.update(ids=[item.article.id for item in old],
                                 metadatas=[{"pending": item.version} for item in old])
        if new:
            self.articles.add(ids=[item.article.id for item in new],
                              embeddings=np.array([_mean(item.vectors) for item in new]),
                              documents=[item.article.text for item in new],
                              metadatas=[{"article_id": item.article.id, "version": "", "pending": item.version,
                                          "title": item.article.title} for item in new])

    def _delete_old_versions(self, keep: dict[str, str]) -> None:
        """Delete the sentences and chunks of these articles ({id: version}) of any other
        version: one call per collection (versions are unique per article)."""
        where = {"$and": [{"article_id": {"$in": list(keep)}}, {"version": {"$nin": list(keep.values())}}]}
        self.sentences.delete(where=where)
        self.chunks.delete(where=where)

    def _put(self, collection, ids, vectors, documents, metadatas) -> None:
        for i in range(0, len(ids), PAGE):
            collection.upsert(ids=ids[i:i + PAGE], embeddings=np.asarray(vectors[i:i + PAGE], dtype=np.float32),
                              documents=documents[i:i + PAGE] if documents else None,
                              metadatas=metadatas[i:i + PAGE])

    def _delete_other_versions(self, article_id: str, keep: str) -> None:
        where = {"$and": [{"article_id": article_id}, {"version": {"$ne": keep}}]} if keep \
            else {"article_id": article_id}
        self.sentences.delete(where=where)
        self.chunks.delete(where=where)

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
        self.articles.update(ids=[article_id], metadatas=[{"pending": "deleted"}])
        self._delete_other_versions(article_id, "")
        self.signatures.delete(ids=[article_id])
        self.articles.delete(ids=[article_id])
        self._touch()

    def sweep(self, article_ids: Iterable[str]) -> int:
        """Delete records of these articles that belong to no committed version; returns how many."""
        article_ids = set(article_ids)
        committed = self.committed()
        removed = 0
        for collection in (self.sentences, self.chunks):
            orphans = [record_id for record_id, rec in self._all(collection, ["metadatas"])
                       if (rec["metadatas"] or {}).get("article_id") in article_ids
                       and committed.get(rec["metadatas"]["article_id"]) != rec["metadatas"].get("version")]
            for i in range(0, len(orphans), PAGE):
                collection.delete(ids=orphans[i:i + PAGE])
            removed += len(orphans)
        return removed

    # -- near-duplicates ----------------------------------------------------------------
    def _put_signatures(self, signatures: dict[str, tuple[str, np.ndarray]]) -> None:
        """Store {article id: (version, MinHash signature)} in one call. The signature is
        metadata, not the record's document: Chroma full-text indexes every document, and
        684 base64 characters per article cost 2.4 CPU s per 2,922 articles against 0.75."""
        self.signatures.upsert(ids=list(signatures), embeddings=[NO_VECTOR] * len(signatures),
                               metadatas=[{"version": version, "scheme": duplicates.SCHEME,
                                           "minhash": duplicates.encode(sig)}
                                          for version, sig in signatures.values()])

    def signatures_of(self, committed: dict[str, str]) -> dict[str, np.ndarray]:
        """The MinHash signature of each committed article ({article id: version}). One
        missing or computed for another version (a build killed between writing it and
        committing, or an index of layout 3, which kept it in the article metadata) or by
        another hashing scheme is computed again from the stored text and written, so
        grouping never works from a stale signature."""
        found = {}
        for article_id, rec in self._all(self.signatures, ["documents", "metadatas"]):
            meta = rec["metadatas"] or {}
            if (article_id in committed and meta.get("version") == committed[article_id]
                    and meta.get("scheme") == duplicates.SCHEME):
                # an index written before the signature moved to metadata kept it as the document
                sig = duplicates.decode(meta.get("minhash") or rec["documents"] or "")
                if sig is not None:
                    found[article_id] = sig
        missing = [a for a in committed if a not in found]
        for start in range(0, len(missing), PAGE):
            computed = {article_id: duplicates.signature(text)
                        for article_id, text in self.article_texts(missing[start:start + PAGE]).items()}
            if computed:
                self._put_signatures({a: (committed[a], sig) for a, sig in computed.items()})
            found.update(computed)
        return found

    def regroup(self, threshold: float) -> int:
        """Group the committed articles that are near-duplicates of each other (see
        duplicates.py) and store each one's group in `dup_group`: the id of the group's
        earliest published member ("" for an article with no copy). Derived data, written
        after the versions are committed and recomputed by every build, so a run killed
        before this step leaves groups that the next run corrects. The only reader of the
        signatures. Returns how many articles are in a group."""
        by_id = {m["article_id"]: m for m in self.described()}
        signatures = self.signatures_of({a: m["version"] for a, m in by_id.items()})
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
            rows = self.sentences.get(where={"version": version}, include=["embeddings", "metadatas"])
            by_span = {(m["start"], m["end"]): v for m, v in zip(rows["metadatas"], rows["embeddings"])}
            for article, chunks in copies:
                spans = [span for chunk in chunks for span in chunk.sentences]
                if len(by_span) == len(spans) and all(s in by_span for s in spans):
                    found[article.id] = np.asarray([by_span[s] for s in spans], dtype=np.float32)
        return found

    def sentence_vectors(self, versions: Sequence[str]) -> dict[str, tuple[list[str], np.ndarray]]:
        """{version: (sentence ids, their vectors)} of exactly these versions (exact dense search
        holds them in memory; records of a version never change once it is committed)."""
        out: dict[str, tuple[list[str], list]] = {}
        wanted = set(versions)
        # a filtered get costs twice a plain one per record: a few versions (a build under
        # way) are asked for by name, many (a reader starting) by reading every record
        wheres = [None] if len(wanted) > 20 else [
            {"version": {"$in": part}} if len(part) > 1 else {"version": part[0]}
            for part in (sorted(wanted)[i:i + 20] for i in range(0, len(wanted), 20))]
        for where in wheres:
            for record_id, rec in self._all(self.sentences, ["embeddings"], where):
                version = record_id.rsplit("|", 3)[1]
                if version in wanted:
                    ids, vectors = out.setdefault(version, ([], []))
                    ids.append(record_id)
                    vectors.append(rec["embeddings"])
        return {v: (ids, np.asarray(vectors, dtype=np.float32)) for v, (ids, vectors) in out.items()}

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
        return [LexicalRow(record_id, meta["article_id"], meta.get("title", ""), normalised(text),
                           meta.get("source", ""), meta.get("published_ts"))
                for record_id, text, meta in zip(records["ids"], records["documents"], records["metadatas"])]


def _records(items: Sequence[NewVersion]) -> tuple[tuple, tuple]:
    """(ids, vectors, documents, metadatas) of the sentence records and of the chunk records."""
    sent_ids, sent_vectors, sent_meta = [], [], []
    chunk_ids, chunk_vectors, chunk_texts, chunk_meta = [], [], [], []
    for item in items:
        article, common = item.article, _common_metadata(item.article, item.version)
        position = 0
        for chunk in item.chunks:
            chunk_id = chunk_record_id(article.id, item.version, chunk.index)
            n = len(chunk.sentences)
            chunk_ids.append(chunk_id)
            chunk_vectors.append(_mean(item.vectors[position:position + n]))
            chunk_texts.append(chunk.text)
            chunk_meta.append({**common, "title": article.title, "url": article.url, "published": article.published,
                               "chunk_index": chunk.index, "start": chunk.start, "end": chunk.end,
                               "sentences": json.dumps(chunk.sentences)})
            # a sentence record is its vector and offsets: its text is in its chunk, and storing
            # it again cost a third of the sentence writes (Chroma indexes every document's words)
            for j, (start, end) in enumerate(chunk.sentences):
                sent_ids.append(f"{chunk_id}|s{j}")
                sent_meta.append({**common, "start": start, "end": end})
            sent_vectors.append(item.vectors[position:position + n])
            position += n
    vectors = np.concatenate(sent_vectors) if sent_vectors else np.zeros((0, 0), dtype=np.float32)
    return (sent_ids, vectors, None, sent_meta), (chunk_ids, np.array(chunk_vectors), chunk_texts, chunk_meta)


def _committed_metadata(item: NewVersion, replaces: bool) -> dict:
    """An article record at its new version; "cleanup" while the old version's records remain."""
    article = item.article
    return {"article_id": article.id, "version": item.version, "pending": "cleanup" if replaces else "",
            "content_hash": article.content_hash, "title": article.title,
            "source": article.source, "url": article.url, "author": article.author,
            "published": article.published, "published_ts": article.published_ts,
            "text_hash": text_hash(article.text), "chunks": len(item.chunks),
            "sentences": sum(len(c.sentences) for c in item.chunks),
            "minhash": None,  # None deletes the key an index of layout 3 stored here
            "indexed_at": int(time.time())}


def chunk_record_id(article_id: str, version: str, index: int) -> str:
    """`article|version|cN`; a sentence is `<chunk id>|sJ`. Readers parse these from the
    right (an article id may itself hold a "|"), so a dense search needs no metadata."""
    return f"{article_id}|{version}|c{index}"


def _common_metadata(article: Article, version: str) -> dict:
    meta: dict[str, str | int] = {"article_id": article.id, "version": version, "source": article.source}
    if article.published_ts is not None:
        meta["published_ts"] = article.published_ts
    return meta


def _mean(vectors: np.ndarray) -> np.ndarray:
    mean = np.asarray(vectors, dtype=np.float32).mean(axis=0)
    norm = float(np.linalg.norm(mean))
    return mean / norm if norm > 0 else mean


def open_lexical(settings: Settings) -> LexicalIndex:
    """The lexical cache, named after the store it mirrors so a server switch never mixes the two."""
    label = hashlib.sha256(f"{settings.store_label}|{settings.collection}".encode()).hexdigest()[:10]
    return LexicalIndex(settings.data_dir / f"lexical-{label}.sqlite")
