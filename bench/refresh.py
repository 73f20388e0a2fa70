"""What a reader's refresh costs with and without the MinHash signature in the article
metadata (index layout 3 kept it there; now it has its own collection).

    python bench/refresh.py [--articles N]

Fills a temporary embedded Chroma with N article records whose metadata is what
`Store.put_articles` writes (random text and vectors: only the metadata's size matters
here), then times `Store.described()`, which `HybridSearch.refresh` calls whenever a
build commits, once with the legacy `minhash` key and once without.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time

import numpy as np

from index import Settings, duplicates
from index.store import PAGE, Store


def fill(store: Store, count: int, with_signature: bool, rng: np.random.Generator) -> None:
    for start in range(0, count, PAGE):
        ids, metas = [], []
        for i in range(start, min(count, start + PAGE)):
            meta = {"article_id": f"a{i}.txt", "version": f"{i:016x}", "pending": "", "content_hash": "c" * 32,
                    "title": f"Article number {i} about a topic of the day", "source": "Test Wire",
                    "url": f"https://example.org/{i}", "author": "", "published": "2025-03-14",
                    "published_ts": 1741910400 + i, "text_hash": "t" * 32, "chunks": 5, "sentences": 30,
                    "indexed_at": 1700000000, "dup_group": ""}
            if with_signature:
                meta["minhash"] = duplicates.encode(rng.integers(0, 1 << 32, duplicates.PERMUTATIONS, dtype=np.uint32))
            ids.append(meta["article_id"])
            metas.append(meta)
        vectors = rng.standard_normal((len(ids), 384)).astype(np.float32)
        store.articles.add(ids=ids, embeddings=vectors, documents=["text"] * len(ids), metadatas=metas)


def timed(store: Store, repeats: int) -> float:
    runs = []
    for _ in range(repeats):
        started = time.perf_counter()
        store.described()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    rng = np.random.default_rng(1)
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings.load(env={}, data_dir=folder)
        results = {}
        for label, with_signature in (("with minhash (layout 3)", True), ("without (now)", False)):
            store = Store.open(settings.with_(collection=f"bench{int(with_signature)}"))
            fill(store, args.articles, with_signature, rng)
            results[label] = timed(store, args.repeats)
        for label, seconds in results.items():
            print(f"described() of {args.articles} articles, {label}: {seconds * 1000:.0f} ms (median of "
                  f"{args.repeats})")


if __name__ == "__main__":
    main()
