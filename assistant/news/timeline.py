"""Timeline answers: "How did the talks unfold?" as dated, cited points in date order.

Each point is one article sentence. Its date is the one the sentence itself gives ("on
Thursday", "in February 2022"), resolved against its article's published day, else the
day the article was published. A sentence with neither (an undated article that names no
date, or only a relative one such as "on Thursday" with nothing to resolve it against)
is still part of the story: it follows the dated points, marked "undated", in the order
its article tells it, since reading order is the only order it has.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Sequence

from ..answers import TimelinePoint
from ..retrieval import Scored

from .dates import DateMention, day_of, find_dates
from .versions import same_version

MAX_POINTS = 8
MAX_PER_ARTICLE = 3  # a story told by several articles, not the best-matching one retold
KEEP_RATIO = 0.7  # points score at least this share of the best sentence: a story, not just its top fact

# Only wording that asks for a sequence: "development" or "progress" alone name a topic
# ("the development of radar"), so they count only as the verb of "how did X ...".
_TIMELINE = re.compile(r"\b(unfold(?:ed|ing)?|timeline|chronolog(?:y|ical)|over\s+time|sequence\s+of\s+events|"
                       r"what\s+happened\s+(?:next|then|after\s+that)|step\s+by\s+step|play(?:ed)?\s+out|"
                       r"how\s+(?:did|has|have)\s+.+\s+(?:develop(?:ed)?|evolve[d]?|progress(?:ed)?)\s*\??$)", re.I)


UNDATED = "undated"


def is_timeline_question(question: str) -> bool:
    """Whether a question asks how something unfolded over time."""
    return bool(_TIMELINE.search(question))


def without_timeline_words(question: str) -> str:
    """What to search for: "How did the talks unfold?" is about the talks, not unfolding."""
    rest = " ".join(_TIMELINE.sub(" ", question).split())
    return rest if len(rest.split()) >= 2 else question


def sentence_date(text: str, published: str) -> tuple[DateMention | None, str]:
    """The date a sentence tells of, and where it came from ("sentence" or "published")."""
    reference = day_of(published)
    mentions = [m for m in find_dates(text, reference) if m.precision != "span"]
    if mentions:
        return mentions[0], "sentence"
    if reference is not None:
        return DateMention(0, 0, reference, reference, "day", published[:10]), "published"
    return None, ""


def timeline_points(scored: Sequence[Scored], number_of: Callable[[Scored], int]) -> list[tuple[Scored, TimelinePoint]]:
    """The points among the best sentences (at least KEEP_RATIO of the best, at most
    MAX_PER_ARTICLE from one article): the dated ones oldest first, then the undated ones
    article by article (best article first) in text order; `number_of` gives a sentence's
    citation number."""
    if not scored:
        return []
    floor = scored[0].score * KEEP_RATIO
    picked: list[tuple[Scored, DateMention | None, str]] = []
    per_article: dict[str, int] = {}
    for item in scored:
        if item.score < floor or len(picked) >= MAX_POINTS:
            break
        if per_article.get(item.hit.article_id, 0) >= MAX_PER_ARTICLE:
            continue
        if any(same_version(item.sentence.text, p[0].sentence.text) for p in picked):
            continue  # a copy's sentence; another version of the fact is a point of its own
        when, how = sentence_date(item.sentence.text, item.hit.published)
        picked.append((item, when, how))
        per_article[item.hit.article_id] = per_article.get(item.hit.article_id, 0) + 1
    dated = sorted((p for p in picked if p[1] is not None),
                   key=lambda p: (p[1].first, p[1].last, p[0].hit.published, p[0].hit.article_id, p[0].sentence.start))
    undated = [p for p in picked if p[1] is None]
    article_order = {a: n for n, a in enumerate(dict.fromkeys(p[0].hit.article_id for p in undated))}
    undated.sort(key=lambda p: (article_order[p[0].hit.article_id], p[0].sentence.start))
    return [(item, _point(item, when, how, number_of(item))) for item, when, how in dated + undated]


def _point(item: Scored, when: DateMention | None, how: str, number: int) -> TimelinePoint:
    if when is None:
        return TimelinePoint(day="", label=UNDATED, text=item.sentence.text, number=number, dated_by="")
    label = when.label if how == "sentence" else f"reported {when.label}"
    return TimelinePoint(day=when.first.isoformat(), label=label, text=item.sentence.text, number=number,
                         dated_by=how)


def undated_notice(points: Sequence[TimelinePoint]) -> str:
    """What the reader should know when some points could not be dated ("" when all are)."""
    undated = sum(1 for p in points if not p.dated_by)
    if not undated:
        return ""
    if undated == len(points):
        return ("No dated evidence: neither these sentences nor their articles give a date, so the points are "
                "in the order their articles tell them.")
    return (f"{undated} of {len(points)} points have no date (neither the sentence nor its article gives one); "
            f"they follow the dated ones, in the order their articles tell them.")


def timeline_text(points: Sequence[TimelinePoint]) -> str:
    """One line per point: "DATE: sentence [n]"."""
    return "\n".join(f"{p.label}: {p.text} [{p.number}]" for p in points)
