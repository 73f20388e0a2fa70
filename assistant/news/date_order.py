""""Latest" and "earliest": which report leads, among those relevant enough to the topic.

The newest report on a story is often not its best match: a follow-up mentions the topic in
passing ("did not accept the full 30-day ceasefire") while an older article is all about
it. So relevance is a bar relative to the best sentence, not a rank: every article whose
best sentence scores at least RELEVANT_SHARE of the best one (and would itself be answer
enough, ABSTAIN_BELOW) is in the running, and the newest (oldest) of them leads.
"""

from __future__ import annotations

from typing import Sequence

from index.articles import parse_date

from ..retrieval import Scored

# An article's best sentence against the best sentence of all. Measured on 17 latest /
# earliest questions over tests/data/news (tests/test_news.py asks eight of them): articles
# about the topic score 0.66-1.0 of the best (a follow-up that names the topic in one
# clause sits at the low end), articles that only share a name or a word with the
# question 0.53 at most. 0.60 sits between; 0.5-0.65 all lead with the right report on
# 15 of the 17 (the other two: a report that never says "talks" for "the ceasefire talks",
# and an abstention).
RELEVANT_SHARE = 0.60


def published_ts(scored: Scored) -> float | None:
    _, seconds = parse_date(scored.hit.published)
    return None if seconds is None else float(seconds)


def relevant_dated(scored: Sequence[Scored], floor: float) -> list[Scored]:
    """The best sentence of each dated article that is relevant enough: at least
    RELEVANT_SHARE of the best sentence and at least `floor` (what answering needs)."""
    if not scored:
        return []
    bar = max(scored[0].score * RELEVANT_SHARE, floor)
    best: dict[str, Scored] = {}
    for item in scored:  # best first, so the first sentence seen of an article is its best
        if item.score < bar:
            break
        if item.hit.published and item.hit.article_id not in best:
            best[item.hit.article_id] = item
    return [item for item in best.values() if published_ts(item) is not None]


def edge(scored: Sequence[Scored], order: str, floor: float) -> Scored | None:
    """The newest ("latest") or oldest ("earliest") relevant article's best sentence; on a
    tie of dates, the better match."""
    candidates = relevant_dated(scored, floor)
    if not candidates or order not in ("latest", "earliest"):
        return None
    sign = -1 if order == "latest" else 1
    return min(candidates, key=lambda s: (sign * published_ts(s), -s.score))


def by_date(scored: list[Scored], order: str, floor: float) -> list[Scored]:
    """The sentences with the newest (oldest) relevant article's best sentence first."""
    lead = edge(scored, order, floor) if order else None
    if lead is None:
        return scored
    return [lead] + [s for s in scored if s is not lead]
