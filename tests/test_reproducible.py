"""Same articles, same settings, same answers: whatever order the articles were indexed in,
however many times, embedded or on a Chroma server. And an index built under other HNSW
settings takes the new ones at the next build without embedding anything again."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import numpy as np
import pytest

from assistant import Assistant
from assistant.dense import ExactIndex
from assistant.evaluation import load_questions
from assistant.retrieval import Filters, HybridSearch
from index import Settings, build_index, hnsw, index_status
from index.embedding import Embedder
from index.errors import ConfigError
from index.store import UNSEARCHED, Store, record_owner

from .helpers import SAMPLE, SHARED_EVAL, write_squad

SQUAD_QUESTIONS = SHARED_EVAL / "squad-dev" / "questions.jsonl"
SEED_QUESTIONS = SHARED_EVAL / "seed_questions.jsonl"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """The sample news articles and eight SQuAD articles (cut to ~6,000 characters)."""
    folder = tmp_path_factory.mktemp("corpus")
    write_squad(folder, limit=8, max_chars=6000)
    for path in SAMPLE.iterdir():
        if path.is_file():
            shutil.copy2(path, folder / path.name)
    return folder


@pytest.fixture(scope="module")
def questions(corpus) -> list[str]:
    """Questions about these articles, questions they do not answer, and the sample's own set."""
    if not SQUAD_QUESTIONS.is_file():
        pytest.skip("../shared/eval/squad-dev is not beside the repo")
    names = {p.name for p in corpus.iterdir()}
    squad = load_questions(SQUAD_QUESTIONS)
    about = [q["question"] for q in squad if set(q.get("evidence") or []) & names][:50]
    elsewhere = [q["question"] for q in squad if q.get("evidence") and not set(q["evidence"]) & names][:15]
    seed = [q["question"] for q in load_questions(SEED_QUESTIONS)] if SEED_QUESTIONS.is_file() else []
    return about + elsewhere + seed


def answers(settings: Settings, questions: list[str]) -> list[dict]:
    """Every answer as what a reader sees: text, abstention, and each citation's place."""
    assistant = Assistant(settings)
    out = []
    for question in questions:
        a = assistant.answer(question)
        out.append({"question": question, "text": a.text, "abstained": a.abstained,
                    "citations": [(c.number, c.article_id, c.start, c.end, tuple(c.highlights)) for c in a.citations]})
    return out


def incremental_build(corpus: Path, settings: Settings, work: Path) -> None:
    """The corpus indexed another way: the second half first (reverse name order), one
    article edited and then restored, one removed and then brought back."""
    names = sorted(p.name for p in corpus.iterdir())
    folder = work / "articles"
    folder.mkdir()
    for name in reversed(names[len(names) // 2:]):
        shutil.copy2(corpus / name, folder / name)
        build_index(folder, settings=settings)
    edited = folder / names[-1]
    edited.write_text(edited.read_text().replace("the", "a", 3))
    build_index(folder, settings=settings)
    (folder / names[-2]).unlink()
    for name in names[:len(names) // 2]:
        shutil.copy2(corpus / name, folder / name)
    build_index(folder, settings=settings)
    for name in names:
        shutil.copy2(corpus / name, folder / name)
    build_index(folder, settings=settings)


def assert_same(expected: list[dict], got: list[dict]) -> None:
    differing = [(e["question"], e["text"][:80], g["text"][:80]) for e, g in zip(expected, got) if e != g]
    assert not differing, f"{len(differing)} of {len(expected)} answers differ: {differing[:3]}"


@pytest.fixture(scope="module")
def first(corpus, questions, tmp_path_factory) -> list[dict]:
    settings = Settings.load(env={}, data_dir=tmp_path_factory.mktemp("first") / "data")
    build_index(corpus, settings=settings)
    result = answers(settings, questions)
    assert any(a["abstained"] for a in result) and sum(not a["abstained"] for a in result) > len(result) // 4
    return result


def test_two_full_builds_give_the_same_answers(corpus, questions, first, tmp_path):
    settings = Settings.load(env={}, data_dir=tmp_path / "again")  # nothing shared: every vector embedded again
    build_index(corpus, settings=settings)
    assert_same(first, answers(settings, questions))


def test_an_incremental_build_in_another_order_gives_the_same_answers(corpus, questions, first, tmp_path):
    settings = Settings.load(env={}, data_dir=tmp_path / "incremental")
    incremental_build(corpus, settings, tmp_path)
    assert_same(first, answers(settings, questions))


@pytest.mark.slow
@pytest.mark.server
def test_a_chroma_server_built_in_another_order_gives_the_same_answers(corpus, questions, first, tmp_path,
                                                                        chroma_server):
    settings = Settings.load(env={}, data_dir=tmp_path / "server", chroma_url=chroma_server,
                             collection=f"r{time.time_ns()}")
    incremental_build(corpus, settings, tmp_path)
    assert_same(first, answers(settings, questions))


def test_a_sentence_vector_depends_on_its_text_alone(settings):
    """Embedded alone, beside longer or shorter texts, in any batch: the same bits."""
    texts = ["Russia occupies about a fifth of Ukraine.", "Witkoff met Putin in Moscow on Thursday after a "
             "three-hour flight from Riyadh, where talks had stalled over the ceasefire terms.",
             "Talks.", "The ceasefire would cover energy infrastructure and shipping in the Black Sea for thirty days."]
    embedder = Embedder(backend=settings.embedding_backend, batch_size=2, cache_dir=settings.model_cache_dir)
    together = embedder.embed(texts * 5)
    for i, text in enumerate(texts):
        alone = Embedder(backend=settings.embedding_backend, batch_size=64,
                         cache_dir=settings.model_cache_dir).embed([text, *texts[:i]])[0]
        assert np.array_equal(alone, together[i])
        assert np.array_equal(together[i], together[i + len(texts)])
    # a build's many texts take the throughput path (a queue of requests, longest texts first);
    # real sentences under two titles, as a build embeds them: padding them otherwise
    # changes about a fifth of such vectors
    from index import load_folder

    prose = " ".join(a.text for a in load_folder(SAMPLE).articles).replace("\n", " ").split(". ")
    sentences = list(dict.fromkeys(s.strip() for s in prose if len(s.split()) > 3))
    many = [f"{title}: {sentence}" for title in ("Ukraine", "Talks in Riyadh and Moscow") for sentence in sentences]
    assert len(many) >= 60
    bulk = Embedder(backend=settings.embedding_backend, cache_dir=settings.model_cache_dir).embed(many)
    assert all(np.array_equal(vector, embedder.embed_query(text)) for text, vector in zip(many, bulk))


def test_exact_search_does_not_depend_on_row_order_and_breaks_ties_by_id():
    rng = np.random.default_rng(3)
    vectors = rng.standard_normal((300, 16)).astype(np.float32)
    vectors[7] = vectors[5]  # a syndicated copy: equal scores
    ids = [f"a{i % 30}|v|c{i // 30}|s0" for i in range(300)]
    articles = [i.split("|")[0] for i in ids]
    query = vectors[5]
    forward = ExactIndex(ids, vectors, articles).search(query, 20)
    order = rng.permutation(300)
    shuffled = ExactIndex([ids[i] for i in order], vectors[order], [articles[i] for i in order]).search(query, 20)
    assert forward == shuffled
    assert [i for i, _ in forward[:2]] == sorted([ids[5], ids[7]])
    truth = np.argsort(-(vectors @ query), kind="stable")[:20]
    assert {i for i, _ in forward} == {ids[i] for i in truth}
    only = ExactIndex(ids, vectors, articles).search(query, 20, allowed_articles={"a3"})
    assert {i.split("|")[0] for i, _ in only} == {"a3"} and len(only) == 10


def test_exact_search_filters_like_chroma(settings, tmp_path):
    folder = write_squad(tmp_path / "dated", limit=4, max_chars=3000)
    for number, path in enumerate(sorted(folder.iterdir())):  # two outlets, one undated article
        record = json.loads(path.read_text())
        record["source"] = ("Wire", "Herald")[number % 2]
        if number:
            record["published"] = f"2025-03-0{number}"
        path.write_text(json.dumps(record))
    # built for HNSW search, so the sentence records carry what Chroma's filter reads
    build_index(folder, settings=settings.with_(dense_search="hnsw"))
    search = HybridSearch(settings)
    assert search.dense.exact  # a small index is searched exactly under `auto`
    sources = sorted({m.source for m in search.catalog.values()})
    dates = sorted(m.published_ts for m in search.catalog.values() if m.published_ts is not None)
    for filters in (Filters(sources=(sources[0],)), Filters(since=dates[-1]), Filters(until=dates[0]),
                    Filters(sources=("Nobody",))):
        # what Chroma's own filter admits, on the records a filtered HNSW search reads
        chroma = {record_owner(i)[0] for i in search.store.sentences.get(where=filters.chroma_where(),
                                                                          include=[])["ids"]}
        assert chroma == {a for a, m in search.catalog.items() if filters.admits(m)}
        vector = search.embedder.embed_query("Who met Putin?")
        found = {i.rsplit("|", 3)[0] for i, _ in search.dense.search(vector, 80, allowed_articles=chroma)}
        assert found <= chroma


def test_an_index_built_under_other_hnsw_settings_takes_the_new_ones_without_embedding(sample_folder, settings):
    before = settings.with_(hnsw_ef_construction=100, hnsw_max_neighbors=16, hnsw_ef_search=100,
                            dense_search="hnsw")
    build_index(sample_folder, settings=before)
    question = "How much of Ukraine's territory does Russia occupy?"
    expected = Assistant(before).answer(question)
    count = Store.open(before).sentences.count()

    searched = settings.with_(hnsw_ef_construction=100, hnsw_max_neighbors=16, hnsw_ef_search=300,
                              dense_search="hnsw")
    assert index_status(searched).hnsw_pending == ("ef_search 100 -> 300",)
    assert index_status(searched).dense_search == "hnsw" and index_status(settings).dense_search == "exact"
    report = build_index(sample_folder, settings=searched)
    store = Store.open(searched)
    assert report.sentences_embedded == 0 and report.unchanged == report.added + report.unchanged
    assert hnsw.configuration(store.sentences)["ef_search"] == 300 and not hnsw.drift(store)

    rebuilt = settings.with_(hnsw_ef_construction=150, hnsw_max_neighbors=24, dense_search="hnsw")
    assert set(hnsw.drift(Store.open(rebuilt))) == {"ef_construction", "max_neighbors", "ef_search"}
    report = build_index(sample_folder, settings=rebuilt)
    store = Store.open(rebuilt)
    assert report.sentences_embedded == 0 and store.sentences.count() == count
    assert hnsw.configuration(store.sentences)["max_neighbors"] == 24 and not hnsw.drift(store)
    assert [c.name for c in store.client.list_collections() if "sentences" in c.name] == [f"{settings.collection}-sentences"]
    again = Assistant(rebuilt).answer(question)
    assert (again.text, again.citations) == (expected.text, expected.citations)


def test_the_graph_is_cheap_while_search_is_exact_and_rebuilt_for_searching_by_the_build_that_outgrows_it(
        sample_folder, settings, tmp_path):
    """No question reads a graph while search is exact, so Chroma builds the cheapest one;
    the build that takes the store past exact_search_max_sentences ends by rebuilding it
    under the searched values, and readers search exactly until it has."""
    first, second = sorted(p for p in sample_folder.iterdir() if p.is_file())
    folder = tmp_path / "growing"
    folder.mkdir()
    shutil.copy2(first, folder / first.name)
    build_index(folder, settings=settings)  # `auto`, far below the limit
    store = Store.open(settings)
    limit = store.sentences.count()
    for collection in (store.articles, store.chunks, store.sentences):  # none of the three is searched
        assert {key: hnsw.configuration(collection)[key] for key in hnsw.FIXED} == UNSEARCHED
    assert not hnsw.drift(store) and store.graph_is_cheap()
    # nothing filters the sentence records with Chroma's `where` yet: they carry no metadata
    assert not any(store.sentences.get(include=["metadatas"])["metadatas"])

    outgrown = settings.with_(exact_search_max_sentences=limit)
    shutil.copy2(second, folder / second.name)
    question = "How much of Ukraine's territory does Russia occupy?"
    # the store is past the limit before the build ends: a reader then still searches exactly
    grown = Store.open(outgrown)
    assert hnsw.search_is_exact(grown, limit + 1)
    # so does one switched to `hnsw` before a build gave the graph the searched values
    switched = settings.with_(dense_search="hnsw")
    assert hnsw.search_is_exact(Store.open(switched), limit)
    assert {f"ef_construction 4 -> {settings.hnsw_ef_construction}",
            f"max_neighbors 4 -> {settings.hnsw_max_neighbors}"} <= set(index_status(switched).hnsw_pending)

    # a sharded build never copies the collection (other machines may be writing it): the
    # graph stays the cheap one, searched exactly, until an unsharded build
    sharded = build_index(folder, settings=outgrown, shard="1/1")
    assert sharded.added == 1 and Store.open(outgrown).graph_is_cheap()
    assert HybridSearch(outgrown).dense.exact
    shutil.rmtree(folder)
    folder.mkdir()
    shutil.copy2(first, folder / first.name)
    build_index(folder, settings=settings)  # back below the limit: searched exactly, nothing rebuilt
    shutil.copy2(second, folder / second.name)

    report = build_index(folder, settings=outgrown)  # starts at the limit, ends past it
    store = Store.open(outgrown)
    assert report.added == 1 and store.sentences.count() > limit
    have = hnsw.configuration(store.sentences)
    assert (have["ef_construction"], have["max_neighbors"]) == (settings.hnsw_ef_construction,
                                                                 settings.hnsw_max_neighbors)
    assert not hnsw.drift(store) and not store.graph_is_cheap()
    search = HybridSearch(outgrown)
    assert not search.dense.exact and index_status(outgrown).dense_search == "hnsw"
    # the rebuilt records carry their article's outlet, and a filtered search reads it
    outlets = {a: m.source for a, m in search.catalog.items()}
    records = store.sentences.get(include=["metadatas"])
    assert all(m["source"] == outlets[record_owner(i)[0]] for i, m in zip(records["ids"], records["metadatas"]))
    vector = search.embedder.embed_query(question)
    found = search.dense.search(vector, 10, where=Filters(sources=(outlets[first.name],)).chroma_where())
    assert found and {record_owner(i)[0] for i, _ in found} <= {a for a, o in outlets.items() if o == outlets[first.name]}
    assert not search.dense.search(vector, 10, where=Filters(sources=("Nobody",)).chroma_where())
    assert "20%" in Assistant(outgrown).answer(question).text


def test_a_rebuild_killed_midway_is_undone_or_finished(sample_folder, settings):
    build_index(sample_folder, settings=settings)
    store = Store.open(settings)
    name = f"{settings.collection}-sentences"
    count = store.sentences.count()
    # killed while copying: the half-filled copy is dropped, the old collection answers
    store.client.create_collection(f"{name}-next", embedding_function=None).add(ids=["x"], embeddings=[[0.1] * 384])
    build_index(sample_folder, settings=settings)
    assert {c.name for c in store.client.list_collections()} == {f"{settings.collection}-{k}" for k in
                                                                   ("articles", "chunks", "sentences")}
    # killed between the renames: the complete copy takes the name
    store.sentences.modify(name=f"{name}-old")
    copy = store.client.create_collection(f"{name}-next", embedding_function=None)
    rows = store.client.get_collection(f"{name}-old").get(include=["embeddings", "metadatas"])
    copy.add(ids=rows["ids"], embeddings=rows["embeddings"], metadatas=rows["metadatas"])
    # a reader opening the index in that moment answers from the complete copy, and creates nothing
    question = "How much of Ukraine's territory does Russia occupy?"
    reader = Assistant(settings)
    assert "20%" in reader.answer(question).text
    assert name not in {c.name for c in store.client.list_collections()}
    assert build_index(sample_folder, settings=settings).sentences_embedded == 0
    assert "20%" in reader.answer(question).text  # and after the copy has taken the name
    store = Store.open(settings)
    assert store.sentences.count() == count
    assert not {f"{name}-next", f"{name}-old"} & {c.name for c in store.client.list_collections()}
    assert "20%" in Assistant(settings).answer(question).text


def test_dense_search_settings_are_checked():
    with pytest.raises(ConfigError, match="ASSISTANT_DENSE_SEARCH must be one of auto, exact, hnsw"):
        Settings.load(env={"ASSISTANT_DENSE_SEARCH": "fast"})
    with pytest.raises(ConfigError, match="ASSISTANT_HNSW_NUM_THREADS must be at least 1"):
        Settings.load(env={"ASSISTANT_HNSW_NUM_THREADS": "0"})


@pytest.mark.slow
def test_eval_reports_the_same_figures_run_after_run(sample_folder, settings, tmp_path):
    """`assistant eval` twice on one index, each in its own process: every figure but the timings."""
    import subprocess
    import sys

    from .helpers import REPO

    if not SEED_QUESTIONS.is_file():
        pytest.skip("../shared/eval/seed_questions.jsonl is not beside the repo")
    build_index(sample_folder, settings=settings)
    runs = []
    for _ in range(2):
        out = subprocess.run([sys.executable, "-m", "assistant.cli", "eval", str(SEED_QUESTIONS), "--json"], cwd=REPO,
                             capture_output=True, text=True, check=True)
        figures = json.loads(out.stdout)
        runs.append({key: value for key, value in figures.items() if "latency" not in key})
    assert runs[0] == runs[1] and runs[0]["questions"] > 10
