"""The fast tier: every branch of the answer pipeline, against a corpus held in memory.

The steps depend on the `Corpus` protocol, not on Chroma, so each branch (answer, abstain,
empty index, empty question, timeline and its fallback, dates, copies that differ, sources
that differ, the LLM path and its fallbacks, streaming) runs here in seconds, with the real
model's vectors. The same promises are tested on real indexes in test_answering.py,
test_chain.py and test_news.py.
"""

from __future__ import annotations

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from assistant import AnswerMode, AssistantError, InvalidRequest
from assistant.answering import Assistant
from assistant.answers import ABSTAIN_TEXT, UNSUPPORTED_MARK
from index import Settings

from .helpers import MemoryCorpus, check_invariants

ARTICLES = [
    {"id": "talks.txt", "title": "Envoy meets Putin", "source": "Wire A", "published": "2025-03-14",
     "text": "Steve Witkoff met Vladimir Putin in Moscow on Thursday evening.\n\n"
             "The meeting lasted more than three hours, the Kremlin said.\n\n"
             "Kremlin aide Yuri Ushakov called the talks constructive."},
    {"id": "sumy-a.txt", "title": "Drones strike Sumy", "source": "Daily B", "published": "2025-03-10",
     "text": "Russian drones struck the city of Sumy overnight.\n\n"
             "Regional officials said 12 people were injured in the attack on Sumy.", "group": "sumy"},
    {"id": "sumy-b.txt", "title": "Sumy hit by drones", "source": "Daily B", "published": "2025-03-11",
     "text": "Russian drones struck the city of Sumy overnight.\n\n"
             "Regional officials said 15 people were injured in the attack on Sumy.", "group": "sumy"},
    {"id": "ceasefire.txt", "title": "How the ceasefire plan unfolded", "source": "Courier C",
     "published": "2025-03-20",
     "text": "On 11 March 2025, Ukraine backed a 30-day ceasefire proposal at talks in Jeddah.\n\n"
             "On 13 March 2025, Putin said he supported the ceasefire proposal in principle.\n\n"
             "On 18 March 2025, Trump and Putin discussed the ceasefire proposal by phone."},
    {"id": "port-a.txt", "title": "Port fire", "source": "Harbour Times", "published": "2025-02-02",
     "text": "The fire at the grain port destroyed four warehouses, the harbour master said."},
    {"id": "port-b.txt", "title": "Blaze at grain port", "source": "Coast News", "published": "2025-02-02",
     "text": "The fire at the grain port destroyed nine warehouses, the harbour master said."},
    {"id": "note.txt", "title": "Harbour note",
     "text": "The harbour master resigned after the inquiry into the grain port fire."},
]


@pytest.fixture(scope="module")
def corpus():
    return MemoryCorpus(ARTICLES)


@pytest.fixture
def assistant(corpus, settings):
    return Assistant(settings, corpus=corpus)


def texts(corpus):
    return corpus.article_texts(list(corpus.texts))


def test_a_question_the_articles_answer_gets_a_cited_sentence(assistant, corpus):
    result = assistant.answer("Who met Vladimir Putin in Moscow?")
    assert not result.abstained and result.mode == AnswerMode.EXTRACTIVE
    assert "Steve Witkoff met Vladimir Putin in Moscow" in result.text
    check_invariants(result, texts(corpus))
    assert result.citations[0].article_id == "talks.txt"


def test_a_question_off_the_articles_abstains_with_possibly_related_passages(assistant, corpus):
    result = assistant.answer("What is the best recipe for banana bread with walnuts?")
    assert result.abstained and result.text.startswith(ABSTAIN_TEXT)
    check_invariants(result, texts(corpus))


def test_an_empty_question_and_an_empty_index_say_so(settings):
    empty = Assistant(settings, corpus=MemoryCorpus([]))
    assert empty.answer("Who met Putin?").text.startswith("The index is empty")
    assert empty.answer("   ").text == "Please ask a question about the articles."


def test_a_timeline_lists_dated_points_in_date_order(assistant):
    result = assistant.answer("How did the ceasefire proposal unfold?")
    assert result.mode == AnswerMode.TIMELINE
    days = [p.day for p in result.timeline if p.day]
    assert days == sorted(days) and len(days) >= 2


def test_a_timeline_of_undated_evidence_says_which_points_have_no_date(assistant):
    result = assistant.answer("Why did the harbour master resign?", mode="timeline")
    assert result.mode == AnswerMode.TIMELINE and not result.abstained
    assert any(p.label == "undated" for p in result.timeline) and "date" in result.notice


def test_dates_in_the_question_limit_the_evidence_and_say_so(assistant):
    result = assistant.answer("What did Putin say about the ceasefire proposal on 13 March 2025?")
    # limited, not the "not limited to those dates" fallback, which the old assertion also accepted
    assert result.notice.startswith("Evidence dated on 2025-03-13"), result.notice
    assert not result.abstained


def test_another_version_of_a_cited_story_with_another_figure_is_reported(assistant):
    result = assistant.answer("How many people were injured in the attack on Sumy?")
    assert result.revisions, result.text
    said = {result.revisions[0].says, result.revisions[0].other_says}
    assert any("12" in s for s in said) and any("15" in s for s in said)


def test_two_outlets_that_state_different_figures_are_said_to_differ(assistant):
    result = assistant.answer("How many warehouses did the fire at the grain port destroy?")
    assert len(result.citations) == 2 and result.disagreements, result.text
    assert "differ" in result.text.lower()


def test_streamed_pieces_join_into_the_final_answer_which_equals_invoke(assistant):
    pieces = list(assistant.stream("Who met Vladimir Putin in Moscow?"))
    final = pieces[-1]
    assert "".join(pieces[:-1]) == final.text
    assert final == assistant.answer("Who met Vladimir Putin in Moscow?")
    answer, hits = assistant.run("Who met Vladimir Putin in Moscow?")
    assert answer == final and hits and hits[0].article_id == "talks.txt"


def test_invoke_and_batch_walk_the_same_steps(assistant):
    one = assistant.chain.invoke({"question": "Who called the talks constructive?"})
    both = assistant.chain.batch([{"question": "Who called the talks constructive?"}, "Who met Putin?"])
    assert both[0] == one and "Ushakov" in one.text


def test_a_bad_option_is_one_error_that_is_both_an_assistant_error_and_a_value_error(assistant):
    for options in ({"mode": "poetry"}, {"k": 0}, {"k": "5"}, {"since": "not a date"}):
        with pytest.raises(InvalidRequest) as raised:
            assistant.answer("Who met Putin?", **options)
        assert isinstance(raised.value, AssistantError) and isinstance(raised.value, ValueError)
    with pytest.raises(InvalidRequest, match="mode must be one of extractive, timeline, llm"):
        assistant.answer("Who met Putin?", mode="poetry")


def test_a_follow_up_is_searched_as_a_standalone_question(assistant):
    result = assistant.answer("How long did it last?", [("Did Witkoff meet Putin in Moscow?", "Yes. [1]")])
    assert "Witkoff" in result.question or "Putin" in result.question, result.question
    assert result.citations[0].article_id == "talks.txt"


def test_a_question_about_the_whole_collection_gets_a_cited_briefing_of_its_stories(assistant, corpus):
    result = assistant.answer("Summarize the articles")
    assert result.mode == AnswerMode.BRIEFING and not result.abstained
    assert len(result.stories) >= 3  # the Moscow talks, the Sumy strike, the ceasefire, the port fire
    sumy = [s for s in result.stories if "sumy-a.txt" in s.article_ids]
    assert sumy and "sumy-b.txt" in sumy[0].article_ids  # copies of one story are one story
    check_invariants(result, texts(corpus))


# -- the LLM path (fake chat models: the plumbing, not an LLM's quality) -----------------

def llm_assistant(settings, corpus, *responses):
    return Assistant(settings, chat_model=FakeListChatModel(responses=list(responses)), corpus=corpus)


def test_an_llm_answer_keeps_only_citations_its_passages_support(settings, corpus):
    helper = llm_assistant(settings, corpus, "Steve Witkoff met Vladimir Putin in Moscow on Thursday [1]. "
                                             "The moon is made of cheese [1].")
    result = helper.answer("Who met Vladimir Putin in Moscow?", mode="llm")
    assert result.mode == AnswerMode.LLM and not result.abstained
    assert UNSUPPORTED_MARK in result.text and result.unsupported == ("The moon is made of cheese.",)
    check_invariants(result, texts(corpus))


def test_an_llm_answer_nothing_supports_falls_back_to_the_articles_with_a_notice(settings, corpus):
    helper = llm_assistant(settings, corpus, "Bananas are yellow [1].")
    result = helper.answer("Who met Vladimir Putin in Moscow?", mode="llm")
    assert result.mode == AnswerMode.EXTRACTIVE and "not supported" in result.notice
    assert "Witkoff" in result.text


def test_an_llm_that_says_the_articles_do_not_answer_abstains(settings, corpus):
    helper = llm_assistant(settings, corpus, ABSTAIN_TEXT)
    result = helper.answer("Who met Vladimir Putin in Moscow?", mode="llm")
    assert result.abstained and result.mode == AnswerMode.LLM


def test_llm_mode_without_a_configured_llm_answers_extractively_with_a_notice(assistant):
    result = assistant.answer("Who met Vladimir Putin in Moscow?", mode="llm")
    assert "No LLM is configured" in result.notice and "Witkoff" in result.text


def test_an_llm_that_fails_gives_the_extractive_answer_with_the_reason(settings, corpus):
    class Broken(FakeListChatModel):
        def _call(self, *args, **kwargs):
            raise ConnectionError("server down")

        def _stream(self, *args, **kwargs):
            raise ConnectionError("server down")

    helper = Assistant(settings, chat_model=Broken(responses=["unused"]), corpus=corpus)
    result = helper.answer("Who met Vladimir Putin in Moscow?", mode="llm")
    assert "The LLM did not answer (ConnectionError: server down)" in result.notice
    streamed = list(helper.stream("Who met Vladimir Putin in Moscow?", mode="llm"))[-1]
    assert streamed.text == result.text and "ConnectionError" in streamed.notice


def test_a_streamed_llm_answer_shows_its_pieces_then_the_checked_answer(settings, corpus):
    helper = llm_assistant(settings, corpus, "Steve Witkoff met Vladimir Putin in Moscow on Thursday [1].")
    pieces = list(helper.stream("Who met Vladimir Putin in Moscow?", mode="llm"))
    assert all(isinstance(p, str) for p in pieces[:-1]) and len(pieces) > 2
    assert pieces[-1].mode == AnswerMode.LLM and pieces[-1].citations


def test_settings_refuse_an_unknown_answer_mode_at_load_with_a_hint():
    from index import ConfigError

    with pytest.raises(ConfigError, match="ASSISTANT_ANSWER_MODE must be one of .*did you mean 'timeline'"):
        Settings.load(env={"ASSISTANT_ANSWER_MODE": "timelines"})


def test_example_questions_come_from_any_corpus_and_are_answered(assistant):
    from assistant.present.examples import example_questions

    suggested = example_questions(assistant)
    assert suggested, "the in-memory corpus names people the page can ask about"
    assert all(not assistant.answer(q).abstained for q in suggested)
