"""Recall of the dense search against exact search, at the k the answerer asks for.

`HybridSearch.search` asks the dense search for DENSE_RESULTS sentences per question. For
each HNSW configuration this inserts every sentence vector of an index into a fresh
Chroma collection (timed: the HNSW share of a build), then for each ef_search measures
recall@k against exact search (the same vectors, one matrix product), how many questions
get exactly the exact top k, and query latency p50/p95 beside exact search's.

Scale corpora are vector sets made the way bench/scale.py makes its sentences: each real
sentence vector plus (factor - 1) noisy copies (cosine ~0.97 to it). Recall depends only
on the vectors, so the chunking and writes of a full scale build are not needed here.

    python bench/recall.py --data-dir DIR [--factors 1,10] [--questions 200]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import numpy as np  # noqa: E402 (after the sys.path lines above)

from assistant.retrieval import DENSE_RESULTS  # noqa: E402 (after the sys.path lines above)
from index import Settings  # noqa: E402 (after the sys.path lines above)

SQUAD = REPO.parent / "shared" / "eval" / "squad-dev"
BEFORE = {"ef_construction": 100, "max_neighbors": 16, "num_threads": os.cpu_count()}  # Chroma's defaults


def percentile(values, p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def stored_vectors(settings: Settings) -> tuple[list[str], np.ndarray]:
    """Every committed sentence vector of a built index, in id order."""
    from index.store import Store

    store = Store.open(settings)
    loaded = store.sentence_vectors(sorted(store.committed().values()))
    ids = [i for part, _ in loaded.values() for i in part]
    vectors = np.concatenate([v for _, v in loaded.values()])
    order = np.argsort(np.array(ids, dtype=object), kind="stable")
    return [ids[i] for i in order], vectors[order]


def scaled(ids: list[str], vectors: np.ndarray, factor: int, seed: int = 11) -> tuple[list[str], np.ndarray]:
    """The real vectors and (factor - 1) noisy copies of each (bench/scale.py's noise)."""
    from scale import noisy

    rng = np.random.default_rng(seed)
    out_ids, out = list(ids), [vectors]
    for n in range(1, factor):
        out_ids += [f"dispatch-{n}|{i}" for i in ids]
        out.append(np.stack([noisy(v, rng) for v in vectors]))
    return out_ids, np.concatenate(out).astype(np.float32)


def exact_top(vectors: np.ndarray, query: np.ndarray, k: int) -> np.ndarray:
    scores = vectors @ query
    rows = np.argpartition(-scores, k - 1)[:k]
    return rows[np.lexsort((rows, -scores[rows]))]


def build_collection(client, name: str, ids: list[str], vectors: np.ndarray, hnsw: dict):
    collection = client.create_collection(name, embedding_function=None,
                                          configuration={"hnsw": {"space": "cosine", **hnsw}})
    started = time.perf_counter()
    for start in range(0, len(ids), 5000):
        collection.add(ids=ids[start:start + 5000], embeddings=vectors[start:start + 5000])
    collection.count()
    return collection, time.perf_counter() - started


def measure(client, work: Path, label: str, ids: list[str], vectors: np.ndarray, queries: np.ndarray, hnsw: dict,
            ef_searches: list[int], k: int, truth: list[set[str]]) -> list[dict]:
    name = f"recall-{label}-{hnsw['ef_construction']}-{hnsw['max_neighbors']}-{hnsw['num_threads']}"
    collection, seconds = build_collection(client, name, ids, vectors, {**hnsw, "ef_search": ef_searches[0]})
    np.save(work / "queries.npy", queries)
    rows = []
    for ef in ef_searches:
        # Chroma keeps a loaded index's ef_search until the process ends: a modified value
        # is measured from a fresh process, as a reader started after `assistant index` sees it
        collection.modify(configuration={"hnsw": {"ef_search": ef}})
        out = subprocess.run([sys.executable, __file__, "--query", str(work), name, str(k)], check=True,
                             capture_output=True, text=True)
        answer = json.loads(out.stdout.strip().splitlines()[-1])
        assert answer["count"] == len(ids) and answer["ef_search"] == ef, answer
        found, ms = answer["ids"], answer["ms"]
        recall = [len(set(f) & t) / k for f, t in zip(found, truth)]
        rows.append({"corpus": label, **hnsw, "ef_search": ef, "insert_s": round(seconds, 2),
                     "recall": float(np.mean(recall)), "min_recall": float(np.min(recall)),
                     "exact_top_k": float(np.mean([r == 1.0 for r in recall])),
                     "p50_ms": percentile(ms, 50), "p95_ms": percentile(ms, 95)})
        print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    client.delete_collection(name)
    return rows


def query_collection(path: str, name: str, k: int) -> None:
    """(--query) Print the top k of every saved query from a collection, opened afresh."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    client = chromadb.PersistentClient(path=path, settings=ChromaSettings(anonymized_telemetry=False))
    collection = client.get_collection(name, embedding_function=None)
    queries = np.load(Path(path) / "queries.npy")
    collection.query(query_embeddings=[queries[0]], n_results=k, include=[])
    found, ms = [], []
    for q in queries:
        started = time.perf_counter()
        found.append(collection.query(query_embeddings=[q], n_results=k, include=["distances"])["ids"][0])
        ms.append((time.perf_counter() - started) * 1000)
    print(json.dumps({"count": collection.count(), "ef_search": collection.configuration["hnsw"]["ef_search"],
                      "ids": found, "ms": ms}))


def same_graph(client, ids, vectors, queries, hnsw: dict, k: int) -> float:
    """Share of questions with the same top k from two collections built alike (insertion determinism)."""
    results = []
    for copy in ("a", "b"):
        name = f"determinism-{copy}"
        collection, _ = build_collection(client, name, ids, vectors, hnsw)
        results.append([collection.query(query_embeddings=[q], n_results=k, include=[])["ids"][0] for q in queries])
        client.delete_collection(name)
    return float(np.mean([a == b for a, b in zip(*results)]))


def exact_latency(ids: list[str], vectors: np.ndarray, queries: np.ndarray, k: int) -> dict:
    """The exact search the answerer runs (assistant/dense.py), on a matrix of these vectors."""
    from assistant.dense import ExactIndex

    search = ExactIndex(ids, vectors, ["all"] * len(ids))
    search.search(queries[0], k)
    ms = []
    for q in queries:
        started = time.perf_counter()
        search.search(q, k)
        ms.append((time.perf_counter() - started) * 1000)
    return {"p50_ms": percentile(ms, 50), "p95_ms": percentile(ms, 95), "mb": round(vectors.nbytes / 1e6, 1)}


def index_recall(settings: Settings, questions: list[dict], k: int = DENSE_RESULTS) -> dict:
    """Recall@k of the HNSW graph a search of a built index reads against exact search over its stored
    vectors, with both searches' latency: what `make bench` reports for every corpus."""
    # a store searched exactly holds the cheap graph no search reads (docs/dense-search.md):
    # it is given the one an HNSW search would read, from its stored vectors, and that is
    # measured. On a copy of an embedded store: `make bench` goes on to measure the index
    # itself (memory, cold start) as built
    if settings.chroma_url:
        return _index_recall(settings, questions, k)
    copy = Path(tempfile.mkdtemp(prefix="recall-"))
    try:
        shutil.copytree(settings.chroma_dir, copy / "chroma")
        return _index_recall(settings.with_(data_dir=copy), questions, k)
    finally:
        shutil.rmtree(copy, ignore_errors=True)


def _index_recall(settings: Settings, questions: list[dict], k: int) -> dict:
    from index import hnsw
    from index.embedding import embedder_for
    from index.store import Store

    store = Store.open(settings.with_(dense_search="hnsw"))
    hnsw.conform(store)
    ids, vectors = stored_vectors(settings)
    embedder = embedder_for(settings)
    queries = np.stack([embedder.embed_query(q["question"]) for q in questions]).astype(np.float32)
    k = min(k, len(ids))
    truth = [{ids[r] for r in exact_top(vectors, q, k)} for q in queries]
    found, ms = [], []
    for q in queries:
        started = time.perf_counter()
        found.append(store.sentences.query(query_embeddings=[q], n_results=k, include=["distances"])["ids"][0])
        ms.append((time.perf_counter() - started) * 1000)
    recall = [len(set(f) & t) / k for f, t in zip(found, truth)]
    config = hnsw.configuration(store.sentences)
    return {"sentences": len(ids), "k": k, "recall": float(np.mean(recall)), "min_recall": float(np.min(recall)),
            "exact_top_k": float(np.mean([r == 1.0 for r in recall])), "hnsw_p50_ms": percentile(ms, 50),
            "hnsw_p95_ms": percentile(ms, 95), "hnsw": {key: config.get(key) for key in
                                                         ("ef_construction", "max_neighbors", "ef_search")},
            "exact": exact_latency(ids, vectors, queries, k)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", help="a built index of squad-dev (its stored vectors are used)")
    parser.add_argument("--factors", default="1,10")
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--ef-search", default="50,100,200,400")
    parser.add_argument("--configs", default="100/16,200/16,200/32",
                        help="ef_construction/max_neighbors pairs, each built with num_threads=1")
    parser.add_argument("--determinism", action="store_true", help="also build twice per num_threads and compare")
    parser.add_argument("--out", help="write the rows as JSON here")
    parser.add_argument("--query", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.query:
        return query_collection(args.query[0], args.query[1], int(args.query[2]))

    import chromadb
    from chromadb.config import Settings as ChromaSettings

    from assistant.evaluation import load_questions
    from index.embedding import embedder_for

    settings = Settings.load(env={}, data_dir=Path(args.data_dir))
    questions = load_questions(SQUAD / "questions.jsonl")[:args.questions]
    embedder = embedder_for(settings)
    queries = np.stack([embedder.embed_query(q["question"]) for q in questions]).astype(np.float32)
    base_ids, base_vectors = stored_vectors(settings)
    k = DENSE_RESULTS
    ef_searches = [int(x) for x in args.ef_search.split(",")]
    configs = [dict(zip(("ef_construction", "max_neighbors"), map(int, c.split("/"))), num_threads=1)
               for c in args.configs.split(",")]
    out = {"k": k, "questions": len(questions), "rows": [], "exact": {}, "determinism": {}}
    with tempfile.TemporaryDirectory(prefix="recall-") as work:
        client = chromadb.PersistentClient(path=work, settings=ChromaSettings(anonymized_telemetry=False))
        for factor in [int(f) for f in args.factors.split(",")]:
            ids, vectors = scaled(base_ids, base_vectors, factor)
            label = f"{factor}x"
            truth = [{ids[r] for r in exact_top(vectors, q, k)} for q in queries]
            out["exact"][label] = {"sentences": len(ids), **exact_latency(ids, vectors, queries, k)}
            print(label, json.dumps(out["exact"][label]), file=sys.stderr, flush=True)
            for hnsw in [BEFORE, *configs]:
                out["rows"] += measure(client, Path(work), label, ids, vectors, queries, hnsw, ef_searches, k, truth)
            if args.determinism:
                for threads in (os.cpu_count(), 1):
                    out["determinism"][f"{label} num_threads={threads}"] = same_graph(
                        client, ids, vectors, queries, {**BEFORE, "num_threads": threads}, k)
                    print(out["determinism"], file=sys.stderr, flush=True)
    if args.out:
        Path(args.out).write_text(json.dumps(out, indent=2))
    print(markdown(out))


def markdown(out: dict) -> str:
    lines = [f"Recall@{out['k']} of HNSW against exact search ({out['questions']} squad-dev questions):", "",
             "| corpus | sentences | ef_construction / max_neighbors / num_threads | insert s | ef_search | "
             "recall | worst question | exact top k | p50 / p95 ms |", "|---|---|---|---|---|---|---|---|---|"]
    for r in out["rows"]:
        lines.append(f"| {r['corpus']} | {out['exact'][r['corpus']]['sentences']} | {r['ef_construction']} / "
                     f"{r['max_neighbors']} / {r['num_threads']} | {r['insert_s']:.1f} | {r['ef_search']} | "
                     f"{r['recall']:.4f} | {r['min_recall']:.3f} | {100 * r['exact_top_k']:.0f}% | "
                     f"{r['p50_ms']:.2f} / {r['p95_ms']:.2f} |")
    for label, e in out["exact"].items():
        lines.append(f"| {label} | {e['sentences']} | exact (matrix product, {e['mb']} MB) | - | - | 1.0000 | 1.000 | "
                     f"100% | {e['p50_ms']:.2f} / {e['p95_ms']:.2f} |")
    if out["determinism"]:
        lines += ["", "Two collections built alike from the same vectors in the same order, same top k:", ""]
        lines += [f"- {label}: {100 * share:.0f}% of questions" for label, share in out["determinism"].items()]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
