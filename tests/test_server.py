"""The same code against a real `chroma run` server; sharded builds fill one server in parallel."""

import time

import pytest

from assistant import HybridSearch
from index import Settings, build_index, index_status
from index.build import Shard
from index.store import Store, chunk_metadata

from .helpers import write_squad

pytestmark = [pytest.mark.slow, pytest.mark.server]


@pytest.fixture(params=["embedded", "server"])
def store_settings(request, settings):
    if request.param == "server":
        return settings.with_(chroma_url=request.getfixturevalue("chroma_server"), collection=f"t{time.time_ns()}")
    return settings


def test_index_and_query_work_the_same_embedded_and_on_a_server(sample_folder, store_settings):
    report = build_index(sample_folder, settings=store_settings)
    assert report.added == 2
    status = index_status(store_settings)
    assert status.articles == 2 and status.chunks == report.chunks_embedded
    assert status.store == (store_settings.chroma_url or str(store_settings.chroma_dir))
    hits = HybridSearch(store_settings).search("How much of Ukraine's territory does Russia occupy?", k=3)
    assert any("20%" in hit.text for hit in hits)
    assert build_index(sample_folder, settings=store_settings).unchanged == 2


def test_two_shards_fill_one_server_exactly_like_a_single_build(sample_folder, settings, chroma_server, tmp_path):
    write_squad(sample_folder / "squad", limit=6, max_chars=2500)
    run = time.time_ns()
    single = settings.with_(chroma_url=chroma_server, collection=f"single{run}")
    sharded = settings.with_(chroma_url=chroma_server, collection=f"sharded{run}")
    whole = build_index(sample_folder, settings=single)
    first = build_index(sample_folder, settings=sharded.with_(data_dir=tmp_path / "machine1"), shard="1/2")
    second = build_index(sample_folder, settings=sharded.with_(data_dir=tmp_path / "machine2"), shard="2/2")
    assert first.added > 0 and second.added > 0 and first.added + second.added == whole.added == 8

    def contents(s: Settings):
        store = Store.open(s)
        chunks = store.chunks.get(include=["metadatas"])
        texts = [chunk_metadata(None, meta)["text"] for meta in chunks["metadatas"]]
        return (store.committed(), sorted(zip(chunks["ids"], texts)), store.sentences.count())

    assert contents(single) == contents(sharded)

    # a deleted article is removed only by the shard that owns it
    victim = sorted(Store.open(sharded).committed())[0]
    owner, other = ("1/2", "2/2") if Shard.parse("1/2").holds(victim) else ("2/2", "1/2")
    (sample_folder / victim).unlink()
    assert build_index(sample_folder, settings=sharded, shard=other).removed == 0
    assert victim in Store.open(sharded).committed()
    assert build_index(sample_folder, settings=sharded, shard=owner).removed == 1
    assert victim not in Store.open(sharded).committed()
