"""What `Store.put_articles` costs Chroma, alone, on the wire items (the write half of a build).

    python bench/store_writes.py [--batch 256]

Chunks the wire corpus (bench/short.py) as a build does, embeds it once (the embedding cache
in a temporary data dir), then writes every version into a fresh embedded Chroma in batches
of `--batch` articles, timing each Chroma call. CPU seconds count every thread of the
process, Chroma's own included: the cost the model shares the two cores with in a build.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import chromadb

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from short import write_wire_corpus  # noqa: E402

from index import Settings, duplicates, load_folder  # noqa: E402
from index.build import chunks_and_inputs, record_version  # noqa: E402
from index.embedding import EmbeddingCache, embedder_for  # noqa: E402
from index.store import NewVersion, Store, graph_searched_above, hnsw_configuration  # noqa: E402


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Timed:
    """A Chroma collection whose calls add their wall and CPU seconds to `calls`."""

    def __init__(self, collection, name: str, calls: dict[str, list[float]]):
        self._collection, self._name, self._calls = collection, name, calls

    def __getattr__(self, method: str):
        value = getattr(self._collection, method)
        if not callable(value):
            return value

        def call(*args, **kwargs):
            wall, used = time.perf_counter(), cpu()
            result = value(*args, **kwargs)
            totals = self._calls.setdefault(f"{self._name}.{method}", [0.0, 0.0])
            totals[0] += time.perf_counter() - wall
            totals[1] += cpu() - used
            return result

        return call


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batch", type=int, default=256, help="articles per put_articles call (a build's default)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="store-writes-"))
    write_wire_corpus(work / "wire")
    settings = Settings.load(env={}, data_dir=work / "data")
    embedder = embedder_for(settings)
    articles = load_folder(work / "wire", max_bytes=settings.max_article_bytes).articles
    prepared = [(article, *chunks_and_inputs(article, embedder, settings)) for article in articles]
    cache = EmbeddingCache(work / "cache.sqlite", embedder.model_id)
    vectors = embedder.embed([text for _, _, inputs in prepared for text in inputs], cache)
    items, position = [], 0
    for article, chunks, inputs in prepared:
        items.append(NewVersion(article=article, version=record_version(article, "bench"), chunks=tuple(chunks),
                                vectors=vectors[position:position + len(inputs)],
                                signature=duplicates.signature(article.text)))
        position += len(inputs)
    store = Store(chromadb.PersistentClient(path=str(work / "chroma")), "bench", hnsw_configuration(settings),
                  graph_searched_above(settings))
    calls: dict[str, list[float]] = {}
    for name in ("articles", "chunks", "sentences"):
        setattr(store, name, Timed(getattr(store, name), name, calls))
    wall, used = time.perf_counter(), cpu()
    for start in range(0, len(items), args.batch):
        store.put_articles(items[start:start + args.batch])
    print(f"{len(items)} articles, {sum(len(c) for _, c, _ in prepared)} chunks, {len(vectors)} sentences; "
          f"put_articles: {cpu() - used:.2f} CPU s, {time.perf_counter() - wall:.2f} s")
    for name, (seconds, cpu_seconds) in sorted(calls.items(), key=lambda kv: -kv[1][1]):
        print(f"  {name:20s} {cpu_seconds:6.2f} CPU s {seconds:6.2f} s")


if __name__ == "__main__":
    main()
