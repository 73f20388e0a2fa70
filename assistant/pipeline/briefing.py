"""Briefings: answers about the whole collection, without an LLM.

"Summarize the articles", "what are the main stories", "give me a briefing" get the main
stories (news/stories.py), biggest and newest first, each with its headline, outlets and
dates and one to three of its most central sentences; "what's new since Monday", "what
happened this week" get the stories with articles published then, told from those
articles; "summarize the coverage of the ceasefire talks" gets that one story in depth:
its sentences in date order, where its outlets differ, and what a later version
corrected. Every sentence is an article sentence with its citation, and no two sentences
of a briefing say nearly the same thing.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from datetime import time as day_time
from functools import cached_property

import numpy as np

from index.settings import AnswerMode
from index.text import content_terms

from ..answers import ABSTAIN_TEXT, Answer, Citation, Disagreement, Revision, StoryBrief
from ..injection import is_instruction
from ..news import agreement, versions
from ..news.dates import DateQuery, question_dates
from ..news.stories import Story, StoryIndex
from ..news.timeline import sentence_date
from ..retrieval import Filters, Hit, Sentence
from .scoring import ABSTAIN_BELOW, ARTICLE_MARKER, score_sentences

MAX_SENTENCES = 3  # per story in a collection briefing
KEPT_CANDIDATES = 40  # a story's best sentences kept for later briefings
DEPTH_SENTENCES = 6  # one story in depth
READ_ARTICLES = 4  # most central articles a story's sentences are drawn from (one per copy group)
DEPTH_ARTICLES = 8
PER_ARTICLE = 2  # sentences of one article in a story told in depth
SAME_MEANING = 0.8  # cosine at which two sentences say the same thing
SAME_WORDS = 0.5  # ... or this share of their content words
OUT_OF_CONTEXT = 0.05  # score taken off a sentence that leans on the one before ("He said ...")
DIFFER_CANDIDATES = 30  # sentences of a story compared pairwise for where the outlets differ
MAX_DIFFERENCES = 2
MAX_REVISIONS = 3
_LEANS = re.compile(r"^(he|she|it|they|this|that|these|those|his|her|their|its|but|however|meanwhile|also|and)\b",
                    re.I)
_SENTENCE_END = re.compile(r"[.!?][\"'”’)]*$")

_NOUNS = r"(?:articles?|news|stories|story|coverage|collection|headlines|reports?|reporting|documents|everything)"
_SUMMARY = re.compile(r"^(?:please\s+|can you\s+|could you\s+|now\s+)?(?:summari[sz]e|sum up|recap|brief me on|"
                      r"(?:give me\s+|get me\s+)?(?:a\s+|an\s+|the\s+)?(?:short\s+|quick\s+|brief\s+)?"
                      r"(?:summary|overview|recap|rundown|round-?up|digest|briefing)\s+(?:of|on|about|for))\s+"
                      r"(?P<what>.+)$", re.I)
_COLLECTION = re.compile(rf"^(?:all\s+)?(?:of\s+)?(?:the|these|this|those|my|our|today'?s|this week'?s)?\s*"
                         rf"(?:\w+\s+)?{_NOUNS}\b\s*(?P<rest>.*)$", re.I)
_ABOUT = re.compile(r"^(?:of|on|about|covering|regarding|concerning)\s+(?P<topic>.+)$", re.I)
_MAIN = re.compile(r"\b(?:main|top|biggest|key|major|most important|important|latest|big)\s+(?:news\s+)?"
                   r"(?:stories|headlines|news|events|topics|developments|themes)\b(?:\s+(?:of|on|about)\s+"
                   r"(?P<topic>.+))?", re.I)
_BRIEF = re.compile(r"\b(?:(?:news\s+)?briefing|brief me|digest|catch me up|what'?s in the (?:news|articles)|"
                    r"what is in the (?:news|articles)|what are (?:the|these) articles about|"
                    r"what do (?:the|these) articles (?:say|cover))\b(?:\s+(?:on|about|of)\s+(?P<topic>.+))?", re.I)
_NEW = re.compile(r"^(?:so\s+)?(?:what'?s|what is|what has|what have|anything|is there anything|what)\s+"
                  r"(?:new|happened|has happened|been happening|happening|going on|changed)\b(?P<rest>.*)$", re.I)
_FILLER = re.compile(r"^(?:in|from|among|across)?\s*(?:the\s+)?(?:news|articles|collection|world)?$", re.I)
_TODAY = re.compile(r"\b(today|tonight)\b", re.I)


@dataclass(frozen=True, kw_only=True)
class CollectionQuestion:
    """What a question about the collection asks for."""
    kind: str  # "collection" (the main stories), "range" (what is new in a date range), "story" (one, in depth)
    topic: str = ""  # for "story": what the coverage is of (without the question's dates)
    dates: DateQuery = DateQuery()
    topic_as_asked: str = ""  # the topic with any date words in it ("1973 oil crisis")


def collection_question(question: str, today: date | None = None) -> CollectionQuestion | None:
    """The collection question `question` asks, read with rules; None for any other question."""
    text = " ".join(question.strip().rstrip("?.! ").split())
    asked = _asked_dates(text, today or datetime.now(UTC).date())
    plain = asked.rest.strip().rstrip("?.! ,") if asked.phrase else text
    found = _read(plain, asked)
    if found is not None and found.kind == "story" and asked.phrase:
        # a date may be part of what the coverage is of ("the 1973 oil crisis")
        whole = _read(text, DateQuery())
        return replace(found, topic_as_asked=whole.topic if whole is not None and whole.topic else found.topic)
    return replace(found, topic_as_asked=found.topic) if found is not None else None


def _read(plain: str, asked: DateQuery) -> CollectionQuestion | None:
    if (summary := _SUMMARY.match(plain)) is not None:
        what = summary.group("what").strip()
        whole = _COLLECTION.match(what)
        if whole is None:
            return CollectionQuestion(kind="story", topic=_topic(what), dates=asked)
        about = _ABOUT.match(whole.group("rest").strip())
        if about is not None:
            return CollectionQuestion(kind="story", topic=_topic(about.group("topic")), dates=asked)
        return _whole(asked)
    for pattern in (_MAIN, _BRIEF):
        if (found := pattern.search(plain)) is not None:
            topic = (found.group("topic") or "").strip()
            if topic and not _FILLER.match(topic):
                return CollectionQuestion(kind="story", topic=_topic(topic), dates=asked)
            return _whole(asked)
    if (new := _NEW.match(plain)) is not None and _FILLER.match(new.group("rest").strip(" ,")):
        return _whole(asked)
    return None


def is_collection_question(question: str) -> bool:
    """Whether a question asks about the whole collection (or all coverage of one story)."""
    return collection_question(question) is not None


def briefing_question(question: str, today: date | None = None) -> CollectionQuestion:
    """What a question asked in briefing mode wants: as read, or else the coverage of what it names."""
    asked = collection_question(question, today)
    if asked is not None:
        return asked
    topic = question.strip().rstrip("?.! ")
    return CollectionQuestion(kind="story", topic=topic) if topic else CollectionQuestion(kind="collection")


def _asked_dates(text: str, today: date) -> DateQuery:
    """The question's dates; "today" here is a day ("what happened today"), not "nowadays"."""
    asked = question_dates(text, today)
    if not asked.phrase and (said := _TODAY.search(text)) is not None:
        rest = " ".join((text[:said.start()] + text[said.end():]).split())
        return DateQuery(today, today, "", said.group(0), rest)
    return asked


def _whole(asked: DateQuery) -> CollectionQuestion:
    return CollectionQuestion(kind="range" if asked.bounded else "collection", dates=asked)


def _topic(text: str) -> str:
    return re.sub(r"^(?:the\s+)?(?:coverage|news|reporting|stories|articles)\s+(?:of|on|about)\s+", "",
                  text.strip(), flags=re.I)


@dataclass(frozen=True)
class _Candidate:
    hit: Hit
    sentence: Sentence
    text: str
    unit: str  # its article's copy group (or the article): sentences of one unit are not compared
    score: float

    @cached_property
    def terms(self) -> frozenset[str]:
        return frozenset(content_terms(self.text))


class Briefer:
    """Briefings over one index's stories."""

    def __init__(self, stories: StoryIndex, max_stories: int):
        self.stories = stories
        self.search = stories.search
        self.max_stories = max_stories
        self._candidates_of: dict[tuple, tuple[_Candidate, ...]] = {}  # best sentences of a story, per index state
        self._state: object = None

    def brief(self, asked: CollectionQuestion, question: str = "", filters: Filters = Filters()) -> Answer:
        """The briefing `asked` for, as an Answer whose `stories` are its sections."""
        every = self.stories.stories()
        if self._state is not self.search.committed:  # a build changed the index: stories were updated
            self._candidates_of, self._state = {}, self.search.committed
        if asked.kind == "story":
            return self._story(asked, question, filters, every)
        bounds = _within(filters, asked.dates) if asked.kind == "range" else filters
        shown = [(s, ids) for s in every if (ids := self._articles(s, bounds))]
        notice = ""
        if asked.kind == "range":
            notice = f"Stories with articles published {asked.dates.describe()} (from “{asked.dates.phrase}”)."
            if not shown:
                newest = max((m.published[:10] for m in self.search.catalog.values() if m.published), default="")
                notice = (f"No article was published {asked.dates.describe()} (from “{asked.dates.phrase}”)"
                          + (f"; the newest is from {newest}" if newest else "") + ". These are the main stories.")
                shown = [(s, ids) for s in every if (ids := self._articles(s, filters))]
        return self._collection(shown, question, notice)

    # -- the collection, or a date range of it ---------------------------------------------
    def _collection(self, shown: list[tuple[Story, tuple[str, ...]]], question: str, notice: str) -> Answer:
        if not shown:
            return Answer(text=ABSTAIN_TEXT, abstained=True, question=question, mode=AnswerMode.BRIEFING,
                          notice=notice or "The index holds no articles.")
        newest = _newest(shown, self.search.catalog)
        ranked = sorted(shown, key=lambda item: _rank(item[0], item[1], self.search.catalog, newest), reverse=True)
        numbering = _Numbering(self.search)
        picked_all: list[_Candidate] = []
        sections, lines = [], []
        for position, (story, ids) in enumerate(ranked[:self.max_stories], 1):
            chosen = self._central(story, ids, picked_all)
            if not chosen:
                continue
            picked_all += chosen
            chosen = sorted(chosen, key=lambda c: (c.hit.published or "~", c.hit.article_id, c.sentence.start))
            body = " ".join(f"{c.text} [{numbering.number(c)}]" for c in chosen)
            headline = story.headline or _short(chosen[0].text)
            head = f"{position}. {headline} ({_about(story, ids, self.search.catalog)})"
            lines.append(f"{head}\n{body}")
            sections.append(self._section(story, ids, headline, body, chosen, numbering))
        rest = ranked[self.max_stories:]
        if rest:
            lines.append(f"Also in the collection: {len(rest)} more "
                         f"{'story' if len(rest) == 1 else 'stories'} ({sum(len(ids) for _, ids in rest)} articles).")
        return Answer(text="\n\n".join(lines), citations=numbering.citations(), question=question,
                      mode=AnswerMode.BRIEFING, notice=notice, stories=tuple(sections))

    def _section(self, story: Story, ids: tuple[str, ...], headline: str, body: str,
                 chosen: Sequence[_Candidate], numbering: _Numbering) -> StoryBrief:
        catalog = self.search.catalog
        days = sorted(catalog[a].published[:10] for a in ids if catalog[a].published)
        return StoryBrief(story_id=story.story_id, headline=headline, article_ids=ids,
                          outlets=tuple(dict.fromkeys(catalog[a].source for a in ids if catalog[a].source)),
                          first=days[0] if days else "", last=days[-1] if days else "", text=body,
                          numbers=tuple(dict.fromkeys(numbering.number(c) for c in chosen)))

    def _articles(self, story: Story, filters: Filters) -> tuple[str, ...]:
        """The story's articles that pass the filters (outlets, published range)."""
        catalog = self.search.catalog
        return tuple(a for a in story.article_ids if a in catalog and _passes(catalog[a], filters))

    def _central(self, story: Story, ids: tuple[str, ...], taken: Sequence[_Candidate]) -> list[_Candidate]:
        """One to three of the story's most central sentences (cosine to its centroid), none
        saying what another sentence of the briefing says."""
        key = (story.story_id, ids)
        if key not in self._candidates_of:
            centroid = self.stories.centroid(story)
            found = self._candidates(self._readers(story, ids, centroid, READ_ARTICLES),
                                     lambda s: float(np.dot(s.vector, centroid)))
            self._candidates_of[key] = tuple(found[:KEPT_CANDIDATES])
        units = {self.search.catalog[a].group or a for a in ids}
        return _pick(self._candidates_of[key], min(MAX_SENTENCES, len(units)), taken)

    def _readers(self, story: Story, ids: Sequence[str], centroid: np.ndarray, limit: int) -> list[str]:
        """The story's most central articles, one per copy group (its newest version speaks for it)."""
        catalog = self.search.catalog
        newest: dict[str, str] = {}
        for article_id in ids:
            unit = catalog[article_id].group or article_id
            stamp = catalog[article_id].published_ts or 0
            if unit not in newest or stamp > (catalog[newest[unit]].published_ts or 0):
                newest[unit] = article_id

        def closeness(article_id: str) -> float:
            vector = self.stories.article_vector(article_id)
            if vector is None:
                return -1.0
            return float(np.dot(vector, centroid)) / (float(np.linalg.norm(vector)) or 1.0)

        return sorted(newest.values(), key=lambda a: (-closeness(a), a))[:limit]

    def _candidates(self, article_ids: Sequence[str], score) -> list[_Candidate]:
        catalog = self.search.catalog
        found: list[_Candidate] = []
        for article_id, passages in self.stories.passages(article_ids).items():
            unit = catalog[article_id].group or article_id if article_id in catalog else article_id
            for hit, sentences in passages:
                for sentence in sentences:
                    text = _usable(sentence.text)
                    if text:
                        lean = OUT_OF_CONTEXT if _LEANS.match(text) else 0.0
                        found.append(_Candidate(hit, sentence, text, unit, score(sentence) - lean))
        found.sort(key=lambda c: (-c.score, c.hit.article_id, c.sentence.start))
        return found

    # -- one story in depth -------------------------------------------------------------------
    def _story(self, asked: CollectionQuestion, question: str, filters: Filters,
               every: tuple[Story, ...]) -> Answer:
        # the story is found among all its coverage, then told from its articles of the asked dates
        notice = ""
        story, ids, vector = self._find(asked.topic, filters)
        if asked.dates.bounded:
            dated = self._articles(story, _within(filters, asked.dates)) if story else ()
            if dated:
                ids, notice = dated, f"Its articles published {asked.dates.describe()}."
            else:  # the dates may be part of the topic ("the 1973 oil crisis")
                if asked.topic_as_asked and asked.topic_as_asked != asked.topic:
                    story, ids, vector = self._find(asked.topic_as_asked, filters)
                notice = f"None of its articles was published {asked.dates.describe()}; this is all of its coverage."
        if story is None or not ids:
            return Answer(text=ABSTAIN_TEXT, abstained=True, question=question, mode=AnswerMode.BRIEFING)
        centroid = self.stories.centroid(story)
        readers = self._readers(story, ids, centroid, DEPTH_ARTICLES)
        candidates = self._candidates(readers, lambda s: 0.5 * float(np.dot(s.vector, vector))
                                      + 0.5 * float(np.dot(s.vector, centroid)))
        chosen = _pick(candidates, DEPTH_SENTENCES, [], per_article=PER_ARTICLE)
        numbering = _Numbering(self.search)
        lines = []
        for label, item in sorted((_dated(c) for c in chosen), key=lambda p: (p[0] == "", p[0], p[1].hit.published)):
            lines.append(f"{label or 'undated'}: {item.text} [{numbering.number(item)}]")
        differences = self._differences(candidates[:DIFFER_CANDIDATES], numbering)
        revisions = self._revisions(story, ids, numbering)
        headline = story.headline or _short(chosen[0].text if chosen else "")
        head = f"{headline} ({_about(story, ids, self.search.catalog)})"
        extra = [agreement.summary(differences, ())] if differences else []
        extra += [r.sentence() for r in revisions]
        body = "\n".join(lines + extra)
        citations = numbering.citations()
        section = replace(self._section(story, ids, headline, body, chosen, numbering),
                          numbers=tuple(c.number for c in citations))
        return Answer(text=f"{head}\n{body}", citations=citations, question=question, mode=AnswerMode.BRIEFING,
                      notice=notice, disagreements=differences, revisions=revisions, stories=(section,))

    def _find(self, topic: str, bounds: Filters) -> tuple[Story | None, tuple[str, ...], np.ndarray]:
        vector = self.search.embed_query(topic)
        story = self._matching(self.search.search(topic, k=10, filters=bounds, vector=vector), topic, vector)
        return story, (self._articles(story, bounds) if story else ()), vector

    def _matching(self, hits: list[Hit], topic: str, vector: np.ndarray) -> Story | None:
        """The story the best passages for the topic belong to (votes by rank), if any sentence
        of them answers the topic as well as an extractive answer must."""
        if not hits:
            return None
        scored = score_sentences(topic, vector, hits, self.search.sentences(hits), self.search.document_frequencies,
                                 max(self.search.passage_count(), 1))
        if not scored or scored[0].score < ABSTAIN_BELOW:
            return None
        votes: dict[str, float] = {}
        stories: dict[str, Story] = {}
        for rank, hit in enumerate(hits):
            story = self.stories.story_of(hit.article_id)
            if story is not None:
                votes[story.story_id] = votes.get(story.story_id, 0.0) + 1.0 / (rank + 1)
                stories[story.story_id] = story
        return stories[max(votes, key=lambda story_id: votes[story_id])] if votes else None

    def _differences(self, candidates: Sequence[_Candidate], numbering: _Numbering) -> tuple:
        """Where the story's outlets differ: pairs of its central sentences from different
        articles (copies count as one) that the agreement rules read as differing."""
        found: list[Disagreement] = []
        for i, first in enumerate(candidates):
            for second in candidates[i + 1:]:
                if first.unit == second.unit or len(found) >= MAX_DIFFERENCES:
                    continue
                relation = agreement.compare(first.text, second.text)
                if relation is not None and relation.label == "differ":
                    a, b = numbering.number(first), numbering.number(second)
                    if a != b:
                        found.append(Disagreement(first=a, second=b, kind=relation.kind, first_says=relation.first,
                                                  second_says=relation.second))
        return tuple(found)

    def _revisions(self, story: Story, ids: Sequence[str], numbering: _Numbering) -> tuple:
        """What a later version of one of the story's texts (a correction, an update, an
        edited copy) tells differently: each sentence of the newest version against its
        counterpart in each older one."""
        catalog = self.search.catalog
        groups: dict[str, list[str]] = {}
        for article_id in ids:
            if catalog[article_id].group:
                groups.setdefault(catalog[article_id].group, []).append(article_id)
        found: list[Revision] = []
        for members in groups.values():
            members.sort(key=lambda a: (catalog[a].published_ts or 0, a))
            newest, older = members[-1], members[:-1]
            texts = self.stories.passages(members)
            theirs = {a: [s for _, ss in texts.get(a, []) for s in (x.text for x in ss)] for a in older}
            for hit, sentences in texts.get(newest, []):
                for sentence in sentences:
                    for other in older:
                        twin = versions.counterpart(sentence.text, theirs[other])
                        changed = versions.change(sentence.text, twin) if twin else None
                        if changed is None or len(found) >= MAX_REVISIONS:
                            continue
                        number = numbering.number(_Candidate(hit, sentence, sentence.text, newest, 0.0))
                        meta, mine = catalog[other], catalog[newest]
                        found.append(Revision(number=number, kind=changed[0], says=changed[1], other_says=changed[2],
                                              other=meta.source or f"“{meta.title or other}”",
                                              other_published=meta.published, newer=False,
                                              same_outlet=meta.source == mine.source))
        return tuple(found)


class _Numbering:
    """Citation numbers in order of first use, one per passage; a passage's cited sentences
    are its highlights."""

    def __init__(self, search):
        self.search = search
        self.numbers: dict[str, int] = {}
        self.hits: dict[str, Hit] = {}
        self.spans: dict[str, set[tuple[int, int]]] = {}
        self.scores: dict[str, float] = {}

    def number(self, item: _Candidate) -> int:
        chunk = item.hit.chunk_id
        if chunk not in self.numbers:
            self.numbers[chunk] = len(self.numbers) + 1
            self.hits[chunk] = self.search.collapse_copies([item.hit])[0]  # names the copies' outlets
        self.spans.setdefault(chunk, set()).add((item.sentence.start, item.sentence.end))
        self.scores[chunk] = max(self.scores.get(chunk, item.score), item.score)
        return self.numbers[chunk]

    def citations(self) -> tuple[Citation, ...]:
        return tuple(Citation(number=n, article_id=h.article_id, title=h.title, source=h.source, url=h.url,
                              published=h.published, passage=h.text, start=h.start, end=h.end,
                              highlights=tuple(sorted(self.spans[c])), score=round(self.scores[c], 4),
                              also_reported_by=h.also_reported_by)
                     for c, n in self.numbers.items() for h in [self.hits[c]])


def _pick(candidates: Sequence[_Candidate], wanted: int, taken: Sequence[_Candidate],
          per_article: int = MAX_SENTENCES) -> list[_Candidate]:
    """The best candidates, skipping any that repeat one already picked (or taken before);
    after the first, a sentence from an article not yet used goes first among near-equals."""
    chosen: list[_Candidate] = []
    for candidate in candidates:
        if len(chosen) >= wanted:
            break
        if sum(c.hit.article_id == candidate.hit.article_id for c in chosen) >= per_article:
            continue
        if any(_same(candidate, c) for c in list(chosen) + list(taken)):
            continue
        chosen.append(candidate)
    return chosen


def _same(a: _Candidate, b: _Candidate) -> bool:
    """Whether two sentences say nearly the same thing (by meaning or by words)."""
    if float(np.dot(a.sentence.vector, b.sentence.vector)) >= SAME_MEANING:
        return True
    ta, tb = a.terms, b.terms
    return bool(ta and tb) and len(ta & tb) / len(ta | tb) >= SAME_WORDS


def _usable(text: str) -> str:
    """The sentence as a briefing may quote it ("" for a heading, a fragment, a run-on, or
    words addressed to an AI): without bracketed numbers of its own."""
    text = ARTICLE_MARKER.sub("", text).strip() if "[" in text else text.strip()
    words = len(text.split())
    if words < 6 or words > 60 or not _SENTENCE_END.search(text) or is_instruction(text):
        return ""
    return text


def _dated(item: _Candidate) -> tuple[str, _Candidate]:
    when, _ = sentence_date(item.text, item.hit.published)
    return (when.first.isoformat() if when is not None else ""), item


def _rank(story: Story, ids: Sequence[str], catalog, newest: float) -> float:
    """Biggest and newest first: articles and outlets count (logarithmically: the tenth
    report adds less than the second), and a story's last article a week older than the
    collection's newest costs as much as half its size."""
    outlets = {catalog[a].source for a in ids if catalog[a].source}
    stamps = [catalog[a].published_ts for a in ids if catalog[a].published_ts is not None]
    age_days = (newest - max(stamps)) / 86400 if stamps and newest else 0.0
    return math.log2(1 + len(ids)) + math.log2(1 + len(outlets)) - 0.5 * min(age_days / 7, 4)


def _newest(shown, catalog) -> float:
    return max((catalog[a].published_ts for _, ids in shown for a in ids
                if catalog[a].published_ts is not None), default=0.0)


def _about(story: Story, ids: Sequence[str], catalog) -> str:
    outlets = list(dict.fromkeys(catalog[a].source for a in ids if catalog[a].source))
    days = sorted(catalog[a].published[:10] for a in ids if catalog[a].published)
    parts = [f"{len(ids)} article{'s' if len(ids) != 1 else ''}"]
    if outlets:
        parts.append(", ".join(outlets[:4]) + (f" and {len(outlets) - 4} more" if len(outlets) > 4 else ""))
    if days:
        parts.append(days[0] if days[0] == days[-1] else f"{days[0]} to {days[-1]}")
    return " · ".join(parts)


def _short(text: str, words: int = 12) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + ("…" if len(parts) > words else "")


def _passes(meta, filters: Filters) -> bool:
    if filters.sources and meta.source not in filters.sources:
        return False
    if filters.since is not None and (meta.published_ts is None or meta.published_ts < filters.since):
        return False
    if filters.until is not None and (meta.published_ts is None or meta.published_ts > filters.until):
        return False
    return True


def _within(filters: Filters, asked: DateQuery) -> Filters:
    """The filters narrowed to the asked dates (a day's end included)."""
    since = None if asked.since is None else int(datetime.combine(asked.since, day_time.min, UTC).timestamp())
    until = None if asked.until is None else int(datetime.combine(asked.until, day_time.max, UTC).timestamp())
    since = max((x for x in (filters.since, since) if x is not None), default=None)
    until = min((x for x in (filters.until, until) if x is not None), default=None)
    return replace(filters, since=since, until=until)
