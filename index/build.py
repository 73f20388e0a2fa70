"""`build_index()`: keep the stores in step with a folder of articles (plan, apply, finish).

New and changed articles are chunked and embedded, deleted ones removed, unchanged ones
not touched. Articles are written crash-safely many at a time (group commit, see
`store.Store.put_articles` and docs/build.md), so a killed run leaves the previous index
answering and the next run finishes the job.
"""

from __future__ import annotations

import contextvars
import hashlib
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from . import duplicates, hnsw
from .articles import Article, Skipped, load_folder
from .chunking import Chunk, chunk_text
from .embedding import Embedder, EmbeddingCache, embedder_for
from .errors import ConfigError
from .lexical import LexicalIndex
from .lock import DataDirLock
from .settings import Settings
from .store import NewVersion, Store, open_lexical, record_version, text_hash
from .text import content_terms
from .textview import normalised

Progress = Callable[[int, int, str], None]  # (done, total, last article id), as each batch commits

TITLE_WORDS = 16  # the title prefix each sentence is embedded with stays short
# bump when what is stored per version changes: every article is rewritten (3: MinHash signatures;
# 4: the text as read, offsets into it, and the normalised view in the model and keyword index;
# 5: a sentence holding half its title's words is embedded without it; 6: the signature in the
# first chunk's metadata, sentence records without offsets or owner keys)
LAYOUT = "6"


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
    def parse(cls, text: str) -> Shard:
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
    inputs: list[str]  # what is embedded, one per sentence
    signature: np.ndarray  # MinHash, computed while the model embeds the batch before
    vectors: np.ndarray | None = None

    def new_version(self) -> NewVersion:
        assert self.vectors is not None, "embedded before it is written"
        return NewVersion(article=self.article, version=self.version, chunks=tuple(self.chunks),
                          vectors=self.vectors, signature=self.signature)


@dataclass(frozen=True, kw_only=True)
class BuildPlan:
    """What a run will change, decided before anything is written."""
    articles: tuple[Article, ...]  # every readable article of the folder (this shard's)
    skipped: tuple[Skipped, ...]
    versions: dict[str, str]  # {article id: the version its current content and configuration make}
    todo: tuple[Article, ...]  # new or changed articles (all of them with --full), in folder order
    removed: tuple[str, ...]  # indexed articles no longer in the folder
    added: int  # how many of `todo` are new
    described: tuple[dict, ...]  # every committed article (all shards') as the plan found them


@dataclass(frozen=True, kw_only=True)
class _Run:
    """What one run holds open."""
    settings: Settings
    store: Store
    lexical: LexicalIndex
    embedder: Embedder
    cache: EmbeddingCache
    written: dict[str, tuple[str, np.ndarray]] = field(default_factory=dict)  # id -> (version, signature)


def embedding_input(title: str, sentence: str) -> str:
    """A sentence is embedded with its article's title, which carries the topic it leaves out;
    one that already holds at least half of the title's content words is embedded alone: a
    news lede repeats its headline, and the prefix would cost model time (a third of a short
    item's word pieces) to say nothing new. On squad-dev answers and recall were unchanged
    within noise (gold in the top sentence 0.748 -> 0.784 dev, 0.748 -> 0.736 held-out)."""
    prefix = " ".join(title.split()[:TITLE_WORDS])
    topic = _topic(prefix)
    if not prefix or topic and 2 * len(topic & set(content_terms(sentence))) >= len(topic):
        return sentence
    return f"{prefix}: {sentence}"


@lru_cache(maxsize=1024)
def _topic(prefix: str) -> frozenset[str]:
    """The content words of a title prefix, read once per article rather than once per sentence."""
    return frozenset(content_terms(prefix))


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
        # an index built under other HNSW settings gets them (no re-embedding); shards never copy
        hnsw.conform(store, rebuild=shard is None)
        embedder = embedder or embedder_for(settings)
        run = _Run(settings=settings, store=store, lexical=open_lexical(settings), embedder=embedder,
                   cache=EmbeddingCache(settings.data_dir / "embedding-cache.sqlite", embedder.model_id))
        embedded_before = embedder.embedded
        try:
            plan = plan_build(run, folder, full=full, shard=shard)
            chunks_written = apply_plan(run, plan, progress)
            near_duplicates = finish_build(run, plan, full=full)
            if shard is None:  # a build that took the store past exact search gives its graph the searched values
                hnsw.conform(store)
        finally:
            run.lexical.close()
        return IndexReport(
            added=plan.added,
            updated=len(plan.todo) - plan.added,
            removed=len(plan.removed),
            unchanged=len(plan.articles) - len(plan.todo),
            skipped=plan.skipped,
            chunks_embedded=chunks_written,
            sentences_embedded=embedder.embedded - embedded_before,
            seconds=round(time.perf_counter() - started, 3),
            shard=str(shard or ""),
            near_duplicates=near_duplicates,
        )


def plan_build(run: _Run, folder: Path, *, full: bool = False, shard: Shard | None = None) -> BuildPlan:
    """Read the folder, finish or undo what an interrupted run left half-written, and decide
    what to write and what to remove."""
    store = run.store
    loaded = load_folder(folder, max_bytes=run.settings.max_article_bytes)
    mine = (lambda article_id: shard.holds(article_id)) if shard else (lambda article_id: True)
    articles = tuple(a for a in loaded.articles if mine(a.id))
    records = store.article_records()
    states = {a: s for a, s in store.article_states(records).items() if mine(a)}
    pending = [article_id for article_id, state in states.items() if state.pending]
    for article_id in pending:
        store.discard_uncommitted(article_id)
    if pending:
        records = store.article_records()
        states = {a: s for a, s in store.article_states(records).items() if mine(a)}

    fingerprint = index_fingerprint(run.settings, run.embedder)
    versions = {a.id: record_version(a, fingerprint) for a in articles}
    # --full rewrites every article in place (same crash-safe path, so the old index
    # answers until each article is replaced) instead of deleting the store first
    todo = tuple(a for a in articles if full or states.get(a.id) is None or states[a.id].version != versions[a.id])
    return BuildPlan(articles=articles, skipped=loaded.skipped, versions=versions, todo=todo,
                     removed=tuple(a for a in states if a not in versions),
                     added=sum(1 for a in todo if a.id not in states), described=tuple(store.described(records)))


def apply_plan(run: _Run, plan: BuildPlan, progress: Progress | None = None) -> int:
    """Remove what left the folder, then embed and write `plan.todo` batch by batch; returns
    how many chunks were written.

    Three stages at once: the next batch is chunked (and its signature computed) and the
    previous one written to the stores while the model embeds this one, whose requests
    leave the cores idle in between. Batches are written in order, one at a time, each as
    one group commit (`Store.put_articles`), so a kill loses at most the batch under way
    and the next run picks up from there.
    """
    for article_id in plan.removed:
        run.store.remove_article(article_id)
        run.lexical.remove_article(article_id)
    written = {"chunks": 0, "articles": 0}

    def current(article_id: str, version: str) -> bool:
        return plan.versions.get(article_id) == version

    def write(batch: list[_Work]) -> None:
        _write_batch(run, batch)
        written["chunks"] += sum(len(work.chunks) for work in batch)
        written["articles"] += len(batch)
        if progress:  # as each batch is committed
            progress(written["articles"], len(plan.todo), batch[-1].article.id)

    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="build") as pool:
        writing: Future | None = None
        unwritten: list[_Work] = []
        for batch in _ahead(_batches(plan.todo, plan.versions, run.embedder, run.settings), pool):
            _embed_batch(batch, run, current, unwritten)
            if writing:
                writing.result()
            # the caller's context goes along: a progress callback may rely on it (Gradio's does)
            writing, unwritten = pool.submit(contextvars.copy_context().run, write, batch), batch
        if writing:
            writing.result()
    return written["chunks"]


def finish_build(run: _Run, plan: BuildPlan, *, full: bool = False) -> int:
    """Bring the derived data in step with what is committed; returns how many articles
    are grouped with a near-duplicate."""
    store = run.store
    if full:
        store.sweep(plan.versions)  # records of no committed version, whatever left them behind
    # read once for both steps (0.11 s for 2,922 articles); a run that wrote nothing has it from its plan
    described = list(plan.described) if not (plan.todo or plan.removed or full) else store.described()
    # the lexical cache may have been missing or damaged: bring it in step with Chroma
    run.lexical.sync({m["article_id"]: m["version"] for m in described}, store.lexical_rows)
    # every run: cheap (signatures are stored), and it finishes what a killed run left
    near_duplicates = store.regroup(run.settings.duplicate_threshold, described, run.written, force=full)
    if plan.todo or plan.removed or full:
        store.mark_built(model=run.embedder.model_id)
    return near_duplicates


def _write_batch(run: _Run, batch: Sequence[_Work]) -> None:
    """Chroma first (the system of record), then the lexical cache, which a kill in between
    leaves behind until the next run's `sync`."""
    run.store.put_articles([w.new_version() for w in batch])
    run.written.update((w.article.id, (w.version, w.signature)) for w in batch)
    run.lexical.replace_articles([(w.article.id, w.version, run.store.lexical_rows_for(w.article, w.version, w.chunks))
                                  for w in batch])


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


FIRST_BATCH_SENTENCES = 64  # batches start this small and double: the model starts early, then runs long
LAST_BATCH_ARTICLES = 32  # and end near this small (`_batches`)


def _batches(todo: Sequence[Article], versions: dict[str, str], embedder: Embedder, settings: Settings):
    """Chunk articles and group them into batches of at most `write_batch_articles` articles
    and about `write_batch_sentences` sentences: the model sees long runs of sentences across
    article borders (sorted by length, so little padding), and the stores one write per
    collection for many short articles. The first batches are smaller, so the model is not
    kept waiting for a whole batch to be chunked, and so are the last: a batch is written
    while the model embeds the next, so the last one's write is time the model does not
    share, and a batch takes at most half the articles left."""
    batch: list[_Work] = []
    size, limit = 0, min(FIRST_BATCH_SENTENCES, settings.write_batch_sentences)
    most = settings.write_batch_articles
    for number, article in enumerate(todo):
        chunks, inputs = chunks_and_inputs(article, embedder, settings)
        batch.append(_Work(article, versions[article.id], chunks, inputs, duplicates.signature(article.text)))
        size += len(inputs)
        if size >= limit or len(batch) >= most:
            yield batch
            batch, size, limit = [], 0, min(2 * limit, settings.write_batch_sentences)
            most = min(settings.write_batch_articles, max(LAST_BATCH_ARTICLES, (len(todo) - number - 1) // 2))
    if batch:
        yield batch


def _ahead(items: Iterator, pool: ThreadPoolExecutor) -> Iterator:
    """The items of `items`, each next one computed in `pool` while the caller uses this one."""
    items, end = iter(items), object()
    coming = pool.submit(next, items, end)
    while (item := coming.result()) is not end:
        coming = pool.submit(next, items, end)
        yield item


def _embed_batch(batch: list[_Work], run: _Run, current: Callable[[str, str], bool],
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
    own: list[_Work] = []
    for work in batch:
        twin = first.setdefault(text_hash(work.article.text), work)
        if twin is not work:
            copies.append((work, twin))
        else:
            own.append(work)
    stored = run.store.vectors_of_copies([(work.article, work.chunks) for work in own], current)
    need = [work for work in own if work.article.id not in stored]
    vectors = run.embedder.embed([text for work in need for text in work.inputs], run.cache)
    position = 0
    for work in own:
        if work.article.id in stored:
            work.vectors = stored[work.article.id]
            continue
        work.vectors = vectors[position:position + len(work.inputs)]
        position += len(work.inputs)
    for copy, twin in copies:
        copy.vectors = twin.vectors
