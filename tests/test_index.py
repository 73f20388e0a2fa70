"""`build_index` keeps Chroma and the lexical cache in step with a folder, re-embedding only what changed."""

import json
import os
import subprocess
import sys
import threading
import time

import pytest

from assistant import HybridSearch
from index import IndexBusy, build_index, index_status
from index.build import embedding_input
from index.lock import DataDirLock
from index.store import Store, chunk_metadata, open_lexical, record_owner

pytestmark = pytest.mark.slow


def chunk_counts(settings):
    """Committed chunks per article, straight from Chroma."""
    store = Store.open(settings)
    committed = store.committed()
    counts = {}
    records = store.chunks.get(include=["metadatas"])
    for meta in records["metadatas"]:
        assert committed.get(meta["article_id"]) == meta["version"], "a chunk of no committed version"
        counts[meta["article_id"]] = counts.get(meta["article_id"], 0) + 1
    return counts


def test_sample_articles_index_and_answer(sample_folder, settings):
    report = build_index(sample_folder, settings=settings)
    assert (report.added, report.updated, report.removed, report.unchanged) == (2, 0, 0, 0)
    assert report.chunks_embedded > 5 and report.sentences_embedded > 20 and not report.skipped
    status = index_status(settings)
    assert status.articles == 2 and status.chunks == report.chunks_embedded and status.last_build
    hits = HybridSearch(settings).search("Who did Trump send to meet Putin in Moscow?", k=3)
    assert any("Witkoff" in hit.text for hit in hits)
    store = Store.open(settings)
    texts = store.article_texts(store.articles.get(include=[])["ids"])
    for hit in hits:
        assert texts[hit.article_id][hit.start:hit.end] == hit.text


def test_second_run_touches_nothing(sample_folder, settings):
    build_index(sample_folder, settings=settings)
    report = build_index(sample_folder, settings=settings)
    assert (report.added, report.updated, report.removed, report.unchanged) == (0, 0, 0, 2)
    assert report.chunks_embedded == 0 and report.sentences_embedded == 0


def test_changed_article_is_reembedded_alone_and_only_its_new_sentences(sample_folder, settings):
    build_index(sample_folder, settings=settings)
    before = chunk_counts(settings)
    path = sample_folder / "001_df81dadaca52e98b.txt"
    path.write_text(path.read_text() + "\nThe talks will resume in Riyadh on Tuesday, a spokesman said.")
    report = build_index(sample_folder, settings=settings)
    assert (report.added, report.updated, report.unchanged) == (0, 1, 1)
    assert report.sentences_embedded == 1  # every other sentence came from the cache
    after = chunk_counts(settings)
    assert after["000_53139e8ccc0aea71.txt"] == before["000_53139e8ccc0aea71.txt"]
    hits = HybridSearch(settings).search("Where will the talks resume?", k=2)
    assert "Riyadh" in hits[0].text


def test_deleted_article_leaves_every_store(sample_folder, settings):
    build_index(sample_folder, settings=settings)
    (sample_folder / "000_53139e8ccc0aea71.txt").unlink()
    report = build_index(sample_folder, settings=settings)
    assert (report.removed, report.unchanged) == (1, 1)
    store = Store.open(settings)
    assert store.articles.get(ids=["000_53139e8ccc0aea71.txt"])["ids"] == []
    for collection in (store.chunks, store.sentences):
        assert collection.get(where={"article_id": "000_53139e8ccc0aea71.txt"})["ids"] == []
    assert set(open_lexical(settings).hashes()) == {"001_df81dadaca52e98b.txt"}


def test_exact_duplicates_are_embedded_once(sample_folder, settings):
    text = (sample_folder / "000_53139e8ccc0aea71.txt").read_text()
    (sample_folder / "copy.json").write_text(json.dumps({"title": "Syndicated copy", "source": "Other Wire",
                                                         "text": text}))
    report = build_index(sample_folder, settings=settings)
    unique = build_index(sample_folder, settings=settings.with_(data_dir=settings.data_dir / "x", collection="y"),
                         full=True)
    assert report.added == 3
    counts = chunk_counts(settings)
    assert counts["copy.json"] == counts["000_53139e8ccc0aea71.txt"]
    # the copy cost no model work: same count as the two distinct texts alone
    (sample_folder / "copy.json").unlink()
    alone = build_index(sample_folder, settings=settings.with_(data_dir=settings.data_dir / "z"))
    assert report.sentences_embedded == alone.sentences_embedded == unique.sentences_embedded
    # and a later copy of an indexed text reuses the stored vectors
    (sample_folder / "later.json").write_text(json.dumps({"title": "Later copy", "text": text}))
    later = build_index(sample_folder, settings=settings)
    assert later.added == 1 and later.sentences_embedded == 0


def test_bad_files_are_skipped_with_reasons_and_the_rest_indexed(sample_folder, settings):
    (sample_folder / "broken.json").write_text("{not json")
    (sample_folder / "empty.txt").write_text("")
    report = build_index(sample_folder, settings=settings)
    assert report.added == 2
    assert {(s.name, s.reason.split(" (")[0]) for s in report.skipped} == {
        ("broken.json", "invalid JSON"), ("empty.txt", "empty file")}


def test_full_rebuild_gives_the_same_index(sample_folder, settings):
    build_index(sample_folder, settings=settings)
    before = chunk_counts(settings)
    status = index_status(settings)
    report = build_index(sample_folder, settings=settings, full=True)
    # rewritten in place (the old index answers meanwhile), nothing left over
    assert report.updated == 2 and report.unchanged == 0 and chunk_counts(settings) == before
    after = index_status(settings)
    assert (after.articles, after.chunks, after.sentences) == (status.articles, status.chunks, status.sentences)
    assert Store.open(settings).sentences.count() == after.sentences


def test_a_full_rebuild_sweeps_records_of_no_committed_version(sample_folder, settings):
    """Whatever left them (a crash, or one of layout 5 between its sentence and chunk writes):
    a chunk and sentence of a version nobody committed, and a sentence of one whose chunk
    was never written, are removed by --full."""
    build_index(sample_folder, settings=settings)
    store = Store.open(settings)
    before = (store.chunks.count(), store.sentences.count())
    article_id = sorted(store.committed())[0]
    vector = [[0.1] * 384]
    store.chunks.add(ids=[f"{article_id}|stale|c0"], embeddings=vector,
                     metadatas=[{"article_id": article_id, "version": "stale", "sentences": "[[0, 5]]"}])
    store.sentences.add(ids=[f"{article_id}|stale|c0|s0", f"{article_id}|unwritten|c0|s0"], embeddings=vector * 2,
                        metadatas=[{"source": ""}] * 2)
    build_index(sample_folder, settings=settings, full=True)
    assert (store.chunks.count(), store.sentences.count()) == before
    assert store.sentences.get(ids=[f"{article_id}|stale|c0|s0"])["ids"] == []


def test_changing_how_articles_are_chunked_reindexes_everything(sample_folder, settings):
    build_index(sample_folder, settings=settings)
    report = build_index(sample_folder, settings=settings.with_(chunk_max_words=80))
    assert report.updated == 2 and report.unchanged == 0
    assert max(chunk_counts(settings).values()) > 0
    assert Store.open(settings).sentences.count() == index_status(settings).sentences


def test_a_sentence_that_repeats_its_headline_is_embedded_without_it():
    headline = "Ukraine and Russia agree to a 30-day ceasefire in the Black Sea"
    lede = "Russia and Ukraine agreed on Tuesday to a 30-day ceasefire in the Black Sea, the White House said."
    later = "Shipping insurers welcomed the news."
    assert embedding_input(headline, lede) == lede  # the title would say nothing new
    assert embedding_input(headline, later) == f"{headline}: {later}"  # the title carries the topic
    assert embedding_input("", later) == later


def test_a_new_title_re_embeds_its_article_exactly_as_a_fresh_build(sample_folder, settings):
    record = {"title": "Talks in Istanbul", "source": "Wire", "text": (sample_folder / "000_53139e8ccc0aea71.txt").read_text()}
    (sample_folder / "000_53139e8ccc0aea71.txt").unlink()
    (sample_folder / "story.json").write_text(json.dumps(record))
    build_index(sample_folder, settings=settings)
    (sample_folder / "story.json").write_text(json.dumps({**record, "title": "Kursk and the peace talks"}))
    report = build_index(sample_folder, settings=settings)
    assert report.updated == 1 and report.sentences_embedded == index_status(settings).sentences - (
        Store.open(settings).article_states()["001_df81dadaca52e98b.txt"].sentences)
    fresh = settings.with_(data_dir=settings.data_dir / "fresh")
    build_index(sample_folder, settings=fresh)

    def vectors(s):
        store = Store.open(s)
        spans = store.sentence_spans({"article_id": "story.json"})
        rows = store.sentences.get(ids=list(spans), include=["embeddings"])
        assert len(rows["ids"]) == len(spans) > 0
        return sorted((spans[i], tuple(round(float(x), 5) for x in vec)) for i, vec in zip(rows["ids"], rows["embeddings"]))

    assert vectors(settings) == vectors(fresh)


def test_a_kill_between_commit_and_cleanup_leaves_no_orphans(sample_folder, settings, monkeypatch):
    build_index(sample_folder, settings=settings)
    path = sample_folder / "000_53139e8ccc0aea71.txt"
    path.write_text(path.read_text() + "\n\nA late paragraph was added to the story.\n")

    def die(self, keep):
        raise SystemExit("killed after the commit, before the old versions were deleted")

    with monkeypatch.context() as patch:
        patch.setattr(Store, "_delete_old_versions", die)
        with pytest.raises(SystemExit):
            build_index(sample_folder, settings=settings)
    store = Store.open(settings)
    assert store.article_states()["000_53139e8ccc0aea71.txt"].pending == "cleanup"
    build_index(sample_folder, settings=settings)
    fresh = settings.with_(data_dir=settings.data_dir / "fresh")
    build_index(sample_folder, settings=fresh)
    assert chunk_counts(settings) == chunk_counts(fresh)
    assert store.sentences.count() == Store.open(fresh).sentences.count()


def test_a_running_search_sees_what_a_later_build_commits(sample_folder, settings, monkeypatch):
    import assistant.retrieval

    monkeypatch.setattr(assistant.retrieval, "RECHECK_SECONDS", 0.0)
    build_index(sample_folder, settings=settings)
    search = HybridSearch(settings)
    question = "Which harbour did the penguins of Lisbonne leave?"
    assert all(h.article_id != "penguins.txt" for h in search.search(question, k=3))
    (sample_folder / "penguins.txt").write_text(
        "Penguins leave Lisbonne harbour.\n\nThe penguins of Lisbonne left the old harbour on Tuesday, keepers said.\n")
    (sample_folder / "001_df81dadaca52e98b.txt").unlink()
    build_index(sample_folder, settings=settings)
    hits = search.search(question, k=3)
    assert hits[0].article_id == "penguins.txt"
    assert all(h.article_id != "001_df81dadaca52e98b.txt" for h in search.search("Kursk troops surrounded", k=10))


def test_a_file_name_that_is_not_utf8_is_skipped_by_name(sample_folder, settings):
    name = os.fsdecode(b"caf\xe9.txt")
    (sample_folder / name).write_text("A caf\u00e9 opened in the old town square on Monday morning.\n")
    report = build_index(sample_folder, settings=settings)
    assert report.added == 2
    assert [(s.name, s.reason) for s in report.skipped] == [("caf\\xe9.txt", "file name is not valid UTF-8; rename the file")]


LEXICAL_QUESTIONS = ["Which region ordered villages to be evacuated?", "Who did Trump send to meet Putin in Moscow?",
                     "What did Keir Starmer warn against?", "How many Russian combatants have been reported killed?",
                     "Who is the US National Security Adviser mentioned?"]


@pytest.mark.reliability
def test_damaged_lexical_cache_is_rebuilt_from_chroma(sample_folder, settings):
    from assistant.answering import Assistant

    from . import figures

    build_index(sample_folder, settings=settings)

    def start_and_ask():  # a fresh start: nothing else holds the file
        helper = Assistant(settings)
        try:
            seen = []
            for question in LEXICAL_QUESTIONS:
                hits = [h.chunk_id for h in helper.search.search(question, k=5)]
                result = helper.answer(question)
                seen.append((hits, result.text, [(c.article_id, c.start, c.end, c.highlights) for c in result.citations]))
            return seen, helper.search.lexical.damaged, helper.search.lexical.count()
        finally:
            helper.search.lexical.close()

    expected, damaged, rows = start_and_ask()
    assert not damaged and rows > 0
    assert all("[1]" in text for _, text, _ in expected)
    lexical = open_lexical(settings)
    lexical.close()
    lexical_path = lexical.path
    damages = {"emptied": lambda: b"", "random bytes": lambda: os.urandom(4096),
               "truncated": lambda: lexical_path.read_bytes()[:2048]}
    differing = missing = 0
    for name, damage in damages.items():
        lexical_path.write_bytes(damage())
        for suffix in ("-wal", "-shm"):
            lexical_path.with_name(lexical_path.name + suffix).unlink(missing_ok=True)
        seen, damaged, count = start_and_ask()
        differing += sum(a != b for a, b in zip(seen, expected))
        missing += max(0, rows - count)
        assert (seen, count) == (expected, rows), name
        assert damaged or name == "emptied", name  # an empty file is a new database to SQLite
    lexical_path.unlink()
    seen, damaged, count = start_and_ask()
    differing += sum(a != b for a, b in zip(seen, expected))
    missing += max(0, rows - count)
    assert (seen, damaged, count) == (expected, False, rows)
    figures.record(area="faults", check="lexical cache deleted, emptied, truncated, random bytes",
                   tried=len(damages) + 1, failed=differing, lost=missing,
                   detail=f"each rebuilt from Chroma at the next start ({rows} chunks); "
                          f"{len(LEXICAL_QUESTIONS)} questions: same passages, answers and citations as before")


def test_a_second_run_waits_for_the_lock_then_says_who_holds_it(sample_folder, settings):
    with DataDirLock(settings.data_dir):
        with pytest.raises(IndexBusy, match=f"pid {os.getpid()}"):
            build_index(sample_folder, settings=settings.with_(lock_timeout=0.5))
    # a run that waits gets through once the holder is done
    taken = threading.Event()

    def hold_for_a_second():
        with DataDirLock(settings.data_dir):
            taken.set()
            time.sleep(1.0)

    threading.Thread(target=hold_for_a_second).start()
    taken.wait(10)
    started = time.monotonic()
    report = build_index(sample_folder, settings=settings.with_(lock_timeout=30))
    assert report.added == 2 and time.monotonic() - started >= 0.9


def run_cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "assistant.cli", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=300)


def test_cli_index_and_status_print_json_summaries(sample_folder, settings):
    (sample_folder / "bad.jsonl").write_text("nope\n")
    result = run_cli("index", str(sample_folder), "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert {"added", "updated", "removed", "unchanged", "skipped", "chunks_embedded", "seconds"} <= set(summary)
    assert summary["added"] == 2 and summary["skipped"][0]["name"] == "bad.jsonl:1"
    # not a terminal: progress is a line every few seconds and one at the end, not a line per article
    assert [line.split(" (")[0] for line in result.stderr.splitlines() if line.startswith("indexed ")] == [
        "indexed 2/2 articles"]
    status = json.loads(run_cli("status", "--json").stdout)
    assert status["articles"] == 2 and status["chunks"] == summary["chunks_embedded"]
    human = run_cli("index", str(sample_folder))
    assert "0 added, 0 updated, 0 removed, 2 unchanged, 1 skipped" in human.stdout
    assert "skipped bad.jsonl:1: invalid JSON on line 1" in human.stdout


def test_cli_reports_a_user_mistake_in_one_line(sample_folder):
    result = run_cli("index", str(sample_folder), "--shard", "3/2")
    assert result.returncode == 1 and result.stderr.strip() == "error: --shard 3/2: I must be between 1 and N"
    result = run_cli("status", env={"ASSISTANT_CHROMA_URL": "http://127.0.0.1:9"})
    assert result.returncode == 1 and "Cannot reach the Chroma server at http://127.0.0.1:9" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_index_of_layout_5_still_reads_until_its_next_build_rewrites_it(sample_folder, settings, tmp_path,
                                                                            monkeypatch):
    """Layout 5 kept each text twice, as documents (the article's and its chunks'), each chunk
    named its article's title and outlet, each sentence its article, version and offsets, and
    each article record held its description key by key (layout 6 too):
    readers of an index not yet rebuilt get the same texts, passages and keyword rows from
    it, and the next build (the layout changed) rewrites it without model work or orphans."""
    import index.build
    import index.store

    with monkeypatch.context() as patch:
        patch.setattr(index.store.NewVersion, "gaps", None)  # every text whole, as the document
        build_index(sample_folder, settings=settings)
    store = Store.open(settings)
    question = "Who did Trump send to meet Putin in Moscow?"
    before = [(h.chunk_id, h.title, h.source, h.text) for h in HybridSearch(settings).search(question, k=3)]
    texts = store.article_texts(sorted(store.committed()))
    assert all(store.articles.get(include=["documents"])["documents"])
    rows = sorted(store.lexical_rows(list(store.committed().values())), key=repr)
    spans = store.sentence_spans({"version": {"$in": list(store.committed().values())}})
    chunks = store.chunks.get(include=["metadatas", "embeddings"])  # Chroma wants the vector with a document
    passages = [chunk_metadata(None, m) for m in chunks["metadatas"]]
    store.chunks.update(ids=chunks["ids"], embeddings=chunks["embeddings"], documents=[p["text"] for p in passages],
                        metadatas=[{"passage": None, "start": p["start"], "end": p["end"],
                                    "sentences": json.dumps(p["sentences"]), "title": "as the chunk said",
                                    "source": "Wire"} for p in passages])
    owners = {sentence_id: record_owner(sentence_id) for sentence_id in spans}
    store.sentences.update(ids=list(spans), metadatas=[{"article_id": owners[i][0], "version": owners[i][1],
                                                        "start": spans[i][0], "end": spans[i][1]} for i in spans])
    records = store.articles.get(include=["metadatas"])  # and every description key its own key
    store.articles.update(ids=records["ids"], metadatas=[{**json.loads(m["about"]), "about": None}
                                                         for m in records["metadatas"]])
    store = Store.open(settings)
    assert not {"text", "passage"} & set(store.chunks.get(include=["metadatas"])["metadatas"][0])
    assert "about" not in store.articles.get(include=["metadatas"])["metadatas"][0]
    assert store.article_texts(sorted(texts)) == texts
    assert sorted(store.lexical_rows(list(store.committed().values())), key=repr) == rows
    assert [(h.chunk_id, h.title, h.source, h.text) for h in HybridSearch(settings).search(question, k=3)] == before

    monkeypatch.setattr(index.build, "LAYOUT", index.build.LAYOUT + "-next")
    again = build_index(sample_folder, settings=settings)
    assert again.updated == len(texts) and again.sentences_embedded == 0
    store = Store.open(settings)
    assert not any(store.articles.get(include=["documents"])["documents"])  # each text stored once now
    assert not any(store.chunks.get(include=["documents"])["documents"])
    assert all(set(m) <= {"version", "pending", "text_hash", "about", "dup_group"}
               for m in store.articles.get(include=["metadatas"])["metadatas"])
    assert all(set(m) <= {"article_id", "version", "passage", "minhash"}
               for m in store.chunks.get(include=["metadatas"])["metadatas"])
    assert store.article_texts(sorted(texts)) == texts
    fresh = settings.with_(data_dir=tmp_path / "fresh")
    build_index(sample_folder, settings=fresh)
    assert store.chunks.count() == Store.open(fresh).chunks.count()  # the old versions' records are gone
    assert store.sentences.count() == Store.open(fresh).sentences.count()


def test_batches_start_small_end_small_and_hold_every_article_once(tmp_path, settings):
    """The model starts on a small first batch, the middle ones are as large as allowed, and
    the last ones shrink (a batch is written while the next is embedded, so the last write is
    time the model does not share); every article goes in once, in folder order."""
    from index import load_folder
    from index.build import FIRST_BATCH_SENTENCES, LAST_BATCH_ARTICLES, _batches

    from .helpers import shared_embedder

    lines = [json.dumps({"title": f"Item {n}", "text": f"Ships crossed the strait on day {n}. Prices held."})
             for n in range(600)]
    (tmp_path / "wire.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    articles = load_folder(tmp_path).articles
    limited = settings.with_(write_batch_articles=64)
    batches = list(_batches(articles, {a.id: "v" for a in articles}, shared_embedder(), limited))
    sizes = [len(batch) for batch in batches]
    assert [w.article.id for batch in batches for w in batch] == [a.id for a in articles]
    assert sum(len(w.inputs) for w in batches[0]) == FIRST_BATCH_SENTENCES and sizes[0] < max(sizes) == 64
    for number in range(1, len(sizes)):  # none takes more than half of what is left, nor less than needed
        left = len(articles) - sum(sizes[:number])
        assert sizes[number] <= max(LAST_BATCH_ARTICLES, left // 2)
    assert sizes[-1] <= LAST_BATCH_ARTICLES and sizes.count(64) >= 3
