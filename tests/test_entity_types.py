"""bench/entity_types.py compares answer-type checks by re-judging recorded evidence with each: with
the rules' check it must give the assistant's own verdicts, or the comparison would measure itself."""

from __future__ import annotations

import sys

import pytest

from assistant.answering import Assistant
from assistant.pipeline.answer_type import candidates
from index import build_index

from .helpers import REPO

sys.path.insert(0, str(REPO / "bench"))

QUESTIONS = [
    {"question": "Who did Trump send to meet Putin in Moscow?", "answers": ["Witkoff"], "file": "questions.jsonl"},
    {"question": "How many Russian combatants have been reported killed?", "answers": ["95,000"],
     "file": "questions.jsonl"},
    {"question": "Who did Trump send to meet Zelensky in Kyiv?", "unanswerable": True, "kind": "near-topic"},
    {"question": "How many Ukrainian civilians have been killed in the war?", "unanswerable": True,
     "kind": "near-topic"},
]


@pytest.fixture
def recorded(sample_folder, settings):
    import entity_types

    build_index(sample_folder, settings=settings)
    return entity_types.record(Assistant(settings), QUESTIONS)


def test_the_rules_rejudged_give_the_assistants_own_verdicts(recorded):
    from entity_types import verdict

    assert [r["answered"] for r in recorded] == [True, True, False, False]
    assert [verdict(r, candidates)[0] for r in recorded] == [r["answered"] for r in recorded]


def test_a_check_that_finds_nothing_counts_against_every_sentence(recorded):
    from entity_types import tallies, verdict

    def nothing(*_):
        return []

    for row in recorded:
        assert verdict(row, nothing)[1] <= verdict(row, candidates)[1]
        if row["answered"]:  # the rules found the type there: a check finding none lowers the confidence
            assert verdict(row, nothing)[1] < verdict(row, candidates)[1]
    assert tallies(recorded, candidates)["recall"] == {"person": [1, 1], "number": [1, 1]}
    assert tallies(recorded, nothing)["recall"] == {"person": [0, 1], "number": [0, 1]}
    assert tallies(recorded, nothing)["near lead"] == {"person": [0, 1], "number": [0, 1]}
