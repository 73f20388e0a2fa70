"""What `answer()` returns: an answer whose every sentence cites exact spans of an article.

The result types only, at the bottom of the read path: they import no rule engine, so the
rules (news/, pipeline/) and the presentation (present/) both build on them.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from index.settings import AnswerMode

ABSTAIN_TEXT = "I could not find this in the articles."
UNSUPPORTED_MARK = "[unsupported]"  # replaces the markers of a sentence its citations do not support

_MARKER = re.compile(r"\[(\d+)\]")


@dataclass(frozen=True, kw_only=True)
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


@dataclass(frozen=True, kw_only=True)
class Disagreement:
    """Two cited sentences of different articles that state one point differently."""
    first: int  # citation numbers
    second: int
    kind: str  # "denial", "negation", "opposites", "figures", "dates"
    first_says: str
    second_says: str

    def sentence(self) -> str:
        return f"[{self.first}] says “{self.first_says}”; [{self.second}] says “{self.second_says}”"


@dataclass(frozen=True, kw_only=True)
class Agreement:
    numbers: tuple[int, ...]  # citations from different articles that say the same


@dataclass(frozen=True, kw_only=True)
class TimelinePoint:
    day: str  # ISO day the point starts on: what the timeline is sorted by ("" when undated)
    label: str  # how to show the date: "2025-03-13", "February 2022", "week of 2025-03-10", "reported 2025-03-14",
    # or "undated"
    text: str  # the article sentence
    number: int  # its citation
    dated_by: str  # "sentence" (the sentence says when), "published" (the article's date) or "" (undated)


@dataclass(frozen=True, kw_only=True)
class Revision:
    """A cited sentence that another version of its story tells differently."""
    number: int  # the citation
    kind: str  # "figures", "dates", "negation", "opposites" (or a kind agreement.compare names)
    says: str  # what the cited version says (a short quote)
    other_says: str  # what the other version says
    other: str  # the other version, named by outlet, else by title and date
    other_published: str
    newer: bool  # whether the other version was published after the cited one
    same_outlet: bool  # same outlet (or both without one): an update or correction, not a copy elsewhere

    def sentence(self) -> str:
        when = f" ({self.other_published[:10]})" if self.other_published else ""
        if self.same_outlet and not self.newer:
            return (f"[{self.number}] was updated: it says “{self.says}”; the earlier version{when} said "
                    f"“{self.other_says}”.")
        if self.same_outlet:
            return (f"[{self.number}] was updated later: the newer version{when} says “{self.other_says}” "
                    f"where [{self.number}] says “{self.says}”.")
        return (f"[{self.number}] and its copy in {self.other}{when} differ: [{self.number}] says “{self.says}”; "
                f"the copy says “{self.other_says}”.")


@dataclass(frozen=True, kw_only=True)
class StoryBrief:
    """One story of a briefing (mode "briefing"), as the page shows it: a section."""
    story_id: str  # the id of the story's earliest article
    headline: str
    article_ids: tuple[str, ...]  # the story's articles (within the asked dates and filters)
    outlets: tuple[str, ...]
    first: str  # ISO days of its first and last dated article ("" when undated)
    last: str
    text: str  # the section: its cited sentences, with their [n]
    numbers: tuple[int, ...]  # the citations its sentences carry


@dataclass(frozen=True, kw_only=True)
class Answer:
    text: str  # with inline [1], [2] markers
    citations: tuple[Citation, ...] = ()
    abstained: bool = False
    question: str = ""  # the standalone question actually searched
    mode: AnswerMode = AnswerMode.EXTRACTIVE
    notice: str = ""  # one line for the user, e.g. why an LLM answer fell back
    unsupported: tuple[str, ...] = ()  # LLM sentences no cited passage supports (marked in `text`)
    disagreements: tuple[Disagreement, ...] = ()  # where cited sentences of different articles differ
    agreements: tuple[Agreement, ...] = ()  # citations of different articles that say the same
    timeline: tuple[TimelinePoint, ...] = ()  # mode "timeline": dated points, oldest first
    revisions: tuple[Revision, ...] = ()  # cited sentences another version of their story tells differently
    stories: tuple[StoryBrief, ...] = ()  # mode "briefing": the stories shown, in the order of the text

    def as_dict(self) -> dict:
        return asdict(self)

    @property
    def markers(self) -> set[int]:
        return {int(n) for n in _MARKER.findall(self.text)}
