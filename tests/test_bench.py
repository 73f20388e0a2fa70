"""`make bench` runs end to end: a small run of bench/run.py writes every section of the
report with figures for both systems (no time is asserted: benchmarks print, tests check)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from .helpers import REPO, SQUAD

pytestmark = pytest.mark.slow
sys.path.insert(0, str(REPO / "bench"))


def test_synthetic_articles_are_distinct_and_replay_their_source_vectors(tmp_path):
    import scale

    from index.embedding import Embedder

    if not SQUAD.is_dir():
        pytest.skip("../shared/eval/squad-dev is not beside the repo")
    source = tmp_path / "source"
    source.mkdir()
    for path in sorted(SQUAD.glob("*.json"))[:2]:
        (source / path.name).write_bytes(path.read_bytes())
    assert scale.write_corpus(source, tmp_path / "corpus", factor=3) == 6
    texts = [json.loads(p.read_text())["text"] for p in (tmp_path / "corpus").glob("*.json")]
    assert len(set(texts)) == 6
    assert scale.unshift_numbers(scale.shift_numbers("In 1999, 12 boats", 7), 7) == "In 1999, 12 boats"

    real = Embedder(backend="openvino")
    sentence = "The river rises in the mountains and flows for 1230 kilometres."
    sources = scale.source_vectors([f"Rivers: {sentence}"], real.embed([f"Rivers: {sentence}"]))
    replay = scale.ReplayEmbedder(real, sources)
    vectors = replay._encode([f"Dispatch 4: {scale.shift_numbers(sentence, 4)}", "A sentence with no source."], 2)
    cosine = float(vectors[0] @ sources[sentence])
    assert 0.9 < cosine < 0.999 and replay.replayed == 1 and replay.missed == 1


def test_a_small_benchmark_run_writes_every_section(tmp_path):
    if not SQUAD.is_dir():
        pytest.skip("../shared/eval/squad-dev is not beside the repo")
    out = tmp_path / "BENCHMARKS.md"
    subprocess.run([sys.executable, "bench/run.py", "--articles", "2", "--questions", "20", "--backends", "openvino",
                    "--scales", "2", "--work", str(tmp_path / "work"), "--out", str(out)], cwd=REPO, check=True)
    report = out.read_text()
    for heading in ("## 1. Full index build", "## 2. Re-indexing", "## 3. Latency", "## 4. Quality", "## 5. Scale",
                    "## 6. Memory and 7. cold start", "## Dense search against exact search"):
        assert heading in report
    figures = json.loads(out.with_suffix(".json").read_text())
    assert 0.9 <= figures["dense"]["recall"] <= 1.0 and figures["scale"][0]["dense"]["sentences"] > 0
    build = figures["builds"]["openvino"]
    assert build["articles"] == 2 and build["stock_chunks"] > 0 and build["sentences"] > build["articles"]
    assert figures["reindex"]["changed_articles"] == 1 and figures["reindex"]["changed_sentences_embedded"] >= 1
    assert figures["rss"]["query"]["torch_loaded"] is False
    assert figures["scale"][0]["articles"] == 4 and figures["scale"][0]["stock"]["chunks"] > build["stock_chunks"]
    assert (tmp_path / "bench-latency.png").stat().st_size > 10_000
    for system in ("openvino", "stock"):
        assert 0 <= figures["quality"][system]["answer_recall"] <= 1
    seed = figures["seed"]  # the sample news articles, both systems, unanswerable questions included
    assert seed["articles"] == 2 and seed["ours"]["unanswerable"] >= 1 and seed["stock"]["chunks"] > 0
    assert seed["stock"]["abstention_accuracy"] == 0  # the stock chain always answers with its top chunk
    assert "The sample news articles" in report
    # build throughput: both systems on long articles, short ones and wire items, embedded and on a
    # `chroma run` server
    assert "## Build throughput" in report and "| short articles | server |" in report
    rows = figures["throughput"]["rows"]
    assert {(r["corpus"], r["mode"]) for r in rows} == {(c, m) for c in ("squad-dev", "short articles", "wire items")
                                                        for m in ("embedded", "server")}
    wire = next(r for r in rows if r["corpus"] == "wire items")
    assert wire["articles"] > next(r for r in rows if r["corpus"] == "short articles")["articles"]
    short = next(r for r in rows if r["corpus"] == "short articles")
    assert short["articles"] > build["articles"] and short["stock_chunks"] > 0 and short["ours_model_s"] > 0
    assert all(p["parts"]["model"] > 0 and p["parts"]["Chroma"] > 0 for p in figures["throughput"]["profiles"])
    # the same corpora as a user builds them: `assistant index` and bench/stock.py, each in a cold process
    cold = figures["throughput"]["cold"]
    assert {(r["corpus"], r["mode"]) for r in cold} == {(r["corpus"], r["mode"]) for r in rows}
    assert all(r["ours_s"] > 0 and r["stock_s"] > 0 for r in cold) and "cold processes" in report


def test_the_story_corpus_has_labelled_reports_that_are_not_copies(tmp_path):
    import story_corpus

    from index import duplicates

    if not SQUAD.is_dir():
        pytest.skip("../shared/eval/squad-dev is not beside the repo")
    labels = story_corpus.write(tmp_path, reports=3, paragraphs=2)
    assert labels == story_corpus.labels_of(tmp_path)
    files = sorted((tmp_path / "articles").glob("Warsaw-r*.json"))
    reports = [json.loads(p.read_text()) for p in files]
    assert len(reports) == 3 and {labels[p.name]["story"] for p in files} == {"Warsaw"}
    assert len({r["title"] for r in reports}) == 3 and len({r["source"] for r in reports}) == 3
    a, b = (duplicates.shingles(r["text"]) for r in reports[:2])
    assert not a & b  # reports of one story share a topic, not a text
    splits = {v["split"] for v in labels.values()}
    assert splits == {"dev", "heldout"} and labels["talks.jsonl#0"]["split"] == "heldout"


def test_story_scores_on_a_known_clustering():
    import stories

    truth = {"a": "x", "b": "x", "c": "x", "d": "y", "e": "y", "f": "z"}
    predicted = {"a": 1, "b": 1, "c": 2, "d": 3, "e": 3, "f": 3}
    found = stories.scores(predicted, truth)
    assert (found["purity"], found["completeness"]) == (round(5 / 6, 3), round(5 / 6, 3))
    assert found["found"] == "2/2" and found["missed"] == []


def test_the_graph_recall_is_measured_on_a_copy_and_the_built_index_keeps_its_graph(sample_folder, settings):
    """`make bench` measures the searched graph's recall, then memory and cold start on the index as built."""
    from recall import index_recall

    from index import build_index, hnsw
    from index.store import Store

    build_index(sample_folder, settings=settings)  # searched exactly: the cheap graph
    before = hnsw.configuration(Store.open(settings).sentences)
    figures = index_recall(settings, [{"question": "How much of Ukraine's territory does Russia occupy?"}], k=5)
    assert figures["hnsw"]["ef_construction"] == settings.hnsw_ef_construction != before["ef_construction"]
    assert 0.0 <= figures["recall"] <= 1.0 and figures["sentences"] > 5
    store = Store.open(settings)
    assert hnsw.configuration(store.sentences) == before and store.graph_is_cheap()
