"""`build_index()`: keep the stores in step with a folder of articles.

New and changed articles are chunked and embedded, deleted ones removed, unchanged ones
not touched. Each article is written crash-safely (see `store.Store.put_article`), so a
killed run leaves the previous index answering and the next run finishes the job.
"""

from __future__ import annotations

import contextvars
import hashlib
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Sequence

import numpy as np

from . import hnsw
from .articles import Article, Skipped, load_folder
from .chunking import Chunk, chunk_text
from .embedding import Embedder, EmbeddingCache, embedder_for
from .errors import ConfigError
from .lock import DataDirLock
from .settings import Settings
from .store import Store, open_lexical, record_version, text_hash
from .textview import normalised

Progress = Callable[[int, int, str], None]  # (done, total, article id)

TITLE_WORDS = 16  # the title prefix each sentence is embedded with stays short
# bump when what is stored per version changes: every article is rewritten (3: MinHash signatures;
# 4: the text as read, offsets into it, and the normalised view in the model and keyword index)
LAYOUT = "4"


@dataclass(frozen=True)
class IndexReport:
    added: int
    updated: int
    removed: int
    unchanged: int
    skipped: tuple[Skipped, ...]
    chunks_embedded: int  # chunks written for new or changed articles
    sentences_embedded: int  # texts that went through the model (cache misses)
    seconds: float
    shard: str = ""
    near_duplicates: int = 0  # articles grouped with a near-duplicate (syndicated or corrected copies)

    def as_dict(self) -> dict:
        data = asdict(self)
        data["skipped"] = [{"name": s.name, "reason": s.reason} for s in self.skipped]
        return data


@dataclass(frozen=True)
class Shard:
    """The I-th of N disjoint parts of a folder, assigned by a stable hash of the article id."""
    number: int
    count: int

    @classmethod
    def parse(cls, text: str) -> "Shard":
        try:
            number, count = (int(x) for x in text.split("/"))
        except ValueError:
            raise ConfigError(f"--shard takes I/N (for example 1/4), got {text!r}") from None
        if not 1 <= number <= count:
            raise ConfigError(f"--shard {text}: I must be between 1 and N")
        return cls(number, count)

    def holds(self, article_id: str) -> bool:
        digest = hashlib.sha256(article_id.encode("utf-8")).digest()
        return int.from_bytes(digest[:8], "big") % self.count == self.number - 1

    def __str__(self) -> str:
        return f"{self.number}/{self.count}"


@dataclass
class _Work:
    article: Article
    version: str
    chunks: list[Chunk]
    inputs: list[str] = field(default_factory=list)  # what is embedded, one per sentence
    vectors: np.ndarray | None = None


def embedding_input(title: str, sentence: str) -> str:
    """A sentence is embedded with its article's title, which carries the topic it leaves out."""
    words = title.split()
    return f"{' '.join(words[:TITLE_WORDS])}: {sentence}" if words else sentence


def build_index(
    folder: str | Path | None = None,
    *,
    settings: Settings | None = None,
    full: bool = False,
    shard: Shard | str | None = None,
    progress: Progress | None = None,
    embedder: Embedder | None = None,
) -> IndexReport:
    """Sync the index with `folder` (default: settings.articles_dir) and report what changed."""
    settings = settings or Settings.load()
    folder = Path(folder) if folder is not None else settings.articles_dir
    if isinstance(shard, str):
        shard = Shard.parse(shard)
    started = time.perf_counter()
    with DataDirLock(settings.data_dir, timeout=settings.lock_timeout):
        store = Store.open(settings)
        hnsw.conform(store)  # an index built under other HNSW settings gets them (no re-embedding)
        lexical = open_lexical(settings)
        embedder = embedder or embedder_for(settings)
        cache = EmbeddingCache(settings.data_dir / "embedding-cache.sqlite", embedder.model_id)
        embedded_before = embedder.embedded
        fingerprint = index_fingerprint(settings, embedder)

        loaded = load_folder(folder, max_bytes=settings.max_article_bytes)
        mine = (lambda article_id: shard.holds(article_id)) if shard else (lambda article_id: True)
        articles = [a for a in loaded.articles if mine(a.id)]
        states = {a: s for a, s in store.article_states().items() if mine(a)}

        # finish or undo what an interrupted run left half-written
        for article_id, state in states.items():
            if state.pending:
                store.discard_uncommitted(article_id)
        states = {a: s for a, s in store.article_states().items() if mine(a)}

        wanted = {a.id: a for a in articles}
        removed = [a for a in states if a not in wanted]
        versions = {a.id: record_version(a, fingerprint) for a in articles}
        # --full rewrites every article in place (same crash-safe path, so the old index
        # answers until each article is replaced) instead of deleting the store first
        todo = [a for a in articles if full or states.get(a.id) is None or states[a.id].version != versions[a.id]]
        added = sum(1 for a in todo if a.id not in states)

        for article_id in removed:
            store.remove_article(article_id)
            lexical.remove_article(article_id)

        chunks_written = 0
        done = 0

        def current(article_id: str, version: str) -> bool:
            return versions.get(article_id) == version

        def write(batch: list[_Work]) -> None:
            nonlocal chunks_written, done
            for work in batch:
                store.put_article(work.article, work.version, work.chunks, work.vectors)
                lexical.replace_article(work.article.id, work.version,
                                        store.lexical_rows_for(work.article, work.version, work.chunks))
                chunks_written += len(work.chunks)
                done += 1
                if progress:  # as each article is committed
                    progress(done, len(todo), work.article.id)

        # three stages at once: the next batch is chunked and the previous one written to the
        # stores while the model embeds this one, whose requests leave the cores idle in
        # between (24 SQuAD articles: 36 s one stage after another, 32 s overlapped). Writes
        # stay in article order, one batch at a time, so crash safety is that of one article
        # written after another.
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="build") as pool:
            writing, unwritten = None, []
            for batch in _ahead(_batches(todo, versions, embedder, settings), pool):
                _embed_batch(batch, embedder, cache, store, current, unwritten)
                if writing:
                    writing.result()
                # the caller's context goes along: a progress callback may rely on it (Gradio's does)
                writing, unwritten = pool.submit(contextvars.copy_context().run, write, batch), batch
            if writing:
                writing.result()

        if full:
            store.sweep(wanted)  # records of no committed version, whatever left them behind
        # the lexical cache may have been missing or damaged: bring it in step with Chroma
        lexical.sync(store.committed(), store.lexical_rows)
        lexical.close()
        # every run: cheap (signatures are stored), and it finishes what a killed run left
        near_duplicates = store.regroup(settings.duplicate_threshold)
        if todo or removed or full:
            store.mark_built(model=embedder.model_id)
        return IndexReport(
            added=added,
            updated=len(todo) - added,
            removed=len(removed),
            unchanged=len(articles) - len(todo),
            skipped=loaded.skipped,
            chunks_embedded=chunks_written,
            sentences_embedded=embedder.embedded - embedded_before,
            seconds=round(time.perf_counter() - started, 3),
            shard=str(shard or ""),
            near_duplicates=near_duplicates,
        )


def index_fingerprint(settings: Settings, embedder: Embedder) -> str:
    """What, besides an article's content, decides its records: change it and every article is re-embedded."""
    return "|".join([LAYOUT, embedder.model_id, str(settings.chunk_max_tokens), str(settings.chunk_max_words),
                     str(TITLE_WORDS)])


def chunks_and_inputs(article: Article, embedder: Embedder, settings: Settings) -> tuple[list[Chunk], list[str]]:
    """An article's chunks, and what the model embeds for it: each sentence with the title."""
    max_tokens = min(settings.chunk_max_tokens, embedder.max_tokens - TITLE_WORDS * 2)
    chunks = chunk_text(article.text, embedder.count_tokens, max_tokens=max_tokens,
                        max_words=settings.chunk_max_words)
    # the model reads each sentence's normalised view; the offsets stay those of the text as read
    return chunks, [embedding_input(article.title, normalised(article.text[s:e]))
                    for c in chunks for s, e in c.sentences]


def _batches(todo: list[Article], versions: dict[str, str], embedder: Embedder, settings: Settings,
             sentences_per_batch: int = 512):
    """Chunk articles and group them so the model sees full batches across article borders."""
    batch: list[_Work] = []
    size = 0
    for article in todo:
        chunks, inputs = chunks_and_inputs(article, embedder, settings)
        work = _Work(article, versions[article.id], chunks, inputs)
        batch.append(work)
        size += len(work.inputs)
        if size >= sentences_per_batch:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _ahead(items: Iterator, pool: ThreadPoolExecutor) -> Iterator:
    """The items of `items`, each next one computed in `pool` while the caller uses this one."""
    items, end = iter(items), object()
    coming = pool.submit(next, items, end)
    while (item := coming.result()) is not end:
        coming = pool.submit(next, items, end)
        yield item


def _embed_batch(batch: list[_Work], embedder: Embedder, cache: EmbeddingCache, store: Store, current,
                 unwritten: Sequence[_Work] = ()) -> None:
    """Vectors for every sentence in the batch.

    An exact copy of another article's text (a syndicated story) takes that article's
    vectors: it is embedded once. Everything else goes through the cache, keyed by the
    exact input (title and sentence), so unchanged sentences of an edited article and the
    finished part of an interrupted build are never embedded again, while a changed title
    does re-embed its article (the title is part of what is embedded). `unwritten` is the
    batch still being written, whose copies are not in the store yet.
    """
    first: dict[str, _Work] = {text_hash(work.article.text): work for work in unwritten}
    copies: list[tuple[_Work, _Work]] = []
    need: list[_Work] = []
    for work in batch:
        twin = first.setdefault(text_hash(work.article.text), work)
        if twin is not work:
            copies.append((work, twin))
            continue
        work.vectors = store.vectors_of_copy(work.article, work.chunks, current)
        if work.vectors is None:
            need.append(work)
    vectors = embedder.embed([text for work in need for text in work.inputs], cache)
    position = 0
    for work in need:
        work.vectors = vectors[position:position + len(work.inputs)]
        position += len(work.inputs)
    for copy, twin in copies:
        copy.vectors = twin.vectors
