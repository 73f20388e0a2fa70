"""Answering without an LLM: choose the sentences that answer the question, cite each.

A sentence's score = cosine(question, sentence) + rarity-weighted word overlap + a small
bonus for the rank of its passage. Sentence vectors come from the index, so no
sentence is embedded at query time.
"""

from __future__ import annotations

import math
import re

import numpy as np

from index.text import content_terms

from ..news.versions import same_version
from ..retrieval import Hit, Scored, Sentence

W_OVERLAP = 0.5
W_RANK = 0.05
# A sentence scoring below this is not evidence for the date rules ("latest", dated ranges) and the briefing.
# Whether the articles answer at all is the confidence's call (confidence.py), which weighs
# the score with what the question asks for and the words the passage lacks.
ABSTAIN_BELOW = 0.70
ARTICLE_MARKER = re.compile(r"(\s*\[\d+\])+")  # "[3]" in an article's own text: not a citation of ours


def score_sentences(question: str, vector: np.ndarray, hits: list[Hit], sentences: dict[str, list[Sentence]],
                    document_frequency, total_chunks: int) -> list[Scored]:
    """Every sentence of the retrieved passages, best first."""
    q_terms = set(content_terms(question))
    df = document_frequency(sorted(q_terms)) if q_terms else {}
    idf = {t: math.log(1 + (total_chunks + 1) / (df.get(t, 0) + 1)) for t in q_terms}
    q_weight = sum(idf.values()) or 1.0
    scored = []
    for rank, hit in enumerate(hits):
        for sentence in sentences.get(hit.chunk_id, []):
            cosine = float(np.dot(vector, sentence.vector))
            terms = set(content_terms(sentence.text))
            overlap = sum(idf[t] for t in q_terms & terms) / q_weight
            score = cosine + W_OVERLAP * overlap + W_RANK / (rank + 1)
            scored.append(Scored(hit, rank, sentence, score, cosine, overlap))
    scored.sort(key=lambda s: s.score, reverse=True)
    return scored


TIE_RATIO = 0.75  # see choose()


def choose(scored: list[Scored], max_sentences: int = 3, keep_ratio: float = 0.85,
           tie_ratio: float = TIE_RATIO) -> list[Scored]:
    """The best sentence, plus up to two more that score close to it (another article first).

    A sentence that matches as many of the question's rare words as the best one is kept
    down to `tie_ratio`: with the lexical evidence tied, the remaining difference is the
    embedding's, which misses paraphrases ("warned" / "cautioned"). On the SQuAD dev half
    this rule changed no answer's correctness and added 1 word on average.

    A sentence that repeats a chosen one is left out (a syndicated or corrected copy), unless
    it tells the fact with another name, figure or date (news.versions.same_version): then
    both versions are cited, and the agreement check says they differ.
    """
    if not scored:
        return []
    best = scored[0]
    chosen = [best]

    def close_enough(s: Scored) -> bool:
        if s.score >= best.score * keep_ratio:
            return True
        return best.overlap > 0 and s.overlap >= best.overlap and s.score >= best.score * tie_ratio

    close = [s for s in scored[1:] if close_enough(s) and not same_version(s.sentence.text, best.sentence.text)]
    # a second article saying something close to the best adds more than a neighbour of it
    close.sort(key=lambda s: (s.hit.article_id == best.hit.article_id, -s.score))
    for candidate in close:
        if len(chosen) >= max_sentences:
            break
        if any(same_version(candidate.sentence.text, c.sentence.text) for c in chosen):
            continue  # a syndicated or corrected copy says nothing new
        chosen.append(candidate)
    return chosen
