"""One confidence per answer: how likely the cited sentence answers the question.

Three kinds of evidence, combined by a logistic function whose weights and threshold were
calibrated on the dev half of the question sets (`bench/abstention.py calibrate`; the
held-out half was not looked at):

- the sentence's score (cosine + rarity-weighted word overlap + passage rank);
- whether the sentence holds what the question asks for (answer_type.py): a "how many"
  answered with no figure, a "who" naming nobody new;
- the question's rare words and names its passage does not contain: asked about "the
  second largest tributary", a passage about the largest is not an answer; a word no
  passage of the corpus contains says the same more strongly.

The lead sentence is the most confident of the sentences scoring close to the best (a
"how many" whose best-scoring sentence has no figure may be answered by the next one).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from index.text import content_terms
from index.textview import normalised

from ..retrieval import Scored
from .answer_type import AnswerType, expected_type, holds
from .verb_forms import forms

_NAME_OR_FIGURE = re.compile(r"(?<![\w'’])(?:[A-ZÀ-ÖØ-Þ][\w-]*|\d[\d,.]*)", re.UNICODE)


@dataclass(frozen=True, kw_only=True)
class Evidence:
    """What the confidence is computed from, for one candidate sentence."""
    score: float  # the sentence's score (extractive scorer)
    type_missing: bool  # the question's answer type is checkable and the sentence holds none
    missing_rare: float  # rarity-weighted share of the question's words its passage lacks (0..1)
    missing_names: int  # names and figures of the question its passage lacks
    unknown: float  # rarity-weighted share of the question's words no passage of the corpus contains


@dataclass(frozen=True, kw_only=True)
class Calibration:
    """Logistic weights over Evidence; `threshold` on the resulting confidence."""
    bias: float
    score: float
    type_missing: float
    missing_rare: float
    missing_names: float
    unknown: float
    threshold: float
    min_score: float  # below this best-sentence score nothing answers, whatever the rest says


# Fitted by `python bench/abstention.py calibrate` on the dev half of the SQuAD dev questions,
# the written unanswerable sets and the seed questions (class-balanced logistic regression);
# the score floor and threshold abstain most on the dev unanswerable questions with at most
# 4% of the dev SQuAD questions abstained. The held-out half was not used.
CALIBRATION = Calibration(bias=-0.368, score=2.555, type_missing=-2.035, missing_rare=-2.877,
                          missing_names=-1.035, unknown=-1.814, threshold=0.21, min_score=0.65)
LEAD_RATIO = 0.85  # the lead may be any of the top sentences scoring within this share of the best
LEAD_CANDIDATES = 5


@dataclass(frozen=True, kw_only=True)
class Judgement:
    """The lead sentence, the confidence that it answers, and the evidence behind it."""
    confidence: float
    lead: Scored | None = None
    wanted: AnswerType = AnswerType.OTHER
    evidence: Evidence | None = None

    best_score: float = 0.0  # the best sentence's score (the lead may be another)
    calibration: Calibration = CALIBRATION

    @property
    def answerable(self) -> bool:
        return (self.lead is not None and self.confidence >= self.calibration.threshold
                and self.best_score >= self.calibration.min_score)


def judge(question: str, scored: Sequence[Scored], document_frequency: Callable[[list[str]], Mapping[str, int]],
          total_passages: int, calibration: Calibration = CALIBRATION) -> Judgement:
    """The most confident lead among the sentences scoring close to the best."""
    wanted = expected_type(question)
    best = Judgement(confidence=0.0, wanted=wanted)
    for item, found in weigh(question, wanted, scored, document_frequency, total_passages):
        judged = Judgement(confidence=confidence(found, calibration), lead=item, wanted=wanted, evidence=found,
                           best_score=scored[0].score, calibration=calibration)
        if best.lead is None or judged.confidence > best.confidence:
            best = judged
    return best


def weigh(question: str, wanted: AnswerType, scored: Sequence[Scored],
          document_frequency: Callable[[list[str]], Mapping[str, int]],
          total_passages: int) -> list[tuple[Scored, Evidence]]:
    """The candidates for the lead (the top sentences scoring close to the best), each with its evidence."""
    if not scored:
        return []
    # a question's word is found in any of its forms ("send" asked, "sent" written)
    variants = {t: forms(t) for t in set(content_terms(question))}
    stems = sorted({v for found in variants.values() for v in found})
    frequencies = document_frequency(stems) if stems else {}
    counts = {t: max(frequencies.get(v, 0) for v in found) for t, found in variants.items()}
    idf = {t: math.log(1 + (total_passages + 1) / (n + 1)) for t, n in counts.items()}
    unknown = sum(v for t, v in idf.items() if not counts[t]) / (sum(idf.values()) or 1.0)
    # chunk id -> the question's terms its passage holds, and how many of its names it lacks
    # (read once per passage: several lead candidates are often sentences of one passage)
    passages: dict[str, tuple[set[str], int]] = {}
    weighed = []
    for position, item in enumerate(scored[:LEAD_CANDIDATES]):
        if position and item.score < scored[0].score * LEAD_RATIO:
            break
        if item.hit.chunk_id not in passages:
            text = normalised(item.hit.text)  # "Star\u00admer" is the name "Starmer"
            written = set(content_terms(text))
            passages[item.hit.chunk_id] = ({t for t, found in variants.items() if written.intersection(found)},
                                           len(missing_names(question, text)))
        present, lacking = passages[item.hit.chunk_id]
        weighed.append((item, evidence(question, wanted, item.sentence.text, idf, present, lacking, item.score,
                                       unknown)))
    return weighed


def evidence(question: str, wanted: AnswerType, sentence: str, terms: Mapping[str, float],
             passage_terms: set[str], lacking_names: int, score: float, unknown: float = 0.0) -> Evidence:
    """`terms`: the question's content terms (stems) and their inverse document frequencies;
    `passage_terms`: those of the question's terms the sentence's passage holds (in any form);
    `lacking_names`: how many of the question's names and figures the passage lacks."""
    weight = sum(terms.values())
    missing = sum(idf for term, idf in terms.items() if term not in passage_terms)
    return Evidence(score=score, type_missing=holds(sentence, question, wanted) is False,
                    missing_rare=missing / weight if weight else 0.0, missing_names=lacking_names, unknown=unknown)


def missing_names(question: str, passage: str) -> list[str]:
    """The question's names and figures (not its first word) that the passage does not contain."""
    text = plain(passage)
    found = []
    for match in _NAME_OR_FIGURE.finditer(question):
        if match.start() == _first_word(question):
            continue
        word = plain(re.sub(r"['’]s$", "", match.group(0).rstrip(".,")))
        if word and not re.search(rf"(?<!\w){re.escape(word)}", text):
            found.append(match.group(0))
    return found


def plain(text: str) -> str:
    """Lower case without accents: 'Skłodowska' and 'Sklodowska' are one name."""
    decomposed = unicodedata.normalize("NFKD", text.lower().replace("ł", "l").replace("ø", "o"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _first_word(text: str) -> int:
    match = re.search(r"\w", text)
    return match.start() if match else 0


def confidence(found: Evidence, calibration: Calibration) -> float:
    """A probability-like score in (0, 1): the calibrated logistic of the evidence."""
    z = (calibration.bias + calibration.score * found.score + calibration.type_missing * found.type_missing
         + calibration.missing_rare * found.missing_rare + calibration.missing_names * found.missing_names
         + calibration.unknown * found.unknown)
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
