"""Briefings on a real index: the news test corpus (the March 2025 ceasefire talks: six
articles, a syndicated copy and a correction among them) beside three SQuAD topics, each
cut into three reports filed on different days by different outlets."""

import json
import shutil
from datetime import date

import numpy as np
import pytest

from assistant.answering import Assistant
from assistant.news.stories import StoryIndex
from assistant.pipeline.briefing import collection_question
from index import Settings, build_index
from index.text import content_terms

from .conftest import REPO, article_texts, check_invariants, squad_articles

pytestmark = pytest.mark.slow

NEWS = REPO / "tests" / "data" / "news" / "talks.jsonl"
TALKS = {f"talks.jsonl#{n}" for n in range(6)}
TOPICS = ("Super_Bowl_50.json", "Black_Death.json", "Oxygen.json")
OUTLETS = ("Northern Ledger", "City Wire", "Evening Courier")


def reports(record: dict, day: int) -> list[dict]:
    """Three reports of one topic: two paragraphs each, from the start, middle and end."""
    parts = [p for p in record["text"].split("\n\n") if len(p.split()) >= 20]
    third = len(parts) // 3
    return [{"title": parts[i * third].split(". ")[0][:80], "text": "\n\n".join(parts[i * third:i * third + 2]),
             "source": OUTLETS[i], "published": f"2025-03-{day + i:02d}"} for i in range(3)]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("briefing") / "articles"
    folder.mkdir()
    shutil.copy(NEWS, folder / NEWS.name)
    records = {r["name"]: r for r in squad_articles()}
    labels = {a: "talks" for a in TALKS}
    for n, name in enumerate(TOPICS):
        for i, report in enumerate(reports(records[name], 1 + 2 * n)):
            (folder / f"{name[:-5]}-{i}.json").write_text(json.dumps(report))
            labels[f"{name[:-5]}-{i}.json"] = name
    settings = Settings.load(env={}, data_dir=folder.parent / "data")
    build_index(folder, settings=settings)
    return folder, settings, labels


@pytest.fixture(scope="module")
def assistant(corpus):
    return Assistant(corpus[1])


def test_each_story_is_found_with_its_outlets_and_dates(assistant, corpus):
    _, _, labels = corpus
    stories = StoryIndex(assistant.search, assistant.settings.story_threshold).stories()
    by_label = {}
    for story in stories:
        assert len({labels[a] for a in story.article_ids}) == 1, story  # no story mixes two topics
        by_label.setdefault(labels[story.article_ids[0]], []).append(story)
    # every story is found: one story holds most of its reports (a report on a far corner of a
    # topic, such as the Super Bowl's advertising rates, may stand on its own)
    for label, found in by_label.items():
        reports = sum(len(s.article_ids) for s in found)
        assert 2 * max(len(s.article_ids) for s in found) > reports, (label, [s.article_ids for s in found])
    assert len(by_label["talks"]) == 1
    talks = by_label["talks"][0]
    assert set(talks.article_ids) == TALKS
    assert (talks.first, talks.last) == ("2025-03-11", "2025-03-18")
    assert set(talks.outlets) == {"Harbour Times", "Test Wire"} and talks.copies == 2
    assert talks.headline and stories[0] == talks  # the biggest story comes first


def test_a_new_article_joins_its_story_without_clustering_again(corpus, tmp_path):
    folder = corpus[0]
    copy = tmp_path / "articles"
    shutil.copytree(folder, copy)
    late = copy / "Oxygen-2.json"
    held_back = late.read_text()
    late.unlink()
    settings = Settings.load(env={}, data_dir=tmp_path / "data")
    build_index(copy, settings=settings)
    stories = StoryIndex(Assistant(settings).search, settings.story_threshold)
    before = stories.stories()
    late.write_text(held_back)
    build_index(copy, settings=settings)
    stories.search.refresh()
    after = stories.stories()
    assert (stories.full_runs, stories.updates) == (1, 1)
    joined = stories.story_of("Oxygen-2.json")
    assert set(joined.article_ids) == {"Oxygen-0.json", "Oxygen-1.json", "Oxygen-2.json"}
    assert len(after) == len(before)
    assert stories.stories() is after  # nothing changed since: nothing recomputed


@pytest.mark.parametrize("question, kind, topic", [
    ("Summarize the articles", "collection", ""),
    ("summarise all the news", "collection", ""),
    ("What are the main stories?", "collection", ""),
    ("Give me a briefing", "collection", ""),
    ("What's new since Monday?", "range", ""),
    ("What happened today?", "range", ""),
    ("What happened this week?", "range", ""),
    ("Summarize the coverage of the ceasefire talks", "story", "the ceasefire talks"),
    ("Give me a briefing on the Black Death", "story", "the Black Death"),
    ("What are the top stories about oxygen?", "story", "oxygen"),
])
def test_questions_about_the_collection_are_recognised(question, kind, topic):
    asked = collection_question(question, today=date(2025, 3, 19))
    assert asked is not None and (asked.kind, asked.topic) == (kind, topic)


@pytest.mark.parametrize("question", [
    "Who did Trump send to meet Putin in Moscow?", "What happened to the Ukrainian troops in Kursk?",
    "How did the ceasefire talks unfold?", "What is the latest on the ceasefire?",
    "What did Zelensky say about the news?", "Which stories did the BBC report about oxygen?",
])
def test_other_questions_are_not_briefings(question):
    assert collection_question(question) is None


def sentences_of(result) -> list[str]:
    return [c.passage[s - c.start:e - c.start] for c in result.citations for s, e in c.highlights]


def test_a_briefing_of_the_collection_cites_every_story_once_and_never_repeats(assistant, corpus):
    result = assistant.answer("Summarize the articles")
    check_invariants(result, article_texts(corpus[1]))
    assert result.mode == "briefing" and not result.abstained and len(result.stories) >= 4
    assert result.stories[0].article_ids and set(result.stories[0].article_ids) == TALKS
    numbers = [n for story in result.stories for n in story.numbers]
    assert all(story.numbers for story in result.stories) and len(numbers) == len(set(numbers))
    for story in result.stories:
        assert story.text in result.text and story.headline in result.text
        assert 1 <= story.text.count("[") <= 3
    said = sentences_of(result)
    for i, a in enumerate(said):  # no two sentences say nearly the same thing
        for b in said[i + 1:]:
            ta, tb = set(content_terms(a)), set(content_terms(b))
            assert len(ta & tb) / len(ta | tb) < 0.5, (a, b)
    vectors = assistant.search.embed(said)
    similarity = vectors @ vectors.T
    assert (similarity[np.triu_indices(len(said), 1)] < 0.9).all()


def test_whats_new_since_a_date_brings_only_the_stories_published_since(assistant):
    result = assistant.answer("What's new since March 15, 2025?")
    assert result.mode == "briefing" and "2025-03-15" in result.notice
    assert [set(s.article_ids) for s in result.stories] == [{"talks.jsonl#3", "talks.jsonl#5"}]
    assert {c.article_id for c in result.citations} <= {"talks.jsonl#3", "talks.jsonl#5"}


def test_a_range_with_no_article_says_so_and_gives_the_main_stories(assistant):
    result = assistant.answer("What happened in January 2025?")
    assert result.mode == "briefing" and result.notice.startswith("No article was published")
    assert "2025-03-18" in result.notice and len(result.stories) >= 4


def test_the_coverage_of_one_story_in_depth_in_date_order_with_its_correction(assistant, corpus):
    result = assistant.answer("Summarize the coverage of the ceasefire talks")
    check_invariants(result, article_texts(corpus[1]))
    assert len(result.stories) == 1 and set(result.stories[0].article_ids) == TALKS
    days = [line.split(":")[0] for line in result.text.splitlines()[1:] if line[:4].isdigit()]
    assert len(days) >= 4 and days == sorted(days)
    assert {c.article_id for c in result.citations} <= TALKS
    revision = result.revisions[0]  # the correction of the meeting's time
    assert revision.says == "met Putin on Thursday evening to deliberate"
    assert revision.other_says == "met Putin late on Thursday to deliberate"
    assert f"[{revision.number}] was updated" in result.text


def test_briefing_mode_on_any_words_tells_the_story_they_name(assistant):
    result = assistant.answer("the plague in Europe", mode="briefing")
    assert len(result.stories) == 1 and all(a.startswith("Black_Death") for a in result.stories[0].article_ids)
    assert assistant.answer("Summarize the coverage of quantum chromodynamics").abstained


def test_outlet_filters_hold_in_a_briefing(assistant):
    result = assistant.answer("Give me a briefing", source="Test Wire")
    assert [set(s.article_ids) for s in result.stories] == [{"talks.jsonl#4", "talks.jsonl#5"}]
    assert {c.source for c in result.citations} == {"Test Wire"}


def test_the_briefing_button_shows_the_stories_as_sections(corpus):
    from assistant.present.page import ChatPage

    *_, last = ChatPage(corpus[1]).brief("", [], [], "extractive", 5, [], "", "")
    _, chat, _, cards, shown = last
    assert chat[0]["content"] == "Give me a briefing" and shown["mode"] == "briefing"
    sections = chat[-1]["content"].split("#### ")[1:]
    assert len(sections) == len(shown["stories"]) >= 4
    for section, story in zip(sections, shown["stories"]):
        assert section.startswith(story["headline"][:20])
        assert all(f"(#cite-0-{n})" in section for n in story["numbers"])
    assert "cite-0-1" in cards


@pytest.mark.parametrize("question", ["", "   ", "\u202e\u200bbriefing\u0000", "<script>alert(1)</script>",
                                      "what's new since " + "x" * 3000, "?" * 100])
def test_odd_input_in_briefing_mode_gets_an_answer_not_a_traceback(assistant, corpus, question):
    result = assistant.answer(question, mode="briefing")
    assert result.mode == "briefing" and result.text
    check_invariants(result, article_texts(corpus[1]))


def test_the_blocked_single_pass_places_every_article_as_one_by_one_would():
    from assistant.news.stories import Clusters

    rng = np.random.default_rng(4)
    centres = rng.standard_normal((40, 384))
    vectors = [(f"a{n}", centres[n % 40] + rng.standard_normal(384) * 0.05) for n in range(700)]
    one_by_one, blocked = Clusters(threshold=0.4, dim=384), Clusters(threshold=0.4, dim=384)
    for unit, vector in vectors:
        one_by_one.add(unit, vector)
    blocked.add_many(vectors)
    assert blocked.story_of == one_by_one.story_of and len(blocked.members) == 40


def test_a_collection_question_in_llm_mode_is_a_briefing_the_llm_never_sees(corpus):
    from langchain_core.language_models.fake_chat_models import FakeListChatModel

    model = FakeListChatModel(responses=["The articles say nothing. [1]"])
    result = Assistant(corpus[1], chat_model=model).answer("Summarize the articles", mode="llm")
    assert result.mode == "briefing" and len(result.stories) >= 4 and model.i == 0
    check_invariants(result, article_texts(corpus[1]))
