"""Dates in questions and sentences are read with rules: no LLM, no network."""

from datetime import date

import pytest

from assistant.news.dates import DateQuery, find_dates, question_dates, without_order_words

TODAY = date(2026, 11, 25)  # a Wednesday
PUBLISHED = date(2025, 3, 14)  # a Friday: the sample articles report Thursday's talks


@pytest.mark.parametrize("question, since, until", [
    ("What happened in 2024?", date(2024, 1, 1), date(2024, 12, 31)),
    ("What did Zelensky say in December 2024?", date(2024, 12, 1), date(2024, 12, 31)),
    ("What was said on 14 March 2025?", date(2025, 3, 14), date(2025, 3, 14)),
    ("What happened after March 10, 2025?", date(2025, 3, 11), None),
    ("Any news since 1 March 2025?", date(2025, 3, 1), None),
    ("What was reported before 2025-03-13?", None, date(2025, 3, 12)),
    ("What was known until March 2025?", None, date(2025, 3, 31)),
    ("What happened between March 1 and March 20, 2025?", date(2025, 3, 1), date(2025, 3, 20)),
    ("What did Trump say last week?", date(2026, 11, 16), date(2026, 11, 22)),
    ("What happened in the past 3 days?", date(2026, 11, 22), TODAY),
    ("What did Putin say yesterday?", date(2026, 11, 24), date(2026, 11, 24)),
    ("What happened in March?", date(2026, 3, 1), date(2026, 3, 31)),
])
def test_a_question_s_dates_become_a_range_of_days(question, since, until):
    asked = question_dates(question, TODAY)
    assert (asked.since, asked.until) == (since, until)
    assert asked.phrase and asked.phrase in question


@pytest.mark.parametrize("question, order", [
    ("What is the latest on the ceasefire talks?", "latest"),
    ("What did the most recent report say?", "latest"),
    ("Who first reported the meeting?", "earliest"),
    ("What was the earliest account of the talks?", "earliest"),
    ("What was the first state to join the union?", ""),  # "first" that is not about reporting
    ("Who did Trump send to meet Putin?", ""),
])
def test_order_words_ask_for_the_newest_or_the_oldest_evidence(question, order):
    assert question_dates(question, TODAY).order == order


@pytest.mark.parametrize("question", ["Who won the 2024 Super Bowl?", "How many of the 2000 troops returned?",
                                      "It may rain", "Who met Putin in Moscow?"])
def test_numbers_and_names_that_are_not_dates_are_left_alone(question):
    assert not question_dates(question, TODAY).bounded


def test_sentences_relative_dates_are_resolved_against_the_published_day():
    said = {m.text: m.label for m in find_dates(
        "Witkoff met Putin late on Thursday; Trump said on Friday that talks went well. "
        "Earlier this week, Ukraine agreed. Two days ago the envoy landed. Russia invaded in February 2022, "
        "and Zelensky spoke in December 2024 and on 10 March.", PUBLISHED)}
    assert said == {"late on Thursday": "2025-03-13", "on Friday": "2025-03-14",
                    "Earlier this week": "week of 2025-03-10", "Two days ago": "2025-03-12",
                    "February 2022": "February 2022", "December 2024": "December 2024", "10 March": "2025-03-10"}


def test_relative_dates_need_a_reference_and_counts_are_not_years():
    assert [m.label for m in find_dates("On Thursday, in February 2022, 95,000 and 2000 troops", None)] \
        == ["February 2022"]
    assert find_dates("He may 3 times", PUBLISHED) == []


def test_a_query_knows_which_ranges_it_overlaps():
    march = DateQuery(date(2025, 3, 1), date(2025, 3, 31))
    assert march.contains(date(2025, 3, 14), date(2025, 3, 14))
    assert march.contains(date(2025, 1, 1), date(2025, 12, 31))  # "in 2025" overlaps March
    assert not march.contains(date(2024, 12, 1), date(2024, 12, 31))
    assert march.describe() == "from 2025-03-01 to 2025-03-31"
    assert march.until_ts() - march.since_ts() == 31 * 86400 - 1


@pytest.mark.parametrize("question, topic", [
    ("What is the latest on the ceasefire?", "What is the ceasefire?"),
    ("What is the most recent news about the ceasefire talks?", "What is the ceasefire talks?"),
    ("Who first reported the ceasefire proposal?", "Who the ceasefire proposal?"),
    ("What has Putin said recently?", "What has Putin said?"),
    ("What was the earliest account of the talks?", "What was the talks?"),
    ("What is the latest?", "What is the latest?"),  # nothing would be left to search for
])
def test_order_words_are_a_sort_not_a_topic(question, topic):
    assert without_order_words(question) == topic
