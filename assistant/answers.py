"""What `answer()` returns: an answer whose every sentence cites exact spans of an article."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from .agreement import Agreement, Disagreement
from .timeline import TimelinePoint
from .versions import Revision

ABSTAIN_TEXT = "I could not find this in the articles."
UNSUPPORTED_MARK = "[unsupported]"  # replaces the markers of a sentence its citations do not support

_MARKER = re.compile(r"\[(\d+)\]")


@dataclass(frozen=True)
class Citation:
    number: int
    article_id: str
    title: str
    source: str
    url: str
    published: str
    passage: str  # the chunk shown as context: article_text[start:end]
    start: int
    end: int
    highlights: tuple[tuple[int, int], ...]  # the cited sentences, offsets in the article text
    score: float
    also_reported_by: tuple[str, ...] = ()  # outlets of near-duplicate copies (syndicated, corrected), cited once


@dataclass(frozen=True)
class Answer:
    text: str  # with inline [1], [2] markers
    citations: tuple[Citation, ...]
    abstained: bool
    question: str  # the standalone question actually searched
    mode: str
    notice: str = ""  # one line for the user, e.g. why an LLM answer fell back
    unsupported: tuple[str, ...] = ()  # LLM sentences no cited passage supports (marked in `text`)
    disagreements: tuple[Disagreement, ...] = ()  # where cited sentences of different articles differ
    agreements: tuple[Agreement, ...] = ()  # citations of different articles that say the same
    timeline: tuple[TimelinePoint, ...] = ()  # mode "timeline": dated points, oldest first
    revisions: tuple[Revision, ...] = ()  # cited sentences another version of their story tells differently

    def as_dict(self) -> dict:
        return asdict(self)

    @property
    def markers(self) -> set[int]:
        return {int(n) for n in _MARKER.findall(self.text)}
