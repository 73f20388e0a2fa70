"""One confidence per answer: how likely the cited sentence answers the question.

Three kinds of evidence, combined by a logistic function whose weights and threshold were
calibrated on the dev half of the question sets (`bench/abstention.py --calibrate`; the
held-out half was not looked at):

- the sentence's score (cosine + rarity-weighted word overlap + passage rank);
- whether the sentence holds what the question asks for (answer_type.py): a "how many"
  answered with no figure, a "who" naming nobody new;
- the question's rare words and names its passage does not contain: asked about "the
  second largest tributary", a passage about the largest is not an answer.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Mapping

from .answer_type import AnswerType, holds

_NAME_OR_FIGURE = re.compile(r"(?<![\w'’])(?:[A-ZÀ-ÖØ-Þ][\w-]*|\d[\d,.]*)", re.UNICODE)


@dataclass(frozen=True, kw_only=True)
class Evidence:
    """What the confidence is computed from, for one candidate sentence."""
    score: float  # the sentence's score (extractive scorer)
    type_missing: bool  # the question's answer type is checkable and the sentence holds none
    missing_rare: float  # rarity-weighted share of the question's words its passage lacks (0..1)
    missing_names: int  # names and figures of the question its passage lacks


@dataclass(frozen=True, kw_only=True)
class Calibration:
    """Logistic weights over Evidence; `threshold` on the resulting confidence."""
    bias: float
    score: float
    type_missing: float
    missing_rare: float
    missing_names: float
    threshold: float


def evidence(question: str, wanted: AnswerType, sentence: str, passage: str, terms: Mapping[str, float],
             passage_terms: set[str], score: float) -> Evidence:
    """`terms`: the question's content terms (stems) and their inverse document frequencies;
    `passage_terms`: the stems of the sentence's passage."""
    weight = sum(terms.values())
    missing = sum(idf for term, idf in terms.items() if term not in passage_terms)
    return Evidence(score=score, type_missing=holds(sentence, question, wanted) is False,
                    missing_rare=missing / weight if weight else 0.0,
                    missing_names=len(missing_names(question, passage)))


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
         + calibration.missing_rare * found.missing_rare + calibration.missing_names * found.missing_names)
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
