"""Knowing when the articles do not say: what a question asks for, whether a sentence holds
it, the confidence over that evidence, and abstention on a real index."""

from __future__ import annotations

import pytest

from assistant.answering import Assistant
from assistant.answers import ABSTAIN_TEXT
from assistant.pipeline.answer_type import AnswerType, candidates, expected_type, holds, people
from assistant.pipeline.confidence import CALIBRATION, Evidence, confidence, missing_names
from index import build_index


@pytest.mark.parametrize("question, wanted", [
    ("Who did Trump send to meet Putin in Moscow?", AnswerType.PERSON),
    ("Whose troops are surrounded in Kursk?", AnswerType.PERSON),
    ("Which newspaper reported on Witkoff's meeting with Putin?", AnswerType.ORGANISATION),
    ("What team won Super Bowl 50?", AnswerType.ORGANISATION),
    ("Where did Witkoff meet Putin?", AnswerType.PLACE),
    ("Which region ordered villages to be evacuated?", AnswerType.PLACE),
    ("When did Russia launch its invasion?", AnswerType.DATE),
    ("In what year did Tesla die?", AnswerType.DATE),
    ("How many Russian combatants have been reported killed?", AnswerType.NUMBER),
    ("How much of Ukraine's territory does Russia occupy?", AnswerType.NUMBER),
    ("What percentage of the rainforest is in Brazil?", AnswerType.NUMBER),
    ("What is the population of Fresno?", AnswerType.NUMBER),
    ("How long is the ceasefire that Putin signaled openness to?", AnswerType.DURATION),
    ("Why did Starmer accuse the Kremlin?", AnswerType.REASON),
    ("What is a ctenophore?", AnswerType.DEFINITION),
    ("What does Huguenot mean?", AnswerType.DEFINITION),
    ("Did Putin agree to the ceasefire?", AnswerType.YES_NO),
    ("What did Keir Starmer warn against?", AnswerType.OTHER),
])
def test_the_expected_answer_type_is_read_from_the_question(question, wanted):
    assert expected_type(question) is wanted


def test_a_how_many_question_is_not_answered_by_a_sentence_without_a_figure_of_what_it_counts():
    question = "How many villages were evacuated in Sumy?"
    assert holds("Authorities ordered the evacuation of twelve villages on Friday.", question, AnswerType.NUMBER)
    assert not holds("Authorities ordered the evacuation of several villages on Friday.", question,
                     AnswerType.NUMBER)
    # a figure of something else, a year and a date's day are not the count asked for
    assert not holds("In March 2025, 20% of the region's roads were closed.", question, AnswerType.NUMBER)


def test_a_figure_the_question_already_names_is_not_an_answer():
    question = "How many tickets were sold for Super Bowl 50?"
    assert not holds("Super Bowl 50 was played at Levi's Stadium.", question, AnswerType.NUMBER)


def test_a_who_question_needs_someone_the_question_does_not_already_name():
    question = "Who did Trump send to meet Putin?"
    assert candidates("Trump’s envoy, Steve Witkoff, met Putin in Moscow.", question, AnswerType.PERSON) == [
        "Steve Witkoff"]
    assert not holds("Trump said Putin was ready to talk.", question, AnswerType.PERSON)
    # a role is not its holder, and a place after "in" is not a person
    assert not holds("The mayor of Warsaw is called President.", "Who is the mayor of Warsaw?", AnswerType.PERSON)
    assert people("He moved to London in 1884.") == []


def test_a_when_question_needs_a_date_and_may_is_a_verb_before_it_is_a_month():
    question = "When did Witkoff meet Putin?"
    assert holds("Witkoff met Putin on 13 March 2025.", question, AnswerType.DATE)
    assert holds("Witkoff first met Putin in the 21st century.", question, AnswerType.DATE)
    assert not holds("Witkoff may meet Putin again soon.", question, AnswerType.DATE)


def test_a_how_much_money_question_needs_an_amount_of_money():
    question = "How much did Sky pay for the Premier League rights?"
    assert candidates("Sky picked up the remaining four packages for £1.3bn.", question, AnswerType.NUMBER) == [
        "£1.3bn"]
    assert not holds("Sky picked up four of the six packages.", question, AnswerType.NUMBER)


def test_unchecked_types_say_nothing_either_way():
    assert holds("Starmer warned against letting Putin play games.", "What did Starmer warn against?",
                 AnswerType.OTHER) is None


def test_names_and_figures_of_the_question_missing_from_the_passage_are_listed():
    passage = "Maria Skłodowska-Curie was born in Warsaw in 1867."
    assert missing_names("Where was Maria Sklodowska-Curie born in 1867?", passage) == []
    assert missing_names("Who was the mayor of Warsaw in 2010?", passage) == ["2010"]


def test_each_kind_of_evidence_against_answering_lowers_the_confidence():
    sure = Evidence(score=1.0, type_missing=False, missing_rare=0.0, missing_names=0, unknown=0.0)
    base = confidence(sure, CALIBRATION)
    assert 0.0 < base < 1.0
    for worse in (Evidence(score=0.8, type_missing=False, missing_rare=0.0, missing_names=0, unknown=0.0),
                  Evidence(score=1.0, type_missing=True, missing_rare=0.0, missing_names=0, unknown=0.0),
                  Evidence(score=1.0, type_missing=False, missing_rare=0.5, missing_names=0, unknown=0.0),
                  Evidence(score=1.0, type_missing=False, missing_rare=0.0, missing_names=1, unknown=0.0),
                  Evidence(score=1.0, type_missing=False, missing_rare=0.0, missing_names=0, unknown=0.5)):
        assert confidence(worse, CALIBRATION) < base


@pytest.fixture
def sample_assistant(sample_folder, settings):
    build_index(sample_folder, settings=settings)
    return Assistant(settings)


@pytest.mark.parametrize("answerable, near_topic, gold", [
    ("Who is the US National Security Adviser mentioned?", "Who is the Kremlin's foreign policy adviser?", "Waltz"),
    ("How many Russian combatants have been reported killed?",
     "How many Ukrainian civilians have been killed in the war?", "95,000"),
    ("Who did Trump send to meet Putin in Moscow?", "Who did Trump send to meet Zelensky in Kyiv?", "Witkoff"),
])
def test_a_near_topic_question_abstains_while_its_answerable_twin_is_answered(sample_assistant, answerable,
                                                                              near_topic, gold):
    answered = sample_assistant.answer(answerable)
    assert not answered.abstained and gold in answered.text
    assert answered.confidence >= CALIBRATION.threshold
    declined = sample_assistant.answer(near_topic)
    assert declined.abstained and declined.text.startswith(ABSTAIN_TEXT)
    assert declined.confidence < answered.confidence
    # the abstention still shows where to look: the closest passages, cited
    assert declined.citations and "Possibly related" in declined.text
