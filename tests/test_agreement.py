"""Sources that differ are flagged without an LLM, and the rules are measured on labelled pairs
(bench/agreement_pairs.jsonl: half of them held out from the writing of the rules)."""

import importlib.util
import json
import sys

import numpy as np
import pytest

from assistant.answers import Revision
from assistant.news.agreement import CitedSentence, check, compare, summary
from assistant.news.names import names, same_name
from assistant.news.versions import change, counterpart, same_version
from assistant.pipeline.scoring import Scored, choose
from assistant.retrieval import Hit, Sentence
from index.text import repeats

from .helpers import REPO

SURROUNDED = ("He also claimed that thousands of Ukrainian troops were “completely surrounded by the Russian "
              "military,” a reference to Russian assertions about Ukrainian forces in the Kursk region—claims "
              "denied by Kyiv and independent analysts.")
DISMISSED = ("However, Ukrainian President Volodymyr Zelensky has dismissed suggestions that his troops in Kursk "
             "are surrounded, merely acknowledging that they are facing \"difficult conditions.\"")


def bench():
    spec = importlib.util.spec_from_file_location("bench_agreement", REPO / "bench" / "agreement.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("split, precision, recall, agree_precision", [
    # floors a little under what was measured (docs/news.md): dev differ 1.00 / 0.98, agree precision 1.00;
    # held out differ 0.98 / 0.85, agree precision 1.00 (a false "agree" is the worst error)
    ("dev", 0.97, 0.9, 0.97),
    ("heldout", 0.95, 0.8, 0.97),
])
def test_differences_are_flagged_with_measured_precision_and_recall(split, precision, recall, agree_precision):
    module = bench()
    rows = module.load_pairs(split)
    assert len(rows) >= 60 and {r["label"] for r in rows} >= {"differ", "agree", "neither"}
    scores = module.scores(rows, "differ")
    assert scores.precision >= precision and scores.recall >= recall, scores
    assert module.scores(rows, "agree").precision >= agree_precision


# the counterfactual snippets of issue 17: one sentence published with another name in one slot
NOBEL = "The 2019 Nobel Prize in Literature was awarded to the Austrian writer {} for his influential work."
FIFA = "The current president is Swiss-Italian {}, who was first elected in 2016."
FILM = "Directed by {}, the film stars Michael Fassbender and Marion Cotillard."


@pytest.mark.parametrize("sentence, first, second", [
    (NOBEL, "Abdulrazak Gurnah", "Peter Handke"),
    (FIFA, "Roger Goodell", "Gianni Infantino"),
    (FILM, "Justin Kurzel", "James Cameron"),
    ("Next year's summit will be held in {}, the organisers said.", "Nairobi", "Addis Ababa"),
    ("The contract was won by {}, the ministry said.", "Siemens", "Alstom"),
    ("Real Madrid will face {} in the semi-final.", "Bayern Munich", "Manchester City"),
    ("The Grammy for album of the year went to {} by Taylor Swift.", "Midnights", "Folklore"),
])
def test_the_same_sentence_with_another_name_in_one_slot_differs_quoting_both(sentence, first, second):
    relation = compare(sentence.format(first), sentence.format(second))
    assert (relation.label, relation.kind) == ("differ", "names")
    assert first in relation.first and second in relation.second


def test_a_name_swapped_in_reworded_sentences_differs():
    relation = compare("Peter Handke won the 2019 Nobel Prize in Literature.",
                       "The 2019 Nobel Prize in Literature was awarded to Abdulrazak Gurnah, the academy said.")
    assert relation.kind == "names" and "Peter Handke" in relation.first and "Abdulrazak Gurnah" in relation.second


def test_the_answer_s_sources_differ_sentence_quotes_both_names_and_never_says_agree():
    cited = [CitedSentence(1, "a.txt", NOBEL.format("Abdulrazak Gurnah")),
             CitedSentence(2, "b.txt", NOBEL.format("Peter Handke")),
             CitedSentence(3, "c.txt", NOBEL.format("Peter Handke"))]
    disagreements, agreements = check(cited)
    assert [(d.first, d.second, d.kind) for d in disagreements] == [(1, 2, "names"), (1, 3, "names")]
    assert [a.numbers for a in agreements] == [(2, 3)]  # the two that name the same laureate
    text = summary(disagreements, agreements)
    assert "[1] says “the Austrian writer Abdulrazak Gurnah”; [2] says “the Austrian writer Peter Handke”" in text
    assert text.endswith("[2] and [3] agree.")  # [1] agrees with nobody


@pytest.mark.parametrize("a, b", [
    ("The bill passed by 312 votes to 290 after a long debate.", "The bill passed by 301 votes to 290 after a long debate."),
    ("Polls close at 8pm local time, the commission said.", "Polls close at 10pm local time, the commission said."),
    ("The unemployment rate rose by 0.3 percentage points.", "The unemployment rate rose by 0.5 percentage points."),
])
def test_a_figure_changed_in_one_slot_differs_even_beside_a_figure_both_share(a, b):
    relation = compare(a, b)
    assert (relation.label, relation.kind) == ("differ", "figures")


@pytest.mark.parametrize("a, b", [
    # other people at another time: other meetings, other prizes, not one fact told twice
    ("Zelensky met Trump in Washington on Monday.", "Zelensky met Macron in Paris on Tuesday."),
    ("The 2019 Nobel Prize in Literature was awarded to Peter Handke.",
     "The 2021 Nobel Prize in Literature was awarded to Abdulrazak Gurnah."),
    ("The German chancellor will visit Washington next week.", "The French president will visit Washington next month."),
    # the same remark from other sources is no difference of fact (nor the same claim)
    ("Germany's foreign minister said the talks had been constructive.",
     "France's foreign minister said the talks had been constructive."),
])
def test_other_people_at_other_times_and_other_speakers_are_neither_a_difference_nor_agreement(a, b):
    assert compare(a, b) is None


@pytest.mark.parametrize("a, b", [
    # a name and its short or transliterated forms
    ("Zelensky said Ukraine would never recognise the occupied territories.",
     "Ukrainian President Volodymyr Zelenskyy said Ukraine would never recognise the occupied territories."),
    ("Volodymyr Zelensky called for more air defence.", "Zelenskiy called for more air defence."),
    ("Turkish President Recep Tayyip Erdoğan called for a ceasefire.", "Erdogan called for a ceasefire, his office said."),
    ("Crown Prince Mohammed bin Salman received the delegation in Riyadh.",
     "Mohammad bin Salman received the delegation in Riyadh."),
    # titles before names
    ("President Trump signed the order on Friday.", "Trump signed the order on Friday, the White House said."),
    ("Prime Minister Keir Starmer announced the housing target on Tuesday.",
     "Mr Starmer announced the housing target on Tuesday."),
    # words opening a sentence are capitalised without being names
    ("Authorities said 14 people died in the landslide.", "Officials said 14 people died in the landslide."),
])
def test_short_transliterated_and_titled_names_and_sentence_openings_are_no_difference(a, b):
    relation = compare(a, b)
    assert relation is not None and relation.label == "agree", relation


@pytest.mark.parametrize("a, b", [
    ("Heavy rain flooded the city centre on Saturday.", "Torrential rain flooded the city centre on Saturday."),
    ("Meanwhile, the central bank kept rates at 4.25%.", "However, the central bank kept rates at 4.25%."),
])
def test_capitalised_words_opening_sentences_are_never_read_as_differing_names(a, b):
    relation = compare(a, b)
    assert relation is None or relation.label != "differ", relation


@pytest.mark.parametrize("a, b", [
    (NOBEL.format("Abdulrazak Gurnah"), NOBEL.format("Peter Handke")),
    ("Ten people were rescued from the flood.", "The flood killed ten people."),  # one figure, other fates
    ("The central bank raised rates by 0.25 percentage points.", "The central bank raised rates by half a "
                                                                 "percentage point."),
    ("Kremlin spokesman Dmitry Peskov acknowledged cautious optimism.",
     "Kremlin spokesman Dmitry Peskov indicated that Putin's stance had moved."),  # only who speaks is shared
])
def test_agreement_needs_the_same_names_and_figures_not_only_the_same_words(a, b):
    relation = compare(a, b)
    assert relation is None or relation.label != "agree", relation


@pytest.mark.parametrize("a, b", [
    ("Apollo Boeing", "Apollo Airbus"), ("Apollo 11", "Apollo 11 landed."), ("İstanbul", "ǅemal Ⅻ"), ("", "The IOC."),
    ("U.S. O'Neill’s", "9/11 —")])
def test_sentences_of_names_only_or_odd_letters_are_compared_without_error(a, b):
    for first, second in ((a, b), (b, a)):
        relation = compare(first, second)
        assert relation is None or relation.label in ("agree", "differ"), relation


@pytest.mark.parametrize("a, b, same", [
    ("Zelensky", "Volodymyr Zelenskyy", True),
    ("Ukraine's", "Ukrainian", True),
    ("IOC", "International Olympic Committee", True),
    ("Navalny", "Alexei Navalnyy", True),
    ("Niger", "Nigeria", False),
    ("Austria", "Australia", False),
    ("World Bank", "World Health Organization", False),
    ("Al-Hilal", "Al-Nassr", False),
])
def test_two_spellings_name_the_same_one_only_when_one_is_a_form_of_the_other(a, b, same):
    [x], [y] = names(f"They met {a} there."), names(f"They met {b} there.")
    assert same_name(x, y) is same


def test_titles_dates_and_sentence_openings_are_not_names_and_speakers_are_marked():
    found = names("On Tuesday President Donald Trump met Putin in Alaska, the Kremlin said.")
    assert [(n.text, n.speaker) for n in found] == [("Donald Trump", False), ("Putin", False), ("Alaska", False),
                                                   ("Kremlin", True)]
    [opening] = names("Heavy rain flooded the town.")
    assert opening.initial  # maybe a name, maybe an ordinary word
    assert not names("Lewis Hamilton won the race.")[0].initial


def test_the_sample_articles_differ_on_whether_the_troops_in_kursk_are_surrounded():
    relation = compare(SURROUNDED, DISMISSED)
    assert relation.label == "differ" and relation.kind == "denial"
    assert "surrounded" in relation.first and "surrounded" in relation.second


@pytest.mark.parametrize("a, b, kind", [
    ("Officials said 12 people were killed in the blast.", "The governor said 15 people died in the blast.",
     "figures"),
    ("The minister resigned on Monday.", "The minister has not resigned, her office said.", "negation"),
    ("The senator said she would vote for the bill.", "The senator said she would vote against the bill.",
     "opposites"),
    ("The report was published in 2023.", "The report was published in 2021.", "dates"),
])
def test_each_kind_of_difference(a, b, kind):
    relation = compare(a, b)
    assert (relation.label, relation.kind) == ("differ", kind)


@pytest.mark.parametrize("a, b", [
    # numbers in words
    ("Three people were killed when the bus overturned.", "Police said 5 people died when the bus overturned."),
    ("Rates rose by a quarter of a percentage point.", "Rates rose by half a percentage point, the bank said."),
    # other nouns for one figure
    ("Around 6,000 employees joined the walkout.", "The union said 9,000 workers joined the walkout."),
    ("Police put the crowd at 3,000.", "Organisers said 12,000 people took part."),
    # one count, fates that exclude each other
    ("Nine miners were killed in the collapse.", "Nine miners were injured in the collapse."),
    ("Three aid workers were released on Monday.", "Three aid workers were killed on Monday."),
])
def test_figures_in_words_other_nouns_and_other_fates_differ(a, b):
    relation = compare(a, b)
    assert (relation.label, relation.kind) == ("differ", "figures"), relation


@pytest.mark.parametrize("a, b", [
    ("The hospital has 400 beds.", "Sixty patients were treated at the hospital."),  # other things counted
    ("Police arrested 15 people at the rally.", "About 5,000 people attended the rally."),  # arrested vs crowd
    ("Four people were killed in the first blast.", "A second blast killed 11 people."),  # other events
    ("Two officials attended the summit.", "The summit lasted two days."),  # same number, other things
    ("Ten people were rescued from the river.", "The flood killed 20 people."),  # rescued is no fate to compare
    # the denied clause says "surrounded"; the other names the troops but says nothing of that
    ("Zelensky dismissed suggestions that his troops in Kursk are surrounded.",
     "He implied that Ukrainian troops in Kursk should surrender."),
])
def test_figures_and_denials_of_other_things_are_not_differences(a, b):
    relation = compare(a, b)
    assert relation is None or relation.label != "differ", relation


def test_a_denial_of_harm_is_contradicted_by_deaths():
    relation = compare("The army denied that any civilians were harmed in the strike.",
                       "Residents said four civilians were killed in the strike.")
    assert (relation.label, relation.kind) == ("differ", "denial")


def test_the_same_fact_in_other_words_agrees_and_unrelated_sentences_are_left_alone():
    assert compare("Inflation fell to 2.4% in March.", "Inflation fell to 2.4% in March, figures showed.").label \
        == "agree"
    assert compare("The deal was signed in Geneva.", "Inflation fell to 2.4% in March.") is None
    assert compare("Seven soldiers were killed in the ambush.", "The ambush left seven soldiers dead.").label == "agree"
    assert compare("Twenty schools will close.", "The council said 20 schools would close.").label == "agree"


def test_an_answer_names_the_citations_that_differ_and_those_that_agree():
    cited = [CitedSentence(1, "a.txt", SURROUNDED), CitedSentence(2, "b.txt", DISMISSED),
             CitedSentence(3, "c.txt", "Officials said the bridge would reopen in June."),
             CitedSentence(4, "d.txt", "The bridge will reopen in June, officials said."),
             CitedSentence(5, "a.txt", "Thousands of Ukrainian troops were not surrounded, he said later.")]
    disagreements, agreements = check(cited)
    assert [(d.first, d.second, d.kind) for d in disagreements] == [(1, 2, "denial")]  # 1 and 5: same article
    assert [a.numbers for a in agreements] == [(2, 5), (3, 4)]  # dismissing what 5 negates: the same
    text = summary(disagreements, agreements)
    assert text.startswith("Sources differ: [1] says “") and "; [2] says “" in text
    assert text.endswith("[3] and [4] agree.")
    assert summary((), ()) == ""


@pytest.mark.parametrize("before, after, kind, says, later_says", [
    ("Witkoff met Putin late on Thursday to deliberate.", "Witkoff met Putin on Thursday evening to deliberate.",
     "dates", "met Putin late on Thursday to deliberate", "met Putin on Thursday evening to deliberate"),
    ("At least 12 people were killed in the blast, police said.",
     "At least 15 people were killed in the blast, police said.", "figures", "At least 12 people were",
     "At least 15 people were"),
    ("The minister resigned on Monday, her office said.", "The minister has not resigned, her office said.",
     "negation", "The minister resigned on Monday, her office", "The minister has not resigned, her office"),
    ("Shares rose 3% in early trading.", "Shares fell 3% in early trading.", "opposites", "Shares rose 3% in",
     "Shares fell 3% in"),
])
def test_two_versions_of_a_sentence_that_change_a_fact(before, after, kind, says, later_says):
    assert change(before, after) == (kind, says, later_says)


@pytest.mark.parametrize("before, after", [
    ("Trump said the horrible, bloody war could end.", "Trump said the horrible and bloody war could end."),
    ("President Donald Trump said on Friday that talks went well.",
     "US President Donald Trump said on Friday, that talks went well."),
    ("At least twelve people were killed in the blast.", "At least 12 people were killed in the blast."),
    ("Sales rose 3% last year.", "Sales rose 3 percent last year."),
])
def test_two_versions_that_differ_only_in_wording_are_the_same(before, after):
    assert change(before, after) is None


def test_a_sentence_s_other_version_is_the_one_sharing_most_of_its_words():
    said = "Witkoff met Putin late on Thursday to deliberate on the proposal."
    other = ["Putin met officials.", "Witkoff met Putin on Thursday evening to deliberate on the proposal.",
             "The talks were productive."]
    assert counterpart(said, other) == other[1]
    assert counterpart(said, other + [said]) is None  # told the same way somewhere: nothing changed
    assert counterpart(said, ["The talks were productive."]) is None


def test_a_revision_names_the_version_that_says_otherwise():
    earlier = Revision(number=2, kind="dates", says="on Thursday evening", other_says="late on Thursday", other="“Talks”",
                       other_published="2025-03-14", newer=False, same_outlet=True)
    assert earlier.sentence() == ("[2] was updated: it says “on Thursday evening”; the earlier version (2025-03-14) "
                                  "said “late on Thursday”.")
    later = Revision(number=2, kind="figures", says="12 people", other_says="15 people", other="“Blast”",
                       other_published="2025-03-15", newer=True, same_outlet=True)
    assert later.sentence().startswith("[2] was updated later: the newer version (2025-03-15) says “15 people”")
    copy = Revision(number=1, kind="figures", says="12 people", other_says="15 people", other="Harbour Times",
                       other_published="2025-03-14", newer=False, same_outlet=False)
    assert copy.sentence() == ("[1] and its copy in Harbour Times (2025-03-14) differ: [1] says “12 people”; "
                               "the copy says “15 people”.")


LONG = ("The jury of the festival, chaired this year by the actress Juliette Binoche, awarded the Golden Bear for "
        "best film to {} after two weeks of screenings in the Berlinale Palast and several cinemas across the city.")


def scored(text: str, article: str, score: float) -> Scored:
    hit = Hit(chunk_id=f"{article}#0", article_id=article, title="", source="", url="", published="", text=text,
              start=0, end=len(text), sentences=((0, len(text)),), score=score)
    return Scored(hit, 0, Sentence(0, len(text), text, np.zeros(3)), score, score, 0.0)


def test_a_sentence_retold_with_another_name_or_figure_is_another_version_not_a_copy():
    assert same_version(LONG.format("Mati Diop"), LONG.format("Mati Diop") + " ")
    assert same_version(LONG.format("Mati Diop"), LONG.format("Mati Diop").replace("two weeks", "2 weeks"))
    assert not same_version(LONG.format("Mati Diop"), LONG.format("Nadav Lapid"))
    assert not same_version(LONG.format("Mati Diop"), LONG.format("Mati Diop").replace("two weeks", "three weeks"))


def test_two_versions_of_one_fact_are_both_chosen_while_a_copy_is_left_out():
    first, other, copy = LONG.format("Mati Diop"), LONG.format("Nadav Lapid"), LONG.format("Mati Diop") + " "
    assert repeats(first, other)  # nearly the same words: once taken for a copy
    chosen = choose([scored(first, "a.txt", 1.0), scored(copy, "b.txt", 0.99), scored(other, "c.txt", 0.98)])
    assert [c.hit.article_id for c in chosen] == ["a.txt", "c.txt"]
    cited = [CitedSentence(n, c.hit.article_id, c.sentence.text) for n, c in enumerate(chosen, 1)]
    [differ], agreements = check(cited)
    assert differ.kind == "names" and "Mati Diop" in differ.first_says and "Nadav Lapid" in differ.second_says
    assert agreements == ()


NOBEL_REPORTS = {
    "academy.json": ("Nobel literature prizes announced", "2019-10-10", [
        "The Swedish Academy named two laureates on Thursday, after a year in which no prize was given.",
        NOBEL.format("Peter Handke"),
        "Booksellers in Vienna said his novels sold out within hours of the announcement."]),
    "wire.json": ("Academy names literature laureate", "2019-10-10", [
        "Critics questioned the choice within hours, and the academy defended its jury.",
        NOBEL.format("Abdulrazak Gurnah"),
        "The permanent secretary read the citation in Swedish and English to the press in Stockholm."]),
    "markets.json": ("Markets steady", "2019-10-10", [
        "Shares in Europe closed slightly higher on Thursday as investors awaited trade talks.",
        "The euro was little changed against the dollar."]),
}


@pytest.mark.slow
def test_an_answer_from_two_reports_naming_different_laureates_cites_both_and_says_they_differ(tmp_path, settings):
    from assistant.answering import Assistant
    from index import build_index

    folder = tmp_path / "reports"
    folder.mkdir()
    for name, (title, published, sentences) in NOBEL_REPORTS.items():
        (folder / name).write_text(json.dumps({"title": title, "published": published, "text": " ".join(sentences)}))
    build_index(folder, settings=settings)
    result = Assistant(settings).answer("Who was awarded the 2019 Nobel Prize in Literature?")
    assert {c.article_id for c in result.citations} >= {"academy.json", "wire.json"}
    [differ] = result.disagreements
    assert differ.kind == "names" and result.agreements == ()
    said = result.text[result.text.index("Sources differ"):]
    assert "Peter Handke" in said and "Abdulrazak Gurnah" in said and "agree" not in said


@pytest.mark.parametrize("a, b", [
    ("The plant employs 4,500 people.", "The plant's 4,500 workers walked out on Monday."),
    ("The charity has 600 volunteers.", "The charity's 600 volunteers sent letters to the minister."),
    ("The carrier flew 9 million passengers last year.", "The carrier stranded 9 million passengers last year."),
])
def test_the_same_subject_and_figure_with_another_act_is_not_agreement(a, b):
    relation = compare(a, b)
    assert relation is None or relation.label != "agree", relation


@pytest.mark.parametrize("a, b", [
    ("The bank said it would cut 900 jobs.", "The bank plans to cut about 900 jobs, a spokeswoman said."),
    ("The insurer spent 3 billion euros in 2024.", "In 2024 the insurer spent 3 billion euros."),
    ("Four climbers were killed when the ice wall collapsed.", "The avalanche killed four climbers, police said."),
])
def test_the_same_act_told_in_other_words_still_agrees(a, b):
    relation = compare(a, b)
    assert relation is not None and relation.label == "agree", relation


def test_the_acts_of_a_sentence_are_its_verbs_read_by_form():
    from assistant.news.acts import acts, other_acts

    def read(text):
        return text

    assert acts(read("The fund spent 2 billion euros.")) == acts(read("The fund will spend 2 billion euros."))
    assert acts(read("The company plans to close the mine.")) == acts(read("The company would close the mine."))
    assert "emploi" in acts(read("The factory employs 3,000 people."))
    assert not acts(read("Mohammed bin Salman and 180 passengers were there."))  # a name in -ed, a plural noun
    assert other_acts(read("The mayor opened the bridge."), read("The mayor criticised the bridge."))
    assert not other_acts(read("The mayor opened the bridge."), read("The bridge was opened by the mayor."))


def test_a_name_swap_differs_when_one_sentence_adds_a_clause_of_its_own():
    relation = compare("The only try was scored by Antoine Dupont in the final minute.",
                       "Romain Ntamack scored the only try in the final minute, silencing the visiting supporters.")
    assert relation is not None and relation.label == "differ" and relation.kind == "names", relation
    assert "Antoine Dupont" in relation.first and "Romain Ntamack" in relation.second


def test_the_same_figure_of_two_things_after_one_verb_is_not_agreement():
    relation = compare("Tesla deliveries fell 8% in the spring.", "Tesla's profit fell 8% over the year.")
    assert relation is None or relation.label != "agree", relation


def test_a_verb_made_again_with_re_keeps_its_opposite():
    relation = compare("The border crossing reopened to lorries on Sunday.",
                       "The border crossing remained closed to lorries on Sunday.")
    assert relation is not None and relation.label == "differ" and relation.kind == "opposites", relation


def test_a_list_of_figures_is_not_read_as_verbs():
    from assistant.news.acts import acts

    assert not acts("He made five solo tackles, 2 sacks and two forced fumbles.") - acts("He made the tackle.")


@pytest.mark.parametrize("a, b", [
    ("Verstappen finished second in the Monaco race.", "Verstappen finished fourth in the Monaco race."),
    ("The retailer reported a profit for the half year.", "The retailer reported a loss for the half year."),
    ("The new hospital wing came in over budget.", "The new hospital wing came in under budget."),
    ("Exports grew in the second quarter.", "Exports shrank in the second quarter."),
])
def test_nearly_the_same_words_with_one_word_put_for_another_are_not_agreement(a, b):
    relation = compare(a, b)
    assert relation is None or relation.label != "agree", relation


def test_one_word_of_the_same_class_or_name_or_tense_still_agrees():
    for a, b in [("The port would reopen in June.", "The port will reopen in June."),
                 ("Gaddafi ruled Libya for 42 years.", "Qaddafi ruled Libya for 42 years.")]:
        relation = compare(a, b)
        assert relation is not None and relation.label == "agree", (a, b, relation)


@pytest.mark.parametrize("a, b", [
    ("The central bank raised its key rate on Wednesday.", "The central bank cut its key rate on Wednesday."),
    ("The court convicted the two activists of trespass.", "The court acquitted the two activists of trespass."),
    ("The city imposed a ban on fireworks.", "The city lifted a ban on fireworks."),
])
def test_moves_and_verdicts_that_exclude_each_other_differ(a, b):
    relation = compare(a, b)
    assert relation is not None and relation.label == "differ" and relation.kind == "opposites", relation


def test_two_reports_quoting_the_same_words_agree_however_they_frame_them():
    relation = compare("The coach said, “We are ready for the final and we will win it.”",
                       "Speaking after training, the coach voiced confidence, insisting the team was \"ready for the "
                       "final and we will win it.\"")
    assert relation is not None and relation.label == "agree", relation
