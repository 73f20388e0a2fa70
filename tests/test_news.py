"""News-aware answers on real articles: dates in questions, sources that differ, timelines,
and syndicated or corrected copies cited once.

tests/data/news/talks.jsonl holds the two sample articles (dated 2025-03-14 from their own
text: the Thursday talks in Moscow were on 13 March 2025), a syndicated copy of the first
(another outlet and title, small edits), a corrected version of the second (a day later),
and two short reports written from public news of 11 and 18 March 2025.
"""

import json
import shutil

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from assistant.answering import Assistant
from index import Settings, build_index, duplicates, indexed_articles
from index.store import GROUPED, Store, chunk_record_id, record_owner
from prompts import load_prompt

from .helpers import REPO, article_texts, check_invariants

pytestmark = pytest.mark.slow

NEWS = REPO / "tests" / "data" / "news"
ORIGINAL, SECOND, COPY, CORRECTED, JEDDAH, ENERGY = (f"talks.jsonl#{n}" for n in range(6))


@pytest.fixture(scope="module")
def news(tmp_path_factory):
    """One index of the news folder for the module (the tests only read it), and its build report."""
    settings = Settings.load(env={}, data_dir=tmp_path_factory.mktemp("news") / "data")
    report = build_index(NEWS, settings=settings)
    return settings, report


@pytest.fixture(scope="module")
def assistant(news):
    return Assistant(news[0])


def test_copies_of_one_story_are_grouped_at_index_time(news):
    settings, report = news
    assert report.added == 6 and report.near_duplicates == 4
    groups = {m["article_id"]: m.get("dup_group", "") for m in Store.open(settings).described()}
    # the group is named after its first published article
    assert groups[ORIGINAL] == groups[COPY] == ORIGINAL
    assert groups[SECOND] == groups[CORRECTED] == SECOND
    assert groups[JEDDAH] == groups[ENERGY] == ""
    again = build_index(NEWS, settings=settings)
    assert again.unchanged == 6 and again.near_duplicates == 4


def test_the_articles_table_names_the_story_each_copy_belongs_to(news):
    from assistant.present.page import TABLE_HEADERS, article_rows

    settings, _ = news
    rows = {row[-1]: dict(zip(TABLE_HEADERS, row)) for row in article_rows(indexed_articles(settings))}
    assert len(rows) == 6 and all(len(row) == len(TABLE_HEADERS) for row in rows.values())
    assert rows[COPY]["Copy of"] == rows[ORIGINAL]["Title"]  # the syndicated copy, by its original's title
    assert rows[CORRECTED]["Copy of"] == rows[SECOND]["Title"]  # the correction, by the version it corrects
    assert rows[ORIGINAL]["Copy of"] == rows[SECOND]["Copy of"] == "(original of 1 copy)"
    assert rows[JEDDAH]["Copy of"] == rows[ENERGY]["Copy of"] == ""


def test_a_syndicated_story_is_cited_once_with_the_other_outlets(assistant, news):
    result = assistant.answer("Who did Trump send to meet Putin in Moscow?", k=8)
    check_invariants(result, article_texts(news[0]))
    cited = [c.article_id for c in result.citations]
    assert not ({ORIGINAL, COPY} <= set(cited)) and not ({SECOND, CORRECTED} <= set(cited))
    copy_cited = next(c for c in result.citations if c.article_id in (ORIGINAL, COPY))
    other = "“Trump says talks with Putin were 'very good and productive'” (2025-03-14)" \
        if copy_cited.article_id == COPY else "Harbour Times"
    assert copy_cited.also_reported_by == (other,)
    sentences = [s for s in result.text.split(" [") if "Witkoff" in s]
    assert len(sentences) == len(set(sentences))  # never the same sentence twice


def test_a_corrected_version_speaks_for_the_story(assistant):
    result = assistant.answer("Which newspaper reported on Witkoff's meeting with Putin?", k=8)
    cited = [c.article_id for c in result.citations]
    assert cited[0] == CORRECTED and SECOND not in cited  # never the version it corrects
    assert "Washington Post" in result.text and "Thursday evening" in result.text


def test_a_cited_sentence_its_correction_changed_says_so(assistant, news):
    result = assistant.answer("Which newspaper reported on Witkoff's meeting with Putin?", k=8)
    check_invariants(result, article_texts(news[0]))
    [revision] = result.revisions
    cited = {c.number: c for c in result.citations}[revision.number]
    assert cited.article_id == CORRECTED and revision.kind == "dates"
    assert "Thursday evening" in revision.says and "late on Thursday" in revision.other_says
    assert revision.same_outlet and not revision.newer and revision.other_published == "2025-03-14"
    assert (f"[{revision.number}] was updated: it says “{revision.says}”; the earlier version (2025-03-14) said "
            f"“{revision.other_says}”.") in result.text
    assert json.loads(json.dumps(result.as_dict()))["revisions"][0]["kind"] == "dates"


@pytest.mark.parametrize("question", ["What did Trump post on Truth Social about the war?",
                                      "Who did Trump send to meet Putin in Moscow?"])
def test_a_copy_edited_only_in_wording_is_not_reported_as_changed(assistant, question):
    # the Harbour Times copy rewrites "horrible, bloody war" as "horrible and bloody war"
    result = assistant.answer(question)
    assert result.citations and any(c.also_reported_by for c in result.citations)
    assert result.revisions == () and "updated" not in result.text


def test_every_citation_has_a_date_and_the_outlet_when_known(assistant):
    result = assistant.answer("What did Putin agree to after his call with Trump?")
    assert result.citations and all(c.published for c in result.citations)
    assert {c.source for c in result.citations if c.article_id in (JEDDAH, ENERGY, COPY)} <= {"Test Wire",
                                                                                               "Harbour Times"}


def test_a_date_in_the_question_limits_the_evidence_to_it(assistant):
    after = assistant.answer("What did Putin agree to after March 15, 2025?")
    assert [c.article_id for c in after.citations] == [ENERGY]
    assert "energy infrastructure" in after.text
    assert after.notice == "Evidence dated on or after 2025-03-16 (from “after March 15, 2025”)."
    assert after.question == "What did Putin agree to after March 15, 2025?"
    before = assistant.answer("What did Ukraine accept before March 12, 2025?")
    assert before.citations[0].article_id == JEDDAH and "Jeddah" in before.text
    # a sentence that tells of the asked month counts, whenever its article was published
    december = assistant.answer("What did Zelensky acknowledge in December 2024?")
    assert "43,000" in december.text and december.citations[0].published >= "2025"


def test_a_date_nothing_matches_is_said_and_not_silently_ignored(assistant):
    result = assistant.answer("What did Putin agree to in 2023?")
    assert result.notice.startswith("Nothing in the articles dated from 2023-01-01 to 2023-12-31")


def test_latest_and_earliest_put_the_newest_or_oldest_report_first(assistant):
    latest = assistant.answer("What is the latest on Putin and the 30-day ceasefire?")
    dates = [c.published[:10] for c in latest.citations]
    assert dates[0] == "2025-03-18" and dates == sorted(dates, reverse=True)
    earliest = assistant.answer("Who first reported the ceasefire proposal?")
    assert earliest.citations[0].article_id == JEDDAH


@pytest.mark.parametrize("question, lead", [
    ("What is the latest on the ceasefire?", ENERGY),  # its best match is older and scores far higher
    ("What is the latest about Putin's conditions for a ceasefire?", ENERGY),
    ("What is the latest on intelligence sharing with Kyiv?", ENERGY),
    ("What did Zelensky say most recently?", ENERGY),
    ("What's the latest on the Ukrainian troops in Kursk?", CORRECTED),  # the newest report never names Kursk
    ("What was first reported about the ceasefire?", JEDDAH),
    ("What was initially said about intelligence sharing?", JEDDAH),
    ("When was the 30-day ceasefire first reported?", JEDDAH),
])
def test_latest_and_earliest_lead_with_the_newest_or_oldest_relevant_report(assistant, question, lead):
    for k in (5, 1):  # k=1: the report is found past the best matches, not among them
        result = assistant.answer(question, k=k)
        assert not result.abstained and result.citations[0].article_id == lead, (k, result.text)


def test_the_newest_report_must_be_about_the_topic(assistant):
    # the newest article (18 March) says nothing of Starmer: the report that does leads
    result = assistant.answer("What is the latest from Keir Starmer?")
    assert result.citations[0].article_id == CORRECTED and "Starmer" in result.text.split("[1]")[0]


def test_the_answer_says_where_sources_differ_on_the_troops_in_kursk(assistant, news):
    result = assistant.answer("Are the Ukrainian troops in Kursk surrounded?")
    check_invariants(result, article_texts(news[0]))
    assert len(result.disagreements) == 1
    differ = result.disagreements[0]
    assert differ.kind == "denial" and "surrounded" in differ.first_says and "surrounded" in differ.second_says
    assert f"Sources differ: [{differ.first}] says “" in result.text
    assert {c.number for c in result.citations} >= {differ.first, differ.second}
    assert json.loads(json.dumps(result.as_dict()))["disagreements"][0]["kind"] == "denial"


def test_in_llm_mode_the_prompt_asks_and_the_check_still_runs(news):
    probe = Assistant(news[0])
    request = probe.request("Are the Ukrainian troops in Kursk surrounded?", mode="llm")
    hits = probe.steps.retrieve(probe.steps.standalone(request)).hits
    claim = next(n for n, h in enumerate(hits, 1) if "completely surrounded" in h.text)
    denial = next(n for n, h in enumerate(hits, 1) if "dismissed suggestions" in h.text)
    canned = (f"Trump claimed thousands of Ukrainian troops were completely surrounded by the Russian military "
              f"[{claim}]. Zelensky dismissed suggestions that his troops in Kursk are surrounded [{denial}].")
    assistant = Assistant(news[0], chat_model=FakeListChatModel(responses=[canned]))
    assert "Sources differ" in load_prompt("answer").format_messages(passages="", question="q")[0].content
    result = assistant.answer("Are the Ukrainian troops in Kursk surrounded?", mode="llm")
    assert result.mode == "llm" and result.disagreements and "Sources differ:" in result.text


def test_how_did_the_talks_unfold_is_a_dated_cited_timeline(assistant, news):
    result = assistant.answer("How did the ceasefire talks unfold?")
    check_invariants(result, article_texts(news[0]))
    assert result.mode == "timeline" and len(result.timeline) >= 3
    days = [p.day for p in result.timeline]
    assert days == sorted(days) and days[0] == "2025-03-11"  # Jeddah, then the Moscow talks
    numbers = {c.number for c in result.citations}
    for point, line in zip(result.timeline, result.text.split("\n")):
        assert point.number in numbers and line == f"{point.label}: {point.text} [{point.number}]"
    assert any(p.dated_by == "sentence" and p.label == "2025-03-13" and "Thursday" in p.text for p in result.timeline)
    asked = assistant.answer("Ceasefire talks", mode="timeline")
    assert asked.mode == "timeline" and asked.timeline


@pytest.fixture(scope="module")
def partly_dated(tmp_path_factory):
    """The two sample articles (no published date) and the dated Jeddah report."""
    folder = tmp_path_factory.mktemp("partly-dated")
    for path in (REPO / "articles").glob("*.txt"):
        shutil.copy(path, folder / path.name)
    jeddah = (NEWS / "talks.jsonl").read_text(encoding="utf-8").splitlines()[4]
    (folder / "wire.jsonl").write_text(jeddah + "\n", encoding="utf-8")
    settings = Settings.load(env={}, data_dir=tmp_path_factory.mktemp("partly-dated-data"))
    build_index(folder, settings=settings)
    return Assistant(settings)


def check_timeline_order(result):
    """Dated points first, oldest first; then the undated ones, each marked so."""
    dated = [p for p in result.timeline if p.dated_by]
    undated = [p for p in result.timeline if not p.dated_by]
    assert list(result.timeline) == dated + undated
    assert [p.day for p in dated] == sorted(p.day for p in dated)
    assert all(p.label == "undated" and p.day == "" for p in undated)
    for point, line in zip(result.timeline, result.text.split("\n")):
        assert line == f"{point.label}: {point.text} [{point.number}]"
    return dated, undated


def test_a_timeline_of_undated_articles_lists_their_points_marked_undated_with_a_notice(partly_dated):
    result = partly_dated.answer("How did the war unfold?")
    assert result.mode == "timeline" and len(result.timeline) >= 3
    dated, undated = check_timeline_order(result)
    assert not dated and undated
    assert result.notice.startswith("No dated evidence: neither these sentences nor their articles give a date")


def test_undated_points_follow_the_dated_ones(partly_dated):
    result = partly_dated.answer("How did the ceasefire talks unfold?")
    dated, undated = check_timeline_order(result)
    # the Jeddah report is dated; "on Thursday" in an undated article has nothing to resolve against
    assert dated and dated[0].day == "2025-03-11" and "Jeddah" in dated[0].text
    assert undated and f"{len(undated)} of {len(result.timeline)} points have no date" in result.notice
    cited = {c.number: c for c in result.citations}
    assert all(not cited[p.number].published for p in undated)


def test_readers_refresh_without_the_signatures_which_only_regrouping_reads(news):
    settings, _ = news
    store = Store.open(settings)
    described = store.described()  # what every reader's refresh reads when a build commits
    assert len(described) == 6 and not any("minhash" in meta for meta in described)
    signatures = store.signatures_of({m["article_id"]: m["version"] for m in described})
    assert len(signatures) == 6
    assert duplicates.similarity(signatures[ORIGINAL], signatures[COPY]) >= 0.5
    assert duplicates.similarity(signatures[ORIGINAL], signatures[SECOND]) < 0.5


def test_estimated_similarity_follows_the_shared_share_of_shingles():
    """Articles sharing a paragraph or two are not copies, and estimates track the truth."""
    from .helpers import squad_articles

    records = squad_articles(limit=3)
    mine = [p for p in records[0]["text"].split("\n\n") if p.strip()]
    others = [p for r in records[1:] for p in r["text"].split("\n\n") if p.strip()]
    for shared in (1, 2, len(mine) // 4, len(mine) // 2, 3 * len(mine) // 4, len(mine) - 1):
        a = "\n\n".join(mine)
        b = "\n\n".join(mine[:shared] + others[:len(mine) - shared])
        sa, sb = duplicates.shingles(a), duplicates.shingles(b)
        true = len(sa & sb) / len(sa | sb)
        estimate = duplicates.similarity(duplicates.signature(a), duplicates.signature(b))
        assert abs(estimate - true) < 0.15, (shared, true, estimate)  # 128 hashes: sd <= 0.045
        grouped = duplicates.group({"a": duplicates.signature(a), "b": duplicates.signature(b)}, 0.5)
        assert bool(grouped) == (estimate >= 0.5)
        if shared <= 2:
            assert not grouped


def test_groups_are_the_connected_sets_of_similar_articles_that_share_a_band():
    """What `duplicates.group` promises, checked against every pair: two articles are joined
    when one band of their signatures is equal and their similarity reaches the threshold,
    and a group is every article reachable that way."""
    import numpy as np

    rng = np.random.default_rng(7)
    stories = rng.integers(0, 1 << 32, (60, duplicates.PERMUTATIONS), dtype=np.uint64).astype(np.uint32)
    signatures = {}
    for number in range(400):  # copies of 60 stories, each with its own share of hashes changed
        sig = stories[rng.integers(0, len(stories))].copy()
        changed = rng.random(sig.size) < rng.random()
        sig[changed] = rng.integers(0, 1 << 32, int(changed.sum()), dtype=np.uint64).astype(np.uint32)
        signatures[f"item-{number:03d}"] = sig
    bands = duplicates.PERMUTATIONS // duplicates.BAND_ROWS
    for threshold in (0.3, 0.6, 0.9):
        ids = sorted(signatures)
        linked = {i: {i} for i in ids}
        for x, a in enumerate(ids):
            for b in ids[x + 1:]:
                sa, sb = signatures[a].reshape(bands, -1), signatures[b].reshape(bands, -1)
                if (sa == sb).all(axis=1).any() and duplicates.similarity(signatures[a], signatures[b]) >= threshold:
                    linked[a].add(b)
                    linked[b].add(a)
        expected = {}
        for start in ids:  # connected sets, by search from each article not yet placed
            if start in expected:
                continue
            found, todo = {start}, [start]
            while todo:
                for other in linked[todo.pop()] - found:
                    found.add(other)
                    todo.append(other)
            for member in found:
                expected[member] = sorted(found)
        expected = {a: members for a, members in expected.items() if len(members) > 1}
        assert expected and duplicates.group(signatures, threshold) == expected


def two_stories(tmp_path, settings):
    """A folder of two different stories (one JSONL file), indexed; returns the folder."""
    folder = tmp_path / "wire"
    folder.mkdir()
    lines = (NEWS / "talks.jsonl").read_text(encoding="utf-8").splitlines()
    (folder / "wire.jsonl").write_text("\n".join(lines[:2]) + "\n", encoding="utf-8")
    build_index(folder, settings=settings)
    return folder


def first_chunks(store) -> dict[str, dict]:
    """{article id: metadata of its committed version's first chunk}."""
    committed = store.committed()
    ids = [chunk_record_id(a, v, 0) for a, v in committed.items()]
    found = store.chunks.get(ids=ids, include=["metadatas"])
    return {record_owner(i)[0]: m for i, m in zip(found["ids"], found["metadatas"])}


def grouped_before_stamps(store) -> None:
    """As an index written before groupings were stamped: its next build groups again."""
    store.articles.modify(metadata={key: value for key, value in store.info.items() if key != GROUPED})


def test_a_signature_is_written_with_its_version_in_the_first_chunk(tmp_path, settings, monkeypatch):
    two_stories(tmp_path, settings)
    store = Store.open(settings)
    texts = store.article_texts(sorted(store.committed()))
    stored = {a: m["minhash"] for a, m in first_chunks(store).items()}
    assert stored == {a: duplicates.label(duplicates.signature(t)) for a, t in texts.items()}
    monkeypatch.setattr(duplicates, "signature", lambda text: pytest.fail("a stored signature was computed again"))
    assert len(Store.open(settings).signatures_of(store.committed())) == 2


def test_grouping_runs_when_the_committed_versions_change_and_only_then(tmp_path, settings, monkeypatch):
    """A build that changes nothing keeps the groups it finds stamped as current; a new
    copy, or another threshold, groups again. A fresh build groups from the signatures it
    just computed, without reading them back."""
    monkeypatch.setattr(duplicates, "unlabel", lambda text: pytest.fail("a signature just written was read back"))
    folder = two_stories(tmp_path, settings)
    monkeypatch.undo()
    grouped = []
    real = duplicates.group
    monkeypatch.setattr(duplicates, "group", lambda *args: grouped.append(args) or real(*args))
    again = build_index(folder, settings=settings)
    assert again.unchanged == 2 and again.near_duplicates == 0 and not grouped

    lines = (folder / "wire.jsonl").read_text(encoding="utf-8").splitlines()
    copy = {**json.loads(lines[0]), "source": "Another Outlet"}  # the first story, syndicated
    (folder / "wire.jsonl").write_text("\n".join(lines + [json.dumps(copy)]) + "\n", encoding="utf-8")
    report = build_index(folder, settings=settings)
    assert report.added == 1 and report.near_duplicates == 2 and len(grouped) == 1
    again = build_index(folder, settings=settings)
    assert again.unchanged == 3 and again.near_duplicates == 2 and len(grouped) == 1
    groups = {m["article_id"]: m.get("dup_group", "") for m in Store.open(settings).described()}
    assert groups["wire.jsonl#0"] == groups["wire.jsonl#2"] == "wire.jsonl#0" and groups["wire.jsonl#1"] == ""

    stricter = build_index(folder, settings=settings.with_(duplicate_threshold=0.99))  # another threshold
    assert stricter.near_duplicates == 2 and len(grouped) == 2
    full = build_index(folder, settings=settings.with_(duplicate_threshold=0.99), full=True)  # --full: always
    assert full.near_duplicates == 2 and len(grouped) == 3

    # removed, then put back at the same version by a run killed before it grouped: the stamp
    # went with the removal, so the next run groups again
    store = Store.open(settings)
    store.remove_article("wire.jsonl#2")
    assert not store.info.get(GROUPED)
    again = build_index(folder, settings=settings.with_(duplicate_threshold=0.99))
    assert again.added == 1 and again.near_duplicates == 2 and len(grouped) == 4


def test_signatures_of_an_older_hashing_scheme_are_computed_again(tmp_path, settings):
    folder = two_stories(tmp_path, settings)
    store = Store.open(settings)
    first = first_chunks(store)
    # as scheme 1 could leave them: equal signatures for articles that are not copies
    same = duplicates.encode(duplicates.signature("one phrase the two stories share"))
    store.chunks.update(ids=[chunk_record_id(a, store.committed()[a], 0) for a in first],
                        metadatas=[{"minhash": f"1:{same}"}] * len(first))
    grouped_before_stamps(store)
    again = build_index(folder, settings=settings)
    assert again.unchanged == 2 and again.near_duplicates == 0
    assert all(m["minhash"].startswith(f"{duplicates.SCHEME}:") for m in first_chunks(Store.open(settings)).values())


def test_signatures_missing_from_the_chunks_are_computed_and_the_old_collection_dropped(tmp_path, settings):
    folder = two_stories(tmp_path, settings)
    store = Store.open(settings)
    # as layout 5 left it: signatures in a collection of their own, none in the chunks
    legacy = store.client.get_or_create_collection(f"{store.prefix}-signatures", embedding_function=None)
    legacy.add(ids=["wire.jsonl#0"], embeddings=[[0.0]], metadatas=[{"version": "old", "scheme": "2"}])
    store.chunks.update(ids=[chunk_record_id(a, v, 0) for a, v in store.committed().items()],
                        metadatas=[{"minhash": None}] * 2)
    assert not any("minhash" in m for m in first_chunks(store).values())
    grouped_before_stamps(store)
    again = build_index(folder, settings=settings)
    assert again.unchanged == 2
    store = Store.open(settings)
    assert all(m["minhash"].startswith(f"{duplicates.SCHEME}:") for m in first_chunks(store).values())
    assert f"{store.prefix}-signatures" not in {c.name for c in store.client.list_collections()}


def test_an_index_that_kept_signatures_in_the_article_metadata_moves_them_on_the_next_build(tmp_path, settings):
    folder = tmp_path / "wire"
    folder.mkdir()
    story = json.loads((NEWS / "talks.jsonl").read_text(encoding="utf-8").splitlines()[4])
    copy = {**story, "source": "Harbour Times", "title": "Kyiv ready to accept 30-day truce", "published": "2025-03-12"}
    (folder / "wire.jsonl").write_text(json.dumps(story) + "\n" + json.dumps(copy) + "\n", encoding="utf-8")
    build_index(folder, settings=settings)
    store = Store.open(settings)
    # as layout 3 left it: the signature in the article metadata, none of its own
    texts = store.article_texts(["wire.jsonl#0", "wire.jsonl#1"])
    store.articles.update(ids=list(texts), metadatas=[{"minhash": duplicates.encode(duplicates.signature(t))}
                                                       for t in texts.values()])
    store.chunks.update(ids=[chunk_record_id(a, v, 0) for a, v in store.committed().items()],
                        metadatas=[{"minhash": None}] * 2)
    assert all("minhash" in m for m in store.described())
    grouped_before_stamps(store)
    again = build_index(folder, settings=settings)
    assert again.unchanged == 2 and again.near_duplicates == 2
    described = Store.open(settings).described()
    assert not any("minhash" in m for m in described)
    assert {m["dup_group"] for m in described} == {"wire.jsonl#0"}
    assert all(m["minhash"].startswith(f"{duplicates.SCHEME}:") for m in first_chunks(Store.open(settings)).values())


def test_the_sentences_compared_across_copies_are_exactly_the_indexed_ones(news, tmp_path):
    """A copy's sentences (what a cited sentence is compared with) are its text at the
    offsets the build stored, in order; an edited copy is read again under its new version."""
    from assistant.retrieval import HybridSearch

    settings, _ = news
    search = HybridSearch(settings)
    texts = article_texts(settings)
    store = Store.open(settings)
    for article_id in (COPY, CORRECTED):
        version = store.committed()[article_id]
        spans = list(store.sentence_spans({"$and": [{"article_id": article_id}, {"version": version}]}).values())
        expected = [texts[article_id][s:e] for s, e in sorted(spans)]
        assert len(expected) > 3 and search.article_sentences(article_id) == expected
        assert search.article_sentences(article_id) == expected  # remembered: the same list again
    assert search.article_sentences("no such article") == []

    # an edit gives a new version: its sentences are read again, not the remembered ones
    folder = tmp_path / "news"
    shutil.copytree(NEWS, folder)
    edited = settings.with_(data_dir=tmp_path / "data")
    build_index(folder, settings=edited)
    lines = (folder / "talks.jsonl").read_text().splitlines()
    record = json.loads(lines[2])
    record["text"] += "\n\nA closing paragraph was added by the editor."
    lines[2] = json.dumps(record)
    (folder / "talks.jsonl").write_text("\n".join(lines) + "\n")
    search = HybridSearch(edited)
    before = search.article_sentences(COPY)
    build_index(folder, settings=edited)
    search.refresh()
    after = search.article_sentences(COPY)
    assert after[:len(before)] == before and after[-1] == "A closing paragraph was added by the editor."
