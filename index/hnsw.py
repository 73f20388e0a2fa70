"""The sentence collection's HNSW configuration: read it back, and bring it to the settings.

Chroma fixes `ef_construction` and `max_neighbors` when a collection is created and lets
`ef_search` and `num_threads` change afterwards. A build (under the data-dir lock) calls
`conform`: changeable values are modified in place; a collection built under other fixed
values is rebuilt from its own stored vectors (no re-embedding) into a new collection,
which then takes the old one's name. While search is exact (`settings.dense_search`:
`exact`, or `auto` up to `exact_search_max_sentences`) no question reads the graph, so a
new collection gets the cheapest one (`store.UNSEARCHED`) and its fixed values are left
alone; the build that takes the store past that size rebuilds it, at its end, under the
searched values. Readers search exactly while the graph is the cheap one (`search_is_exact`).

    copy into `<name>-next` -> rename `<name>` to `<name>-old` -> rename `<name>-next` to
    `<name>` -> delete `<name>-old`

A run killed at any step leaves the old collection answering, or the new one complete;
the next build finishes or undoes the step (`_recover`).
"""

from __future__ import annotations

from typing import Any

from .store import (
    PAGE,
    REBUILT,
    REPLACED,
    Store,
    collection_configuration,
    find_collection,
    record_owner,
    searched_metadata,
)

FIXED = ("ef_construction", "max_neighbors")  # set when a collection is created
CHANGEABLE = ("ef_search", "num_threads")


def configuration(collection) -> dict[str, Any]:
    """The collection's HNSW parameters as Chroma holds them (num_threads lives in its schema)."""
    found = dict((collection.configuration or {}).get("hnsw") or {})
    try:
        hnsw = collection.schema.keys["#embedding"].float_list.vector_index.config.hnsw
        found.setdefault("num_threads", hnsw.num_threads)
    except (AttributeError, KeyError, TypeError):
        pass
    return {key: found.get(key) for key in (*FIXED, *CHANGEABLE, "space")}


def drift(store: Store, sentences: float | None = None) -> dict[str, tuple[Any, Any]]:
    """{parameter: (what the sentence collection has, what the settings want)} where they
    differ. The fixed values count only once the graph is searched, at `sentences`
    (default: the records it holds): a graph no search reads is never rebuilt."""
    have = configuration(store.sentences)
    searched = store.graph_searched(store.sentences.count() if sentences is None else sentences)
    return {key: (have.get(key), want) for key, want in store.hnsw.items()
            if have.get(key) is not None and have.get(key) != want and (searched or key not in FIXED)}


def search_is_exact(store: Store, sentences: int) -> bool:
    """Whether questions are compared with every sentence vector, not searched through the
    graph (`settings.dense_search`, which `store` was opened under, at `sentences`): also
    while the graph is still the cheap one of a store searched exactly so far (a build that
    crossed the limit, or a switch to `hnsw`, until the next `assistant index` rebuilds it):
    its records carry no outlet or date for a filter, and its neighbours are too few."""
    return not store.graph_searched(sentences) or store.graph_is_cheap()


def conform(store: Store, progress=None, *, rebuild: bool = True) -> str:
    """Give the sentence collection the configuration it needs: "" (it had it), "modified"
    (changeable values set in place) or "rebuilt" (copied into a new collection). With
    `rebuild` False (a sharded build: other machines may be writing the collection, and a
    copy would lose what they write meanwhile) only changeable values are set; the next
    unsharded build rebuilds, and readers search exactly while the graph is the cheap one."""
    _recover(store)
    differences = drift(store)
    if not rebuild:
        differences = {key: value for key, value in differences.items() if key not in FIXED}
    if not differences:
        return ""
    if not any(key in FIXED for key in differences):
        store.sentences.modify(configuration={"hnsw": {key: store.hnsw[key] for key in differences}})
        store.reopen()
        return "modified"
    _rebuild(store, progress)
    return "rebuilt"


def _names(store: Store) -> tuple[str, str, str]:
    name = f"{store.prefix}-sentences"
    return name, name + REBUILT, name + REPLACED


def _exists(store: Store, name: str) -> bool:
    return find_collection(store.client, name) is not None


def _recover(store: Store) -> None:
    """Finish or undo a rebuild a killed run left half-done."""
    name, new, old = _names(store)
    if _exists(store, old):
        if _exists(store, new):  # killed between the two renames: the copy is complete
            _take_name(store, store.client.get_collection(new, embedding_function=None), name)
        store.client.delete_collection(old)
        store.reopen()
    elif _exists(store, new):  # killed while copying: the old collection still answers
        store.client.delete_collection(new)


def _rebuild(store: Store, progress=None) -> None:
    name, new, old = _names(store)
    target = store.client.create_collection(
        new, embedding_function=None, configuration=collection_configuration(store.hnsw))
    # written in the order a full build writes (article, chunk, sentence), so a rebuilt
    # collection gets the graph a fresh build under these settings would
    ids = sorted((record_id for record_id, _ in store._all(store.sentences, [])), key=_build_order)
    # each record gets what a filtered search reads from its article's record: records
    # written under the cheap graph carry none (`Store.graph_is_cheap`)
    searched = {m["article_id"]: searched_metadata(m.get("source", ""), m.get("published_ts"))
                for m in store.described()}
    for start in range(0, len(ids), PAGE):
        part = store.sentences.get(ids=ids[start:start + PAGE], include=["embeddings", "metadatas"])
        order = {record_id: i for i, record_id in enumerate(part["ids"])}
        rows = sorted(order, key=_build_order)
        target.add(ids=rows, embeddings=[part["embeddings"][order[r]] for r in rows],
                   metadatas=[searched.get(record_owner(r)[0], part["metadatas"][order[r]]) for r in rows])
        if progress:
            progress(min(start + PAGE, len(ids)), len(ids))
    store.sentences.modify(name=old)
    _take_name(store, target, name)
    store.client.delete_collection(old)
    store.reopen()
    store._touch()  # readers re-open their collections


def _take_name(store: Store, collection, name: str) -> None:
    """Rename `collection` to `name`, which a reader of an earlier version, opening the store
    in the moment between the two renames, may have created (empty); readers now open the
    copy then (`Store._find_sentences`)."""
    found = find_collection(store.client, name)
    if found is not None and found.count() == 0:
        store.client.delete_collection(name)
    collection.modify(name=name)


def _build_order(sentence_id: str) -> tuple:
    article, version, chunk, sentence = sentence_id.rsplit("|", 3)
    return article, int(chunk[1:]), int(sentence[1:]), version
