"""`make bench`: this project beside the stock LangChain pipeline (bench/stock.py), in one
run on the same data, written to BENCHMARKS.md with a latency-vs-size plot.

The machine is shared and noisy, so every figure that matters is a ratio of two systems
measured in the same run; absolute times are reported with the machine and date.

    python bench/run.py                  # everything (about 40 minutes on 2 cores)
    python bench/run.py --scales 10      # skip the 100x corpus
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from datetime import date
from importlib.metadata import version
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from recall import index_recall  # noqa: E402

from index import Settings, build_index  # noqa: E402

SQUAD = REPO.parent / "shared" / "eval" / "squad-dev"
SEED = REPO / "articles"  # the sample news articles the app starts with
SEED_QUESTIONS = REPO.parent / "shared" / "eval" / "seed_questions.jsonl"
BACKENDS = ("openvino", "torch")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def timed(calls) -> list[float]:
    """Milliseconds of each call."""
    out = []
    for call in calls:
        started = time.perf_counter()
        call()
        out.append((time.perf_counter() - started) * 1000)
    return out


def folder_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(), "date": date.today().isoformat(),
            "versions": {p: version(p) for p in ("chromadb", "sentence-transformers", "torch", "openvino",
                                                 "langchain-core", "langchain-chroma", "langchain-huggingface",
                                                 "langchain-text-splitters", "gradio")}}


# ---------------------------------------------------------------- the two systems

def ours_settings(work: Path, name: str, backend: str, articles: Path) -> Settings:
    return Settings.load(env={}, data_dir=work / name, articles_dir=articles, embedding_backend=backend)


def warm_embedder(settings: Settings):
    """Load (and on first use export) the model outside the timed build: both systems are timed warm."""
    from index.embedding import embedder_for

    embedder = embedder_for(settings)
    embedder.embed_query("warm up the model")
    return embedder


def build_ours(settings: Settings, articles: Path, embedder=None) -> tuple[float, object]:
    started = time.perf_counter()
    report = build_index(articles, settings=settings, embedder=embedder)
    return time.perf_counter() - started, report


def build_stock(articles: Path, persist: Path, embeddings) -> tuple[float, object, int]:
    import stock

    started = time.perf_counter()
    store = stock.build(articles, persist, embeddings)
    return time.perf_counter() - started, store, store._collection.count()


def quality_ours(settings: Settings, questions: list[dict]) -> tuple[dict, list[float]]:
    from assistant import Assistant
    from assistant.evaluation import evaluate

    assistant = Assistant(settings)
    report, _ = evaluate(questions, lambda q: assistant.run(q), settings.top_k)
    assistant.answer(questions[0]["question"])
    latencies = timed([lambda q=q: assistant.answer(q["question"]) for q in questions])
    return report.as_dict(), latencies


def quality_stock(store, questions: list[dict]) -> tuple[dict, list[float]]:
    import stock

    from assistant.evaluation import evaluate

    rag = stock.StockRag(store)
    report, _ = evaluate(questions, rag.ask, 5)
    rag.ask(questions[0]["question"])
    latencies = timed([lambda q=q: rag.retriever.invoke(q["question"]) for q in questions])
    return report.as_dict(), latencies


def seed_row(work: Path, backend: str, stock_embeddings) -> dict:
    """Both systems on the sample news articles and their question set (unanswerable ones included)."""
    from assistant.evaluation import load_questions

    questions = load_questions(SEED_QUESTIONS)
    settings = ours_settings(work, f"ours-seed-{backend}", backend, SEED)
    shutil.rmtree(settings.data_dir, ignore_errors=True)
    shutil.rmtree(work / "stock-seed", ignore_errors=True)
    stock_s, stock_store, stock_chunks = build_stock(SEED, work / "stock-seed", stock_embeddings)
    seconds, report = build_ours(settings, SEED, warm_embedder(settings))
    ours, ours_latency = quality_ours(settings, questions)
    stock_, stock_latency = quality_stock(stock_store, questions)
    return {"articles": report.added, "ours": {**ours, "build_s": seconds, "chunks": report.chunks_embedded,
                                               "p50": percentile(ours_latency, 50)},
            "stock": {**stock_, "build_s": stock_s, "chunks": stock_chunks, "p50": percentile(stock_latency, 50)}}


# ---------------------------------------------------------------- probes (run in their own process)

def probe(kind: str, data_dir: str, articles: str, backend: str, questions: str) -> None:
    """Print peak RSS (MB) of a process that only answers questions or only builds an index."""
    settings = Settings.load(env={}, data_dir=Path(data_dir), articles_dir=Path(articles), embedding_backend=backend)
    if kind == "query":
        from assistant import Assistant

        assistant = Assistant(settings)
        for q in json.loads(questions):
            assistant.answer(q)
    else:
        build_index(Path(articles), settings=settings)
    # VmHWM, not ru_maxrss: Linux carries the forking parent's peak into ru_maxrss across exec
    peak_kb = next(int(line.split()[1]) for line in Path("/proc/self/status").read_text().splitlines()
                   if line.startswith("VmHWM:"))
    print(json.dumps({"peak_rss_mb": round(peak_kb / 1024, 1),
                      "torch_loaded": "torch" in sys.modules}))


def peak_rss(kind: str, data_dir: Path, articles: Path, backend: str, questions: list[str]) -> dict:
    out = subprocess.run([sys.executable, __file__, "--probe", kind, str(data_dir), str(articles), backend,
                          json.dumps(questions)], capture_output=True, text=True, check=True, cwd=REPO)
    return json.loads(out.stdout.strip().splitlines()[-1])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cold_start(data_dir: Path, articles: Path, backend: str, question: str) -> float:
    """Seconds from `python app.py` to the page's API answering a question (existing index)."""
    from gradio_client import Client

    port = free_port()
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(data_dir), "ASSISTANT_ARTICLES_DIR": str(articles),
           "ASSISTANT_EMBEDDING_BACKEND": backend, "ASSISTANT_PORT": str(port)}
    started = time.perf_counter()
    app = subprocess.Popen([sys.executable, "app.py"], cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    try:
        while True:
            if app.poll() is not None:
                raise RuntimeError("app.py exited during the cold-start run")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        # the port opens before the page can serve its config while the app warms its model
        # in the background; gradio_client's default 5 s gives up on a slow machine
        client = Client(f"http://127.0.0.1:{port}/", verbose=False, httpx_kwargs={"timeout": 120})
        *_, answer = client.predict(question, [], "extractive", 5, [], "", "", api_name="/chat")
        seconds = time.perf_counter() - started
        if not answer or not answer.get("text"):
            raise RuntimeError("the page answered nothing")
        return seconds
    finally:
        app.terminate()
        app.wait(timeout=30)


# ---------------------------------------------------------------- scale

def scale_row(work: Path, factor: int, settings: Settings, real, stock_real, questions: list[dict],
              articles: Path) -> dict:
    import scale
    import stock
    from langchain_chroma import Chroma

    corpus = work / f"corpus-{factor}x"
    if not corpus.exists():
        scale.write_corpus(articles, corpus, factor)
    inputs, vectors = inputs_with_vectors(settings, real, articles)
    sources = scale.source_vectors(inputs, vectors)

    ours = settings.with_(data_dir=work / f"ours-{factor}x")
    replay = scale.ReplayEmbedder(real, sources)
    seconds, report = build_ours(ours, corpus, embedder=replay)
    ours_quality, ours_ms = quality_ours(ours, questions)

    replay_stock = scale.StockReplayEmbeddings(stock_real, sources)
    persist = work / f"stock-{factor}x"
    store = Chroma(collection_name="stock", embedding_function=replay_stock, persist_directory=str(persist),
                   collection_metadata={"hnsw:space": "cosine"})
    documents = stock.split(corpus)
    by_article: dict[str, list] = {}
    for d in documents:
        by_article.setdefault(d.metadata["article_id"], []).append(d)
    texts = {a.id: a.text for a in __import__("index").load_folder(corpus).articles}
    for article_id, docs in by_article.items():
        number = int(article_id.split("-")[1].split(".")[0]) if article_id.startswith("dispatch-") else 0
        replay_stock.start_article(number, texts[article_id])
        store.add_documents(docs)
    stock_quality, stock_ms = quality_stock(store, questions)
    rss = peak_rss("query", ours.data_dir, corpus, settings.embedding_backend, [q["question"] for q in questions[:50]])
    return {"factor": factor, "articles": report.added, "chunks": report.chunks_embedded, "build_s": round(seconds, 1),
            "dense": index_recall(ours, questions),
            "replayed": replay.replayed, "embedded_for_real": replay.missed,
            "ours": {"p50": percentile(ours_ms, 50), "p95": percentile(ours_ms, 95),
                     "bytes": folder_bytes(ours.data_dir), "answer_recall": ours_quality["answer_recall"],
                     "answer_accuracy": ours_quality["answer_accuracy"], "query_rss_mb": rss["peak_rss_mb"]},
            "stock": {"p50": percentile(stock_ms, 50), "p95": percentile(stock_ms, 95), "bytes": folder_bytes(persist),
                      "chunks": store._collection.count(), "answer_recall": stock_quality["answer_recall"],
                      "answer_accuracy": stock_quality["answer_accuracy"], "embedded_for_real": replay_stock.missed}}


def source_inputs(settings: Settings, embedder, articles: Path) -> list[str]:
    """Every embedding input of the real articles, as a build makes them."""
    from index import load_folder
    from index.build import chunks_and_inputs

    return [text for article in load_folder(articles).articles
            for text in chunks_and_inputs(article, embedder, settings)[1]]


def inputs_with_vectors(settings: Settings, embedder, articles: Path) -> tuple[list[str], object]:
    """Every embedding input of the real articles, with its vector (from the 1x build's cache)."""
    from index.embedding import EmbeddingCache

    inputs = source_inputs(settings, embedder, articles)
    cache = EmbeddingCache(settings.data_dir / "embedding-cache.sqlite", embedder.model_id)
    return inputs, embedder.embed(inputs, cache)


def model_alone(embedder, articles: Path, settings: Settings, stock_embeddings) -> tuple[float, float]:
    """Seconds each model takes on just what its system embeds (ours: every sentence with its
    title; stock: its chunks), no cache, nothing else: the floor under each build's time."""
    import stock

    inputs = source_inputs(settings, embedder, articles)
    started = time.perf_counter()
    embedder.embed(inputs)
    ours = time.perf_counter() - started
    texts = [d.page_content for d in stock.split(articles)]
    started = time.perf_counter()
    stock_embeddings.embed_documents(texts)
    return ours, time.perf_counter() - started


def drift(work: Path, backends: list[str], articles: Path, questions: list[dict]) -> dict:
    """How far each backend's vectors are from torch fp32's, on every sentence the 1x build
    embedded (read back from each build's cache) and on the questions: cosine per vector,
    and how many of a question's 5 nearest sentences stay the same."""
    import numpy as np

    from index.embedding import embedder_for

    vectors = {}
    for backend in backends:
        settings = ours_settings(work, f"ours-{backend}", backend, articles)
        embedder = embedder_for(settings)
        _, sentences = inputs_with_vectors(settings, embedder, articles)
        asked = np.array([embedder.embed_query(q["question"]) for q in questions])
        vectors[backend] = (np.asarray(sentences), asked)
    base_sentences, base_questions = vectors["torch"]
    base_top = np.argsort(-(base_questions @ base_sentences.T), axis=1)[:, :5]
    out = {}
    for backend, (sentences, asked) in vectors.items():
        if backend == "torch":
            continue
        cosine = (sentences * base_sentences).sum(axis=1)
        top = np.argsort(-(asked @ sentences.T), axis=1)[:, :5]
        overlap = [len(set(a) & set(b)) / 5 for a, b in zip(top, base_top)]
        out[backend] = {"sentences": len(sentences), "mean_cosine": float(cosine.mean()),
                        "min_cosine": float(cosine.min()),
                        "question_min_cosine": float((asked * base_questions).sum(axis=1).min()),
                        "top5_overlap": float(np.mean(overlap)),
                        "top5_same": float(np.mean([o == 1.0 for o in overlap]))}
    return out


def plot(rows: list[dict], base: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    points = [base] + rows
    fig, ax = plt.subplots(figsize=(7, 4.2))
    for system, colour in (("ours", "tab:blue"), ("stock", "tab:grey")):
        chunks = [p["chunks"] if system == "ours" else p["stock"]["chunks"] for p in points]
        for pct, style in (("p50", "-o"), ("p95", "--o")):
            ax.plot(chunks, [p[system][pct] for p in points], style, color=colour,
                    label=f"{'this project answer()' if system == 'ours' else 'stock retriever'} {pct}")
    ax.set_xscale("log")
    ax.set_xlabel("chunks in the index (log)")
    ax.set_ylabel("latency per question (ms)")
    ax.set_title("Latency as the corpus grows (SQuAD dev + synthetic articles)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


# ---------------------------------------------------------------- the run

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(REPO / "BENCHMARKS.md"))
    parser.add_argument("--scales", default="10,100", help="corpus multiples for the scale rows ('' for none)")
    parser.add_argument("--backends", default=",".join(BACKENDS))
    parser.add_argument("--questions", type=int, default=500)
    parser.add_argument("--articles", type=int, default=0, help="only the first N articles (a quick smoke run)")
    parser.add_argument("--work", help="keep the indexes here (default: a temporary folder)")
    parser.add_argument("--probe", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.probe:
        return probe(*args.probe)
    if not SQUAD.is_dir():
        sys.exit(f"{SQUAD} is missing: the benchmark runs on ../shared/eval/squad-dev")
    import stock

    from assistant.evaluation import load_questions

    questions = load_questions(SQUAD / "questions.jsonl")[:args.questions]
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="bench-"))
    work.mkdir(parents=True, exist_ok=True)
    articles = SQUAD / "articles"
    if args.articles:
        articles = work / "articles-subset"
        shutil.rmtree(articles, ignore_errors=True)
        articles.mkdir()
        for path in sorted((SQUAD / "articles").glob("*.json"))[:args.articles]:
            shutil.copy2(path, articles / path.name)
        kept = {p.name for p in articles.iterdir()}
        questions = [q for q in questions if set(q.get("evidence", [])) <= kept and q.get("evidence")]
    results: dict = {"machine": machine(), "commands": " ".join(["python", "bench/run.py", *sys.argv[1:]])}
    log = lambda *a: print(*a, file=sys.stderr, flush=True)  # noqa: E731

    # 1 + 4: full builds and quality, each backend of ours and the stock pipeline, warm models
    stock_embeddings = stock.embeddings()
    stock_embeddings.embed_query("warm up the model")
    builds, quality, latency = {}, {}, {}
    for backend in args.backends.split(","):
        settings = ours_settings(work, f"ours-{backend}", backend, articles)
        shutil.rmtree(settings.data_dir, ignore_errors=True)
        embedder = warm_embedder(settings)
        # the stock pipeline is rebuilt beside every backend, so each ratio comes from adjacent runs
        stock_dir = work / f"stock-beside-{backend}"
        shutil.rmtree(stock_dir, ignore_errors=True)
        stock_s, stock_store, stock_chunks = build_stock(articles, stock_dir, stock_embeddings)
        seconds, report = build_ours(settings, articles, embedder)
        builds[backend] = {"seconds": seconds, "articles": report.added, "chunks": report.chunks_embedded,
                           "sentences": report.sentences_embedded, "stock_seconds": stock_s,
                           "stock_chunks": stock_chunks}
        builds[backend]["model_seconds"], builds[backend]["stock_model_seconds"] = model_alone(
            embedder, articles, settings, stock_embeddings)
        log(f"build {backend}: {seconds:.1f} s vs stock {stock_s:.1f} s; models alone {builds[backend]}")
        quality[backend], latency[backend] = quality_ours(settings, questions)
        log(f"quality {backend}: {quality[backend]}")
    quality["stock"], latency["stock"] = quality_stock(stock_store, questions)
    # 1b: build throughput, squad-dev and its paragraphs as short articles, embedded and on a server
    import throughput

    default_settings = ours_settings(work, "throughput", args.backends.split(",")[0], articles)
    embedder = warm_embedder(default_settings)
    results["throughput"] = throughput.measure(work / "throughput", embedder, stock_embeddings, squad=articles)
    results["throughput"]["profiles"] = throughput.profiles(work / "throughput", embedder, articles)
    folders = throughput.corpora(work / "throughput", articles)
    results["throughput"]["cpu"] = [throughput.cpu_breakdown(folder, work / "throughput", corpus, embedder)
                                    for corpus, folder in folders.items()]
    results["throughput"]["stock_cpu"] = {corpus: throughput.stock_cpu(folder, work / "throughput", corpus,
                                                                       stock_embeddings)
                                          for corpus, folder in folders.items()}
    # and as a user runs them: each system in a cold process, model load included
    results["throughput"]["cold"] = throughput.measure_cold(work / "throughput", squad=articles,
                                                            backend=args.backends.split(",")[0])
    log(f"throughput: {results['throughput']}")
    results.update(builds=builds, quality=quality,
                   latency={k: {"p50": percentile(v, 50), "p95": percentile(v, 95)} for k, v in latency.items()})
    if SEED_QUESTIONS.is_file():
        results["seed"] = seed_row(work, args.backends.split(",")[0], stock_embeddings)
        log(f"seed articles: {results['seed']}")
    if "torch" in builds and len(builds) > 1:
        results["drift"] = drift(work, list(builds), articles, questions)
        log(f"drift: {results['drift']}")

    # 2: re-index, default backend
    default = args.backends.split(",")[0]
    settings = ours_settings(work, f"ours-{default}", default, articles)
    unchanged_s, _ = build_ours(settings, articles)
    edited = work / "articles-one-changed"
    shutil.rmtree(edited, ignore_errors=True)
    shutil.copytree(articles, edited)
    first = sorted(edited.glob("*.json"))[0]
    record = json.loads(first.read_text())
    record["text"] += "\n\nThis paragraph was added to measure re-indexing one changed article."
    first.write_text(json.dumps(record))
    # ids are paths relative to the folder, so the copy is the same corpus with one article edited
    changed_s, changed = build_ours(settings, edited)
    results["reindex"] = {"full_s": builds[default]["seconds"], "unchanged_s": unchanged_s, "changed_s": changed_s,
                          "changed_articles": changed.updated, "changed_sentences_embedded": changed.sentences_embedded}
    log(f"reindex: {results['reindex']}")

    results["dense"] = index_recall(settings, questions)
    log(f"dense search against exact: {results['dense']}")

    # 6 + 7: memory and cold start on the 1x index
    sample = [q["question"] for q in questions[:50]]
    results["rss"] = {"query": peak_rss("query", settings.data_dir, articles, default, sample)}
    rss_dir = work / "ours-rss-build"
    shutil.rmtree(rss_dir, ignore_errors=True)
    results["rss"]["build"] = peak_rss("build", rss_dir, articles, default, [])
    results["cold_start_s"] = cold_start(settings.data_dir, articles, default, questions[0]["question"])
    log(f"rss {results['rss']} cold start {results['cold_start_s']:.1f} s")

    # 5: scale
    base = {"chunks": builds[default]["chunks"], "ours": results["latency"][default],
            "stock": {**results["latency"]["stock"], "chunks": builds[default]["stock_chunks"]}}
    rows = []
    scale_questions = questions[:200]
    for factor in [int(f) for f in args.scales.split(",") if f]:
        rows.append(scale_row(work, factor, settings, warm_embedder(settings), stock_embeddings, scale_questions,
                              articles))
        log(f"scale {factor}x: {rows[-1]}")
    results["scale"] = rows
    results["index_bytes"] = {"ours": folder_bytes(settings.data_dir), "stock": folder_bytes(work / f"stock-beside-{default}")}
    if rows:
        plot(rows, base, Path(args.out).with_name("bench-latency.png"))
    (Path(args.out).with_suffix(".json")).write_text(json.dumps(results, indent=2))
    Path(args.out).write_text(report_markdown(results, default))
    log(f"wrote {args.out}")
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)


def targets(r: dict, default: str) -> list[tuple[str, str, bool]]:
    """The issue's targets against this run's figures: (target, measured, met)."""
    b, q, lat, re_ = r["builds"][default], r["quality"], r["latency"], r["reindex"]
    speed = b["stock_seconds"] / b["seconds"]
    ceiling = b["stock_seconds"] / b["model_seconds"]
    rows = [("full build at least 3x the stock pipeline's throughput",
             f"{speed:.2f}x ({default}); {ceiling:.2f}x if all but the model took no time", speed >= 3)]
    if "torch" in q:
        gap = 100 * (q["torch"]["answer_recall"] - q[default]["answer_recall"])
        rows.append(("... with answer_recall@5 at most 0.5 point below fp32 torch",
                     f"{q[default]['answer_recall']:.3f} vs {q['torch']['answer_recall']:.3f} ({gap:+.1f} points below)",
                     gap <= 0.5))
    unchanged, changed = re_["unchanged_s"] / re_["full_s"], re_["changed_s"] / re_["full_s"]
    rows += [("re-index, nothing changed: under 2% of the full build", f"{100 * unchanged:.1f}%", unchanged < 0.02),
             ("re-index, one article changed: under 5%", f"{100 * changed:.1f}%", changed < 0.05)]
    ours, stock_ = lat[default], lat["stock"]
    rows += [("answer() p50 at most 2x the stock retriever's p50", f"{ours['p50'] / stock_['p50']:.2f}x",
              ours["p50"] <= 2 * stock_["p50"]),
             ("answer() p50 under 30 ms", f"{ours['p50']:.1f} ms", ours["p50"] < 30),
             ("answer() p95 under 60 ms", f"{ours['p95']:.1f} ms", ours["p95"] < 60)]
    for x in r["scale"]:
        if x["factor"] == 100:
            rows.append(("answer() p50 at 100x under 150 ms", f"{x['ours']['p50']:.1f} ms", x["ours"]["p50"] < 150))
        if x["factor"] == 10:
            rows.append(("query process peak RSS at 10x under 1.5 GB", f"{x['ours']['query_rss_mb']:.0f} MB",
                         x["ours"]["query_rss_mb"] < 1536))
    rows.append(("cold start under 15 s", f"{r['cold_start_s']:.1f} s", r["cold_start_s"] < 15))
    return rows + throughput_targets(r)


def throughput_lines(r: dict) -> list[str]:
    import throughput

    if not r.get("throughput"):
        return []
    return throughput.markdown(r["throughput"], r["throughput"].get("profiles"))


def throughput_targets(r: dict) -> list[tuple[str, str, bool]]:
    import throughput

    return throughput.targets(r["throughput"]) if r.get("throughput") else []


def report_markdown(r: dict, default: str) -> str:
    m, b, q, lat, re_ = r["machine"], r["builds"], r["quality"], r["latency"], r["reindex"]
    d = b[default]
    lines = [
        "# Benchmarks: this project beside the stock LangChain pipeline",
        "",
        f"Measured {m['date']} on {m['cores']} cores ({m['cpu']}), Python {m['python']}, by `{r['commands']}`",
        "(`make bench`). The machine is shared and noisy: read the ratios, which compare runs made",
        "side by side in one process; absolute times move by ±30% from run to run.",
        "",
        "Versions: " + ", ".join(f"{k} {v}" for k, v in m["versions"].items()) + ".",
        "",
        "The stock pipeline (`bench/stock.py`): `RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)`,",
        "`HuggingFaceEmbeddings` on the same packaged all-MiniLM-L6-v2 (torch fp32), `langchain_chroma.Chroma`,",
        "top-5 similarity retriever, its top chunk as the answer. Data: `../shared/eval/squad-dev` (24 articles,",
        f"{q['stock']['questions']} questions). Both systems are timed with their model already loaded.",
        "",
        f"The app's default embedding backend is `{default}`; the other backends are measured beside it.",
        "",
        "## Targets",
        "",
        "| target | this run | met |",
        "|---|---|---|",
        *[f"| {t} | {v} | {'yes' if ok else '**no**'} |" for t, v, ok in targets(r, default)],
        "",
        *(throughput_lines(r)),
        "",
        "## 1. Full index build",
        "",
        "| system | seconds | articles/s | chunks/s | sentences embedded | build speed vs stock (same run) |",
        "|---|---|---|---|---|---|",
    ]
    for backend, x in b.items():
        lines.append(f"| this project, {backend} | {x['seconds']:.1f} | {x['articles'] / x['seconds']:.2f} | "
                     f"{x['chunks'] / x['seconds']:.1f} | {x['sentences']} | **{x['stock_seconds'] / x['seconds']:.2f}x** |")
        lines.append(f"| stock, built just before it | {x['stock_seconds']:.1f} | {x['articles'] / x['stock_seconds']:.2f} | "
                     f"{x['stock_chunks'] / x['stock_seconds']:.1f} | {x['stock_chunks']} chunks | 1.00x |")
    lines += [
        "",
        "The models alone, on exactly what each system embeds (no cache, no chunking, no writes): the",
        "floor under each build, and the best build ratio this project could reach with everything",
        "else free. This project embeds every sentence with its article's title (what its citations",
        "and sentence search stand on); the stock pipeline embeds its chunks, overlap included.",
        "",
        "| backend | our model alone, s | stock model alone, s | model share of our build | ceiling vs stock build |",
        "|---|---|---|---|---|",
    ]
    for backend, x in b.items():
        lines.append(f"| {backend} | {x['model_seconds']:.1f} | {x['stock_model_seconds']:.1f} | "
                     f"{100 * x['model_seconds'] / x['seconds']:.0f}% | {x['stock_seconds'] / x['model_seconds']:.2f}x |")
    lines += [
        "",
        "## 2. Re-indexing",
        "",
        "| run | seconds | share of the full build |",
        "|---|---|---|",
        f"| full build ({default}) | {re_['full_s']:.2f} | 100% |",
        f"| nothing changed | {re_['unchanged_s']:.2f} | {100 * re_['unchanged_s'] / re_['full_s']:.1f}% |",
        f"| one article changed ({re_['changed_sentences_embedded']} sentences embedded) | {re_['changed_s']:.2f} | "
        f"{100 * re_['changed_s'] / re_['full_s']:.1f}% |",
        "",
        "The stock pipeline has no incremental update: any change means a full rebuild (100%).",
        "",
        "## 3. Latency (warm, one question at a time)",
        "",
        "| system | p50 ms | p95 ms | p50 vs stock |",
        "|---|---|---|---|",
    ]
    for name, x in lat.items():
        label = "stock retriever (`invoke`)" if name == "stock" else f"this project `answer()`, {name}"
        lines.append(f"| {label} | {x['p50']:.1f} | {x['p95']:.1f} | {x['p50'] / lat['stock']['p50']:.2f}x |")
    lines += [
        "",
        "## 4. Quality (top 5 passages)",
        "",
        "| system | answer_recall@5 | article_recall@5 | answer accuracy | mean answer words |",
        "|---|---|---|---|---|",
    ]
    for name, x in q.items():
        label = "stock (top chunk as answer)" if name == "stock" else f"this project, {name}"
        lines.append(f"| {label} | {x['answer_recall']:.3f} | {x['article_recall']:.3f} | {x['answer_accuracy']:.3f} | "
                     f"{x['mean_answer_words']:.1f} |")
    if r.get("drift"):
        lines += [
            "",
            "How far each backend's vectors are from torch fp32 (every sentence of the 1x build, and the",
            "questions; top 5 = a question's 5 nearest sentences by that backend's vectors against torch's):",
            "",
            "| backend | sentences | mean cosine | worst cosine (sentence / question) | top-5 overlap | top 5 unchanged |",
            "|---|---|---|---|---|---|",
        ]
        for name, x in r["drift"].items():
            lines.append(f"| {name} | {x['sentences']} | {x['mean_cosine']:.4f} | {x['min_cosine']:.3f} / "
                         f"{x['question_min_cosine']:.3f} | {100 * x['top5_overlap']:.0f}% | {100 * x['top5_same']:.0f}% |")
    if r.get("seed"):
        x = r["seed"]
        lines += [
            "",
            "### The sample news articles",
            "",
            f"`articles/` ({x['articles']} articles) and its question set (`../shared/eval/seed_questions.jsonl`: "
            f"{x['ours']['answerable']} answerable, {x['ours']['unanswerable']} that the articles do not answer), "
            f"{default} beside stock:",
            "",
            "| system | build s | chunks | answer_recall@5 | article_recall@5 | answer accuracy | "
            "abstained when unanswerable | abstained when answerable | mean answer words | p50 ms |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for name, y in (("this project", x["ours"]), ("stock (top chunk as answer)", x["stock"])):
            abstained = "-" if y["abstention_accuracy"] is None else f"{y['abstention_accuracy']:.2f}"
            lines.append(f"| {name} | {y['build_s']:.1f} | {y['chunks']} | {y['answer_recall']:.2f} | "
                         f"{y['article_recall']:.2f} | {y['answer_accuracy']:.2f} | {abstained} | "
                         f"{y['false_abstentions']:.2f} | {y['mean_answer_words']:.1f} | {y['p50']:.1f} |")
    if r["scale"]:
        lines += [
            "",
            "## 5. Scale",
            "",
            "The corpus grows with synthetic articles (`bench/scale.py`): mixes of the real articles' paragraphs",
            "with every number shifted, so nothing is an exact copy. Their vectors are replayed from the real",
            "sentences plus noise (embedding half a million sentences would take hours here); chunking, Chroma,",
            "the lexical index and duplicate grouping run for real. Latency over the first 200 questions.",
            "",
            "| corpus | chunks (ours / stock) | ours p50 / p95 ms | stock p50 / p95 ms | index MB (ours / stock) | "
            "ours answer_recall@5 / accuracy | stock answer_recall@5 | query RSS MB |",
            "|---|---|---|---|---|---|---|---|",
            f"| 1x | {d['chunks']} / {d['stock_chunks']} | {lat[default]['p50']:.1f} / {lat[default]['p95']:.1f} | "
            f"{lat['stock']['p50']:.1f} / {lat['stock']['p95']:.1f} | {r['index_bytes']['ours'] / 1e6:.0f} / "
            f"{r['index_bytes']['stock'] / 1e6:.0f} | {q[default]['answer_recall']:.3f} / {q[default]['answer_accuracy']:.3f} | "
            f"{q['stock']['answer_recall']:.3f} | {r['rss']['query']['peak_rss_mb']:.0f} |",
        ]
        for x in r["scale"]:
            o, s = x["ours"], x["stock"]
            lines.append(f"| {x['factor']}x ({x['articles']} articles) | {x['chunks']} / {s['chunks']} | "
                         f"{o['p50']:.1f} / {o['p95']:.1f} | {s['p50']:.1f} / {s['p95']:.1f} | {o['bytes'] / 1e6:.0f} / "
                         f"{s['bytes'] / 1e6:.0f} | {o['answer_recall']:.3f} / {o['answer_accuracy']:.3f} | "
                         f"{s['answer_recall']:.3f} | {o['query_rss_mb']:.0f} |")
        lines += ["", "![latency against chunks](bench-latency.png)"]
    lines += dense_markdown(r)
    rss = r["rss"]
    lines += [
        "",
        "## 6. Memory and 7. cold start",
        "",
        f"- Peak RSS of a process answering 50 questions on the 1x index: {rss['query']['peak_rss_mb']:.0f} MB "
        f"(torch imported: {'yes' if rss['query']['torch_loaded'] else 'no'}).",
        f"- Peak RSS of a process building the 1x index from scratch: {rss['build']['peak_rss_mb']:.0f} MB.",
        f"- Cold start, `python app.py` to the page answering a question through its API (index built): "
        f"{r['cold_start_s']:.1f} s.",
        "",
        "Raw figures: `BENCHMARKS.json`.",
        "",
    ]
    return "\n".join(lines)


def dense_markdown(r: dict) -> list[str]:
    """The dense search of every corpus beside exact search (bench/recall.py)."""
    rows = ([("1x", r["dense"])] if r.get("dense") else []) + [
        (f"{x['factor']}x", x["dense"]) for x in r["scale"] if x.get("dense")]
    if not rows:
        return []
    k = rows[0][1]["k"]
    lines = ["", "## Dense search against exact search", "",
             f"Each index's own HNSW collection against exact search over its stored sentence vectors, at the "
             f"{k} sentences the answerer asks for (recall@{k}; `python bench/recall.py` compares settings). "
             "The answerer searches exactly up to `exact_search_max_sentences` (docs/dense-search.md).", "",
             f"| corpus | sentences | HNSW ef_construction / M / ef_search | recall@{k} | worst question | "
             f"exact top {k} | HNSW p50 / p95 ms | exact p50 / p95 ms | exact matrix MB |",
             "|---|---|---|---|---|---|---|---|---|"]
    for label, d in rows:
        h, e = d["hnsw"], d["exact"]
        lines.append(f"| {label} | {d['sentences']} | "
                     f"{h['ef_construction']} / {h['max_neighbors']} / {h['ef_search']} | "
                     f"{d['recall']:.4f} | {d['min_recall']:.3f} | {100 * d['exact_top_k']:.0f}% | "
                     f"{d['hnsw_p50_ms']:.2f} / {d['hnsw_p95_ms']:.2f} | {e['p50_ms']:.2f} / {e['p95_ms']:.2f} | "
                     f"{e['mb']:.0f} |")
    return lines


if __name__ == "__main__":
    main()
