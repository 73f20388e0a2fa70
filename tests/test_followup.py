"""Follow-up questions become standalone without an LLM; standalone questions are left alone."""

import pytest

from assistant import standalone_question


@pytest.mark.parametrize("history, question, expected", [
    ([("What did Zelensky say about the ceasefire?", "...")], "What did he say about Kursk?",
     "What did Zelensky say about Kursk?"),
    ([("What did Trump post on Truth Social?", "...")], "And Zelensky?", "What did Zelensky post on Truth Social?"),
    ([("How many troops are in Kursk?", "...")], "What about Sumy?", "How many troops are in Sumy?"),
    ([("What did Zelensky say about Kursk?", "...")], "And in Sumy?", "What did Zelensky say about Sumy?"),
    ([("What did Zelensky say about Kursk?", "...")], "What about Putin?", "What did Putin say about Kursk?"),
    ([("Who is Keir Starmer?", "..."), ("What did he say about the Kremlin?", "...")], "What did he warn against?",
     "What did Keir Starmer warn against?"),
    ([("What did Keir Starmer say?", "...")], "What was his warning?", "What was Keir Starmer's warning?"),
])
def test_a_follow_up_takes_its_subject_from_the_conversation(history, question, expected):
    assert standalone_question(question, history) == expected


def test_other_references_keep_the_wording_and_gain_the_context():
    rewritten = standalone_question("When did it happen?", [("When did Russia launch its invasion of Ukraine?", "")])
    assert rewritten.startswith("When did it happen? (") and {"Russia", "Ukraine", "invasion"} <= set(
        rewritten[rewritten.index("(") + 1:-1].split(", "))


@pytest.mark.parametrize("question", ["Who won the 2024 Super Bowl?", "Which region ordered villages to be evacuated?",
                                      "How much of Ukraine's territory does Russia occupy?"])
def test_a_question_that_stands_alone_is_searched_as_asked(question):
    history = [("What did Keir Starmer say about the Kremlin?", "He accused it of disregarding the proposal [1].")]
    assert standalone_question(question, history) == question


def test_without_history_nothing_changes():
    assert standalone_question("What did he say?", None) == "What did he say?"
    assert standalone_question("What did he say?", []) == "What did he say?"
