"""SIGKILL an index run mid-way: the previous content still answers, and the next run
finishes the job with no duplicates or orphans (compared with a fresh build)."""

import os
import shutil
import signal
import subprocess
import sys
import time

import pytest
from chromadb.api.shared_system_client import SharedSystemClient

from assistant.answering import Assistant
from index import build_index
from index.store import Store, open_lexical

from . import figures
from .helpers import write_squad

pytestmark = pytest.mark.slow


def records_per_article(settings, committed_only=True):
    """{article id: (chunks, sentences)} counted from Chroma records of committed versions."""
    store = Store.open(settings)
    committed = store.committed()
    counts = {}
    for position, collection in enumerate((store.chunks, store.sentences)):
        for meta in collection.get(include=["metadatas"])["metadatas"]:
            if committed_only and committed.get(meta["article_id"]) != meta["version"]:
                continue
            pair = counts.setdefault(meta["article_id"], [0, 0])
            pair[position] += 1
    return {a: tuple(c) for a, c in counts.items()}


def kill_after(folder, lines: int, delay: float = 0.0) -> str:
    """Run `assistant index` in a subprocess and SIGKILL it `delay` seconds after `lines`
    progress lines (each printed once an article is committed, so a short delay lands in
    the middle of writing the next one)."""
    process = subprocess.Popen([sys.executable, "-m", "assistant.cli", "index", str(folder)],
                               stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=os.environ.copy())
    seen = []
    deadline = time.monotonic() + 600
    while len(seen) < lines and time.monotonic() < deadline:
        line = process.stderr.readline()
        if not line:
            break
        if line.startswith("indexed "):
            seen.append(line)
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.wait(30)
    assert len(seen) == lines, f"the run ended before {lines} articles were written"
    assert process.returncode == -signal.SIGKILL, "the run finished before the kill"
    return seen[-1]


QUESTION = "Who did Trump send to meet Putin in Moscow?"
# (progress lines seen, then seconds before the kill): one interrupted run after another,
# each resuming what the last one left
KILLS = [(1, 0.0), (1, 0.05), (2, 0.02)]


@pytest.mark.reliability
def test_sigkill_mid_build_loses_nothing_and_the_next_run_finishes(sample_folder, settings, tmp_path):
    build_index(sample_folder, settings=settings)
    old = Store.open(settings).committed()
    # the next run changes one sample article and adds twelve more
    changed = sample_folder / "001_df81dadaca52e98b.txt"
    changed.write_text(changed.read_text() + "\nA second round of talks is planned in Jeddah, officials said.")
    write_squad(sample_folder / "squad", limit=12, max_chars=4000)

    lost = 0
    committed = old
    for lines, delay in KILLS:
        kill_after(sample_folder, lines, delay)
        # embedded Chroma keeps per-process state: look at the data dir as a new process would
        SharedSystemClient.clear_system_cache()

        # the previous content still answers, from committed versions only
        after_kill = Store.open(settings).committed()
        missing = [a for a in committed if a not in after_kill]  # old or new version, never neither
        lost += len(missing)
        assert not missing, f"articles lost to the kill: {missing}"
        assert after_kill["000_53139e8ccc0aea71.txt"] == old["000_53139e8ccc0aea71.txt"]
        assert after_kill != committed, "the killed run committed nothing"
        result = Assistant(settings).answer(QUESTION)
        assert "Witkoff" in result.text and result.citations and not result.abstained
        store = Store.open(settings)
        for article_id, version in after_kill.items():
            expected = store.articles.get(ids=[article_id], include=["metadatas"])["metadatas"][0]["chunks"]
            found = store.chunks.get(where={"$and": [{"article_id": article_id}, {"version": version}]})
            lost += max(0, expected - len(found["ids"]))
            assert len(found["ids"]) == expected, f"{article_id} lost chunks"
        committed = after_kill

    # the next run completes; the result equals a fresh build of the same folder
    report = build_index(sample_folder, settings=settings)
    assert report.added + report.updated + report.unchanged == 14
    fresh = settings.with_(data_dir=tmp_path / "fresh")
    fresh.data_dir.mkdir()
    shutil.copy(settings.data_dir / "embedding-cache.sqlite", fresh.data_dir)  # saves time, changes nothing
    build_index(sample_folder, settings=fresh)
    resumed, expected = records_per_article(settings, committed_only=False), records_per_article(fresh)
    lost += sum(max(0, want[0] - resumed.get(a, (0, 0))[0]) for a, want in expected.items())
    assert resumed == expected  # no duplicates, no orphans, nothing missing
    assert Store.open(settings).committed() == Store.open(fresh).committed()
    assert open_lexical(settings).count() == open_lexical(fresh).count()
    assert not any(s.pending for s in Store.open(settings).article_states().values())
    kills = ", ".join(f"{delay * 1000:.0f} ms after {n} commit{'s' if n > 1 else ''}" for n, delay in KILLS)
    figures.record(area="faults", check="SIGKILL during `assistant index`", tried=len(KILLS), lost=lost,
                   detail=f"{len(KILLS)} runs killed one after another ({kills}); the old index answered after "
                          f"each; the run after them equals a fresh build ({len(expected)} articles, "
                          f"{sum(c for c, _ in expected.values())} chunks, no duplicates or orphans)")
