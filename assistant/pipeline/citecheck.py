"""Checking an LLM's citations against the passages it was given.

An LLM may cite a passage that does not exist, cite one that does not say what the
sentence claims, or not cite at all. Every answer sentence is therefore re-checked:

- numbers that match no passage are dropped;
- each remaining citation must support its sentence: the sentence's best match among the
  passage's own sentences (cosine of the sentence vectors, plus how much of the claim's
  rarer wording the passage contains) must reach SUPPORTED;
- an uncited sentence gets the passage that supports it best, if one does;
- a sentence left with no supporting passage is marked `[unsupported]` and listed in
  `Answer.unsupported`: it is never shown as cited.

The cited sentences of each passage become its highlights, so a click on [n] shows the
sentences that back the claim, not just the passage.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from index.chunking import split_sentences
from index.text import content_terms

from ..answers import UNSUPPORTED_MARK
from ..retrieval import Hit, Sentence

# Calibrated with bench/calibrate_support.py on 300 SQuAD dev questions: a claim made of a
# question and its gold answer, scored against retrieved passages holding the answer
# (409, supported) and retrieved passages without it (1091 hard negatives: same topic,
# often the same article). AUROC 0.94; at 0.75, 88.5% of supported citations are kept and
# 18% of the hard negatives pass (0.70: 93% / 28%; 0.80: 83% / 11%).
SUPPORTED = 0.75
W_CONTAINED = 0.5

_MARKERS = re.compile(r"\s*((?:\[\d+\]\s*)+)")
_NUMBER = re.compile(r"\[(\d+)\]")


@dataclass(frozen=True)
class CheckedSentence:
    text: str  # without markers
    cited: tuple[int, ...]  # passage numbers (1-based, as given to the LLM) that support it
    highlights: tuple[tuple[int, tuple[int, int]], ...]  # (passage number, sentence span) per citation
    supported: bool
    support: float  # best support score among the passages it cites (or could cite)


def split_claims(text: str) -> list[tuple[str, tuple[int, ...]]]:
    """(sentence without markers, the numbers it cites) for each sentence of an LLM answer.
    Markers at the start of a sentence belong to the one before it ("... talks. [2] Then")."""
    text = " ".join(text.split())
    claims: list[tuple[str, list[int]]] = []
    for start, end in split_sentences(text):
        piece = text[start:end]
        lead = re.match(r"^((?:\s*\[\d+\])+)\s*", piece)
        if lead and claims:
            claims[-1][1].extend(int(n) for n in _NUMBER.findall(lead.group(1)))
            piece = piece[lead.end():]
        numbers = [int(n) for n in _NUMBER.findall(piece)]
        sentence = " ".join(_NUMBER.sub(" ", piece).split())
        sentence = re.sub(r"\s+([.,;:!?])", r"\1", sentence)
        if sentence.strip(" .,;:"):
            claims.append((sentence, numbers))
        elif claims:
            claims[-1][1].extend(numbers)
    return [(sentence, tuple(dict.fromkeys(numbers))) for sentence, numbers in claims]


def support_scores(claim_vector: np.ndarray, claim: str, sentences: Sequence[Sentence]) -> list[float]:
    """How well each passage sentence supports the claim (cosine + share of the claim's words it holds)."""
    terms = set(content_terms(claim))
    scores = []
    for sentence in sentences:
        contained = len(terms & set(content_terms(sentence.text))) / len(terms) if terms else 0.0
        scores.append(float(np.dot(claim_vector, sentence.vector)) + W_CONTAINED * contained)
    return scores


def check(text: str, hits: Sequence[Hit], sentences: dict[str, list[Sentence]],
          embed: Callable[[list[str]], np.ndarray]) -> list[CheckedSentence]:
    """Every sentence of `text` with the citations that hold up (passages numbered 1..len(hits))."""
    claims = split_claims(text)
    if not claims:
        return []
    vectors = embed([sentence for sentence, _ in claims])
    checked = []
    for (sentence, numbers), vector in zip(claims, vectors):
        best: dict[int, tuple[float, tuple[int, int]]] = {}
        for number, hit in enumerate(hits, 1):
            own = sentences.get(hit.chunk_id, [])
            if not own:
                continue
            scores = support_scores(vector, sentence, own)
            top = int(np.argmax(scores))
            best[number] = (scores[top], (own[top].start, own[top].end))
        valid = [n for n in numbers if n in best]
        kept = [n for n in valid if best[n][0] >= SUPPORTED]
        if not valid and best:  # uncited: the passage that supports it best, if any does
            candidate = max(best, key=lambda n: best[n][0])
            kept = [candidate] if best[candidate][0] >= SUPPORTED else []
        considered = valid or list(best)
        support = max((best[n][0] for n in considered), default=0.0)
        checked.append(CheckedSentence(sentence, tuple(kept), tuple((n, best[n][1]) for n in kept), bool(kept),
                                       round(support, 4)))
    return checked


def render(checked: Sequence[CheckedSentence], numbering: dict[int, int]) -> str:
    """The answer text with each sentence's (renumbered) markers, or the unsupported mark."""
    parts = []
    for item in checked:
        if item.supported:
            markers = "".join(f"[{numbering[n]}]" for n in item.cited)
            parts.append(f"{item.text} {markers}")
        else:
            parts.append(f"{item.text} {UNSUPPORTED_MARK}")
    return " ".join(parts)
