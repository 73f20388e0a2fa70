"""SIGKILL an index run mid-way: the previous content still answers, and the next run
finishes the job with no duplicates or orphans (compared with a fresh build).

Articles are written in batches (group commit), so the runs here are killed inside a
batch at each named step of `Store.put_articles` (INDEX_CRASH_AT, index/checkpoints.py):
between the collections' writes, between the commit and the cleanup, and a few
milliseconds after a step, inside the next write."""

import json
import os
import shutil
import signal
import subprocess
import sys

import pytest
from chromadb.api.shared_system_client import SharedSystemClient

from assistant.answering import Assistant
from index import build_index
from index.store import Store, article_metadata, open_lexical, record_owner

from . import figures
from .helpers import write_squad

pytestmark = pytest.mark.slow

BATCH = 4  # articles per batch in the killed runs, so a run writes several batches


def records_per_article(settings, committed_only=True):
    """{article id: (chunks, sentences)} counted from Chroma records of committed versions."""
    store = Store.open(settings)
    committed = store.committed()
    counts = {}
    for position, collection in enumerate((store.chunks, store.sentences)):
        for record_id in collection.get(include=[])["ids"]:
            article_id, version = record_owner(record_id)
            if committed_only and committed.get(article_id) != version:
                continue
            pair = counts.setdefault(article_id, [0, 0])
            pair[position] += 1
    return {a: tuple(c) for a, c in counts.items()}


def killed_run(folder, point: str) -> None:
    """Run `assistant index` in a subprocess that SIGKILLs itself at `point` (see index/checkpoints.py)."""
    env = {**os.environ, "INDEX_CRASH_AT": point, "ASSISTANT_WRITE_BATCH_ARTICLES": str(BATCH)}
    process = subprocess.run([sys.executable, "-m", "assistant.cli", "index", str(folder)], capture_output=True,
                             text=True, env=env, timeout=900)
    assert process.returncode == -signal.SIGKILL, f"the run was not killed at {point}: {process.stderr[-2000:]}"
    # embedded Chroma keeps per-process state: look at the data dir as a new process would
    SharedSystemClient.clear_system_cache()


def committed_articles_are_whole(settings) -> int:
    """Chunks missing from committed versions (asserted to be none); returns how many were missing."""
    store = Store.open(settings)
    missing = 0
    for article_id, version in store.committed().items():
        expected = article_metadata(store.articles.get(ids=[article_id], include=["metadatas"])["metadatas"][0])["chunks"]
        found = store.chunks.get(where={"$and": [{"article_id": article_id}, {"version": version}]})
        missing += max(0, expected - len(found["ids"]))
        assert len(found["ids"]) == expected, f"{article_id} lost chunks"
    # each text is put back together from its committed chunks: none may be lost
    assert set(store.article_texts(list(store.committed()))) == set(store.committed())
    return missing


def equals_a_fresh_build(folder, settings, tmp_path) -> tuple[int, dict]:
    """Assert that the index of `settings` holds what a fresh build of `folder` holds, record
    for record; returns the chunks it lacks (asserted to be none) and the fresh counts."""
    fresh = settings.with_(data_dir=tmp_path / "fresh")
    fresh.data_dir.mkdir()
    shutil.copy(settings.data_dir / "embedding-cache.sqlite", fresh.data_dir)  # saves time, changes nothing
    build_index(folder, settings=fresh)
    resumed, expected = records_per_article(settings, committed_only=False), records_per_article(fresh)
    lost = sum(max(0, want[0] - resumed.get(a, (0, 0))[0]) for a, want in expected.items())
    assert resumed == expected  # no duplicates, no orphans, nothing missing
    assert Store.open(settings).committed() == Store.open(fresh).committed()
    assert open_lexical(settings).count() == open_lexical(fresh).count()
    assert not any(s.pending for s in Store.open(settings).article_states().values())
    return lost, expected


QUESTION = "Who did Trump send to meet Putin in Moscow?"
# one interrupted run after another, each resuming what the last one left: (where it is
# killed, whether some batch of that run has committed by then)
KILLS = [("chunks:1", False),  # the first batch, between its chunk and sentence writes
         ("committed:1", True),  # the first batch committed (a changed article among them), not yet cleaned up
         ("marked:2@20", True),  # 20 ms after the second batch was marked pending: inside its writes
         ("sentences:1", False)]  # the first batch, between its sentence writes and its commit


@pytest.mark.reliability
def test_sigkill_inside_a_batch_loses_nothing_and_the_next_run_finishes(sample_folder, settings, tmp_path):
    build_index(sample_folder, settings=settings)
    old = Store.open(settings).committed()
    # the next run changes one sample article and adds twelve more
    changed = sample_folder / "001_df81dadaca52e98b.txt"
    changed.write_text(changed.read_text() + "\nA second round of talks is planned in Jeddah, officials said.")
    write_squad(sample_folder / "squad", limit=12, max_chars=4000)

    lost = 0
    committed = old
    for point, commits in KILLS:
        killed_run(sample_folder, point)
        # the previous content still answers, from committed versions only
        after_kill = Store.open(settings).committed()
        missing = [a for a in committed if a not in after_kill]  # old or new version, never neither
        lost += len(missing)
        assert not missing, f"articles lost to the kill at {point}: {missing}"
        assert after_kill["000_53139e8ccc0aea71.txt"] == old["000_53139e8ccc0aea71.txt"]
        assert (after_kill != committed) == commits, f"{point}: a batch committed {'no' if commits else 'an'} article"
        result = Assistant(settings).answer(QUESTION)
        assert "Witkoff" in result.text and result.citations and not result.abstained
        lost += committed_articles_are_whole(settings)
        committed = after_kill

    # the next run completes; the result equals a fresh build of the same folder
    report = build_index(sample_folder, settings=settings)
    assert report.added + report.updated + report.unchanged == 14
    missing, expected = equals_a_fresh_build(sample_folder, settings, tmp_path)
    lost += missing
    kills = ", ".join(point for point, _ in KILLS)
    figures.record(area="faults", check="SIGKILL inside a batch of `assistant index`", tried=len(KILLS), lost=lost,
                   detail=f"{len(KILLS)} runs killed one after another, at named steps of a batch of {BATCH} "
                          f"({kills}); the old index answered after each; the run after them equals a fresh build "
                          f"({len(expected)} articles, {sum(c for c, _ in expected.values())} chunks, "
                          f"no duplicates or orphans)")


@pytest.mark.reliability
def test_a_kill_between_cleanup_steps_in_a_batch_with_an_unreadable_article(sample_folder, settings, tmp_path):
    squad = write_squad(sample_folder / "squad", limit=6, max_chars=2000)
    build_index(sample_folder, settings=settings)
    edited = sorted(squad.glob("*.json"))[:3]
    for path in edited:
        record = json.loads(path.read_text())
        path.write_text(json.dumps({**record, "text": record["text"] + "\n\nA paragraph added by an editor."}))
    (squad / "1_unreadable.json").write_text('{"title": "Cut off mid-write", "text": "The')  # sorts among the edited
    old = Store.open(settings).committed()

    # the batch of the three edited articles is committed and their old versions deleted,
    # but the run dies before their pending marks are cleared
    killed_run(sample_folder, "cleaned:1")
    after_kill = Store.open(settings).committed()
    assert set(after_kill) == set(old)
    assert {a for a in old if after_kill[a] != old[a]} == {f"squad/{p.name}" for p in edited}
    assert {a for a, s in Store.open(settings).article_states().items() if s.pending} == set(
        f"squad/{p.name}" for p in edited)
    committed_articles_are_whole(settings)
    assert "Witkoff" in Assistant(settings).answer(QUESTION).text

    report = build_index(sample_folder, settings=settings)
    assert [(s.name, s.reason.split(" (")[0]) for s in report.skipped] == [("squad/1_unreadable.json", "invalid JSON")]
    assert report.unchanged == 8 and report.added == report.updated == 0
    equals_a_fresh_build(sample_folder, settings, tmp_path)
