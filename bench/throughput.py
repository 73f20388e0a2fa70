"""Build throughput: this project's build beside the stock pipeline's (bench/stock.py) on
squad-dev (24 long articles), on its paragraphs as ~1,000 short articles and on its prose cut
into ~2,900 wire items of 1-3 sentences with headlines (bench/short.py), against embedded Chroma and a `chroma run` server, pairs built one right after the other;
and where a build's time goes (cProfile on every thread of a whole build).

    python bench/throughput.py                 # the table and the profile; rewrites its section of BENCHMARKS.md
    python bench/throughput.py --no-profile    # the table alone
    python bench/throughput.py --cold          # also each system in cold processes, model load included

`make bench` (bench/run.py) runs the same measurements and renders the same section.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from index import Settings, build_index  # noqa: E402

SQUAD = REPO.parent / "shared" / "eval" / "squad-dev" / "articles"
BEGIN, END = "<!-- build-throughput -->", "<!-- /build-throughput -->"


class ChromaServer:
    """A `chroma run` on a free loopback port, for the server rows."""

    def __init__(self, root: Path):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        chroma = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
        root.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen([chroma, "run", "--path", str(root / "db"), "--host", "127.0.0.1",
                                         "--port", str(self.port)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError("chroma run exited") from None
                time.sleep(0.3)
        raise RuntimeError("chroma run did not listen within 300 s")

    def client(self):
        import chromadb

        return chromadb.HttpClient(host="127.0.0.1", port=self.port)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(30)


def corpora(work: Path, squad: Path = SQUAD) -> dict[str, Path]:
    import short

    folder, wire = work / "short-articles", work / "wire-items"
    if not folder.is_dir():
        short.write_corpus(folder, squad)
    if not (wire / "wire.jsonl").is_file():
        short.write_wire_corpus(wire, squad)
    return {"short articles": folder, "wire items": wire, "squad-dev": squad}


def build_stock(folder: Path, work: Path, name: str, embeddings, server: ChromaServer | None) -> tuple[float, int]:
    """Seconds for the stock pipeline to split, embed and store `folder`; and its chunks."""
    import stock

    started = time.perf_counter()
    if server is None:
        persist = work / f"stock-{name}"
        shutil.rmtree(persist, ignore_errors=True)
        store = stock.build(folder, persist, embeddings)
    else:
        store = stock.build(folder, None, embeddings, client=server.client(), collection=f"stock-{name}")
    return time.perf_counter() - started, store._collection.count()


def build_ours(folder: Path, work: Path, name: str, embedder, server: ChromaServer | None):
    settings = Settings.load(env={}, data_dir=work / f"ours-{name}", chroma_url=server.url if server else "",
                             collection=f"ours-{name}", embedding_backend=embedder.backend)
    shutil.rmtree(settings.data_dir, ignore_errors=True)
    started, model_before = time.perf_counter(), embedder.encode_seconds
    report = build_index(folder, settings=settings, embedder=embedder)
    seconds = time.perf_counter() - started
    return seconds, report, settings, embedder.encode_seconds - model_before


def pair(corpus: str, folder: Path, work: Path, embedder, stock_embeddings, server: ChromaServer | None,
         repeats: int = 1) -> dict:
    """Both systems on one corpus and one Chroma, built one right after the other `repeats`
    times; the row is the pair with the median ratio (the lower of two)."""
    mode = "server" if server else "embedded"
    runs = []
    for repeat in range(repeats):
        # a fresh name each time: an embedded Chroma client stays open in the process (and a
        # server keeps its collections), so a folder deleted and built again would be found built
        name = f"{corpus.split()[0]}-{mode}" + (f"-{repeat + 1}" if repeat else "")
        stock_s, stock_chunks = build_stock(folder, work, name, stock_embeddings, server)
        ours_s, report, _, model_s = build_ours(folder, work, name, embedder, server)
        runs.append({"stock_s": stock_s, "ours_s": ours_s, "ratio": stock_s / ours_s, "model_in_build_s": model_s})
        print(f"  {corpus}, {mode}: ours {ours_s:.1f} s, stock {stock_s:.1f} s ({stock_s / ours_s:.2f}x)",
              file=sys.stderr, flush=True)
    return {"corpus": corpus, "mode": mode, "articles": report.added, "chunks": report.chunks_embedded,
            "sentences": report.sentences_embedded, "stock_chunks": stock_chunks, **_median_pair(runs)}


def _median_pair(runs: list[dict]) -> dict:
    """A row's figures: those of the pair with the median ratio (of two pairs, the lower), and every pair's ratio."""
    middle = sorted(runs, key=lambda r: r["ratio"])[(len(runs) - 1) // 2]
    return {**middle, "ratios": [round(r["ratio"], 3) for r in runs]}


def cold_pair(corpus: str, folder: Path, work: Path, server: ChromaServer | None, repeats: int = 1,
              backend: str = "openvino") -> dict:
    """Both systems as a user runs them, each in a process of its own started cold (imports
    and model load included): `python bench/stock.py FOLDER QUESTION` (which also answers the
    one question), then `assistant index FOLDER` into a fresh data dir. Issue 22's own
    measurement; the row is the pair with the median ratio (the lower of two)."""
    mode = "server" if server else "embedded"
    python = sys.executable
    # a user's environment: this bench turns the tokenizers' thread pool off for its own process
    user = {key: value for key, value in os.environ.items() if key != "TOKENIZERS_PARALLELISM"}
    runs = []
    for repeat in range(repeats):
        name = f"cold-{corpus.split()[0]}-{mode}-{repeat + 1}"
        stock_command = [python, "bench/stock.py", str(folder), "Who founded the university?"]
        if server:
            stock_command += ["--chroma-url", server.url, "--collection", f"stock-{name}"]
        data = work / f"ours-{name}"
        shutil.rmtree(data, ignore_errors=True)
        env = {**user, "ASSISTANT_DATA_DIR": str(data), "ASSISTANT_COLLECTION": f"ours-{name}",
               "ASSISTANT_CHROMA_URL": server.url if server else "", "ASSISTANT_EMBEDDING_BACKEND": backend}
        seconds = {}
        for system, command, environment in (("stock", stock_command, user),
                                             ("ours", [python, "-m", "assistant.cli", "index", str(folder)], env)):
            started = time.perf_counter()
            subprocess.run(command, cwd=REPO, env=environment, check=True, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
            seconds[system] = time.perf_counter() - started
        runs.append({"stock_s": seconds["stock"], "ours_s": seconds["ours"], "ratio": seconds["stock"] / seconds["ours"]})
        print(f"  cold {corpus}, {mode}: ours {seconds['ours']:.1f} s, stock {seconds['stock']:.1f} s "
              f"({runs[-1]['ratio']:.2f}x)", file=sys.stderr, flush=True)
    return {"corpus": corpus, "mode": mode, **_median_pair(runs)}


def measure_cold(work: Path, *, squad: Path = SQUAD, repeats: int = 1, server: tuple[str, ...] | None = None,
                 only: tuple[str, ...] | None = None, backend: str = "openvino") -> list[dict]:
    """Every corpus (of `only`) as `cold_pair` measures it, embedded, then each corpus of
    `server` (default: all) on a `chroma run` server started empty (a server kept from an
    earlier run would hold these builds already)."""
    folders = {c: f for c, f in corpora(work, squad).items() if only is None or c in only}
    rows = [cold_pair(corpus, folder, work, None, repeats, backend) for corpus, folder in folders.items()]
    on_server = [c for c in folders if server is None or c in server]
    if on_server:
        with empty_server(work / "chroma-server-cold") as chroma:
            rows += [cold_pair(corpus, folders[corpus], work, chroma, repeats, backend) for corpus in on_server]
    return rows


@contextmanager
def empty_server(root: Path) -> Iterator[ChromaServer]:
    """A `chroma run` under `root`, started empty (a server kept from an earlier run with the
    same work folder would hold these builds already), stopped after."""
    shutil.rmtree(root, ignore_errors=True)
    chroma = ChromaServer(root)
    try:
        yield chroma
    finally:
        chroma.stop()


def models_alone(folder: Path, embedder, stock_embeddings) -> dict:
    """Seconds each model takes on exactly what its system embeds, nothing else (no cache)."""
    import run

    settings = Settings.load(env={}, embedding_backend=embedder.backend)
    ours, stock_s = run.model_alone(embedder, folder, settings, stock_embeddings)
    return {"ours_model_s": ours, "stock_model_s": stock_s}


def measure(work: Path, embedder, stock_embeddings, *, squad: Path = SQUAD, server: tuple[str, ...] | None = None,
            repeats: int = 1, models: bool = True, only: tuple[str, ...] | None = None) -> dict:
    """Every row: each corpus embedded, then each corpus of `server` (default: all) against a
    fresh `chroma run` server. What is measured so far is kept in work/throughput.json.
    `models`: also time each model alone on its corpus (the ceiling); without it, our model's
    time is what the build spent in it."""
    rows: list[dict] = []
    folders = {c: f for c, f in corpora(work, squad).items() if only is None or c in only}

    def keep(row: dict) -> None:
        row["ours_model_s"] = row.get("ours_model_s", row["model_in_build_s"])
        row["overhead_ms_per_article"] = 1000 * (row["ours_s"] - row["model_in_build_s"]) / row["articles"]
        rows.append(row)
        (work / "throughput.json").write_text(json.dumps(rows, indent=2))

    for corpus, folder in folders.items():
        row = pair(corpus, folder, work, embedder, stock_embeddings, None, repeats)
        keep({**row, **(models_alone(folder, embedder, stock_embeddings) if models else {})})
    on_server = [c for c in folders if server is None or c in server]
    if on_server:
        with empty_server(work / "chroma-server") as chroma:
            for corpus in on_server:
                keep(pair(corpus, folders[corpus], work, embedder, stock_embeddings, chroma, repeats))
    alone = {r["corpus"]: r for r in rows if r["mode"] == "embedded" and "stock_model_s" in r}
    for r in rows:
        if r["corpus"] in alone:
            r["ours_model_s"], r["stock_model_s"] = alone[r["corpus"]]["ours_model_s"], alone[r["corpus"]]["stock_model_s"]
    return {"rows": rows, "load": os.getloadavg(), "cores": os.cpu_count(), "models_alone": models}


# ---------------------------------------------------------------- the profile

BUCKETS = ("model", "splitting", "Chroma", "lexical", "signatures", "loading")


def _bucket(func: tuple) -> str | None:
    """Which part of a build a profiled function is, by where it lives (None: not a boundary)."""
    path, _, name = func
    path = path.replace(os.sep, "/")
    if path.endswith("index/embedding.py") and name == "_encode":
        return "model"
    if path.endswith("index/build.py") and name == "chunks_and_inputs":
        return "splitting"
    if "/chromadb/" in path:
        return "Chroma"
    if path.endswith("index/lexical.py"):
        return "lexical"
    if path.endswith("index/duplicates.py") and name in ("signature", "group"):
        return "signatures"
    if path.endswith("index/articles.py") and name == "load_folder":
        return "loading"
    return None


def breakdown(stats: pstats.Stats) -> dict[str, float]:
    """Seconds in each bucket, counting a bucket's functions only where code outside the bucket
    calls them (so nested calls are not counted twice); summed over threads."""
    out = dict.fromkeys(BUCKETS, 0.0)
    for func, (_, _, _, _, callers) in stats.stats.items():
        bucket = _bucket(func)
        if bucket is None:
            continue
        for caller, (_, _, _, cumulative) in callers.items():
            # Chroma calls back into other libraries that call Chroma again: count only our calls
            ours = "/index/" in caller[0].replace(os.sep, "/") or bucket != "Chroma"
            if _bucket(caller) != bucket and ours:
                out[bucket] += cumulative
    return out


def profile_build(folder: Path, work: Path, name: str, embedder) -> dict:
    """A whole build (embedded Chroma, empty index and cache) under cProfile, every thread."""
    thread_profiles: list[cProfile.Profile] = []

    def start_in_thread(*_):  # the first event of each new thread starts its own profiler
        profile = cProfile.Profile()
        thread_profiles.append(profile)
        sys.setprofile(None)
        profile.enable()

    main = cProfile.Profile()
    threading.setprofile(start_in_thread)
    started = time.perf_counter()
    main.enable()
    try:
        seconds, report, _, _ = build_ours(folder, work, f"profile-{name.replace(' ', '-')}", embedder, None)
    finally:
        main.disable()
        threading.setprofile(None)
    wall = time.perf_counter() - started
    stats = pstats.Stats(main)
    for profile in thread_profiles:
        stats.add(profile)
    parts = breakdown(stats)
    main_only = breakdown(pstats.Stats(main))
    # "other": the main thread's time outside the buckets (planning, the cache, waiting for a write)
    other = wall - sum(main_only.values())
    return {"corpus": name, "wall_s": wall, "articles": report.added, "sentences": report.sentences_embedded,
            "parts": parts, "main_thread": main_only, "other_s": other}


def profiles(work: Path, embedder, squad: Path = SQUAD) -> list[dict]:
    return [profile_build(folder, work, corpus, embedder) for corpus, folder in corpora(work, squad).items()]


def _process_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


CHROMA_THREADS = ("tokio-rt-worker", "sqlx-sqlite-wor")  # the names Chroma's Rust threads run under


def _thread_cpu() -> dict[str, tuple[str, float]]:
    """{thread id: (name, CPU seconds)} of this process's threads (Linux; {} elsewhere)."""
    found = {}
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    for task in Path("/proc/self/task").glob("*"):
        try:
            stat = (task / "stat").read_text()
        except OSError:  # the thread ended meanwhile
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        found[task.name] = (stat[stat.index("(") + 1:stat.rindex(")")], (int(fields[11]) + int(fields[12])) / tick)
    return found


def cpu_breakdown(folder: Path, work: Path, name: str, embedder) -> dict:
    """CPU seconds of a whole build (every thread, OpenVINO's and Chroma's included) beside the
    model alone on the same inputs, and the thread CPU of each stage: on a shared machine CPU
    seconds hold still where wall times do not. Each stage is timed where the build calls it."""
    import collections
    import functools

    import run

    from index import build as build_module
    from index import lexical, store

    spent: collections.Counter[str] = collections.Counter()
    stages = [(build_module, "chunks_and_inputs", "splitting"), (build_module.duplicates, "signature", "signatures"),
              (store.Store, "put_articles", "Chroma writes"), (store.Store, "vectors_of_copies", "Chroma reads"),
              (store.Store, "regroup", "regroup"), (lexical.LexicalIndex, "replace_articles", "lexical"),
              (build_module, "load_folder", "loading")]
    originals = [(owner, attr, getattr(owner, attr)) for owner, attr, _ in stages]

    def timed(function, label):
        @functools.wraps(function)
        def call(*args, **kwargs):
            started = time.thread_time()
            try:
                return function(*args, **kwargs)
            finally:
                spent[label] += time.thread_time() - started
        return call

    inputs = run.source_inputs(Settings.load(env={}), embedder, folder)
    before = _process_cpu()
    embedder.embed(inputs)
    model = _process_cpu() - before
    for owner, attr, label in stages:
        setattr(owner, attr, timed(getattr(owner, attr), label))
    try:
        before, threads = _process_cpu(), _thread_cpu()
        build_ours(folder, work, f"cpu-{name.replace(' ', '-')}", embedder, None)
        build = _process_cpu() - before
        # Chroma's own threads (HNSW inserts, its SQLite): outside the Python calls timed above
        spent["Chroma threads"] = sum(cpu - threads.get(tid, (thread, 0.0))[1]
                                      for tid, (thread, cpu) in _thread_cpu().items() if thread in CHROMA_THREADS)
    finally:
        for owner, attr, function in originals:
            setattr(owner, attr, function)
    return {"corpus": name, "build_cpu_s": build, "model_alone_cpu_s": model, "stages_cpu_s": dict(spent)}


def stock_cpu(folder: Path, work: Path, name: str, embeddings) -> float:
    """CPU seconds of the stock pipeline's whole build (every thread) on embedded Chroma."""
    before = _process_cpu()
    build_stock(folder, work, f"cpu-{name.replace(' ', '-')}", embeddings, None)
    return _process_cpu() - before


# ---------------------------------------------------------------- the report

def targets(result: dict) -> list[tuple[str, str, bool]]:
    """Issue 22's targets: the build at least 2x the stock pipeline's on long and short articles,
    embedded and on a server, with under 5 ms per article besides the model."""
    def at_least_2x(kind: str, x: dict) -> tuple[str, str, bool]:
        # met only if every pair of the row is (a row of several pairs shows its lowest)
        ratios = x.get("ratios") or [x["ratio"]]
        return (f"build at least 2x stock{kind}: {x['corpus']}, {x['mode']} Chroma",
                f"{min(ratios):.2f}x" + (" (lowest pair)" if len(ratios) > 1 else ""), min(ratios) >= 2)

    rows = [at_least_2x("", x) for x in result["rows"]]
    rows += [at_least_2x(", cold processes", x) for x in result.get("cold") or []]
    rows += [(f"overhead per article under 5 ms (build - model in build; {x['corpus']}, {x['mode']})",
              f"{x['overhead_ms_per_article']:.1f} ms", x["overhead_ms_per_article"] < 5) for x in result["rows"]
             if x["corpus"] != "squad-dev"]  # 24 long articles: a per-article figure says little
    return rows


def _pairs(row: dict) -> str:
    """Every pair's ratio, for a row of several."""
    return "" if len(row["ratios"]) < 2 else f" (pairs: {', '.join(f'{x:.2f}' for x in row['ratios'])})"


def markdown(result: dict, profiles: list[dict] | None = None) -> list[str]:
    rows = result["rows"]
    lines = [
        BEGIN,
        "## Build throughput: long and short articles, embedded Chroma and a server",
        "",
        "`python bench/throughput.py` (also part of `make bench`). Each row: the stock pipeline, then this",
        "project, on the same folder and the same Chroma, one right after the other with both models loaded;",
        f"load average during the run {result['load'][0]:.1f} on {result['cores']} cores (shared machine:",
        "compare the ratios, not the seconds). *Short articles*: the squad-dev paragraphs as separate",
        "articles; *wire items*: the same prose cut into items of 1-3 sentences with headline-length",
        "titles, in one JSONL file (`bench/short.py`). *Model in build*: the wall time the build spent in the model;",
        "overhead per article = (build - model in build) / articles: what the rest of the build adds to",
        "the model's time, after overlapping it.",
        "",
        "| target (issue 22) | this run | met |",
        "|---|---|---|",
        *[f"| {t} | {v} | {'yes' if ok else '**no**'} |" for t, v, ok in targets(result)],
        "",
        "| corpus | Chroma | articles | ours s | stock s | **build vs stock** | model in build s | "
        "ceiling (stock / model in build) | overhead ms/article |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(f"| {r['corpus']} | {r['mode']} | {r['articles']} | {r['ours_s']:.1f} | {r['stock_s']:.1f} | "
                     f"**{r['ratio']:.2f}x**{_pairs(r)} | {r['model_in_build_s']:.1f} | "
                     f"{r['stock_s'] / r['model_in_build_s']:.2f}x | {r['overhead_ms_per_article']:.1f} |")
    if result.get("cold"):
        lines += [
            "",
            "The same builds as a user runs them (`--cold`; issue 22's own measurement): each system in a",
            "process of its own, started cold, imports and model load included, in a user's environment",
            "(without this bench's `TOKENIZERS_PARALLELISM=false`): `python bench/stock.py FOLDER QUESTION`",
            "(which also answers one question), then `assistant index FOLDER` into a fresh data dir, one",
            "right after the other:",
            "",
            "| corpus | Chroma | ours s | stock s | **build vs stock** |",
            "|---|---|---|---|---|",
        ]
        for r in result["cold"]:
            lines.append(f"| {r['corpus']} | {r['mode']} | {r['ours_s']:.1f} | {r['stock_s']:.1f} | "
                         f"**{r['ratio']:.2f}x**{_pairs(r)} |")
    alone = [r for r in rows if r["mode"] == "embedded" and "stock_model_s" in r]
    if alone:
        lines += ["", "| corpus | our model alone s | stock model alone s | ceiling (stock build / our model alone) |",
                  "|---|---|---|---|"]
        lines += [f"| {r['corpus']} | {r['ours_model_s']:.1f} | {r['stock_model_s']:.1f} | "
                  f"{r['stock_s'] / r['ours_model_s']:.2f}x |" for r in alone]
    if profiles:
        lines += [
            "",
            "Where a whole build's time goes (embedded Chroma, empty index and cache, cProfile on every thread;",
            "seconds summed over threads, so the stages that overlap the model add up to more than the wall",
            "time; a thread's seconds include its waits for the GIL while the others run, and cProfile slows",
            "Python code, so the wall time is longer than the table's; the CPU seconds of each stage are in",
            "the table after this one):",
            "",
            "| corpus | wall s | " + " | ".join(BUCKETS) + " | other (main thread) |",
            "|---|---|" + "---|" * (len(BUCKETS) + 1),
        ]
        for p in profiles:
            lines.append(f"| {p['corpus']} ({p['articles']} articles) | {p['wall_s']:.1f} | "
                         + " | ".join(f"{p['parts'][b]:.1f}" for b in BUCKETS) + f" | {p['other_s']:.1f} |")
    if result.get("cpu"):
        lines += [
            "",
            "CPU seconds of a whole build (every thread: OpenVINO's and Chroma's included) beside our model",
            "alone on the same inputs, and the thread CPU of each stage where the build calls it",
            "(`--cpu-only`; CPU seconds hold still on a shared machine where wall times do not):",
            "",
            "| corpus | build CPU s | stock build CPU s | model alone CPU s | splitting | signatures | "
            "Chroma writes | Chroma reads | Chroma threads | lexical | regroup | loading | rest |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for c in result["cpu"]:
            st = c["stages_cpu_s"]
            rest = c["build_cpu_s"] - c["model_alone_cpu_s"] - sum(st.values())
            stock_ = (result.get("stock_cpu") or {}).get(c["corpus"])
            stock_text = f"{stock_:.1f} ({stock_ / c['build_cpu_s']:.2f}x ours)" if stock_ else "-"
            lines.append(f"| {c['corpus']} | {c['build_cpu_s']:.1f} | {stock_text} | {c['model_alone_cpu_s']:.1f} | "
                         + " | ".join(f"{st.get(k, 0):.2f}" for k in ("splitting", "signatures", "Chroma writes",
                                                                      "Chroma reads", "Chroma threads", "lexical",
                                                                      "regroup", "loading"))
                         + f" | {rest:.1f} |")
    lines.append(END)
    return lines


def write_section(path: Path, lines: list[str]) -> None:
    """Replace this bench's section of BENCHMARKS.md (or add it after the targets)."""
    text = path.read_text() if path.exists() else ""
    block = "\n".join(lines)
    if BEGIN in text and END in text:
        text = text[:text.index(BEGIN)] + block + text[text.index(END) + len(END):]
    elif "## 1. Full index build" in text:
        at = text.index("## 1. Full index build")
        text = text[:at] + block + "\n\n" + text[at:]
    else:
        text += "\n" + block + "\n"
    path.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(REPO / "BENCHMARKS.md"))
    parser.add_argument("--backend", default="openvino")
    parser.add_argument("--repeats", type=int, default=1, help="pairs per row (the ratio is their median)")
    parser.add_argument("--server", default="squad-dev,short articles,wire items",
                        help="corpora also built against a `chroma run` server ('' for none)")
    parser.add_argument("--corpora", help="only these corpora (comma-separated; default: all three)")
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument("--no-models-alone", action="store_true",
                        help="skip timing each model alone (our model's time is then its share of the build)")
    parser.add_argument("--profile-only", action="store_true", help="only profile our builds (to profiles.json)")
    parser.add_argument("--cpu-only", action="store_true", help="only the CPU seconds of our builds (to cpu.json)")
    parser.add_argument("--stock-cpu-only", action="store_true", help="only the stock builds' CPU (stock-cpu.json)")
    parser.add_argument("--stock-cpu", help="stock-cpu.json of a --stock-cpu-only run")
    parser.add_argument("--cpu", help="cpu.json of a --cpu-only run to report beside this run's rows")
    parser.add_argument("--render", help="only write the section from this result.json (with --profiles, --cpu)")
    parser.add_argument("--profiles", help="profiles.json of a --profile-only run to report beside this run's rows")
    parser.add_argument("--work", help="keep the indexes here (default: a temporary folder)")
    parser.add_argument("--cold", action="store_true",
                        help="also build each corpus with both systems in cold processes, model load included")
    parser.add_argument("--cold-only", action="store_true", help="only the cold-process rows (to cold.json)")
    parser.add_argument("--cold-rows", help="cold.json of a --cold-only run to report beside this run's rows")
    args = parser.parse_args()
    import run
    import stock

    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="bench-throughput-"))
    work.mkdir(parents=True, exist_ok=True)
    if args.render:
        result = json.loads(Path(args.render).read_text())
        for key, path in (("profiles", args.profiles), ("cpu", args.cpu), ("stock_cpu", args.stock_cpu),
                          ("cold", args.cold_rows)):
            if path and Path(path).exists():
                result[key] = json.loads(Path(path).read_text())
        write_section(Path(args.out), markdown(result, result.get("profiles")))
        return
    cold_options = {"repeats": args.repeats, "server": tuple(c for c in args.server.split(",") if c),
                    "only": tuple(args.corpora.split(",")) if args.corpora else None, "backend": args.backend}
    if args.cold_only:
        (work / "cold.json").write_text(json.dumps(measure_cold(work, **cold_options), indent=2))
        return
    embedder = run.warm_embedder(Settings.load(env={}, embedding_backend=args.backend))
    if args.profile_only:
        (work / "profiles.json").write_text(json.dumps(profiles(work, embedder), indent=2))
        return
    if args.cpu_only:
        (work / "cpu.json").write_text(json.dumps([cpu_breakdown(folder, work, corpus, embedder)
                                                   for corpus, folder in corpora(work).items()], indent=2))
        return
    stock_embeddings = stock.embeddings()
    stock_embeddings.embed_query("warm up the model")
    if args.stock_cpu_only:
        (work / "stock-cpu.json").write_text(json.dumps({corpus: stock_cpu(folder, work, corpus, stock_embeddings)
                                                         for corpus, folder in corpora(work).items()}, indent=2))
        return
    result = measure(work, embedder, stock_embeddings, server=tuple(c for c in args.server.split(",") if c),
                     repeats=args.repeats, models=not args.no_models_alone,
                     only=tuple(args.corpora.split(",")) if args.corpora else None)
    if args.profiles:  # a run in another process, if it has finished
        found = Path(args.profiles)
        result["profiles"] = json.loads(found.read_text()) if found.exists() else None
    elif not args.no_profile:
        result["profiles"] = profiles(work, embedder)
    if args.cold:
        result["cold"] = measure_cold(work, **cold_options)
    result["command"] = " ".join(["python", "bench/throughput.py", *sys.argv[1:]])
    (work / "result.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))
    write_section(Path(args.out), markdown(result, result.get("profiles")))
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
