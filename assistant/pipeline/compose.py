"""Step 4, compose without an LLM: the answer from the scored sentences (the best ones, a
timeline, or an abstention with the closest passages), every sentence cited."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Sequence

from index.articles import parse_date
from index.settings import AnswerMode

from ..answers import ABSTAIN_TEXT, Answer, Citation
from ..news import date_order
from ..news.timeline import timeline_points, timeline_text, undated_notice
from ..retrieval import Hit, Scored
from .retrieve import ABSTAIN_BELOW, Retrieved
from .scoring import choose


@dataclass(frozen=True, kw_only=True)
class Draft:
    """What the compose step hands to the check: an LLM's raw answer ("" without one)."""
    retrieved: Retrieved
    text: str = ""
    notice: str = ""


def extractive(retrieved: Retrieved) -> Answer:
    """At most three of the best sentences, each followed by its citation. Deterministic.
    For "latest" / "earliest" questions the sentences are ordered by their article's date."""
    order = retrieved.request.dates.order
    chosen = choose(date_order.by_date(list(retrieved.scored), order, ABSTAIN_BELOW))
    if order:  # the newest (oldest) relevant report leads, the others follow by date
        sign = -1 if order == "latest" else 1
        lead = date_order.edge(retrieved.scored, order, ABSTAIN_BELOW)
        chosen.sort(key=lambda s: (s is not lead, not s.hit.published, sign * _published_ts(s.hit)))
    numbers: dict[str, int] = {}
    grouped: dict[str, list[Scored]] = {}
    parts = []
    for item in chosen:
        number = numbers.setdefault(item.hit.chunk_id, len(numbers) + 1)
        grouped.setdefault(item.hit.chunk_id, []).append(item)
        parts.append(f"{item.sentence.text} [{number}]")
    timeline = retrieved.request.mode == AnswerMode.TIMELINE
    answer = Answer(text=" ".join(parts), citations=_citations(numbers, grouped), question=retrieved.request.standalone,
                    mode=AnswerMode.TIMELINE if timeline else AnswerMode.EXTRACTIVE)
    if timeline:
        return with_notice(answer, "No cited sentence has a date, so this is not a timeline.")
    return answer


def timeline(retrieved: Retrieved) -> Answer | None:
    """Cited points, the dated ones in date order, then any undated ones (with a notice);
    None when there is no evidence."""
    numbers: dict[str, int] = {}
    grouped: dict[str, list[Scored]] = {}

    def number_of(item: Scored) -> int:
        grouped.setdefault(item.hit.chunk_id, []).append(item)
        return numbers.setdefault(item.hit.chunk_id, len(numbers) + 1)

    points = tuple(point for _, point in timeline_points(list(retrieved.scored), number_of))
    if not points:
        return None
    return Answer(text=timeline_text(points), citations=_citations(numbers, grouped),
                  question=retrieved.request.standalone, mode=AnswerMode.TIMELINE, notice=undated_notice(points),
                  timeline=points)


def abstain(retrieved: Retrieved, mode: AnswerMode) -> Answer:
    """'Not in the articles', with the closest passages as possibly related."""
    related: list[Scored] = []
    for item in retrieved.scored:
        if all(item.hit.chunk_id != r.hit.chunk_id for r in related):
            related.append(item)
        if len(related) == 2:
            break
    question = retrieved.request.standalone
    if not related:
        return Answer(text=ABSTAIN_TEXT, abstained=True, question=question, mode=mode)
    citations = tuple(citation(n, item.hit, [(item.sentence.start, item.sentence.end)], item.score)
                      for n, item in enumerate(related, 1))
    markers = ", ".join(f"[{c.number}]" for c in citations)
    return Answer(text=f"{ABSTAIN_TEXT} Possibly related: {markers}", citations=citations, abstained=True,
                  question=question, mode=mode)


def refusal(text: str, question: str, mode: AnswerMode) -> Answer:
    """An answer that is only a message (no question, an empty index)."""
    return Answer(text=text, abstained=True, question=question, mode=mode)


def with_notice(answer: Answer, notice: str) -> Answer:
    if not notice or notice in answer.notice:
        return answer
    return replace(answer, notice=f"{answer.notice} {notice}".strip())


def citation(number: int, hit: Hit, highlights: Sequence[tuple[int, int]], score: float) -> Citation:
    return Citation(number=number, article_id=hit.article_id, title=hit.title, source=hit.source, url=hit.url,
                    published=hit.published, passage=hit.text, start=hit.start, end=hit.end,
                    highlights=tuple(sorted(set(highlights))), score=round(float(score), 4),
                    also_reported_by=hit.also_reported_by)


def _citations(numbers: dict[str, int], grouped: dict[str, list[Scored]]) -> tuple[Citation, ...]:
    return tuple(citation(numbers[chunk_id], items[0].hit, [(s.sentence.start, s.sentence.end) for s in items],
                          max(s.score for s in items)) for chunk_id, items in grouped.items())


def _published_ts(hit: Hit) -> float:
    _, seconds = parse_date(hit.published)
    return float(seconds or 0)
